/**
 * The generated blocks of docs/calibration.md and the README (see scripts/docs-seed.ts): pure
 * functions, so that a unit test can hold the committed page to the code without running the
 * simulator.
 */
import type { CalibrationRow } from "../report/seed-report";

const begin = (name: string) => `<!-- BEGIN generated: ${name} -->`;
const end = (name: string) => `<!-- END generated: ${name} -->`;

/** `text` with the block `name` replaced by `body`; throws if the markers are missing. */
export function replaceBlock(text: string, name: string, body: string): string {
  const b = text.indexOf(begin(name));
  const e = text.indexOf(end(name));
  if (b < 0 || e < b) throw new Error(`no generated block "${name}" (markers ${begin(name)} ... ${end(name)})`);
  return `${text.slice(0, b + begin(name).length)}\n${body.trimEnd()}\n${text.slice(e)}`;
}

/** The block `name` of `text` (between its markers, trimmed), or undefined. */
export function readBlock(text: string, name: string): string | undefined {
  const b = text.indexOf(begin(name));
  const e = text.indexOf(end(name));
  if (b < 0 || e < b) return undefined;
  return text.slice(b + begin(name).length, e).trim();
}

/** Markdown table cells cannot hold a bare `|` or a newline. */
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** Every model parameter with its source, the fitted ones marked with the cells they were fitted on. */
export function calibrationTable(rows: readonly CalibrationRow[]): string {
  const out = ["| parameter | value | source | fitted on |", "| --- | --- | --- | --- |"];
  for (const r of rows)
    out.push(
      `| \`${cell(r.param)}\` | ${cell(String(r.value))} | ${cell(r.source)} | ${r.fittedOn?.length ? r.fittedOn.map((f) => `\`${cell(f)}\``).join(", ") : "—"} |`,
    );
  return out.join("\n");
}

/**
 * The seed scenarios' ASSUMPTION comments (what the cover letter does not state), each once, with
 * the files and lines that carry it. A comment continues on the following comment lines.
 */
export function seedAssumptions(files: readonly { file: string; text: string }[]): string {
  const seen = new Map<string, string[]>();
  for (const { file, text } of files) {
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const at = line.indexOf("ASSUMPTION");
      if (at < 0) continue;
      const hash = line.lastIndexOf("#", at);
      if (hash < 0) continue;
      let words = line.slice(at).trim();
      // The files' headers say how assumptions are marked ("marked ASSUMPTION and listed..."):
      // not an assumption themselves.
      if (/^ASSUMPTION (and|or) /.test(words)) continue;
      // A comment of its own line goes on over the following comment-only lines; a comment at
      // the end of a YAML line does not (the next comment line is about the next field).
      const own = /^\s*#/.test(line);
      for (let j = i + 1; own && j < lines.length && /^\s*#/.test(lines[j]!) && !lines[j]!.includes("ASSUMPTION"); j++) {
        words += ` ${lines[j]!.replace(/^\s*#\s?/, "").trim()}`;
        if (/[.)]$/.test(words)) break;
      }
      // What it is about: the YAML before an end-of-line comment, or the comment's own words
      // before ASSUMPTION (with the comment line above when the sentence started there).
      let about = line.slice(0, hash).trim();
      if (own) {
        about = line.slice(hash + 1, at).trim();
        const prev = lines[i - 1] ?? "";
        if ((about === "" || about.startsWith("(")) && /^\s*#/.test(prev)) about = `${prev.replace(/^\s*#\s?/, "").trim()} ${about}`;
      }
      const key = `${about ? `${about} ` : ""}${words}`.replace(/\s+/g, " ").trim();
      const where = `${file}:${i + 1}`;
      const list = seen.get(key);
      if (list) list.push(where);
      else seen.set(key, [where]);
    }
  }
  const out = ["| assumption | where |", "| --- | --- |"];
  for (const [text, where] of seen) {
    const shown = where.length > 2 ? `${where[0]} and ${where.length - 1} more` : where.join(", ");
    out.push(`| ${cell(text)} | ${cell(shown)} |`);
  }
  return out.join("\n");
}

/**
 * `pvsched-sim map <patch-file>... [--json] [--map override.json] [--lenient]`
 *
 * Prints every hunk of the given patch files (unified diff, git format-patch, mbox or lore thread
 * mbox, gzip'd or not; quoted-printable, base64 and multipart mails decoded; replies skipped) with
 * the mechanism its code implements, or `unmapped` with the reason. The same parser and mapper as the editor's CodeLens
 * (patch/parse.ts, patch/mapper.ts), so the mapping can be checked outside the editor.
 *
 * Bad input (a missing or unreadable file, a binary file, a file over the size limit, bytes that are
 * neither UTF-8 nor text, a malformed diff, an invalid override map) gets one line on stderr,
 * `file:line: reason` with a 1-based line, and exit status 2. Nothing is printed on stdout then.
 */
import {
  checkPatchText,
  countHunks,
  decodePatchBytes,
  parsePatchText,
  MAX_PATCH_BYTES,
  type ParseResult,
  type PatchDiagnostic,
} from "../patch/parse";
import { escapeControls } from "../common/escape";
import { readRegularFile } from "./read-file";
import { compileHunkMap, mapPatch, MAX_HUNK_MAP_BYTES, parseHunkMapText, type CompiledHunkMap, type MappedHunk } from "../patch/mapper";

const USAGE = `usage: pvsched-sim map <patch-file>... [--json] [--map override.json] [--lenient]

  Prints every hunk (patch subject, file, line range, function context) and the
  mechanism it implements under the hunk map, or "unmapped". The files are read
  as one series (git format-patch's 0001-*.patch ...): what one patch defines,
  another uses, as in one mbox.

  --json          print a JSON array of hunks instead of text: per hunk oldStart, oldLines,
                  newStart, newLines, messageId, mechanism, scores, reason
                  (document lines are 0-based there)
  --map FILE      a hunk map override (same format as .vscode/pvsched-hunk-map.json)
  --lenient       map what parses even if a file has malformed hunks (warnings on stderr)
`;

/** A bad-input error: reported as `file:line: reason`, exit status 2. */
class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(reason);
  }
}

/** A file's bytes if it is a regular file within `limit` (cli/input.ts), else an InputError. */
function readBounded(file: string, limit: number, noun: string): Uint8Array {
  const r = readRegularFile(file, limit, noun);
  if (r instanceof Uint8Array) return r;
  throw new InputError(file, 1, "problem" in r ? r.problem : `file is ${r.tooLarge} bytes, over the ${limit}-byte limit`);
}

interface FileResult {
  file: string;
  parsed: ParseResult;
}

function loadOverride(file: string): CompiledHunkMap {
  const bytes = readBounded(file, MAX_HUNK_MAP_BYTES, "hunk map");
  const dec = decodePatchBytes(bytes);
  if (!dec.ok) throw new InputError(file, dec.line + 1, dec.reason);
  const { map, errors } = parseHunkMapText(dec.text);
  if (!map) {
    const e = errors[0];
    throw new InputError(file, 1, `invalid hunk map: ${e?.path || "/"}: ${e?.message ?? "not a hunk map"}`);
  }
  return compileHunkMap(map);
}

function parseOne(file: string, lenient: boolean, warn: (s: string) => void): FileResult {
  // The bytes are not kept past decoding: a 50 MB file's buffer can be freed while it is parsed.
  const dec = decodePatchBytes(readBounded(file, MAX_PATCH_BYTES, "patch file"));
  if (!dec.ok) throw new InputError(file, dec.line + 1, dec.reason);
  for (const d of dec.diagnostics) warn(`${file}:${d.line + 1}: warning: ${d.message}`);
  if (!lenient) {
    // A file with errors is refused before its hunks are built and their code is read: on a
    // 50 MB mbox whose last hunk is cut short that work was most of the time (2.8 s CPU in all).
    const check = checkPatchText(dec.text);
    if (check.refused) throw new InputError(file, check.refused.line + 1, check.refused.reason);
    throwFirstError(file, check.diagnostics);
  }
  // The changed lines' text is not printed, only counts and identifiers: keeping none saves most
  // of the parser's memory and time on a big series.
  const parsed = parsePatchText(dec.text, { maxRetainedLines: 0 });
  if (parsed.refused) throw new InputError(file, parsed.refused.line + 1, parsed.refused.reason);
  if (!lenient) throwFirstError(file, parsed.diagnostics);
  for (const d of parsed.diagnostics) {
    if (d.severity !== "info" && (lenient || d.severity !== "error")) warn(`${file}:${d.line + 1}: ${d.severity}: ${d.message}`);
  }
  if (parsed.patches.length === 0) throw new InputError(file, 1, "no patch found (no diff, no mail headers)");
  return { file, parsed };
}

/** Refuses a file with errors: the first one, and how many more. */
function throwFirstError(file: string, diagnostics: readonly PatchDiagnostic[]): void {
  const errors = diagnostics.filter((d) => d.severity === "error");
  const first = errors[0];
  if (!first) return;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error(s))` : "";
  throw new InputError(file, first.line + 1, `${first.message}${more}`);
}

/**
 * Maps the files' patches as one series (a series saved as one file per patch reads as its
 * mbox does), and returns each file's hunks.
 */
function mapSeries(results: FileResult[], map: CompiledHunkMap): MappedHunk[][] {
  const first = results[0];
  if (!first) return [];
  const all = mapPatch({ ...first.parsed, patches: results.flatMap((r) => r.parsed.patches) }, map);
  let at = 0;
  return results.map((r) => {
    const n = countHunks(r.parsed);
    at += n;
    return all.slice(at - n, at);
  });
}

function formatText(results: FileResult[], hunks: MappedHunk[][]): string {
  const out: string[] = [];
  let mapped = 0;
  let total = 0;
  results.forEach((r, j) => {
    const fileHunks = hunks[j] ?? [];
    out.push(escapeControls(r.file));
    let i = 0;
    for (const p of r.parsed.patches) {
      const n = p.files.reduce((s, f) => s + f.hunks.length, 0);
      const num = p.index !== null ? `[${p.index}/${p.total ?? "?"}] ` : "";
      out.push(`  ${num}${escapeControls(p.subject) || "(no subject)"}${n === 0 ? "  (no hunks)" : ""}`);
      for (let k = 0; k < n; k++, i++) {
        const h = fileHunks[i];
        // mapSeries() returns every parsed hunk, in order: a gap would be a mapper bug.
        if (!h) throw new Error(`${r.file}: hunk ${i} was not mapped`);
        total++;
        if (h.mechanism) mapped++;
        const fn = h.funcContext ? `  ${h.funcContext.length > 60 ? `${h.funcContext.slice(0, 59)}…` : h.funcContext}` : "";
        out.push(`    ${(h.mechanism ?? "unmapped").padEnd(17)} ${escapeControls(`${h.file}:${h.line + 1}-${h.endLine + 1}${fn}`)}`);
      }
    }
  });
  const replies = results.reduce((n, r) => n + r.parsed.repliesSkipped, 0);
  out.push(`${mapped} of ${total} hunk(s) mapped${replies ? `; ${replies} repl${replies === 1 ? "y" : "ies"} skipped` : ""}`);
  return `${out.join("\n")}\n`;
}

export async function mapCommand(args: string[]): Promise<number> {
  const files: string[] = [];
  let json = false;
  let lenient = false;
  let mapFile: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (a === "--json") json = true;
    else if (a === "--lenient") lenient = true;
    else if (a === "--map") {
      if (i + 1 >= args.length) {
        process.stderr.write("pvsched-sim map: --map needs a file\n");
        return 2;
      }
      mapFile = args[++i] ?? null;
    } else if (a.startsWith("--map=")) mapFile = a.slice(6);
    else if (a === "-h" || a === "--help") {
      process.stdout.write(USAGE);
      return 0;
    } else if (a.startsWith("-") && a !== "-") {
      process.stderr.write(`pvsched-sim map: unknown option ${a}\n`);
      return 2;
    } else files.push(a);
  }
  if (files.length === 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  const warnings: string[] = [];
  try {
    const map = mapFile ? loadOverride(mapFile) : compileHunkMap(null);
    const results = files.map((f) => parseOne(f, lenient, (s) => warnings.push(s)));
    const hunks = mapSeries(results, map);
    for (const w of warnings) process.stderr.write(`${oneLine(w)}\n`);
    if (json) {
      // `code` is what the editor keys rules on; the CLI prints the scores and reason instead.
      const arr = results.flatMap((r, j) => (hunks[j] ?? []).map(({ code: _code, ...h }) => ({ source: r.file, ...h })));
      process.stdout.write(`${JSON.stringify(arr, null, 2)}\n`);
    } else {
      process.stdout.write(formatText(results, hunks));
    }
    return 0;
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`${e.file}:${e.line}: ${oneLine(e.message)}\n`);
      return 2;
    }
    // Anything else is our bug; still one line, still no stack trace.
    process.stderr.write(`pvsched-sim map: internal error: ${oneLine((e as Error)?.message ?? String(e))}\n`);
    return 2;
  }
}

/** One terminal line: line breaks folded, control characters from the input escaped, bounded. */
function oneLine(s: string): string {
  return escapeControls(s.replace(/[\r\n]+/g, " ").slice(0, 500));
}

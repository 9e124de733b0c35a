/** Reading scenario files for the CLI: every failure becomes a one-line InputError. */
import { formatError, loadScenario, LOADER_LIMITS } from "../scenario-loader/index";
import type { Document } from "yaml";
import type { Scenario } from "../sim-core/index";
import { InputError } from "./errors";
import { readRegularFile } from "./read-file";

/** Decodes bytes as UTF-8 text, or throws an InputError saying why it is not text. */
export function decodeText(file: string, bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    // Report the line of the first NUL so the message points somewhere useful.
    let line = 1;
    let col = 1;
    for (let i = 0; i < nul; i++) {
      if (bytes[i] === 10) [line, col] = [line + 1, 1];
      else col++;
    }
    throw new InputError(`${file}:${line}:${col}: not a text file (NUL byte at offset ${nul})`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(`${file}:1:1: not a text file (invalid UTF-8)`);
  }
}

export function readTextFile(file: string): string {
  // UTF-8 takes at most 3 bytes per UTF-16 unit of the BMP: refuse obviously oversized files unread.
  const r = readRegularFile(file, LOADER_LIMITS.maxChars * 3, "scenario file");
  if (r instanceof Uint8Array) return decodeText(file, r);
  if ("problem" in r) throw new InputError(`${file}: ${r.problem}`);
  throw new InputError(`${file}:1:1: file too large: ${r.tooLarge} bytes (limit ${LOADER_LIMITS.maxChars} characters)`);
}

/** A scenario file: the validated scenario, and its text and YAML document for pointing at fields. */
export interface ScenarioSource {
  file: string;
  text: string;
  doc: Document.Parsed;
  scenario: Scenario;
}

/** Parses and validates scenario text; throws an InputError with the first error (and a count of the rest). */
export function parseScenarioSource(file: string, text: string): ScenarioSource {
  const r = loadScenario(text, file);
  if (!r.ok) {
    const more = r.errors.length > 1 ? ` (+${r.errors.length - 1} more)` : "";
    throw new InputError(formatError(file, r.errors[0]!) + more);
  }
  return { file, text, doc: r.doc, scenario: r.scenario };
}

export function readScenario(file: string): ScenarioSource {
  return parseScenarioSource(file, readTextFile(file));
}

/**
 * `file:line:col` of a field (path segments as in the YAML), or of its nearest ancestor that the
 * file spells out (a field left to its default has no position of its own).
 */
export function fieldPosition(src: ScenarioSource, path: readonly (string | number)[]): string {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? src.doc.contents : src.doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (!range) continue;
    let line = 1;
    let col = 1;
    for (let i = 0; i < range[0] && i < src.text.length; i++) {
      if (src.text.charCodeAt(i) === 10) [line, col] = [line + 1, 1];
      else col++;
    }
    return `${src.file}:${line}:${col}`;
  }
  return `${src.file}:1:1`;
}

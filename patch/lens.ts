/**
 * What the hunk lenses and the hover need of a patch document, computed in one call from its text:
 * the mapped hunks (with the identifiers each one adds, which "Map this hunk…" keys a rule on),
 * the line count and, when the document is refused whole, why. Plain structured-clone data, so
 * the lens worker (runner/patch-job.ts) sends it to the extension host as it is: the host never
 * holds the parse tree, only this.
 */
import { mapPatch, type HunkMapFile, type MappedHunk } from "./mapper";
import { parsePatchText } from "./parse";

/**
 * Largest patch text parsed for lenses, in UTF-16 units. The parse and the mapping take about
 * 0.1-0.2 s of CPU per MB of mbox (this machine: 4 MiB 0.8 s warm, 4.4 s cold; 16 MB 1.5 s warm),
 * and the text is copied once to the lens worker; 4 MiB keeps one parse within the lens
 * deadline (issue 14). A larger series gets one lens saying so; `pvsched-sim map` maps it
 * outside the editor.
 */
export const LENS_MAX_CHARS = 4 * 1024 * 1024;

export interface LensHunk extends MappedHunk {
  /** Identifiers in the hunk's added lines (patch/parse.ts `Hunk.identifiersAdded`). */
  identifiersAdded: string[];
}

export interface PatchLensData {
  hunks: LensHunk[];
  lineCount: number;
  /** Set when the document was not mapped at all (too large, binary, too slow); `hunks` is empty. */
  refused: { line: number; reason: string } | null;
}

/** Parses and maps a patch text for the lenses. `poll` may throw to stop (a deadline, a cancel). */
export function patchLensData(text: string, map: HunkMapFile | null, poll?: () => void): PatchLensData {
  const parsed = parsePatchText(text, { poll });
  const added = new Map<number, string[]>();
  for (const p of parsed.patches) for (const f of p.files) for (const h of f.hunks) added.set(h.line, h.identifiersAdded);
  const hunks = mapPatch(parsed, map, poll).map((h) => ({ ...h, identifiersAdded: added.get(h.line) ?? [] }));
  return { hunks, lineCount: parsed.lineCount, refused: parsed.refused };
}

/** A document refused unread, with the reason (shown as one lens where it opens). */
export function refusedLensData(lineCount: number, reason: string): PatchLensData {
  return { hunks: [], lineCount, refused: { line: 0, reason } };
}

const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;

/** The lens data of a document over LENS_MAX_CHARS: refused before its text is read. */
export function tooLargeForLenses(chars: number, lineCount: number): PatchLensData {
  return refusedLensData(lineCount, `too large for hunk lenses (${mib(chars)}, limit ${mib(LENS_MAX_CHARS)}); run pvsched-sim map on it`);
}

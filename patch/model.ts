/**
 * What the patch parser produces (patch/parse.ts): patches, their files and hunks, diagnostics,
 * and the limits a parse runs under. Types and constants only; no Node or VS Code imports.
 */
import type { HunkCode } from "./code";

export type Severity = "error" | "warning" | "info";

export interface PatchDiagnostic {
  /** 0-based line of the document the problem is about. */
  line: number;
  severity: Severity;
  /** Stable machine-readable code, e.g. `truncated-hunk`. */
  code: string;
  message: string;
}

export interface Hunk {
  /** 0-based line of the `@@` header. */
  line: number;
  /** 0-based line of the hunk's last line (the header itself for an empty hunk). */
  endLine: number;
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  /** Text after the second `@@` (git's function context), trimmed; "" when absent. */
  funcContext: string;
  /** Added lines without their leading `+` (empty when line text was not kept, see `linesOmitted`). */
  added: string[];
  /** Removed lines without their leading `-`. */
  removed: string[];
  /** Number of added / removed lines, counted even when the text is not kept. */
  addedCount: number;
  removedCount: number;
  /** C identifiers appearing in added lines, minus C keywords, in first-seen order, deduplicated. */
  identifiersAdded: string[];
  /** The hunk ended before the counts in its header were met. */
  truncated: boolean;
  /** Line text was not kept because the document exceeded the retained-lines budget. */
  linesOmitted: boolean;
  /** What the hunk's code defines, calls, touches and where it sits (patch/code.ts). */
  code: HunkCode;
}

export interface FileDiff {
  /** Path before the change without the `a/` prefix; null for a created file (`/dev/null`). */
  oldPath: string | null;
  /** Path after the change without the `b/` prefix; null for a deleted file. */
  newPath: string | null;
  /** The path to show and to match: newPath, or oldPath for a deletion. */
  path: string;
  /** 0-based line where the file's section starts (`diff --git` or `---`). */
  line: number;
  endLine: number;
  /** `GIT binary patch` or `Binary files ... differ`. */
  binary: boolean;
  hunks: Hunk[];
}

export interface Patch {
  /** Subject without the bracketed prefix (`[PATCH 3/8]`, `[RFC PATCH v2 3/8]`). */
  subject: string;
  /** The bracketed prefix as written, e.g. `RFC PATCH 3/8`; "" if none. */
  subjectPrefix: string;
  /** n of `[PATCH n/m]`; null when the subject carries no number. */
  index: number | null;
  /** m of `[PATCH n/m]`. */
  total: number | null;
  /** `From:` (or `Author:`) header value; "" when absent. */
  author: string;
  /** `Date:` header value; "" when absent. */
  date: string;
  /** Commit id from the mbox `From <sha> ...` separator or a `commit <sha>` line. */
  commit: string;
  /** The mail's Message-ID without angle brackets; "" when absent (git format-patch files). */
  messageId: string;
  /** 0-based line where the patch starts. */
  line: number;
  endLine: number;
  files: FileDiff[];
}

/** A patch of which nothing is read yet (no headers, no files), starting at document line `line`. */
export function emptyPatch(line: number): Patch {
  return {
    subject: "",
    subjectPrefix: "",
    index: null,
    total: null,
    author: "",
    date: "",
    commit: "",
    messageId: "",
    line,
    endLine: line,
    files: [],
  };
}

export interface ParseLimits {
  /** Refuse documents longer than this many UTF-16 code units. Default 64 Mi. */
  maxChars: number;
  /** Report at most this many hunks; later ones are skipped with one diagnostic. */
  maxHunks: number;
  maxFiles: number;
  maxPatches: number;
  /**
   * Keep the text of at most this many added/removed lines in total. 0 keeps none and says
   * nothing (for callers that only need counts and identifiers, such as `pvsched-sim map`).
   */
  maxRetainedLines: number;
  /** Keep at most this many identifiers per hunk. */
  maxIdentifiersPerHunk: number;
  /** Report at most this many diagnostics. */
  maxDiagnostics: number;
  /**
   * Called every POLL_LINES lines of the structure pass and every POLL_HUNKS hunks of the code
   * pass. It may throw to stop the parse (the lens worker's deadline and cancellation,
   * runner/patch-job.ts); the parse itself never throws.
   */
  poll?: () => void;
}

/** Lines between two calls of ParseLimits.poll: well under a millisecond of parsing. */
export const POLL_LINES = 4096;
/** Hunks between two calls of ParseLimits.poll in the code pass (7 k hunks of a 4 MiB mbox take 0.2-0.3 s). */
export const POLL_HUNKS = 64;

export const DEFAULT_LIMITS: ParseLimits = {
  maxChars: 64 * 1024 * 1024,
  maxHunks: 100_000,
  maxFiles: 100_000,
  maxPatches: 100_000,
  maxRetainedLines: 2_000_000,
  maxIdentifiersPerHunk: 256,
  maxDiagnostics: 1_000,
};

export interface ParseResult {
  patches: Patch[];
  diagnostics: PatchDiagnostic[];
  /** Number of lines in the document. */
  lineCount: number;
  /** Set when the whole input was refused; `patches` is then empty. */
  refused: { line: number; reason: string } | null;
  /** Mails skipped because they are replies (`Re:`): reviews quote hunks, they do not add them. */
  repliesSkipped: number;
}

/** Total number of hunks in a parse result. */
export function countHunks(r: ParseResult): number {
  let n = 0;
  for (const p of r.patches) for (const f of p.files) n += f.hunks.length;
  return n;
}

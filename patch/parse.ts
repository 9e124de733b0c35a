/**
 * Parser for unified diffs, `git format-patch` files and mbox files holding several patches.
 *
 * Pure TypeScript with no Node or VS Code imports: the same code runs in the extension host, the
 * web extension and the CLI.
 *
 * Design constraints (issue 6): one linear pass over the text with `indexOf`, no backtracking
 * regexes over the whole input, a size limit checked before anything else, and caps on what is
 * retained (hunks, files, patches, kept line text) so a hostile input cannot make us hold more than
 * a bounded multiple of its own size. Nothing here throws on any string input.
 *
 * All line numbers are 0-based lines of the document (LF or CRLF terminated; a lone CR is content,
 * as it is for git).
 */

import { escapeControls } from "../common/escape";
import { decodeMimeWords, MAX_MIME_HEADER } from "./decode";
import { HunkCodeBuilder, type HunkCode } from "./code";
import { decodeBody } from "./mime";
import { splitSubject } from "./subject";

export { decodePatchBytes, decodeMimeWords, MAX_PATCH_BYTES, type DecodeResult } from "./decode";
export { collectIdentifiers, type IdentifierSet } from "./identifiers";
export type { HunkCode, Scope } from "./code";

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
}

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

// ---------------------------------------------------------------------------------------------
// Line-level recognisers

/** `From <sha> Mon Sep 17 00:00:00 2001` (git) or any mbox `From addr Day Mon dd hh:mm:ss ...`. */
const MBOX_FROM_RE =
  /^From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d{1,2}:\d\d:\d\d/;
const HUNK_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;
const COMMIT_RE = /^commit ([0-9a-f]{7,64})\b/;

function isMboxFrom(line: string): boolean {
  return line.startsWith("From ") && MBOX_FROM_RE.test(line);
}

/** Strip the `a/` `b/` prefixes (or any single leading dir for `-p1` style paths) and quoting. */
function cleanPath(raw: string, prefix: string): string | null {
  let p = raw;
  // `--- a/file\t2023-12-13 10:00:00` (diff -u) carries a timestamp after a tab.
  const tab = p.indexOf("\t");
  if (tab >= 0) p = p.slice(0, tab);
  p = p.trim();
  if (p.length >= 2 && p.startsWith('"') && p.endsWith('"')) {
    p = p
      .slice(1, -1)
      .replace(/\\(["\\])/g, "$1")
      .replace(/\\t/g, "\t")
      .replace(/\\n/g, "\n");
  }
  if (p === "/dev/null") return null;
  if (p.startsWith(prefix)) return p.slice(prefix.length);
  return p;
}

/** `diff --git a/x b/y` → [x, y] for the common unquoted, equal-length case; best effort otherwise. */
function parseDiffGitPaths(rest: string): [string | null, string | null] {
  if (rest.startsWith('"') && rest.length < 4096) {
    const m = /^"((?:[^"\\]|\\.)*)" +"?((?:[^"\\]|\\.)*)"?$/.exec(rest);
    if (m) return [cleanPath(`"${m[1]}"`, "a/"), cleanPath(`"${m[2]}"`, "b/")];
  }
  // For `a/P b/P` with identical P the split point is the middle.
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === " ") {
    const a = rest.slice(0, half);
    const b = rest.slice(half + 1);
    if (a.startsWith("a/") && b.startsWith("b/") && a.slice(2) === b.slice(2)) return [a.slice(2), b.slice(2)];
  }
  const sp = rest.indexOf(" b/");
  if (sp >= 0) return [cleanPath(rest.slice(0, sp), "a/"), cleanPath(rest.slice(sp + 1), "b/")];
  return [null, null];
}

// ---------------------------------------------------------------------------------------------
// The parser

/**
 * The `added` and `removed` of every hunk when no line text is kept (see ParseLimits), and the
 * identifiersAdded of a hunk until its code is read: one shared, frozen empty array.
 */
const NO_LINES: string[] = Object.freeze([]) as unknown as string[];

type State =
  | "top" // between things: looking for headers, diffs, separators
  | "headers" // mail headers after an mbox separator
  | "body" // commit message / diffstat: ignore until a diff starts
  | "fileHeader" // after `diff --git`, before hunks
  | "hunk" // inside a hunk with lines remaining
  | "afterHunk" // after a complete hunk: another hunk, another file, or trailer
  | "binary" // inside a `GIT binary patch` literal/delta block
  | "skipMessage"; // a reply mail: nothing in it until the next mbox separator

/**
 * Parse a patch document. Never throws; problems are reported in `diagnostics`, and an input that
 * cannot be handled at all (over the size limit, NUL bytes) is refused with `refused` set.
 *
 * Two passes: the structure (patches, files, hunks, diagnostics) in one scan of the text, then
 * the code of each hunk's lines.
 */
export function parsePatchText(text: string, limits: Partial<ParseLimits> = {}): ParseResult {
  const L: ParseLimits = { ...DEFAULT_LIMITS, ...limits };
  const { result, bodies } = parseStructure(text, L, true);
  readHunkCode(bodies, L.maxIdentifiersPerHunk);
  return result;
}

/** What checkPatchText finds: parsePatchText's diagnostics, refusal and line count, nothing else. */
export type PatchCheck = Pick<ParseResult, "diagnostics" | "refused" | "lineCount">;

/**
 * The diagnostics parsePatchText would report, without building the result: each patch's files
 * and hunks are let go when the next patch starts and no hunk's code is read. For a caller that
 * refuses a document with errors (`pvsched-sim map`) before doing the work: on a 50 MB series
 * this is a fraction of the parse's time and memory, as nothing outlives its mail.
 */
export function checkPatchText(text: string, limits: Partial<ParseLimits> = {}): PatchCheck {
  const { result } = parseStructure(text, { ...DEFAULT_LIMITS, ...limits, maxRetainedLines: 0 }, false);
  return { diagnostics: result.diagnostics, refused: result.refused, lineCount: result.lineCount };
}

/**
 * Where each hunk's lines are: hunks[i]'s are texts[i][ranges[2i], ranges[2i+1]), whole lines
 * (the header excluded). Parallel arrays, not an object per hunk: a 50 MB series has 89 000.
 */
class HunkBodies {
  readonly hunks: Hunk[] = [];
  readonly texts: string[] = [];
  readonly ranges: number[] = [];

  add(hunk: Hunk, text: string, start: number, stop: number): void {
    this.hunks.push(hunk);
    this.texts.push(text);
    this.ranges.push(start, stop);
  }

  addAll(other: HunkBodies): void {
    for (let i = 0; i < other.hunks.length; i++) this.add(other.hunks[i], other.texts[i], other.ranges[2 * i], other.ranges[2 * i + 1]);
  }
}

/**
 * The structure pass: everything but the hunks' code, and where each hunk's lines are. With
 * `retain` false a patch's files are dropped once the next patch starts (checkPatchText).
 */
function parseStructure(text: string, L: ParseLimits, retain: boolean): { result: ParseResult; bodies: HunkBodies } {
  const result: ParseResult = { patches: [], diagnostics: [], lineCount: 0, refused: null, repliesSkipped: 0 };
  const bodies = new HunkBodies();
  if (typeof text !== "string") {
    result.refused = { line: 0, reason: "input is not text" };
    return { result, bodies };
  }
  if (text.length > L.maxChars) {
    result.refused = { line: 0, reason: `input is ${text.length} characters, over the ${L.maxChars}-character limit` };
    return { result, bodies };
  }
  const nul = text.indexOf("\0");
  if (nul >= 0) {
    let line = 0;
    for (let i = text.indexOf("\n"); i >= 0 && i < nul; i = text.indexOf("\n", i + 1)) line++;
    result.refused = { line, reason: `binary input (NUL character at offset ${nul}), not a patch` };
    return { result, bodies };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const diags = result.diagnostics;
  let diagDropped = 0;
  // Messages may quote the document (a hunk header): its control characters are escaped here.
  const diag = (line: number, severity: Severity, code: string, message: string) => {
    if (diags.length < L.maxDiagnostics) diags.push({ line, severity, code, message: escapeControls(message) });
    else diagDropped++;
  };

  let state: State = "top";
  let patch = null as Patch | null;
  let file = null as FileDiff | null;
  let hunk = null as Hunk | null;
  let oldLeft = 0;
  let newLeft = 0;
  // The open hunk's lines: text[bodyStart, bodyStop).
  let bodyStart = 0;
  let bodyStop = 0;
  let totalHunks = 0;
  let totalFiles = 0;
  let retained = 0;
  let capHunksHit = false;
  let capFilesHit = false;
  let capPatchesHit = false;
  let retainWarned = false;
  // A Subject or From header that may continue on folded lines: its raw parts are collected and
  // decoded and split once when the header ends (finishHeader), so a header folded over n lines
  // costs O(n), not O(n^2) or worse (re-splitting the whole subject at every line).
  let folded = null as { patch: Patch; name: FoldedHeader; parts: string[] } | null;
  // The MIME headers of the mail being read, and where its diagnostics start (for a broken mail).
  let mail = { contentType: "", encoding: "", reply: false, diagStart: 0 };
  let pendingMinus = null as { line: number; text: string } | null; // `--- x` awaiting `+++ y`
  let lineNo = -1;
  let bodyFirst = false; // at the first line of a mail body

  const newPatch = (line: number): Patch | null => {
    // The previous patch is complete: nothing reads its files again.
    if (!retain && patch) patch.files = [];
    if (result.patches.length >= L.maxPatches) {
      if (!capPatchesHit) {
        capPatchesHit = true;
        diag(line, "error", "too-many-patches", `more than ${L.maxPatches} patches; the rest are not reported`);
      }
      return null;
    }
    const p: Patch = {
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
    result.patches.push(p);
    mail = { contentType: "", encoding: "", reply: false, diagStart: diags.length };
    return p;
  };

  const ensurePatch = (line: number): Patch | null => {
    if (!patch && !capPatchesHit) patch = newPatch(line);
    return patch;
  };

  const closeHunk = (lastLine: number) => {
    if (!hunk) return;
    if (oldLeft > 0 || newLeft > 0) {
      hunk.truncated = true;
      diag(
        hunk.line,
        "error",
        "truncated-hunk",
        `truncated hunk: header says -${hunk.oldStart},${hunk.oldCount} +${hunk.newStart},${hunk.newCount} ` +
          `but ${oldLeft} old and ${newLeft} new line(s) are missing`,
      );
    }
    hunk.endLine = Math.max(hunk.line, lastLine);
    if (file) file.endLine = Math.max(file.endLine, hunk.endLine);
    if (retain && bodyStop > bodyStart) bodies.add(hunk, text, bodyStart, bodyStop);
    hunk = null;
    oldLeft = newLeft = 0;
  };

  const closeFile = (lastLine: number) => {
    closeHunk(lastLine);
    file = null;
  };

  const startFile = (line: number, oldPath: string | null, newPath: string | null) => {
    closeFile(line - 1);
    const p = ensurePatch(line);
    if (!p) return;
    if (totalFiles >= L.maxFiles) {
      if (!capFilesHit) {
        capFilesHit = true;
        diag(line, "error", "too-many-files", `more than ${L.maxFiles} files; the rest are not reported`);
      }
      return;
    }
    totalFiles++;
    file = {
      oldPath,
      newPath,
      path: newPath ?? oldPath ?? "",
      line,
      endLine: line,
      binary: false,
      hunks: [],
    };
    p.files.push(file);
  };

  /** Apply a `--- x` / `+++ y` pair. With a `diff --git` file open they refine its paths. */
  const applyPaths = (minusLine: number, minusText: string, plusText: string) => {
    let oldP = cleanPath(minusText.slice(4), "a/");
    let newP = cleanPath(plusText.slice(4), "b/");
    // `diff -ruN old new`: the first components differ (old/x.c, new/x.c) and are not part of
    // the path, as with `patch -p1`. Equal first components (arch/..., arch/...) are kept.
    if (oldP && newP) {
      const so = oldP.indexOf("/");
      const sn = newP.indexOf("/");
      if (so > 0 && sn > 0 && oldP.slice(0, so) !== newP.slice(0, sn) && oldP.slice(so) === newP.slice(sn)) {
        oldP = oldP.slice(so + 1);
        newP = newP.slice(sn + 1);
      }
    }
    if (!file || file.hunks.length > 0 || state !== "fileHeader") startFile(minusLine, oldP, newP);
    else {
      file.oldPath = oldP;
      file.newPath = newP;
      file.path = newP ?? oldP ?? file.path;
    }
  };

  const startHunk = (line: number, m: RegExpExecArray) => {
    if (totalHunks >= L.maxHunks) {
      if (!capHunksHit) {
        capHunksHit = true;
        diag(line, "error", "too-many-hunks", `more than ${L.maxHunks} hunks; the rest are not reported`);
      }
      return false;
    }
    if (!file) {
      // A hunk with no file header: keep it under an unnamed file so its lines are still reported.
      diag(line, "warning", "hunk-without-file", "hunk header with no preceding file header");
      startFile(line, null, null);
      if (!file) return false;
    }
    const f = file as FileDiff;
    totalHunks++;
    const oldCount = m[2] === undefined ? 1 : Number(m[2]);
    const newCount = m[4] === undefined ? 1 : Number(m[4]);
    hunk = {
      line,
      endLine: line,
      oldStart: Number(m[1]),
      oldCount,
      newStart: Number(m[3]),
      newCount,
      funcContext: (m[5] ?? "").trim(),
      added: keepsLines ? [] : NO_LINES,
      removed: keepsLines ? [] : NO_LINES,
      addedCount: 0,
      removedCount: 0,
      identifiersAdded: NO_LINES,
      truncated: false,
      linesOmitted: false,
      code: NO_CODE,
    };
    bodyStart = bodyStop = pos;
    f.hunks.push(hunk);
    f.endLine = line;
    oldLeft = oldCount;
    newLeft = newCount;
    if (!Number.isSafeInteger(oldCount) || !Number.isSafeInteger(newCount) || oldCount > text.length || newCount > text.length) {
      diag(line, "error", "bad-hunk-header", "hunk header counts are larger than the document");
      oldLeft = newLeft = 0;
      hunk.truncated = true;
    }
    return true;
  };

  /** With maxRetainedLines 0 no hunk keeps a line: they all share one empty, frozen array. */
  const keepsLines = L.maxRetainedLines > 0;
  const keep = (): boolean => {
    if (retained < L.maxRetainedLines) {
      retained++;
      return true;
    }
    if (!retainWarned && L.maxRetainedLines > 0) {
      retainWarned = true;
      diag(
        lineNo,
        "warning",
        "lines-omitted",
        `more than ${L.maxRetainedLines} changed lines; later hunks keep counts and identifiers only`,
      );
    }
    if (hunk) hunk.linesOmitted = true;
    return false;
  };

  /**
   * Try to consume the line text[start, end) as a hunk body line. Returns false if it cannot
   * belong to the hunk. Most lines of a big series are hunk lines: this looks at the text in
   * place and slices only what it keeps (the parser's time and garbage were mostly line copies);
   * their code is read afterwards (readHunkCode).
   */
  const hunkLine = (start: number, end: number): boolean => {
    const h = hunk as Hunk;
    const c = start < end ? text.charCodeAt(start) : -1;
    if (c === 0x2b /* + */ && newLeft > 0) {
      newLeft--;
      h.addedCount++;
      if (keep()) h.added.push(text.slice(start + 1, end));
    } else if (c === 0x2d /* - */ && oldLeft > 0) {
      oldLeft--;
      h.removedCount++;
      if (keep()) h.removed.push(text.slice(start + 1, end));
    } else if ((c === 0x20 /* space */ || c === -1) && oldLeft > 0 && newLeft > 0) {
      // An empty line counts as an empty context line: mailers often strip the trailing space.
      oldLeft--;
      newLeft--;
    } else if (c === 0x5c /* \ */) {
      // `\ No newline at end of file`
    } else {
      return false;
    }
    h.endLine = lineNo;
    bodyStop = pos;
    return true;
  };

  // Main loop over lines. `pos` is the start of the current line.
  let pos = 0;
  const len = text.length;
  while (pos <= len) {
    let nl = text.indexOf("\n", pos);
    const atEnd = nl < 0;
    if (atEnd) nl = len;
    // A document ending in "\n" has no extra empty line after it.
    if (atEnd && pos === len && len > 0) break;
    const start = pos;
    const end = nl > pos && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
    pos = nl + 1;
    lineNo++;

    // Inside a hunk with lines remaining, hunk lines come first: `-- `, `From `, `diff` can all be
    // legitimate content there.
    if (state === "hunk") {
      if (hunkLine(start, end)) {
        if (oldLeft === 0 && newLeft === 0) {
          closeHunk(lineNo);
          state = "afterHunk";
        }
        continue;
      }
      closeHunk(lineNo - 1);
      state = "afterHunk";
    } else if (state === "afterHunk" && text.charCodeAt(start) === 0x5c && start < end) {
      // `\ No newline at end of file` right after the hunk's last line belongs to it.
      if (file?.hunks.length) {
        const h = file.hunks[file.hunks.length - 1];
        if (h.endLine === lineNo - 1) h.endLine = lineNo;
        file.endLine = Math.max(file.endLine, lineNo);
      }
      continue;
    }
    const line = text.slice(start, end);

    if (pendingMinus) {
      const pm = pendingMinus;
      pendingMinus = null;
      if (line.startsWith("+++ ")) {
        applyPaths(pm.line, pm.text, line);
        state = "fileHeader";
        continue;
      }
    }

    if (state === "binary") {
      // Base85 lines until a blank line; `literal`/`delta` headers start another block.
      if (line.length === 0 || /^(literal|delta) \d+$/.test(line) || /^[A-Za-z][0-9A-Za-z!#$%&()*+\-;<=>?@^_`{|}~]*$/.test(line)) {
        if (file) file.endLine = lineNo;
        continue;
      }
      state = "afterHunk";
    }

    // Mbox separator: always starts a new patch outside hunks.
    if (isMboxFrom(line)) {
      closeFile(lineNo - 1);
      finishMail();
      patch = newPatch(lineNo);
      if (patch) {
        const sha = line.slice(5, line.indexOf(" ", 5));
        if (/^[0-9a-f]{7,64}$/.test(sha)) patch.commit = sha;
      }
      finishHeader();
      state = "headers";
      if (patch) patch.endLine = lineNo;
      continue;
    }

    if (state === "skipMessage") continue;

    if (state === "headers") {
      if (line.length === 0) {
        state = "body";
        bodyFirst = true;
        finishHeader();
        if (mail.reply && patch) {
          // A review: it quotes hunks (`> @@ ...`) and may paste cut-short ones; none are the series'.
          dropPatch(patch);
          result.repliesSkipped++;
          state = "skipMessage";
        } else if (needsMimeDecoding()) {
          pos = decodeMail(pos);
          state = "top";
        }
      } else if ((line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09) && folded) {
        // RFC 5322 folding: continuation of the previous header.
        folded.parts.push(line.trim());
      } else {
        readHeader(line);
      }
      if (patch) patch.endLine = lineNo;
      continue;
    }

    // Blank lines mean nothing outside headers, hunks and binary blocks: skip them cheaply.
    if (line.length === 0 && !(state === "body" && bodyFirst)) continue;

    // `git format-patch` puts the real author in the first body line when the sender differs.
    if (state === "body" && bodyFirst) {
      if (line.length > 0) {
        bodyFirst = false;
        if (line.startsWith("From: ") && patch) {
          patch.author = decodeMimeWords(line.slice(6).trim());
          continue;
        }
      }
    }

    // Headers of a mail saved without its mbox separator, or of `git log -p` output.
    if (state === "top" || state === "body" || state === "afterHunk") {
      const commit = COMMIT_RE.exec(line);
      if (commit && state !== "body") {
        closeFile(lineNo - 1);
        patch = newPatch(lineNo);
        if (patch) patch.commit = commit[1];
        finishHeader();
        state = "headers";
        continue;
      }
      const mailStart = lineNo === 0 && state === "top" && MAIL_FIRST_HEADER_RE.test(line);
      if (mailStart || (/^(From|Subject|Date|Author): /.test(line) && (state === "top" || state === "afterHunk"))) {
        // A header after a complete diff starts the next patch of a plain concatenation.
        if (!patch || patch.files.length > 0) {
          closeFile(lineNo - 1);
          patch = newPatch(lineNo);
        }
        state = "headers";
        readHeader(line);
        continue;
      }
    }

    if (line.startsWith("diff --git ")) {
      const [a, b] = parseDiffGitPaths(line.slice(11));
      startFile(lineNo, a, b);
      state = "fileHeader";
      if (patch) patch.endLine = lineNo;
      continue;
    }
    if (line.startsWith("diff ") && state !== "body" && state !== "fileHeader") {
      // `diff -u old new` (no git): the paths come from the `---`/`+++` lines that follow.
      startFile(lineNo, null, null);
      state = "fileHeader";
      continue;
    }
    if (line.startsWith("--- ") && line !== "--- ") {
      pendingMinus = { line: lineNo, text: line };
      continue;
    }

    if (state === "fileHeader" && file) {
      const f = file as FileDiff;
      if (line.startsWith("GIT binary patch")) {
        f.binary = true;
        f.endLine = lineNo;
        state = "binary";
        continue;
      }
      if (line.startsWith("Binary files ") && line.endsWith(" differ")) {
        f.binary = true;
        f.endLine = lineNo;
        state = "afterHunk";
        continue;
      }
      if (
        /^(old mode|new mode|deleted file mode|new file mode|similarity index|dissimilarity index|index |rename from|rename to|copy from|copy to)/.test(
          line,
        )
      ) {
        if (line.startsWith("deleted file mode")) f.newPath = null;
        if (line.startsWith("new file mode")) f.oldPath = null;
        if (line.startsWith("rename from ")) f.oldPath = line.slice(12);
        if (line.startsWith("rename to ")) {
          f.newPath = line.slice(10);
          f.path = f.newPath;
        }
        f.endLine = lineNo;
        continue;
      }
    }

    if (line.startsWith("@@")) {
      if (state === "fileHeader" || state === "afterHunk") {
        const m = HUNK_RE.exec(line);
        if (m) {
          if (startHunk(lineNo, m)) {
            if (hunk && oldLeft === 0 && newLeft === 0) {
              closeHunk(lineNo);
              state = "afterHunk";
            } else state = hunk ? "hunk" : "afterHunk";
          } else state = "afterHunk";
          if (patch) patch.endLine = lineNo;
          continue;
        }
        diag(
          lineNo,
          "error",
          "bad-hunk-header",
          line.startsWith("@@@") ? "combined diff hunks (@@@) are not supported" : `hunk header does not parse: ${truncate(line, 80)}`,
        );
        continue;
      }
      if (state === "top") {
        const m = HUNK_RE.exec(line);
        if (m) {
          if (startHunk(lineNo, m)) state = oldLeft === 0 && newLeft === 0 ? (closeHunk(lineNo), "afterHunk") : "hunk";
          continue;
        }
      }
    }

    if (state === "afterHunk" && line.length > 0) {
      // Anything else ends the file: the mail signature (`-- `), prose between diffs, list
      // footers. Not an error. Blank lines keep the file open (mangled mails add them).
      state = "top";
      closeFile(lineNo - 1);
    }
    if (patch && state !== "top") patch.endLine = lineNo;
  }

  // End of document.
  finishHeader();
  closeFile(Math.max(0, lineNo));
  finishMail();
  const last = Math.max(0, lineNo);
  if (pendingMinus) {
    // A lone `--- x` at the end is not a file header; nothing to do.
  }
  closeFile(last);
  result.lineCount = lineNo + 1;
  for (const p of result.patches) {
    let end = p.endLine;
    for (const f of p.files) {
      if (f.endLine < f.line) f.endLine = f.line;
      for (const h of f.hunks) if (h.endLine > f.endLine) f.endLine = h.endLine;
      if (f.endLine > end) end = f.endLine;
    }
    p.endLine = Math.min(Math.max(end, p.line), last);
  }
  if (diagDropped > 0) {
    diags.push({ line: last, severity: "warning", code: "too-many-diagnostics", message: `${diagDropped} more diagnostic(s) not shown` });
  }
  return { result, bodies };

  function readHeader(line: string) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    finishHeader();
    const p = ensurePatch(lineNo);
    if (!p) return;
    if (name === "subject") {
      setSubject(p, decodeMimeWords(value));
      folded = { patch: p, name: "subject", parts: [value] };
    } else if (name === "from" || name === "author") {
      p.author = decodeMimeWords(value);
      folded = { patch: p, name: "from", parts: [value] };
    } else if (name === "date") {
      p.date = value;
    } else if (name === "message-id" || name === "content-type" || name === "content-transfer-encoding") {
      setMailHeader(p, name, value);
      folded = { patch: p, name, parts: [value] };
    }
    p.endLine = lineNo;
  }

  function setSubject(p: Patch, value: string) {
    const s = splitSubject(value);
    p.subject = s.subject;
    p.subjectPrefix = s.prefix;
    p.index = s.index;
    p.total = s.total;
    mail.reply = s.reply;
  }

  function setMailHeader(p: Patch, name: "message-id" | "content-type" | "content-transfer-encoding", value: string) {
    if (name === "content-type") mail.contentType = value;
    else if (name === "content-transfer-encoding") mail.encoding = value;
    else {
      const v = value.trim();
      p.messageId = v.startsWith("<") && v.endsWith(">") ? v.slice(1, -1) : v;
    }
  }

  function dropPatch(p: Patch) {
    const i = result.patches.lastIndexOf(p);
    if (i >= 0) result.patches.splice(i, 1);
    if (patch === p) patch = null;
  }

  /**
   * End of a mail. In a mailbox of archived mails (they carry a Message-ID) one mangled mail must
   * not cost the others: its broken diff is reported as a warning and its hunks are dropped.
   * A git format-patch file (no Message-ID) keeps the error, as a file the user made should be whole.
   */
  function finishMail() {
    const p = patch;
    if (!p?.messageId) return;
    let broken = false;
    for (let i = mail.diagStart; i < diags.length; i++) {
      const d = diags[i];
      if (d.severity !== "error" || (d.code !== "truncated-hunk" && d.code !== "bad-hunk-header")) continue;
      d.severity = "warning";
      d.code = "broken-message";
      d.message = escapeControls(`mail <${truncate(p.messageId, 200)}> skipped: ${d.message}`);
      broken = true;
    }
    if (!broken) return;
    for (const f of p.files) totalHunks -= f.hunks.length;
    dropPatch(p);
  }

  function needsMimeDecoding(): boolean {
    const enc = mail.encoding.trim().toLowerCase();
    return enc === "quoted-printable" || enc === "base64" || /^\s*multipart\//i.test(mail.contentType);
  }

  /**
   * Decode the body of the current mail (it starts at `from`, the line after the blank line) and
   * parse what it holds as part of this mail: its hunks are reported at the document lines their
   * encoded text is on. Returns the position of the next mail (or the end).
   */
  function decodeMail(from: number): number {
    let to = text.length;
    for (let i = text.indexOf("\nFrom ", from - 1); i >= 0; i = text.indexOf("\nFrom ", i + 1)) {
      const e = text.indexOf("\n", i + 1);
      if (isMboxFrom(text.slice(i + 1, e < 0 ? text.length : Math.min(e, i + 200)))) {
        to = i + 1;
        break;
      }
    }
    const body = text.slice(from, to);
    const lines = body.split("\n");
    if (lines.length && lines[lines.length - 1] === "") lines.pop();
    for (let k = 0; k < lines.length; k++) if (lines[k].endsWith("\r")) lines[k] = lines[k].slice(0, -1);
    const decoded = decodeBody(lines, lineNo + 1, mail.contentType, mail.encoding);
    for (const problem of decoded.problems) diag(lineNo, "warning", "mime", problem);
    const owner = patch;
    for (const part of decoded.parts) mergeNested(owner, part.text, part.lines);
    let nl = 0;
    for (let i = body.indexOf("\n"); i >= 0; i = body.indexOf("\n", i + 1)) nl++;
    lineNo += nl;
    if (owner) owner.endLine = Math.max(owner.endLine, lineNo);
    return to;
  }

  /** Parse decoded mail text and add what it holds to `owner`, with lines mapped to the document. */
  function mergeNested(owner: Patch | null, decoded: string, lines: number[]) {
    const at = (k: number) => lines[Math.min(Math.max(k, 0), lines.length - 1)] ?? lineNo;
    const { result: nested, bodies: nestedBodies } = parseStructure(
      decoded,
      {
        ...L,
        maxHunks: Math.max(0, L.maxHunks - totalHunks),
        maxFiles: Math.max(0, L.maxFiles - totalFiles),
        maxPatches: Math.max(1, L.maxPatches - result.patches.length),
        maxRetainedLines: keepsLines ? Math.max(1, L.maxRetainedLines - retained) : 0,
        maxDiagnostics: Math.max(0, L.maxDiagnostics - diags.length),
      },
      retain,
    );
    for (const d of nested.diagnostics) diag(at(d.line), d.severity, d.code, d.message);
    bodies.addAll(nestedBodies);
    nested.patches.forEach((np, i) => {
      for (const f of np.files) {
        f.line = at(f.line);
        f.endLine = at(f.endLine);
        totalFiles++;
        for (const h of f.hunks) {
          h.line = at(h.line);
          h.endLine = at(h.endLine);
          totalHunks++;
          retained += h.added.length + h.removed.length;
        }
      }
      if (i === 0 && owner) {
        owner.files.push(...np.files);
        if (np.author && !owner.author) owner.author = np.author;
      } else if (result.patches.length < L.maxPatches) {
        np.line = at(np.line);
        np.endLine = at(np.endLine);
        result.patches.push(np);
      }
    });
  }

  /** Ends the header being read: a folded Subject or From is unfolded, decoded and split once. */
  function finishHeader() {
    const f = folded;
    folded = null;
    if (!f || f.parts.length < 2) return; // one line: readHeader has set the field already
    const raw = f.parts.join(" ");
    // Encoded words may span folds (RFC 2047), so the unfolded value is decoded whole; one too
    // long for decodeMimeWords is decoded line by line instead.
    if (f.name !== "subject" && f.name !== "from") {
      setMailHeader(f.patch, f.name, raw);
      return;
    }
    const value = raw.length <= MAX_MIME_HEADER ? decodeMimeWords(raw) : f.parts.map(decodeMimeWords).join(" ");
    if (f.name === "from") {
      f.patch.author = value.trim();
      return;
    }
    setSubject(f.patch, value);
  }
}

/**
 * The code pass: each hunk's HunkCode and identifiersAdded, read from its lines as the structure
 * pass found them (every line in a body is a hunk line: `+`, `-`, context, empty or `\`).
 */
function readHunkCode(bodies: HunkBodies, maxIdentifiersPerHunk: number): void {
  // Identifiers seen in the document, each with the last hunk that listed it: one table for the
  // whole parse instead of a Set per hunk, and one copy of each name in every hunk that lists it
  // (a 50 MB series has 89 000 hunks; their identifiers were most of the parser's memory).
  const idTable = new Map<string, { id: string; hunk: number }>();
  const intern = (id: string): string => {
    const e = idTable.get(id);
    if (e) return e.id;
    idTable.set(id, { id, hunk: -1 });
    return id;
  };
  let serial = 0;
  let ids: string[] = [];
  /** Lists an identifier of an added line in the hunk's identifiersAdded (once, bounded). */
  const addIdentifier = (id: string) => {
    if (ids.length >= maxIdentifiersPerHunk) return;
    // One table lookup: listed in this hunk already, known from another hunk, or new.
    const e = idTable.get(id);
    if (e) {
      if (e.hunk === serial) return;
      e.hunk = serial;
      ids.push(e.id);
    } else {
      idTable.set(id, { id, hunk: serial });
      ids.push(id);
    }
  };
  for (let k = 0; k < bodies.hunks.length; k++) {
    const hunk = bodies.hunks[k];
    const text = bodies.texts[k];
    const stop = bodies.ranges[2 * k + 1];
    serial++;
    ids = hunk.identifiersAdded = [];
    const code = new HunkCodeBuilder(hunk.funcContext, intern);
    for (let pos = bodies.ranges[2 * k]; pos < stop; ) {
      let nl = text.indexOf("\n", pos);
      if (nl < 0) nl = text.length;
      const end = nl > pos && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
      const c = pos < end ? text.charCodeAt(pos) : -1;
      if (c === 0x2b /* + */) code.added(text.slice(pos + 1, end), addIdentifier);
      else if (c === 0x2d /* - */) code.removed(text.slice(pos + 1, end));
      else if (c === 0x20 /* space */ && code.wantsContext(text.charCodeAt(pos + 1))) code.context(text.slice(pos + 1, end));
      pos = nl + 1;
    }
    hunk.code = code.finish();
  }
}

type FoldedHeader = "subject" | "from" | "message-id" | "content-type" | "content-transfer-encoding";

/** The code of a hunk before its lines are read (replaced when the hunk closes). */
const NO_CODE: HunkCode = Object.freeze({
  defines: [],
  calls: [],
  members: [],
  removed: [],
  scope: null,
  includeLines: 0,
  codeLines: 0,
}) as HunkCode;

/** Headers a saved mail (.eml) starts with before its From: (mail servers prepend these). */
const MAIL_FIRST_HEADER_RE =
  /^(Return-Path|Received|Delivered-To|X-[A-Za-z0-9-]+|ARC-[A-Za-z-]+|DKIM-Signature|Authentication-Results|Message-I[Dd]|MIME-Version|Content-Type|To|Cc|In-Reply-To|References|Sender|Reply-To|List-Id): /;

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

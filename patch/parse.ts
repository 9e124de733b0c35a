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
 * This file is the line loop: which layer a line belongs to. The mail layer (mbox separators,
 * headers) is patch/mail.ts, the diff layer (files and hunks) patch/diff.ts, subjects
 * patch/subject.ts, MIME bodies patch/mime.ts, and the hunks' code is read afterwards by
 * patch/code.ts. The types are in patch/model.ts.
 *
 * All line numbers are 0-based lines of the document (LF or CRLF terminated; a lone CR is content,
 * as it is for git).
 */

import { escapeControls } from "../common/escape";
import { HunkBodies, readHunkCode } from "./code";
import { decodeMimeWords } from "./decode";
import { DiffReader, HUNK_RE, parseDiffGitPaths } from "./diff";
import { COMMIT_RE, isMboxFrom, MAIL_FIRST_HEADER_RE, MailHeaders, mailEnd, mboxCommit, truncate } from "./mail";
import { decodeBody } from "./mime";
import { DEFAULT_LIMITS, emptyPatch, POLL_LINES, type ParseLimits, type ParseResult, type Patch, type Severity } from "./model";

export { decodePatchBytes, decodeMimeWords, MAX_PATCH_BYTES, type DecodeResult } from "./decode";
export { collectIdentifiers, type IdentifierSet } from "./identifiers";
export type { HunkCode } from "./code";
export type { Scope } from "./scope";
export * from "./model";

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
  if (bodies) readHunkCode(bodies, L.maxIdentifiersPerHunk, L.poll);
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
 * The structure pass: everything but the hunks' code, and where each hunk's lines are. With
 * `retain` false a patch's files are dropped once the next patch starts (checkPatchText), and
 * no hunk's lines are recorded (bodies is null).
 */
function parseStructure(text: string, L: ParseLimits, retain: boolean): { result: ParseResult; bodies: HunkBodies | null } {
  const result: ParseResult = { patches: [], diagnostics: [], lineCount: 0, refused: null, repliesSkipped: 0 };
  const bodies = retain ? new HunkBodies() : null;
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
  let capPatchesHit = false;
  const mail = new MailHeaders();
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
    const p = emptyPatch(line);
    result.patches.push(p);
    mail.start(diags.length);
    return p;
  };

  const ensurePatch = (line: number): Patch | null => {
    if (!patch && !capPatchesHit) patch = newPatch(line);
    return patch;
  };

  const diff = new DiffReader(text, L, { diag, ensurePatch }, bodies);

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
    if (L.poll && lineNo % POLL_LINES === 0) L.poll();

    // Inside a hunk with lines remaining, hunk lines come first: `-- `, `From `, `diff` can all be
    // legitimate content there.
    if (state === "hunk") {
      if (diff.hunkLine(start, end, lineNo, pos)) {
        if (diff.hunkComplete) {
          diff.closeHunk(lineNo);
          state = "afterHunk";
        }
        continue;
      }
      diff.closeHunk(lineNo - 1);
      state = "afterHunk";
    } else if (state === "afterHunk" && text.charCodeAt(start) === 0x5c && start < end) {
      diff.noNewlineAfterHunk(lineNo);
      continue;
    }
    const line = text.slice(start, end);

    if (pendingMinus) {
      const pm = pendingMinus;
      pendingMinus = null;
      if (line.startsWith("+++ ")) {
        diff.applyPaths(pm.line, pm.text, line, state === "fileHeader");
        state = "fileHeader";
        continue;
      }
    }

    if (state === "binary") {
      // Base85 lines until a blank line; `literal`/`delta` headers start another block.
      if (line.length === 0 || /^(literal|delta) \d+$/.test(line) || /^[A-Za-z][0-9A-Za-z!#$%&()*+\-;<=>?@^_`{|}~]*$/.test(line)) {
        if (diff.file) diff.file.endLine = lineNo;
        continue;
      }
      state = "afterHunk";
    }

    // Mbox separator: always starts a new patch outside hunks.
    if (isMboxFrom(line)) {
      diff.closeFile(lineNo - 1);
      finishMail();
      patch = newPatch(lineNo);
      if (patch) patch.commit = mboxCommit(line);
      mail.finish();
      state = "headers";
      if (patch) patch.endLine = lineNo;
      continue;
    }

    if (state === "skipMessage") continue;

    if (state === "headers") {
      if (line.length === 0) {
        state = "body";
        bodyFirst = true;
        mail.finish();
        if (mail.reply && patch) {
          // A review: it quotes hunks (`> @@ ...`) and may paste cut-short ones; none are the series'.
          dropPatch(patch);
          result.repliesSkipped++;
          state = "skipMessage";
        } else if (mail.needsDecoding()) {
          pos = decodeMail(pos);
          state = "top";
        }
      } else if (!((line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09) && mail.fold(line))) {
        // Not an RFC 5322 folded continuation of the previous header: a header of its own.
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
      const commit = COMMIT_RE.exec(line)?.[1];
      if (commit !== undefined && state !== "body") {
        diff.closeFile(lineNo - 1);
        patch = newPatch(lineNo);
        if (patch) patch.commit = commit;
        mail.finish();
        state = "headers";
        continue;
      }
      const mailStart = lineNo === 0 && state === "top" && MAIL_FIRST_HEADER_RE.test(line);
      if (mailStart || (/^(From|Subject|Date|Author): /.test(line) && (state === "top" || state === "afterHunk"))) {
        // A header after a complete diff starts the next patch of a plain concatenation.
        if (!patch || patch.files.length > 0) {
          diff.closeFile(lineNo - 1);
          patch = newPatch(lineNo);
        }
        state = "headers";
        readHeader(line);
        continue;
      }
    }

    if (line.startsWith("diff --git ")) {
      const [a, b] = parseDiffGitPaths(line.slice(11));
      diff.startFile(lineNo, a, b);
      state = "fileHeader";
      if (patch) patch.endLine = lineNo;
      continue;
    }
    if (line.startsWith("diff ") && state !== "body" && state !== "fileHeader") {
      // `diff -u old new` (no git): the paths come from the `---`/`+++` lines that follow.
      diff.startFile(lineNo, null, null);
      state = "fileHeader";
      continue;
    }
    if (line.startsWith("--- ") && line !== "--- ") {
      pendingMinus = { line: lineNo, text: line };
      continue;
    }

    if (state === "fileHeader") {
      const kind = diff.fileHeaderLine(line, lineNo);
      if (kind !== null) {
        if (kind === "binary") state = "binary";
        else if (kind === "binaryDone") state = "afterHunk";
        continue;
      }
    }

    if (line.startsWith("@@")) {
      if (state === "fileHeader" || state === "afterHunk") {
        const m = HUNK_RE.exec(line);
        if (m) {
          if (diff.startHunk(lineNo, m, pos)) {
            if (diff.hunk && diff.hunkComplete) {
              diff.closeHunk(lineNo);
              state = "afterHunk";
            } else state = diff.hunk ? "hunk" : "afterHunk";
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
          if (diff.startHunk(lineNo, m, pos)) state = diff.hunkComplete ? (diff.closeHunk(lineNo), "afterHunk") : "hunk";
          continue;
        }
      }
    }

    if (state === "afterHunk" && line.length > 0) {
      // Anything else ends the file: the mail signature (`-- `), prose between diffs, list
      // footers. Not an error. Blank lines keep the file open (mangled mails add them).
      state = "top";
      diff.closeFile(lineNo - 1);
    }
    if (patch && state !== "top") patch.endLine = lineNo;
  }

  // End of document. (A lone `--- x` left pending at the end is not a file header.)
  mail.finish();
  diff.closeFile(Math.max(0, lineNo));
  finishMail();
  const last = Math.max(0, lineNo);
  diff.closeFile(last);
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
    mail.finish();
    const p = ensurePatch(lineNo);
    if (!p) return;
    mail.read(line, p);
    p.endLine = lineNo;
  }

  function dropPatch(p: Patch) {
    const i = result.patches.lastIndexOf(p);
    if (i >= 0) result.patches.splice(i, 1);
    if (patch === p) patch = null;
  }

  /** End of a mail: a broken archived mail is dropped with its hunks (MailHeaders.broken). */
  function finishMail() {
    const p = patch;
    if (!p || !mail.broken(p, diags)) return;
    for (const f of p.files) diff.totalHunks -= f.hunks.length;
    dropPatch(p);
  }

  /**
   * Decode the body of the current mail (it starts at `from`, the line after the blank line) and
   * parse what it holds as part of this mail: its hunks are reported at the document lines their
   * encoded text is on. Returns the position of the next mail (or the end).
   */
  function decodeMail(from: number): number {
    const to = mailEnd(text, from);
    const body = text.slice(from, to);
    const lines = body.split("\n");
    if (lines.length && lines[lines.length - 1] === "") lines.pop();
    for (let k = 0; k < lines.length; k++) {
      const l = lines[k]!;
      if (l.endsWith("\r")) lines[k] = l.slice(0, -1);
    }
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
        maxHunks: Math.max(0, L.maxHunks - diff.totalHunks),
        maxFiles: Math.max(0, L.maxFiles - diff.totalFiles),
        maxPatches: Math.max(1, L.maxPatches - result.patches.length),
        maxRetainedLines: diff.keepsLines ? Math.max(1, L.maxRetainedLines - diff.retained) : 0,
        maxDiagnostics: Math.max(0, L.maxDiagnostics - diags.length),
      },
      retain,
    );
    for (const d of nested.diagnostics) diag(at(d.line), d.severity, d.code, d.message);
    if (bodies && nestedBodies) bodies.addAll(nestedBodies);
    nested.patches.forEach((np, i) => {
      for (const f of np.files) {
        f.line = at(f.line);
        f.endLine = at(f.endLine);
        diff.totalFiles++;
        for (const h of f.hunks) {
          h.line = at(h.line);
          h.endLine = at(h.endLine);
          diff.totalHunks++;
          diff.retained += h.added.length + h.removed.length;
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
}

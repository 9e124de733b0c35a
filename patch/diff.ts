/**
 * The diff layer of the patch parser: file sections (`diff --git`, `---`/`+++`, mode and rename
 * lines, binary markers) and hunks (`@@` headers and their lines), built into FileDiff and Hunk
 * objects under the parse's caps. patch/parse.ts feeds it the lines that are diff lines; the
 * mail layer (patch/mail.ts) and the order of the checks stay there.
 *
 * Pure TypeScript, no Node or VS Code imports. Lines are 0-based lines of the document.
 */
import { type HunkBodies, NO_CODE } from "./code";
import type { FileDiff, Hunk, ParseLimits, Patch, Severity } from "./model";

export const HUNK_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;

/** Extended header lines of a `diff --git` section. */
const GIT_HEADER_RE =
  /^(old mode|new mode|deleted file mode|new file mode|similarity index|dissimilarity index|index |rename from|rename to|copy from|copy to)/;

/**
 * The `added` and `removed` of every hunk when no line text is kept (see ParseLimits), and the
 * identifiersAdded of a hunk until its code is read: one shared, frozen empty array.
 */
export const NO_LINES: string[] = Object.freeze([]) as unknown as string[];

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
export function parseDiffGitPaths(rest: string): [string | null, string | null] {
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

/** What the diff layer needs from the parse: the diagnostics, and the patch files go into. */
export interface DiffSink {
  diag(line: number, severity: Severity, code: string, message: string): void;
  /** The current patch, started at `line` when there is none; null past the patch cap. */
  ensurePatch(line: number): Patch | null;
}

/** The open file and hunk of a parse, the counts the caps check, and where each hunk's lines are. */
export class DiffReader {
  file: FileDiff | null = null;
  hunk: Hunk | null = null;
  /** Old and new lines the open hunk's header still expects. */
  oldLeft = 0;
  newLeft = 0;
  totalHunks = 0;
  totalFiles = 0;
  /** Changed lines whose text is kept, against maxRetainedLines. */
  retained = 0;
  /** With maxRetainedLines 0 no hunk keeps a line: they all share one empty, frozen array. */
  readonly keepsLines: boolean;
  // The open hunk's lines: text[bodyStart, bodyStop).
  private bodyStart = 0;
  private bodyStop = 0;
  private capHunksHit = false;
  private capFilesHit = false;
  private retainWarned = false;

  constructor(
    private readonly text: string,
    private readonly L: ParseLimits,
    private readonly sink: DiffSink,
    /** Where each closed hunk's lines are recorded for the code pass; null: not recorded. */
    readonly bodies: HunkBodies | null,
  ) {
    this.keepsLines = L.maxRetainedLines > 0;
  }

  /** The open hunk has all the lines its header announced. */
  get hunkComplete(): boolean {
    return this.oldLeft === 0 && this.newLeft === 0;
  }

  closeHunk(lastLine: number): void {
    const hunk = this.hunk;
    if (!hunk) return;
    if (this.oldLeft > 0 || this.newLeft > 0) {
      hunk.truncated = true;
      this.sink.diag(
        hunk.line,
        "error",
        "truncated-hunk",
        `truncated hunk: header says -${hunk.oldStart},${hunk.oldCount} +${hunk.newStart},${hunk.newCount} ` +
          `but ${this.oldLeft} old and ${this.newLeft} new line(s) are missing`,
      );
    }
    hunk.endLine = Math.max(hunk.line, lastLine);
    if (this.file) this.file.endLine = Math.max(this.file.endLine, hunk.endLine);
    if (this.bodies && this.bodyStop > this.bodyStart) this.bodies.add(hunk, this.text, this.bodyStart, this.bodyStop, this.file?.path);
    this.hunk = null;
    this.oldLeft = this.newLeft = 0;
  }

  closeFile(lastLine: number): void {
    this.closeHunk(lastLine);
    this.file = null;
  }

  startFile(line: number, oldPath: string | null, newPath: string | null): void {
    this.closeFile(line - 1);
    const p = this.sink.ensurePatch(line);
    if (!p) return;
    if (this.totalFiles >= this.L.maxFiles) {
      if (!this.capFilesHit) {
        this.capFilesHit = true;
        this.sink.diag(line, "error", "too-many-files", `more than ${this.L.maxFiles} files; the rest are not reported`);
      }
      return;
    }
    this.totalFiles++;
    this.file = { oldPath, newPath, path: newPath ?? oldPath ?? "", line, endLine: line, binary: false, hunks: [] };
    p.files.push(this.file);
  }

  /**
   * Apply a `--- x` / `+++ y` pair. With a `diff --git` file open and no hunk yet (`inHeader`)
   * they refine its paths; otherwise they start a file.
   */
  applyPaths(minusLine: number, minusText: string, plusText: string, inHeader: boolean): void {
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
    const file = this.file;
    if (!file || file.hunks.length > 0 || !inHeader) this.startFile(minusLine, oldP, newP);
    else {
      file.oldPath = oldP;
      file.newPath = newP;
      file.path = newP ?? oldP ?? file.path;
    }
  }

  /**
   * A line of an open `diff --git` section before its hunks: `binary` for `GIT binary patch` (a
   * base85 block follows), `binaryDone` for `Binary files ... differ`, `header` for a mode,
   * index, rename or copy line, null for anything else.
   */
  fileHeaderLine(line: string, lineNo: number): "binary" | "binaryDone" | "header" | null {
    const f = this.file;
    if (!f) return null;
    if (line.startsWith("GIT binary patch")) {
      f.binary = true;
      f.endLine = lineNo;
      return "binary";
    }
    if (line.startsWith("Binary files ") && line.endsWith(" differ")) {
      f.binary = true;
      f.endLine = lineNo;
      return "binaryDone";
    }
    if (!GIT_HEADER_RE.test(line)) return null;
    if (line.startsWith("deleted file mode")) f.newPath = null;
    if (line.startsWith("new file mode")) f.oldPath = null;
    if (line.startsWith("rename from ")) f.oldPath = line.slice(12);
    if (line.startsWith("rename to ")) {
      f.newPath = line.slice(10);
      f.path = f.newPath;
    }
    f.endLine = lineNo;
    return "header";
  }

  /**
   * Open a hunk at `line` from its header's match; its lines start at text offset `bodyFrom`.
   * false when the hunk cap is reached (the hunk is skipped) or no file can be opened for it.
   */
  startHunk(line: number, m: RegExpExecArray, bodyFrom: number): boolean {
    const L = this.L;
    if (this.totalHunks >= L.maxHunks) {
      if (!this.capHunksHit) {
        this.capHunksHit = true;
        this.sink.diag(line, "error", "too-many-hunks", `more than ${L.maxHunks} hunks; the rest are not reported`);
      }
      return false;
    }
    if (!this.file) {
      // A hunk with no file header: keep it under an unnamed file so its lines are still reported.
      this.sink.diag(line, "warning", "hunk-without-file", "hunk header with no preceding file header");
      this.startFile(line, null, null);
      if (!this.file) return false;
    }
    const f = this.file as FileDiff;
    this.totalHunks++;
    const oldCount = m[2] === undefined ? 1 : Number(m[2]);
    const newCount = m[4] === undefined ? 1 : Number(m[4]);
    const hunk: Hunk = {
      line,
      endLine: line,
      oldStart: Number(m[1]),
      oldCount,
      newStart: Number(m[3]),
      newCount,
      funcContext: (m[5] ?? "").trim(),
      added: this.keepsLines ? [] : NO_LINES,
      removed: this.keepsLines ? [] : NO_LINES,
      addedCount: 0,
      removedCount: 0,
      identifiersAdded: NO_LINES,
      truncated: false,
      linesOmitted: false,
      code: NO_CODE,
    };
    this.hunk = hunk;
    this.bodyStart = this.bodyStop = bodyFrom;
    f.hunks.push(hunk);
    f.endLine = line;
    this.oldLeft = oldCount;
    this.newLeft = newCount;
    const len = this.text.length;
    if (!Number.isSafeInteger(oldCount) || !Number.isSafeInteger(newCount) || oldCount > len || newCount > len) {
      this.sink.diag(line, "error", "bad-hunk-header", "hunk header counts are larger than the document");
      this.oldLeft = this.newLeft = 0;
      hunk.truncated = true;
    }
    return true;
  }

  /**
   * Try to consume the line text[start, end) (line `lineNo`, the next starting at `next`) as a
   * line of the open hunk. Returns false if it cannot belong to the hunk. Most lines of a big
   * series are hunk lines: this looks at the text in place and slices only what it keeps (the
   * parser's time and garbage were mostly line copies); their code is read afterwards
   * (readHunkCode).
   */
  hunkLine(start: number, end: number, lineNo: number, next: number): boolean {
    const h = this.hunk as Hunk;
    const text = this.text;
    const c = start < end ? text.charCodeAt(start) : -1;
    if (c === 0x2b /* + */ && this.newLeft > 0) {
      this.newLeft--;
      h.addedCount++;
      if (this.keep(lineNo)) h.added.push(text.slice(start + 1, end));
    } else if (c === 0x2d /* - */ && this.oldLeft > 0) {
      this.oldLeft--;
      h.removedCount++;
      if (this.keep(lineNo)) h.removed.push(text.slice(start + 1, end));
    } else if ((c === 0x20 /* space */ || c === -1) && this.oldLeft > 0 && this.newLeft > 0) {
      // An empty line counts as an empty context line: mailers often strip the trailing space.
      this.oldLeft--;
      this.newLeft--;
    } else if (c === 0x5c /* \ */) {
      // `\ No newline at end of file`
    } else {
      return false;
    }
    h.endLine = lineNo;
    this.bodyStop = next;
    return true;
  }

  /** `\ No newline at end of file` right after the last hunk's last line belongs to that hunk. */
  noNewlineAfterHunk(lineNo: number): void {
    const file = this.file;
    const h = file?.hunks[file.hunks.length - 1];
    if (!file || !h) return;
    if (h.endLine === lineNo - 1) h.endLine = lineNo;
    file.endLine = Math.max(file.endLine, lineNo);
  }

  /** Whether a changed line's text is kept (maxRetainedLines); says so once when it no longer is. */
  private keep(lineNo: number): boolean {
    const L = this.L;
    if (this.retained < L.maxRetainedLines) {
      this.retained++;
      return true;
    }
    if (!this.retainWarned && L.maxRetainedLines > 0) {
      this.retainWarned = true;
      this.sink.diag(
        lineNo,
        "warning",
        "lines-omitted",
        `more than ${L.maxRetainedLines} changed lines; later hunks keep counts and identifiers only`,
      );
    }
    if (this.hunk) this.hunk.linesOmitted = true;
    return false;
  }
}

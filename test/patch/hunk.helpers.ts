/** A hunk built by hand from the code facts a test needs (patch/code.ts reads them from lines). */
import type { Hunk } from "../../patch/parse";
import { NO_CODE, type HunkCode } from "../../patch/code";

export function hunk(c: Partial<HunkCode> & { ids?: string[] } = {}): Hunk {
  const { ids = [], ...code } = c;
  return {
    line: 0,
    endLine: 0,
    oldStart: 1,
    oldCount: 1,
    newStart: 1,
    newCount: 1,
    funcContext: "",
    added: [],
    removed: [],
    addedCount: 0,
    removedCount: 0,
    identifiersAdded: ids,
    truncated: false,
    linesOmitted: false,
    // A hunk with one line of code unless the test says otherwise.
    code: { ...NO_CODE, codeLines: 1, ...code },
  };
}

/**
 * Showing input text inside a one-line message.
 *
 * Messages that quote the user's file (an unknown key, a hunk header) end up on a terminal (the
 * CLI's stderr) and in the editor's Problems view. Control characters copied from the file would
 * act there: a lone CR rewrites the terminal line, ESC starts an escape sequence (clear the
 * screen, set the window title), U+2028 breaks the line in an editor, and bidi overrides reorder
 * what is shown. Each one is written as an escape instead (`\x1b`, `\r`, `\u202e`).
 *
 * No imports: the scenario loader, the patch parser and the CLI share this file, in Node, in the
 * extension host and in the webview.
 */

/**
 * C0 controls but tab, DEL, C1 controls (U+0080-U+009F; CSI is U+009B), line and paragraph
 * separators, and the bidi marks, embeddings, overrides and isolates.
 */
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\u000b": "\\v", "\f": "\\f", "\b": "\\b" };

/** `s` with every character in UNSAFE written as an escape; other text (tab included) unchanged. */
export function escapeControls(s: string): string {
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(s)) return s;
  return s.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

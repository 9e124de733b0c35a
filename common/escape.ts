/**
 * Escaping, one home for every layer: input text shown in a one-line message (terminal, Problems
 * view), in markup the webview writes as text (SVG export), in a file name, and in a VS Code
 * notification (which renders Markdown and command links).
 *
 * Showing input text inside a one-line message.
 *
 * Messages that quote the user's file (an unknown key, a hunk header) end up on a terminal (the
 * CLI's stderr) and in the editor's Problems view. Control characters copied from the file would
 * act there: a lone CR rewrites the terminal line, ESC starts an escape sequence (clear the
 * screen, set the window title), U+2028 breaks the line in an editor, and bidi overrides reorder
 * what is shown. Each one is written as an escape instead (`\x1b`, `\r`, `\u202e`).
 *
 * No imports: the scenario loader, the patch parser, the CLI, the extension host and the webview
 * share this file, in Node, in a web worker and in a browser.
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

/**
 * JSON text with the characters JSON.stringify leaves raw written as `\u` escapes: the C1
 * controls, DEL, the line and paragraph separators and the bidi controls (it escapes the C0
 * controls itself). Any JSON reader reads them back. Per character, so it applies to the text
 * chunk by chunk (cli/args.ts writes big results in chunks).
 */
export function escapeJsonText(text: string): string {
  return text.replace(
    /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Markup the webview produces as text (SVG export) and file names built from untrusted text. The
// live DOM is always built with createElement/textContent (webview/dom.ts), never from strings.

const XML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/** Escape text for an XML/HTML text node or a double- or single-quoted attribute value. */
export function escapeXml(s: string): string {
  // Control characters other than tab/newline are not allowed in XML 1.0: drop them.
  return String(s)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "")
    .replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

/**
 * A file name the host accepts (protocol.ts: /^[A-Za-z0-9_.-]{1,100}$/) built from untrusted text
 * such as a scenario name: everything else becomes "_", leading dots are removed so the name is
 * never hidden or a path component like "..".
 */
export function safeFileName(base: string, ext: string): string {
  const cleanExt = ext.replace(/[^A-Za-z0-9]/g, "").slice(0, 8) || "txt";
  let stem = String(base)
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9_.-]+/g, "_")
    .replace(/^[.]+/, "")
    .replace(/_{2,}/g, "_");
  if (!stem || /^[._-]*$/.test(stem)) stem = "results";
  const max = 100 - cleanExt.length - 1;
  stem = stem.slice(0, max).replace(/[.]+$/, "") || "results";
  return `${stem}.${cleanExt}`;
}

/**
 * Text for a Markdown surface (a hover's MarkdownString): every CommonMark punctuation character
 * gets a backslash, so text quoted from a user's file (a YAML key) cannot form a link, an image or
 * any other markup; control characters are written as escapes.
 */
export function escapeMarkdown(s: string): string {
  return escapeControls(String(s)).replace(/[\\`*_{}[\]()<>#+\-.!|~&:]/g, (c) => `\\${c}`);
}

/**
 * Text for a VS Code notification (showErrorMessage and friends). A notification renders no
 * Markdown except links: `[label](https://…)`, `[label](command:id?args)` and `[label](file:…)`
 * become links, and a command link runs the command when clicked. Text quoted from a user's file
 * (a YAML key, a hunk-map rule) must not form one, so a backslash goes between every `]` and the
 * `(` after it (the notification shows it as typed: nothing is lost), and control characters are
 * written as escapes.
 */
export function escapeNotification(s: string): string {
  return escapeControls(String(s)).replace(/\]\s*\(/g, (m) => `${m.slice(0, -1)}\\(`);
}

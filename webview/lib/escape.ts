/**
 * Escaping for the few places where the webview produces markup as text (SVG export, file names).
 * The live DOM is always built with createElement/textContent (see ../dom.ts), never from strings.
 */

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

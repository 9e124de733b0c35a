/**
 * The results panel's HTML and Content-Security-Policy, as pure functions (unit-tested without
 * VS Code). CSP: nothing by default; scripts only with this load's nonce; style sheets only from
 * the extension's webview folder or with the nonce (Monaco adds <style> elements at run time; the
 * webview stamps them with the nonce); inline style *attributes* are allowed (Monaco and VS Code
 * Elements position things with them; they cannot run code); fonts from the webview folder;
 * images from it or data: (exported charts); workers only from blob: URLs (Monaco's workers are
 * fetched from the webview folder, hence connect-src, and started from a blob, as VS Code's
 * webview guide prescribes). No 'unsafe-eval', no inline script, nothing remote.
 * The same policy is what webview/dev/serve.mjs tests the UI under.
 */
export interface PanelHtmlInput {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  /** Webview URIs of the UI bundle and of its folder. */
  scriptUri: string;
  styleUri: string;
  baseUri: string;
  title: string;
}

export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    "worker-src blob:",
    `connect-src ${cspSource}`,
  ].join("; ");
}

const attr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function panelHtmlString(i: PanelHtmlInput): string {
  const base = i.baseUri.endsWith("/") ? i.baseUri : `${i.baseUri}/`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(panelCsp(i.cspSource, i.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="pvsched-base" content="${attr(base)}">
<meta name="pvsched-nonce" content="${attr(i.nonce)}">
<link rel="stylesheet" href="${attr(i.styleUri)}">
<title>${attr(i.title)}</title>
</head>
<body data-base="${attr(base)}">
<script nonce="${attr(i.nonce)}" src="${attr(i.scriptUri)}"></script>
</body>
</html>`;
}

export function makeNonce(): string {
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

// Dev harness server: the page on one 127.0.0.1 port and dist/webview on another, so the bundle
// loads cross-origin under the same CSP the extension host sets (see webview/README.md), as it
// does in VS Code, where resources come from a vscode-resource origin. No dependencies.
//   npx tsx webview/dev/serve.mjs       -> prints the page URL (?theme=dark|light|hc)
// (through tsx, because it imports the extension's TypeScript panel policy)
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { THEMES } from "./themes.mjs";
import { panelCsp } from "../../extension/panel-html.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const dist = join(root, "dist/webview");
const TYPES = { ".js": "text/javascript", ".css": "text/css", ".ttf": "font/ttf", ".json": "application/json", ".txt": "text/plain" };

/** The panel HTML, exactly as the extension host must build it (with cspSource = resource origin). */
export function panelHtml({ cspSource, base, nonce, theme = "dark", csp }) {
  const t = THEMES[theme] ?? THEMES.dark;
  const vars = Object.entries(t.vars)
    .map(([k, v]) => `${k}:${v}`)
    .join(";");
  // The extension's own policy, not a copy: the harness tests exactly what the panel ships.
  const policy = csp ?? panelCsp(cspSource, nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${base}main.css">
<style nonce="${nonce}">:root{${vars}}</style>
<title>PV Sched results</title>
</head>
<body class="${t.bodyClass}" data-base="${base}">
<script nonce="${nonce}" src="${base}main.js"></script>
</body>
</html>`;
}

/** @param {{ csp?: string, cspFor?: (origin: string) => string }} [o] */
export async function startServers({ csp, cspFor } = {}) {
  const res = createServer(async (req, rsp) => {
    const p = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^([/\\])+/, "");
    const file = join(dist, p);
    if (!file.startsWith(dist)) return rsp.writeHead(403).end();
    try {
      const body = await readFile(file);
      // VS Code's resource server answers cross-origin fetches too (the worker scripts are fetched).
      rsp
        .writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "access-control-allow-origin": "*" })
        .end(body);
    } catch {
      rsp.writeHead(404).end();
    }
  });
  await new Promise((r) => res.listen(0, "127.0.0.1", () => r(undefined)));
  const resOrigin = `http://127.0.0.1:${/** @type {import("node:net").AddressInfo} */ (res.address()).port}`;
  const page = createServer((req, rsp) => {
    const u = new URL(req.url ?? "/", "http://x");
    if (u.pathname !== "/") return rsp.writeHead(404).end();
    const nonce = randomBytes(16).toString("base64url");
    rsp.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(
      panelHtml({
        cspSource: resOrigin,
        base: resOrigin + "/",
        nonce,
        theme: u.searchParams.get("theme") ?? "dark",
        csp: cspFor ? cspFor(resOrigin).replaceAll("NONCE", nonce) : csp,
      }),
    );
  });
  await new Promise((r) => page.listen(0, "127.0.0.1", () => r(undefined)));
  const pageUrl = `http://127.0.0.1:${/** @type {import("node:net").AddressInfo} */ (page.address()).port}/`;
  return {
    pageUrl,
    resOrigin,
    close: () => {
      page.close();
      res.close();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = await startServers();
  console.log(`page: ${s.pageUrl}?theme=dark   resources: ${s.resOrigin}`);
}

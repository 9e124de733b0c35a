/** The results panel's HTML and CSP (extension/panel-html.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { makeNonce, panelCsp, panelHtmlString } from "../../extension/panel-html";

const src = "https://abc.vscode-cdn.net";

test("the CSP denies by default, needs the nonce for scripts, and never allows eval or inline script", () => {
  const csp = panelCsp(src, "n0nce");
  const directives = new Map(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k, v]),
  );
  assert.deepEqual(directives.get("default-src"), ["'none'"]);
  assert.deepEqual(directives.get("script-src"), ["'nonce-n0nce'"]);
  assert.ok(!csp.includes("unsafe-eval"));
  assert.ok(!/script-src[^;]*unsafe-inline/.test(csp));
  for (const [k, v] of directives) {
    for (const s of v) {
      // Nothing remote: only the webview's own resource origin, data:/blob:, keywords and the nonce.
      assert.ok(s === src || s === "data:" || s === "blob:" || /^'[a-z-]+'$/.test(s) || s === "'nonce-n0nce'", `${k} allows ${s}`);
    }
  }
});

test("the HTML loads exactly one script, with the nonce, from the webview folder", () => {
  const nonce = makeNonce();
  assert.match(nonce, /^[0-9a-f]{36}$/);
  assert.notEqual(nonce, makeNonce());
  const html = panelHtmlString({
    cspSource: src,
    nonce,
    scriptUri: `${src}/dist/webview/main.js`,
    styleUri: `${src}/dist/webview/main.css`,
    baseUri: `${src}/dist/webview`,
    title: "PV Sched Results",
  });
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  assert.equal(scripts.length, 1);
  assert.ok(scripts[0].includes(`nonce="${nonce}"`) && scripts[0].includes("/dist/webview/main.js"));
  assert.match(html, /<title>PV Sched Results<\/title>/);
  assert.match(html, new RegExp(`data-base="${src}/dist/webview/"`));
  assert.ok(!/\son[a-z]+=/.test(html), "no inline event handlers");
});

test("attribute values are escaped", () => {
  const html = panelHtmlString({
    cspSource: src,
    nonce: "x",
    scriptUri: 'a"><script>alert(1)</script>',
    styleUri: "s",
    baseUri: "b",
    title: "<t>",
  });
  assert.ok(!html.includes("<script>alert(1)"));
  assert.ok(html.includes("&lt;t&gt;"));
});

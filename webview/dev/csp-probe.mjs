// Which CSP does the panel need? Loads the scenario tab (Monaco + monaco-yaml) under a given
// policy and counts violations by directive.   npx tsx webview/dev/csp-probe.mjs strict|nonce|attr
import { chromium } from "playwright-core";
import { startServers } from "./serve.mjs";
const mode = process.argv[2] ?? "strict";
const policies = {
  // The brief's minimum: style-src cspSource only.
  strict: (r) =>
    `default-src 'none'; img-src ${r} data:; font-src ${r}; style-src ${r}; script-src 'nonce-NONCE'; worker-src blob:; connect-src ${r}`,
  // Style elements allowed by nonce, attributes not.
  nonce: (r) =>
    `default-src 'none'; img-src ${r} data:; font-src ${r}; style-src ${r} 'nonce-NONCE'; script-src 'nonce-NONCE'; worker-src blob:; connect-src ${r}`,
  // What webview/README.md asks for.
  attr: (r) =>
    `default-src 'none'; img-src ${r} data:; font-src ${r}; style-src ${r} 'nonce-NONCE'; style-src-attr 'unsafe-inline'; script-src 'nonce-NONCE'; worker-src blob:; connect-src ${r}`,
};
// serve.mjs builds the policy per request; NONCE is replaced there by the page's nonce.
const srv = await startServers({ cspFor: policies[mode] });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage();
await page.addInitScript(() => {
  window.__csp = [];
  document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective));
});
await page.goto(srv.pageUrl);
await page.waitForFunction(() => (window.__posted ?? []).length > 0);
await page.evaluate(() =>
  window.postMessage(
    { type: "results", payload: { title: "t", source: { kind: "scenario" }, runs: [], scenarioText: "name: x\nseed: 1\n" } },
    "*",
  ),
);
if (!process.argv[3]) await page.click('vscode-tab-header[data-tab="scenario"]');
else {
  await page.click('vscode-tab-header[data-tab="' + process.argv[3] + '"]');
}
const ok = await page.waitForSelector(".monaco-editor .view-lines", { timeout: 15000 }).then(
  () => true,
  () => false,
);
await page.waitForTimeout(1500);
const lineTops = await page.$$eval(".monaco-editor .view-line", (ls) => ls.map((l) => l.getBoundingClientRect().top));
const v = await page.evaluate(() => window.__csp);
const counts = {};
for (const d of v) counts[d] = (counts[d] ?? 0) + 1;
console.log(
  mode,
  "editor:",
  ok,
  "distinct line tops:",
  new Set(lineTops).size,
  "of",
  lineTops.length,
  "violations:",
  JSON.stringify(counts),
);
await browser.close();
srv.close();

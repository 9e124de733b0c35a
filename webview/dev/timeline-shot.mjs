// Screenshot of the Timeline tab at a chosen window, on the payload timeline-bench.mjs left in
// dist/webview/bench/, with the pointer over vCPU 0:
//   npx tsx webview/dev/timeline-shot.mjs dark|light|hc FROM_NS TO_NS out.png
import { chromium } from "playwright-core";
import { startServers } from "./serve.mjs";
const srv = await startServers();
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: 1400, height: 560 } });
page.on("pageerror", (e) => console.log("pageerror", e.message));
await page.goto(`${srv.pageUrl}?theme=${process.argv[2] ?? "dark"}`);
await page.waitForFunction(() => (window.__posted ?? []).some((m) => m.type === "ready"));
await page.evaluate(async (base) => {
  const m = await (await fetch(`${base}bench/manifest.json`)).json();
  const pending = [];
  const walk = (o) => {
    if (!o || typeof o !== "object") return;
    for (const [k, v] of Object.entries(o)) {
      if (v && typeof v === "object" && typeof v.$bin === "string")
        pending.push(
          fetch(`${base}bench/${v.$bin}`)
            .then((r) => r.arrayBuffer())
            .then((b) => {
              o[k] = new globalThis[v.type](b);
            }),
        );
      else walk(v);
    }
  };
  walk(m);
  await Promise.all(pending);
  window.postMessage({ type: "results", payload: m }, "*");
}, srv.resOrigin + "/");
await page.waitForSelector('table[data-testid="results-table"]');
await page.click('vscode-tab-header[data-tab="timeline"]');
await page.waitForSelector(".tl-plot[data-draws]");
const from = Number(process.argv[3]),
  to = Number(process.argv[4]);
await page.evaluate(([a, b]) => /** @type {any} */ (document.querySelector(".timeline")).timelineProbe.setView(a, b), [from, to]);
await page.waitForTimeout(300);
const box = await page.$eval(".tl-canvas", (c) => {
  const r = c.getBoundingClientRect();
  return { x: r.left, y: r.top };
});
await page.mouse.move(box.x + 96 + 700, box.y + 24 + 4 * 25 + 10 + 12);
await page.waitForTimeout(200);
await page.screenshot({ path: process.argv[5] });
await browser.close();
srv.close();

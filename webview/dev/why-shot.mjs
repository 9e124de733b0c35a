// Screenshots of the "Why late" tab and of the timeline after its "Jump to worst" button (pressed
// from the keyboard), on a real payload, under the panel's CSP; prints any page error or CSP
// violation and exits 1 on one:
//   npx tsx test/webview/fixtures/real.ts scenarios/seed/cyclictest-busy-500.pvsched.yaml 2 dist/webview/why-fixture.json
//   npx tsx webview/dev/why-shot.mjs dark|light|hc out-prefix
import { chromium } from "playwright-core";
import { startServers } from "./serve.mjs";

const theme = process.argv[2] ?? "dark";
const out = process.argv[3] ?? `/tmp/why-${theme}`;
const problems = [];
const srv = await startServers();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
page.on("console", (m) => {
  if (m.type() === "error" || /Content Security Policy|Refused to/.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
});
await page.goto(`${srv.pageUrl}?theme=${theme}`);
await page.waitForFunction(() => (window.__posted ?? []).some((m) => m.type === "ready"));
await page.evaluate(async (base) => {
  const payload = await (await fetch(`${base}why-fixture.json`)).json();
  window.postMessage({ type: "results", payload }, "*");
}, srv.resOrigin + "/");
await page.waitForSelector('table[data-testid="results-table"]');
await page.click('vscode-tab-header[data-tab="why"]');
await page.waitForSelector('[data-testid="why-table"]');
await page.screenshot({ path: `${out}-tab.png`, fullPage: true });
// The keyboard path: focus the first jump button and press Enter.
await page.focus('[data-testid="why-jump"]:not([disabled])');
await page.keyboard.press("Enter");
await page.waitForSelector('[data-testid="timeline-why"]:not([hidden])');
await page.waitForTimeout(300);
const range = await page.$eval(".tl-range", (e) => e.textContent);
const why = await page.$eval('[data-testid="timeline-why"]', (e) => e.textContent);
console.log(`timeline range after the jump: ${range}\nchain shown: ${why}`);
await page.screenshot({ path: `${out}-jump.png` });
await browser.close();
srv.close();
for (const p of problems) console.error(p);
process.exit(problems.length ? 1 : 0);

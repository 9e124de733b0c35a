// Screenshots of the "Why late" tab and of the timeline after its "Jump to worst" button (pressed
// from the keyboard), on a real payload, under the panel's CSP; prints any page error or CSP
// violation and exits 1 on one:
//   npx tsx test/webview/fixtures/real.ts scenarios/seed/cyclictest-busy-500.pvsched.yaml 2 dist/webview/why-fixture.json
//   npx tsx webview/dev/why-shot.mjs dark|light|hc out-prefix
import { openPanel } from "./harness.mjs";

const theme = process.argv[2] ?? "dark";
const out = process.argv[3] ?? `/tmp/why-${theme}`;
const { srv, page, problems, close } = await openPanel(theme, { width: 1200, height: 900 });
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
await close();
for (const p of problems) console.error(p);
process.exit(problems.length ? 1 : 0);

// Screenshot of the Sweep tab on a real sweep, under the panel's CSP, in Debian's Chromium;
// prints any page error or CSP violation and exits 1 on one:
//   node bin/pvsched-sim.cjs sweep scenarios/seed/cyclictest-busy-500.pvsched.yaml \
//     --param pvsched.boost_priority=1,8,50,99 --replications 3 --duration 1 --json > sweep.json
//   npx tsx webview/dev/sweep-shot.mjs sweep.json dark|light|hc out.png
import { readFileSync } from "node:fs";
import { openPanel } from "./harness.mjs";

const [file, theme = "dark", out = `/tmp/sweep-${theme}.png`] = process.argv.slice(2);
if (!file) throw new Error("usage: sweep-shot.mjs <sweep.json> [theme] [out.png]");
const sweep = JSON.parse(readFileSync(file, "utf8"));
const payload = { title: `${sweep.scenario}: sweep`, source: { kind: "sweep" }, runs: [], sweep };
const { page, problems, close } = await openPanel(theme, { width: 1100, height: 900 });
await page.evaluate((p) => window.postMessage({ type: "results", payload: p }, "*"), payload);
await page.waitForSelector('table[data-testid="sweep-table"]');
const lines = await page.$$eval("svg.chart path.series", (ps) => ps.length);
const bands = await page.$$eval("svg.chart path.band", (ps) => ps.length);
console.log(`sweep tab: ${lines} lines, ${bands} interval bands`);
if (!lines || !bands) problems.push("the sweep chart drew no line or no band");
await page.screenshot({ path: out, fullPage: true });
await close();
for (const p of problems) console.error(p);
process.exit(problems.length ? 1 : 0);

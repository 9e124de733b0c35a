// Visual and smoke check of the webview in Debian's Chromium (playwright-core), under the panel's
// CSP with the bundle loaded cross-origin. Writes docs/screenshots/webview-*.png and prints what
// it checked; exits 1 on a CSP violation, a page error, a missing DOM contract or an executed
// script from the hostile fixture.
//   npm run build && npx tsx webview/dev/shoot.mjs
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fixDir, shots, startHarness } from "./harness.mjs";

const problems = [];
const { srv, browser, fixture } = await startHarness();

async function open(theme, width = 1100, height = 760) {
  const page = await browser.newPage({ viewport: { width, height } });
  page.on("pageerror", (e) => problems.push(`[${theme}] page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" || /Content Security Policy|Refused to/.test(m.text()))
      problems.push(`[${theme}] console ${m.type()}: ${m.text()}`);
  });
  page.on("dialog", (d) => {
    problems.push(`[${theme}] a dialog opened: ${d.message()}`);
    d.dismiss();
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  await page.goto(`${srv.pageUrl}?theme=${theme}`);
  await page.waitForFunction(() => (window.__posted ?? []).some((m) => m.type === "ready"));
  return page;
}
const send = (page, msg) => page.evaluate((m) => window.postMessage(m, "*"), msg);
const tab = async (page, id) => {
  await page.click(`vscode-tab-header[data-tab="${id}"]`);
  await page.waitForTimeout(300);
};
const shot = async (page, name) => {
  await page.screenshot({ path: join(shots, `webview-${name}.png`) });
  console.log(`screenshot docs/screenshots/webview-${name}.png`);
};
const csp = async (page, theme) => {
  for (const v of await page.evaluate(() => window.__csp)) problems.push(`[${theme}] CSP violation: ${v}`);
};

// Dark: every tab of the seed payload, the editor with the loader's validation, progress and error.
{
  const page = await open("dark");
  await send(page, { type: "progress", percent: 42, label: "busy · dynamic" });
  await page.waitForTimeout(100);
  await send(page, { type: "results", payload: fixture("seed") });
  // A seed report opens on its table, with the legend of the tables' colours under it.
  await page
    .waitForSelector('table[data-testid="seed-table"]', { timeout: 5000 })
    .catch(() => problems.push("the seed report did not open on its table"));
  if (!(await page.isVisible('[data-testid="seed-legend"]'))) problems.push("the seed tables have no legend");
  await shot(page, "seed-dark");
  await tab(page, "summary");
  await page.waitForSelector('table[data-testid="results-table"]');
  const sims = await page.$$eval('table[data-testid="results-table"] td.sim', (tds) => tds.map((t) => t.getAttribute("data-value")));
  if (!sims.length || sims.some((v) => v === null || !Number.isFinite(Number(v))))
    problems.push(`results-table sim cells: ${JSON.stringify(sims.slice(0, 5))}`);
  console.log(`results-table: ${sims.length} td.sim cells with numeric data-value`);
  await shot(page, "summary-dark");
  await tab(page, "seed");
  const pubs = await page.$$eval('table[data-testid="seed-table"] td.pub', (t) => t.length);
  console.log(`seed-table: ${pubs} td.pub cells`);
  if (!pubs) problems.push("seed-table has no pub cells");
  await tab(page, "dist");
  await page.waitForSelector("svg.chart");
  await shot(page, "distributions-dark");
  await page.click(".chart-box .chart-export");
  await tab(page, "timeline");
  await page.waitForSelector(".tl-plot[data-draws]");
  await page.focus(".tl-plot");
  for (let i = 0; i < 6; i++) await page.keyboard.press("+");
  await page.keyboard.press("ArrowRight");
  await page.waitForTimeout(200);
  const range = await page.textContent(".tl-range");
  console.log(`timeline after keyboard zoom/pan: ${range}`);
  // Export bar → Perfetto trace: the visible window as trace-event JSON.
  await page.click('vscode-button[data-testid="export-perfetto"]');
  const trace = await page.evaluate(() => {
    const m = (window.__posted ?? []).filter((x) => x.type === "export" && /perfetto/.test(String(x.suggestedName))).pop();
    if (!m) return null;
    const doc = JSON.parse(String(m.content));
    return { name: m.suggestedName, events: doc.traceEvents.length, slices: doc.traceEvents.filter((e) => e.ph === "X").length };
  });
  console.log(`perfetto export: ${JSON.stringify(trace)}`);
  if (!trace?.slices) problems.push(`no Perfetto trace exported: ${JSON.stringify(trace)}`);
  await shot(page, "timeline-dark");
  await tab(page, "vcpus");
  await shot(page, "vcpus-dark");
  await tab(page, "scenario");
  await page.waitForSelector(".monaco-editor .view-lines", { timeout: 30000 });
  // An unknown key: the loader (scenario-loader, as in VS Code's editor) marks it.
  await page.click(".monaco-editor .view-lines");
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\nbogus_key: 1\n");
  let markers = 0;
  for (let i = 0; i < 40 && !markers; i++) {
    await page.waitForTimeout(250);
    markers = await page.$$eval(".monaco-editor .squiggly-error, .monaco-editor .squiggly-warning", (e) => e.length);
  }
  console.log(`editor markers after typing an unknown key: ${markers}`);
  if (!markers) problems.push("the panel editor showed no marker for an unknown key");
  await send(page, { type: "error", message: "duration_ms: must be > 0", line: 4, column: 14 });
  await page.waitForTimeout(300);
  await shot(page, "scenario-dark");
  await page.click('vscode-button[data-testid="rerun"]');
  await page.click('vscode-button[data-testid="export-csv"]');
  await page.click('vscode-button[data-testid="export-json"]');
  const posted = await page.evaluate(() =>
    (window.__posted ?? []).map((m) => ({
      type: m.type,
      format: m.format,
      name: m.suggestedName,
      len: String(m.content ?? m.scenarioText ?? "").length,
    })),
  );
  console.log("posted:", JSON.stringify(posted));
  for (const want of ["rerun", "export"]) if (!posted.some((m) => m.type === want)) problems.push(`no ${want} message posted`);
  await csp(page, "dark");
  await page.close();
}

// Light and high contrast.
for (const theme of ["light", "hc"]) {
  const page = await open(theme);
  await send(page, { type: "results", payload: fixture("scenario") });
  await page.waitForSelector('table[data-testid="results-table"]');
  await shot(page, `summary-${theme}`);
  await tab(page, "dist");
  await shot(page, `distributions-${theme}`);
  await tab(page, "timeline");
  await page.waitForSelector(".tl-plot[data-draws]");
  await shot(page, `timeline-${theme}`);
  await csp(page, theme);
  await page.close();
}

// A payload from the real simulator, when test/webview/fixtures/real.ts has written one.
if (existsSync(join(fixDir, "real.json"))) {
  const page = await open("dark");
  await send(page, { type: "results", payload: fixture("real") });
  await page.waitForSelector('table[data-testid="results-table"]');
  await shot(page, "real-summary-dark");
  await tab(page, "dist");
  await shot(page, "real-distributions-dark");
  await tab(page, "timeline");
  await page.waitForSelector(".tl-plot[data-draws]");
  await page.selectOption(".tl-toolbar select", "1");
  await page.focus(".tl-plot");
  for (let i = 0; i < 12; i++) await page.keyboard.press("+");
  await page.waitForTimeout(300);
  await shot(page, "real-timeline-dark");
  await tab(page, "vcpus");
  await shot(page, "real-vcpus-dark");
  await csp(page, "real");
  await page.close();
}

// Hostile strings render as text.
{
  const page = await open("dark");
  await send(page, { type: "results", payload: fixture("hostile") });
  await page.waitForSelector('table[data-testid="results-table"]');
  for (const id of ["seed", "dist", "timeline", "vcpus"]) await tab(page, id);
  await tab(page, "summary");
  const title = await page.textContent('[data-testid="title"]');
  const injected = await page.evaluate(() => document.querySelectorAll("img, script:not([src]), [onerror]").length);
  console.log(`hostile: title text ${JSON.stringify(title)}, injected elements ${injected}`);
  if (!title?.includes("<script>") || injected) problems.push("hostile strings were not rendered as text");
  await send(page, { type: "error", message: "<img src=x onerror=alert(3)> bad", line: 2, column: 3 });
  await page.waitForTimeout(200);
  await shot(page, "hostile-dark");
  await csp(page, "hostile");
  await page.close();
}

await browser.close();
srv.close();
if (problems.length) {
  console.log(`PROBLEMS (${problems.length}):\n` + problems.join("\n"));
  process.exit(1);
}
console.log("webview harness: all checks passed");

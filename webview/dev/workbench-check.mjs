// The results webview inside a real VS Code workbench (code-server from `npm run` e2e's install,
// see e2e/lib/workbench.mjs) in Debian's Chromium: runs a short scenario with "PV Sched: Run
// Scenario", then checks the panel's table, the Distributions and Timeline tabs, and that Monaco
// with monaco-yaml starts in the Scenario tab (workers from blob: URLs under the panel's CSP) and
// marks an unknown key. Screenshots: docs/screenshots/webview-workbench-*.png.
//   npm run build && node webview/dev/workbench-check.mjs
import { chromium } from "playwright-core";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, startServer, workbenchUrl } from "../../e2e/lib/workbench.mjs";
import { openFile, runCommand, waitForFrameWith, waitForWorkbench, sleep } from "../../e2e/lib/ui.mjs";

const tmp = mkdtempSync(join(tmpdir(), "pvsched-webview-"));
const ws = join(tmp, "ws");
mkdirSync(ws);
const text = readFileSync(join(ROOT, "examples/scenarios/busy-host-cyclictest.pvsched.yaml"), "utf8").replace(
  /^duration_s: .*$/m,
  "duration_s: 2",
);
writeFileSync(join(ws, "short.pvsched.yaml"), text);
const shots = join(ROOT, "docs/screenshots");
const problems = [];
const server = await startServer({ userDataDir: join(tmp, "user-data"), logFile: join(tmp, "code-server.log") });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  page.on("console", (m) => {
    const t = m.text();
    if (/Content Security Policy|Refused to|Could not create web worker/i.test(t)) problems.push(`console: ${t}`);
  });
  await page.goto(workbenchUrl({ port: server.port, folder: ws, extensionDevelopmentPath: ROOT }));
  await waitForWorkbench(page);
  await openFile(page, "short.pvsched.yaml");
  await runCommand(page, "PV Sched: Run Scenario");
  const frame = await waitForFrameWith(page, 'table[data-testid="results-table"] td.sim', { timeout: 180_000 });
  const n = await frame.$$eval('table[data-testid="results-table"] td.sim', (t) => t.length);
  console.log(`results table in the workbench: ${n} simulated cells`);
  await page.screenshot({ path: join(shots, "webview-workbench-summary.png") });
  for (const id of ["dist", "timeline"]) {
    await frame.click(`vscode-tab-header[data-tab="${id}"]`);
    await frame.waitForSelector(id === "dist" ? "svg.chart" : ".tl-plot[data-draws]", { timeout: 20_000 });
    await sleep(400);
    await page.screenshot({ path: join(shots, `webview-workbench-${id}.png`) });
  }
  await frame.click('vscode-tab-header[data-tab="scenario"]');
  const editor = await frame.waitForSelector(".monaco-editor .view-lines", { timeout: 30_000 }).then(
    () => true,
    () => false,
  );
  if (!editor) {
    problems.push("Monaco did not start in the Scenario tab: " + (await frame.textContent(".scenario").catch(() => "?")));
  } else {
    await frame.click(".monaco-editor .view-lines");
    await page.keyboard.press("Control+End");
    await page.keyboard.type("\nbogus_key: 1\n");
    let markers = 0;
    for (let i = 0; i < 60 && !markers; i++) {
      await sleep(250);
      markers = await frame.$$eval(".squiggly-error, .squiggly-warning", (e) => e.length);
    }
    console.log(`monaco-yaml markers in the workbench after typing an unknown key: ${markers}`);
    if (!markers) problems.push("no monaco-yaml marker for an unknown key (yaml worker not running?)");
    // Re-run with the unknown key: the host must answer with an error at its line.
    await frame.click('vscode-button[data-testid="rerun"]');
    const err = await frame.waitForSelector('[data-testid="error"]:not([hidden])', { timeout: 60_000 }).then(
      async (e) => (await e.textContent()) ?? "",
      () => "",
    );
    console.log(`re-run with an unknown key -> banner: ${JSON.stringify(err)}`);
    // The key went in after the file's last line (the text ends with a newline, so one more).
    const keyLine = text.split("\n").length + 1;
    if (!new RegExp(`line ${keyLine}\\b`).test(err))
      problems.push(`re-run of a bad scenario gave no error at line ${keyLine}: ${JSON.stringify(err)}`);
    await page.screenshot({ path: join(shots, "webview-workbench-scenario.png") });
    // Delete the line, change the seed, re-run: fresh results replace the banner.
    await frame.click(".monaco-editor .view-lines");
    await page.keyboard.press("Control+End");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("Control+Shift+K");
    await sleep(300);
    const before = Number(await frame.getAttribute("#results", "data-renders"));
    await frame.click('vscode-button[data-testid="rerun"]');
    const fresh = await frame
      .waitForFunction((n) => Number(document.getElementById("results")?.getAttribute("data-renders")) > n, before, { timeout: 120_000 })
      .then(
        () => true,
        () => false,
      );
    const hidden = await frame.$eval('[data-testid="error"]', (e) => /** @type {HTMLElement} */ (e).hidden);
    console.log(`re-run after deleting the key -> new results: ${fresh}, error banner hidden: ${hidden}`);
    if (!fresh || !hidden) problems.push("re-run of the fixed scenario did not bring new results");
  }
  const banner = await frame.$eval('[data-testid="error"]', (e) => (/** @type {HTMLElement} */ (e).hidden ? "" : e.textContent));
  if (banner) problems.push(`error banner shown at the end: ${banner}`);
} finally {
  await browser.close();
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
}
if (problems.length) {
  console.log(`PROBLEMS:\n${problems.join("\n")}`);
  process.exit(1);
}
console.log("webview in the workbench: all checks passed");

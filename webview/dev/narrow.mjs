// Issue 11: the panel's tables must be readable in a 500 px side panel. Opens the webview at that
// width in Debian's Chromium (the dev harness, under the panel's CSP), shows each fixture payload
// on every tab with tables, and measures every table: it must fit the page without a horizontal
// scroll (its wrapper's scrollWidth within its clientWidth), and no number may be cut or take
// more than two lines (the value, then its ±interval). Prints one line per table; exits 1 on a
// problem. Screenshots of the summary and seed tabs go to docs/screenshots/webview-narrow-*.png.
//   npm run build && npx tsx webview/dev/narrow.mjs [width]
import { join } from "node:path";
import { shots, startHarness } from "./harness.mjs";

const width = Number(process.argv[2] ?? 500);
const problems = [];
const { srv, browser, fixture } = await startHarness();
try {
  for (const name of ["scenario", "ablation", "seed"]) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    page.on("pageerror", (e) => problems.push(`${name}: page error: ${e.message}`));
    await page.goto(`${srv.pageUrl}?theme=dark`);
    await page.waitForFunction(() => (window.__posted ?? []).some((m) => m.type === "ready"));
    await page.evaluate((m) => window.postMessage(m, "*"), { type: "results", payload: fixture(name) });
    await page.waitForSelector('table[data-testid="results-table"]');
    for (const tab of ["summary", "seed", "vcpus"]) {
      const header = page.locator(`vscode-tab-header[data-tab="${tab}"]`);
      if (!(await header.count())) continue;
      await header.click();
      await page.waitForTimeout(300);
      const tables = await page.$$eval("table.results", (ts) =>
        ts
          .filter((t) => t.getClientRects().length > 0)
          .map((t) => {
            const wrap = /** @type {HTMLElement} */ (t.parentElement);
            // A number cell is cut when its text is wider than its box. It may take two lines
            // (the value, then its "±interval": the one space in the cell), never more: numbers
            // have no break opportunity inside them.
            const bad = [...t.querySelectorAll("td[data-value]")]
              .filter((td) => {
                const r = document.createRange();
                r.selectNodeContents(td);
                const lines = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
                return td.scrollWidth > td.clientWidth + 1 || lines.size > 2;
              })
              .map((td) => td.textContent);
            return {
              id: t.getAttribute("data-table"),
              tableWidth: Math.round(t.getBoundingClientRect().width),
              wrapWidth: wrap.clientWidth,
              scroll: wrap.scrollWidth - wrap.clientWidth,
              bad: bad.slice(0, 3),
            };
          }),
      );
      for (const t of tables) {
        const ok = t.scroll <= 0 && !t.bad.length;
        console.log(
          `${ok ? "ok  " : "FAIL"} ${width} px, ${name}/${tab}: table ${t.id} ${t.tableWidth} px in ${t.wrapWidth} px${t.scroll > 0 ? `, scrolls ${t.scroll} px` : ""}${t.bad.length ? `, numbers cut or broken: ${JSON.stringify(t.bad)}` : ""}`,
        );
        if (!ok) problems.push(`${name}/${tab}: ${t.id}`);
      }
      if (name !== "scenario" && tab !== "vcpus")
        await page.screenshot({ path: join(shots, `webview-narrow-${name}-${tab}.png`), fullPage: false });
    }
    await page.close();
  }
} finally {
  await browser.close();
  srv.close();
}
if (problems.length) {
  console.error(`${problems.length} table(s) do not fit ${width} px: ${problems.join("; ")}`);
  process.exit(1);
}
console.log(`every table fits ${width} px`);

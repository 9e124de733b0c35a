// The e2e tests of issue 14's budgets that need the panel: results too big for it. Same contract
// as tests.mjs: `prepare` before the workbench opens, `run` throws on failure, screenshots into
// ctx.shots.
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { expectCommandAnswers, openAbsolute, sleep, waitForFrameWith } from "./lib/ui.mjs";
import { ROOT } from "./lib/workbench.mjs";

const OVERSIZED = "oversized.pvsched-results.json";
const MODES = ["vanilla", "dynamic", "static"];

/** The timeline canvas's distinct colours in its plot area, and how many of its pixels are painted. */
function canvasColours(canvas) {
  const g = canvas.getContext("2d");
  if (!g || !canvas.width) return { colours: 0, painted: 0 };
  const d = g.getImageData(0, 0, canvas.width, canvas.height).data;
  const seen = new Map();
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] === 0) continue;
    const k = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  // Colours that cover more than a few pixels: the categories, not anti-aliased text edges.
  const big = [...seen.values()].filter((n) => n > 200);
  return { colours: big.length, painted: big.reduce((a, b) => a + b, 0) };
}

/**
 * Pixels of the timeline canvas in the legend's RT colour (FIFO/RR time: the cyclictest threads).
 * Zoomed into a downsampled stretch, only the summary can paint them.
 */
function rtPixels(canvas) {
  const sw = document.querySelector(".tl-legend .sw.rt");
  const m = sw ? /rgba?\((\d+), (\d+), (\d+)/.exec(getComputedStyle(sw).backgroundColor) : null;
  const g = canvas.getContext("2d");
  if (!m || !g || !canvas.width) return -1;
  const [r, gr, b] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = g.getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4)
    if (Math.abs(d[i] - r) <= 3 && Math.abs(d[i + 1] - gr) <= 3 && Math.abs(d[i + 2] - b) <= 3 && d[i + 3] > 0) n++;
  return n;
}

export const ROBUSTNESS_TESTS = [
  {
    id: "oversized",
    name: "results: a results file too big for the panel opens downsampled, with a note, a drawn timeline, and the host still answers",
    timeout: 600_000,
    prepare(ctx) {
      // A real simulation (64 CPUs x 3 modes with their timelines), about 80 MiB as a results file:
      // over the panel's 64 MiB. Generated here, by the simulator, not checked in.
      const out = join(ctx.ws, OVERSIZED);
      const r = spawnSync("npx", ["tsx", "scripts/oversized-results.ts", out], { cwd: ROOT, encoding: "utf8" });
      if (r.status !== 0) throw new Error(`scripts/oversized-results.ts failed: ${(r.stderr || r.stdout).slice(0, 400)}`);
      ctx.log(r.stdout.trim());
      if (statSync(out).size <= 64 * 2 ** 20) throw new Error(`${OVERSIZED} is only ${statSync(out).size} bytes`);
    },
    async run(ctx) {
      const { page } = ctx;
      await openAbsolute(page, join(ctx.ws, OVERSIZED), OVERSIZED);
      // One note per run, each saying what was downsampled.
      const frame = await waitForFrameWith(page, '[data-testid="payload-note"]', {
        timeout: 240_000,
        failOnError: /PV Sched|pvsched/,
        check: async (f) => {
          const n = (await f.$$('[data-testid="payload-note"]')).length;
          return n === MODES.length || `${n} notes`;
        },
      });
      const notes = await frame.$$eval('[data-testid="payload-note"]', (ps) => ps.map((p) => p.textContent ?? ""));
      MODES.forEach((mode, i) => {
        const note = notes[i] ?? "";
        const m =
          /^The timeline of oversized 64 CPUs x 3 modes · (\S+) is downsampled: these results are ([\d.]+) MiB with their timelines, over the panel's 64\.0 MiB\. (\d+) segments → (\d+), full resolution only in \d+ windows around the worst samples: (ct|host-ct) \(worst [\d.]+ µs\) [\d.]+–[\d.]+ ms; (ct|host-ct) \(worst [\d.]+ µs\) [\d.]+–[\d.]+ ms(?:; and the tail bins' worst: (?:(?:ct|host-ct) \(tail bin [\d.]+ µs\) [\d.]+–[\d.]+ ms(?:; )?)+)?; elsewhere it is drawn from its [\d.]+ µs summary/.exec(
            note,
          );
        if (!m) throw new Error(`note ${i} does not say what was downsampled: ${note.slice(0, 500)}`);
        if (m[1] !== mode) throw new Error(`note ${i} is about ${m[1]}, want ${mode}`);
        if (!(Number(m[2]) > 64)) throw new Error(`note ${i}: results of ${m[2]} MiB`);
        if (!(Number(m[4]) > 0 && Number(m[4]) < Number(m[3]) / 10)) throw new Error(`note ${i}: ${m[3]} → ${m[4]} segments`);
        if (m[5] === m[6]) throw new Error(`note ${i}: one probe's window twice`);
      });
      const visible = await frame.locator('[data-testid="payload-note"]').first().isVisible();
      if (!visible) throw new Error("the notes are not visible");
      ctx.log(`note: ${(notes[0] ?? "").slice(0, 300)}…`);

      // The timeline tab draws the downsampled run, zoomed out from its summary.
      await frame.locator('vscode-tab-header[data-tab="timeline"]').click();
      const plot = frame.locator(".tl-plot");
      await plot.waitFor({ state: "visible", timeout: 60_000 });
      await frame.waitForFunction(() => Number(document.querySelector(".tl-plot")?.getAttribute("data-draws") ?? 0) >= 1, null, {
        timeout: 60_000,
      });
      const notice = (await frame.locator(".tl-notice").textContent()) ?? "";
      if (!/^Downsampled to fit the panel: \d+ segments → \d+; full resolution only around the worst samples \(/.test(notice))
        throw new Error(`timeline notice: ${notice}`);
      const zoomedOut = (await frame.locator(".tl-range").textContent()) ?? "";
      const drawn = await frame.locator(".tl-canvas").evaluate(canvasColours);
      ctx.log(`timeline: ${zoomedOut}; ${drawn.colours} colours, ${drawn.painted} pixels`);
      // Row backgrounds, fair and RT time, the vCPU bands: more than the background and the text.
      if (drawn.colours < 4 || drawn.painted < 20_000) throw new Error(`the timeline is not drawn: ${JSON.stringify(drawn)}`);
      await page.screenshot({ path: join(ctx.shots, "oversized-downsampled.png") });

      // Navigable: zoom in by keyboard (a stretch drawn from the summary), then Jump to worst lands on real segments.
      await plot.focus();
      for (let i = 0; i < 12; i++) await page.keyboard.press("+");
      await sleep(500);
      // The middle of the run is outside vanilla's windows: drawn from the summary, not blank.
      const zoomedIn = (await frame.locator(".tl-range").textContent()) ?? "";
      const drawnIn = await frame.locator(".tl-canvas").evaluate(canvasColours);
      const rtIn = await frame.locator(".tl-canvas").evaluate(rtPixels);
      ctx.log(`zoomed in: ${zoomedIn}; ${drawnIn.colours} colours, ${drawnIn.painted} pixels, ${rtIn} in the RT colour`);
      if (!(rtIn > 100)) throw new Error(`zoomed into a downsampled stretch, no RT time is drawn (${rtIn} pixels)`);
      if (!/ · \d+ segments and [1-9]\d* summary buckets \(downsampled\)/.test(zoomedIn))
        throw new Error(`zoomed into a downsampled stretch, the timeline says: ${zoomedIn}`);
      if (drawnIn.colours < 4 || drawnIn.painted < 20_000) throw new Error(`zoomed in, nothing is drawn: ${JSON.stringify(drawnIn)}`);
      await page.screenshot({ path: join(ctx.shots, "oversized-zoomed-in.png") });
      await frame.locator('vscode-tab-header[data-tab="why"]').click();
      const jump = frame.locator('vscode-button[data-testid="why-jump"]').first();
      await jump.waitFor({ state: "visible", timeout: 30_000 });
      await jump.focus();
      await page.keyboard.press("Enter");
      await frame.locator('[data-testid="timeline-why"]').waitFor({ state: "visible", timeout: 30_000 });
      await sleep(500);
      const atWorst = (await frame.locator(".tl-range").textContent()) ?? "";
      ctx.log(`Jump to worst: ${atWorst}`);
      if (!/ · [1-9]\d* segments/.test(atWorst)) throw new Error(`Jump to worst shows no segments: ${atWorst}`);
      await page.screenshot({ path: join(ctx.shots, "oversized-jump-to-worst.png") });

      await expectCommandAnswers(ctx);
    },
  },
];

// Measurements in the real workbench (issue 15's must-show): a 90 s cyclictest-busy-500 dynamic
// timeline in the results panel's webview, inside code-server, under the panel's CSP. Same
// contract as tests.mjs; the numbers go to e2e/screenshots/timings.json. A measurement with
// generous limits (it fails only when something is badly broken), not a timing assertion: the
// issue's targets (open < 2 s, median >= 50 fps, heap < 200 MB) are recorded as met or not.
// And issue 13's interactive path: a default-length lens ablation, click to first and final numbers.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { deliverBinaryPayload, jsHeapMb, openTimelineTab, rendererRssMb, timelineFrameProbe } from "../webview/dev/timeline-probe.mjs";
import { recordTiming } from "./lib/timings.mjs";
import { runScenarioFile, sleep } from "./lib/ui.mjs";
import { ROOT } from "./lib/workbench.mjs";
import { TINY } from "./tests-product.mjs";
import { checkSimValues, isProvisional, lensesWithLines, openPatchWithLenses, simCells } from "./tests.mjs";

/** V8 heap plus ArrayBuffers, MB. */
const total = (h) => (h.used ?? 0) + (h.buffers ?? 0);

/** Simulated seconds of the measured run (E2E_TIMELINE_SECONDS to try a shorter one). */
const SECONDS = Number(process.env.E2E_TIMELINE_SECONDS ?? 90);

/** Where the workbench's copy of the extension keeps its webview bundle (the panel's resource root). */
function webviewDir(ctx) {
  if (!ctx.fromVsix) return join(ctx.extDir, "dist/webview");
  const dir = join(ctx.tmp, "extensions");
  const ext = readdirSync(dir).find((n) => n.startsWith("pvsched-lab.pvsched-lab-"));
  if (!ext) throw new Error(`the installed extension is not in ${dir}`);
  return join(dir, ext, "dist/webview");
}

/**
 * JS heap of the frame's isolate, MB: CDP's Runtime.getHeapUsage (the V8 heap in use, and the
 * ArrayBuffers' backing stores, where the timeline's columns live), else performance.memory.
 */
async function heapMb(frame, session) {
  const mb = (b) => +(b / 2 ** 20).toFixed(1);
  try {
    const u = await session.send("Runtime.getHeapUsage");
    return {
      used: mb(u.usedSize),
      buffers: u.backingStorageSize === undefined ? null : mb(u.backingStorageSize),
      how: "CDP Runtime.getHeapUsage",
    };
  } catch {
    return { used: await frame.evaluate(jsHeapMb), buffers: null, how: "performance.memory (bucketed)" };
  }
}

// The interactive path (issue 13): a hunk ablation at the product's default length, from the click
// on the lens to the first numbers in the lens and the panel (the provisional answer after 2
// simulated seconds) and to the final ones, for a first and a second click, with the machine's load.

/** The product's default pvsched.ablation.durationSeconds (package.json); the suite's own is 2 s. */
const DEFAULT_ABLATION_SECONDS = 10;
/** What the lens says while it refines ("after 2 s simulated, 1 replication: …, refining"). */
const PROVISIONAL_LENS = /^after [\d.]+ s simulated, \d+ replications?: .*, refining$/;
/** A final effect on a lens: the mechanism's effect or why there is none. */
const FINAL_LENS = /(max|avg|glitches) [\u2212+±]|no significant effect|not exercised/;
/** Generous: a first answer later than this is a failure, whatever the machine's load. */
const FIRST_NUMBERS_LIMIT_S = 60;

/** The results webview's frame (the one with the render counter), remembered in `cache`, or null. */
async function resultsFrame(page, cache) {
  const frames = cache.frame && !cache.frame.isDetached() ? [cache.frame] : page.frames();
  for (const f of frames) {
    if (f === page.mainFrame()) continue;
    if (await f.$("[data-renders]").catch(() => null)) {
      cache.frame = f;
      return f;
    }
  }
  return null;
}

/** The results panel's state: its render count, whether it is provisional, and whether its table has numbers. */
async function panelState(page, cache = {}) {
  const f = await resultsFrame(page, cache);
  if (f) {
    try {
      const renders = await f.$eval("[data-renders]", (m) => Number(m.getAttribute("data-renders")));
      const provisional = await isProvisional(f);
      const numbers = checkSimValues(await simCells(f)) === true;
      return { renders, provisional, numbers };
    } catch {
      /* it is loading */
    }
  }
  return { renders: 0, provisional: false, numbers: false };
}

/** The simulated length of the runs the results panel lists ("… 10 s simulated, …"), or null. */
async function panelSimulatedS(page, cache = {}) {
  const f = await resultsFrame(page, cache);
  const text = f ? await f.$eval("[data-renders]", (m) => m.textContent ?? "").catch(() => null) : null;
  const m = text?.match(/([0-9.]+) s simulated/);
  return m ? Number(m[1]) : null;
}

/** The effect texts the lenses on screen show. */
async function lensTexts(page) {
  return (await lensesWithLines(page)).flatMap((l) => l.links);
}

/**
 * Notes, in the page, the wall-clock time (Date.now(), the same clock as this process's) when a
 * lens of the active editor first shows a text matching `source`: a MutationObserver, so that
 * the time does not depend on how often the test polls (a poll of the panel's webview takes
 * 0.1-0.5 s under load). Read it back with lensSeenAt().
 */
async function watchLens(page, source) {
  await page.evaluate((src) => {
    const re = new RegExp(src);
    const w = /** @type {any} */ (window);
    w.__pvschedLensSeen = undefined;
    w.__pvschedLensObserver?.disconnect();
    const check = () => {
      for (const a of document.querySelectorAll(".editor-group-container.active .codelens-decoration > :is(a, span)")) {
        if (re.test((a.textContent ?? "").trim())) {
          w.__pvschedLensSeen = Date.now();
          w.__pvschedLensObserver.disconnect();
          return;
        }
      }
    };
    w.__pvschedLensObserver = new MutationObserver(check);
    w.__pvschedLensObserver.observe(document.body, { subtree: true, childList: true, characterData: true });
  }, source);
}

/** When watchLens() saw its text (ms since the epoch), or undefined. */
const lensSeenAt = (page) => page.evaluate(() => /** @type {any} */ (window).__pvschedLensSeen);

/**
 * Clicks the Simulate lens and polls every 50 ms: when the lens and the panel first showed
 * provisional numbers, and when both showed the final ones. Seconds from the click. The lens's
 * first provisional text is timed in the page (watchLens); the panel's by polling its webview.
 */
async function clickAndTime(ctx, sim) {
  const { page } = ctx;
  const cache = {};
  const before = await panelState(page, cache);
  await watchLens(page, PROVISIONAL_LENS.source);
  const t0 = Date.now();
  await sim.click();
  const at = {};
  const s = () => (Date.now() - t0) / 1000;
  while (at.lensFinal === undefined || at.panelFinal === undefined) {
    if (s() > 900) throw new Error(`no final numbers 900 s after the click (seen: ${JSON.stringify(at)})`);
    const texts = await lensTexts(page);
    if (at.lensFirst === undefined) {
      const seen = await lensSeenAt(page);
      if (seen !== undefined) at.lensFirst = (seen - t0) / 1000;
    }
    const p = await panelState(page, cache);
    // The panel notes when it drew provisional numbers (webview/main.ts data-provisional-at), so
    // that a final answer replacing them within one poll on a quiet machine still counts, and the
    // time is the render's, not the poll's. Read at every poll: a later provisional streak of the
    // same click would overwrite it.
    if (at.panelDrawn === undefined && cache.frame) {
      const v = Number(await cache.frame.getAttribute("[data-renders]", "data-provisional-at").catch(() => null));
      if (Number.isFinite(v) && v >= t0) at.panelDrawn = (v - t0) / 1000;
    }
    if (p.renders > before.renders && p.numbers) {
      if (p.provisional && at.panelFirst === undefined) {
        at.panelFirst = s();
        at.lensAtPanelFirst = texts.find((t) => PROVISIONAL_LENS.test(t) || FINAL_LENS.test(t));
      } else if (!p.provisional) at.panelFinal ??= s();
    }
    // Final: the lens shows an effect that is not refining, once this click's answer has begun
    // to show (a second click starts from the first one's final text).
    const begun = at.lensFirst !== undefined || at.panelFinal !== undefined;
    if (begun && at.lensFinal === undefined && texts.some((t) => FINAL_LENS.test(t) && !/refining/.test(t))) at.lensFinal = s();
    await sleep(50);
  }
  if (at.panelDrawn !== undefined) at.panelFirst = Math.min(at.panelFirst ?? Number.POSITIVE_INFINITY, at.panelDrawn);
  if (at.panelFirst === undefined && at.lensFirst !== undefined && at.panelFinal !== undefined) {
    // A panel whose webview became ready only after the runs ended draws the final answer first:
    // it had nothing provisional to show (seen in CI on a quiet machine: the lens showed
    // provisional numbers at 1.35 s, the new panel its first render, final, at 2.13 s). Accepted
    // only when that render was the panel's only one since the click.
    const renders = (await panelState(page, cache)).renders - before.renders;
    if (renders === 1) {
      at.panelFirst = at.panelFinal;
      at.panelFirstWasFinal = true;
    }
  }
  if (at.panelFirst === undefined) throw new Error(`the panel never showed provisional numbers (seen: ${JSON.stringify(at)})`);
  // null when the lens never showed its provisional text (the log says what it showed instead).
  const firstNumbersS = at.lensFirst === undefined ? null : Math.max(at.lensFirst, at.panelFirst);
  const finalNumbersS = Math.max(at.lensFinal, at.panelFinal);
  const lens = (await lensTexts(page)).find((t) => FINAL_LENS.test(t));
  return { firstNumbersS, finalNumbersS, ...at, lens };
}

export const MEASURE_TESTS = [
  {
    id: "tlperf",
    name: `results: a ${SECONDS} s busy-500 dynamic timeline in the workbench's panel: open time, fps while panning and zooming, memory`,
    timeout: 480_000,
    prepare(ctx) {
      writeFileSync(join(ctx.ws, "scenarios", "e2e-tlperf.pvsched.yaml"), TINY("e2e tlperf"));
    },
    async run(ctx) {
      const { page, browser } = ctx;
      // The payload is the run as the extension would post it, written once beside the installed
      // bundle, where the panel may fetch it (connect-src is the webview's resource origin).
      const dir = join(webviewDir(ctx), "bench");
      ctx.log(`simulating ${SECONDS} s of cyclictest-busy-500 (dynamic) into ${dir.slice(ctx.tmp.length + 1)}`);
      const gen = spawnSync("npx", ["tsx", join(ROOT, "webview/dev/bench-run.mjs"), dir, String(SECONDS)], {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 1 << 24,
      });
      if (gen.status !== 0) throw new Error(`bench-run failed: ${(gen.stderr || gen.stdout).trim().split("\n").slice(-3).join(" | ")}`);
      const run = JSON.parse(gen.stdout.trim().split("\n").at(-1) ?? "{}");
      ctx.log(`fixture: ${run.segments} segments, ${run.typed_array_mb} MB of columns, simulated in ${run.simulate_ms} ms`);

      // A panel open on small results, then the big ones delivered into the same webview.
      const frame = await runScenarioFile(page, "e2e-tlperf.pvsched.yaml", 0);
      const renders = Number((await frame.getAttribute("#results", "data-renders")) ?? 0);
      // The webview's own process when it is an out-of-process frame; else the page's (the same isolate).
      let session;
      let isolate = "the webview's (out-of-process frame)";
      try {
        session = await page.context().newCDPSession(frame);
      } catch {
        session = await page.context().newCDPSession(page);
        isolate = "the workbench page's, which the webview frame shares";
      }
      const bsession = await browser.newBrowserCDPSession();
      const gc = () => session.send("HeapProfiler.collectGarbage").catch(() => {});
      await gc();
      const rssBefore = await rendererRssMb(bsession);
      const heapBefore = await heapMb(frame, session);
      const transportMs = await frame.evaluate(deliverBinaryPayload);
      await frame.waitForFunction((n) => Number(document.querySelector("#results")?.getAttribute("data-renders")) > n, renders, {
        timeout: 120_000,
      });
      const openMs = await frame.evaluate(openTimelineTab);
      await gc();
      const rssOpen = await rendererRssMb(bsession);
      const heapOpen = await heapMb(frame, session);
      const frames = await frame.evaluate(timelineFrameProbe);
      await page.screenshot({ path: join(ctx.shots, "timeline-90s-workbench.png") });
      const m = {
        ...run,
        where: "code-server workbench, the results panel's webview (Debian Chromium, headless, 1600x1000 window)",
        payload: "delivered in the webview as a results message with typed-array columns (fetched from the bundle's folder)",
        transport_ms: Math.round(transportMs),
        open_ms: Math.round(openMs),
        median_fps: frames.medianFps,
        // The isolate is shared with the workbench when the webview is not an out-of-process frame: the delta is the timeline's.
        js_heap_isolate: isolate,
        js_heap_mb: { before: heapBefore, timeline_open: heapOpen, delta: +(total(heapOpen) - total(heapBefore)).toFixed(1) },
        renderer_rss_mb: { before: rssBefore, timeline_open: rssOpen, delta: rssOpen - rssBefore },
        phases: frames.phases.map((p) => ({
          label: p.label,
          fps: +p.fps.toFixed(1),
          p95FrameMs: p.p95FrameMs,
          medianDrawMs: p.medianDrawMs,
        })),
        targets: {
          open_under_2s: openMs < 2000,
          median_fps_at_least_50: frames.medianFps >= 50,
          heap_under_200mb: total(heapOpen) - total(heapBefore) < 200,
          panel_message_fits: run.panel_message_mib <= run.panel_max_mib,
        },
      };
      recordTiming(ctx.shots, `timeline${SECONDS}s`, m);
      ctx.log(
        `timeline ${SECONDS} s in the workbench: open ${m.open_ms} ms, median ${m.median_fps} fps, JS heap + buffers ` +
          `+${m.js_heap_mb.delta} MB (${heapOpen.how}), renderer RSS +${m.renderer_rss_mb.delta} MB, message ${run.panel_message_mib} MiB of ${run.panel_max_mib}`,
      );
      // Generous limits: only a panel that is badly broken fails.
      if (!(frames.draws > 100)) throw new Error(`the timeline drew ${frames.draws} times during the probe`);
      if (openMs > 30_000) throw new Error(`the timeline took ${Math.round(openMs)} ms to open`);
      if (frames.medianFps < 5) throw new Error(`median ${frames.medianFps} fps while panning and zooming`);
    },
  },
  {
    id: "first-answer",
    name: "patch: a lens ablation at the default 10 s answers early and refines (click to first and final numbers, timed)",
    timeout: 2_100_000,
    async run(ctx) {
      const { page } = ctx;
      // The suite runs 2 s ablations; this test measures what a user gets by default, through a
      // workspace setting (it wins over the suite's user setting), removed afterwards.
      const dir = join(ctx.ws, ".vscode");
      const file = join(dir, "settings.json");
      if (existsSync(file)) throw new Error(`${file} exists: this test would overwrite it`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, JSON.stringify({ "pvsched.ablation.durationSeconds": DEFAULT_ABLATION_SECONDS }, null, 2));
      try {
        await sleep(2000); // the workbench reads the new settings file
        await openPatchWithLenses(ctx);
        const sim = page.locator(".editor-group-container.active .codelens-decoration a", { hasText: /Simulate/ }).first();
        await sim.waitFor({ state: "visible", timeout: 30_000 });
        const clicks = [];
        for (const n of [1, 2]) {
          /** @type {Awaited<ReturnType<typeof clickAndTime>> & { settingRetries?: number }} */
          let t = await clickAndTime(ctx, sim);
          // The workbench may not have read the workspace setting yet (seen in CI on a quiet
          // machine: the first click ran the suite's 2 s ablation). Click again until the panel's
          // runs are the default length.
          for (let tries = 0; n === 1; tries++) {
            const ranS = await panelSimulatedS(page);
            if (ranS === DEFAULT_ABLATION_SECONDS) break;
            if (tries === 5) throw new Error(`the ablation never ran at the workspace's ${DEFAULT_ABLATION_SECONDS} s`);
            ctx.log(`click ${n} ran ${ranS} s replications: the setting is not read yet, clicking again`);
            await sleep(2000);
            t = { ...(await clickAndTime(ctx, sim)), settingRetries: tries + 1 };
          }
          ctx.log(
            `click ${n}: first numbers ${t.firstNumbersS?.toFixed(2)} s (lens ${t.lensFirst?.toFixed(2)}, panel ${t.panelFirst.toFixed(2)}` +
              ` while the lens said ${JSON.stringify(t.lensAtPanelFirst)}), final ${t.finalNumbersS.toFixed(2)} s; lens: ${t.lens}`,
          );
          clicks.push(t);
          if (n === 1) await page.screenshot({ path: join(ctx.shots, "first-answer-final.png") });
        }
        recordTiming(ctx.shots, "lensAblation", {
          durationSeconds: DEFAULT_ABLATION_SECONDS,
          clicks: clicks.map(({ lens: _l, ...t }) => t),
          loadavg: loadavg().map((x) => Number(x.toFixed(2))),
          cpus: cpus().length,
        });
        const slow = clicks.find((c) => Math.max(c.lensFirst ?? 0, c.panelFirst) > FIRST_NUMBERS_LIMIT_S);
        if (slow) throw new Error(`first numbers ${JSON.stringify(slow)} s after the click (limit ${FIRST_NUMBERS_LIMIT_S} s)`);
        if (clicks[0]?.lensFirst === undefined) throw new Error("the lens never showed a provisional answer on the first click");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];

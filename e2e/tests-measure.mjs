// Measurements in the real workbench (issue 15's must-show): a 90 s cyclictest-busy-500 dynamic
// timeline in the results panel's webview, inside code-server, under the panel's CSP. Same
// contract as tests.mjs; the numbers go to e2e/screenshots/timings.json. A measurement with
// generous limits (it fails only when something is badly broken), not a timing assertion: the
// issue's targets (open < 2 s, median >= 50 fps, heap < 200 MB) are recorded as met or not.
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deliverBinaryPayload, jsHeapMb, openTimelineTab, rendererRssMb, timelineFrameProbe } from "../webview/dev/timeline-probe.mjs";
import { recordTiming } from "./lib/timings.mjs";
import { runScenarioFile } from "./lib/ui.mjs";
import { ROOT } from "./lib/workbench.mjs";
import { TINY } from "./tests-product.mjs";

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
];

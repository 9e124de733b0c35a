// Timeline benchmark in Debian's Chromium (playwright-core), on the dev harness (serve.mjs): the
// 90 s cyclictest-busy-500 dynamic run's timeline sent to the panel as typed arrays (as VS Code
// delivers them), then
//   - open time: from the Timeline tab's click to the end of its first draw;
//   - frame times while zooming and panning (a frame-time probe: requestAnimationFrame deltas,
//     and each draw's own duration), from the whole run down to a few µs and back;
//   - webview memory: the renderer processes' RSS before the results and with the timeline open.
//   npm run build && npx tsx webview/dev/timeline-bench.mjs [seconds] > docs/timeline-bench.json
// A benchmark, not a test: it prints numbers (JSON on stdout), it does not judge them.
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startServers } from "./serve.mjs";
import { loadScenario } from "../../scenario-loader/index.ts";
import { simulate } from "../../sim-core/index.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const seconds = Number(process.argv[2] ?? 90);
const file = join(root, "scenarios/seed/cyclictest-busy-500.pvsched.yaml");
const loaded = loadScenario(readFileSync(file, "utf8"), file);
if (!loaded.ok) throw new Error(loaded.errors[0]?.message);
const t0 = performance.now();
const run = simulate({ ...loaded.scenario, duration_s: seconds }, "dynamic", { timeline: true });
const simMs = performance.now() - t0;

// The payload as a manifest plus one binary file per typed array, served beside the bundle.
const benchDir = join(root, "dist/webview/bench");
mkdirSync(benchDir, { recursive: true });
let nBin = 0;
let bytes = 0;
const manifest = JSON.stringify({ title: `bench ${seconds} s`, source: { kind: "scenario" }, runs: [run] }, (_k, v) => {
  if (!ArrayBuffer.isView(v)) return v;
  const name = `a${nBin++}.bin`;
  writeFileSync(join(benchDir, name), Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  bytes += v.byteLength;
  return { $bin: name, type: v.constructor.name };
});
writeFileSync(join(benchDir, "manifest.json"), manifest);
const tl = run.timeline;
if (!tl) throw new Error("the run recorded no timeline");
const segs = tl.segments.start_ns.length;

const srv = await startServers();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--enable-precise-memory-info"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const problems = [];
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
page.on("console", (m) => {
  if (m.type() === "error") problems.push(`console: ${m.text()}`);
});
await page.goto(`${srv.pageUrl}?theme=dark`);
await page.waitForFunction(() => (window.__posted ?? []).some((m) => m.type === "ready"));

const bsession = await browser.newBrowserCDPSession();
async function rendererRssMb() {
  const info = await bsession.send("SystemInfo.getProcessInfo");
  let kb = 0;
  for (const p of info.processInfo.filter((x) => x.type === "renderer")) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p.id}/status`, "utf8"));
      if (m) kb += Number(m[1]);
    } catch {}
  }
  return Math.round(kb / 1024);
}
const session = await page.context().newCDPSession(page);
const gc = () => session.send("HeapProfiler.collectGarbage");
await gc();
const rssBefore = await rendererRssMb();

// Deliver the results as VS Code does: a message whose timeline columns are typed arrays.
const transportMs = await page.evaluate(async (base) => {
  const a = performance.now();
  const m = await (await fetch(`${base}bench/manifest.json`)).json();
  const pending = [];
  const walk = (o) => {
    if (!o || typeof o !== "object") return;
    for (const [k, v] of Object.entries(o)) {
      if (v && typeof v === "object" && typeof v.$bin === "string") {
        pending.push(
          fetch(`${base}bench/${v.$bin}`)
            .then((r) => r.arrayBuffer())
            .then((b) => {
              o[k] = new globalThis[v.type](b);
            }),
        );
      } else walk(v);
    }
  };
  walk(m);
  await Promise.all(pending);
  window.postMessage({ type: "results", payload: m }, "*");
  return performance.now() - a;
}, srv.resOrigin + "/");
await page.waitForSelector('table[data-testid="results-table"]');

// Open time: click the tab, wait for the end of the first draw.
const openMs = await page.evaluate(
  () =>
    new Promise((done) => {
      const a = performance.now();
      /** @type {HTMLElement} */ (document.querySelector('vscode-tab-header[data-tab="timeline"]')).click();
      const poll = () => {
        const p = /** @type {HTMLElement | null} */ (document.querySelector(".tl-plot"));
        if (p && Number(p.dataset.draws) >= 1) done(performance.now() - a);
        else requestAnimationFrame(poll);
      };
      requestAnimationFrame(poll);
    }),
);
await gc();
const rssOpen = await rendererRssMb();
const heap = await page.evaluate(() => /** @type {any} */ (performance).memory?.usedJSHeapSize ?? 0);

// Frame-time probe: one wheel event per frame (zoom in 40 frames, pan 40, zoom out 40) at a few
// depths; the view draws in its own requestAnimationFrame callback.
const frames = await page.evaluate(async () => {
  const plot = /** @type {HTMLElement} */ (document.querySelector(".tl-plot"));
  const root = /** @type {any} */ (plot.closest(".timeline"));
  const probe = root.timelineProbe;
  const box = plot.getBoundingClientRect();
  const x = box.left + box.width * 0.55;
  const y = box.top + 60;
  const raf = () => new Promise((r) => requestAnimationFrame(r));
  const phase = async (label, n, ev) => {
    const deltas = [];
    const draws = [];
    let last = await raf();
    for (let i = 0; i < n; i++) {
      plot.dispatchEvent(new WheelEvent("wheel", { ...ev(i), clientX: x, clientY: y, bubbles: true, cancelable: true }));
      const t = await raf();
      deltas.push(t - last);
      draws.push(probe.lastMs);
      last = t;
    }
    const med = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
    const p95 = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length * 0.95)];
    return {
      label,
      frames: n,
      medianFrameMs: med(deltas),
      p95FrameMs: p95(deltas),
      medianDrawMs: med(draws),
      p95DrawMs: p95(draws),
      fps: 1000 / med(deltas),
    };
  };
  const out = [];
  out.push(await phase("pan, whole run (LOD)", 40, () => ({ deltaX: 30, deltaY: 0 })));
  out.push(await phase("zoom in, 90 s to ~10 ms", 60, () => ({ deltaY: -150 })));
  out.push(await phase("pan at ~10 ms (raw segments)", 40, (i) => ({ deltaX: i % 20 < 10 ? 40 : -40, deltaY: 0 })));
  out.push(await phase("zoom in to µs", 40, () => ({ deltaY: -150 })));
  out.push(await phase("zoom out to the whole run", 120, () => ({ deltaY: 150 })));
  out.push(await phase("pan at ~1 s (LOD level 0 / raw)", 40, (i) => ({ deltaX: i % 20 < 10 ? 60 : -60, deltaY: 0 })));
  return { phases: out, draws: probe.draws, openDrawMs: probe.openMs };
});
const all = frames.phases.flatMap((p) => Array(p.frames).fill(p.medianFrameMs));
await page.screenshot({ path: join(root, "docs/screenshots/webview-timeline-90s.png") });
await browser.close();
srv.close();
console.log(
  JSON.stringify(
    {
      scenario: "cyclictest-busy-500, dynamic",
      simulated_s: seconds,
      simulate_ms: Math.round(simMs),
      segments: segs,
      markers: tl.markers.t_ns.length,
      anchors: tl.anchors.run_ns.length,
      typed_array_mb: +(bytes / 2 ** 20).toFixed(1),
      transport_ms: Math.round(transportMs),
      open_ms: Math.round(openMs),
      renderer_rss_mb: { before: rssBefore, timeline_open: rssOpen, delta: rssOpen - rssBefore },
      js_heap_mb: +(heap / 2 ** 20).toFixed(1),
      frames,
      median_fps_overall: +(1000 / all.sort((a, b) => a - b)[Math.floor(all.length / 2)]).toFixed(1),
      problems,
    },
    null,
    2,
  ),
);

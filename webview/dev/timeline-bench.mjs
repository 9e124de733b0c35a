// Timeline benchmark in Debian's Chromium (playwright-core), on the dev harness (serve.mjs): the
// 90 s cyclictest-busy-500 dynamic run's timeline sent to the panel as typed arrays (as VS Code
// delivers them), then
//   - open time: from the Timeline tab's click to the end of its first draw;
//   - frame times while zooming and panning (a frame-time probe: requestAnimationFrame deltas,
//     and each draw's own duration), from the whole run down to a few µs and back;
//   - webview memory: the renderer processes' RSS before the results and with the timeline open.
//   npm run build && npx tsx webview/dev/timeline-bench.mjs [seconds] > docs/timeline-bench.json
// A benchmark, not a test: it prints numbers (JSON on stdout), it does not judge them. The same
// measurement inside the real workbench is the e2e test "tlperf" (timeline-probe.mjs has both).
import { chromium } from "playwright-core";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startServers } from "./serve.mjs";
import { benchRun } from "./bench-run.mjs";
import {
  deliverBinaryPayload,
  jsHeapMb,
  openTimelineTab,
  rendererRssMb,
  timelineFrameProbe,
  writeBinaryPayload,
} from "./timeline-probe.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const seconds = Number(process.argv[2] ?? 90);
const { payload, summary } = benchRun(seconds);
// The payload beside the bundle, where the page fetches it.
const bytes = writeBinaryPayload(payload, join(root, "dist/webview/bench"));

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
const session = await page.context().newCDPSession(page);
const gc = () => session.send("HeapProfiler.collectGarbage");
await gc();
const rssBefore = await rendererRssMb(bsession);

const transportMs = await page.evaluate(deliverBinaryPayload);
await page.waitForSelector('table[data-testid="results-table"]');
const openMs = await page.evaluate(openTimelineTab);
await gc();
const rssOpen = await rendererRssMb(bsession);
const heap = await page.evaluate(jsHeapMb);
const frames = await page.evaluate(timelineFrameProbe);
await page.screenshot({ path: join(root, "docs/screenshots/webview-timeline-90s.png") });
await browser.close();
srv.close();
console.log(
  JSON.stringify(
    {
      ...summary,
      typed_array_mb: +(bytes / 2 ** 20).toFixed(1),
      transport_ms: Math.round(transportMs),
      open_ms: Math.round(openMs),
      renderer_rss_mb: { before: rssBefore, timeline_open: rssOpen, delta: rssOpen - rssBefore },
      js_heap_mb: heap,
      frames,
      median_fps_overall: frames.medianFps,
      problems,
    },
    null,
    2,
  ),
);

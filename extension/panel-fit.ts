/**
 * Results too big for the panel (issue 14). `webview.postMessage` serialises a message with
 * JSON.stringify (typed arrays are cut out of the text and sent as buffers beside it), and the
 * message is copied from the extension host to the workbench and on to the webview: a result
 * with several long timelines is hundreds of MB, and one with per-element data failed outright
 * with "Invalid string length". So before a payload is posted its size is estimated without
 * serialising it (@discoveryjs/json-ext's stringifyInfo, plus the typed arrays' bytes); over
 * PANEL_MAX_BYTES, the largest timelines are downsampled (sim-core/timeline-downsample.ts): full
 * resolution in a window around each probe's worst sample, the coarser levels of the
 * level-of-detail pyramid elsewhere, with a note per timeline that says what was kept. Downsampling
 * rather than streaming in chunks: the panel draws from memory, so chunks would have to be
 * reassembled there into the same hundreds of MB; the pyramid already holds the overview at every
 * zoom, and the worst samples are what a reader jumps to. Everything else (tables, histograms,
 * counters) is always sent whole. The host keeps the whole payload (history).
 *
 * No VS Code import: unit-tested without it (test/extension/panel-fit.test.ts).
 */
import { stringifyInfo } from "@discoveryjs/json-ext";
import type { ResultsPayload } from "../common/protocol";
import type { RunResult, TimelineDownsampled, TimelineWindow } from "../sim-core/results";
import { downsampleTimeline } from "../sim-core/timeline-downsample";

/**
 * Estimated bytes of one results message at most. The seed's longest run with its timeline
 * (cyclictest-busy-500, 90 s, 75 k segments) is about 1.5 MB, so 64 MiB leaves room for every
 * budget-respecting run (1 M segments per run, runner/budget.ts, is about 15 MB of columns) while
 * bounding the three copies a message makes on its way to the webview.
 */
export const PANEL_MAX_BYTES = 64 * 1024 * 1024;

/** Estimated bytes of a value in a webview message: its JSON text, typed arrays as their bytes. */
export function messageBytes(v: unknown): number {
  let buffers = 0;
  const text = stringifyInfo(v, (_key: string, value: unknown) => {
    if (ArrayBuffer.isView(value)) {
      buffers += value.byteLength;
      return 0;
    }
    return value;
  }).bytes;
  return text + buffers;
}

const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;
const ms = (ns: number) => (ns / 1e6).toFixed(3);
const us = (ns: number) => `${(ns / 1e3).toFixed(1)} µs`;
const count = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** Room kept for the notes themselves (a few hundred bytes per timeline). */
const NOTES_BYTES = 64 * 1024;

/** What the panel says about a downsampled timeline: which run, from what to what, which windows are whole. */
export function downsampleNote(r: RunResult, d: TimelineDownsampled, before: number, maxBytes: number): string {
  const win = (w: TimelineWindow) =>
    `${w.probe} (${w.rank === 1 ? "worst" : "tail bin"} ${us(w.latency_ns)}) ${ms(w.from_ns)}–${ms(w.to_ns)} ms`;
  const worst = d.windows.filter((w) => w.rank === 1).map(win);
  const tails = d.windows.filter((w) => w.rank > 1).map(win);
  const where = d.windows.length
    ? `full resolution only in ${count(d.windows.length, "window")} around the worst samples: ${worst.join("; ")}` +
      (tails.length ? `; and the tail bins' worst: ${tails.join("; ")}` : "")
    : "no window at full resolution";
  const levels = d.lod_levels_dropped
    ? `the ${d.lod_levels_dropped} finest of ${d.lod_levels_before} summary levels left out`
    : `all ${d.lod_levels_before} summary levels kept`;
  const left = d.windows_left_out ? ` (${count(d.windows_left_out, "worst-sample window")} did not fit)` : "";
  return (
    `The timeline of ${r.scenario} · ${r.mode} is downsampled: these results are ${mb(before)} with their timelines, ` +
    `over the panel's ${mb(maxBytes)}. ${d.segments_before} segments → ${d.segments_after}, ${where}${left}; elsewhere ` +
    `it is drawn from its ${us(d.bucket_ns)} summary (${levels}). Markers ${d.markers_before} → ${d.markers_after}, samples ${d.anchors_before} → ${d.anchors_after}. ` +
    `Record a window (timeline.from_ms, to_ms) to see all of it.`
  );
}

/**
 * Each timeline's share of `room` bytes: equal shares, a timeline smaller than its share sent
 * whole and what it leaves shared by the others. Infinity: whole.
 */
function shares(sizes: readonly number[], room: number): number[] {
  const out = sizes.map(() => Number.POSITIVE_INFINITY);
  const order = sizes
    .map((_, i) => i)
    .filter((i) => sizes[i]! > 0)
    .sort((a, b) => sizes[a]! - sizes[b]! || a - b);
  let left = order.length;
  for (const i of order) {
    const part = Math.max(0, room) / left--;
    if (sizes[i]! > part) out[i] = part;
    room -= Math.min(sizes[i]!, part);
  }
  return out;
}

/**
 * The payload to post to the panel: `p` itself when it fits in `maxBytes`, else `p` with its
 * largest timelines downsampled to fit, a note each. Should a timeline not fit even as its
 * coarsest summary, it is left out, with a note.
 */
export function fitForPanel(p: ResultsPayload, maxBytes: number = PANEL_MAX_BYTES): ResultsPayload {
  const sizes = p.runs.map((r) => (r.timeline ? messageBytes(r.timeline) : 0));
  const rest = messageBytes({ ...p, runs: p.runs.map(({ timeline: _t, ...r }) => r) });
  const before = rest + sizes.reduce((a, b) => a + b, 0);
  if (before <= maxBytes) return p;
  // The estimates of timeline-downsample.ts are close to messageBytes but not equal: check the
  // result and shrink the shares until it fits.
  for (let scale = 1; scale > 0.01; scale /= 2) {
    const share = shares(sizes, (maxBytes - rest - NOTES_BYTES) * scale);
    const notes: string[] = [];
    const runs = p.runs.map((r, i) => {
      if (!r.timeline || share[i] === Number.POSITIVE_INFINITY) return r;
      const tl = downsampleTimeline(r.timeline, r.probes, share[i]!);
      const { timeline: _t, ...bare } = r;
      if (!tl?.downsampled) {
        notes.push(
          `The timeline of ${r.scenario} · ${r.mode} (${r.timeline.segments.start_ns.length} segments, ${mb(sizes[i]!)}) is ` +
            `not shown: these results are ${mb(before)} with their timelines, over the panel's ${mb(maxBytes)}, and not even ` +
            `its coarsest summary fits. Record a window (timeline.from_ms, to_ms), or write it with pvsched-sim run --trace.`,
        );
        return bare;
      }
      notes.push(downsampleNote(r, tl.downsampled, before, maxBytes));
      return { ...bare, timeline: tl };
    });
    const out = { ...p, runs, notes: [...(p.notes ?? []), ...notes] };
    if (messageBytes(out) <= maxBytes) return out;
  }
  // Nothing fitted: every timeline goes, with one note.
  return {
    ...p,
    runs: p.runs.map(({ timeline: _t, ...r }) => r),
    notes: [
      ...(p.notes ?? []),
      `The timelines of these results are not shown: these results are ${mb(before)} with their timelines, over the ` +
        `panel's ${mb(maxBytes)}, and downsampled they still did not fit.`,
    ],
  };
}

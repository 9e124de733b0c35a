/**
 * Results too big for the panel (issue 14). `webview.postMessage` serialises a message with
 * JSON.stringify (typed arrays are cut out of the text and sent as buffers beside it), and the
 * message is copied from the extension host to the workbench and on to the webview: a result
 * with several long timelines is hundreds of MB, and one with per-element data failed outright
 * with "Invalid string length". So before a payload is posted its size is estimated without
 * serialising it (@discoveryjs/json-ext's stringifyInfo, plus the typed arrays' bytes); over
 * PANEL_MAX_BYTES, the largest timelines are left out of what the panel gets, each with a note
 * the panel shows. Everything else (tables, histograms, counters) is always sent. The host keeps
 * the whole payload (history, export).
 *
 * No VS Code import: unit-tested without it (test/extension/panel-fit.test.ts).
 */
import { stringifyInfo } from "@discoveryjs/json-ext";
import type { ResultsPayload } from "../common/protocol";

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

/**
 * The payload to post to the panel: `p` itself when it fits in `maxBytes`, else `p` without the
 * largest timelines (as few as make it fit), with a note per timeline left out.
 */
export function fitForPanel(p: ResultsPayload, maxBytes: number = PANEL_MAX_BYTES): ResultsPayload {
  const sizes = p.runs.map((r) => (r.timeline ? messageBytes(r.timeline) : 0));
  let total = messageBytes({ ...p, runs: p.runs.map(({ timeline: _t, ...r }) => r) }) + sizes.reduce((a, b) => a + b, 0);
  if (total <= maxBytes) return p;
  const before = total;
  const drop = new Set<number>();
  for (const i of sizes.map((_, i) => i).sort((a, b) => sizes[b]! - sizes[a]! || a - b)) {
    if (total <= maxBytes || sizes[i] === 0) break;
    drop.add(i);
    total -= sizes[i]!;
  }
  const notes = [...drop]
    .sort((a, b) => a - b)
    .map((i) => {
      const r = p.runs[i]!;
      const segments = r.timeline?.segments.start_ns.length ?? 0;
      return (
        `The timeline of ${r.scenario} · ${r.mode} (${segments} segments, ${mb(sizes[i]!)}) is not shown: these results are ` +
        `${mb(before)} with their timelines, over the panel's ${mb(maxBytes)}. Record a window (timeline.from_ms, to_ms) ` +
        `or set timeline.max_segments, or write it with pvsched-sim run --trace.`
      );
    });
  return {
    ...p,
    runs: p.runs.map((r, i) => {
      if (!drop.has(i)) return r;
      const { timeline: _t, ...rest } = r;
      return rest;
    }),
    notes: [...(p.notes ?? []), ...notes],
  };
}

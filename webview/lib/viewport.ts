/** Viewport math for the per-CPU timeline: zoom about a point, pan, clamp, and pixel binning. */
import type { TimelineSegment } from "../../sim-core/results";

export interface Viewport {
  from: number;
  to: number;
}

export interface Bounds {
  min: number;
  max: number;
  /** Narrowest span allowed (ns), so zooming stops at a meaningful resolution. */
  minSpan: number;
}

/** Keep the viewport inside the bounds, keeping its span when possible. */
export function clamp(vp: Viewport, b: Bounds): Viewport {
  const full = b.max - b.min;
  const span = Math.min(Math.max(vp.to - vp.from, Math.min(b.minSpan, full)), full);
  if (!(span > 0)) return { from: b.min, to: b.max };
  let from = vp.from;
  if (from < b.min) from = b.min;
  if (from + span > b.max) from = b.max - span;
  return { from, to: from + span };
}

/**
 * Zoom by `factor` (>1 zooms in) keeping the time under `anchor` (0..1 across the view) fixed,
 * as a wheel zoom under the mouse pointer does.
 */
export function zoom(vp: Viewport, factor: number, anchor: number, b: Bounds): Viewport {
  if (!(factor > 0) || !Number.isFinite(factor)) return clamp(vp, b);
  const a = Math.min(Math.max(anchor, 0), 1);
  const span = vp.to - vp.from;
  const t = vp.from + a * span;
  const newSpan = Math.min(Math.max(span / factor, b.minSpan), b.max - b.min);
  return clamp({ from: t - a * newSpan, to: t - a * newSpan + newSpan }, b);
}

/** Pan by a fraction of the current span (negative = earlier). */
export function pan(vp: Viewport, fraction: number, b: Bounds): Viewport {
  const d = (vp.to - vp.from) * fraction;
  return clamp({ from: vp.from + d, to: vp.to + d }, b);
}

/** Index of the first segment that ends after `t` (segments sorted by start, non-overlapping). */
export function firstEndingAfter(segs: readonly TimelineSegment[], t: number): number {
  let lo = 0;
  let hi = segs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (segs[mid]!.end_ns <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Rect {
  x0: number;
  x1: number;
  cls: TimelineSegment["cls"];
  boosted: boolean;
  /** Thread label; for a merged rect, the thread that ran longest in it. */
  thread: string;
  start_ns: number;
  end_ns: number;
  /** How many segments this rect stands for (more than 1 when sub-pixel segments merged). */
  n: number;
  /** Share of the rect's time that was not idle (1 for a single busy segment). */
  busy: number;
}

/**
 * Rectangles to draw for one CPU row at `width` pixels. Segments narrower than `minPx` are merged
 * with their neighbours into one rect whose class is the one that ran longest in it (idle loses
 * ties, so short bursts of work stay visible) and which is marked boosted if any boosted vCPU ran
 * in it. This bounds the number of SVG elements by the width, whatever the zoom.
 */
export function rasterize(segs: readonly TimelineSegment[], vp: Viewport, width: number, minPx = 1): Rect[] {
  const span = vp.to - vp.from;
  if (!(span > 0) || !(width > 0)) return [];
  const k = width / span;
  const out: Rect[] = [];
  let acc: {
    x0: number;
    x1: number;
    time: Record<string, number>;
    byThread: Map<string, number>;
    boosted: boolean;
    start: number;
    end: number;
    n: number;
  } | null = null;
  const flush = () => {
    if (!acc) return;
    const t = acc.time;
    const cls: Rect["cls"] = (t.rt ?? 0) > 0 || (t.fair ?? 0) > 0 ? ((t.rt ?? 0) >= (t.fair ?? 0) ? "rt" : "fair") : "idle";
    let thread = "";
    let best = -1;
    for (const [th, d] of acc.byThread)
      if (d > best) {
        best = d;
        thread = th;
      }
    const all = (t.rt ?? 0) + (t.fair ?? 0) + (t.idle ?? 0);
    const busy = all > 0 ? ((t.rt ?? 0) + (t.fair ?? 0)) / all : 0;
    out.push({ x0: acc.x0, x1: acc.x1, cls, boosted: acc.boosted, thread, start_ns: acc.start, end_ns: acc.end, n: acc.n, busy });
    acc = null;
  };
  for (let i = firstEndingAfter(segs, vp.from); i < segs.length; i++) {
    const s = segs[i]!;
    if (s.start_ns >= vp.to) break;
    const a = Math.max(s.start_ns, vp.from);
    const e = Math.min(s.end_ns, vp.to);
    if (!(e > a)) continue;
    const x0 = (a - vp.from) * k;
    const x1 = (e - vp.from) * k;
    const dur = e - a;
    if (x1 - x0 >= minPx && !acc) {
      out.push({
        x0,
        x1,
        cls: s.cls,
        boosted: !!s.boosted,
        thread: s.thread,
        start_ns: s.start_ns,
        end_ns: s.end_ns,
        n: 1,
        busy: s.cls === "idle" ? 0 : 1,
      });
      continue;
    }
    if (!acc) acc = { x0, x1, time: {}, byThread: new Map(), boosted: false, start: s.start_ns, end: s.end_ns, n: 0 };
    acc.x1 = x1;
    acc.end = s.end_ns;
    acc.n++;
    acc.time[s.cls] = (acc.time[s.cls] ?? 0) + dur;
    if (s.cls !== "idle") acc.byThread.set(s.thread, (acc.byThread.get(s.thread) ?? 0) + dur);
    if (s.boosted) acc.boosted = true;
    if (acc.x1 - acc.x0 >= minPx) flush();
  }
  flush();
  return out;
}

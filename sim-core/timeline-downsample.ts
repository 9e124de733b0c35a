/**
 * A timeline made to fit a byte budget (issue 14: results too big for the panel are downsampled
 * with a note, never failed). Full resolution is kept only in a window around each probe's worst
 * sample and each histogram tail bin's, so that "Jump to worst" and a click on a tail bin still
 * land on real segments, markers and samples; every other
 * stretch of a track becomes one "not kept" segment flagged SEG_DOWNSAMPLED, which the renderer
 * draws from the level-of-detail pyramid. The pyramid was built from the whole run, so it is
 * exact at its own resolution; its finest levels (each LOD_FACTOR times larger than the next) are
 * left out until the whole fits. What was kept and left out is counted in Timeline.downsampled.
 *
 * Columns may be typed arrays or plain lists (a results file read back); the output's are typed.
 */
import type { ProbeResult, Timeline, TimelineLodLevel, TimelineWindow } from "./results";
import { SEG_CUT, SEG_DOWNSAMPLED } from "./timeline-codes";
import { markAt, segAt } from "./timeline-read";
import { type Ranges, intersect, union } from "./timeline-store";
import { sampleWindowNs } from "./timeline";

/** Bytes per segment, marker and sample in their typed columns (results.ts). */
const SEGMENT_BYTES = 8 + 2 + 1 + 1 + 1 + 2;
const MARKER_BYTES = 8 + 1 + 1 + 2;
const ANCHOR_BYTES = 2 + 2 + 8 + 8;
const LEVEL_BYTES_PER_BUCKET = (categories: number) => categories + 2 + 4;

/** Bytes of one summary level's columns. */
function levelBytes(lv: TimelineLodLevel, categories: number): number {
  return lv.entity.length * LEVEL_BYTES_PER_BUCKET(categories);
}

/**
 * Estimated bytes of a timeline in a webview message: its columns as typed arrays (what
 * downsampleTimeline returns) plus the JSON text of the rest (tracks, entities, budget).
 */
export function timelineBytes(tl: Timeline): number {
  const { segments, markers, anchors, lod, ...rest } = tl;
  const tracks = tl.tracks.length + 1;
  return (
    JSON.stringify(rest).length +
    tracks * 8 +
    segments.start_ns.length * SEGMENT_BYTES +
    markers.t_ns.length * MARKER_BYTES +
    anchors.wake_ns.length * ANCHOR_BYTES +
    lod.levels.reduce((a, lv) => a + levelBytes(lv, lod.categories) + 64, 0)
  );
}

/** A sample's window, clipped to the timeline (null when it lies outside). */
function windowOf(tl: Timeline, probe: string, rank: number, wake: number, run: number, latency: number): TimelineWindow | null {
  const [a, b] = sampleWindowNs(wake, run);
  const from = Math.max(a, tl.from_ns);
  const to = Math.min(b, tl.to_ns);
  return to > from ? { probe, rank, wake_ns: wake, latency_ns: latency, from_ns: from, to_ns: to, complete: true } : null;
}

/**
 * The windows to keep at full resolution: first each probe's worst sample (rank 1, worst first;
 * its causal chain gives its expiry and run times, else max_at_ns and its latency), then the worst
 * sample of each histogram tail bin that has one (ProbeWhy.tail, rank 2 on, worst first), which the
 * Distributions tab jumps to. Under a tight budget the last ones go first.
 */
export function worstWindows(tl: Timeline, probes: readonly ProbeResult[]): TimelineWindow[] {
  const worst: TimelineWindow[] = [];
  const tails: TimelineWindow[] = [];
  for (const p of probes) {
    const w = p.why?.worst;
    const run = w?.run_ns ?? p.max_at_ns;
    if (run === undefined) continue;
    const latency = w?.latency_ns ?? Math.round(p.latency.max_us * 1000);
    const wake = w?.wake_ns ?? run - latency;
    const first = windowOf(tl, p.id, 1, wake, run, latency);
    if (first) worst.push(first);
    let rank = 2;
    for (const t of p.why?.tail ?? []) {
      if (t.wake_ns === wake && t.run_ns === run) continue;
      const tw = windowOf(tl, p.id, rank, t.wake_ns, t.run_ns, t.latency_ns);
      if (tw) {
        tails.push(tw);
        rank++;
      }
    }
  }
  const order = (x: TimelineWindow, y: TimelineWindow) =>
    y.latency_ns - x.latency_ns || (x.probe < y.probe ? -1 : x.probe > y.probe ? 1 : 0);
  return [...worst.sort(order), ...tails.sort(order)];
}

/** The segments, markers and samples of `tl` inside `keep`, every gap a SEG_DOWNSAMPLED segment. */
function cutTo(tl: Timeline, keep: Ranges): Pick<Timeline, "segments" | "markers" | "anchors"> {
  const g = tl.segments;
  const n = tl.tracks.length;
  const idx: number[] = [];
  /** Where each gap starts: idx holds -1 for a gap. */
  const gapAt: number[] = [];
  const segOff = new Uint32Array(n + 1);
  for (let t = 0; t < n; t++) {
    const end = g.offset[t + 1]!;
    let next = g.offset[t]!;
    for (const [u, v] of keep) {
      const i0 = Math.max(segAt(tl, t, u), next);
      if (i0 >= end || g.start_ns[i0]! >= v) continue;
      // Segments overlapping the window are kept whole; what lies before them since the last kept one is a gap.
      if (i0 > next) {
        idx.push(-1);
        gapAt.push(g.start_ns[next]!);
      }
      let i = i0;
      while (i < end && g.start_ns[i]! < v) idx.push(i++);
      next = i;
    }
    if (next < end) {
      idx.push(-1);
      gapAt.push(g.start_ns[next]!);
    }
    segOff[t + 1] = idx.length;
  }
  const m = idx.length;
  const seg = {
    offset: segOff,
    start_ns: new Float64Array(m),
    entity: new Uint16Array(m),
    policy: new Uint8Array(m),
    prio: new Uint8Array(m),
    flags: new Uint8Array(m),
    cpu: new Int16Array(m),
  };
  let gap = 0;
  for (let k = 0; k < m; k++) {
    const i = idx[k]!;
    if (i < 0) {
      seg.start_ns[k] = gapAt[gap]!;
      seg.flags[k] = SEG_CUT | SEG_DOWNSAMPLED;
      seg.cpu[k] = -1;
      gap++;
      continue;
    }
    seg.start_ns[k] = g.start_ns[i]!;
    seg.entity[k] = g.entity[i]!;
    seg.policy[k] = g.policy[i]!;
    seg.prio[k] = g.prio[i]!;
    seg.flags[k] = g.flags[i]!;
    seg.cpu[k] = g.cpu[i]!;
  }
  const mk = tl.markers;
  const marks: number[] = [];
  const markOff = new Uint32Array(n + 1);
  for (let t = 0; t < n; t++) {
    for (const [u, v] of keep) for (let i = markAt(tl, t, u); i < mk.offset[t + 1]! && mk.t_ns[i]! < v; i++) marks.push(i);
    markOff[t + 1] = marks.length;
  }
  const pick = <T extends Float64Array | Uint8Array | Int16Array>(T: new (n: number) => T, col: ArrayLike<number>, rows: number[]) => {
    const out = new T(rows.length);
    for (let k = 0; k < rows.length; k++) out[k] = col[rows[k]!]!;
    return out;
  };
  const an = tl.anchors;
  const samples: number[] = [];
  // A sample stays when its wake-up to run overlaps a window (the few windows: a linear scan each).
  for (let i = 0; i < an.wake_ns.length; i++) if (keep.some(([u, v]) => an.wake_ns[i]! < v && an.run_ns[i]! >= u)) samples.push(i);
  return {
    segments: seg,
    markers: {
      offset: markOff,
      t_ns: pick(Float64Array, mk.t_ns, marks),
      kind: pick(Uint8Array, mk.kind, marks),
      arg: pick(Uint8Array, mk.arg, marks),
      cpu: pick(Int16Array, mk.cpu, marks),
    },
    anchors: {
      probe: Uint16Array.from(samples, (i) => an.probe[i]!),
      entity: Uint16Array.from(samples, (i) => an.entity[i]!),
      wake_ns: pick(Float64Array, an.wake_ns, samples),
      run_ns: pick(Float64Array, an.run_ns, samples),
    },
  };
}

/** A summary level with typed columns (a results file read back has plain lists). */
function typedLevel(lv: TimelineLodLevel): TimelineLodLevel {
  return {
    ...lv,
    share: lv.share instanceof Uint8Array ? lv.share : Uint8Array.from(lv.share),
    entity: lv.entity instanceof Uint16Array ? lv.entity : Uint16Array.from(lv.entity),
    count: lv.count instanceof Uint32Array ? lv.count : Uint32Array.from(lv.count),
  };
}

/**
 * `tl` within `maxBytes` (timelineBytes): full resolution in the worst samples' windows (as many
 * as fit, worst first), the finest summary levels that fit beside them. Null when not even the
 * coarsest level fits. `probes` are the run's (RunResult.probes).
 */
export function downsampleTimeline(tl: Timeline, probes: readonly ProbeResult[], maxBytes: number): Timeline | null {
  const wins = worstWindows(tl, probes);
  const levels = tl.lod.levels;
  // Bytes of levels l.. together: the finest level kept decides the rest.
  const from: number[] = new Array(levels.length + 1).fill(0);
  for (let l = levels.length - 1; l >= 0; l--) from[l] = from[l + 1]! + levelBytes(levels[l]!, tl.lod.categories) + 64;
  for (let keepWins = wins.length; keepWins >= 0; keepWins--) {
    const kept = wins.slice(0, keepWins);
    const ranges = union(kept.map((w): [number, number] => [w.from_ns, w.to_ns]));
    const cut = cutTo(tl, ranges);
    const downsampled = {
      segments_before: tl.segments.start_ns.length,
      segments_after: cut.segments.start_ns.length,
      markers_before: tl.markers.t_ns.length,
      markers_after: cut.markers.t_ns.length,
      anchors_before: tl.anchors.wake_ns.length,
      anchors_after: cut.anchors.wake_ns.length,
      lod_levels_dropped: 0,
      lod_levels_before: levels.length,
      bucket_ns: levels[0]?.bucket_ns ?? 0,
      windows: kept,
      windows_left_out: wins.length - keepWins,
    };
    const shell: Timeline = {
      ...tl,
      ...cut,
      lod: { ...tl.lod, levels: [] },
      budget: { ...tl.budget, kept: intersect(tl.budget.kept, ranges) },
      downsampled,
    };
    const base = timelineBytes(shell);
    // The coarsest level (one bucket per track) is always kept, so the timeline draws zoomed out.
    for (let l = 0; l < Math.max(1, levels.length); l++) {
      if (base + from[l]! > maxBytes) continue;
      downsampled.lod_levels_dropped = l;
      downsampled.bucket_ns = levels[l]?.bucket_ns ?? 0;
      return { ...shell, lod: { ...tl.lod, levels: levels.slice(l).map(typedLevel) } };
    }
  }
  return null;
}

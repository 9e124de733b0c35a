/**
 * Reading a Timeline (sim-core/results.ts): segment ends, the segments of a track, labels. Pure,
 * for the renderer, the trace exporter and tests alike.
 */
import type { Timeline } from "./results";
import {
  BOOST_SOURCES,
  EXIT_REASONS,
  IRQ_KICKED,
  IRQ_POSTED,
  IRQ_SOURCES,
  MARK_BOOST,
  MARK_BOOST_REQ,
  MARK_EXIT,
  MARK_IRQ,
  MARK_NAMES,
  MARK_REQ_SEEN,
  POLICY_CODES,
  POLICY_FIFO,
  POLICY_RR,
  REQUEST_NAMES,
  SEG_BOOSTED,
  SEG_CUT,
  SEG_HALTED,
  SEG_WAITING,
} from "./timeline-codes";

/** End of segment i of track `track`: where the next one starts, or the timeline's end. */
export function segEnd(tl: Timeline, track: number, i: number): number {
  return i + 1 < tl.segments.offset[track + 1]! ? tl.segments.start_ns[i + 1]! : tl.to_ns;
}

/** Index of the segment of `track` that holds time t (the first one if t is before it; offset[track+1] if the track is empty). */
export function segAt(tl: Timeline, track: number, t: number): number {
  const s = tl.segments.start_ns;
  const a = tl.segments.offset[track]!;
  let lo = a;
  let hi = tl.segments.offset[track + 1]!;
  if (lo === hi) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(a, lo - 1);
}

/** Index of the first marker of `track` at or after t. */
export function markAt(tl: Timeline, track: number, t: number): number {
  const m = tl.markers.t_ns;
  let lo = tl.markers.offset[track]!;
  let hi = tl.markers.offset[track + 1]!;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (m[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One segment as an object (for hover text, tests and exports; not for the hot path). */
export interface SegmentView {
  track: number;
  index: number;
  start_ns: number;
  end_ns: number;
  /** Thread name ("idle" when nothing runs). */
  thread: string;
  entity: number;
  /** "CFS", "BATCH", "IDLE", "FIFO 50", "RR 8", or "" for idle. */
  policy: string;
  boosted: boolean;
  cut: boolean;
  /** vCPU tracks: "running", "waiting" (runnable, not running), "halted". */
  vcpu_state?: "running" | "waiting" | "halted";
  /** vCPU tracks: the host CPU running the vCPU thread. */
  host_cpu?: number;
}

/** The policy as a kernel developer reads it: CFS (or EEVDF) for SCHED_OTHER, RR 8, FIFO 50. */
export function policyLabel(policy: number, prio: number, fair: "cfs" | "eevdf" = "cfs"): string {
  if (policy === 0) return "";
  if (policy === POLICY_FIFO) return `FIFO ${prio}`;
  if (policy === POLICY_RR) return `RR ${prio}`;
  const p = POLICY_CODES[policy];
  // A results file is input: a code this build does not know is shown, not thrown on (the
  // hover and the export read every segment).
  if (p === undefined || p === "") return `policy ${policy}`;
  const nice = prio - 20;
  const base = p === "other" ? fair.toUpperCase() : p.toUpperCase();
  return nice !== 0 ? `${base} nice ${nice}` : base;
}

export function segmentView(tl: Timeline, track: number, i: number): SegmentView {
  const g = tl.segments;
  const f = g.flags[i]!;
  const v: SegmentView = {
    track,
    index: i,
    start_ns: g.start_ns[i]!,
    end_ns: segEnd(tl, track, i),
    thread: tl.entities[g.entity[i]!]?.name ?? "?",
    entity: g.entity[i]!,
    policy: policyLabel(g.policy[i]!, g.prio[i]!, tl.tracks[track]!.fair),
    boosted: (f & SEG_BOOSTED) !== 0,
    cut: (f & SEG_CUT) !== 0,
  };
  if (tl.tracks[track]!.kind === "vcpu" && !v.cut) {
    v.vcpu_state = f & SEG_HALTED ? "halted" : f & SEG_WAITING ? "waiting" : "running";
    if (g.cpu[i]! >= 0) v.host_cpu = g.cpu[i];
  }
  return v;
}

/** The segments of a track as objects. */
export function trackSegments(tl: Timeline, track: number): SegmentView[] {
  const out: SegmentView[] = [];
  for (let i = tl.segments.offset[track]!; i < tl.segments.offset[track + 1]!; i++) out.push(segmentView(tl, track, i));
  return out;
}

/** A marker in words: "exit: hlt", "inject: timer (kick)", "boost (lazy)", "guest requests unboost"... */
export function markerLabel(kind: number, arg: number): string {
  if (kind === MARK_EXIT) return `exit: ${EXIT_REASONS[arg] ?? arg}`;
  if (kind === MARK_IRQ)
    return `inject: ${IRQ_SOURCES[arg & 0xf] ?? arg}${arg & IRQ_POSTED ? " (posted, no exit)" : ""}${arg & IRQ_KICKED ? " (kick)" : ""}`;
  if (kind === MARK_BOOST) return `boost (${BOOST_SOURCES[arg] ?? arg})`;
  if (kind === MARK_BOOST_REQ) return `guest requests ${REQUEST_NAMES[arg] ?? arg}`;
  if (kind === MARK_REQ_SEEN) return `host reads the ${REQUEST_NAMES[arg] ?? arg} request`;
  return MARK_NAMES[kind] ?? `marker ${kind}`;
}

/** JSON.stringify replacer that writes typed arrays as plain arrays (JSON has no typed arrays). */
export function typedArraysAsLists(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value as unknown as ArrayLike<number>) : value;
}

const COLUMNS: Record<string, Record<string, new (a: ArrayLike<number>) => ArrayLike<number>>> = {
  segments: {
    offset: Uint32Array,
    start_ns: Float64Array,
    entity: Uint16Array,
    policy: Uint8Array,
    prio: Uint8Array,
    flags: Uint8Array,
    cpu: Int16Array,
  },
  markers: { offset: Uint32Array, t_ns: Float64Array, kind: Uint8Array, arg: Uint8Array, cpu: Int16Array },
  anchors: { probe: Uint16Array, entity: Uint16Array, wake_ns: Float64Array, run_ns: Float64Array },
};
const LEVEL: Record<string, new (a: ArrayLike<number>) => ArrayLike<number>> = {
  share: Uint8Array,
  entity: Uint16Array,
  count: Uint32Array,
};

function column(v: unknown, T: new (a: ArrayLike<number>) => ArrayLike<number>, what: string): ArrayLike<number> {
  if (v instanceof T) return v;
  if (Array.isArray(v) && v.every((x) => typeof x === "number")) return new T(v);
  throw new Error(`timeline ${what} is not a list of numbers`);
}

/**
 * A Timeline as it arrives (typed arrays after postMessage, plain lists after a JSON round trip),
 * checked for shape and with every column a typed array. Throws a one-line message on a bad one.
 */
export function reviveTimeline(x: unknown): Timeline {
  const o = x as Record<string, Record<string, unknown>> | null;
  if (typeof o !== "object" || o === null) throw new Error("timeline is not an object");
  if (!Array.isArray(o.tracks) || !Array.isArray(o.entities))
    throw new Error("timeline has no tracks or entities (an older results file?)");
  if (typeof o.from_ns !== "number" || typeof o.to_ns !== "number") throw new Error("timeline has no from_ns/to_ns");
  const out = { ...o } as unknown as Record<string, unknown>;
  for (const [part, cols] of Object.entries(COLUMNS)) {
    const src = o[part];
    if (typeof src !== "object" || src === null) throw new Error(`timeline has no ${part}`);
    const dst: Record<string, unknown> = {};
    for (const [k, T] of Object.entries(cols)) dst[k] = column(src[k], T, `${part}.${k}`);
    out[part] = dst;
  }
  const lod = o.lod as unknown as { levels?: Record<string, unknown>[] } | undefined;
  if (!lod || !Array.isArray(lod.levels)) throw new Error("timeline has no lod levels");
  out.lod = {
    ...lod,
    levels: lod.levels.map((l, i) => {
      const d: Record<string, unknown> = { ...l };
      for (const [k, T] of Object.entries(LEVEL)) d[k] = column(l[k], T, `lod.levels.${i}.${k}`);
      return d;
    }),
  };
  const tl = out as unknown as Timeline;
  const n = tl.tracks.length;
  if (tl.segments.offset.length !== n + 1 || tl.markers.offset.length !== n + 1)
    throw new Error("timeline offsets do not match its tracks");
  if (tl.segments.offset[n] !== tl.segments.start_ns.length) throw new Error("timeline segment columns have the wrong length");
  return tl;
}

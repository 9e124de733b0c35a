/**
 * From the recorder's stores to the Timeline's columns: the vCPU tracks (guest task on the vCPU
 * laid over the vCPU thread's host state) and the track-by-track packing into one set of typed
 * arrays per column.
 */
import type { TimelineMarkers, TimelineSegments } from "./results";
import {
  MARK_BOOST,
  MARK_HALT,
  MARK_KICK,
  MARK_THROTTLE,
  MARK_UNBOOST,
  SEG_BOOSTED,
  SEG_CUT,
  SEG_HALTED,
  SEG_WAITING,
} from "./timeline-codes";
import { type MarkStore, type Ranges, SegStore } from "./timeline-store";

export interface VcpuTrackInput {
  host: readonly SegStore[];
  guest: SegStore;
  marks: MarkStore;
  /** Entity of the vCPU thread. */
  thread: number;
  from: number;
  to: number;
  kept: Ranges;
}

/**
 * The vCPU thread's host state as a tiling of [from, to): running on a CPU (from the host
 * tracks), or, between its runs, halted (after a halt marker, until a kick) or waiting
 * (runnable, not running); boosted as the host segments say while it runs, as the boost and
 * unboost markers say between runs.
 */
function hostState(o: VcpuTrackInput): SegStore {
  const runs: { s: number; e: number; cpu: number; boosted: boolean }[] = [];
  o.host.forEach((h, cpu) => {
    for (let i = 0; i < h.n; i++)
      if (h.entity[i] === o.thread && !(h.flags[i]! & SEG_CUT))
        runs.push({ s: h.start[i]!, e: h.endOf(i), cpu, boosted: (h.flags[i]! & SEG_BOOSTED) !== 0 });
  });
  runs.sort((a, b) => a.s - b.s || a.cpu - b.cpu);
  const out = new SegStore();
  const m = o.marks;
  let cur = o.from;
  let halted = false;
  let boosted = false;
  let mi = 0;
  const apply = (k: number) => {
    if (k === MARK_HALT) halted = true;
    else if (k === MARK_KICK) halted = false;
    else if (k === MARK_BOOST) boosted = true;
    else if (k === MARK_UNBOOST || k === MARK_THROTTLE) boosted = false;
  };
  const flags = () => (halted ? SEG_HALTED : SEG_WAITING) | (boosted ? SEG_BOOSTED : 0);
  const gap = (until: number) => {
    while (mi < m.n && m.t[mi]! < until) {
      const t = m.t[mi]!;
      if (t > cur) {
        out.push(cur, t, 0, 0, 0, flags());
        cur = t;
      }
      apply(m.kind[mi++]!);
    }
    if (until > cur) {
      out.push(cur, until, 0, 0, 0, flags());
      cur = until;
    }
  };
  for (const r of runs) {
    const s = Math.max(r.s, o.from);
    const e = Math.min(r.e, o.to);
    if (!(e > s) || s < cur) continue;
    gap(s);
    out.push(s, e, 0, 0, 0, r.boosted ? SEG_BOOSTED : 0, r.cpu);
    while (mi < m.n && m.t[mi]! < e) apply(m.kind[mi++]!);
    // The host segment is authoritative for the state at its end; a running thread is not halted.
    boosted = r.boosted;
    halted = false;
    cur = e;
  }
  gap(o.to);
  return out;
}

/** The vCPU track: the guest task current on the vCPU, over the vCPU thread's host state, cut where the budget cut. */
export function deriveVcpuTrack(o: VcpuTrackInput): SegStore {
  const st = hostState(o);
  const g = o.guest;
  const merged = new SegStore();
  let i = 0;
  let j = 0;
  let cur = o.from;
  while (cur < o.to && i < st.n) {
    while (j < g.n && g.endOf(j) <= cur) j++;
    const inG = j < g.n && g.start[j]! <= cur;
    const e = Math.min(st.endOf(i), inG ? g.endOf(j) : j < g.n ? g.start[j]! : o.to, o.to);
    if (inG) merged.push(cur, e, g.entity[j]!, g.policy[j]!, g.prio[j]!, st.flags[i]! | (g.flags[j]! & SEG_CUT), st.cpu[i]);
    else merged.push(cur, e, 0, 0, 0, st.flags[i]!, st.cpu[i]);
    cur = e;
    if (st.endOf(i) <= cur) i++;
  }
  const whole = o.kept.length === 1 && o.kept[0]![0] <= o.from && o.kept[0]![1] >= o.to;
  return whole ? merged : clipToKept(merged, o.kept, o.to);
}

/** Every part of `s` outside the kept ranges becomes "not kept". */
function clipToKept(s: SegStore, kept: Ranges, to: number): SegStore {
  const out = new SegStore();
  let r = 0;
  for (let i = 0; i < s.n; i++) {
    let a = s.start[i]!;
    const e = Math.min(s.endOf(i), to);
    while (a < e) {
      while (r < kept.length && kept[r]![1] <= a) r++;
      const inside = r < kept.length && kept[r]![0] <= a;
      const b = Math.min(e, r < kept.length ? (inside ? kept[r]![1] : kept[r]![0]) : e);
      if (inside) out.push(a, b, s.entity[i]!, s.policy[i]!, s.prio[i]!, s.flags[i]!, s.cpu[i]);
      else out.push(a, b, 0, 0, 0, SEG_CUT);
      a = b;
    }
  }
  return out;
}

export function packSegments(stores: readonly SegStore[]): TimelineSegments {
  const n = stores.reduce((x, s) => x + s.n, 0);
  const out: TimelineSegments = {
    offset: new Uint32Array(stores.length + 1),
    start_ns: new Float64Array(n),
    entity: new Uint16Array(n),
    policy: new Uint8Array(n),
    prio: new Uint8Array(n),
    flags: new Uint8Array(n),
    cpu: new Int16Array(n),
  };
  let k = 0;
  stores.forEach((s, t) => {
    out.offset[t] = k;
    out.start_ns.set(s.start.subarray(0, s.n), k);
    out.entity.set(s.entity.subarray(0, s.n), k);
    out.policy.set(s.policy.subarray(0, s.n), k);
    out.prio.set(s.prio.subarray(0, s.n), k);
    out.flags.set(s.flags.subarray(0, s.n), k);
    out.cpu.set(s.cpu.subarray(0, s.n), k);
    k += s.n;
  });
  out.offset[stores.length] = k;
  return out;
}

export function packMarkers(stores: readonly MarkStore[]): TimelineMarkers {
  const n = stores.reduce((x, s) => x + s.n, 0);
  const out: TimelineMarkers = {
    offset: new Uint32Array(stores.length + 1),
    t_ns: new Float64Array(n),
    kind: new Uint8Array(n),
    arg: new Uint8Array(n),
    cpu: new Int16Array(n),
  };
  let k = 0;
  stores.forEach((s, t) => {
    out.offset[t] = k;
    out.t_ns.set(s.t.subarray(0, s.n), k);
    out.kind.set(s.kind.subarray(0, s.n), k);
    out.arg.set(s.arg.subarray(0, s.n), k);
    out.cpu.set(s.cpu.subarray(0, s.n), k);
    k += s.n;
  });
  out.offset[stores.length] = k;
  return out;
}

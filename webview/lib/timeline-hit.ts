/** What is under the pointer on the timeline, as text: a segment, a pixel's worth of segments, markers. */
import type { Timeline, TimelineTrack } from "../../sim-core/results";
import { SEG_DOWNSAMPLED } from "../../sim-core/timeline-codes";
import { markAt, markerLabel, segAt, segEnd, segmentView } from "../../sim-core/timeline-read";
import { fmtNs } from "./format";

/** A time as ftrace prints it: seconds with microseconds. */
export function fmtAt(ns: number): string {
  return `${(ns / 1e9).toFixed(6)} s`;
}

/** Track `track` of the timeline; a caller passing an index it has no track for is a bug. */
function trackAt(tl: Timeline, track: number): TimelineTrack {
  const tr = tl.tracks[track];
  if (!tr) throw new RangeError(`no timeline track ${track} (of ${tl.tracks.length})`);
  return tr;
}

/** Marker `i` (an index from markAt: every marker column has an entry for it), in words. */
export function markerText(tl: Timeline, i: number): string {
  const m = tl.markers;
  const cpu = m.cpu[i]!;
  return `${markerLabel(m.kind[i]!, m.arg[i]!)} at ${fmtAt(m.t_ns[i]!)}${cpu >= 0 ? ` on CPU ${cpu}` : ""}`;
}

/** One segment, in words. */
export function segmentText(tl: Timeline, track: number, i: number): string[] {
  const v = segmentView(tl, track, i);
  const tr = trackAt(tl, track);
  const when = `${fmtAt(v.start_ns)} – ${fmtAt(v.end_ns)} (${fmtNs(v.end_ns - v.start_ns)})`;
  // segmentView read segment i: it exists.
  if (v.cut && tl.segments.flags[i]! & SEG_DOWNSAMPLED) {
    const bucket = tl.lod.levels[0]?.bucket_ns ?? 0;
    return [`${tr.name}: downsampled to fit the panel, drawn from its ${fmtNs(bucket)} summary`, when];
  }
  if (v.cut) return [`${tr.name}: not kept (the timeline budget cut here)`, when];
  if (tr.kind === "cpu") {
    if (v.entity === 0) return [`CPU ${tr.cpu}: idle`, when];
    return [`CPU ${tr.cpu}: ${v.thread} · ${v.policy}${v.boosted ? " · boosted by the series" : ""}`, when];
  }
  const state =
    v.vcpu_state === "running"
      ? `vCPU thread running on CPU ${v.host_cpu}`
      : v.vcpu_state === "waiting"
        ? "vCPU thread runnable but not running (steal)"
        : "vCPU halted (blocked in kvm_vcpu_block)";
  const guest = v.entity === 0 ? "guest idle" : `guest task ${v.thread} · ${v.policy}`;
  return [`${tr.name}: ${guest}`, `${state}${v.boosted ? " · boosted" : ""}`, when];
}

/** What lies in [t0, t1) on a track when it holds many segments: counts and the busiest thread. */
export function spanText(tl: Timeline, track: number, t0: number, t1: number): string[] {
  const g = tl.segments;
  const tr = trackAt(tl, track);
  // offset has an entry past the last track's; track's segments are offset[track] .. end - 1.
  const end = g.offset[track + 1]!;
  let n = 0;
  let busy = 0;
  const by = new Map<number, number>();
  for (let i = segAt(tl, track, t0); i < end && g.start_ns[i]! < t1; i++) {
    const a = Math.max(g.start_ns[i]!, t0);
    const b = Math.min(segEnd(tl, track, i), t1);
    if (!(b > a)) continue;
    n++;
    const ent = g.entity[i]!;
    if (ent !== 0) {
      busy += b - a;
      by.set(ent, (by.get(ent) ?? 0) + b - a);
    }
  }
  let top = 0;
  let topNs = 0;
  for (const [e, ns] of by)
    if (ns > topNs) {
      top = e;
      topNs = ns;
    }
  const pct = Math.round((100 * busy) / Math.max(1, t1 - t0));
  return [
    `${tr.name}: ${n} segments in ${fmtNs(t1 - t0)}, ${pct}% not idle${top ? `, mostly ${tl.entities[top]?.name}` : ""}`,
    `${fmtAt(t0)} – ${fmtAt(t1)}: zoom in to see each one`,
  ];
}

/** The hover text at time t on a track, `nsPerPx` being the width of a pixel. */
export function describeAt(tl: Timeline, track: number, t: number, nsPerPx: number): { lines: string[]; index: number } {
  const i = segAt(tl, track, t);
  // offset has an entry past the last track's.
  if (i >= tl.segments.offset[track + 1]!) return { lines: [`${trackAt(tl, track).name}: nothing recorded here`], index: -1 };
  const lines =
    segEnd(tl, track, i) - tl.segments.start_ns[i]! >= nsPerPx
      ? segmentText(tl, track, i)
      : spanText(tl, track, t - nsPerPx / 2, t + nsPerPx / 2);
  // Markers within three pixels.
  const a = markAt(tl, track, t - 3 * nsPerPx);
  const b = markAt(tl, track, t + 3 * nsPerPx);
  for (let m = a; m < Math.min(b, a + 4); m++) lines.push(markerText(tl, m));
  if (b - a > 4) lines.push(`… ${b - a - 4} more markers here`);
  return { lines, index: i };
}

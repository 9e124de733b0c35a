/**
 * The per-CPU run timeline: what each host CPU ran, in which class, boosted or not. A window
 * and a per-CPU segment budget keep a 90 s run in bounded memory; segments past the budget are
 * counted, not stored.
 */
import type { Timeline, TimelineSegment } from "./results";
import { IDLE_LABEL } from "./sched/idle";
import type { Task } from "./sched/task";

export class TimelineRecorder {
  readonly cpus: TimelineSegment[][];
  merged = 0;

  constructor(
    ncpus: number,
    readonly fromNs: number,
    readonly toNs: number,
    readonly maxSegments: number,
  ) {
    this.cpus = Array.from({ length: ncpus }, () => []);
  }

  segment(cpu: number, start: number, end: number, t: Task | null): void {
    if (end <= this.fromNs || start >= this.toNs) return;
    const s = Math.max(start, this.fromNs);
    const e = Math.min(end, this.toNs);
    const list = this.cpus[cpu];
    const thread = t ? t.name : IDLE_LABEL;
    const cls: TimelineSegment["cls"] = !t ? "idle" : t.isRt ? "rt" : "fair";
    const last = list[list.length - 1];
    if (last && last.thread === thread && last.cls === cls && last.end_ns === s && !!last.boosted === (t?.boosted ?? false)) {
      last.end_ns = e;
      return;
    }
    if (list.length >= this.maxSegments) {
      this.merged++;
      return;
    }
    const seg: TimelineSegment = { start_ns: s, end_ns: e, thread, cls };
    if (t?.boosted) seg.boosted = true;
    list.push(seg);
  }

  result(): Timeline {
    return { from_ns: this.fromNs, to_ns: this.toNs, cpus: this.cpus, merged: this.merged };
  }
}

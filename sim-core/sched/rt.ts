/**
 * The RT class (kernel/sched/rt.c): SCHED_FIFO and SCHED_RR, priorities 1..99 (higher wins),
 * FIFO order within a priority, RR slices, and RT throttling (sched_rt_runtime_us per
 * sched_rt_period_us, per CPU; RT_RUNTIME_SHARE is off by default, so no borrowing).
 */
import type { SchedTunables } from "../params";
import type { Task } from "./task";

export class RtClass {
  /** Runnable RT tasks, highest priority first, FIFO within a priority; includes the running one. */
  readonly q: Task[] = [];
  /** RT time used in the current period. */
  rtTime = 0;
  throttled = false;
  throttleCount = 0;

  constructor(private readonly tun: SchedTunables) {}

  get nrRunning(): number {
    return this.q.length;
  }

  enqueue(t: Task, head = false): void {
    let i = 0;
    const q = this.q;
    if (head) while (i < q.length && q[i].rtPrio > t.rtPrio) i++;
    else while (i < q.length && q[i].rtPrio >= t.rtPrio) i++;
    q.splice(i, 0, t);
    if (t.policy === "rr" && t.rrLeft <= 0) t.rrLeft = this.tun.rrSliceNs;
  }

  dequeue(t: Task): void {
    const i = this.q.indexOf(t);
    if (i >= 0) this.q.splice(i, 1);
  }

  /** pick_next_task_rt(): nothing while throttled. */
  pick(): Task | null {
    if (this.throttled || this.q.length === 0) return null;
    return this.q[0];
  }

  /** Highest waiting priority, or -1. */
  topPrio(): number {
    return this.q.length ? this.q[0].rtPrio : -1;
  }

  /** update_curr_rt(): account `delta` of RT execution. Returns true when it throttles. */
  account(delta: number): boolean {
    if (this.tun.rtRuntimeNs < 0) return false;
    this.rtTime += delta;
    if (!this.throttled && this.rtTime > this.tun.rtRuntimeNs) {
      this.throttled = true;
      this.throttleCount++;
      return true;
    }
    return false;
  }

  /** do_sched_rt_period_timer(): a new period. Returns true if it unthrottled. */
  period(): boolean {
    if (this.tun.rtRuntimeNs < 0) return false;
    this.rtTime = Math.max(0, this.rtTime - this.tun.rtRuntimeNs);
    if (this.throttled && this.rtTime < this.tun.rtRuntimeNs) {
      this.throttled = false;
      return true;
    }
    return false;
  }

  /** task_tick_rt() for SCHED_RR: returns true when the slice ran out and someone else waits. */
  tick(curr: Task, ran: number): boolean {
    if (curr.policy !== "rr") return false;
    curr.rrLeft -= ran;
    if (curr.rrLeft > 0) return false;
    curr.rrLeft = this.tun.rrSliceNs;
    // Requeue at the tail of its priority only if another task shares it.
    const others = this.q.some((t) => t !== curr && t.rtPrio === curr.rtPrio);
    if (!others) return false;
    this.dequeue(curr);
    this.enqueue(curr);
    return true;
  }
}

/**
 * The RT class (kernel/sched/rt.c): SCHED_FIFO and SCHED_RR, priorities 1..99 (higher wins),
 * FIFO order within a priority, RR slices, and RT throttling (sched_rt_runtime_us per
 * sched_rt_period_us, per CPU; RT_RUNTIME_SHARE is off by default, so no borrowing).
 */
import type { SchedTunables } from "../params";
import type { SchedClass } from "./class";
import type { Task } from "./task";
import { TIME_ZERO } from "../engine";

export class RtClass implements SchedClass {
  readonly name = "rt" as const;
  /** Runnable RT tasks, highest priority first, FIFO within a priority; includes the running one. */
  readonly q: Task[] = [];
  /** RT time used in the current period. */
  rtTime = TIME_ZERO;
  throttled = false;
  throttleCount = 0;

  constructor(private readonly tun: SchedTunables) {}

  get nrRunning(): number {
    return this.q.length;
  }

  enqueue(t: Task, _wakeup: boolean, head: boolean): void {
    let i = 0;
    const q = this.q;
    if (head) while (i < q.length && q[i]!.rtPrio > t.rtPrio) i++;
    else while (i < q.length && q[i]!.rtPrio >= t.rtPrio) i++;
    // Insert at i by hand: splice() would make an array of the removed elements on every enqueue.
    q.push(t);
    for (let j = q.length - 1; j > i; j--) q[j] = q[j - 1]!;
    q[i] = t;
    if (t.policy === "rr" && t.rrLeft <= 0) t.rrLeft = this.tun.rrSliceNs;
  }

  dequeue(t: Task, _sleep = false): void {
    const q = this.q;
    const i = q.indexOf(t);
    if (i < 0) return;
    for (let j = i; j < q.length - 1; j++) q[j] = q[j + 1]!;
    q.pop();
  }

  /** pick_next_task_rt(): nothing while throttled. */
  pickNext(): Task | null {
    if (this.throttled || this.q.length === 0) return null;
    return this.q[0]!;
  }

  /** Highest waiting priority, or -1. */
  topPrio(): number {
    return this.q.length ? this.q[0]!.rtPrio : -1;
  }

  /** update_curr_rt(): account `delta` of RT execution. Returns true when it throttles. */
  updateCurr(_t: Task, delta: number): boolean {
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

  /**
   * task_tick_rt(): a throttled class gives the CPU back; SCHED_RR requeues when its slice ran
   * out and another task of its priority waits.
   */
  taskTick(curr: Task, ran: number): boolean {
    return this.rrTick(curr, ran) || this.throttled;
  }

  private rrTick(curr: Task, ran: number): boolean {
    if (curr.policy !== "rr") return false;
    curr.rrLeft -= ran;
    if (curr.rrLeft > 0) return false;
    curr.rrLeft = this.tun.rrSliceNs;
    // Requeue at the tail of its priority only if another task shares it.
    const others = this.q.some((t) => t !== curr && t.rtPrio === curr.rtPrio);
    if (!others) return false;
    this.dequeue(curr);
    this.enqueue(curr, false, false);
    return true;
  }

  /** check_preempt_curr_rt(): a strictly higher priority preempts. */
  checkPreemptCurr(curr: Task, p: Task): boolean {
    return p.rtPrio > curr.rtPrio;
  }

  // The running task stays in the queue (at its position), so nothing to do when it starts or
  // stops running, or when a task joins or leaves the class.
  putPrev(_t: Task): void {}
  setNext(_t: Task): void {}
  switchedFrom(_t: Task): void {}
  switchedTo(_t: Task): void {}
}

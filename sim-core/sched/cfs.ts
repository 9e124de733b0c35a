/**
 * CFS as in Linux 6.5 (kernel/sched/fair.c before EEVDF), the seed series' base: the entity
 * with the smallest vruntime runs; a waking entity gets at most half a latency period of
 * sleeper credit (GENTLE_FAIR_SLEEPERS); wakeup preemption needs a vruntime lead larger than the
 * wakeup granularity; the tick preempts after the entity's slice of sched_latency.
 */
import { SCHED_NR_LATENCY } from "../params";
import { type CfsRq, FairClass } from "./fair";
import type { Se, Task } from "./task";

export class CfsClass extends FairClass {
  protected place(rq: CfsRq, se: Se, wakeup: boolean): void {
    if (!wakeup) return;
    // 6.5: sleeps up to half a latency period do not count (GENTLE_FAIR_SLEEPERS).
    const thresh = (se.task && se.task.policy === "idle" ? this.tun.minGranNs : this.tun.latencyNs) / 2;
    const v = rq.minVruntime - thresh;
    if (se.vruntime < v) se.vruntime = v;
  }

  protected pickEntity(rq: CfsRq): Se | null {
    return this.firstEntity(rq);
  }

  protected onAdvance(_rq: CfsRq, _se: Se): boolean {
    return false;
  }

  protected onDequeueEntity(_rq: CfsRq, _se: Se): void {}

  protected entityPreempts(_rq: CfsRq, cse: Se, pse: Se): boolean {
    const vdiff = cse.vruntime - pse.vruntime;
    if (vdiff <= 0) return false;
    // wakeup_gran() is scaled by the *waking* entity's weight.
    const gran = this.calcDeltaFair(this.tun.wakeupGranNs, pse);
    return vdiff > gran;
  }

  private period(nr: number): number {
    return nr > SCHED_NR_LATENCY ? nr * this.tun.minGranNs : this.tun.latencyNs;
  }

  /** sched_slice() of 6.5, with ALT_PERIOD (the period counts all runnable tasks). */
  private slice(se: Se): number {
    let slice = this.period(this.root.hNr);
    for (let s: Se | null = se; s; ) {
      const rq: CfsRq = s.cfsRq!;
      if (rq.load > 0) slice = (slice * s.weight) / rq.load;
      s = rq.se;
    }
    return slice;
  }

  protected tickPreempts(curr: Task, _advanced: boolean): boolean {
    for (let se: Se | null = curr.se; se; ) {
      const rq: CfsRq = se.cfsRq!;
      if (rq.nrRunning > 1 && this.checkPreemptTick(rq, se)) return true;
      se = rq.se;
    }
    return false;
  }

  /** check_preempt_tick(). */
  private checkPreemptTick(rq: CfsRq, curr: Se): boolean {
    const ideal = this.slice(curr);
    const ran = curr.sumExec - curr.prevSumExec;
    if (ran > ideal) return true;
    if (ran < this.tun.minGranNs) return false;
    const left = rq.tree.leftmost;
    if (!left) return false;
    const delta = curr.vruntime - left.vruntime;
    return delta > ideal;
  }

  /**
   * 6.5's detach_task_cfs_rq() places the entity as for a wakeup and keeps its vruntime relative
   * to min_vruntime, so that time spent in another class neither accrues nor forfeits a sleep
   * credit beyond half a latency period.
   */
  switchedFrom(t: Task): void {
    const rq = this.rqFor(t.tg);
    this.place(rq, t.se, true);
    t.se.relVruntime = t.se.vruntime - rq.minVruntime;
  }

  /** attach_task_cfs_rq(). */
  switchedTo(t: Task): void {
    t.se.vruntime = t.se.relVruntime + this.rqFor(t.tg).minVruntime;
  }
}

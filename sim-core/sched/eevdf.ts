/**
 * EEVDF as in Linux 6.6+ (kernel/sched/fair.c): among the eligible entities (vruntime not ahead
 * of the load-weighted average V), the one with the earliest virtual deadline runs; lag is kept
 * across sleep (PLACE_LAG); the running entity keeps the CPU until its deadline is met
 * (RUN_TO_PARITY); a new slice starts when the entity reaches its deadline.
 */
import { type CfsRq, FairClass, isIdleEntity } from "./fair";
import type { Se, Task } from "./task";

interface Avg {
  v0: number;
  avg: number;
  load: number;
}

export class EevdfClass extends FairClass {
  private avgVruntime(rq: CfsRq): Avg {
    const v0 = rq.minVruntime;
    let avg = 0;
    let load = 0;
    for (const se of rq.q) {
      avg += (se.vruntime - v0) * se.weight;
      load += se.weight;
    }
    return { v0, avg, load };
  }

  /** avg_vruntime(): V. */
  private V(rq: CfsRq): number {
    const a = this.avgVruntime(rq);
    return a.load > 0 ? a.v0 + a.avg / a.load : rq.minVruntime;
  }

  private eligible(se: Se, a: Avg): boolean {
    return a.avg >= (se.vruntime - a.v0) * a.load;
  }

  private pickEevdf(rq: CfsRq): Se | null {
    const a = this.avgVruntime(rq);
    const curr = rq.curr?.onRq && this.eligible(rq.curr, a) ? rq.curr : null;
    if (curr && curr.parity === curr.deadline) return curr; // RUN_TO_PARITY
    let best: Se | null = null;
    for (const se of rq.q) {
      if (!this.eligible(se, a)) continue;
      if (!best || se.deadline < best.deadline) best = se;
    }
    // With no eligible entity (rounding), fall back to the smallest vruntime.
    if (!best) for (const se of rq.q) if (!best || se.vruntime < best.vruntime) best = se;
    return best;
  }

  protected pickEntity(rq: CfsRq): Se | null {
    return this.pickEevdf(rq);
  }

  protected place(rq: CfsRq, se: Se, _wakeup: boolean): void {
    const V = this.V(rq);
    let lag = 0;
    if (rq.q.length > 0) {
      const load = rq.load;
      lag = load > 0 ? (se.vlag * (load + se.weight)) / load : se.vlag;
    }
    se.vruntime = V - lag;
    se.deadline = se.vruntime + this.calcDeltaFair(this.tun.baseSliceNs, se);
  }

  /** update_deadline(): a new slice, and a resched if anyone else is waiting. */
  protected onAdvance(rq: CfsRq, se: Se): boolean {
    if (se.vruntime < se.deadline) return false;
    se.deadline = se.vruntime + this.calcDeltaFair(this.tun.baseSliceNs, se);
    return rq.q.length > 1;
  }

  /** The lag saved at dequeue, clamped as 6.6's update_entity_lag() does. */
  protected onDequeueEntity(rq: CfsRq, se: Se): void {
    const limit = this.calcDeltaFair(Math.max(2 * this.tun.baseSliceNs, this.tun.tickNs), se);
    const lag = this.V(rq) - se.vruntime;
    se.vlag = Math.max(-limit, Math.min(limit, lag));
  }

  /** check_preempt_wakeup() of 6.6: preempt if the wakee is what pick_eevdf() would run. */
  checkPreemptCurr(curr: Task, p: Task, reschedPending: boolean): boolean {
    if (curr === p || reschedPending) return false;
    if (curr.policy === "idle" && p.policy !== "idle") return true;
    if (p.policy !== "other" || !this.tun.features.WAKEUP_PREEMPTION) return false;
    const m = this.matchingEntities(curr, p);
    const cIdle = isIdleEntity(m.cse);
    const pIdle = isIdleEntity(m.pse);
    if (cIdle && !pIdle) return true;
    if (cIdle !== pIdle) return false;
    this.updateCurrChain();
    return this.pickEevdf(m.rq) === m.pse;
  }

  /** 6.6's place_entity() with ENQUEUE_INITIAL: no lag yet, half a slice to the first deadline. */
  protected placeNew(rq: CfsRq, se: Se): void {
    se.vlag = 0;
    this.place(rq, se, false);
    se.deadline = se.vruntime + this.calcDeltaFair(this.tun.baseSliceNs, se) / 2;
  }

  // 6.6 keeps only the next buddy, and uses it only under NEXT_BUDDY (off): not modelled.
  protected onSetNextEntity(_rq: CfsRq, _se: Se): void {}
  protected onGroupKeepsRunning(_gse: Se): void {}

  protected tickPreempts(_curr: Task, advanced: boolean): boolean {
    return advanced;
  }

  /** EEVDF keeps the lag through a class change; nothing to convert. */
  switchedFrom(t: Task): void {
    this.detachFromClass(t);
  }

  switchedTo(t: Task): void {
    this.attachToClass(t);
  }
}

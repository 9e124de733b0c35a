/**
 * EEVDF as in Linux 6.6+ (kernel/sched/fair.c): among the eligible entities (vruntime not ahead
 * of the load-weighted average V), the one with the earliest virtual deadline runs; lag is kept
 * across sleep (PLACE_LAG); the running entity keeps the CPU until its deadline is met
 * (RUN_TO_PARITY); a new slice starts when the entity reaches its deadline. As in 6.6, V comes
 * from running sums kept at every enqueue and dequeue (avg_vruntime) and the pick walks the
 * timeline augmented with each subtree's earliest deadline (min_deadline): O(log n).
 */
import { type CfsRq, FairClass, isIdleEntity } from "./fair";
import type { Se, Task } from "./task";

/** The augmented summary: the earliest deadline in the subtree (min_deadline_update()). */
function minDeadlineUpdate(se: Se): void {
  let m = se.deadline;
  const l = se.rbLeft;
  const r = se.rbRight;
  if (l && l.minDeadline < m) m = l.minDeadline;
  if (r && r.minDeadline < m) m = r.minDeadline;
  se.minDeadline = m;
}

export class EevdfClass extends FairClass {
  protected override timelineAugment(): (se: Se) => void {
    return minDeadlineUpdate;
  }

  /** avg_vruntime_add(): the entity's key (vruntime - min_vruntime) times its weight. */
  protected override onTimelineAdd(rq: CfsRq, se: Se): void {
    se.minDeadline = se.deadline;
    rq.avgVruntime += (se.vruntime - rq.minVruntime) * se.weight;
    rq.avgLoad += se.weight;
  }

  /** avg_vruntime_sub(). */
  protected override onTimelineRemove(rq: CfsRq, se: Se): void {
    rq.avgVruntime -= (se.vruntime - rq.minVruntime) * se.weight;
    rq.avgLoad -= se.weight;
  }

  /** avg_vruntime_update(): the keys are relative to min_vruntime. */
  protected override onMinVruntimeAdvance(rq: CfsRq, delta: number): void {
    rq.avgVruntime -= rq.avgLoad * delta;
  }

  protected override onReweight(rq: CfsRq, se: Se, weight: number): void {
    const key = se.vruntime - rq.minVruntime;
    rq.avgVruntime += key * (weight - se.weight);
    rq.avgLoad += weight - se.weight;
  }

  /** The sums of avg_vruntime() with the running entity added (into sumAvg, sumLoad). */
  private sumAvg = 0;
  private sumLoad = 0;
  private sums(rq: CfsRq): void {
    this.sumAvg = rq.avgVruntime;
    this.sumLoad = rq.avgLoad;
    const curr = rq.curr;
    if (curr?.onRq) {
      this.sumAvg += (curr.vruntime - rq.minVruntime) * curr.weight;
      this.sumLoad += curr.weight;
    }
  }

  /** avg_vruntime(): V, the load-weighted average vruntime, the running entity included. */
  private V(rq: CfsRq): number {
    this.sums(rq);
    return this.sumLoad > 0 ? rq.minVruntime + this.sumAvg / this.sumLoad : rq.minVruntime;
  }

  /** entity_eligible(): not ahead of V (compared without dividing, as the kernel does). */
  private eligible(rq: CfsRq, se: Se): boolean {
    this.sums(rq);
    return this.sumAvg >= (se.vruntime - rq.minVruntime) * this.sumLoad;
  }

  /**
   * pick_eevdf(): the eligible entity with the earliest deadline. Walking down from the root, an
   * eligible node's left subtree is eligible as a whole (smaller vruntimes), so its min_deadline
   * stands for it; an ineligible node's right subtree is not eligible at all.
   */
  private pickEevdf(rq: CfsRq): Se | null {
    let curr = rq.curr;
    if (curr && (!curr.onRq || !this.eligible(rq, curr))) curr = null;
    // RUN_TO_PARITY: the running entity keeps the CPU until it gets a new slice.
    if (curr && curr.parity === curr.deadline) return curr;
    let best: Se | null = null;
    let bestLeft: Se | null = null;
    for (let node = rq.tree.root; node; ) {
      if (!this.eligible(rq, node)) {
        node = node.rbLeft;
        continue;
      }
      if (!best || node.deadline < best.deadline) best = node;
      const l = node.rbLeft;
      if (l && (!bestLeft || l.minDeadline < bestLeft.minDeadline)) bestLeft = l;
      node = node.rbRight;
    }
    if (bestLeft && (!best || bestLeft.minDeadline < best.deadline)) {
      let n = bestLeft;
      while (n.deadline !== n.minDeadline) n = n.rbLeft && n.rbLeft.minDeadline === n.minDeadline ? n.rbLeft : n.rbRight!;
      best = n;
    }
    if (!best || (curr && curr.deadline < best.deadline)) best = curr;
    // With no eligible entity (rounding), the leftmost.
    return best ?? rq.tree.leftmost ?? (rq.curr?.onRq ? rq.curr : null);
  }

  protected pickEntity(rq: CfsRq): Se | null {
    return this.pickEevdf(rq);
  }

  /** place_entity() of 6.6 (PLACE_LAG): the saved lag, scaled for the weight it adds. */
  protected place(rq: CfsRq, se: Se, _wakeup: boolean): void {
    const V = this.V(rq);
    let lag = 0;
    if (rq.nrRunning > 0) {
      let load = rq.avgLoad;
      if (rq.curr?.onRq) load += rq.curr.weight;
      lag = load > 0 ? (se.vlag * (load + se.weight)) / load : se.vlag;
    }
    se.vruntime = V - lag;
    se.deadline = se.vruntime + this.calcDeltaFair(this.tun.baseSliceNs, se);
  }

  /** update_deadline(): a new slice, and a resched if anyone else is waiting. */
  protected onAdvance(rq: CfsRq, se: Se): boolean {
    if (se.vruntime < se.deadline) return false;
    se.deadline = se.vruntime + this.calcDeltaFair(this.tun.baseSliceNs, se);
    return rq.nrRunning > 1;
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

  /**
   * task_fork_fair() of 6.6: place_entity() with ENQUEUE_INITIAL, no lag yet and half a slice to
   * the first deadline. As in 6.6 the enqueue that follows (wake_up_new_task() activates without
   * ENQUEUE_INITIAL) places the entity again and gives it a whole slice: the half slice never
   * survives. Later kernels pass ENQUEUE_INITIAL at that enqueue and drop the fork-time placement.
   */
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

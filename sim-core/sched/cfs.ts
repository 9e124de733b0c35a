/**
 * CFS as in Linux 6.5 (kernel/sched/fair.c before EEVDF), the seed series' base: the entity with
 * the smallest vruntime runs, unless a buddy may run without being too unfair; a waking entity
 * gets at most half a latency period of sleeper credit (GENTLE_FAIR_SLEEPERS) and a new one
 * starts a slice behind (START_DEBIT); wakeup preemption needs a vruntime lead larger than the
 * wakee's wakeup granularity; the tick preempts after the entity's slice of sched_latency,
 * floored at min_granularity (BASE_SLICE) and capped at sched_latency.
 *
 * Buddies as 6.5 has them: check_preempt_wakeup() makes a wakee that preempts the next buddy
 * (and the preempted task the last buddy when the runqueue has sched_nr_latency entities,
 * LAST_BUDDY), NEXT_BUDDY (off by default) would also mark a wakee that did not preempt, and a
 * sleeping task's group becomes its parent's next buddy. The skip buddy is set only by
 * sched_yield()/yield_to(), which no modelled thread calls, so it is left out.
 */
import { SCHED_IDLE_MIN_GRANULARITY_NS, SCHED_NR_LATENCY } from "../params";
import { type CfsRq, FairClass, isIdleEntity } from "./fair";
import type { Se, Task } from "./task";

export class CfsClass extends FairClass {
  /** place_entity(cfs_rq, se, 0): a waking entity. */
  protected place(rq: CfsRq, se: Se, wakeup: boolean): void {
    if (!wakeup) return;
    // Sleeps up to a single latency don't count: half of it under GENTLE_FAIR_SLEEPERS.
    let thresh = isIdleEntity(se) ? this.tun.minGranNs : this.tun.latencyNs;
    if (this.tun.features.GENTLE_FAIR_SLEEPERS) thresh /= 2;
    const v = rq.minVruntime - thresh;
    if (se.vruntime < v) se.vruntime = v;
  }

  /**
   * task_fork_fair(): place_entity(cfs_rq, se, 1) puts a new task a vslice past min_vruntime
   * (START_DEBIT); the parent's vruntime it starts from is unknown here, so it starts at 0.
   */
  protected placeNew(rq: CfsRq, se: Se): void {
    let v = rq.minVruntime;
    if (this.tun.features.START_DEBIT) v += this.calcDeltaFair(this.slice(rq, se), se);
    if (se.vruntime < v) se.vruntime = v;
  }

  /** wakeup_preempt_entity(): 1 if `se` should preempt `curr`, 0 within the granularity, -1 if behind. */
  private wakeupPreemptEntity(curr: Se, se: Se): number {
    const vdiff = curr.vruntime - se.vruntime;
    if (vdiff <= 0) return -1;
    // wakeup_gran() is scaled by the *waking* entity's weight.
    return vdiff > this.calcDeltaFair(this.tun.wakeupGranNs, se) ? 1 : 0;
  }

  /** pick_next_entity(): the leftmost, unless the next or last buddy is not too far behind it. */
  protected pickEntity(rq: CfsRq): Se | null {
    const curr = rq.curr?.onRq ? rq.curr : null;
    let left = rq.tree.leftmost;
    if (!left || (curr && curr.vruntime < left.vruntime)) left = curr;
    if (!left) return null;
    if (rq.next && this.wakeupPreemptEntity(rq.next, left) < 1) return rq.next;
    if (rq.last && this.wakeupPreemptEntity(rq.last, left) < 1) return rq.last;
    return left;
  }

  protected onAdvance(_rq: CfsRq, _se: Se): boolean {
    return false;
  }

  /** dequeue_entity() and set_next_entity() both clear_buddies(). */
  protected onDequeueEntity(rq: CfsRq, se: Se): void {
    this.clearBuddies(rq, se);
  }

  protected onSetNextEntity(rq: CfsRq, se: Se): void {
    this.clearBuddies(rq, se);
  }

  protected onGroupKeepsRunning(gse: Se): void {
    this.setNextBuddy(gse);
  }

  /** set_next_buddy(): the entity and its parents, unless one is not queued or idle. */
  private setNextBuddy(se: Se): void {
    for (let s: Se | null = se; s; s = s.cfsRq!.se) {
      if (!s.onRq || isIdleEntity(s)) return;
      s.cfsRq!.next = s;
    }
  }

  /** set_last_buddy(). */
  private setLastBuddy(se: Se): void {
    for (let s: Se | null = se; s; s = s.cfsRq!.se) {
      if (!s.onRq || isIdleEntity(s)) return;
      s.cfsRq!.last = s;
    }
  }

  /** clear_buddies(): `se` stops being a buddy on its runqueue and, up the chain, its parents. */
  private clearBuddies(rq: CfsRq, se: Se): void {
    if (rq.last === se) for (let s: Se | null = se; s && s.cfsRq!.last === s; s = s.cfsRq!.se) s.cfsRq!.last = null;
    if (rq.next === se) for (let s: Se | null = se; s && s.cfsRq!.next === s; s = s.cfsRq!.se) s.cfsRq!.next = null;
  }

  /** check_preempt_wakeup() of 6.5. */
  checkPreemptCurr(curr: Task, p: Task, reschedPending: boolean): boolean {
    if (curr === p) return false;
    const f = this.tun.features;
    const scale = curr.se.cfsRq!.nrRunning >= SCHED_NR_LATENCY;
    let nextMarked = false;
    // (NEXT_BUDDY also skips fork wakeups, WF_FORK; with the feature off that does not arise.)
    if (f.NEXT_BUDDY && scale) {
      this.setNextBuddy(p.se);
      nextMarked = true;
    }
    if (reschedPending) return false;
    let cse = curr.se;
    // Idle tasks are by definition preempted by non-idle tasks.
    if (!(curr.policy === "idle" && p.policy !== "idle")) {
      // Batch and idle tasks do not preempt (their preemption is driven by the tick).
      if (p.policy !== "other" || !f.WAKEUP_PREEMPTION) return false;
      const m = this.matchingEntities(curr, p);
      cse = m.cse;
      const pse = m.pse;
      const cIdle = isIdleEntity(cse);
      const pIdle = isIdleEntity(pse);
      if (!(cIdle && !pIdle)) {
        if (cIdle !== pIdle) return false;
        this.updateCurrChain();
        if (this.wakeupPreemptEntity(cse, pse) !== 1) return false;
        // Bias pick_next to pick the entity that triggers this preemption.
        if (!nextMarked) this.setNextBuddy(pse);
      }
    }
    // preempt: the preempted task becomes the last buddy (when it is still queued).
    if (cse.onRq && f.LAST_BUDDY && scale && cse.task) this.setLastBuddy(cse);
    return true;
  }

  private period(nr: number): number {
    return nr > SCHED_NR_LATENCY ? nr * this.tun.minGranNs : this.tun.latencyNs;
  }

  /**
   * sched_slice() of 6.5: the period (of the whole CPU's tasks, ALT_PERIOD) shared by weight
   * down the hierarchy, counting `se` if it is not queued yet, and at least min_granularity
   * (BASE_SLICE; the idle granularity for an idle entity among non-idle ones).
   */
  private slice(rq: CfsRq, se: Se): number {
    const f = this.tun.features;
    const nr = f.ALT_PERIOD ? this.root.hNr : rq.nrRunning;
    let slice = this.period(nr + (se.onRq ? 0 : 1));
    // for_each_sched_entity(): `se` on `rq` (it may not be queued there yet), then its parents.
    for (let s = se, q = rq; ; ) {
      const load = s.onRq ? q.load : q.load + s.weight;
      if (load > 0) slice = (slice * s.weight) / load;
      const parent = q.se;
      if (!parent) break;
      s = parent;
      q = parent.cfsRq!;
    }
    if (f.BASE_SLICE) {
      const idleRq = rq.nrRunning > 0 && rq.nrRunning === rq.idleNr;
      const minGran = isIdleEntity(se) && !idleRq ? SCHED_IDLE_MIN_GRANULARITY_NS : this.tun.minGranNs;
      if (slice < minGran) slice = minGran;
    }
    return slice;
  }

  /** task_tick_fair(): entity_tick() on every level of the running chain. */
  protected tickPreempts(curr: Task, _advanced: boolean): boolean {
    let resched = false;
    for (let se: Se | null = curr.se; se; ) {
      const rq: CfsRq = se.cfsRq!;
      if (rq.nrRunning > 1 && this.checkPreemptTick(rq, se)) resched = true;
      se = rq.se;
    }
    return resched;
  }

  /** check_preempt_tick() of 6.5: the slice, capped at sched_latency. */
  private checkPreemptTick(rq: CfsRq, curr: Se): boolean {
    const ideal = Math.min(this.slice(rq, curr), this.tun.latencyNs);
    const ran = curr.sumExec - curr.prevSumExec;
    if (ran > ideal) {
      // It ran long enough: no buddy favours may re-elect it.
      this.clearBuddies(rq, curr);
      return true;
    }
    // A task that missed wakeup preemption by a narrow margin does not wait a full slice.
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
    this.detachFromClass(t);
  }

  /** attach_task_cfs_rq(). */
  switchedTo(t: Task): void {
    t.se.vruntime = t.se.relVruntime + this.rqFor(t.tg).minVruntime;
    this.attachToClass(t);
  }
}

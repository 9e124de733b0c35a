/**
 * The fair class (kernel/sched/fair.c): CFS as in 6.5, the seed's base, or EEVDF as in 6.6+,
 * with one level of cgroup group scheduling (a group entity per CPU whose weight follows the
 * group's load there, as calc_group_shares does).
 *
 * One simplification, for speed and clarity: the running entity stays in its runqueue's
 * array (Linux takes it out of the rbtree); picks and min_vruntime include it explicitly, which
 * gives the same answers. Buddies (next/last/skip) are not modelled.
 */
import { MIN_SHARES, NICE_0_LOAD, PELT_HALFLIFE_NS, SCHED_NR_LATENCY, type SchedTunables } from "../params";
import { Se, type Task } from "./task";

/** ln(0.5) / half-life: PELT's decay per nanosecond, for Math.exp. */
const DECAY_PER_NS = Math.log(0.5) / PELT_HALFLIFE_NS;

/** A cgroup with a CPU weight, one runqueue per CPU. */
export class TaskGroup {
  readonly rqs: CfsRq[] = [];
  constructor(
    public readonly name: string,
    /** Group shares (cpu.weight 100 = 1024). */
    public readonly shares: number,
  ) {}
}

export class CfsRq {
  /** Queued entities, the running one included. */
  readonly q: Se[] = [];
  curr: Se | null = null;
  minVruntime = 0;
  /** Sum of queued weights. */
  load = 0;
  /** Tasks below this runqueue (h_nr_running). */
  hNr = 0;
  /** The group entity that stands for this runqueue in the root, or null for the root. */
  se: Se | null = null;
  /** PELT-like runnable load average of this group runqueue, and when it was last folded. */
  loadAvg = 0;
  loadAvgAt = 0;
  constructor(public readonly tg: TaskGroup | null) {}
}

/** The fair class of one CPU. */
export class FairClass {
  readonly root = new CfsRq(null);
  private readonly groups = new Map<TaskGroup, CfsRq>();

  constructor(
    private readonly tun: SchedTunables,
    /** The CPU's task clock (excludes steal for a guest CPU). */
    private readonly clock: () => number,
    /** Wall time, for PELT decay. */
    private readonly wall: () => number,
  ) {}

  get eevdf(): boolean {
    return this.tun.fair === "eevdf";
  }

  get nrRunning(): number {
    return this.root.hNr;
  }

  /** The runqueue a task of `group` is queued on: the group's on this CPU, or the root. */
  rqFor(group: TaskGroup | null): CfsRq {
    if (!group) return this.root;
    let rq = this.groups.get(group);
    if (!rq) {
      rq = new CfsRq(group);
      const gse = new Se(group.shares, null);
      gse.my = rq;
      gse.cfsRq = this.root;
      rq.se = gse;
      rq.loadAvgAt = this.wall();
      this.groups.set(group, rq);
      group.rqs.push(rq);
    }
    return rq;
  }

  // ---- accounting -------------------------------------------------------------------

  private calcDeltaFair(delta: number, se: Se): number {
    return se.weight === NICE_0_LOAD ? delta : (delta * NICE_0_LOAD) / se.weight;
  }

  private updateMinVruntime(rq: CfsRq): void {
    let v = Infinity;
    for (const se of rq.q) if (se.vruntime < v) v = se.vruntime;
    if (v !== Infinity && v > rq.minVruntime) rq.minVruntime = v;
  }

  /** update_curr() on every level of the running chain. Returns true if EEVDF wants a resched. */
  updateCurr(): boolean {
    const now = this.clock();
    let resched = false;
    for (let rq: CfsRq | null = this.root; rq; ) {
      const se: Se | null = rq.curr;
      if (!se) break;
      const delta = now - se.execStart;
      if (delta > 0) {
        se.execStart = now;
        se.sumExec += delta;
        se.vruntime += this.calcDeltaFair(delta, se);
        if (this.eevdf && se.vruntime >= se.deadline) {
          // update_deadline(): a new slice, and a resched if anyone else is waiting.
          se.deadline = se.vruntime + this.calcDeltaFair(this.tun.baseSliceNs, se);
          if (rq.q.length > 1) resched = true;
        }
        this.updateMinVruntime(rq);
      }
      rq = se.my;
    }
    return resched;
  }

  // ---- EEVDF helpers ------------------------------------------------------------------

  private avgVruntime(rq: CfsRq): { v0: number; avg: number; load: number } {
    const v0 = rq.minVruntime;
    let avg = 0;
    let load = 0;
    for (const se of rq.q) {
      avg += (se.vruntime - v0) * se.weight;
      load += se.weight;
    }
    return { v0, avg, load };
  }

  private V(rq: CfsRq): number {
    const a = this.avgVruntime(rq);
    return a.load > 0 ? a.v0 + a.avg / a.load : rq.minVruntime;
  }

  private eligible(se: Se, a: { v0: number; avg: number; load: number }): boolean {
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

  private pickCfs(rq: CfsRq): Se | null {
    let best: Se | null = null;
    for (const se of rq.q) if (!best || se.vruntime < best.vruntime) best = se;
    return best;
  }

  private pickEntity(rq: CfsRq): Se | null {
    return this.eevdf ? this.pickEevdf(rq) : this.pickCfs(rq);
  }

  // ---- group shares -------------------------------------------------------------------

  private foldAvg(rq: CfsRq, now: number): number {
    const dt = now - rq.loadAvgAt;
    if (dt <= 0) return rq.loadAvg;
    const y = Math.exp(dt * DECAY_PER_NS);
    return rq.loadAvg * y + rq.load * (1 - y);
  }

  /** update_cfs_group(): reweight the group entity from the group's load on every CPU. */
  private updateGroup(rq: CfsRq): void {
    const gse = rq.se;
    const tg = rq.tg;
    if (!gse || !tg) return;
    const now = this.wall();
    let tgLoad = 0;
    for (const r of tg.rqs) tgLoad += this.foldAvg(r, now);
    const myAvg = this.foldAvg(rq, now);
    rq.loadAvg = myAvg;
    rq.loadAvgAt = now;
    const load = Math.max(rq.load, myAvg);
    const denom = tgLoad - myAvg + load;
    let shares = denom > 0 ? (tg.shares * load) / denom : tg.shares;
    shares = Math.min(tg.shares, Math.max(MIN_SHARES, shares));
    if (gse.onRq && gse.cfsRq) gse.cfsRq.load += shares - gse.weight;
    gse.weight = shares;
  }

  // ---- enqueue / dequeue ----------------------------------------------------------------

  /** place_entity(): where a waking (or re-attached) entity lands. */
  private place(rq: CfsRq, se: Se, wakeup: boolean): void {
    if (this.eevdf) {
      const V = this.V(rq);
      let lag = 0;
      if (rq.q.length > 0) {
        const load = rq.load;
        lag = load > 0 ? (se.vlag * (load + se.weight)) / load : se.vlag;
      }
      se.vruntime = V - lag;
      se.deadline = se.vruntime + this.calcDeltaFair(this.tun.baseSliceNs, se);
      return;
    }
    if (!wakeup) return;
    // 6.5: sleeps up to half a latency period do not count (GENTLE_FAIR_SLEEPERS).
    const thresh = (se.task && se.task.policy === "idle" ? this.tun.minGranNs : this.tun.latencyNs) / 2;
    const v = rq.minVruntime - thresh;
    if (se.vruntime < v) se.vruntime = v;
  }

  private enqueueEntity(rq: CfsRq, se: Se, wakeup: boolean): void {
    this.place(rq, se, wakeup);
    rq.q.push(se);
    rq.load += se.weight;
    se.onRq = true;
    se.cfsRq = rq;
  }

  private dequeueEntity(rq: CfsRq, se: Se): void {
    if (this.eevdf) {
      const limit = this.calcDeltaFair(Math.max(2 * this.tun.baseSliceNs, this.tun.tickNs), se);
      const lag = this.V(rq) - se.vruntime;
      se.vlag = Math.max(-limit, Math.min(limit, lag));
    }
    const i = rq.q.indexOf(se);
    if (i >= 0) rq.q.splice(i, 1);
    rq.load -= se.weight;
    se.onRq = false;
    if (rq.curr === se) rq.curr = null;
    this.updateMinVruntime(rq);
  }

  /** enqueue_task_fair(). `wakeup`: ENQUEUE_WAKEUP (placement gives sleeper credit). */
  enqueue(t: Task, rq: CfsRq, wakeup: boolean): void {
    this.updateCurr();
    this.enqueueEntity(rq, t.se, wakeup);
    rq.hNr++;
    if (rq !== this.root) {
      const gse = rq.se!;
      // enqueue_task_fair() enqueues parent entities with ENQUEUE_WAKEUP whatever the task's
      // flags, so a group entity that went idle always gets the sleeper placement.
      if (!gse.onRq) this.enqueueEntity(this.root, gse, true);
      this.root.hNr++;
      this.updateGroup(rq);
    }
  }

  dequeue(t: Task): void {
    const rq = t.se.cfsRq;
    if (!rq || !t.se.onRq) return;
    this.updateCurr();
    this.dequeueEntity(rq, t.se);
    rq.hNr--;
    if (rq !== this.root) {
      this.root.hNr--;
      const gse = rq.se!;
      this.updateGroup(rq);
      if (rq.hNr === 0 && gse.onRq) this.dequeueEntity(this.root, gse);
    }
  }

  /** pick_next_task_fair(): walks down the hierarchy. */
  pick(): Task | null {
    let rq: CfsRq = this.root;
    for (;;) {
      const se = this.pickEntity(rq);
      if (!se) return null;
      if (se.task) return se.task;
      rq = se.my!;
    }
  }

  /** set_next_entity() on every level: the task becomes the running one. */
  setNext(t: Task): void {
    const now = this.clock();
    for (let se: Se | null = t.se; se; ) {
      const rq: CfsRq = se.cfsRq!;
      rq.curr = se;
      se.execStart = now;
      se.prevSumExec = se.sumExec;
      se.parity = se.deadline;
      se = rq.se;
    }
  }

  /** put_prev_task_fair(): nothing is running in this class any more. */
  putPrev(): void {
    this.updateCurr();
    for (let rq: CfsRq | null = this.root; rq; ) {
      const se: Se | null = rq.curr;
      rq.curr = null;
      rq = se ? se.my : null;
    }
  }

  /** check_preempt_wakeup(): should waking `p` preempt running `curr`? */
  wakeupPreempt(curr: Task, p: Task): boolean {
    if (curr.policy === "idle" && p.policy !== "idle") return true;
    if (p.policy === "idle" || p.policy === "batch") return false;
    this.updateCurr();
    // find_matching_se(): the two entities that share a runqueue.
    const ra = curr.se.cfsRq!;
    const rb = p.se.cfsRq!;
    const same = ra === rb;
    const cse = same ? curr.se : (ra.se ?? curr.se);
    const pse = same ? p.se : (rb.se ?? p.se);
    const rq = same ? ra : this.root;
    if (this.eevdf) return this.pickEevdf(rq) === pse;
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

  /** The tick's check (entity_tick / check_preempt_tick). Returns true to resched. */
  tick(curr: Task): boolean {
    const eevdfResched = this.updateCurr();
    for (let rq: CfsRq | null = curr.se.cfsRq; rq; ) {
      if (rq.tg) this.updateGroup(rq);
      rq = rq.se ? rq.se.cfsRq : null;
    }
    if (this.eevdf) return eevdfResched;
    for (let se: Se | null = curr.se; se; ) {
      const rq: CfsRq = se.cfsRq!;
      if (rq.q.length > 1 && this.checkPreemptTick(rq, se)) return true;
      se = rq.se;
    }
    return false;
  }

  private checkPreemptTick(rq: CfsRq, curr: Se): boolean {
    const ideal = this.slice(curr);
    const ran = curr.sumExec - curr.prevSumExec;
    if (ran > ideal) return true;
    if (ran < this.tun.minGranNs) return false;
    let left: Se | null = null;
    for (const se of rq.q) if (se !== curr && (!left || se.vruntime < left.vruntime)) left = se;
    if (!left) return false;
    const delta = curr.vruntime - left.vruntime;
    return delta > ideal;
  }

  /**
   * Leaving the fair class (switched_from_fair). 6.5's detach_task_cfs_rq() places the entity
   * as for a wakeup and keeps its vruntime relative to min_vruntime, so that time spent in
   * another class neither accrues nor forfeits a sleep credit beyond half a latency period.
   */
  detach(t: Task, rq: CfsRq): void {
    if (this.eevdf) return;
    this.place(rq, t.se, true);
    t.se.relVruntime = t.se.vruntime - rq.minVruntime;
  }

  /** Coming back (switched_to_fair / attach_task_cfs_rq). */
  attach(t: Task, rq: CfsRq): void {
    if (this.eevdf) return;
    t.se.vruntime = t.se.relVruntime + rq.minVruntime;
  }

  /** Moving a task's vruntime between two CPUs' runqueues (migrate_task_rq_fair, 6.5). */
  static renormalize(t: Task, from: CfsRq, to: CfsRq): void {
    t.se.vruntime += to.minVruntime - from.minVruntime;
  }
}

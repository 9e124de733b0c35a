/**
 * The fair class (kernel/sched/fair.c), the part CFS (6.5, the seed's base: `cfs.ts`) and EEVDF
 * (6.6+: `eevdf.ts`) share: runqueues and the cgroup hierarchy (one level of group scheduling,
 * a group entity per CPU whose weight follows the group's load there, as calc_group_shares
 * does), accounting, enqueue/dequeue and the hierarchical pick. The two policies differ in where
 * an entity is placed, which entity is picked, and when the running one is preempted: those are
 * the abstract methods below.
 *
 * Each runqueue keeps its waiting entities in a red-black tree ordered by vruntime (the
 * timeline); the running entity (`curr`) is out of the tree while it runs, as in Linux, and picks
 * and min_vruntime consider it explicitly.
 */
import { NICE_0_LOAD, type SchedTunables } from "../params";
import type { SchedClass } from "./class";
import { calcGroupShares, DO_ATTACH, detachTaskLoad, taskHLoad, UPDATE_TG, updateCfsRqAvg, updateLoadAvg } from "./fair_load";
import { SchedAvg } from "./pelt";
import { RbTree } from "./rbtree";
import { Se, type Task } from "./task";
import { TIME_ZERO } from "../engine";

/** se_is_idle(): the entity of a SCHED_IDLE task (idle cgroups are not modelled). */
export function isIdleEntity(se: Se): boolean {
  return se.task !== null && se.task.policy === "idle";
}

/** A cgroup with a CPU weight, one runqueue per CPU. */
export class TaskGroup {
  readonly rqs: CfsRq[] = [];
  /** tg->load_avg: the sum of its runqueues' load averages (as last reported). */
  loadAvg = 0;
  constructor(
    public readonly name: string,
    /** Group shares (cpu.weight 100 = 1024). */
    public readonly shares: number,
  ) {}
}

/** Timeline order: vruntime, then insertion order (entity_before()). */
export function entityBefore(a: Se, b: Se): boolean {
  return a.vruntime < b.vruntime || (a.vruntime === b.vruntime && a.seq < b.seq);
}

/** Insertion order for entities of equal vruntime. */
let nextSeq = 1;

export class CfsRq {
  /** tasks_timeline: the queued entities but the running one. */
  readonly tree: RbTree<Se>;
  curr: Se | null = null;
  /** nr_running: queued entities, the running one included. */
  nrRunning = 0;
  /** idle_nr_running: queued entities of SCHED_IDLE tasks. */
  idleNr = 0;
  /** CFS buddies (6.5): the entity to run next if fair enough, and the one that ran last. */
  next: Se | null = null;
  last: Se | null = null;
  minVruntime = TIME_ZERO;
  /** Sum of queued weights. */
  load = 0;
  /** Tasks below this runqueue (h_nr_running). */
  hNr = 0;
  /** The group entity that stands for this runqueue in the root, or null for the root. */
  se: Se | null = null;
  /** PELT of this runqueue (cfs_rq->avg). */
  readonly avg = new SchedAvg();
  /** A group runqueue's load as last added to tg->load_avg. */
  tgLoadAvgContrib = 0;
  /** EEVDF: sum of (vruntime - min_vruntime) * weight over the tree, and of the weights. */
  avgVruntime = 0;
  avgLoad = 0;
  constructor(
    public readonly tg: TaskGroup | null,
    augment: ((se: Se) => void) | null,
  ) {
    this.tree = new RbTree<Se>(entityBefore, augment);
  }
}

/** The fair class of one CPU: what CFS and EEVDF share. */
export abstract class FairClass implements SchedClass {
  readonly name = "fair" as const;
  readonly throttled = false;
  readonly root = new CfsRq(null, this.timelineAugment());
  private readonly groups = new Map<TaskGroup, CfsRq>();
  /** The group runqueues on this CPU (the same as `groups`' values, for iteration without garbage). */
  private readonly groupRqs: CfsRq[] = [];
  /** rq->cfs_tasks: the queued fair tasks, most recently picked or enqueued first. */
  tasksHead: Task | null = null;
  tasksTail: Task | null = null;

  constructor(
    protected readonly tun: SchedTunables,
    /** The CPU's task clock (excludes steal for a guest CPU). */
    protected readonly clock: () => number,
    /** The CPU's PELT clock (rq_clock_pelt(): wall time less steal). */
    protected readonly pelt: () => number,
  ) {}

  get nrRunning(): number {
    return this.root.hNr;
  }

  // ---- what CFS and EEVDF do differently -------------------------------------------------

  /** place_entity(): where a waking (or re-attached) entity lands. */
  protected abstract place(rq: CfsRq, se: Se, wakeup: boolean): void;
  /** pick_next_entity() on one level. */
  protected abstract pickEntity(rq: CfsRq): Se | null;
  /** After update_curr() advanced `se` on `rq`: true asks for a reschedule (EEVDF's deadline). */
  protected abstract onAdvance(rq: CfsRq, se: Se): boolean;
  /** dequeue_entity()'s policy part (EEVDF saves the lag). */
  protected abstract onDequeueEntity(rq: CfsRq, se: Se): void;
  /** check_preempt_wakeup(): should waking `p` preempt running `curr`? */
  abstract checkPreemptCurr(curr: Task, p: Task, reschedPending: boolean): boolean;
  /** A new task's first placement (task_fork_fair() then wake_up_new_task()). */
  protected abstract placeNew(rq: CfsRq, se: Se): void;
  /** set_next_entity()'s policy part, on each level. */
  protected abstract onSetNextEntity(rq: CfsRq, se: Se): void;
  /** dequeue_task_fair(): a sleeping task leaves `gse`'s group with entities still queued. */
  protected abstract onGroupKeepsRunning(gse: Se): void;
  /** The timeline's augmented summary (EEVDF's min_deadline), or none. */
  protected timelineAugment(): ((se: Se) => void) | null {
    return null;
  }
  /** An entity enters or leaves the timeline (EEVDF keeps avg_vruntime's sums). */
  protected onTimelineAdd(_rq: CfsRq, _se: Se): void {}
  protected onTimelineRemove(_rq: CfsRq, _se: Se): void {}
  /** min_vruntime moved forward by `delta`. */
  protected onMinVruntimeAdvance(_rq: CfsRq, _delta: number): void {}
  /** A queued entity's weight changes (reweight_entity()). */
  protected onReweight(_rq: CfsRq, _se: Se, _weight: number): void {}
  /** The tick's preemption check for running `curr`; `advanced` is onAdvance()'s verdict. */
  protected abstract tickPreempts(curr: Task, advanced: boolean): boolean;
  /** switched_from_fair(): leaving the class (6.5 keeps vruntime relative; EEVDF the lag). */
  abstract switchedFrom(t: Task): void;
  /** switched_to_fair(). */
  abstract switchedTo(t: Task): void;

  // ---- hierarchy ---------------------------------------------------------------------------

  /** The runqueue a task of `group` is queued on: the group's on this CPU, or the root. */
  rqFor(group: TaskGroup | null): CfsRq {
    if (!group) return this.root;
    let rq = this.groups.get(group);
    if (!rq) {
      rq = new CfsRq(group, this.timelineAugment());
      const gse = new Se(group.shares, null);
      gse.my = rq;
      gse.cfsRq = this.root;
      rq.se = gse;
      this.groups.set(group, rq);
      this.groupRqs.push(rq);
      group.rqs.push(rq);
    }
    return rq;
  }

  // ---- rq->cfs_tasks ------------------------------------------------------------------------

  private taskListAdd(t: Task): void {
    t.lbPrev = null;
    t.lbNext = this.tasksHead;
    if (this.tasksHead) this.tasksHead.lbPrev = t;
    else this.tasksTail = t;
    this.tasksHead = t;
  }

  private taskListDel(t: Task): void {
    if (t.lbPrev) t.lbPrev.lbNext = t.lbNext;
    else this.tasksHead = t.lbNext;
    if (t.lbNext) t.lbNext.lbPrev = t.lbPrev;
    else this.tasksTail = t.lbPrev;
    t.lbPrev = null;
    t.lbNext = null;
  }

  /** list_move() to the head: picked to run, or passed over by the balancer. */
  taskToFront(t: Task): void {
    if (this.tasksHead === t) return;
    this.taskListDel(t);
    this.taskListAdd(t);
  }

  // ---- accounting -------------------------------------------------------------------

  protected calcDeltaFair(delta: number, se: Se): number {
    return se.weight === NICE_0_LOAD ? delta : (delta * NICE_0_LOAD) / se.weight;
  }

  /** update_min_vruntime(): the running entity and the leftmost one; never backwards. */
  protected updateMinVruntime(rq: CfsRq): void {
    const curr = rq.curr?.onRq ? rq.curr : null;
    const left = rq.tree.leftmost;
    let v: number;
    if (curr) v = left && left.vruntime < curr.vruntime ? left.vruntime : curr.vruntime;
    else if (left) v = left.vruntime;
    else return;
    if (v > rq.minVruntime) {
      this.onMinVruntimeAdvance(rq, v - rq.minVruntime);
      rq.minVruntime = v;
    }
  }

  /** __enqueue_entity(): into the timeline, after the entities of equal vruntime. */
  protected timelineInsert(rq: CfsRq, se: Se): void {
    se.seq = nextSeq++;
    this.onTimelineAdd(rq, se);
    rq.tree.insert(se);
  }

  /** __dequeue_entity(). */
  protected timelineRemove(rq: CfsRq, se: Se): void {
    rq.tree.remove(se);
    this.onTimelineRemove(rq, se);
  }

  /** update_curr() on every level of the running chain. True if the policy wants a resched. */
  protected updateCurrChain(): boolean {
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
        if (this.onAdvance(rq, se)) resched = true;
        this.updateMinVruntime(rq);
      }
      rq = se.my;
    }
    return resched;
  }

  updateCurr(_t: Task, _delta: number): boolean {
    return this.updateCurrChain();
  }

  // ---- load tracking ---------------------------------------------------------------------

  /** update_cfs_group() with reweight_entity(): the group entity's weight from the group's load. */
  protected updateGroup(rq: CfsRq): void {
    const gse = rq.se;
    if (!gse || !rq.tg) return;
    const shares = calcGroupShares(rq);
    if (shares === gse.weight) return;
    const root = gse.cfsRq!;
    if (gse.onRq) {
      root.load += shares - gse.weight;
      if (root.curr !== gse) this.onReweight(root, gse, shares);
    }
    if (gse.avgAttached) {
      // dequeue_load_avg(), the new weight, enqueue_load_avg().
      const a = gse.avg;
      root.avg.loadAvg = Math.max(0, root.avg.loadAvg - a.loadAvg);
      root.avg.loadSum = Math.max(0, root.avg.loadSum - gse.weight * a.loadSum);
      a.loadAvg = Math.floor((shares * a.loadSum) / a.divider());
      root.avg.loadAvg += a.loadAvg;
      root.avg.loadSum += shares * a.loadSum;
    }
    gse.weight = shares;
  }

  /** update_blocked_averages(): every runqueue's averages brought to now. */
  syncLoad(): void {
    const now = this.pelt();
    for (const rq of this.groupRqs) {
      updateCfsRqAvg(now, rq);
      if (rq.se?.avgAttached) updateLoadAvg(now, this.root, rq.se, UPDATE_TG);
    }
    updateCfsRqAvg(now, this.root);
  }

  /** cpu_load(): the root runqueue's load average (call syncLoad() first). */
  get loadAvg(): number {
    return this.root.avg.loadAvg;
  }

  /** cpu_util_cfs() without util_est: the root runqueue's utilisation, capped at the capacity. */
  get utilAvg(): number {
    return Math.min(this.root.avg.utilAvg, 1024);
  }

  /** cpu_runnable(). */
  get runnableAvg(): number {
    return this.root.avg.runnableAvg;
  }

  /** task_h_load() of a task queued or last run here (after syncLoad()). */
  taskHLoad(t: Task): number {
    return t.se.avgAttached && t.se.cfsRq ? taskHLoad(t.se) : 0;
  }

  /** The task's load leaves this CPU (it migrates; migrate_task_rq_fair()/DO_DETACH). */
  migrateOut(t: Task): void {
    detachTaskLoad(this.pelt(), t.se.cfsRq ?? this.rqFor(t.tg), t.se, false);
  }

  /** detach_entity_cfs_rq() when `t` leaves the class; its load is aged when it comes back. */
  protected detachFromClass(t: Task): void {
    detachTaskLoad(this.pelt(), this.rqFor(t.tg), t.se, true);
  }

  /** attach_entity_cfs_rq() when `t` joins the class. */
  protected attachToClass(t: Task): void {
    const rq = this.rqFor(t.tg);
    t.se.cfsRq = rq;
    updateLoadAvg(this.pelt(), rq, t.se, DO_ATTACH);
  }

  // ---- enqueue / dequeue ----------------------------------------------------------------

  private enqueueEntity(rq: CfsRq, se: Se, wakeup: boolean): void {
    updateLoadAvg(this.pelt(), rq, se, UPDATE_TG | DO_ATTACH);
    if (se.my) this.updateGroup(se.my);
    this.place(rq, se, wakeup);
    if (rq.curr !== se) this.timelineInsert(rq, se);
    rq.nrRunning++;
    if (isIdleEntity(se)) rq.idleNr++;
    rq.load += se.weight;
    se.onRq = true;
    se.cfsRq = rq;
  }

  private dequeueEntity(rq: CfsRq, se: Se): void {
    updateLoadAvg(this.pelt(), rq, se, UPDATE_TG);
    this.onDequeueEntity(rq, se);
    if (rq.curr !== se) this.timelineRemove(rq, se);
    rq.nrRunning--;
    if (isIdleEntity(se)) rq.idleNr--;
    rq.load -= se.weight;
    se.onRq = false;
    if (rq.curr === se) rq.curr = null;
    this.updateMinVruntime(rq);
  }

  /**
   * enqueue_task_fair(). `wakeup`: ENQUEUE_WAKEUP (placement gives sleeper credit). A task's
   * first enqueue is wake_up_new_task(): placed as a new task instead.
   */
  enqueue(t: Task, wakeup: boolean, _head: boolean): void {
    const rq = this.rqFor(t.tg);
    this.updateCurrChain();
    if (t.newTask) {
      t.newTask = false;
      this.placeNew(rq, t.se);
      wakeup = false;
    }
    this.enqueueEntity(rq, t.se, wakeup);
    this.taskListAdd(t);
    rq.hNr++;
    if (rq !== this.root) {
      const gse = rq.se!;
      // enqueue_task_fair() enqueues parent entities with ENQUEUE_WAKEUP whatever the task's
      // flags, so a group entity that went idle always gets the sleeper placement.
      if (!gse.onRq) this.enqueueEntity(this.root, gse, true);
      else updateLoadAvg(this.pelt(), this.root, gse, UPDATE_TG);
      this.root.hNr++;
      this.updateGroup(rq);
    }
  }

  /** dequeue_task_fair(). `sleep`: DEQUEUE_SLEEP. */
  dequeue(t: Task, sleep: boolean): void {
    const rq = t.se.cfsRq;
    if (!rq || !t.se.onRq) return;
    this.updateCurrChain();
    this.dequeueEntity(rq, t.se);
    this.taskListDel(t);
    rq.hNr--;
    if (rq !== this.root) {
      this.root.hNr--;
      const gse = rq.se!;
      updateLoadAvg(this.pelt(), this.root, gse, UPDATE_TG);
      this.updateGroup(rq);
      if (rq.hNr === 0 && gse.onRq) this.dequeueEntity(this.root, gse);
      // "Bias pick_next to pick a task from this cfs_rq, as p is sleeping."
      else if (sleep && gse.onRq) this.onGroupKeepsRunning(gse);
    }
  }

  /** pick_next_task_fair(): walks down the hierarchy. */
  pickNext(): Task | null {
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
    if (t.se.onRq) this.taskToFront(t);
    const now = this.clock();
    const pelt = this.pelt();
    for (let se: Se | null = t.se; se; ) {
      const rq: CfsRq = se.cfsRq!;
      this.onSetNextEntity(rq, se);
      // 'current' is not kept within the tree.
      if (se.onRq && rq.curr !== se) {
        this.timelineRemove(rq, se);
        updateLoadAvg(pelt, rq, se, UPDATE_TG);
      }
      rq.curr = se;
      se.execStart = now;
      se.prevSumExec = se.sumExec;
      se.parity = se.deadline;
      se = rq.se;
    }
  }

  /** put_prev_task_fair(): nothing is running in this class any more. */
  putPrev(_t: Task): void {
    this.updateCurrChain();
    const pelt = this.pelt();
    for (let rq: CfsRq | null = this.root; rq; ) {
      const se: Se | null = rq.curr;
      // put_prev_entity(): a still-queued entity goes back into the tree.
      if (se?.onRq) {
        this.timelineInsert(rq, se);
        updateLoadAvg(pelt, rq, se, 0);
      }
      rq.curr = null;
      rq = se ? se.my : null;
    }
  }

  /** find_matching_se(): the entities of `curr` and `p` that share a runqueue. */
  protected matchingEntities(curr: Task, p: Task): { rq: CfsRq; cse: Se; pse: Se } {
    const ra = curr.se.cfsRq!;
    const rb = p.se.cfsRq!;
    const same = ra === rb;
    this.match.cse = same ? curr.se : (ra.se ?? curr.se);
    this.match.pse = same ? p.se : (rb.se ?? p.se);
    this.match.rq = same ? ra : this.root;
    return this.match;
  }
  /** find_matching_se()'s answer, reused (wakeups are frequent). */
  private readonly match = { rq: this.root, cse: null as unknown as Se, pse: null as unknown as Se };

  /** The tick's check (entity_tick, then the policy's preemption check). */
  taskTick(curr: Task, _ran: number): boolean {
    const advanced = this.updateCurrChain();
    // entity_tick(): the running entity's averages, then its group's weight, on every level.
    const pelt = this.pelt();
    for (let se: Se | null = curr.se; se; ) {
      const rq: CfsRq = se.cfsRq!;
      updateLoadAvg(pelt, rq, se, UPDATE_TG);
      if (se.my) this.updateGroup(se.my);
      se = rq.se;
    }
    return this.tickPreempts(curr, advanced);
  }

  /** Moving a task's vruntime between two CPUs' runqueues (migrate_task_rq_fair, 6.5). */
  static renormalize(t: Task, from: CfsRq, to: CfsRq): void {
    t.se.vruntime += to.minVruntime - from.minVruntime;
  }
}

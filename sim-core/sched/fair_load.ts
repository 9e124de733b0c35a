/**
 * The load-tracking half of the fair class (kernel/sched/fair.c, Linux 6.5): PELT of entities and
 * runqueues through update_load_avg() with its attach and detach, the group entity's weight from
 * the group's load on every CPU (calc_group_shares() over tg->load_avg), and the hierarchical
 * load of a task (task_h_load()) that the balancer moves.
 *
 * Simplifications: the blocked load a migrating task leaves is removed at once (Linux queues it
 * in cfs_rq->removed for the next update); a group runqueue's contributions reach the root
 * runqueue through the root's own inputs (its load.weight, h_nr_running) rather than through
 * propagate_entity_load_avg(); util_est is not modelled.
 */
import { MIN_SHARES } from "../params";
import type { CfsRq, TaskGroup } from "./fair";
import { LOAD_AVG_MAX, SCHED_CAPACITY_SCALE } from "./pelt";
import type { Se } from "./task";

/** update_load_avg() flags. */
export const UPDATE_TG = 1;
export const DO_ATTACH = 2;
export const DO_DETACH = 4;

/** PELT_MIN_DIVIDER. */
const PELT_MIN_DIVIDER = LOAD_AVG_MAX - 1024;

/** __update_load_avg_se(): load is on_rq, runnable is on_rq (a group: its h_nr_running). */
function updateEntity(now: number, rq: CfsRq, se: Se): boolean {
  const q = se.onRq ? 1 : 0;
  const runnable = se.my ? se.my.hNr : q;
  return se.avg.update(now, q, runnable, rq.curr === se, se.weight);
}

/** update_cfs_rq_load_avg() / __update_load_avg_cfs_rq(). */
export function updateCfsRqAvg(now: number, rq: CfsRq): boolean {
  return rq.avg.update(now, rq.load, rq.hNr, rq.curr !== null, 1);
}

/** update_load_avg(). */
export function updateLoadAvg(now: number, rq: CfsRq, se: Se, flags: number): void {
  if (se.avgAttached) updateEntity(now, rq, se);
  const decayed = updateCfsRqAvg(now, rq);
  if (!se.avgAttached && flags & DO_ATTACH) {
    attachEntityLoadAvg(now, rq, se);
    updateTgLoadAvg(rq);
  } else if (se.avgAttached && flags & DO_DETACH) {
    detachEntityLoadAvg(rq, se);
    updateTgLoadAvg(rq);
  } else if (decayed && flags & UPDATE_TG) updateTgLoadAvg(rq);
}

/**
 * init_entity_runnable_average() and post_init_entity_util_avg(): a new task starts fully
 * loaded, with half the CPU's spare utilisation (in proportion to its weight).
 */
function initEntityAvg(rq: CfsRq, se: Se): void {
  se.avgInit = true;
  se.avg.loadAvg = se.weight;
  const cap = Math.floor((SCHED_CAPACITY_SCALE - rq.avg.utilAvg) / 2);
  if (cap > 0) {
    let util = cap;
    if (rq.avg.utilAvg !== 0) util = Math.min(cap, Math.floor((rq.avg.utilAvg * se.weight) / (rq.avg.loadAvg + 1)));
    se.avg.utilAvg = util;
  }
  se.avg.runnableAvg = se.avg.utilAvg;
}

/** attach_entity_load_avg(): the entity joins the runqueue's sums, aligned to its clock. */
function attachEntityLoadAvg(now: number, rq: CfsRq, se: Se): void {
  if (!se.avgInit) initEntityAvg(rq, se);
  else if (se.avgAge) {
    // ATTACH_AGE_LOAD: time spent in another class decays the entity (on the same clock).
    se.avg.update(now, 0, 0, false, se.weight);
  }
  se.avgAge = false;
  const a = se.avg;
  const ra = rq.avg;
  const d = ra.divider();
  a.lastUpdateTime = ra.lastUpdateTime;
  a.periodContrib = ra.periodContrib;
  a.utilSum = a.utilAvg * d;
  a.runnableSum = a.runnableAvg * d;
  a.loadSum = a.loadAvg * d;
  a.loadSum = se.weight < a.loadSum ? Math.floor(a.loadSum / se.weight) : 1;
  ra.loadAvg += a.loadAvg;
  ra.loadSum += se.weight * a.loadSum;
  ra.utilAvg += a.utilAvg;
  ra.utilSum += a.utilSum;
  ra.runnableAvg += a.runnableAvg;
  ra.runnableSum += a.runnableSum;
  se.avgAttached = true;
}

/** detach_entity_load_avg() (and, for a sleeping task that migrates, remove_entity_load_avg()). */
function detachEntityLoadAvg(rq: CfsRq, se: Se): void {
  const a = se.avg;
  const ra = rq.avg;
  ra.loadAvg = Math.max(0, ra.loadAvg - a.loadAvg);
  ra.loadSum = Math.max(0, ra.loadSum - se.weight * a.loadSum, ra.loadAvg * PELT_MIN_DIVIDER);
  ra.utilAvg = Math.max(0, ra.utilAvg - a.utilAvg);
  ra.utilSum = Math.max(0, ra.utilSum - a.utilSum, ra.utilAvg * PELT_MIN_DIVIDER);
  ra.runnableAvg = Math.max(0, ra.runnableAvg - a.runnableAvg);
  ra.runnableSum = Math.max(0, ra.runnableSum - a.runnableSum, ra.runnableAvg * PELT_MIN_DIVIDER);
  se.avgAttached = false;
}

/**
 * The task's load leaves this runqueue: it moves to another CPU (migrate_task_rq_fair() for a
 * waking task, the DO_DETACH of a balancer move) or to another class (detach_entity_cfs_rq(),
 * `age`: it is aged when it comes back).
 */
export function detachTaskLoad(now: number, rq: CfsRq, se: Se, age: boolean): void {
  if (!se.avgAttached) return;
  updateLoadAvg(now, rq, se, 0);
  detachEntityLoadAvg(rq, se);
  updateTgLoadAvg(rq);
  se.avgAge = age;
}

/** update_tg_load_avg(): the group's sum of its runqueues' load, updated past a 1/64 change. */
export function updateTgLoadAvg(rq: CfsRq): void {
  const tg = rq.tg;
  if (!tg) return;
  const delta = rq.avg.loadAvg - rq.tgLoadAvgContrib;
  if (Math.abs(delta) > rq.tgLoadAvgContrib / 64) {
    tg.loadAvg += delta;
    rq.tgLoadAvgContrib = rq.avg.loadAvg;
  }
}

/** calc_group_shares(): the group's shares in proportion to its load on this CPU. */
export function calcGroupShares(rq: CfsRq): number {
  const tg = rq.tg as TaskGroup;
  const load = Math.max(rq.load, rq.avg.loadAvg);
  const tgWeight = tg.loadAvg - rq.tgLoadAvgContrib + load;
  let shares = tg.shares * load;
  if (tgWeight) shares = Math.floor(shares / tgWeight);
  return Math.min(tg.shares, Math.max(MIN_SHARES, shares));
}

/**
 * task_h_load(): the task's share of its CPU's load, through its group (update_cfs_rq_h_load()).
 * The averages must be current (the caller synced them).
 */
export function taskHLoad(se: Se): number {
  const rq = se.cfsRq!;
  let hLoad: number;
  const gse = rq.se;
  if (!gse) hLoad = rq.avg.loadAvg;
  else {
    const root = gse.cfsRq!;
    hLoad = Math.floor((root.avg.loadAvg * gse.avg.loadAvg) / (root.avg.loadAvg + 1));
  }
  return Math.floor((se.avg.loadAvg * hLoad) / (rq.avg.loadAvg + 1));
}

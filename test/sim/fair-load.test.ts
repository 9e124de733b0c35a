/**
 * The fair class's load tracking (sim-core/sched/fair_load.ts) on runqueues and entities built
 * by hand, against Linux 6.5's kernel/sched/fair.c: attach_entity_load_avg(),
 * post_init_entity_util_avg(), detach_entity_load_avg() (sub_positive() and the
 * PELT_MIN_DIVIDER floor), ATTACH_AGE_LOAD, update_tg_load_avg()'s 1/64 filter,
 * calc_group_shares() and task_h_load(). Each expected value is worked out from those functions;
 * the clock is held where the runqueue was last updated, so no PELT decay mixes in.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CfsRq, TaskGroup } from "../../sim-core/sched/fair";
import { calcGroupShares, DO_ATTACH, detachTaskLoad, taskHLoad, updateLoadAvg, updateTgLoadAvg } from "../../sim-core/sched/fair_load";
import { LOAD_AVG_MAX } from "../../sim-core/sched/pelt";
import { Se } from "../../sim-core/sched/task";
import { MS } from "./fair-rq";

/** PELT_MIN_DIVIDER (kernel/sched/pelt.h): LOAD_AVG_MAX - 1024. */
const MIN_DIV = LOAD_AVG_MAX - 1024;
/** A runqueue last updated at `now` (so updateLoadAvg() at `now` does not decay it). */
const NOW = 10 * MS;

function rqAt(periodContrib: number, tg: TaskGroup | null = null): CfsRq {
  const rq = new CfsRq(tg, null);
  rq.avg.lastUpdateTime = NOW;
  rq.avg.periodContrib = periodContrib;
  return rq;
}

test("attach_entity_load_avg: the entity takes the runqueue's clock and divider; its sums rebuilt from its averages join the runqueue's", () => {
  const rq = rqAt(100);
  const d = MIN_DIV + 100;
  Object.assign(rq.avg, { loadAvg: 100, loadSum: 100 * d, utilAvg: 50, utilSum: 50 * d, runnableAvg: 60, runnableSum: 60 * d });
  const se = new Se(1024, null);
  se.avgInit = true;
  Object.assign(se.avg, { loadAvg: 300, utilAvg: 200, runnableAvg: 250 });
  updateLoadAvg(NOW, rq, se, DO_ATTACH);
  assert.equal(se.avgAttached, true);
  assert.equal(se.avg.lastUpdateTime, NOW);
  assert.equal(se.avg.periodContrib, 100);
  // load_sum = load_avg * divider / se_weight (the weight is applied again in ___update_load_avg()).
  const loadSum = Math.floor((300 * d) / 1024);
  assert.deepEqual({ ls: se.avg.loadSum, us: se.avg.utilSum, rs: se.avg.runnableSum }, { ls: loadSum, us: 200 * d, rs: 250 * d });
  assert.deepEqual(
    { la: rq.avg.loadAvg, ls: rq.avg.loadSum, ua: rq.avg.utilAvg, us: rq.avg.utilSum, ra: rq.avg.runnableAvg, rs: rq.avg.runnableSum },
    { la: 400, ls: 100 * d + 1024 * loadSum, ua: 250, us: 250 * d, ra: 310, rs: 310 * d },
  );

  // No load at all: load_sum is 1, not 0 ("se_weight(se) < se->avg.load_sum" fails).
  const empty = new Se(1024, null);
  empty.avgInit = true;
  updateLoadAvg(NOW, rqAt(0), empty, DO_ATTACH);
  assert.equal(empty.avg.loadSum, 1);
});

test("post_init_entity_util_avg: a new entity is fully loaded with half the spare capacity, or its weight's share of the CPU's util, whichever is less", () => {
  const attachNew = (rqUtil: number, rqLoad: number, weight: number) => {
    const rq = rqAt(0);
    rq.avg.utilAvg = rqUtil;
    rq.avg.loadAvg = rqLoad;
    const se = new Se(weight, null);
    updateLoadAvg(NOW, rq, se, DO_ATTACH);
    assert.equal(se.avgInit, true);
    assert.equal(se.avg.loadAvg, weight, "init_entity_runnable_average(): load_avg = weight");
    assert.equal(se.avg.runnableAvg, se.avg.utilAvg);
    return se.avg.utilAvg;
  };
  // An idle CPU: cap = 1024 / 2.
  assert.equal(attachNew(0, 0, 1024), 512);
  // util 300, load 1000: cap 362; 300 * 1024 / (1000 + 1) = 306 (with "- 1" it would be 307).
  assert.equal(attachNew(300, 1000, 1024), 306);
  // The share is capped: util 512, load 1024, weight 1024 -> 511, capped at (1024 - 512) / 2.
  assert.equal(attachNew(512, 1024, 1024), 256);
  // A CPU whose util is over its capacity (attached migrating tasks): cap < 0, util stays 0.
  assert.equal(attachNew(1100, 2048, 1024), 0);
});

test("detach_entity_load_avg: sub_positive() of each average and sum, each sum floored at its average * PELT_MIN_DIVIDER", () => {
  const rq = rqAt(0);
  // load: the subtraction stands (60e6 - 1024 * 20000 = 39.52e6 > 600 * MIN_DIV = 28.03e6).
  // util: the floor wins (30e6 - 20e6 = 10e6 < 400 * MIN_DIV = 18.69e6).
  // runnable: the entity's average exceeds the runqueue's, clamped at 0 and the sum with it.
  Object.assign(rq.avg, { loadAvg: 1000, loadSum: 60e6, utilAvg: 700, utilSum: 30e6, runnableAvg: 100, runnableSum: 5e6 });
  const se = new Se(1024, null);
  Object.assign(se.avg, {
    lastUpdateTime: NOW,
    loadAvg: 400,
    loadSum: 20000,
    utilAvg: 300,
    utilSum: 20e6,
    runnableAvg: 150,
    runnableSum: 7e6,
  });
  se.avgAttached = true;
  detachTaskLoad(NOW, rq, se, false);
  assert.equal(se.avgAttached, false);
  assert.deepEqual(
    { la: rq.avg.loadAvg, ls: rq.avg.loadSum, ua: rq.avg.utilAvg, us: rq.avg.utilSum, ra: rq.avg.runnableAvg, rs: rq.avg.runnableSum },
    { la: 600, ls: 60e6 - 1024 * 20000, ua: 400, us: 400 * MIN_DIV, ra: 0, rs: 0 },
  );
  // The floor on the load and runnable sums too: 40e6 - 20.48e6 is below 600 * MIN_DIV, and
  // 10e6 - 7e6 below 150 * MIN_DIV; the util sum stands (50e6 - 20e6 > 400 * MIN_DIV).
  Object.assign(rq.avg, { loadAvg: 1000, loadSum: 40e6, utilAvg: 700, utilSum: 50e6, runnableAvg: 300, runnableSum: 10e6 });
  se.avgAttached = true;
  detachTaskLoad(NOW, rq, se, false);
  assert.deepEqual(
    { ls: rq.avg.loadSum, us: rq.avg.utilSum, ra: rq.avg.runnableAvg, rs: rq.avg.runnableSum },
    { ls: 600 * MIN_DIV, us: 30e6, ra: 150, rs: 150 * MIN_DIV },
  );
  // An entity that is not attached (its load left already) takes nothing away.
  const before = { ...rq.avg };
  detachTaskLoad(NOW, rq, se, false);
  assert.deepEqual({ ...rq.avg }, before);
});

test("ATTACH_AGE_LOAD: load detached on leaving the class decays over the time away; a migrating task's is attached as it left", () => {
  const roundTrip = (age: boolean) => {
    const from = rqAt(0);
    const se = new Se(1024, null);
    updateLoadAvg(NOW, from, se, DO_ATTACH);
    detachTaskLoad(NOW, from, se, age);
    // 32 PELT periods (of 1024 * 1024 ns) later, on a runqueue updated then.
    const later = NOW + 32 * 1024 * 1024;
    const to = new CfsRq(null, null);
    to.avg.lastUpdateTime = later;
    updateLoadAvg(later, to, se, DO_ATTACH);
    assert.equal(se.avgAttached, true);
    return { se, to };
  };
  // detach_entity_cfs_rq() keeps last_update_time: the attach decays it by y^32 = 1/2.
  let { se, to } = roundTrip(true);
  assert.ok(Math.abs(se.avg.loadAvg - 512) <= 1, `aged: ${se.avg.loadAvg}`);
  assert.equal(to.avg.loadAvg, se.avg.loadAvg);
  // migrate_task_rq_fair() zeroes last_update_time: attached as it was, not initialised again.
  ({ se, to } = roundTrip(false));
  assert.equal(se.avg.loadAvg, 1024);
  assert.equal(se.avg.utilAvg, 512);
  assert.equal(to.avg.loadAvg, 1024);
  // A second trip through another class ages it again from where it was attached.
  const rq = to;
  detachTaskLoad(to.avg.lastUpdateTime, rq, se, true);
  const t2 = to.avg.lastUpdateTime + 32 * 1024 * 1024;
  const rq2 = new CfsRq(null, null);
  rq2.avg.lastUpdateTime = t2;
  updateLoadAvg(t2, rq2, se, DO_ATTACH);
  assert.ok(Math.abs(se.avg.loadAvg - 512) <= 1, `aged again: ${se.avg.loadAvg}`);
});

test("update_tg_load_avg: the group's load moves only when the runqueue's changed by more than 1/64 of what it last reported", () => {
  const g = new TaskGroup("g", 1024);
  g.loadAvg = 5000;
  const rq = rqAt(0, g);
  rq.tgLoadAvgContrib = 1024;
  // 1040 - 1024 = 16 = 1024 / 64: not more.
  rq.avg.loadAvg = 1040;
  updateTgLoadAvg(rq);
  assert.deepEqual({ tg: g.loadAvg, c: rq.tgLoadAvgContrib }, { tg: 5000, c: 1024 });
  rq.avg.loadAvg = 1041;
  updateTgLoadAvg(rq);
  assert.deepEqual({ tg: g.loadAvg, c: rq.tgLoadAvgContrib }, { tg: 5017, c: 1041 });
  // Down by 17 (more than 1041 / 64 = 16.3).
  rq.avg.loadAvg = 1024;
  updateTgLoadAvg(rq);
  assert.deepEqual({ tg: g.loadAvg, c: rq.tgLoadAvgContrib }, { tg: 5000, c: 1024 });
});

test("calc_group_shares: shares * load / (the group's load elsewhere + load), load the larger of load.weight and load_avg; at least MIN_SHARES", () => {
  const g = new TaskGroup("g", 1024);
  g.loadAvg = 3000;
  const rq = rqAt(0, g);
  rq.tgLoadAvgContrib = 1000;
  rq.load = 2048;
  rq.avg.loadAvg = 1500;
  // load 2048; tg_weight 3000 - 1000 + 2048 = 4048; 1024 * 2048 / 4048 = 518.
  assert.equal(calcGroupShares(rq), 518);
  // load_avg the larger: 1024 * 2500 / 4500 = 568.
  rq.avg.loadAvg = 2500;
  assert.equal(calcGroupShares(rq), 568);
  // Nothing queued and no load anywhere: tg_weight 0, no division, clamped up to MIN_SHARES (2).
  const idle = rqAt(0, new TaskGroup("h", 1024));
  assert.equal(calcGroupShares(idle), 2);
});

test("task_h_load: a root task's load share of the CPU; a group task's through its group entity's share of the root", () => {
  const root = rqAt(0);
  root.avg.loadAvg = 1500;
  const t = new Se(1024, null);
  t.cfsRq = root;
  t.avg.loadAvg = 500;
  // 500 * 1500 / 1501.
  assert.equal(taskHLoad(t), 499);
  // update_cfs_rq_h_load(): the group runqueue's h_load = 2000 * 800 / 2001 = 799 (800 with
  // "- 1"); the task's 1200 * 799 / (1200 + 1) = 798.
  root.avg.loadAvg = 2000;
  const grq = rqAt(0, new TaskGroup("g", 1024));
  const gse = new Se(1024, null);
  gse.cfsRq = root;
  gse.my = grq;
  grq.se = gse;
  gse.avg.loadAvg = 800;
  grq.avg.loadAvg = 1200;
  const u = new Se(1024, null);
  u.cfsRq = grq;
  u.avg.loadAvg = 1200;
  assert.equal(taskHLoad(u), 798);
});

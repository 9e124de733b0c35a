/**
 * Arithmetic of the wake-up path (sim-core/sched/wake.ts) against kernel/sched/fair.c and
 * core.c of Linux 6.5, with values worked out by hand:
 * - update_idle_cpu_scan() (SIS_UTIL): x = sum_util / llc_weight, tmp = min(x^2 * pct^2 /
 *   (10000 * 1024), 1024), nr_idle_scan = (1024 - tmp) * llc_weight / 1024, integer divisions;
 * - ttwu_do_activate()'s rq->avg_idle: update_avg() moves it 1/8 of the way to the idle time,
 *   capped at 2 * max_idle_balance_cost, and clears idle_stamp.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MIGRATION_COST_NS } from "../../sim-core/params";
import { Task } from "../../sim-core/sched/task";
import { activateTask, updateIdleCpuScan } from "../../sim-core/sched/wake";
import { MS, US, world } from "./world";

test("update_idle_cpu_scan: the scan budget of a 4-CPU LLC at several utilisations", () => {
  const rd = world(4).host.rd;
  const budget = (sumUtil: number) => {
    updateIdleCpuScan(rd, sumUtil);
    return rd.nrIdleScan;
  };
  // x = 0: the whole LLC.
  assert.equal(budget(0), 4);
  // x = 256: tmp = 256^2 * 117^2 / 10240000 = 87.6 -> 87; (1024 - 87) * 4 / 1024 = 3.66 -> 3.
  assert.equal(budget(1024), 3);
  // x = 512: tmp = 350.4 -> 350; 674 * 4 / 1024 = 2.63 -> 2.
  assert.equal(budget(2048), 2);
  // x = 750: tmp = 751.96 -> 751; 273 * 4 / 1024 = 1.07 -> 1.
  assert.equal(budget(3000), 1);
  // x = 875 (85 % busy): tmp = 1023.5 -> 1023; 1 * 4 / 1024 -> 0.
  assert.equal(budget(3500), 0);
  // Fully busy: tmp is capped at 1024, budget 0 (not negative).
  assert.equal(budget(4096), 0);
  assert.equal(budget(8192), 0);
});

test("update_idle_cpu_scan does nothing without SIS_UTIL", () => {
  const w = world(4);
  const rd = w.host.rd;
  rd.tun.features = { ...rd.tun.features, SIS_UTIL: false };
  rd.nrIdleScan = 3;
  updateIdleCpuScan(rd, 0);
  assert.equal(rd.nrIdleScan, 3);
});

test("avg_idle: a wake-up on an idle CPU moves it 1/8 of the way to the idle time, capped at twice max_idle_balance_cost", () => {
  const w = world(2);
  const rd = w.host.rd;
  const c1 = w.host.cpus[1]!;
  w.runTo(10 * MS);
  // Boot values: avg_idle = 2 * sysctl_sched_migration_cost, max_idle_balance_cost = the cost.
  assert.equal(rd.avgIdle[1], 2 * MIGRATION_COST_NS);
  const wake = (idleNs: number) => {
    const t = new Task(`t${idleNs}`, { burstEnd: (x) => x.cpu!.sleepCurr() });
    t.newTask = false;
    t.remaining = 10 * US;
    w.host.addTask(t, 1, undefined);
    t.cpu = c1;
    rd.idleStamp[1] = w.eng.now - idleNs;
    activateTask(rd, c1, t);
    assert.equal(rd.idleStamp[1], -1, "idle_stamp cleared");
    w.runTo(w.eng.now + 1 * MS);
    return rd.avgIdle[1];
  };
  // 1000 us + (200 us - 1000 us) / 8 = 900 us.
  assert.equal(wake(200 * US), 900 * US);
  // 900 us + (100 us - 900 us) / 8 = 800 us.
  assert.equal(wake(100 * US), 800 * US);
  // 800 us + (2400 us - 800 us) / 8 = 1000 us: exactly the cap, kept.
  assert.equal(wake(2400 * US), 1000 * US);
  // 1000 us + (5000 us - 1000 us) / 8 = 1500 us: capped at 2 * 500 us.
  assert.equal(wake(5000 * US), 2 * MIGRATION_COST_NS);
  // A larger max_idle_balance_cost raises the cap.
  rd.maxIdleBalanceCost[1] = 800 * US;
  assert.equal(wake(5000 * US), 1500 * US);
  // No idle stamp (the CPU was not idle): avg_idle stays.
  const t = new Task("busy", { burstEnd: (x) => x.cpu!.sleepCurr() });
  t.newTask = false;
  t.remaining = 10 * US;
  w.host.addTask(t, 1, undefined);
  t.cpu = c1;
  rd.idleStamp[1] = -1;
  activateTask(rd, c1, t);
  assert.equal(rd.avgIdle[1], 1500 * US);
});

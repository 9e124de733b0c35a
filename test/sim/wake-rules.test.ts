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
import type { Cpu } from "../../sim-core/sched/cpu";
import { Task } from "../../sim-core/sched/task";
import { activateTask, selectTaskRq, updateIdleCpuScan } from "../../sim-core/sched/wake";
import { hog, MS, US, world } from "./world";

/** A fair task that has run before (not new), asleep, last on `cpu`. */
function sleeper(w: ReturnType<typeof world>, cpu: Cpu): Task {
  const p = new Task("p", { burstEnd: (x) => x.cpu!.sleepCurr() });
  w.host.addTask(p, undefined, undefined);
  p.newTask = false;
  p.cpu = cpu;
  return p;
}

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
  // The kernel's s64 division truncates toward zero, both ways: 1500 us + (3 ns - 1500 us) / 8
  // = 1500000 - 187499 (not -187499.625) = 1312501 ns; then + (1312501 + 13 - 1312501) / 8 = +1.
  assert.equal(wake(3), 1_312_501);
  assert.equal(wake(1_312_514), 1_312_502);
  rd.avgIdle[1] = 1500 * US;
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

/**
 * A waker W alone on CPU 0, three hogs on CPU 1 (the wakee's previous CPU), a hog on each other
 * CPU, 1 s in: every CPU busy, CPU 1 three times as loaded. For a wakee with no load of its own,
 * wake_affine_weight() picks the waker's CPU: (L + 0) * 100 < (3L - 0) * 108.
 */
function affine() {
  const w = world(4);
  const [c0, c1] = w.host.cpus;
  const waker = hog("W");
  const load = [waker, hog("b1"), hog("b2"), hog("b3"), hog("c2"), hog("c3")];
  const pins = [0, 1, 1, 1, 2, 3];
  load.forEach((t, i) => {
    w.host.addTask(t, pins[i], undefined);
    w.host.wakeTask(t);
  });
  w.runTo(1000 * MS);
  const rd = w.host.rd;
  const p = sleeper(w, c1!);
  assert.equal(c0!.curr, waker);
  /** select_task_rq() for p woken by W, with these wakee_flips (no decay, W's last wakee is p). */
  const place = (wakerFlips: number, wakeeFlips: number) => {
    waker.wakeeFlips = wakerFlips;
    waker.lastWakee = p;
    waker.wakeeFlipDecayTs = rd.jiffies;
    p.wakeeFlips = wakeeFlips;
    p.recentUsedCpu = -1;
    return selectTaskRq(rd, p, c1!, c0!).index;
  };
  return { w, rd, waker, p, place, c0: c0!, c1: c1! };
}

test("wake_wide: a waker flipping at least llc_size times as often as a wakee that flips llc_size times spreads", () => {
  const { place } = affine();
  assert.equal(place(0, 0), 0, "1:1: affine, WA_WEIGHT picks the waker's CPU");
  // llc_size 4: wide iff slave >= 4 and master >= 4 * slave (either way round).
  assert.equal(place(16, 4), 1, "wide: stays on the previous CPU");
  assert.equal(place(4, 16), 1, "wide, the wakee the master");
  assert.equal(place(15, 4), 0, "master < slave * llc_size");
  assert.equal(place(16, 3), 0, "slave < llc_size");
  assert.equal(place(100, 3), 0);
});

test("record_wakee: a new wakee adds a flip; a second past the last decay halves the flips first", () => {
  const { rd, waker, p, place, c0, c1 } = affine();
  // Waking another task than last time flips: 15 -> 16 is wide.
  waker.wakeeFlips = 15;
  waker.lastWakee = null;
  waker.wakeeFlipDecayTs = rd.jiffies;
  p.wakeeFlips = 4;
  assert.equal(selectTaskRq(rd, p, c1, c0).index, 1);
  assert.equal(waker.wakeeFlips, 16);
  assert.equal(waker.lastWakee, p);
  // The same wakee again: no flip.
  assert.equal(place(15, 4), 0);
  assert.equal(waker.wakeeFlips, 15);
  // More than HZ jiffies since the last decay: 33 -> 16 (wide) and the stamp moves to now.
  waker.wakeeFlips = 33;
  waker.wakeeFlipDecayTs = rd.jiffies - rd.hz - 1;
  p.recentUsedCpu = -1;
  assert.equal(selectTaskRq(rd, p, c1, c0).index, 1);
  assert.equal(waker.wakeeFlips, 16);
  assert.equal(waker.wakeeFlipDecayTs, rd.jiffies);
  // Exactly HZ jiffies: not yet (time_after()).
  waker.wakeeFlips = 31;
  waker.wakeeFlipDecayTs = rd.jiffies - rd.hz;
  p.recentUsedCpu = -1;
  assert.equal(selectTaskRq(rd, p, c1, c0).index, 1, "31 flips, not halved: still wide");
  assert.equal(waker.wakeeFlips, 31);
});

/** CPUs 0 and 1 busy (CPU 1 is the wakee's previous CPU and the waker's), 2 and 3 as given. */
function sibling(busy2: boolean, busy3: boolean) {
  const w = world(4);
  const c = w.host.cpus;
  const busy = [true, true, busy2, busy3];
  busy.forEach((b, i) => {
    if (!b) return;
    const t = hog(`h${i}`);
    w.host.addTask(t, i, undefined);
    w.host.wakeTask(t);
  });
  w.runTo(10 * MS);
  const rd = w.host.rd;
  const p = sleeper(w, c[1]!);
  /** select_task_rq() for p, previous CPU 1, woken from CPU 1 (no wake_affine()). */
  const place = (recent: number, budget: number) => {
    p.recentUsedCpu = recent;
    rd.nrIdleScan = budget;
    return selectTaskRq(rd, p, c[1]!, c[1]!).index;
  };
  return { p, place };
}

test("select_idle_sibling: the task's recently used CPU if idle, else a scan of nr_idle_scan CPUs after the target", () => {
  const { p, place } = sibling(false, false);
  assert.equal(place(3, 0), 3, "recent_used_cpu 3 is idle");
  assert.equal(p.recentUsedCpu, 1, "and becomes the previous CPU");
  assert.equal(place(-1, 0), 1, "no budget (boot): no scan, the busy target");
  assert.equal(place(1, 4), 2, "recent == prev: scan from target + 1");
  assert.equal(place(0, 4), 2, "a busy recent CPU: scan");
  const two = sibling(true, false);
  // Budget n scans n CPUs: CPU 2 (busy), then CPU 3.
  assert.equal(two.place(-1, 1), 1, "one CPU scanned, busy: the target");
  assert.equal(two.place(-1, 2), 3, "two: CPU 3");
});

test("select_task_rq: a pinned task goes to its CPU whatever is idle", () => {
  const w = world(3);
  const p = new Task("p", { burstEnd: (x) => x.cpu!.sleepCurr() });
  w.host.addTask(p, 2, undefined);
  const c = w.host.cpus;
  assert.equal(selectTaskRq(w.host.rd, p, c[0]!, c[0]!), c[2]);
});

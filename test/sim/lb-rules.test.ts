/**
 * find_busiest_group() of Linux 6.5 (kernel/sched/fair.c) on one MC domain of one-CPU groups,
 * worked by hand from stated PELT averages (lb-fixture.ts): update_sg_lb_stats() and
 * group_classify() (group_is_overloaded(), group_has_capacity() with imbalance_pct 117),
 * update_sd_pick_busiest()'s order of group types and its tie rules, the overloaded-vs-overloaded
 * checks (avg_load, the domain average, imbalance_pct), calculate_imbalance()'s task and load
 * branches, the misfit group of a CPU with reduced capacity, and find_busiest_queue()'s single
 * task rule. Each case is observed through what load_balance() moves and from where; the numbers
 * in the comments are the kernel's formulas with these inputs (capacity 1024 unless RT takes
 * some: capacity_of() = 1024 - avg_rt).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadBalance } from "../../sim-core/sched/lb";
import type { Task } from "../../sim-core/sched/task";
import { CPU_IDLE, CPU_NOT_IDLE } from "../../sim-core/sched/topology";
import { avg, frozen, order, queued, taskLoad } from "./lb-fixture";
import { hog } from "./world";

const hogs = (p: string, n: number) => Array.from({ length: n }, (_, i) => hog(`${p}${i}`));

/**
 * CPU 0 runs two hogs (load 2048, runnable `r0`, util `u0`); CPU 1, the puller, one hog (load
 * 1024, util and runnable 1000: no spare capacity, so fully busy). The waiting task's load is 400.
 */
function twoVsOne(u0: number, r0: number, rt0 = 0, l0 = 2048, lq = 400) {
  const a = hogs("a", 2);
  const f = frozen([a, [hog("d")]]);
  const [c0, c1] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0]];
  avg(c1, 1024, 1000, 1000);
  avg(c0, l0, u0, r0, rt0);
  const [q] = queued(c0, a) as [Task];
  taskLoad(q, lq);
  order(c0, q);
  f.rd.nrBalanceFailed[1] = 1;
  return { ...f, c0, c1, q };
}

test("group_is_overloaded(): two tasks and util * 117 > capacity * 100 (util 876, not 875) make the busy CPU pull", () => {
  // util 875: 1024 * 100 = 102400 >= 875 * 117 = 102375, runnable 100: has spare capacity. The
  // local group (fully busy) is busier than that: out_balanced, nr_balance_failed 0, interval x2.
  const s = twoVsOne(875, 100);
  assert.equal(loadBalance(s.rd, s.c1, CPU_NOT_IDLE), 0);
  assert.equal(s.q.cpu, s.c0);
  assert.equal(s.rd.nrBalanceFailed[1], 0);
  assert.equal(s.rd.balanceInterval[1], 4, "min_interval 2 doubled (below max_interval 4)");
  assert.equal(s.rd.overload, true, "a CPU with two tasks sets rd->overload");
  // util 876: 102400 < 102492, overloaded. calculate_imbalance(): local avg_load 1024, domain
  // average 3072 * 1024 / 2048 = 1536, imbalance min(2048 - 1536, 1536 - 1024) = 512 >= the
  // waiting task's task_h_load 400 * 2048 / 2049 = 399: it moves.
  const t = twoVsOne(876, 100);
  assert.equal(loadBalance(t.rd, t.c1, CPU_NOT_IDLE), 1);
  assert.equal(t.q.cpu, t.c1);
  assert.equal(t.rd.nrBalanceFailed[1], 0, "moved: nr_balance_failed = 0");
  assert.equal(t.rd.balanceInterval[1], 2, "unbalanced: balance_interval = min_interval");
});

test("group_is_overloaded(): two tasks and capacity * 117 < runnable * 100 (runnable 1199, not 1198)", () => {
  // 1024 * 117 = 119808: runnable 1198 (119800) leaves spare capacity, 1199 (119900) overloads.
  const s = twoVsOne(100, 1198);
  assert.equal(loadBalance(s.rd, s.c1, CPU_NOT_IDLE), 0);
  assert.equal(s.q.cpu, s.c0);
  const t = twoVsOne(100, 1199);
  assert.equal(loadBalance(t.rd, t.c1, CPU_NOT_IDLE), 1);
  assert.equal(t.q.cpu, t.c1);
});

/**
 * CPU 0 runs three hogs (load 3000, overloaded); CPU 1, the puller, one hog with load 3000 too and
 * util `u1`, runnable `r1`.
 */
function threeVsOne(u1: number, r1: number, rt1 = 0) {
  const a = hogs("a", 3);
  const f = frozen([a, [hog("d")]]);
  const [c0, c1] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0]];
  avg(c0, 3000, 1024, 3072);
  avg(c1, 3000, u1, r1, rt1);
  const q = queued(c0, a);
  order(c0, ...q);
  return { ...f, c0, c1, q };
}

test("group_has_capacity(): one task with util * 117 < capacity * 100 and runnable * 100 <= capacity * 117 has spare", () => {
  // Spare: calculate_imbalance() evens the task counts: (3 - 1) >> 1 = 1 task moves.
  for (const [u, r] of [
    [875, 1000],
    [500, 1198],
  ] as const) {
    const s = threeVsOne(u, r);
    assert.equal(loadBalance(s.rd, s.c1, CPU_NOT_IDLE), 1, `util ${u} runnable ${r}: has spare`);
    assert.equal(s.q[0]!.cpu, s.c1, "the task at the tail of cfs_tasks");
  }
  // Fully busy (util 876: 102492 > 102400; runnable 1199: 119900 > 119808): the load branch,
  // where local avg_load 3000 >= busiest's 3000 gives imbalance 0: nothing moves.
  for (const [u, r] of [
    [876, 1000],
    [500, 1199],
  ] as const) {
    const s = threeVsOne(u, r);
    assert.equal(loadBalance(s.rd, s.c1, CPU_NOT_IDLE), 0, `util ${u} runnable ${r}: fully busy`);
    assert.equal(s.rd.nrBalanceFailed[1], 0, "balanced (imbalance 0), not a failure");
    assert.equal(s.rd.balanceInterval[1], 4);
  }
});

test("the 117 % comparisons are strict: equality (capacity 1000 or 936) neither overloads nor removes spare capacity", () => {
  // Overloaded needs capacity * 100 < util * 117 or capacity * 117 < runnable * 100. Capacity
  // 936 (avg_rt 88), util 800: 93600 = 93600, not overloaded (nor spare: fully busy, and a
  // fully busy CPU does not pull from one); capacity 1000 (avg_rt 24), runnable 1170: 117000 =
  // 117000, not overloaded, spare (util 100). Either way nothing moves to the busy CPU 1.
  for (const [u, r, rt] of [
    [800, 100, 88],
    [100, 1170, 24],
  ] as const) {
    const s = twoVsOne(u, r, rt);
    assert.equal(loadBalance(s.rd, s.c1, CPU_NOT_IDLE), 0, `util ${u} runnable ${r} avg_rt ${rt}`);
  }
  // The puller's own group, one task with load 3000 against 3000: spare capacity evens the task
  // counts (one moves), fully busy finds imbalance 0. Capacity 1000, runnable 1170: spare (not
  // capacity * 117 < runnable * 100). Capacity 936, util 800: fully busy (not capacity * 100 >
  // util * 117).
  const sp = threeVsOne(100, 1170, 24);
  assert.equal(loadBalance(sp.rd, sp.c1, CPU_NOT_IDLE), 1);
  const fb = threeVsOne(800, 100, 88);
  assert.equal(loadBalance(fb.rd, fb.c1, CPU_NOT_IDLE), 0);
});

test("group_is_overloaded(): one task is never overloaded (sum_nr_running <= group_weight), whatever its util", () => {
  // The puller runs one task at util 1000: fully busy, so the load branch: avg_load 1024 < 1100,
  // average 1062, imbalance min(38, 38) = 38 >= h_load 30 * 1100 / 1101 = 29: it moves. Were the
  // puller overloaded, 100 * 1100 <= 117 * 1024 would be out_balanced.
  const s = twoVsOne(1024, 2048, 0, 1100, 30);
  assert.equal(loadBalance(s.rd, s.c1, CPU_NOT_IDLE), 1);
  assert.equal(s.q.cpu, s.c1);
});

test("a busiest group that is not overloaded: a busy CPU leaves it alone; an idle one too when it has one fair task", () => {
  // Busy CPU 1 (one hog at util 300: spare) and CPU 0's three hogs at util 300 (spare): env->idle
  // == CPU_NOT_IDLE, out_balanced (an idle CPU would take (3 - 1) >> 1 = 1).
  const a = hogs("a", 3);
  const f = frozen([a, [hog("d")]]);
  const [c0, c1] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0]];
  avg(c0, 3000, 300, 300);
  avg(c1, 1000, 300, 300);
  assert.equal(loadBalance(f.rd, c1, CPU_NOT_IDLE), 0);
  assert.equal(c0.nrRunning, 3);
  // CPU 1 runs an RT hog and a fair one waits (capacity 924, not reduced; util 0: spare):
  // sum_h_nr_running 1, out_balanced, though (2 - 0) >> 1 = 1 would move it.
  const w = hog("w");
  const g = frozen([[], [hog("r", "fifo", 10), w]]);
  avg(g.cpus[1]!, 1024, 0, 0, 100);
  g.rd.balanceInterval[0] = 4;
  assert.equal(loadBalance(g.rd, g.cpus[0]!, CPU_IDLE), 0);
  assert.equal(w.cpu, g.cpus[1]);
  assert.equal(g.rd.balanceInterval[0], 4, "out_balanced at max_interval");
});

test("calculate_imbalance() giving 0 is balanced: (2 - 1) >> 1 = 0 tasks, out_balanced (no failure, no doubling at max_interval)", () => {
  const s = twoVsOne(1024, 2048);
  avg(s.c1, 1024, 500, 500);
  s.rd.balanceInterval[1] = 4;
  assert.equal(loadBalance(s.rd, s.c1, CPU_NOT_IDLE), 0);
  assert.equal(s.rd.nrBalanceFailed[1], 0);
  assert.equal(s.rd.balanceInterval[1], 4);
});

test("group_has_capacity(): an idle CPU has spare capacity whatever its blocked util (sum_nr_running < group_weight)", () => {
  // The idle puller's blocked averages: load 2000, util and runnable 1000. With spare capacity
  // the task counts are evened ((2 - 0) >> 1 = 1); were it fully busy, the load branch would
  // give min(2048 - 2024, 2024 - 2000) = 24, less than any task's load.
  const a = hogs("a", 2);
  const f = frozen([a, []]);
  const [c0, c1] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0]];
  avg(c0, 2048, 1024, 2048);
  avg(c1, 2000, 1000, 1000);
  const [q] = queued(c0, a) as [Task];
  taskLoad(q, 1000);
  assert.equal(loadBalance(f.rd, c1, CPU_IDLE), 1);
  assert.equal(q.cpu, c1);
});

/** CPU 1 (the puller) runs two hogs, load 2000; CPU 0 three, load `lb`; both overloaded. */
function overVsOver(lb: number, rt0 = 0) {
  const a = hogs("a", 3);
  const b = hogs("b", 2);
  const f = frozen([a, b]);
  const [c0, c1] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0]];
  avg(c0, lb, 1024, 3072, rt0);
  avg(c1, 2000, 1024, 2048);
  const [q1, q2] = queued(c0, a) as [Task, Task];
  taskLoad(q1, 150);
  taskLoad(q2, 600);
  order(c0, q1, q2);
  return { ...f, c0, c1, q1, q2 };
}

test("both overloaded: pull only when 100 * busiest avg_load > imbalance_pct * local avg_load (2341, not 2340, over 2000)", () => {
  // 100 * 2340 = 234000 <= 117 * 2000: out_balanced.
  const s = overVsOver(2340);
  s.rd.nrBalanceFailed[1] = 1;
  assert.equal(loadBalance(s.rd, s.c1, CPU_NOT_IDLE), 0);
  assert.equal(s.rd.nrBalanceFailed[1], 0);
  assert.equal(s.rd.balanceInterval[1], 4);
  // 2341: calculate_imbalance() with the local group overloaded: average 4341 * 1024 / 2048 =
  // 2170.5, imbalance min(2341 - 2170.5, 2170.5 - 2000) = 170. The tail task (h_load 149) fits
  // and moves; the next (599 > 21 left) does not; the running one cannot.
  const t = overVsOver(2341);
  assert.equal(loadBalance(t.rd, t.c1, CPU_NOT_IDLE), 1);
  assert.equal(t.q1.cpu, t.c1);
  assert.equal(t.q2.cpu, t.c0);
});

test("avg_load is load * 1024 / capacity: a CPU whose RT work leaves it 512 counts twice its load", () => {
  // Busiest: load 1200 on capacity 512 (avg_rt 512) = avg_load 2400 > 2340; average (1200 + 2000)
  // * 1024 / 1536 = 2133.3; imbalance min((2400 - 2133.3) * 512, (2133.3 - 2000) * 1024) / 1024
  // = 133: the 150-load task (h_load 149) does not fit, nothing moves, nr_balance_failed 1.
  const s = overVsOver(1200, 512);
  taskLoad(s.q1, 120);
  assert.equal(loadBalance(s.rd, s.c1, CPU_NOT_IDLE), 1, "a 120 task (h_load 119) fits in 133");
  assert.equal(s.q1.cpu, s.c1);
  const t = overVsOver(1200, 512);
  assert.equal(loadBalance(t.rd, t.c1, CPU_NOT_IDLE), 0);
  assert.equal(t.rd.nrBalanceFailed[1], 1, "unbalanced and nothing moved: a failure");
  assert.equal(t.rd.balanceInterval[1], 2);
  // Unscaled (load 1200 < 2000) it would be out_balanced.
});

/**
 * Three CPUs: CPU 1 (the puller) one hog, load `local`, fully busy; CPU 2 one hog, load `other`,
 * fully busy; CPU 0 three hogs, load 3000, overloaded, whose waiting tasks have loads `l1` (tail)
 * and `l2`.
 */
function loadBranch(local: number, other: number, l1: number, l2: number) {
  const a = hogs("a", 3);
  const f = frozen([a, [hog("d")], [hog("e")]]);
  const [c0, c1, c2] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0], (typeof f.cpus)[0]];
  avg(c0, 3000, 1024, 3072);
  avg(c1, local, 1000, 1000);
  avg(c2, other, 1000, 1000);
  const [q1, q2] = queued(c0, a) as [Task, Task];
  taskLoad(q1, l1);
  taskLoad(q2, l2);
  order(c0, q1, q2);
  return { ...f, c0, c1, c2, q1, q2 };
}

test("calculate_imbalance(), fully busy local: min((busiest - avg) * cap, (avg - local) * cap) / 1024 of load", () => {
  // Average (600 + 1500 + 3000) * 1024 / 3072 = 1700: min(1300, 1100) = 1100. The tail task
  // (h_load 1150 * 3000 / 3001 = 1149) is too big; the next (1049) moves.
  const s = loadBranch(600, 1500, 1150, 1050);
  assert.equal(loadBalance(s.rd, s.c1, CPU_NOT_IDLE), 1);
  assert.equal(s.q1.cpu, s.c0);
  assert.equal(s.q2.cpu, s.c1);
  // Average (600 + 2900 + 3000) / 3 = 2166.7: min(833.3, 1566.7) = 833: 899 stays, 799 moves.
  const t = loadBranch(600, 2900, 900, 800);
  assert.equal(loadBalance(t.rd, t.c1, CPU_NOT_IDLE), 1);
  assert.equal(t.q1.cpu, t.c0);
  assert.equal(t.q2.cpu, t.c1);
});

test("update_sd_pick_busiest(): of two overloaded CPUs the higher avg_load; a tie keeps the first in the domain's order", () => {
  // An idle CPU 0 pulls one task ((2 - 0) >> 1) from the busiest; the order is CPU 1, then 2.
  const from = (l1: number, l2: number) => {
    const a = hogs("a", 2);
    const b = hogs("b", 2);
    const f = frozen([[], a, b]);
    const [c0, c1, c2] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0], (typeof f.cpus)[0]];
    avg(c1, l1, 1024, 2048);
    avg(c2, l2, 1024, 2048);
    assert.equal(loadBalance(f.rd, c0, CPU_IDLE), 1);
    return [...a, ...b].filter((t) => t.cpu === c0).map((t) => t.name[0]);
  };
  assert.deepEqual(from(2000, 2000), ["a"]);
  assert.deepEqual(from(2000, 2100), ["b"]);
  assert.deepEqual(from(2100, 2000), ["a"]);
});

test("update_sd_pick_busiest(): of two CPUs with spare capacity the one with more tasks, a tie the first", () => {
  // util 300, runnable 300: three tasks are not overloaded (35100 < 102400, 30000 < 119808).
  const from = (n1: number, n2: number) => {
    const a = hogs("a", n1);
    const b = hogs("b", n2);
    const f = frozen([[], a, b]);
    const [c0, c1, c2] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0], (typeof f.cpus)[0]];
    avg(c1, 3000, 300, 300);
    avg(c2, 3000, 300, 300);
    assert.equal(loadBalance(f.rd, c0, CPU_IDLE), 1);
    return [...a, ...b].filter((t) => t.cpu === c0).map((t) => t.name[0]);
  };
  assert.deepEqual(from(2, 3), ["b"]);
  assert.deepEqual(from(3, 3), ["a"]);
  assert.deepEqual(from(3, 2), ["a"]);
});

test("update_sd_pick_busiest(): a CPU without fair tasks (sum_h_nr_running 0) is never the busiest, whatever it runs", () => {
  // CPU 1 runs three RT hogs (spare capacity, 3 tasks); CPU 2 two fair hogs: CPU 2 gives one.
  const b = hogs("b", 2);
  const rt = [0, 1, 2].map((i) => hog(`r${i}`, "fifo", 10));
  const f = frozen([[], rt, b]);
  avg(f.cpus[1]!, 0, 0, 0);
  avg(f.cpus[2]!, 2000, 300, 300);
  assert.equal(loadBalance(f.rd, f.cpus[0]!, CPU_IDLE), 1);
  assert.equal(b.filter((t) => t.cpu === f.cpus[0]).length, 1);
});

test("group types rank before loads: a fully busy CPU outranks one with spare capacity and more tasks, and gives nothing", () => {
  // CPU 1: one hog, util 1000 (fully busy). CPU 2: three hogs, util 300 (spare). busiest is CPU
  // 1; not overloaded with sum_h_nr_running 1: out_balanced, though CPU 2 has tasks waiting.
  const b = hogs("b", 3);
  const f = frozen([[], [hog("a")], b]);
  const [c0, c1, c2] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0], (typeof f.cpus)[0]];
  avg(c1, 1024, 1000, 1000);
  avg(c2, 3000, 300, 300);
  assert.equal(loadBalance(f.rd, c0, CPU_IDLE), 0);
  assert.ok(b.every((t) => t.cpu === c2));
  assert.equal(f.rd.nrBalanceFailed[0], 0);
});

/**
 * CPU 1 and CPU 2 each run an RT hog with a fair hog waiting (avg_rt `rt1`/`rt2`, fair load
 * `l1`/`l2`, util and runnable 0); CPU 2 has `extra` more fair hogs. CPU 0 pulls.
 */
function misfits(rt1: number, l1: number, rt2: number, l2: number, extra = 0, dstBusy = false) {
  const f1 = hog("f1");
  const f2 = hog("f2");
  const more = hogs("x", extra);
  const f = frozen([dstBusy ? [hog("d")] : [], [hog("r1", "fifo", 10), f1], [hog("r2", "fifo", 10), f2, ...more]]);
  const [c0, c1, c2] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0], (typeof f.cpus)[0]];
  if (dstBusy) avg(c0, 1024, 1000, 1000);
  avg(c1, l1, 0, 0, rt1);
  avg(c2, l2, 0, 0, rt2);
  taskLoad(f1, l1);
  taskLoad(f2, l2);
  const pulled = () => [f1, f2, ...more].filter((t) => t.cpu === c0).map((t) => t.name);
  return { ...f, c0, c1, c2, pulled };
}

test("misfit: an idle CPU pulls the one fair task of a CPU with reduced capacity (capacity * 117 < 1024 * 100)", () => {
  // avg_rt 200: capacity 824, reduced. group_misfit_task skips the checks that refuse a group
  // with one task; calculate_imbalance(): migrate_load, imbalance = its load 600 >= h_load 599.
  const s = misfits(200, 600, 0, 0);
  assert.equal(loadBalance(s.rd, s.c0, CPU_IDLE), 1);
  assert.deepEqual(s.pulled(), ["f1"]);
  // A busy puller does not look for misfits (env->idle == CPU_NOT_IDLE): spare capacity only.
  const b = misfits(200, 600, 0, 0, 0, true);
  assert.equal(loadBalance(b.rd, b.c0, CPU_NOT_IDLE), 0);
  assert.deepEqual(b.pulled(), []);
});

test("misfit: the biggest misfit load wins, a tie goes to the later CPU", () => {
  const pull = (l1: number, l2: number) => {
    const s = misfits(200, l1, 200, l2);
    assert.equal(loadBalance(s.rd, s.c0, CPU_IDLE), 1);
    return s.pulled();
  };
  assert.deepEqual(pull(600, 500), ["f1"]);
  assert.deepEqual(pull(500, 600), ["f2"]);
  assert.deepEqual(pull(500, 500), ["f2"], "misfit load < busiest's: false; equal replaces");
});

test("misfit needs exactly one fair task (sched_reduced_capacity(): cfs.h_nr_running == 1)", () => {
  // CPU 1: RT hog and two fair hogs on capacity 824 (not misfit: spare, sum_nr_running 3);
  // CPU 2: RT hog and four fair hogs (spare, 5 tasks): the busiest, (5 - 0) >> 1 = 2 move.
  const f1 = hogs("f", 2);
  const f2 = hogs("g", 4);
  const f = frozen([[], [hog("r1", "fifo", 10), ...f1], [hog("r2", "fifo", 10), ...f2]]);
  avg(f.cpus[1]!, 2000, 0, 0, 200);
  avg(f.cpus[2]!, 4000, 0, 0);
  assert.equal(loadBalance(f.rd, f.cpus[0]!, CPU_IDLE), 2);
  assert.ok(f1.every((t) => t.cpu === f.cpus[1]));
});

test("misfit outranks spare capacity, and reduced capacity starts below 875.2 (avg_rt 149, not 148)", () => {
  // CPU 2: an RT hog and three fair hogs, spare capacity (util 0). CPU 1's single fair task is
  // misfit when 1024 - avg_rt < 102400 / 117: avg_rt 149 (capacity 875) yes, 148 (876) no.
  const m = misfits(149, 600, 0, 3000, 2);
  assert.equal(loadBalance(m.rd, m.c0, CPU_IDLE), 1);
  assert.deepEqual(m.pulled(), ["f1"]);
  // Not misfit: CPU 2 has the most tasks (sum_nr_running 4, the RT one included), and the idle
  // puller evens the counts: (4 - 0) >> 1 = 2 tasks from CPU 2.
  const n = misfits(148, 600, 0, 3000, 2);
  assert.equal(loadBalance(n.rd, n.c0, CPU_IDLE), 2);
  assert.ok(!n.pulled().includes("f1"), "CPU 2 is busiest");
});

test("find_busiest_queue(): one fair task whose load exceeds the imbalance stays, unless its CPU's capacity is reduced", () => {
  // CPU 0: an RT hog and a waiting fair hog (load and util 1000, overloaded); CPU 1 pulls,
  // fully busy with load 200. avg_rt 50 (capacity 974): busiest avg_load 1051.3, average
  // 1200 * 1024 / 1998 = 615.0, imbalance min(424.97, 424.98) = 424 < 1000: no busiest queue,
  // out_balanced.
  const run = (rt: number) => {
    const fq = hog("fq");
    const f = frozen([[hog("r", "fifo", 10), fq], [hog("d")]]);
    const [c0, c1] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0]];
    avg(c0, 1000, 1000, 1000, rt);
    avg(c1, 200, 1000, 1000);
    taskLoad(fq, 1000);
    f.rd.nrBalanceFailed[1] = 1;
    assert.equal(loadBalance(f.rd, c1, CPU_NOT_IDLE), 0);
    assert.equal(fq.cpu, c0);
    return [f.rd.nrBalanceFailed[1], f.rd.balanceInterval[1]];
  };
  assert.deepEqual(run(50), [0, 4], "out_balanced");
  // avg_rt 200 (capacity 824, reduced): the queue is taken; imbalance 464 < h_load 999 >> 1:
  // nothing detached, a failure, balance_interval back to min_interval.
  assert.deepEqual(run(200), [2, 2]);
});

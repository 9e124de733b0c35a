/**
 * load_balance()'s second half in Linux 6.5 (kernel/sched/fair.c), worked by hand from stated
 * PELT averages (lb-fixture.ts): detach_tasks() (migrate_task takes one task per unit of
 * imbalance; migrate_load takes a task whose task_h_load() >> nr_balance_failed fits and takes
 * its load off; the loop_max bound; a newly idle pull stops after one task on CONFIG_PREEMPTION),
 * can_migrate_task() (cpus_ptr, LBF_ALL_PINNED) and task_hot() (sysctl_sched_migration_cost
 * strictly, the CACHE_HOT_BUDDY buddies when dst has work, never a SCHED_IDLE task),
 * should_we_balance() for a newly idle CPU, and the bookkeeping at the end of load_balance():
 * nr_balance_failed (only the periodic balance counts a failure), balance_interval back to
 * min_interval when unbalanced, doubled at out_balanced below max_interval and at
 * out_all_pinned below MAX_PINNED_INTERVAL (512), never for a newly idle balance.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadBalance } from "../../sim-core/sched/lb";
import type { Task } from "../../sim-core/sched/task";
import { CPU_IDLE, CPU_NEWLY_IDLE, CPU_NOT_IDLE, MIGRATION_COST_NS } from "../../sim-core/sched/topology";
import { avg, frozen, order, queued, taskLoad } from "./lb-fixture";
import { hog } from "./world";

const hogs = (p: string, n: number) => Array.from({ length: n }, (_, i) => hog(`${p}${i}`));

/** CPU 0 runs `n` hogs (overloaded), CPU 1 is idle; the waiting tasks in detach order. */
function nOnOne(n: number, keepPins = false) {
  const a = hogs("a", n);
  const f = frozen([a, []], keepPins);
  const [c0, c1] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0]];
  avg(c0, 1024 * n, 1024, 1024 * n);
  avg(c1, 0, 0, 0);
  const q = queued(c0, a);
  order(c0, ...q);
  return { ...f, c0, c1, a, q };
}

test("migrate_task: an idle CPU takes (5 - 0) >> 1 = 2 of 5 tasks, from the tail of cfs_tasks; a newly idle one takes 1", () => {
  const s = nOnOne(5);
  assert.equal(loadBalance(s.rd, s.c1, CPU_IDLE), 2);
  assert.deepEqual(
    s.a.filter((t) => t.cpu === s.c1),
    s.q.slice(0, 2),
  );
  assert.equal(s.c0.nrRunning, 3);
  const n = nOnOne(5);
  assert.equal(loadBalance(n.rd, n.c1, CPU_NEWLY_IDLE), 1, "CONFIG_PREEMPTION: one task");
  assert.equal(n.q[0]!.cpu, n.c1);
});

test("should_we_balance(): a newly idle CPU with a wakeup on its way (ttwu_pending) or a task does not balance", () => {
  const s = nOnOne(5);
  s.c1.ttwuPending = 1;
  assert.equal(loadBalance(s.rd, s.c1, CPU_NEWLY_IDLE), 0);
  assert.equal(s.c0.nrRunning, 5);
  // The periodic balance of the same CPU does (should_we_balance() asks only a newly idle one).
  assert.equal(loadBalance(s.rd, s.c1, CPU_IDLE), 2);
  // A task on the puller (util 300: spare; a periodic balance would take (5 - 1) >> 1 = 2):
  // no newly idle balance.
  const a = hogs("a", 5);
  const f = frozen([a, [hog("d")]]);
  avg(f.cpus[0]!, 5120, 1024, 5120);
  avg(f.cpus[1]!, 1024, 300, 300);
  assert.equal(loadBalance(f.rd, f.cpus[1]!, CPU_NEWLY_IDLE), 0);
  assert.equal(f.cpus[0]!.nrRunning, 5);
  assert.equal(loadBalance(f.rd, f.cpus[1]!, CPU_NOT_IDLE), 2);
});

/**
 * The overloaded-vs-overloaded case of lb-rules.test.ts: imbalance 170 of load (CPU 0 load 2341,
 * three hogs; CPU 1 pulls busy, load 2000, two hogs). Waiting tasks' loads `l1` (tail), `l2`.
 */
function imb170(l1: number, l2: number) {
  const a = hogs("a", 3);
  const f = frozen([a, hogs("b", 2)]);
  const [c0, c1] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0]];
  avg(c0, 2341, 1024, 3072);
  avg(c1, 2000, 1024, 2048);
  const [q1, q2] = queued(c0, a) as [Task, Task];
  taskLoad(q1, l1);
  taskLoad(q2, l2);
  order(c0, q1, q2);
  return { ...f, c0, c1, q1, q2 };
}

test("migrate_load: a task moves when task_h_load() >> nr_balance_failed fits the imbalance", () => {
  // h_load 300 * 2341 / 2342 = 299 > 170; 1000 -> 999 > 170. First balance: nothing fits, a
  // failure (nr_balance_failed 1, interval to min_interval 2). Second: 299 >> 1 = 149 fits.
  const s = imb170(300, 1000);
  s.rd.balanceInterval[1] = 4;
  assert.equal(loadBalance(s.rd, s.c1, CPU_NOT_IDLE), 0);
  assert.equal(s.rd.nrBalanceFailed[1], 1);
  assert.equal(s.rd.balanceInterval[1], 2);
  assert.equal(loadBalance(s.rd, s.c1, CPU_NOT_IDLE), 1);
  assert.equal(s.q1.cpu, s.c1);
  assert.equal(s.q2.cpu, s.c0, "999 >> 1 = 499 > 170 - 299");
  assert.equal(s.rd.nrBalanceFailed[1], 0);
});

test("migrate_load: each task moved takes its load off the imbalance (170 - 99 = 71 < 99: one of two 100s)", () => {
  const s = imb170(100, 100);
  assert.equal(loadBalance(s.rd, s.c1, CPU_NOT_IDLE), 1);
  assert.equal(s.q1.cpu, s.c1);
  assert.equal(s.q2.cpu, s.c0);
  // A task whose h_load equals the imbalance (171 * 2341 / 2342 = 170) fits: "> imbalance" skips.
  const e = imb170(171, 1000);
  assert.equal(loadBalance(e.rd, e.c1, CPU_NOT_IDLE), 1);
  assert.equal(e.q1.cpu, e.c1);
});

test("detach_tasks() sees at most loop_max = nr_running tasks: the third of three is still seen", () => {
  // Imbalance 1100 (lb-rules' load branch): the tail task (1149) is too big, then the running
  // one, then the third (1049), seen at loop 3 = loop_max, fits.
  const a = hogs("a", 3);
  const f = frozen([a, [hog("d")], [hog("e")]]);
  const [c0, c1, c2] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0], (typeof f.cpus)[0]];
  avg(c0, 3000, 1024, 3072);
  avg(c1, 600, 1000, 1000);
  avg(c2, 1500, 1000, 1000);
  const [q1, q2] = queued(c0, a) as [Task, Task];
  taskLoad(q1, 1150);
  taskLoad(q2, 1050);
  c0.fair.taskToFront(q1);
  c0.fair.taskToFront(c0.curr!);
  c0.fair.taskToFront(q2);
  assert.equal(c0.fair.tasksTail, q1);
  assert.equal(loadBalance(f.rd, c1, CPU_NOT_IDLE), 1);
  assert.equal(q2.cpu, c1);
});

/** Two hogs on CPU 0, the waiting one `q`; CPU 1 idle or (busy) running one hog (fully busy). */
function twoOnOne(busy: boolean) {
  const a = hogs("a", 2);
  const f = frozen([a, busy ? [hog("d")] : []]);
  const [c0, c1] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0]];
  avg(c0, 2048, 1024, 2048);
  avg(c1, busy ? 1024 : 0, busy ? 1000 : 0, busy ? 1000 : 0);
  const [q] = queued(c0, a) as [Task];
  taskLoad(q, 400);
  return { ...f, c0, c1, q, idle: busy ? CPU_NOT_IDLE : CPU_IDLE };
}

test("task_hot(): hot while rq_clock_task - exec_start < 500 us; exactly 500 us ago is cold", () => {
  const s = twoOnOne(false);
  s.q.se.execStart = s.c0.clockTask() - MIGRATION_COST_NS;
  assert.equal(loadBalance(s.rd, s.c1, CPU_IDLE), 1);
  const h = twoOnOne(false);
  h.q.se.execStart = h.c0.clockTask() - MIGRATION_COST_NS + 1;
  assert.equal(loadBalance(h.rd, h.c1, CPU_IDLE), 0);
  assert.equal(h.rd.nrBalanceFailed[1], 1);
  assert.equal(loadBalance(h.rd, h.c1, CPU_IDLE), 0, "nr_balance_failed 1 = cache_nice_tries");
  assert.equal(loadBalance(h.rd, h.c1, CPU_IDLE), 1, "2 > cache_nice_tries: it goes");
});

test("task_hot(): a SCHED_IDLE task is never cache-hot", () => {
  const a = hog("a");
  const i = hog("i", "idle");
  const f = frozen([[a, i], []]);
  const [c0, c1] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0]];
  avg(c0, 1027, 1024, 2048);
  assert.equal(c0.curr, a, "the SCHED_IDLE task waits");
  i.se.execStart = c0.clockTask() - 1000;
  assert.equal(loadBalance(f.rd, c1, CPU_IDLE), 1);
  assert.equal(i.cpu, c1);
});

test("task_hot(): the next or last buddy is hot when the puller has work, not when it is idle", () => {
  for (const buddy of ["next", "last"] as const) {
    const s = twoOnOne(true);
    s.c0.fair.root[buddy] = s.q.se;
    assert.equal(loadBalance(s.rd, s.c1, CPU_NOT_IDLE), 0, `${buddy} buddy, busy puller`);
    assert.equal(s.q.cpu, s.c0);
    const t = twoOnOne(true);
    assert.equal(loadBalance(t.rd, t.c1, CPU_NOT_IDLE), 1, "no buddy: cold, it moves");
  }
  const i = twoOnOne(false);
  i.c0.fair.root.next = i.q.se;
  assert.equal(loadBalance(i.rd, i.c1, CPU_IDLE), 1, "idle puller: dst_rq->nr_running 0");
});

test("can_migrate_task(): a task pinned to its CPU stays; one allowed on the puller goes", () => {
  const s = nOnOne(3, true);
  s.q[1]!.pin = 1;
  assert.equal(loadBalance(s.rd, s.c1, CPU_IDLE), 1);
  assert.equal(s.q[0]!.cpu, s.c0, "pinned to CPU 0");
  assert.equal(s.q[1]!.cpu, s.c1);
});

test("out_all_pinned: nr_balance_failed 0 and balance_interval doubled up to MAX_PINNED_INTERVAL, past max_interval", () => {
  for (const [bi, after] of [
    [4, 8],
    [511, 1022],
    [512, 512],
  ] as const) {
    const s = nOnOne(3, true);
    s.rd.balanceInterval[1] = bi;
    s.rd.nrBalanceFailed[1] = 1;
    assert.equal(loadBalance(s.rd, s.c1, CPU_IDLE), 0);
    assert.equal(s.c0.nrRunning, 3);
    assert.equal(s.rd.balanceInterval[1], after, `from ${bi}`);
    assert.equal(s.rd.nrBalanceFailed[1], 0);
  }
  // A newly idle balance leaves balance_interval alone.
  const n = nOnOne(3, true);
  n.rd.balanceInterval[1] = 4;
  assert.equal(loadBalance(n.rd, n.c1, CPU_NEWLY_IDLE), 0);
  assert.equal(n.rd.balanceInterval[1], 4);
});

test("out_balanced: balance_interval doubles only below max_interval (2 * CPUs), never for a newly idle balance", () => {
  // Nothing to pull: CPU 0 runs one hog (fully busy).
  const run = (bi: number, idle: number) => {
    const f = frozen([[hog("a")], []]);
    const [c0, c1] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0]];
    avg(c0, 1024, 1000, 1000);
    f.rd.balanceInterval[1] = bi;
    f.rd.nrBalanceFailed[1] = 1;
    f.rd.overload = true;
    assert.equal(loadBalance(f.rd, c1, idle), 0);
    assert.equal(f.rd.nrBalanceFailed[1], 0);
    assert.equal(f.rd.overload, false, "no CPU with two tasks clears rd->overload");
    return f.rd.balanceInterval[1];
  };
  assert.equal(run(3, CPU_IDLE), 6);
  assert.equal(run(4, CPU_IDLE), 4, "max_interval 4");
  assert.equal(run(2, CPU_NEWLY_IDLE), 2);
});

test("unbalanced, nothing moved: a periodic balance counts a failure, a newly idle one does not; both reset the interval", () => {
  for (const [idle, failed] of [
    [CPU_IDLE, 2],
    [CPU_NEWLY_IDLE, 1],
  ] as const) {
    const s = twoOnOne(false);
    s.q.se.execStart = s.c0.clockTask();
    s.rd.nrBalanceFailed[1] = 1;
    s.rd.balanceInterval[1] = 4;
    assert.equal(loadBalance(s.rd, s.c1, idle), 0);
    assert.equal(s.rd.nrBalanceFailed[1], failed);
    assert.equal(s.rd.balanceInterval[1], 2);
  }
});

test("find_busiest_queue(), migrate_task: the one fair task waiting behind an RT task on an overloaded CPU is taken", () => {
  // CPU 0: an RT hog runs, a fair hog waits; util 1024 on capacity 974 (avg_rt 50): overloaded.
  // The idle CPU 1 evens the counts, (2 - 0) >> 1 = 1; the queue has cfs.h_nr_running 1 > 0.
  const w = hog("w");
  const f = frozen([[hog("r", "fifo", 10), w], []]);
  avg(f.cpus[0]!, 1024, 1024, 1024, 50);
  assert.equal(loadBalance(f.rd, f.cpus[1]!, CPU_IDLE), 1);
  assert.equal(w.cpu, f.cpus[1]);
});

test("misfit with the task running alone: unbalanced, nothing detached (busiest->nr_running 1), a failure counted", () => {
  // The kernel would start an active balance here (not modelled); nr_balance_failed++ comes first.
  const t = hog("t");
  const f = frozen([[], [t]]);
  avg(f.cpus[1]!, 600, 0, 0, 200);
  assert.equal(loadBalance(f.rd, f.cpus[0]!, CPU_IDLE), 0);
  assert.equal(t.cpu, f.cpus[1]);
  assert.equal(f.rd.nrBalanceFailed[0], 1);
});

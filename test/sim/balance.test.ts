/**
 * Load balancing and RT push/pull as in Linux 6.5: the periodic and nohz idle balance spread
 * hogs, can_migrate_task() keeps a cache-hot task until balancing has failed cache_nice_tries
 * times, an RT task that cannot run where it wakes is pushed at once, and a CPU that lowers its
 * priority (a vCPU thread unboosted from SCHED_RR 8) pulls a waiting RT task through the
 * RT_PUSH_IPI chain.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadBalance } from "../../sim-core/sched/lb";
import { CPU_IDLE } from "../../sim-core/sched/topology";
import { activateTask } from "../../sim-core/sched/wake";
import { hog, MS, US, world } from "./world";

test("8 hogs queued on one CPU of 4 are spread 2 per CPU within a second (nohz idle balance, then periodic)", () => {
  const w = world(4);
  const [c0] = w.host.cpus;
  const hogs = Array.from({ length: 8 }, (_, i) => hog(`h${i}`));
  for (const t of hogs) {
    w.host.addTask(t, undefined, undefined);
    t.cpu = c0!;
    // Enqueued there directly, past wake placement: only the balancer can move them.
    c0!.wake(t);
  }
  assert.deepEqual(
    w.host.cpus.map((c) => c.nrRunning),
    [8, 0, 0, 0],
  );
  w.runTo(1000 * MS);
  assert.deepEqual(
    w.host.cpus.map((c) => c.nrRunning),
    [2, 2, 2, 2],
  );
  // And it stays balanced: every hog got about a quarter of a CPU-second... of the next second.
  const before = hogs.map((t) => t.runtimeNs);
  w.runTo(2000 * MS);
  for (let i = 0; i < 8; i++) {
    const ran = hogs[i]!.runtimeNs - before[i]!;
    assert.ok(Math.abs(ran - 500 * MS) < 25 * MS, `h${i} ran ${ran / MS} ms of 1000`);
  }
});

/** Two hogs queued on CPU 0 of 2 (past wake placement), 1 ms in: the one that waits. */
function twoOnOne() {
  const w = world(2);
  const [c0, c1] = w.host.cpus;
  const hogs = [hog("a"), hog("b")];
  for (const t of hogs) {
    w.host.addTask(t, undefined, undefined);
    t.cpu = c0!;
    c0!.wake(t);
  }
  w.runTo(1 * MS);
  const queued = c0!.curr === hogs[0] ? hogs[1]! : hogs[0]!;
  return { w, c0: c0!, c1: c1!, queued };
}

test("a cache-hot task (ran < sysctl_sched_migration_cost ago) stays until balancing failed cache_nice_tries + 1 times", () => {
  const { w, c0, c1, queued } = twoOnOne();
  // It ran 100 us ago: hot.
  queued.se.execStart = c0.clockTask() - 100 * US;
  assert.equal(loadBalance(w.host.rd, c1, CPU_IDLE), 0, "first try: hot, stays");
  assert.equal(loadBalance(w.host.rd, c1, CPU_IDLE), 0, "nr_balance_failed 1 = cache_nice_tries: stays");
  assert.equal(queued.cpu, c0);
  assert.equal(loadBalance(w.host.rd, c1, CPU_IDLE), 1, "nr_balance_failed 2 > cache_nice_tries: moves");
  assert.equal(queued.cpu, c1);
  // A task that ran 600 us ago is cold: it moves at the first try.
  const cold = twoOnOne();
  cold.queued.se.execStart = cold.c0.clockTask() - 600 * US;
  assert.equal(loadBalance(cold.w.host.rd, cold.c1, CPU_IDLE), 1);
  assert.equal(cold.queued.cpu, cold.c1);
});

test("RT: a woken RT task that cannot run where it is queued is pushed at once to a CPU running only fair work", () => {
  const w = world(2);
  const [c0, c1] = w.host.cpus;
  const high = hog("high", "fifo", 50);
  w.host.addTask(high, 0, undefined);
  w.host.wakeTask(high);
  const fair = hog("fair");
  w.host.addTask(fair, 1, undefined);
  w.host.wakeTask(fair);
  w.runTo(5 * MS);
  const low = hog("low", "fifo", 10);
  w.host.addTask(low, undefined, undefined);
  low.newTask = false;
  low.cpu = c0!;
  // ttwu_do_activate() on CPU 0 (where an RT task of higher priority runs): task_woken_rt()
  // pushes it to the CPU whose cpupri is CPUPRI_NORMAL.
  activateTask(w.host.rd, c0!, low);
  assert.equal(low.cpu, c1, "pushed in the same instant");
  w.runTo(5 * MS + 20 * US);
  assert.equal(c1!.curr, low, "and running there");
  assert.equal(c0!.curr, high);
});

test("RT: an RT task preempted by a higher one is pushed after the switch (set_next_task_rt's push)", () => {
  const w = world(2);
  const [c0, c1] = w.host.cpus;
  const low = hog("low", "fifo", 10);
  w.host.addTask(low, undefined, undefined);
  low.cpu = c0!;
  c0!.wake(low);
  const fair = hog("fair");
  w.host.addTask(fair, 1, undefined);
  w.host.wakeTask(fair);
  w.runTo(5 * MS);
  assert.equal(c0!.curr, low);
  const high = hog("high", "fifo", 50);
  w.host.addTask(high, 0, undefined);
  w.host.wakeTask(high);
  w.runTo(5 * MS + 20 * US);
  assert.equal(c0!.curr, high);
  assert.equal(c1!.curr, low, "the preempted RT task went where only fair work runs");
});

test("RT pull: unboosting a vCPU thread (SCHED_RR 8 -> SCHED_OTHER) lets a waiting RT task run on its CPU", () => {
  const w = world(2, 2);
  const g = w.guest!;
  const [c0, c1] = w.host.cpus;
  // Both vCPU threads (pinned to host CPUs 0 and 1) run guest hogs, boosted to SCHED_RR 8.
  for (const i of [0, 1]) {
    const h = hog(`g${i}`);
    g.addTask(h, i);
    g.wake(h);
  }
  w.runTo(5 * MS);
  for (const v of w.vcpus) v.setHostPolicy("rr", 8, 0);
  // A host RT task at priority 5 wakes where vCPU 0 runs: every CPU's cpupri is 8, nowhere to go.
  const waiter = hog("waiter", "fifo", 5);
  w.host.addTask(waiter, undefined, undefined);
  waiter.newTask = false;
  waiter.cpu = c0!;
  w.host.wakeTask(waiter);
  w.runTo(10 * MS);
  assert.equal(waiter.cpu, c0);
  // + 0: a time field starts at TIME_ZERO (-0, sim-core/engine.ts), which strict equality tells from 0.
  assert.equal(waiter.runtimeNs + 0, 0, "it waits behind the boosted vCPU");
  // vCPU 1 is unboosted: switched_from_rt() pulls, RT_PUSH_IPI makes CPU 0 push it to CPU 1.
  w.vcpus[1]!.setHostPolicy("other", 0, 0);
  w.runTo(10 * MS + 20 * US);
  assert.equal(waiter.cpu, c1);
  assert.equal(c1!.curr, waiter, "it preempts the unboosted vCPU thread");
});

test("avg_rt: a running CFS task boosted to SCHED_RR for 10 us every 4 ms counts ~0.25 % RT, so the CPU keeps its capacity", () => {
  const w = world(2);
  const [c0] = w.host.cpus;
  const t = hog("vcpu");
  w.host.addTask(t, 0, undefined);
  w.host.wakeTask(t);
  // The boost and unboost of kvm_vcpu_set_sched() on the running thread, as patch 3 does them.
  for (let k = 1; k <= 100; k++) {
    w.eng.at(k * 4 * MS, () => c0!.setPolicy(t, "rr", 8, 0));
    w.eng.at(k * 4 * MS + 10 * US, () => c0!.setPolicy(t, "other", 0, 0));
  }
  w.runTo(401 * MS);
  assert.equal(c0!.curr, t);
  // The RT share is 10/4000; PELT's running sum is in 1024ths, so a few units at most.
  assert.ok(c0!.rtUtil() < 20, `avg_rt util ${c0!.rtUtil()}`);
  assert.ok(w.host.rd.capacityOf(c0!) > 1000, `capacity ${w.host.rd.capacityOf(c0!)}`);
});

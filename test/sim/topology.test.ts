/**
 * The root domain and MC sched domain of sim-core/sched/topology.ts against Linux 6.5: sd_init()
 * (min_interval = span weight ms, max_interval twice that, balance_interval starting at
 * min_interval), update_max_interval() (max_load_balance_interval = HZ * nr_cpus / 10), the rq
 * fields sched_init() sets (avg_idle = 2 * sysctl_sched_migration_cost, max_idle_balance_cost =
 * sysctl_sched_migration_cost, idle_stamp 0 (here -1: none)), jiffies and msecs_to_jiffies()
 * (rounding up), idle_cpu() (the idle task runs, nothing queued, no wakeup pending),
 * sched_idle_cpu() (only SCHED_IDLE tasks), capacity_of() after scale_rt_capacity() (1024 less
 * avg_rt, at least 1) and check_cpu_capacity() (capacity * 117 < 1024 * 100), a queued task's
 * migration (vruntime relative to min_vruntime carried over; run_delay kept), a sleeping task's
 * set_task_cpu() (vruntime renormalized, exec_start cleared: no longer cache-hot), the nohz mask
 * and nr_busy_cpus, and the simplified fork placement (fewest threads placed so far).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Streams } from "../../sim-core/rng";
import { MIGRATION_COST_NS } from "../../sim-core/sched/topology";
import { avg, frozen, order, queued } from "./lb-fixture";
import { hog, MS, sleeper, startOn, world } from "./world";

test("sd_init()/update_max_interval() at HZ 100 on 3 CPUs: intervals 3 and 6 ms, max_load_balance_interval 30 jiffies", () => {
  const w = world(3, 0, { hz: 100 });
  const rd = w.host.rd;
  assert.equal(rd.hz, 100);
  assert.equal(rd.maxLbInterval, 30);
  assert.equal(rd.minInterval, 3);
  assert.equal(rd.maxInterval, 6);
  assert.deepEqual(rd.balanceInterval, [3, 3, 3]);
  assert.deepEqual(rd.avgIdle, [2 * MIGRATION_COST_NS, 2 * MIGRATION_COST_NS, 2 * MIGRATION_COST_NS]);
  assert.deepEqual(rd.maxIdleBalanceCost, [MIGRATION_COST_NS, MIGRATION_COST_NS, MIGRATION_COST_NS]);
  assert.deepEqual(rd.idleStamp, [-1, -1, -1]);
  assert.deepEqual(rd.nohzIdle, [true, true, true], "every CPU starts tickless");
  assert.deepEqual(rd.nohzKicked, [false, false, false]);
  assert.equal(rd.nohzCount, 3);
  assert.equal(rd.nrBusyCpus, 0);
  assert.equal(rd.overload, false);
  // 4 CPUs at HZ 250: 250 * 4 / 10 = 100.
  assert.equal(world(4).host.rd.maxLbInterval, 100);
});

test("jiffies = now / tick, msecs_to_jiffies() rounds up (HZ 100: 10 ms a jiffy)", () => {
  const w = world(2, 0, { hz: 100 });
  w.runTo(25 * MS);
  const rd = w.host.rd;
  assert.equal(rd.jiffies, 2);
  assert.equal(rd.msToJiffies(15), 2);
  assert.equal(rd.msToJiffies(20), 2);
  assert.equal(rd.msToJiffies(21), 3);
});

test("idle_cpu(): not with a task queued before it runs, nor with a wakeup pending", () => {
  const w = world(2);
  const [c0, c1] = w.host.cpus as [(typeof w.host.cpus)[0], (typeof w.host.cpus)[0]];
  const rd = w.host.rd;
  assert.equal(rd.idleCpu(c1), true);
  c1.ttwuPending = 1;
  assert.equal(rd.idleCpu(c1), false);
  const t = hog("t");
  w.host.addTask(t, 0, undefined);
  t.newTask = false;
  c0.wake(t);
  assert.equal(c0.curr, null, "not switched to yet");
  assert.equal(rd.idleCpu(c0), false);
});

test("sched_idle_cpu(): only SCHED_IDLE tasks runnable (an RT or normal task beside one is not)", () => {
  const f = frozen([[hog("i", "idle")], [hog("j", "idle"), hog("k", "idle")], [hog("n")], [hog("i2", "idle"), hog("r", "fifo", 5)]]);
  assert.deepEqual(
    f.cpus.map((c) => f.rd.schedIdleCpu(c)),
    [true, true, false, false],
  );
  assert.equal(f.rd.schedIdleCpu(world(1).host.cpus[0]!), false, "an empty CPU is not");
});

test("capacity_of(): 1024 less avg_rt, at least 1; check_cpu_capacity(): reduced below 102400 / 117 = 875.2", () => {
  const f = frozen([[], []]);
  const c = f.cpus[0]!;
  const cap = (rt: number) => {
    avg(c, 0, 0, 0, rt);
    return [f.rd.capacityOf(c), f.rd.reducedCapacity(c)];
  };
  assert.deepEqual(cap(0), [1024, false]);
  assert.deepEqual(cap(148), [876, false]);
  assert.deepEqual(cap(149), [875, true]);
  assert.deepEqual(cap(1023), [1, true]);
  assert.deepEqual(cap(1024), [1, true]);
});

test("detach_task() + attach_task(): vruntime - src min_vruntime + dst min_vruntime, run_delay kept", () => {
  const a = [hog("a"), hog("b")];
  const f = frozen([a, [hog("c")]]);
  const [c0, c1] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0]];
  const [q] = queued(c0, a);
  c0.settle();
  c1.settle();
  const v = q!.se.vruntime;
  const m0 = c0.fair.root.minVruntime;
  const m1 = c1.fair.root.minVruntime;
  assert.notEqual(m0, m1);
  const since = q!.runnableSince;
  f.rd.moveQueued(c0, c1, q!);
  assert.equal(q!.se.vruntime, v - m0 + m1);
  assert.equal(q!.runnableSince, since);
  assert.equal(q!.cpu, c1);
  assert.deepEqual([c0.nrRunning, c1.nrRunning], [1, 2]);
  // An RT task moves without a vruntime.
  const r = hog("r", "fifo", 10);
  const g = frozen([[hog("top", "fifo", 50), r], []]);
  r.se.vruntime = 12_345;
  g.rd.moveQueued(g.cpus[0]!, g.cpus[1]!, r);
  assert.equal(r.se.vruntime, 12_345);
  assert.equal(r.cpu, g.cpus[1]);
  assert.equal(g.cpus[1]!.nrRunning, 1);
});

test("set_task_cpu() of a sleeping task: vruntime renormalized, exec_start cleared; an RT task or the same CPU: untouched", () => {
  const f = frozen([[hog("a")], [hog("b"), hog("c")]]);
  const [c0, c1] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0]];
  const s = sleeper("s", 1 * MS);
  startOn(f.w, 0, s);
  f.w.runTo(40 * MS);
  assert.equal(s.se.onRq, false);
  const v = s.se.vruntime;
  const e = s.se.execStart;
  assert.ok(e > 0);
  f.rd.setTaskCpu(s, c0, c0);
  assert.deepEqual([s.se.vruntime, s.se.execStart], [v, e]);
  const d = c1.fair.root.minVruntime - c0.fair.root.minVruntime;
  f.rd.setTaskCpu(s, c0, c1);
  assert.equal(s.se.vruntime, v + d);
  assert.equal(s.se.execStart, 0);
  assert.equal(s.cpu, c1);
  const r = hog("r", "rr", 5);
  r.se.execStart = 777;
  f.rd.setTaskCpu(r, c0, c1);
  assert.equal(r.se.execStart, 777);
  assert.equal(r.cpu, c1);
});

test("nohz mask: entering twice or leaving twice counts once; nr_busy_cpus = CPUs - tickless ones", () => {
  const w = world(3);
  const rd = w.host.rd;
  const [c0, c1] = w.host.cpus as [(typeof w.host.cpus)[0], (typeof w.host.cpus)[0]];
  rd.nohzExitIdle(c0);
  rd.nohzExitIdle(c0);
  assert.equal(rd.nohzCount, 2);
  assert.equal(rd.nrBusyCpus, 1);
  rd.nohzEnterIdle(c1);
  assert.equal(rd.nohzCount, 2);
  rd.nohzEnterIdle(c0);
  assert.equal(rd.nohzCount, 3);
  // A host CPU that goes idle (nothing picked) stops its tick at once.
  rd.nohzExitIdle(c1);
  rd.afterSchedule(c1, hog("x"));
  assert.equal(rd.nohzIdle[1], false);
  rd.afterSchedule(c1, null);
  assert.equal(rd.nohzIdle[1], true);
  rd.nohzExitIdle(c1);
  c1.nohzAtIdle = false;
  rd.afterSchedule(c1, null);
  assert.equal(rd.nohzIdle[1], false, "a guest CPU stops it from its tick");
});

test("balance(): a CPU with nothing to run does newidle_balance(); one with a task does not", () => {
  const a = [hog("a"), hog("b"), hog("c")];
  const f = frozen([a, [], [hog("d")]]);
  const [c0, c1, c2] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0], (typeof f.cpus)[0]];
  avg(c0, 3072, 1024, 3072);
  order(c0, ...queued(c0, a));
  f.rd.overload = true;
  const ovh = c2.pendingOvh;
  f.rd.balance(c2, null);
  assert.equal(f.rd.idleStamp[2], -1, "not balanced");
  assert.equal(c2.pendingOvh, ovh, "no newidle balance paid");
  assert.equal(c0.nrRunning, 3);
  f.rd.balance(c1, null);
  assert.equal(c1.nrRunning, 1);
  assert.equal(c0.nrRunning, 2);
});

test("fork placement: the CPU with the fewest threads placed, ties spread by the stream; a pinned thread where pinned", () => {
  const rd = world(3).host.rd;
  const rng = new Streams(7).get("fork-test");
  for (let k = 0; k < 8; k++) {
    rd.placed.splice(0, 3, 2, 0, 2);
    assert.equal(rd.forkCpu(rng, -1), rd.cpus[1]);
    assert.deepEqual(rd.placed, [2, 1, 2]);
  }
  const seen = new Set<number>();
  for (let k = 0; k < 40; k++) {
    rd.placed.splice(0, 3, 0, 0, 0);
    seen.add(rd.forkCpu(rng, -1).index);
  }
  assert.deepEqual([...seen].sort(), [0, 1, 2]);
  rd.placed.splice(0, 3, 0, 0, 5);
  assert.equal(rd.forkCpu(rng, 2), rd.cpus[2]);
  assert.equal(rd.placed[2], 6);
});

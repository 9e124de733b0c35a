/**
 * The choices of the wake-up path (sim-core/sched/wake.ts) one rule at a time, against Linux 6.5:
 * - try_to_wake_up() and ttwu_queue_cond() (kernel/sched/core.c): a wakeup for an idle CPU other
 *   than the waker's goes on its wake list; set_task_cpu() -> migrate_task_rq_fair() for a move;
 * - wake_affine_idle() and wake_affine_weight() (kernel/sched/fair.c), each with its feature;
 * - select_idle_sibling() and select_idle_cpu() (kernel/sched/fair.c);
 * - select_task_rq_rt() (kernel/sched/rt.c).
 * Loads are set by hand where the rule is arithmetic, as wake-rules.test.ts does for the budget.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Cpu } from "../../sim-core/sched/cpu";
import { Task } from "../../sim-core/sched/task";
import { selectTaskRq, tryToWakeUp } from "../../sim-core/sched/wake";
import { hog, MS, sleeper, startOn, world } from "./world";

/** `busy[i]`: host CPU i runs a hog pinned there; 10 ms in. */
function cpus(busy: boolean[]) {
  const w = world(busy.length);
  busy.forEach((b, i) => {
    if (b) startOn(w, i, hog(`h${i}`));
  });
  w.runTo(10 * MS);
  const rd = w.host.rd;
  const c = w.host.cpus;
  const p = sleeper("p", 100_000);
  w.host.addTask(p, undefined, undefined);
  return { w, rd, c, p };
}

/** select_task_rq() for `p` last on `prev`, woken from `waker`, no recent CPU, scan budget `budget`. */
function place(rd: ReturnType<typeof cpus>["rd"], p: Task, prev: Cpu, waker: Cpu, budget = 0): number {
  p.cpu = prev;
  p.recentUsedCpu = -1;
  p.wakeeFlips = 0;
  const cur = waker.curr;
  if (cur) {
    cur.wakeeFlips = 0;
    cur.lastWakee = p;
  }
  rd.nrIdleScan = budget;
  return selectTaskRq(rd, p, prev, waker).index;
}

test("ttwu_queue_cond: an idle CPU other than the waker's gets the wakeup on its wake list, with an IPI; a second wakeup meanwhile does nothing", () => {
  const { w, rd, c, p } = cpus([true, false, true, true]);
  p.cpu = c[1]!;
  tryToWakeUp(rd, p, c[0]!);
  assert.equal(p.cpu, c[1], "the idle previous CPU");
  assert.equal(p.onRq, false, "not enqueued by the waker");
  assert.equal(p.wakePending, true);
  assert.equal(c[1]!.ttwuPending, 1, "rq->ttwu_pending: idle_cpu() is false until the IPI");
  assert.equal(rd.idleCpu(c[1]!), false);
  assert.deepEqual(rd.wakeList[1], [p]);
  // try_to_wake_up() of a task already waking (p->on_rq or TASK_WAKING) returns at once.
  tryToWakeUp(rd, p, c[0]!);
  assert.equal(rd.wakeList[1]!.length, 1);
  assert.equal(c[1]!.ttwuPending, 1);
  w.runTo(11 * MS);
  assert.equal(p.wakePending, false);
  assert.equal(c[1]!.ttwuPending, 0);
  assert.ok(p.runtimeNs >= 100_000, "the IPI activated it and it ran");
});

test("ttwu_queue_cond: a busy remote CPU is activated at once; waking a queued task changes nothing", () => {
  const { rd, c, p } = cpus([true, false, true, true]);
  // Pinned to CPU 2, which runs a hog: cpu_rq(cpu)->nr_running != 0, no wake list.
  p.pin = 2;
  p.cpu = c[2]!;
  tryToWakeUp(rd, p, c[0]!);
  assert.equal(p.onRq, true);
  assert.equal(p.wakePending, false);
  assert.equal(c[2]!.ttwuPending, 0);
  assert.equal(c[2]!.nrRunning, 2);
  // A queued task: ttwu_runnable(), nothing is enqueued again.
  tryToWakeUp(rd, p, c[0]!);
  assert.equal(c[2]!.nrRunning, 2);
  const h = c[0]!.curr!;
  tryToWakeUp(rd, h, c[0]!);
  assert.equal(c[0]!.nrRunning, 1, "the running hog");
});

test("set_task_cpu(): a wakeup that moves the task is a migration (migrate_task_rq_fair() clears exec_start)", () => {
  const { rd, c, p } = cpus([true, false, true, true]);
  // p ran on CPU 2 (cache-hot there); its wakeup from CPU 0 finds CPU 1 idle in the scan.
  p.se.execStart = 5 * MS;
  p.cpu = c[2]!;
  p.recentUsedCpu = -1;
  rd.nrIdleScan = 3;
  tryToWakeUp(rd, p, c[0]!);
  assert.equal(p.cpu, c[1]);
  assert.equal(p.se.execStart, 0, "no longer cache-hot");
});

test("try_to_wake_up(): a waker outside this root domain is not this_cpu (a guest CPU waking a host task)", () => {
  // Host CPU 0 runs the halted vCPU (idle), CPUs 1 and 2 hogs; the guest CPU is idle.
  const w = world(3, 1);
  startOn(w, 1, hog("h1"));
  startOn(w, 2, hog("h2"));
  w.runTo(10 * MS);
  const p = sleeper("p", 100_000);
  w.host.addTask(p, undefined, undefined);
  p.cpu = w.host.cpus[1]!;
  p.recentUsedCpu = -1;
  w.host.rd.nrIdleScan = 0;
  tryToWakeUp(w.host.rd, p, w.guest!.cpus[0]!);
  assert.equal(p.cpu, w.host.cpus[1], "its previous CPU, not a CPU of the guest");
  assert.equal(p.onRq, true, "thisCpu is the previous CPU: activated at once");
});

test("select_task_rq(): a task pinned to CPU 0 stays there although the scan would find an idle CPU", () => {
  const { rd, c } = cpus([true, false]);
  const p = new Task("p", { burstEnd: (x) => x.cpu!.sleepCurr() });
  p.pin = 0;
  assert.equal(place(rd, p, c[0]!, c[0]!, 2), 0);
});

test("wake_affine_weight(): this_eff = (load(this) + task) * 100 * cap(prev) < prev_eff = (load(prev) - task) * (100 + (117 - 100) / 2) * cap(this)", () => {
  const { rd, c, p } = cpus([true, true, true, true]);
  const [c0, c1] = [c[0]!, c[1]!];
  /** Loads set on the root cfs_rqs (cpu_load()) and the task's hierarchical load. */
  const weigh = (thisLoad: number, prevLoad: number, taskLoad: number) => {
    c0.fair.root.avg.loadAvg = thisLoad;
    c1.fair.root.avg.loadAvg = prevLoad;
    c1.fair.taskHLoad = () => taskLoad;
    return place(rd, p, c1, c0);
  };
  // 105 * 100 = 10500 < 100 * 108 = 10800: the waker's CPU.
  assert.equal(weigh(105, 100, 0), 0);
  // The bias is integer arithmetic, 108 and not 108.5: 1083 * 100 = 108300 > 1000 * 108 = 108000
  // (with 108.5, 108500, the waker's CPU).
  assert.equal(weigh(1083, 1000, 0), 1);
  // 120 * 100 = 12000 > 10800: the previous CPU.
  assert.equal(weigh(120, 100, 0), 1);
  // The task's load moves with it: (90 + 10) * 100 = 10000 > (100 - 10) * 108 = 9720.
  assert.equal(weigh(90, 100, 10), 1);
  // Without WA_BIAS, equal loads keep the task where it was (strictly less moves it).
  rd.tun.features = { ...rd.tun.features, WA_BIAS: false };
  assert.equal(weigh(100, 100, 0), 1);
  assert.equal(weigh(105, 100, 0), 1);
  assert.equal(weigh(99, 100, 0), 0);
  // Neither WA_IDLE nor WA_WEIGHT: wake_affine() keeps prev_cpu.
  rd.tun.features = { ...rd.tun.features, WA_IDLE: false, WA_WEIGHT: false };
  assert.equal(weigh(0, 1000, 0), 1);
});

test("wake_affine_idle(): an idle waker's CPU (an interrupt woke the task) wins over the load comparison; WA_IDLE off, the loads decide", () => {
  // CPU 0 idle (the waker: an interrupt), CPU 1 (prev) busy. The idle CPU's load has not
  // decayed yet: by weight alone, the previous CPU.
  const { rd, c, p } = cpus([false, true, true, true]);
  const [c0, c1] = [c[0]!, c[1]!];
  c0.fair.root.avg.loadAvg = 2000;
  c1.fair.root.avg.loadAvg = 100;
  assert.equal(place(rd, p, c1, c0), 0, "WA_IDLE: the idle waker's CPU, not overridden by WA_WEIGHT");
  rd.tun.features = { ...rd.tun.features, WA_IDLE: false };
  assert.equal(place(rd, p, c1, c0), 1, "WA_WEIGHT alone: the previous CPU");
  rd.tun.features = { ...rd.tun.features, WA_WEIGHT: false };
  assert.equal(place(rd, p, c1, c0), 1, "neither: the previous CPU");
});

test("wake_affine_idle(): a busy waker's CPU is not chosen for being the waker's; the weights decide", () => {
  const { rd, c, p } = cpus([true, true, true, true]);
  c[0]!.fair.root.avg.loadAvg = 2000;
  c[1]!.fair.root.avg.loadAvg = 100;
  assert.equal(place(rd, p, c[1]!, c[0]!), 1);
});

test("select_idle_sibling(): an idle target is taken before any scan", () => {
  // CPU 1 is the waker's, the previous one and idle; CPU 2 is idle too.
  const { rd, c, p } = cpus([true, false, false, true]);
  assert.equal(place(rd, p, c[1]!, c[1]!, 4), 1);
});

test("select_idle_sibling(): an idle previous CPU when the target (the waker's) is busy", () => {
  // wake_affine() picks the busy waker's CPU 0 by weight (WA_IDLE off); the previous CPU 3 is
  // idle, and CPU 1 (first in a scan from the target) is idle too.
  const { rd, c, p } = cpus([true, false, true, false]);
  rd.tun.features = { ...rd.tun.features, WA_IDLE: false };
  c[0]!.fair.root.avg.loadAvg = 100;
  c[3]!.fair.root.avg.loadAvg = 2000;
  assert.equal(place(rd, p, c[3]!, c[0]!, 4), 3);
  assert.equal(place(rd, p, c[3]!, c[0]!, 0), 3);
});

test("select_idle_sibling(): recent_used_cpu 0 is a CPU like any other", () => {
  const { rd, c, p } = cpus([false, true, true, true]);
  p.cpu = c[1]!;
  p.recentUsedCpu = 0;
  rd.nrIdleScan = 0;
  assert.equal(selectTaskRq(rd, p, c[1]!, c[1]!).index, 0);
  assert.equal(p.recentUsedCpu, 1);
});

test("select_idle_cpu(): without SIS_UTIL the whole LLC is scanned, whatever nr_idle_scan says", () => {
  const { rd, c, p } = cpus([true, true, false, true]);
  rd.tun.features = { ...rd.tun.features, SIS_UTIL: false };
  assert.equal(place(rd, p, c[1]!, c[1]!, 0), 2);
});

/** Host CPU 0 runs `curr` (pinned there unless `pinned` is false), CPU 1 is idle; an RT task p (prio 50) last on CPU 0. */
function rt(curr: Task, pinned = true) {
  const w = world(2);
  if (pinned) startOn(w, 0, curr);
  else {
    w.host.addTask(curr, undefined, undefined);
    curr.cpu = w.host.cpus[0]!;
    w.host.wakeTask(curr);
  }
  w.runTo(10 * MS);
  const c = w.host.cpus;
  assert.equal(c[0]!.curr, curr);
  const p = new Task("p", { burstEnd: (x) => x.cpu!.sleepCurr() }, "fifo", 50);
  w.host.addTask(p, undefined, undefined);
  p.newTask = false;
  return selectTaskRq(w.host.rd, p, c[0]!, c[0]!).index;
}

test("select_task_rq_rt(): stay unless the previous CPU runs an RT task that is pinned or of equal or higher priority", () => {
  assert.equal(rt(hog("fair")), 0, "a fair task: p preempts it");
  assert.equal(rt(hog("rt60", "fifo", 60)), 1, "a higher one: the lowest CPU, where p runs at once");
  assert.equal(rt(hog("rt50", "fifo", 50), false), 1, "an equal one");
  assert.equal(rt(hog("rt40", "fifo", 40), false), 0, "a lower, migratable one: p preempts it");
  assert.equal(rt(hog("rt40p", "fifo", 40)), 1, "a lower one pinned to its CPU (nr_cpus_allowed < 2)");
});

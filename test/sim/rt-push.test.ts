/**
 * RT push and pull (sim-core/sched/rt_push.ts) call by call against kernel/sched/rt.c and
 * cpupri.c of Linux 6.5:
 * - find_lowest_rq(): the lowest cpupri level below the task's priority (cpupri_find() scans the
 *   levels from the bottom), then the task's CPU, the executing CPU, or the next CPU after the
 *   last one chosen (cpumask_any_and_distribute());
 * - rt_rq->overloaded: two RT tasks queued, one of them free to migrate;
 * - pull_rt_task() with RT_PUSH_IPI: nothing when no other CPU is overloaded, else the IPI chain.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Cpu } from "../../sim-core/sched/cpu";
import { findLowestRq, pullRtTask, pushRtTasks, rtOverloaded } from "../../sim-core/sched/rt_push";
import { Task } from "../../sim-core/sched/task";
import { hog, MS, world } from "./world";

/** A host whose CPU i runs an RT hog of priority prios[i] pinned there (0: a fair hog). */
function host(prios: number[]) {
  const w = world(prios.length);
  prios.forEach((p, i) => {
    const t = p > 0 ? hog(`rt${i}`, "fifo", p) : hog(`fair${i}`);
    w.host.addTask(t, i, undefined);
    w.host.wakeTask(t);
  });
  w.runTo(1 * MS);
  return { w, rd: w.host.rd, cpus: w.host.cpus as Cpu[] };
}

const rtTask = (prio: number) => new Task(`p${prio}`, { burstEnd: () => {} }, "fifo", prio);

/** Queues an RT hog of `prio` straight onto `c`, past wake placement and the push at wake-up. */
function queueOn(w: ReturnType<typeof world>, c: Cpu, name: string, prio: number, pin?: number) {
  const t = hog(name, "fifo", prio);
  w.host.addTask(t, pin, undefined);
  t.newTask = false;
  t.cpu = c;
  c.wake(t);
  return t;
}

test("find_lowest_rq: the lowest level below the task's priority, not just any lower one", () => {
  const { rd, cpus } = host([50, 10, 5, 30]);
  assert.equal(findLowestRq(rd, rtTask(40), cpus[0]!, cpus[0]!), cpus[2], "level 5 of {10, 5, 30}");
  assert.equal(findLowestRq(rd, rtTask(8), cpus[0]!, cpus[0]!), cpus[2], "only level 5 is below 8");
  // CPUPRI_NORMAL (0) seen first stays the lowest when a higher level below the task follows.
  const normalFirst = host([50, 0, 10]);
  assert.equal(findLowestRq(normalFirst.rd, rtTask(40), normalFirst.cpus[0]!, normalFirst.cpus[0]!), normalFirst.cpus[1]);
  // No level strictly below the task's: nowhere to go.
  assert.equal(findLowestRq(rd, rtTask(5), cpus[0]!, cpus[0]!), null);
  assert.equal(findLowestRq(rd, rtTask(3), cpus[0]!, cpus[0]!), null);
  // A pinned task cannot be pushed.
  const pinned = rtTask(40);
  pinned.pin = 0;
  assert.equal(findLowestRq(rd, pinned, cpus[0]!, cpus[0]!), null);
});

test("find_lowest_rq: the task's own CPU, then the executing CPU, then round-robin from the last choice", () => {
  // cpupri: CPU 0 at 50, CPU 1 at 10, CPUs 2 and 3 at CPUPRI_NORMAL (fair hogs).
  const { rd, cpus } = host([50, 10, 0, 0]);
  const [c0, c1, c2, c3] = cpus;
  const p = rtTask(20);
  assert.equal(findLowestRq(rd, p, c3!, c0!), c3, "its own CPU is at the lowest level");
  assert.equal(findLowestRq(rd, p, c0!, c3!), c3, "else the executing CPU");
  // Else the next CPU at that level after the executing CPU's last choice (distribute_cpu_mask_prev
  // starts at 0): 2, then 3, then 2 again.
  assert.deepEqual(
    [0, 1, 2].map(() => findLowestRq(rd, p, c0!, c1!)?.index),
    [2, 3, 2],
  );
  // Each executing CPU keeps its own rotor: from CPU 0's, which has not chosen yet, 2.
  assert.equal(findLowestRq(rd, p, c1!, c0!), c2);
  assert.equal(findLowestRq(rd, p, c1!, c0!), c3);
});

test("rt_rq->overloaded: two queued RT tasks, at least one free to migrate", () => {
  const { w, cpus } = host([50, 0]);
  const [c0] = cpus;
  assert.equal(rtOverloaded(c0!), false, "one RT task");
  (c0!.curr as Task).pin = -1;
  assert.equal(rtOverloaded(c0!), false, "one RT task, free to migrate");
  (c0!.curr as Task).pin = 0;
  const pinned = hog("pinned", "fifo", 20);
  w.host.addTask(pinned, 0, undefined);
  w.host.wakeTask(pinned);
  assert.equal(c0!.rt.nrRunning, 2);
  assert.equal(rtOverloaded(c0!), false, "two, both pinned");
  queueOn(w, c0!, "free", 10);
  assert.equal(rtOverloaded(c0!), true);
});

test("pull_rt_task: no overloaded CPU, or only the puller itself, sends no IPI; another one starts the chain", () => {
  const { w, rd, cpus } = host([50, 0, 0]);
  const [c0, c1] = cpus;
  const ipis: number[] = [];
  const ipi = rd.env.ipi.bind(rd.env);
  rd.env.ipi = (c, fn) => {
    ipis.push(c.index);
    ipi(c, fn);
  };
  pullRtTask(rd, c1!);
  assert.deepEqual(ipis, [], "nobody overloaded");
  // CPU 0 overloaded: a pinned RT task of 50 runs, one of 10 free to move waits.
  const waiting = queueOn(w, c0!, "waiting", 10);
  assert.equal(rtOverloaded(c0!), true);
  pullRtTask(rd, c0!);
  assert.deepEqual(ipis, [], "the only overloaded CPU is the puller");
  assert.equal(rd.rtoCpu, -1);
  pullRtTask(rd, c1!);
  assert.deepEqual(ipis, [0], "tell_cpu_to_push(): the IPI to the overloaded CPU");
  assert.equal(rd.rtoCpu, 0);
  // While the chain runs another pull only bumps rto_loop_next.
  const next = rd.rtoLoopNext;
  pullRtTask(rd, cpus[2]!);
  assert.deepEqual(ipis, [0]);
  assert.equal(rd.rtoLoopNext, next + 1);
  // The IPI's push moves the waiting task to an idle-of-RT CPU.
  w.runTo(1 * MS + 100_000);
  assert.notEqual(waiting.cpu, c0);
  assert.equal(waiting.cpu!.curr, waiting);
});

test("push_rt_tasks: every pushable task goes while a lower CPU is free; none when none is lower", () => {
  // CPU 0 runs a pinned RT 50; CPUs 1 and 2 run fair hogs (cpupri CPUPRI_NORMAL).
  const { w, rd, cpus } = host([50, 0, 0]);
  const [c0, c1, c2] = cpus;
  (c0!.curr as Task).pin = 0;
  const a = queueOn(w, c0!, "a", 20);
  const b = queueOn(w, c0!, "b", 10);
  pushRtTasks(rd, c0!);
  assert.deepEqual([a.cpu, b.cpu].map((c) => c!.index).sort(), [1, 2], "both pushed, one to each fair CPU");
  w.runTo(w.eng.now + 50_000);
  assert.equal(c1!.curr!.isRt && c2!.curr!.isRt, true, "and running there");
  // A third RT task of 5 finds every other CPU at a higher level: it stays.
  const c = queueOn(w, c0!, "c", 5);
  pushRtTasks(rd, c0!);
  assert.equal(c.cpu, c0);
});

test("push_rt_tasks: an overloaded CPU whose only migratable RT task is the running one pushes nothing", () => {
  const { w, rd, cpus } = host([50, 0]);
  const [c0] = cpus;
  // The running RT 50 may migrate (unpinned); the waiting RT 10 may not.
  (c0!.curr as Task).pin = -1;
  const pinned = queueOn(w, c0!, "pinned", 10, 0);
  assert.equal(rtOverloaded(c0!), true);
  const running = c0!.curr!;
  pushRtTasks(rd, c0!);
  assert.equal(pinned.cpu, c0);
  assert.equal(running.cpu, c0, "the running task is not pushable");
  w.runTo(w.eng.now + 50_000);
  assert.equal(c0!.curr, running);
});

test("switched_to_rt: a queued fair task made RT on an RT-overloaded CPU is pushed where it runs at once", () => {
  const { w, cpus } = host([50, 0]);
  const [c0, c1] = cpus;
  (c0!.curr as Task).pin = 0;
  const f = hog("f");
  w.host.addTask(f, undefined, undefined);
  f.newTask = false;
  f.cpu = c0!;
  c0!.wake(f);
  c0!.setPolicy(f, "fifo", 20, 0);
  assert.equal(f.cpu, c1, "pushed to the CPU running fair work");
  w.runTo(w.eng.now + 50_000);
  assert.equal(c1!.curr, f);
});

test("prio_changed_rt: a running RT task whose priority drops pulls a higher waiting one through the IPI chain", () => {
  // CPU 0 runs RT 50; CPU 1 runs a pinned RT 60 with an RT 40 waiting behind it (overloaded).
  const { w, rd, cpus } = host([50, 60]);
  const [c0, c1] = cpus;
  (c1!.curr as Task).pin = 1;
  const waiting = queueOn(w, c1!, "waiting", 40);
  w.runTo(w.eng.now + 50_000);
  assert.equal(waiting.cpu, c1, "no CPU below 40 yet");
  const ipis: number[] = [];
  const ipi = rd.env.ipi.bind(rd.env);
  rd.env.ipi = (c, fn) => {
    ipis.push(c.index);
    ipi(c, fn);
  };
  // The same priority again is no drop: no pull.
  c0!.setPolicy(c0!.curr!, "fifo", 50, 0);
  assert.deepEqual(ipis, []);
  c0!.setPolicy(c0!.curr!, "fifo", 30, 0);
  assert.deepEqual(ipis, [1], "the pull's IPI to the overloaded CPU");
  w.runTo(w.eng.now + 50_000);
  assert.equal(waiting.cpu, c0, "CPU 1 pushed it to the CPU now at 30");
  assert.equal(c0!.curr, waiting);
  // The chain ended: no CPU in it, and no pull pending.
  assert.equal(rd.rtoCpu, -1);
  assert.equal(rd.rtoLoop, rd.rtoLoopNext);
});

test("push_rt_task: a queued task above the running one is not pushed away; the CPU reschedules to run it", () => {
  // CPU 0 runs an RT 10; CPU 1 runs fair work. An RT 20 lands on CPU 0's queue.
  const { w, rd, cpus } = host([10, 0]);
  const [c0] = cpus;
  const high = queueOn(w, c0!, "high", 20);
  pushRtTasks(rd, c0!);
  assert.equal(high.cpu, c0, "it runs here at once: no push");
  w.runTo(w.eng.now + 50_000);
  assert.equal(c0!.curr, high);
});

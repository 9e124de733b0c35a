/**
 * The RT class on its own (sim-core/sched/rt.ts) against kernel/sched/rt.c of Linux 6.5: the
 * queue order (priority, FIFO within one; a task put back at the head of its priority, as
 * enqueue_task_rt() with ENQUEUE_HEAD), SCHED_RR's slice and requeue (task_tick_rt()),
 * preemption only by a strictly higher priority (check_preempt_curr_rt()), and RT throttling
 * (update_curr_rt() throttles once rt_time exceeds the runtime; do_sched_rt_period_timer()
 * takes off one runtime's worth per period and unthrottles below it).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { KERNEL_SCHED_DEFAULTS, resolveSched } from "../../sim-core/params";
import type { Policy } from "../../sim-core/scenario";
import { RtClass } from "../../sim-core/sched/rt";
import { Task } from "../../sim-core/sched/task";

const MS = 1_000_000;
const noop = { burstEnd: () => {} };
const rt = (name: string, prio: number, policy: Policy = "fifo") => new Task(name, noop, policy, prio);
const names = (c: RtClass) => c.q.map((t) => t.name);

/** Tunables of one CPU with the kernel's defaults: RR slice 100 ms, 950 ms of RT per 1 s. */
function rtClass(over: Partial<ReturnType<typeof resolveSched>> = {}): RtClass {
  return new RtClass({ ...resolveSched(undefined, 1), ...over });
}

test("the queue: highest priority first, FIFO within a priority, the head of its priority with ENQUEUE_HEAD", () => {
  const c = rtClass();
  assert.equal(c.topPrio(), -1, "empty: -1");
  assert.equal(c.pickNext(), null);
  for (const [n, p] of [
    ["a10", 10],
    ["b50", 50],
    ["c10", 10],
    ["d99", 99],
    ["e1", 1],
    ["f50", 50],
  ] as const)
    c.enqueue(rt(n, p), true, false);
  assert.deepEqual(names(c), ["d99", "b50", "f50", "a10", "c10", "e1"]);
  assert.equal(c.nrRunning, 6);
  assert.equal(c.topPrio(), 99);
  assert.equal(c.pickNext()!.name, "d99");
  const g = rt("g10", 10);
  c.enqueue(g, false, true);
  assert.deepEqual(names(c), ["d99", "b50", "f50", "g10", "a10", "c10", "e1"], "at the head of the 10s");
  c.enqueue(rt("h1", 1), false, true);
  c.enqueue(rt("i99", 99), false, true);
  assert.deepEqual(names(c), ["i99", "d99", "b50", "f50", "g10", "a10", "c10", "h1", "e1"]);
});

test("dequeue removes exactly that task, keeps the others' order, and ignores a task not queued", () => {
  const c = rtClass();
  const ts = [rt("a", 5), rt("b", 5), rt("c", 5), rt("d", 3)];
  for (const t of ts) c.enqueue(t, true, false);
  c.dequeue(ts[1]!);
  assert.deepEqual(names(c), ["a", "c", "d"]);
  c.dequeue(rt("stranger", 5));
  assert.deepEqual(names(c), ["a", "c", "d"]);
  c.dequeue(ts[3]!);
  c.dequeue(ts[0]!);
  assert.deepEqual(names(c), ["c"]);
  c.dequeue(ts[2]!);
  assert.equal(c.nrRunning, 0);
  assert.equal(c.topPrio(), -1);
});

test("SCHED_RR: a fresh slice at enqueue, requeued behind its equals when it runs out, alone it keeps the CPU", () => {
  const c = rtClass();
  const slice = KERNEL_SCHED_DEFAULTS.rr_timeslice_ms * MS;
  const a = rt("a", 20, "rr");
  const f = rt("fifo", 20);
  c.enqueue(a, true, false);
  assert.equal(a.rrLeft, slice, "RR_TIMESLICE, 100 ms");
  assert.equal(f.rrLeft + 0, 0, "a FIFO task has no slice");
  // Alone at its priority: a used-up slice is refilled, no requeue.
  assert.equal(c.taskTick(a, 99 * MS), false);
  assert.equal(a.rrLeft, 1 * MS);
  assert.equal(c.taskTick(a, 1 * MS), false, "exactly used up, but no equal waits");
  assert.equal(a.rrLeft, slice, "refilled");
  // A task of another priority does not count as an equal.
  c.enqueue(rt("low", 10, "rr"), true, false);
  assert.equal(c.taskTick(a, slice), false);
  // With an equal queued, the slice's end requeues it at the tail of its priority.
  c.enqueue(f, true, false);
  assert.deepEqual(names(c), ["a", "fifo", "low"]);
  assert.equal(c.taskTick(a, slice - 1), false, "1 ns of slice left");
  assert.equal(a.rrLeft, 1);
  assert.equal(c.taskTick(a, 1), true);
  assert.deepEqual(names(c), ["fifo", "a", "low"]);
  assert.equal(a.rrLeft, slice);
  // A slice left over (a task that slept mid-slice) is kept at the next enqueue.
  c.dequeue(a);
  a.rrLeft = 30 * MS;
  c.enqueue(a, true, false);
  assert.equal(a.rrLeft, 30 * MS);
  // A FIFO task never rotates.
  assert.equal(c.taskTick(f, 10 * slice), false);
  assert.deepEqual(names(c), ["fifo", "a", "low"]);
});

test("check_preempt_curr_rt: only a strictly higher priority preempts", () => {
  const c = rtClass();
  assert.equal(c.checkPreemptCurr(rt("curr", 50), rt("p", 51)), true);
  assert.equal(c.checkPreemptCurr(rt("curr", 50), rt("p", 50)), false);
  assert.equal(c.checkPreemptCurr(rt("curr", 50), rt("p", 49)), false);
});

test("RT throttling: past 950 ms in a period the class throttles once; each period takes 950 ms off", () => {
  const c = rtClass();
  const a = rt("a", 10);
  c.enqueue(a, true, false);
  assert.equal(c.updateCurr(a, 950 * MS), false, "rt_time == runtime: not yet (rt_time > runtime)");
  assert.equal(c.throttled, false);
  assert.equal(c.taskTick(a, 0), false);
  assert.equal(c.updateCurr(a, 1), true, "1 ns more throttles");
  assert.equal(c.throttled, true);
  assert.equal(c.pickNext(), null, "a throttled class runs nothing");
  assert.equal(c.taskTick(a, 0), true, "and gives the CPU back at the tick");
  assert.equal(c.updateCurr(a, 10 * MS), false, "already throttled: no second count");
  assert.equal(c.throttleCount, 1);
  // rt_time 960 ms + 1 ns: the period takes 950 ms off, 10 ms + 1 ns < 950 ms unthrottles.
  assert.equal(c.period(), true);
  assert.equal(c.throttled, false);
  assert.equal(c.rtTime, 10 * MS + 1);
  assert.equal(c.pickNext(), a);
  // A quiet period does not go below 0, and does not report an unthrottle.
  assert.equal(c.period(), false);
  assert.equal(c.rtTime, 0);
  // Far over (2 s of RT time queued up, e.g. in one long interrupt-free stretch): one period is
  // not enough, the next one unthrottles.
  c.updateCurr(a, 2000 * MS);
  assert.equal(c.throttleCount, 2);
  assert.equal(c.period(), false, "1050 ms left: still throttled");
  assert.equal(c.rtTime, 1050 * MS);
  assert.equal(c.period(), true, "100 ms left");
  // Exactly the runtime left after a period stays throttled (rt_time < runtime unthrottles).
  c.updateCurr(a, 1800 * MS);
  assert.equal(c.throttled, true);
  assert.equal(c.period(), false, `rt_time ${c.rtTime / MS} ms`);
  assert.equal(c.rtTime, 950 * MS);
});

test("sched_rt_runtime_us = -1: no throttling, no accounting", () => {
  const c = rtClass({ rtRuntimeNs: -1 });
  const a = rt("a", 10);
  c.enqueue(a, true, false);
  assert.equal(c.updateCurr(a, 10_000 * MS), false);
  assert.equal(c.throttled, false);
  assert.equal(c.rtTime + 0, 0);
  assert.equal(c.period(), false);
});

test("sched_rt_runtime_us = 0: the first nanosecond of RT time throttles, and no period unthrottles", () => {
  const c = rtClass({ rtRuntimeNs: 0 });
  const a = rt("a", 10);
  c.enqueue(a, true, false);
  assert.equal(c.updateCurr(a, 1), true);
  assert.equal(c.period(), false);
  assert.equal(c.throttled, true);
  assert.equal(c.pickNext(), null);
});

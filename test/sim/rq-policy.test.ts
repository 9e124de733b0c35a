/**
 * __sched_setscheduler() on a runqueue (sim-core/sched/rq.ts) against kernel/sched/core.c of
 * Linux 6.5: the running task's time up to the change stays its old class's, and an RT task
 * whose priority is lowered, running or waiting, is queued at the head of its new level
 * (ENQUEUE_HEAD for `oldprio < p->prio`), so it keeps its turn among the tasks of that level.
 * Expected values are worked out from those rules.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Task } from "../../sim-core/sched/task";
import { hog, MS, startOn, US, world } from "./world";

test("a running fair task boosted to SCHED_RR for 10 ms: the CPU counts 10 ms of RT, the rest fair", () => {
  const w = world(1);
  const [c0] = w.host.cpus;
  const t = hog("vcpu");
  w.host.addTask(t, 0, undefined);
  w.host.wakeTask(t);
  // The boost and unboost happen off the tick (HZ 250: every 4 ms), as kvm_vcpu_set_sched() would.
  w.eng.at(10.5 * MS, () => c0!.setPolicy(t, "rr", 8, 0));
  w.eng.at(20.5 * MS, () => c0!.setPolicy(t, "other", 0, 0));
  w.runTo(30 * MS);
  c0!.finish();
  const s = c0!.stats;
  assert.equal(s.idle_ns + s.fair_ns + s.rt_ns, 30 * MS);
  assert.equal(s.rt_ns, 10 * MS, "exactly the boosted stretch");
  // Woken at 0 on an idle CPU, switched in at once: fair before and after.
  assert.equal(s.fair_ns, 20 * MS);
  // The same task throughout: one switch, from idle.
  assert.equal(s.context_switches, 1);
  // update_curr_rt() charged the RT class's bandwidth with the boosted 10 ms only (the fair time
  // before the boost was accounted to the fair class first).
  assert.equal(c0!.rt.rtTime, 10 * MS);
});

test("unboosted back to SCHED_OTHER, a task shares the CPU with a waiting fair task again", () => {
  const w = world(1);
  const [c0] = w.host.cpus;
  const a = hog("a");
  const b = hog("b");
  w.host.addTask(a, 0, undefined);
  w.host.wakeTask(a);
  w.runTo(0.5 * MS);
  w.host.addTask(b, 0, undefined);
  w.host.wakeTask(b);
  w.eng.at(10.5 * MS, () => c0!.setPolicy(c0!.curr!, "rr", 8, 0));
  w.eng.at(20.5 * MS, () => c0!.setPolicy(c0!.curr!, "other", 0, 0));
  w.runTo(20.5 * MS);
  const before = [a.runtimeNs, b.runtimeNs];
  // 200 ms of two nice-0 hogs: about 100 ms each (set_next_task_fair() makes the fair class
  // account the unboosted task again, so its vruntime moves and it is preempted in turn).
  w.runTo(220.5 * MS);
  const ran = [a.runtimeNs - before[0]!, b.runtimeNs - before[1]!];
  for (const r of ran) assert.ok(r > 85 * MS && r < 115 * MS, `ran ${ran.map((x) => x / MS)} ms`);
});

test("a running RT task lowered to the level of a waiting one stays at the head of that level", () => {
  const w = world(1);
  const [c0] = w.host.cpus;
  const a = hog("a", "fifo", 50);
  const b = hog("b", "fifo", 30);
  startOn(w, 0, a, b);
  w.runTo(1 * MS);
  assert.equal(c0!.curr, a);
  // Lowered 50 -> 30: ENQUEUE_HEAD, and no reschedule (b is not above 30).
  c0!.setPolicy(a, "fifo", 30, 0);
  assert.equal(c0!.needResched, false);
  assert.deepEqual(
    c0!.rt.q.map((t) => t.name),
    ["a", "b"],
  );
  // A higher task preempts a for 1 ms; when it blocks, a (the head) runs again, not b.
  const h = new Task("h", { burstEnd: (x) => x.cpu!.sleepCurr() }, "fifo", 90);
  h.remaining = 1 * MS;
  w.host.addTask(h, 0, undefined);
  w.eng.at(2 * MS, () => w.host.wakeTask(h));
  w.runTo(2 * MS + 100 * US);
  assert.equal(c0!.curr, h);
  w.runTo(4 * MS);
  assert.equal(c0!.curr, a);
  assert.equal(b.runtimeNs + 0, 0, "b never ran");
});

/**
 * FIFO a (70, blocks after 2 ms) runs on one CPU while b (at `bPrio`) and c (50) wait; at 1 ms b
 * gets "fifo" `to`. Returns the order of level 50 after the call, and who runs at 3 ms.
 */
function setWaitingB(bPrio: number, to: number): { level50: string[]; at3ms: string | undefined } {
  const w = world(1);
  const [c0] = w.host.cpus;
  const a = new Task("a", { burstEnd: (x) => x.cpu!.sleepCurr() }, "fifo", 70);
  a.remaining = 2 * MS;
  const b = hog("b", "fifo", bPrio);
  const c = hog("c", "fifo", 50);
  startOn(w, 0, a, b, c);
  w.runTo(1 * MS);
  assert.equal(c0!.curr, a);
  c0!.setPolicy(b, "fifo", to, 0);
  const level50 = c0!.rt.q.filter((t) => t.rtPrio === 50).map((t) => t.name);
  w.runTo(3 * MS);
  return { level50, at3ms: c0!.curr?.name };
}

test("a waiting RT task lowered to another's level goes to its head, and runs first", () => {
  // core.c: ENQUEUE_HEAD for `oldprio < p->prio`, whether the task runs or waits. b waits and is
  // lowered 60 -> 50: it goes ahead of c, and runs when a blocks.
  assert.deepEqual(setWaitingB(60, 50), { level50: ["b", "c"], at3ms: "b" });
});

test("sched_setscheduler with the task's own policy and priority changes nothing: it keeps its place", () => {
  // core.c: `if (unlikely(policy == p->policy))` with the same rt_priority (or nice) returns
  // before the runqueue is locked; no dequeue, no enqueue at the tail. b, still first at level
  // 50, runs once a blocks.
  assert.deepEqual(setWaitingB(50, 50), { level50: ["b", "c"], at3ms: "b" });
});

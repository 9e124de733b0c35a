/**
 * More of the runqueue (sim-core/sched/rq.ts) against Linux 6.5: RT tasks of one priority run in
 * the order they were enqueued (enqueue_task_rt() queues at the tail without ENQUEUE_HEAD), a
 * guest CPU's clocks against the steal its vCPU thread suffered (rq_clock_pelt() and
 * rq_clock_task() with paravirt steal accounting), and a host CPU stopping its tick as soon as it
 * goes idle (nohz_balance_enter_idle()). Expected values are worked out by hand.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MS, sleeper, US, world } from "./world";

test("RT tasks of one priority run in wake-up order (FIFO), behind a higher one", () => {
  const w = world(1);
  const [c0] = w.host.cpus;
  const h = sleeper("h", 1 * MS, "fifo", 90);
  const ts = ["a", "b", "c"].map((n) => sleeper(n, 1 * MS, "fifo", 50));
  for (const t of [h, ...ts]) w.host.addTask(t, 0, undefined);
  w.host.wakeTask(h);
  w.runTo(100 * US);
  assert.equal(c0!.curr, h);
  for (const t of ts) w.host.wakeTask(t);
  const order: string[] = [];
  for (let t = 200 * US; t < 5 * MS; t += 100 * US) {
    w.runTo(t);
    const n = c0!.curr?.name;
    if (n && order[order.length - 1] !== n) order.push(n);
  }
  assert.deepEqual(order, ["h", "a", "b", "c"]);
});

test("a guest CPU's clocks: wall time less the 10 ms its vCPU thread waited, and frozen while it waits", () => {
  const w = world(1, 1);
  const g0 = w.guest!.cpus[0]!;
  // A guest thread runs for the first 30 ms, then blocks: the vCPU halts.
  const gt = sleeper("g", 30 * MS, "other", 0);
  w.guest!.addTask(gt, 0);
  w.guest!.wake(gt);
  // A host RT thread takes host CPU 0 from 5 ms to 15 ms: the vCPU thread waits (steal).
  const h = sleeper("host-rt", 10 * MS, "fifo", 50);
  w.host.addTask(h, 0, undefined);
  w.eng.at(5 * MS, () => w.host.wakeTask(h));
  // Before the steal: both clocks near wall time (the first entry costs a few microseconds).
  w.runTo(3 * MS);
  assert.ok(Math.abs(g0.clockPelt() - 3 * MS) < 20 * US, `pelt ${g0.clockPelt()}`);
  assert.ok(Math.abs(g0.clockTask() - 3 * MS) < 20 * US, `task ${g0.clockTask()}`);
  // In the middle of the wait: the PELT clock stopped at 5 ms (5 ms of it waited so far).
  w.runTo(10 * MS);
  assert.ok(Math.abs(g0.clockPelt() - 5 * MS) < 20 * US, `pelt ${g0.clockPelt()}`);
  assert.ok(Math.abs(g0.clockTask() - 5 * MS) < 20 * US, `task ${g0.clockTask()}`);
  // Running again, between two ticks (HZ 250: 16 and 20 ms), in guest mode: 8.5 ms of 18.5.
  w.runTo(18.5 * MS);
  assert.equal(g0.active, true);
  assert.ok(Math.abs(g0.clockPelt() - 8.5 * MS) < 40 * US, `pelt ${g0.clockPelt()}`);
  assert.ok(Math.abs(g0.clockTask() - 8.5 * MS) < 40 * US, `task ${g0.clockTask()}`);
  // 20 ms of wall time, 10 of them stolen.
  w.runTo(20 * MS);
  assert.ok(Math.abs(g0.clockPelt() - 10 * MS) < 40 * US, `pelt ${g0.clockPelt()}`);
  assert.ok(Math.abs(g0.clockTask() - 10 * MS) < 40 * US, `task ${g0.clockTask()}`);
  // The guest thread's 30 ms end at about 40 ms; at 60 ms the vCPU is halted (not runnable): the
  // PELT clock runs with wall time (idle is not steal), 10 ms behind it.
  w.runTo(60 * MS);
  assert.equal(w.vcpus[0]!.task.onRq, false, "halted");
  assert.ok(Math.abs(g0.clockPelt() - 50 * MS) < 60 * US, `pelt ${g0.clockPelt()}`);
});

test("a host CPU stops its tick when it goes idle: it joins the nohz idle set at once", () => {
  const w = world(2);
  const rd = w.host.rd;
  const t = sleeper("t", 10 * MS, "other", 0);
  w.host.addTask(t, 1, undefined);
  w.host.wakeTask(t);
  // Busy: its first tick (4 ms) takes it out of the set.
  w.runTo(5 * MS);
  assert.equal(rd.nohzIdle[1], false);
  const count = rd.nohzCount;
  // The task blocks at about 10 ms: idle from then on, before any tick.
  w.runTo(10.5 * MS);
  assert.equal(t.onRq, false);
  assert.equal(rd.nohzIdle[1], true);
  assert.equal(rd.nohzCount, count + 1);
});

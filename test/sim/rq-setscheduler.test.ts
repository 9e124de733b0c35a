/**
 * The runqueue's policy changes, wake-up and avg_rt (sim-core/sched/rq.ts from updateRtAvg()
 * on) on a bare CPU (test/sim/cpu-bare.ts), against kernel/sched/core.c, fair.c, rt.c and
 * pelt.c of Linux 6.5:
 * - rq->avg_rt: time an RT task runs counts as RT (update_rt_rq_load_avg(running=1)), an idle
 *   CPU's only decays; __sched_setscheduler()'s put_prev_task_rt() of a running RT task closes
 *   its RT time before it leaves the class, and a change of another task leaves the running RT
 *   task's time RT;
 * - __sched_setscheduler() of a sleeping task: no enqueue, no preemption check, and for a fair
 *   task that stays fair (a renice) no switched_from/switched_to: its vruntime is left as it is
 *   (6.5's reweight of a task not on the runqueue changes its weight only); a sleeping task that
 *   goes to RT and back keeps its vruntime relative to min_vruntime (detach/attach_task_cfs_rq);
 * - the RT queue: a raised priority goes to the tail of its new level; an unchanged effective
 *   priority (SCHED_FIFO 50 to SCHED_RR 50) keeps its place (no DEQUEUE_MOVE, and no
 *   ENQUEUE_HEAD for `oldprio < p->prio`);
 * - a wake-up places a fair sleeper at min_vruntime less half of sched_latency (GENTLE_FAIR_
 *   SLEEPERS: 6 ms on one CPU, so 3 ms); sleepCurr() on an idle CPU does nothing.
 * PELT values are worked out from util = 1024 (1 - y^n), y^32 = 1/2, n the 1024 us periods run
 * (the kernel's whole periods lower it by a point or two: the bands allow that); the rest is
 * exact, from the rules.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { bareCpu, MS, spinner, ticks, worker } from "./cpu-bare";

test("avg_rt while an RT task runs counts its time; on the idle CPU after it, the value only decays", () => {
  const b = bareCpu();
  // RT from 0 to 10 ms (1 us of switch, then its work), then the CPU is idle.
  b.cpu.wake(worker("r", 10 * MS - 1_000, [], "fifo", 50));
  const util: number[] = [];
  b.eng.at(5 * MS, () => util.push(b.cpu.rtUtil()));
  b.eng.at(20 * MS, () => util.push(b.cpu.rtUtil()));
  b.runTo(20 * MS);
  // 5 ms of RT: 1024 (1 - y^4.88) = 103. 10 ms of RT: 195; then 10 ms idle: 195 y^9.77 = 158.
  assert.ok(util[0]! >= 92 && util[0]! <= 106, `at 5 ms ${util[0]}`);
  assert.ok(util[1]! >= 145 && util[1]! <= 165, `at 20 ms ${util[1]}`);
});

test("a running RT task set to SCHED_OTHER: its 10 ms of RT are in avg_rt (put_prev_task_rt())", () => {
  const b = bareCpu();
  const r = spinner("r", "fifo", 50);
  b.cpu.wake(r);
  let util = -1;
  b.eng.at(10 * MS, () => {
    b.cpu.setPolicy(r, "other", 0, 0);
    util = b.cpu.rtUtil();
  });
  b.runTo(10 * MS);
  // 1024 (1 - y^(10000/1024)) = 195.
  assert.ok(util >= 180 && util <= 205, `util_avg ${util}`);
  assert.equal(b.cpu.curr, r);
});

test("a sleeping task made RT while an RT task runs: not queued, no preemption, the running task's time stays RT", () => {
  const b = bareCpu();
  const r = spinner("r", "fifo", 10);
  b.cpu.wake(r);
  const s = spinner("s");
  let util = -1;
  const seen: unknown[] = [];
  b.eng.at(10 * MS, () => {
    // Higher than r: were it queued, check_preempt_curr_rt() would preempt r.
    b.cpu.setPolicy(s, "fifo", 20, 0);
    seen.push(b.cpu.needResched, b.cpu.nrRunning, s.onRq);
    util = b.cpu.rtUtil();
  });
  b.runTo(20 * MS);
  assert.deepEqual(seen, [false, 1, false]);
  assert.ok(util >= 180 && util <= 205, `util_avg ${util}`);
  assert.equal(b.cpu.curr, r);
  assert.equal(b.cpu.stats.context_switches, 1);
});

test("a sleeping fair task reniced: its weight changes, its vruntime does not (no switched_from/to)", () => {
  const b = bareCpu();
  const h = spinner("h");
  b.cpu.wake(h);
  ticks(b, 4 * MS, 300 * MS);
  // It slept since 5 ms of vruntime; h has run 100 ms since (min_vruntime near 100 ms).
  const s = spinner("s");
  s.se.vruntime = 5 * MS;
  const seen: number[] = [];
  b.eng.at(100 * MS, () => {
    b.cpu.setPolicy(s, "other", 0, 5);
    seen.push(s.se.vruntime, s.se.weight, b.cpu.nrRunning, b.cpu.fair.nrRunning);
    b.cpu.wake(s);
  });
  b.runTo(300 * MS);
  // nice 5: weight 335.
  assert.deepEqual(seen, [5 * MS, 335, 1, 1]);
  // 200 ms shared by weights 335 : 1024 is 49.3 ms for s (plus the 3 ms sleeper credit, 1 ms of
  // its time at its weight, less the switches): a band around it.
  assert.ok(s.runtimeNs > 44 * MS && s.runtimeNs < 55 * MS, `s ran ${s.runtimeNs / MS} ms`);
});

test("a sleeping fair task that goes to SCHED_FIFO and back keeps its vruntime relative to min_vruntime", () => {
  const b = bareCpu();
  b.cpu.wake(spinner("h"));
  ticks(b, 4 * MS, 200 * MS);
  const s = spinner("s");
  const min = () => b.cpu.fair.root.minVruntime;
  let m1 = -1;
  let m2 = -1;
  b.eng.at(100 * MS, () => {
    m1 = min();
    // It slept 1 ms of vruntime ahead of min_vruntime (past any sleeper credit).
    s.se.vruntime = m1 + 1 * MS;
    b.cpu.setPolicy(s, "fifo", 10, 0);
  });
  b.eng.at(200 * MS, () => {
    m2 = min();
    b.cpu.setPolicy(s, "other", 0, 0);
  });
  b.runTo(200 * MS);
  assert.ok(m2 - m1 > 90 * MS, `min_vruntime moved ${(m2 - m1) / MS} ms`);
  assert.equal(s.se.vruntime, m2 + 1 * MS);
});

/**
 * FIFO a (70) runs while c (50) and then b (`bPrio`) wait (b first if `bFirst`); at 1 ms b
 * becomes `policy` `to`.
 * Returns the order of level 50 after the call.
 */
function level50(bPrio: number, policy: "fifo" | "rr", to: number, bFirst = false): string[] {
  const b = bareCpu();
  const a = spinner("a", "fifo", 70);
  const c = spinner("c", "fifo", 50);
  const bt = spinner("b", "fifo", bPrio);
  b.cpu.wake(a);
  if (bFirst) b.cpu.wake(bt);
  b.cpu.wake(c);
  if (!bFirst) b.cpu.wake(bt);
  let order: string[] = [];
  b.eng.at(1 * MS, () => {
    b.cpu.setPolicy(bt, policy, to, 0);
    order = b.cpu.rt.q.filter((t) => t.rtPrio === 50).map((t) => t.name);
  });
  b.runTo(2 * MS);
  assert.equal(b.cpu.curr, a);
  return order;
}

test("a waiting RT task raised to another's level goes to its tail (no ENQUEUE_HEAD for a raise)", () => {
  assert.deepEqual(level50(40, "fifo", 50), ["c", "b"]);
});

test("SCHED_FIFO 50 to SCHED_RR 50 behind another task of 50: the effective priority is unchanged, b stays behind", () => {
  // core.c: newprio == oldprio clears DEQUEUE_MOVE (the task keeps its place), and
  // `oldprio < p->prio` is false (no ENQUEUE_HEAD): b stays after c either way.
  assert.deepEqual(level50(50, "rr", 50), ["c", "b"]);
});

test("a wake-up places a fair sleeper 3 ms (half of sched_latency) behind min_vruntime, no further", () => {
  const b = bareCpu();
  b.cpu.wake(spinner("h"));
  ticks(b, 4 * MS, 100 * MS);
  // It last ran at the start (vruntime 0): a long sleep earns half a latency period, not more.
  const s = spinner("s");
  const seen: number[] = [];
  b.eng.at(100 * MS, () => {
    b.cpu.wake(s);
    seen.push(b.cpu.fair.root.minVruntime - s.se.vruntime);
  });
  b.runTo(100 * MS);
  assert.deepEqual(seen, [3 * MS]);
});

test("sleepCurr() on an idle CPU changes nothing", () => {
  const b = bareCpu();
  b.cpu.sleepCurr();
  assert.equal(b.cpu.needResched, false);
  assert.equal(b.cpu.curr, null);
});

test("a waiting RT task raised above another's level moves ahead of it: a changed priority is a move", () => {
  const b = bareCpu();
  const a = spinner("a", "fifo", 70);
  const c = spinner("c", "fifo", 50);
  const bt = spinner("b", "fifo", 40);
  for (const t of [a, c, bt]) b.cpu.wake(t);
  let order: string[] = [];
  b.eng.at(1 * MS, () => {
    b.cpu.setPolicy(bt, "fifo", 60, 0);
    order = b.cpu.rt.q.map((t) => t.name);
  });
  b.runTo(1 * MS);
  assert.deepEqual(order, ["a", "b", "c"]);
});

test("SCHED_FIFO 50 to SCHED_RR 50 ahead of another task of 50: b keeps its place at the head (no DEQUEUE_MOVE)", () => {
  // Requeued as a move, b would go to the tail of level 50, behind c.
  assert.deepEqual(level50(50, "rr", 50, true), ["b", "c"]);
});

test("the RT period timer rolls rt_time as last accounted: the running task's time since then counts after the roll", () => {
  // do_sched_rt_period_timer() takes one runtime off rt_rq->rt_time without update_curr_rt():
  // the FIFO spinner's first 500 ms, never accounted (no tick yet), are not there to be taken
  // off, and the tick at 1 s accounts the whole second against 950 ms. Accounted before the
  // roll, they would be forgiven and the CPU would not throttle.
  const b = bareCpu();
  b.cpu.wake(spinner("r", "fifo", 50));
  b.eng.at(500 * MS, () => b.cpu.rtPeriod());
  b.eng.at(1000 * MS, () => b.cpu.tick());
  b.runTo(1001 * MS);
  assert.equal(b.cpu.rt.throttled, true);
  assert.equal(b.cpu.curr, null, "throttled: the spinner gives the CPU back");
});

/** Fair spinners a (running) and, if `withB`, b; at 1 ms a becomes `policy` `nice`. Returns need_resched just after. */
function reniceRunning(nice: number, withB: boolean, policy: "other" | "batch" = "other"): boolean {
  const b = bareCpu();
  const a = spinner("a");
  b.cpu.wake(a);
  if (withB) b.cpu.wake(spinner("b"));
  let resched = false;
  b.eng.at(1 * MS, () => {
    assert.equal(b.cpu.curr, a);
    b.cpu.needResched = false;
    b.cpu.setPolicy(a, policy, 0, nice);
    resched = b.cpu.needResched;
  });
  b.runTo(1 * MS);
  return resched;
}

test("prio_changed_fair(): the running task reniced down (nice up) reschedules; up, or alone, it does not", () => {
  assert.equal(reniceRunning(5, true), true, "nice 0 -> 5 with b queued");
  assert.equal(reniceRunning(-5, true), false, "nice 0 -> -5: its priority rose");
  assert.equal(reniceRunning(5, false), false, "alone at the top level (rq->cfs.nr_running == 1)");
  // SCHED_OTHER to SCHED_BATCH at the same nice: p->prio is unchanged, so check_class_changed()
  // does not call prio_changed_fair() at all.
  assert.equal(reniceRunning(0, true, "batch"), false, "the same priority, another fair policy");
});

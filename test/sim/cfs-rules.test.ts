/**
 * CFS of Linux 6.5 on one runqueue driven by hand, against values worked out from
 * kernel/sched/fair.c's rules: sched_slice() (the period, the weight share, the BASE_SLICE
 * floor), check_preempt_tick() (the sched_latency cap, the min_granularity wait, the vruntime
 * lead), place_entity(), check_preempt_wakeup() (the wakee-scaled wakeup granularity, the
 * policies, the buddies) and pick_next_entity(). Weights are sched_prio_to_weight[]'s.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { TaskGroup } from "../../sim-core/sched/fair";
import { fairCpu, fairTask, MS, WEIGHT } from "./fair-rq";

/**
 * Queues `waiting` (not running) and runs `curr` from time 0; returns the tick's verdict after
 * `ranNs` of running.
 */
function tickAfter(setup: ReturnType<typeof fairCpu>, curr: ReturnType<typeof fairTask>, waiting: ReturnType<typeof fairTask>[]) {
  const { eng, fair } = setup;
  for (const t of waiting) fair.enqueue(t, false, false);
  fair.enqueue(curr, false, false);
  fair.setNext(curr);
  return (ranNs: number): boolean => {
    eng.now = ranNs;
    return fair.taskTick(curr, 0);
  };
}

const far = (n: number, nice = 0) => Array.from({ length: n }, (_, i) => fairTask(`w${i}`, 1000 * MS, nice));

test("sched_slice: two nice-0 tasks get half of sched_latency (3 ms of 6); the tick preempts once more than that ran", () => {
  // B is 1 ms of vruntime behind A at 3 ms: the lead check (3 ms) does not fire.
  const tick = tickAfter(fairCpu(), fairTask("A", 0), [fairTask("B", 2 * MS)]);
  assert.equal(tick(3 * MS), false);
  assert.equal(tick(3 * MS + 1), true);
});

test("sched_slice by weight: nice 0 beside nice 5 gets 6 ms * 1024/1359, the nice-5 task 6 ms * 335/1359", () => {
  assert.equal(WEIGHT.nice0 + WEIGHT.nice5, 1359);
  // 4.5209713 ms.
  let tick = tickAfter(fairCpu(), fairTask("A", 0), far(1, 5));
  assert.equal(tick(4.52097 * MS), false);
  assert.equal(tick(4.52098 * MS), true);
  // 1.4790287 ms.
  tick = tickAfter(fairCpu(), fairTask("B", 0, 5), far(1, 0));
  assert.equal(tick(1.47902 * MS), false);
  assert.equal(tick(1.47903 * MS), true);
});

test("__sched_period: up to sched_nr_latency (8) tasks share sched_latency; 9 stretch it to 9 * min_granularity", () => {
  // min_granularity 1 ms (debugfs leaves sched_nr_latency at 8), BASE_SLICE off to see the share.
  const sched = { sched_latency_ns: 6 * MS, min_granularity_ns: 1 * MS, tunable_scaling: "none" as const };
  // 8 tasks: 6 ms / 8 = 0.75 ms.
  let tick = tickAfter(fairCpu(sched, 1, { BASE_SLICE: false }), fairTask("A", 0), far(7));
  assert.equal(tick(0.75 * MS), false);
  assert.equal(tick(0.75 * MS + 1), true);
  // 9 tasks: 9 ms / 9 = 1 ms.
  tick = tickAfter(fairCpu(sched, 1, { BASE_SLICE: false }), fairTask("A", 0), far(8));
  assert.equal(tick(1 * MS), false);
  assert.equal(tick(1 * MS + 1), true);
});

test("BASE_SLICE floors the slice at min_granularity, an idle-policy task's (among others) at sysctl_sched_idle_min_granularity", () => {
  // 4 CPUs, log scaling (factor 3): latency 18 ms, min_granularity 2.25 ms. A nice-19 task's
  // share beside a nice-0 one is 18 ms * 15/1039 = 0.26 ms, floored at 2.25 ms.
  let tick = tickAfter(fairCpu({}, 4), fairTask("L", 0, 19), far(1));
  assert.equal(tick(2.25 * MS), false);
  assert.equal(tick(2.25 * MS + 1), true);
  // Without the floor the share itself: preempted at 0.3 ms.
  tick = tickAfter(fairCpu({}, 4, { BASE_SLICE: false }), fairTask("L", 0, 19), far(1));
  assert.equal(tick(0.3 * MS), true);
  // SCHED_IDLE (weight 3): 18 ms * 3/1027 = 0.05 ms, floored at 0.75 ms (not scaled by CPUs).
  tick = tickAfter(fairCpu({}, 4), fairTask("I", 0, 0, "idle"), far(1));
  assert.equal(tick(0.75 * MS), false);
  assert.equal(tick(0.75 * MS + 1), true);
});

test("BASE_SLICE: idle-policy tasks on a runqueue of idle tasks only get min_granularity (sched_idle_cfs_rq)", () => {
  // 4 CPUs (min_granularity 2.25 ms). 8 nice-0 tasks at the root and a group (entity 1024) of two
  // SCHED_IDLE tasks: period 10 * 2.25 ms; I's share 22.5 ms * 3/6 * 1024/9216 = 1.25 ms, floored
  // at 2.25 ms (not at the idle granularity, 0.75 ms: the group's runqueue is all idle).
  const s = fairCpu({}, 4);
  const g = new TaskGroup("g", 1024);
  const [i, j] = [fairTask("I", 0, 0, "idle"), fairTask("J", 1000 * MS, 0, "idle")];
  i.tg = g;
  j.tg = g;
  const tick = tickAfter(s, i, [...far(8), j]);
  assert.equal(tick(1.3 * MS), false);
  assert.equal(tick(2.25 * MS + 1), true);
});

test("check_preempt_tick caps the ideal runtime at sched_latency: a nice-0 task among 15 nice-19 ones runs 6 ms, not 9.8", () => {
  // 16 tasks: period 12 ms; the nice-0 share 12 ms * 1024/1249 = 9.84 ms, capped at 6 ms.
  const tick = tickAfter(fairCpu(), fairTask("A", 0), far(15, 19));
  assert.equal(tick(6 * MS), false);
  assert.equal(tick(6 * MS + 1), true);
});

test("check_preempt_tick: after min_granularity, a vruntime lead over the leftmost larger than the slice preempts", () => {
  // 20 ms ahead of B, but not before min_granularity (0.75 ms) has run.
  let tick = tickAfter(fairCpu(), fairTask("A", 20 * MS), [fairTask("B", 0)]);
  assert.equal(tick(0.75 * MS - 1), false);
  assert.equal(tick(0.75 * MS), true);
  // A lead of exactly the slice (3 ms) is not enough; more is.
  tick = tickAfter(fairCpu(), fairTask("A", 10 * MS), [fairTask("B", 7.75 * MS)]);
  assert.equal(tick(0.75 * MS), false);
  assert.equal(tick(0.75 * MS + 1), true);
});

test("ALT_PERIOD: a group's task gets its share of the period of all the CPU's tasks, through the group entity's share", () => {
  // 9 nice-0 tasks at the root and a group (1024 shares, its entity 1024 while it is the only
  // CPU) of two: the period is 11 * 0.75 ms; A's share 8.25 ms * 1024/2048 * 1024/10240 =
  // 0.4125 ms (0.3 ms with the group's own 2 tasks' period, 6 ms). BASE_SLICE off.
  for (const alt of [true, false]) {
    const s = fairCpu({}, 1, { BASE_SLICE: false, ALT_PERIOD: alt });
    const g = new TaskGroup("g", 1024);
    const [a, u] = [fairTask("A", 0), fairTask("U", 1000 * MS)];
    a.tg = g;
    u.tg = g;
    const tick = tickAfter(s, a, [...far(9), u]);
    assert.equal(s.fair.rqFor(g).se?.weight, 1024);
    assert.equal(tick(0.35 * MS), !alt);
    if (alt) assert.equal(tick(0.42 * MS), true);
  }
});

test("the tick never preempts a task alone on its runqueue", () => {
  const tick = tickAfter(fairCpu(), fairTask("A", 0), []);
  assert.equal(tick(100 * MS), false);
});

test("check_preempt_tick clears the buddies once the running task has had its slice", () => {
  const s = fairCpu();
  const a = fairTask("A", 0);
  const tick = tickAfter(s, a, [fairTask("B", 2 * MS)]);
  s.fair.root.next = a.se;
  s.fair.root.last = a.se;
  assert.equal(tick(2 * MS), false);
  assert.equal(s.fair.root.last, a.se, "within its slice it stays a buddy");
  assert.equal(tick(3 * MS + 1), true);
  assert.equal(s.fair.root.next, null);
  assert.equal(s.fair.root.last, null);
});

test("place_entity: a sleeper lands at most half a latency (GENTLE_FAIR_SLEEPERS) behind min_vruntime", () => {
  for (const gentle of [true, false]) {
    const { fair } = fairCpu({}, 1, { GENTLE_FAIR_SLEEPERS: gentle });
    fair.root.minVruntime = 100 * MS;
    const long = fairTask("long", 0);
    const short = fairTask("short", 98 * MS);
    const idle = fairTask("idle", 0, 0, "idle");
    const moved = fairTask("moved", 0);
    for (const t of [long, short, idle]) fair.enqueue(t, true, false);
    fair.enqueue(moved, false, false);
    // 6 ms latency (halved: 3 ms); an idle-policy task's threshold is min_granularity (0.75 ms).
    assert.equal(long.se.vruntime, (gentle ? 97 : 94) * MS);
    assert.equal(short.se.vruntime, 98 * MS, "a short sleeper keeps its vruntime");
    assert.equal(idle.se.vruntime, (gentle ? 99.625 : 99.25) * MS);
    assert.equal(moved.se.vruntime, 0, "no placement without ENQUEUE_WAKEUP");
  }
});

test("START_DEBIT: a new nice-5 task joining a nice-0 one starts sched_vslice (4.52 ms) past min_vruntime; without it at min_vruntime", () => {
  for (const debit of [true, false]) {
    const { fair } = fairCpu({}, 1, { START_DEBIT: debit });
    fair.enqueue(fairTask("A", 100 * MS), false, false);
    fair.root.minVruntime = 100 * MS;
    const n = fairTask("new", 0, 5);
    n.newTask = true;
    fair.enqueue(n, true, false);
    // sched_slice: 6 ms * 335/1359 with the new task counted; in its vruntime, * 1024/335.
    const want = debit ? 100 * MS + (6 * MS * 1024) / 1359 : 100 * MS;
    assert.ok(Math.abs(n.se.vruntime - want) < 1, `${n.se.vruntime} vs ${want}`);
  }
  // The new task counts in the period: joining 8 nice-0 tasks, 9 * 0.75 ms shared by 9 (0.75 ms,
  // not 6 ms / 9). BASE_SLICE off to see the share.
  const { fair } = fairCpu({}, 1, { BASE_SLICE: false });
  for (const t of far(8)) fair.enqueue(t, false, false);
  const n = fairTask("new", 0);
  n.newTask = true;
  fair.enqueue(n, true, false);
  assert.equal(n.se.vruntime, 0.75 * MS);
});

/** A runs at vruntime 10 ms with `n` others waiting far right; `w` wakes. */
function wake(
  w: ReturnType<typeof fairTask>,
  opts: { n?: number; curr?: ReturnType<typeof fairTask>; features?: object; pending?: boolean } = {},
) {
  const { fair } = fairCpu({}, 1, opts.features ?? {});
  const a = opts.curr ?? fairTask("A", 10 * MS);
  for (const t of far(opts.n ?? 1)) fair.enqueue(t, false, false);
  fair.enqueue(a, false, false);
  fair.setNext(a);
  fair.enqueue(w, true, false);
  return { fair, a, preempt: fair.checkPreemptCurr(a, w, opts.pending ?? false) };
}

test("check_preempt_wakeup: the wakee must lead by more than the wakeup granularity, scaled by the wakee's weight", () => {
  // 1 ms for a nice-0 wakee.
  assert.equal(wake(fairTask("W", 9 * MS)).preempt, false);
  assert.equal(wake(fairTask("W", 9 * MS - 1)).preempt, true);
  // 1 ms * 1024/335 = 3.06 ms for a nice-5 wakee (not 1 ms: the running task is nice 0).
  assert.equal(wake(fairTask("W", 7 * MS, 5)).preempt, false);
  assert.equal(wake(fairTask("W", 6.9 * MS, 5)).preempt, true);
  // A wakee to the right of the running task never preempts.
  assert.equal(wake(fairTask("W", 12 * MS)).preempt, false);
});

test("check_preempt_wakeup: no preemption with a resched pending, WAKEUP_PREEMPTION off, or a batch or idle wakee; an idle task is always preempted", () => {
  assert.equal(wake(fairTask("W", 0), { pending: true }).preempt, false);
  assert.equal(wake(fairTask("W", 0), { features: { WAKEUP_PREEMPTION: false } }).preempt, false);
  assert.equal(wake(fairTask("W", 0, 0, "batch")).preempt, false);
  assert.equal(wake(fairTask("W", 0, 0, "idle")).preempt, false);
  // A SCHED_IDLE task is preempted by a normal wakee far to its right, even without
  // WAKEUP_PREEMPTION (the idle-policy test comes first).
  for (const on of [true, false]) {
    const idle = fairTask("I", 10 * MS, 0, "idle");
    assert.equal(wake(fairTask("W", 50 * MS), { curr: idle, features: { WAKEUP_PREEMPTION: on } }).preempt, true);
  }
  // Between two SCHED_IDLE tasks the wakee does not preempt (idle wakees never do).
  assert.equal(wake(fairTask("W", 0, 0, "idle"), { curr: fairTask("I", 10 * MS, 0, "idle") }).preempt, false);
  const { fair, a } = wake(fairTask("W", 0));
  assert.equal(fair.checkPreemptCurr(a, a, false), false, "a task does not preempt itself");
});

test("a preempting wakee is always the next buddy; the preempted task the last buddy from sched_nr_latency (8) queued", () => {
  for (const [n, last] of [
    [6, true],
    [5, false],
  ] as const) {
    const w = fairTask("W", 0);
    const { fair, a, preempt } = wake(w, { n });
    assert.equal(preempt, true);
    assert.equal(fair.root.next, w.se);
    assert.equal(fair.root.last, last ? a.se : null, `${n + 2} queued`);
  }
  // NEXT_BUDDY marks any wakee from 8 queued, but not a SCHED_IDLE one (set_next_buddy()).
  assert.equal(wake(fairTask("W", 0, 0, "idle"), { n: 7, features: { NEXT_BUDDY: true } }).fair.root.next, null);
  // A wakee that does not preempt is no buddy (NEXT_BUDDY off).
  const { fair } = wake(fairTask("W", 9.5 * MS), { n: 7 });
  assert.equal(fair.root.next, null);
  assert.equal(fair.root.last, null);
});

test("buddies in a group: the chain up to the root is marked and cleared; an idle task or a group entity is no last buddy", () => {
  /** 8 tasks of group g, the first running (vruntime 10 ms), `w` (of g unless given) wakes. */
  const inGroup = (w: ReturnType<typeof fairTask>, wInGroup: boolean) => {
    const { fair } = fairCpu();
    const g = new TaskGroup("g", 1024);
    const ts = [fairTask("A", 10 * MS), ...far(7)];
    for (const t of ts) t.tg = g;
    if (wInGroup) w.tg = g;
    for (const t of ts) fair.enqueue(t, false, false);
    fair.setNext(ts[0]!);
    fair.enqueue(w, false, false);
    return { fair, gse: fair.rqFor(g).se!, grq: fair.rqFor(g), a: ts[0]!, preempt: fair.checkPreemptCurr(ts[0]!, w, false) };
  };
  const w = fairTask("W", 0);
  const m = inGroup(w, true);
  assert.equal(m.preempt, true);
  assert.deepEqual([m.grq.next, m.fair.root.next, m.grq.last, m.fair.root.last], [w.se, m.gse, m.a.se, m.gse]);
  m.fair.putPrev(m.a);
  m.fair.setNext(w);
  assert.deepEqual([m.grq.next, m.fair.root.next], [null, null], "set_next_entity clears them on each level");
  // A buddy that leaves (not to sleep: no group buddy then) is cleared up the chain.
  const w2 = fairTask("W2", 0);
  const d = inGroup(w2, true);
  d.fair.dequeue(w2, false);
  assert.deepEqual([d.grq.next, d.fair.root.next], [null, null], "clear_buddies");
  // clear_buddies() climbs only while the entity is its parent's buddy: the root's buddies,
  // another root task, stay when the group's buddy leaves.
  for (const kind of ["next", "last"] as const) {
    const x = fairTask("X", 0);
    const y = fairTask("Y", 0);
    const c = inGroup(y, true);
    c.fair.enqueue(x, false, false);
    c.grq[kind] = y.se;
    c.fair.root[kind] = x.se;
    c.fair.dequeue(y, false);
    assert.deepEqual([c.grq[kind], c.fair.root[kind]], [null, x.se], kind);
  }
  // A root wakee preempting the group's task: the matching entities are the group's and the
  // wakee's; the group entity is not a task, so no last buddy. The group queues 8 (scale).
  const r = inGroup(fairTask("R", -3 * MS), false);
  assert.equal(r.preempt, true);
  assert.deepEqual([r.fair.root.next?.task?.name, r.fair.root.last, r.grq.last], ["R", null, null]);
  // An idle-policy task preempted with 8 queued is not made the last buddy either.
  const { fair, a, preempt } = wake(fairTask("W", 50 * MS), { n: 7, curr: fairTask("I", 10 * MS, 0, "idle") });
  assert.equal(preempt, true);
  assert.equal(fair.root.last, null);
  assert.equal(a.se.onRq, true);
});

test("pick_next_entity: a buddy runs if it is within the leftmost's wakeup granularity; next before last", () => {
  const pick = (leftNice: number, nextMs: number | null, lastMs: number | null) => {
    const { fair } = fairCpu();
    const left = fairTask("L", 10 * MS, leftNice);
    fair.enqueue(left, false, false);
    for (const [ms, kind] of [
      [nextMs, "next"],
      [lastMs, "last"],
    ] as const) {
      if (ms === null) continue;
      const t = fairTask(kind, ms * MS);
      fair.enqueue(t, false, false);
      fair.root[kind] = t.se;
    }
    return fair.pickNext()?.name;
  };
  assert.equal(pick(0, 11, null), "next", "1 ms right of a nice-0 leftmost");
  assert.equal(pick(0, 11.000001, null), "L");
  assert.equal(pick(5, 13, null), "next", "3.06 ms: the granularity in the nice-5 leftmost's vruntime");
  assert.equal(pick(5, 13.1, null), "L");
  assert.equal(pick(0, 10.5, 10.2), "next");
  assert.equal(pick(0, 12, 10.5), "last");
  assert.equal(pick(0, null, 11.000001), "L");
});

test("pick_next_entity: the running task is the leftmost only if strictly left of the tree's", () => {
  for (const [currMs, want] of [
    [5, "C"],
    [10, "L"],
  ] as const) {
    const { fair } = fairCpu();
    const c = fairTask("C", currMs * MS);
    fair.enqueue(fairTask("L", 10 * MS), false, false);
    fair.enqueue(c, false, false);
    fair.setNext(c);
    assert.equal(fair.pickNext()?.name, want);
  }
});

test("dequeue_entity clears a buddy; a task sleeping out of a group with others queued makes the group the next buddy", () => {
  const { fair } = fairCpu();
  const w = fairTask("W", 0);
  fair.enqueue(w, false, false);
  fair.root.next = w.se;
  fair.root.last = w.se;
  fair.dequeue(w, true);
  assert.equal(fair.root.next, null);
  assert.equal(fair.root.last, null);
  for (const sleep of [true, false]) {
    const { fair } = fairCpu();
    const g = new TaskGroup("g", 1024);
    const [t1, t2] = [fairTask("t1", 0), fairTask("t2", 0)];
    t1.tg = g;
    t2.tg = g;
    for (const t of [fairTask("R", 0), t1, t2]) fair.enqueue(t, false, false);
    fair.dequeue(t1, sleep);
    assert.equal(fair.root.next, sleep ? fair.rqFor(g).se : null);
  }
});

test("leaving the class detaches the task's load from the runqueue; coming back attaches it", () => {
  for (const fair of [fairCpu().fair, fairCpu({ fair: "eevdf" }).fair]) {
    const t = fairTask("t", 0);
    fair.enqueue(t, false, false);
    const load = fair.root.avg.loadAvg;
    assert.ok(load > 0 && load === t.se.avg.loadAvg, `${load}`);
    fair.dequeue(t, false);
    fair.switchedFrom(t);
    assert.equal(fair.root.avg.loadAvg, 0);
    fair.switchedTo(t);
    assert.equal(fair.root.avg.loadAvg, load);
  }
});

test("a class change keeps the vruntime relative to min_vruntime, after the sleeper placement (6.5 detach/attach)", () => {
  const { fair } = fairCpu();
  fair.root.minVruntime = 100 * MS;
  const [a, b] = [fairTask("a", 50 * MS), fairTask("b", 99 * MS)];
  fair.switchedFrom(a);
  fair.switchedFrom(b);
  fair.root.minVruntime = 200 * MS;
  fair.switchedTo(a);
  fair.switchedTo(b);
  assert.equal(a.se.vruntime, 197 * MS);
  assert.equal(b.se.vruntime, 199 * MS);
});

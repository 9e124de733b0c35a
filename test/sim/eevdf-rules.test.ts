/**
 * EEVDF (Linux 6.6) on one runqueue driven by hand, against values worked out from the 6.6
 * rules: place_entity() with PLACE_LAG (the lag scaled by (W + w) / W, none on an empty
 * runqueue, half a slice to a new task's deadline), update_deadline(), update_entity_lag()'s
 * clamp, entity_eligible() (an entity exactly at V is eligible), RUN_TO_PARITY and
 * check_preempt_wakeup(). One CPU: base_slice 0.75 ms, HZ 250 (a 4 ms tick).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { TaskGroup } from "../../sim-core/sched/fair";
import { fairCpu, fairTask, MS } from "./fair-rq";

const eevdf = (sched = {}) => fairCpu({ fair: "eevdf", ...sched });
/** Within a nanosecond (the model keeps fractions of a nanosecond where the kernel rounds). */
const near = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) < 1, `${what}: ${got} vs ${want}`);

test("place_entity: V minus the saved lag scaled by (W + w) / W; a deadline one base slice (in the entity's vruntime) later", () => {
  // C alone at V = min_vruntime = 0, deadline 0.75 ms.
  let { fair } = eevdf();
  const c = fairTask("C", 0, 0, "other", 5 * MS);
  fair.enqueue(c, true, false);
  near(c.se.vruntime, 0, "no lag on an empty runqueue");
  assert.equal(c.se.deadline, 0.75 * MS);
  // A nice-0 entity with 1 ms of lag beside it: 1 ms * 2048/1024 left of V.
  const w = fairTask("W", 0, 0, "other", 1 * MS);
  fair.enqueue(w, true, false);
  assert.equal(w.se.vruntime, -2 * MS);
  assert.equal(w.se.deadline, -1.25 * MS);
  // A nice-5 entity: 1 ms * 1359/1024 left, deadline 0.75 ms * 1024/335 later.
  ({ fair } = eevdf());
  fair.enqueue(fairTask("C", 0), true, false);
  const w5 = fairTask("W5", 0, 5, "other", 1 * MS);
  fair.enqueue(w5, true, false);
  near(w5.se.vruntime, -1.3271484375 * MS, "vruntime");
  near(w5.se.deadline - w5.se.vruntime, (0.75 * MS * 1024) / 335, "slice");
});

test("place_entity counts the running entity in V and in the load that scales the lag", () => {
  const { eng, fair } = eevdf();
  const c = fairTask("C", 0);
  fair.enqueue(c, true, false);
  fair.setNext(c);
  eng.now = 1 * MS;
  fair.updateCurr(c, 0);
  // V = C's vruntime = 1 ms; the load is C's 1024 although C is out of the tree.
  const w = fairTask("W", 0, 0, "other", 1 * MS);
  fair.enqueue(w, true, false);
  assert.equal(w.se.vruntime, -1 * MS);
});

test("a new task starts at V with no lag, whatever vlag held", () => {
  const { fair } = eevdf();
  fair.enqueue(fairTask("C", 0), true, false);
  const n = fairTask("new", 0, 0, "other", 5 * MS);
  n.newTask = true;
  fair.enqueue(n, true, false);
  near(n.se.vruntime, 0, "vruntime");
});

test("update_deadline: at its deadline the entity gets a new slice, and a resched only if another entity waits", () => {
  for (const others of [1, 0]) {
    const { eng, fair } = eevdf();
    const a = fairTask("A", 0);
    fair.enqueue(a, true, false);
    for (let i = 0; i < others; i++) fair.enqueue(fairTask(`B${i}`, 0), true, false);
    fair.setNext(a);
    eng.now = 0.75 * MS - 1;
    assert.equal(fair.taskTick(a, 0), false);
    assert.equal(a.se.deadline, 0.75 * MS);
    eng.now = 0.75 * MS;
    assert.equal(fair.taskTick(a, 0), others > 0);
    assert.equal(a.se.deadline, 1.5 * MS);
  }
});

test("update_entity_lag: V - vruntime at dequeue, clamped to max(2 base slices, a tick) in the entity's vruntime", () => {
  /** A runs `ms` beside B (both nice 0 from V = 0, or B nice `bNice`); then `who` sleeps. */
  const lagAfter = (ms: number, who: "A" | "B", hz = 250, bNice = 0) => {
    const { eng, fair } = eevdf({ hz });
    const a = fairTask("A", 0);
    const b = fairTask("B", 0, bNice);
    fair.enqueue(a, true, false);
    fair.enqueue(b, true, false);
    fair.setNext(a);
    eng.now = ms * MS;
    const t = who === "A" ? a : b;
    fair.dequeue(t, true);
    return t.se.vlag;
  };
  // 2 ms run: V = 1 ms, A's lag -1 ms.
  assert.equal(lagAfter(2, "A"), -1 * MS);
  // 20 ms: V = 10 ms; A's -10 ms and B's +10 ms clamp at the 4 ms tick (HZ 250) ...
  assert.equal(lagAfter(20, "A"), -4 * MS);
  assert.equal(lagAfter(20, "B"), 4 * MS);
  // ... and at 2 * 0.75 ms with a 1 ms tick (HZ 1000).
  assert.equal(lagAfter(20, "A", 1000), -1.5 * MS);
  // A nice-5 B: V = 20 * 1024/1359 ms = 15.07 ms, clamped at 4 ms * 1024/335 = 12.23 ms.
  near(lagAfter(20, "B", 250, 5), (4 * MS * 1024) / 335, "nice-5 clamp");
  // With min_vruntime moving under a queued entity: B placed with -1 ms of lag at 2 ms; A runs
  // 3 ms, min_vruntime follows B to 2 ms, V = (3 + 2) / 2 = 2.5 ms and A's lag is -0.5 ms.
  const { eng, fair } = eevdf();
  const a = fairTask("A", 0);
  const b = fairTask("B", 0, 0, "other", -1 * MS);
  fair.enqueue(a, true, false);
  fair.enqueue(b, true, false);
  assert.equal(b.se.vruntime, 2 * MS);
  fair.setNext(a);
  eng.now = 3 * MS;
  fair.dequeue(a, true);
  assert.equal(fair.root.minVruntime, 2 * MS);
  assert.equal(a.se.vlag, -0.5 * MS);
});

test("entity_eligible: an entity exactly at V is eligible (the earlier deadline runs, not the leftmost)", () => {
  const { fair } = eevdf();
  // A (nice 5) at 0, deadline 2.29 ms; B (nice 0) placed at V = 0, deadline 0.75 ms.
  fair.enqueue(fairTask("A", 0, 5), true, false);
  fair.enqueue(fairTask("B", 0), true, false);
  assert.equal(fair.pickNext()?.name, "B");
});

test("RUN_TO_PARITY: the running entity keeps the CPU while eligible until its deadline, though another's is earlier", () => {
  const { eng, fair } = eevdf();
  // C at 0 (deadline 0.75 ms); A nice 5 with 1 ms of lag: -1.327 ms, deadline 0.965 ms; B nice 0
  // with 0.1 ms of lag: V = -0.327 ms, so B at -0.503 ms, deadline 0.247 ms.
  const c = fairTask("C", 0);
  const a = fairTask("A", 0, 5, "other", 1 * MS);
  const b = fairTask("B", 0, 0, "other", 0.1 * MS);
  for (const t of [c, a, b]) fair.enqueue(t, true, false);
  near(a.se.deadline, 0.9653888759 * MS, "A's deadline");
  near(b.se.deadline, 0.247502 * MS, "B's deadline");
  fair.setNext(a);
  assert.equal(fair.pickNext(), a, "A runs to parity");
  assert.equal(fair.checkPreemptCurr(a, b, false), false, "nor does B preempt it");
  // 0.75 ms later A (2.29 ms of vruntime further) has a new deadline and is past V: B runs.
  eng.now = 0.75 * MS;
  assert.equal(fair.taskTick(a, 0), true);
  assert.equal(fair.pickNext(), b);
});

test("pick_eevdf: a running entity past V is dropped, even within its slice", () => {
  // A and B from V = 0, deadlines 0.75 ms; A runs 0.5 ms: V = 0.25 ms, A is not eligible.
  const { eng, fair } = eevdf();
  const [a, b] = [fairTask("A", 0), fairTask("B", 0)];
  fair.enqueue(a, true, false);
  fair.enqueue(b, true, false);
  fair.setNext(a);
  eng.now = 0.5 * MS;
  assert.equal(fair.taskTick(a, 0), false);
  assert.equal(fair.pickNext(), b);
});

test("pick_eevdf: once it has a new slice, the running entity runs on only if its deadline is the earliest eligible one", () => {
  /** C (nice -5) at 0 keeps V up; A (lag 2 ms) runs 0.8 ms and gets a new deadline; B waits. */
  const run = (bLagMs: number) => {
    const { eng, fair } = eevdf();
    const a = fairTask("A", 0, 0, "other", 2 * MS);
    const b = fairTask("B", 0, 0, "other", bLagMs * MS);
    for (const t of [fairTask("C", 0, -5), a, b]) fair.enqueue(t, true, false);
    fair.setNext(a);
    eng.now = 0.8 * MS;
    fair.taskTick(a, 0);
    // A: 2 ms * 4145/3121 = 2.656 ms left of 0, past its deadline 0.75 ms later, so it has a
    // new one, 0.75 ms past -1.856 ms; V is still above it (C weighs 3121).
    near(a.se.deadline, (0.8 + 0.75 - (2 * 4145) / 3121) * MS, "A's new deadline");
    return { fair, a, b };
  };
  // B with 1 ms of lag: deadline -1.153 ms, earlier than A's -1.106 ms.
  let { fair, a, b } = run(1);
  assert.ok(b.se.deadline < a.se.deadline);
  assert.equal(fair.pickNext(), b);
  // B with 0.5 ms: deadline -0.53 ms; A's is the earliest.
  ({ fair, a, b } = run(0.5));
  assert.ok(a.se.deadline < b.se.deadline);
  assert.equal(fair.pickNext(), a);
});

test("reweight_entity: a queued group entity's new weight moves V (avg_vruntime's sums follow it)", () => {
  // The group's first task on CPU 1 holds 1024 of its load; on CPU 0 the group entity gets
  // 1024 * 1024/2048 = 512 with one task, then 1024 * 2048/3072 = 682 with a second, while
  // queued left of min_vruntime. V stays the load-weighted mean of the root's entities.
  const g = new TaskGroup("g", 1024);
  const other = eevdf().fair;
  const t1 = fairTask("t1", 0);
  t1.tg = g;
  other.enqueue(t1, true, false);
  const { fair } = eevdf();
  fair.root.minVruntime = 10 * MS;
  const r = fairTask("R", 0);
  const q = fairTask("Q", 0, 0, "other", 1 * MS);
  fair.enqueue(r, true, false);
  fair.enqueue(q, true, false);
  const [t, u] = [fairTask("T", 0), fairTask("U", 0)];
  t.tg = g;
  u.tg = g;
  // The group entity comes back with 1 ms of lag (an entity at V would not move V).
  const gse = fair.rqFor(g).se!;
  gse.vlag = 1 * MS;
  fair.enqueue(t, true, false);
  assert.equal(gse.weight, 512);
  // R at 10 ms, Q at 8 ms (V = 9 ms): the group entity 1 ms * 2560/2048 left of V, at 7.75 ms.
  assert.equal(gse.vruntime, 7.75 * MS);
  fair.enqueue(u, true, false);
  assert.equal(gse.weight, 682);
  // V = ((10 + 8) * 1024 + 7.75 * 682) / 2730 ms.
  const n = fairTask("N", 0);
  fair.enqueue(n, true, false);
  near(n.se.vruntime, ((10 + 8) * 1024 * MS + 7.75 * MS * 682) / 2730, "V");
});

test("check_preempt_wakeup (6.6): the wakee preempts if pick_eevdf() would run it; policies as in 6.5", () => {
  /** A runs 1 ms alone (vruntime 1 ms, deadline renewed to 1.75 ms); `w` wakes. */
  const wake = (w: ReturnType<typeof fairTask>, opts: { curr?: ReturnType<typeof fairTask>; pending?: boolean; off?: boolean } = {}) => {
    const { eng, fair } = fairCpu({ fair: "eevdf" }, 1, { WAKEUP_PREEMPTION: !opts.off });
    const a = opts.curr ?? fairTask("A", 0);
    fair.enqueue(a, true, false);
    fair.setNext(a);
    eng.now = 1 * MS;
    fair.taskTick(a, 0);
    fair.enqueue(w, true, false);
    return { fair, a, w, preempt: fair.checkPreemptCurr(a, w, opts.pending ?? false) };
  };
  // 0.5 ms of lag: W at 1 - 0.5 * 2 = 0 ms, V = 0.5 ms: A is past V, W eligible.
  const yes = wake(fairTask("W", 0, 0, "other", 0.5 * MS));
  assert.equal(yes.w.se.vruntime, 0);
  assert.equal(yes.preempt, true);
  // -0.5 ms: W at 2 ms, V = 1.5 ms: A is eligible with the only eligible deadline.
  assert.equal(wake(fairTask("W", 0, 0, "other", -0.5 * MS)).preempt, false);
  assert.equal(wake(fairTask("W", 0, 0, "other", 0.5 * MS), { pending: true }).preempt, false);
  assert.equal(wake(fairTask("W", 0, 0, "other", 0.5 * MS), { off: true }).preempt, false);
  assert.equal(wake(fairTask("W", 0, 0, "batch", 0.5 * MS)).preempt, false);
  assert.equal(wake(fairTask("W", 0, 0, "idle", 0.5 * MS)).preempt, false);
  // Between two SCHED_IDLE tasks the wakee does not preempt.
  assert.equal(wake(fairTask("W", 0, 0, "idle", 0.5 * MS), { curr: fairTask("I", 0, 0, "idle") }).preempt, false);
  // An idle-policy task is preempted by a normal one, even without WAKEUP_PREEMPTION.
  for (const off of [false, true]) {
    const idle = fairTask("I", 0, 0, "idle");
    assert.equal(wake(fairTask("W", 0, 0, "other", -0.5 * MS), { curr: idle, off }).preempt, true);
  }
  assert.equal(yes.fair.checkPreemptCurr(yes.a, yes.a, false), false);
  // Not when pick_eevdf() would run a third entity: B (queued at 0 beside A, deadline 0.75 ms)
  // is eligible with an earlier deadline than W (placed at V = 0.5 ms, deadline 1.25 ms).
  const { eng, fair } = eevdf();
  const [a, b, w] = [fairTask("A", 0), fairTask("B", 0), fairTask("W", 0)];
  fair.enqueue(a, true, false);
  fair.enqueue(b, true, false);
  fair.setNext(a);
  eng.now = 1 * MS;
  fair.taskTick(a, 0);
  fair.enqueue(w, true, false);
  assert.equal(w.se.deadline, 1.25 * MS);
  assert.equal(fair.checkPreemptCurr(a, w, false), false);
  assert.equal(fair.pickNext(), b);
});

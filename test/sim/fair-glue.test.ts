/**
 * The fair class's shared half (sim-core/sched/fair.ts) on one CPU driven by hand (CFS 6.5 unless
 * a test says EEVDF), against Linux 6.5's kernel/sched/fair.c: entity_before()'s order,
 * rq->cfs_tasks, update_min_vruntime(), the counters enqueue_task_fair()/dequeue_task_fair()
 * keep, the hierarchical pick, the group entity's placement and weight (update_cfs_group(),
 * reweight_entity()), entity_tick(), the load updates of update_curr()'s callers and
 * put_prev_entity(), and the vruntime a migrating task carries (migrate_task_rq_fair()).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { FairClass, TaskGroup } from "../../sim-core/sched/fair";
import { LOAD_AVG_MAX } from "../../sim-core/sched/pelt";
import type { Task } from "../../sim-core/sched/task";
import { fairCpu, fairTask, MS } from "./fair-rq";
import { hog, sleeper, startOn, US, world } from "./world";

/** 32 PELT periods (1024 * 1024 ns each): y^32 = 1/2. */
const HALF_LIFE = 32 * 1024 * 1024;
/** The divider of a runqueue whose period_contrib is 0 (LOAD_AVG_MAX - 1024). */
const DIV0 = LOAD_AVG_MAX - 1024;

const inGroup = (t: Task, g: TaskGroup) => {
  t.tg = g;
  return t;
};

/** rq->cfs_tasks from its head, and from its tail backwards. */
function cfsTasks(fair: FairClass): { fwd: string[]; back: string[] } {
  const fwd: string[] = [];
  const back: string[] = [];
  for (let t = fair.tasksHead; t; t = t.lbNext) fwd.push(t.name);
  for (let t = fair.tasksTail; t; t = t.lbPrev) back.push(t.name);
  return { fwd, back };
}

test("entity_before: equal vruntimes keep their enqueue order (the later one goes right)", () => {
  const { fair } = fairCpu();
  const [a, b, c] = ["A", "B", "C"].map((n) => fairTask(n, 5 * MS));
  for (const t of [b!, a!, c!]) fair.enqueue(t, false, false);
  const order: string[] = [];
  for (let t = fair.pickNext(); t; t = fair.pickNext()) {
    order.push(t.name);
    fair.dequeue(t, false);
  }
  assert.deepEqual(order, ["B", "A", "C"]);
});

test("rq->cfs_tasks: enqueue adds at the head, a pick moves the task to the head, dequeue unlinks it anywhere", () => {
  const { fair } = fairCpu();
  const [a, b, c] = ["A", "B", "C"].map((n) => fairTask(n, 0));
  for (const t of [a!, b!, c!]) fair.enqueue(t, false, false);
  assert.deepEqual(cfsTasks(fair), { fwd: ["C", "B", "A"], back: ["A", "B", "C"] });
  // set_next_task_fair(): list_move() of the picked task.
  fair.setNext(a!);
  assert.deepEqual(cfsTasks(fair), { fwd: ["A", "C", "B"], back: ["B", "C", "A"] });
  // The head picked again stays where it is.
  fair.putPrev(a!);
  fair.setNext(a!);
  assert.deepEqual(cfsTasks(fair), { fwd: ["A", "C", "B"], back: ["B", "C", "A"] });
  fair.dequeue(c!, true);
  assert.deepEqual(cfsTasks(fair), { fwd: ["A", "B"], back: ["B", "A"] });
  fair.dequeue(b!, true);
  assert.deepEqual(cfsTasks(fair), { fwd: ["A"], back: ["A"] });
});

test("update_min_vruntime: the running entity's vruntime if it is left of the leftmost, else the leftmost's; never backwards", () => {
  const { eng, fair } = fairCpu();
  const [a, b] = [fairTask("A", 1 * MS), fairTask("B", 10 * MS)];
  fair.enqueue(a, false, false);
  fair.enqueue(b, false, false);
  fair.setNext(a);
  eng.now = 2 * MS;
  fair.taskTick(a, 0);
  // A ran 2 ms: at 3 ms, left of B.
  assert.equal(a.se.vruntime, 3 * MS);
  assert.equal(fair.root.minVruntime, 3 * MS);
  // A sleeps: nothing runs, the leftmost (B) sets it.
  fair.dequeue(a, true);
  assert.equal(fair.root.minVruntime, 10 * MS);
  // C (queued at 2 ms, not a wakeup: no placement) becomes the leftmost once B leaves.
  const c = fairTask("C", 2 * MS);
  fair.enqueue(c, false, false);
  fair.dequeue(b, true);
  assert.equal(fair.root.minVruntime, 10 * MS);
});

test("nr_running, h_nr_running and idle_nr_running go down with each dequeue, a group's task counted at the root too", () => {
  const { fair } = fairCpu();
  const g = new TaskGroup("g", 1024);
  const [a, i, t] = [fairTask("A", 0), fairTask("I", 0, 0, "idle"), inGroup(fairTask("T", 0), g)];
  for (const x of [a, i, t]) fair.enqueue(x, false, false);
  const counts = () => ({ nr: fair.root.nrRunning, h: fair.nrRunning, idle: fair.root.idleNr, gNr: fair.rqFor(g).nrRunning });
  assert.deepEqual(counts(), { nr: 3, h: 3, idle: 1, gNr: 1 });
  fair.dequeue(i, true);
  assert.deepEqual(counts(), { nr: 2, h: 2, idle: 0, gNr: 1 });
  fair.dequeue(a, true);
  assert.deepEqual(counts(), { nr: 1, h: 1, idle: 0, gNr: 1 });
  fair.dequeue(t, true);
  assert.deepEqual(counts(), { nr: 0, h: 0, idle: 0, gNr: 0 });
});

test("pick_next_task_fair walks down into a group; a group whose last task sleeps leaves its parent", () => {
  const { fair } = fairCpu();
  const g = new TaskGroup("g", 1024);
  const r = fairTask("R", 50 * MS);
  const t = inGroup(fairTask("T", 0), g);
  fair.enqueue(r, false, false);
  fair.enqueue(t, false, false);
  // The group entity (vruntime 0) is left of R.
  assert.equal(fair.pickNext(), t);
  fair.dequeue(t, true);
  const gse = fair.rqFor(g).se!;
  assert.equal(gse.onRq, false);
  assert.equal(fair.root.nrRunning, 1);
  assert.equal(fair.pickNext(), r);
});

test("place_entity(): a task's first enqueue is the new task's (START_DEBIT), its later wake-ups get the sleeper credit", () => {
  const { fair } = fairCpu();
  fair.enqueue(fairTask("R", 100 * MS), false, false);
  const n = fairTask("N", 0);
  n.newTask = true;
  fair.enqueue(n, true, false);
  // Two nice-0 tasks: a slice of 3 ms past min_vruntime (0).
  assert.equal(n.se.vruntime, 3 * MS);
  fair.dequeue(n, true);
  // min_vruntime is R's now; the wake-up places N half a latency (3 ms) behind it.
  assert.equal(fair.root.minVruntime, 100 * MS);
  fair.enqueue(n, true, false);
  assert.equal(n.se.vruntime, 97 * MS);
});

test("enqueue_task_fair(): a group entity that went idle comes back with the sleeper placement even if its task does not wake", () => {
  const { fair } = fairCpu();
  const x = fairTask("X", 100 * MS);
  fair.enqueue(fairTask("R", 100 * MS), false, false);
  fair.enqueue(x, false, false);
  fair.dequeue(x, true);
  assert.equal(fair.root.minVruntime, 100 * MS);
  const g = new TaskGroup("g", 1024);
  // A migrated task (no ENQUEUE_WAKEUP): its group entity, at vruntime 0, still gets
  // max(0, min_vruntime - 3 ms).
  fair.enqueue(inGroup(fairTask("T", 0), g), false, false);
  assert.equal(fair.rqFor(g).se!.vruntime, 97 * MS);
});

test("update_cfs_group(): the group entity's weight is its CPU's share of the group's load; reweight_entity() moves the load sums with it", () => {
  const g = new TaskGroup("g", 1024);
  // CPU 1: B of the group, attached first: tg->load_avg 1024.
  const cpu1 = fairCpu();
  const b = inGroup(fairTask("B", 0), g);
  cpu1.fair.enqueue(b, false, false);
  assert.equal(g.loadAvg, 1024);
  // CPU 0: R at the root, then A of the group: 1024 * 1024 / (2048 - 1024 + 1024) = 512.
  const cpu0 = fairCpu();
  const f0 = cpu0.fair;
  f0.enqueue(fairTask("R", 0), false, false);
  const a = inGroup(fairTask("A", 0), g);
  f0.enqueue(a, false, false);
  const gse0 = f0.rqFor(g).se!;
  assert.equal(gse0.weight, 512);
  assert.equal(f0.root.load, 1024 + 512);
  // The entity attached at its first weight (1024: a full load_sum of DIV0), then reweighted:
  // load_avg = 512 * load_sum / divider; the root's sums lose 1024's and gain 512's.
  assert.equal(gse0.avg.loadSum, DIV0);
  assert.equal(gse0.avg.loadAvg, 512);
  assert.equal(f0.root.avg.loadAvg, 1024 + 512);
  assert.equal(f0.root.avg.loadSum, (1024 + 512) * DIV0);

  // A second task on CPU 1 while its group entity is queued: 1024 * 2048 / 3072 = 682, and the
  // root's load.weight follows.
  cpu1.fair.enqueue(inGroup(fairTask("C", 0), g), false, false);
  assert.equal(g.loadAvg, 3072);
  assert.equal(cpu1.fair.rqFor(g).se!.weight, 682);
  assert.equal(cpu1.fair.root.load, 682);

  // CPU 0 learns at its next tick (entity_tick() -> update_cfs_group()): 1024 * ~1024 / ~3072.
  f0.setNext(a);
  cpu0.eng.now = 4 * MS;
  f0.taskTick(a, 0);
  assert.ok(gse0.weight >= 340 && gse0.weight <= 341, `CPU 0's share after the tick: ${gse0.weight}`);
  assert.equal(f0.root.load, 1024 + gse0.weight);
});

test("reweight_entity() (6.6): the running group entity is outside avg_vruntime's sums, so its new weight leaves them alone", () => {
  const g = new TaskGroup("g", 1024);
  const other = fairCpu({ fair: "eevdf" }).fair;
  other.enqueue(inGroup(fairTask("O", 0), g), true, false);
  const { fair } = fairCpu({ fair: "eevdf" });
  const b = inGroup(fairTask("B", 0), g);
  fair.enqueue(b, true, false);
  fair.setNext(b);
  const gse = fair.rqFor(g).se!;
  assert.equal(fair.root.curr, gse);
  const before = { avg: fair.root.avgVruntime, load: fair.root.avgLoad };
  // A second task: the group's share here goes from 512 to 1024 * 2048 / 3072 = 682.
  fair.enqueue(inGroup(fairTask("C", 0), g), true, false);
  assert.equal(gse.weight, 682);
  assert.deepEqual({ avg: fair.root.avgVruntime, load: fair.root.avgLoad }, before);
});

test("update_load_avg(): the running entity accrues util, a waiting one decays; the runqueue is running only while it has a curr", () => {
  const { eng, fair } = fairCpu();
  const [a, b] = [fairTask("A", 0), fairTask("B", 0)];
  fair.enqueue(a, false, false);
  fair.enqueue(b, false, false);
  // post_init_entity_util_avg(): A 512 (half of an idle CPU), B min(256, 511) = 256.
  assert.deepEqual([a.se.avg.utilAvg, b.se.avg.utilAvg, fair.root.avg.utilAvg], [512, 256, 768]);
  fair.setNext(a);
  eng.now = HALF_LIFE;
  fair.taskTick(a, 0);
  fair.dequeue(b, true);
  // Over 32 periods the old util halves and running adds about half of 1024: A ~768, the
  // runqueue ~896; B (waiting) only halves, to ~128.
  const [ua, ub, ur] = [a.se.avg.utilAvg, b.se.avg.utilAvg, fair.root.avg.utilAvg];
  assert.ok(ua > 740 && ua < 780, `A ${ua}`);
  assert.ok(ub >= 126 && ub <= 128, `B ${ub}`);
  assert.ok(ur > 870 && ur < 910, `rq ${ur}`);
  // B wakes on the CPU it slept on: its load is still attached, DO_ATTACH adds nothing.
  const load = fair.root.avg.loadAvg;
  fair.enqueue(b, true, false);
  assert.equal(fair.root.avg.loadAvg, load);
  // Nothing of this class runs (an RT task took the CPU): A and B wait, the util halves.
  fair.putPrev(a);
  eng.now = 2 * HALF_LIFE;
  fair.syncLoad();
  const ur2 = fair.root.avg.utilAvg;
  assert.ok(Math.abs(ur2 - ur / 2) <= 2, `rq ${ur2} after ${ur}`);
});

test("update_blocked_averages(): blocked load, util and runnable decay at syncLoad(), a group entity's too", () => {
  const { eng, fair } = fairCpu();
  const g = new TaskGroup("g", 1024);
  const [a, t] = [fairTask("A", 0), inGroup(fairTask("T", 0), g)];
  fair.enqueue(a, false, false);
  fair.enqueue(t, false, false);
  fair.dequeue(a, true);
  fair.dequeue(t, true);
  const gse = fair.rqFor(g).se!;
  const was = { load: fair.loadAvg, runnable: fair.runnableAvg, util: fair.utilAvg, gse: gse.avg.loadAvg };
  assert.deepEqual(was, { load: 2048, runnable: 512 + 256, util: 512 + 256, gse: 1024 });
  eng.now = HALF_LIFE;
  fair.syncLoad();
  const now = { load: fair.loadAvg, runnable: fair.runnableAvg, util: fair.utilAvg, gse: gse.avg.loadAvg };
  for (const k of ["load", "runnable", "util", "gse"] as const) {
    assert.ok(Math.abs(now[k] - was[k] / 2) <= 2, `${k}: ${now[k]} of ${was[k]}`);
  }
});

test("entity_tick() updates the group's load (UPDATE_TG); put_prev_entity() does not", () => {
  const { eng, fair } = fairCpu();
  const g = new TaskGroup("g", 1024);
  const [a, b] = [inGroup(fairTask("A", 0), g), inGroup(fairTask("B", 0), g)];
  fair.enqueue(a, false, false);
  fair.enqueue(b, false, false);
  assert.equal(g.loadAvg, 2048);
  fair.setNext(a);
  // B blocks: its load stays in the group's runqueue and decays.
  fair.dequeue(b, true);
  const grq = fair.rqFor(g);
  eng.now = 2 * HALF_LIFE;
  fair.taskTick(a, 0);
  // A ~1024 and B's quarter: ~1280, reported to the group.
  assert.ok(grq.avg.loadAvg > 1200 && grq.avg.loadAvg < 1350, `group rq ${grq.avg.loadAvg}`);
  assert.equal(g.loadAvg, grq.avg.loadAvg);
  const reported = g.loadAvg;
  eng.now = 3 * HALF_LIFE;
  fair.putPrev(a);
  assert.ok(reported - grq.avg.loadAvg > reported / 64, "the runqueue's load moved past the filter");
  assert.equal(g.loadAvg, reported);
});

test("load tracking across classes and CPUs: aged over the time in another class, attached as it left after a migration", () => {
  // sched_setscheduler() to RT and back 32 periods later (detach_entity_cfs_rq(), then
  // attach_entity_cfs_rq() with ATTACH_AGE_LOAD): the load halves.
  let { eng, fair } = fairCpu();
  const a = fairTask("A", 0);
  fair.enqueue(a, false, false);
  fair.dequeue(a, false);
  fair.switchedFrom(a);
  eng.now = HALF_LIFE;
  fair.switchedTo(a);
  assert.ok(Math.abs(a.se.avg.loadAvg - 512) <= 1, `aged ${a.se.avg.loadAvg}`);

  // A task queued on one CPU's wake list is enqueued later: its load, detached by
  // migrate_task_rq_fair() at set_task_cpu(), is attached as it was (last_update_time = 0).
  // K stays behind (so the CPU has load that M could be given a share of).
  ({ eng, fair } = fairCpu());
  const m = fairTask("M", 0);
  fair.enqueue(fairTask("K", 0), false, false);
  fair.enqueue(m, false, false);
  fair.dequeue(m, true);
  fair.migrateOut(m);
  assert.equal(fair.root.avg.loadAvg, 1024, "K's alone");
  assert.equal(fair.taskHLoad(m), 0, "M's load is no longer this CPU's");
  const dst = fairCpu();
  dst.eng.now = HALF_LIFE;
  dst.fair.enqueue(m, true, false);
  assert.equal(m.se.avg.loadAvg, 1024);
  assert.equal(dst.fair.root.avg.loadAvg, 1024);
  // task_h_load() of a root task: 1024 * 1024 / 1025.
  assert.equal(dst.fair.taskHLoad(m), 1023);
});

test("migrate_task_rq_fair() (6.5): a migrating task keeps its vruntime relative to min_vruntime", () => {
  const { fair: f0 } = fairCpu();
  const { fair: f1 } = fairCpu();
  f0.root.minVruntime = 10 * MS;
  f1.root.minVruntime = 50 * MS;
  const t = fairTask("T", 12 * MS);
  FairClass.renormalize(t, f0.root, f1.root);
  assert.equal(t.se.vruntime, 52 * MS);
});

test("update_curr() from the runqueue's accounting charges the running fair task (sum_exec_runtime, vruntime)", () => {
  const w = world(1);
  const h = hog("h");
  startOn(w, 0, h);
  // Between ticks (HZ 250: 8 ms and 12 ms).
  w.runTo(10.3 * MS);
  const v = h.se.vruntime;
  w.host.cpus[0]!.accountCurr();
  assert.equal(h.se.sumExec, h.runtimeNs);
  assert.ok(h.se.vruntime > v);
});

test("check_preempt_wakeup() through the runqueue: a wakee with the sleeper credit preempts a running hog at once", () => {
  // The hog's vruntime is ~10 ms at the wake-up; the sleeper is placed 3 ms behind
  // min_vruntime, more than wakeup_granularity (1 ms) ahead of it.
  const w = world(1);
  startOn(w, 0, hog("h"));
  const s = sleeper("s", 100 * US);
  w.host.addTask(s, 0, undefined);
  w.eng.at(10 * MS, () => w.host.wakeTask(s));
  w.runTo(20 * MS);
  assert.ok(s.runtimeNs > 0);
  assert.ok(s.runDelayNs < 50 * US, `waited ${s.runDelayNs} ns`);
});

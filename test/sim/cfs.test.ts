/**
 * CFS as in Linux 6.5: known answers for the slice (BASE_SLICE floor, the sched_latency cap of
 * check_preempt_tick), the buddies and START_DEBIT. Slices are checked on whole runs through the
 * timeline; buddies on one runqueue set up by hand, where the kernel's rule gives an exact answer.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { cpuCosts } from "../../sim-core/costs";
import { Engine } from "../../sim-core/engine";
import { simulate, type Scenario } from "../../sim-core/index";
import { resolveSched, SCHED_FEATURES_6_5, type SchedFeatures } from "../../sim-core/params";
import { Cpu } from "../../sim-core/sched/cpu";
import { Task } from "../../sim-core/sched/task";
import { trackSegments } from "../../sim-core/timeline-read";

const MS = 1_000_000;

/** Lengths (ms) of the timeline segments of thread `name` on CPU 0, first and last dropped. */
function runLengths(s: Scenario, name: string): number[] {
  const r = simulate({ ...s, timeline: { enabled: true, max_segments: 100_000 } }, "vanilla");
  const tl = r.timeline!;
  const cpu0 = tl.tracks.findIndex((t) => t.kind === "cpu" && t.cpu === 0);
  const segs = trackSegments(tl, cpu0).filter((g) => g.thread === name);
  return segs.slice(1, -1).map((g) => (g.end_ns - g.start_ns) / MS);
}

test("BASE_SLICE: a nice-19 hog beside a nice-0 hog runs min_granularity, not its 0.35 ms share of the period", () => {
  // 1 CPU, HZ=1000, sched_latency 24 ms and min_granularity 3 ms (the 8-CPU values): the nice-19
  // task's slice is 24 ms * 15/1039 = 0.35 ms, floored at 3 ms. Once it has run min_granularity,
  // check_preempt_tick() finds it far right of the nice-0 task and preempts: at the third tick.
  // Without the floor the first tick (1 ms) would.
  const s: Scenario = {
    name: "floor",
    duration_s: 3,
    host: {
      cpus: 1,
      // Constant costs, no softirq/kworker noise: the known answer is exact to the tick (a
      // drawn tick cost can leave the runtime a hair under 3 ms at the third tick).
      cost_model: "constant",
      noise: false,
      sched: { hz: 1000, sched_latency_ns: 24 * MS, min_granularity_ns: 3 * MS, tunable_scaling: "none" },
      workloads: [
        { kind: "stress", workers: 1, id: "a" },
        { kind: "stress", workers: 1, id: "b", nice: 19 },
      ],
    },
  };
  const b = runLengths(s, "b.0");
  assert.ok(b.length >= 5, `b ran ${b.length} times`);
  for (const len of b) assert.ok(len > 2.9 && len < 3.1, `b ran ${len} ms at a time`);
});

test("check_preempt_tick caps the slice at sched_latency: 30 light tasks do not stretch two nice-0 hogs' turns", () => {
  // 32 runnable tasks stretch the period to 32 * 0.75 = 24 ms; a nice-0 hog's share of it is
  // 24 * 1024/2498 = 9.8 ms, but 6.5 caps the ideal runtime at sched_latency (6 ms): the tick
  // preempts it at 7 ms (the first tick with more than 6 ms run) for the other hog, not at 10 ms.
  const s: Scenario = {
    name: "cap",
    duration_s: 3,
    host: {
      cpus: 1,
      sched: { hz: 1000 },
      workloads: [
        { kind: "stress", workers: 2, id: "heavy" },
        { kind: "stress", workers: 30, id: "light", nice: 19 },
      ],
    },
  };
  const h = runLengths(s, "heavy.0");
  assert.ok(h.length >= 20, `heavy ran ${h.length} times`);
  const longest = Math.max(...h);
  assert.ok(longest < 7.1, `heavy ran up to ${longest} ms at a time`);
  assert.ok(h.filter((len) => len > 6.9).length > h.length / 2, `turns ${h.slice(0, 10).join(", ")} ms`);
});

// ---- buddies, on one runqueue -----------------------------------------------------------------

/** A 1-CPU runqueue (6.5 defaults, 1 CPU: latency 6 ms, wakeup granularity 1 ms). */
function rq(features: Partial<SchedFeatures> = {}) {
  const eng = new Engine();
  const tun = resolveSched({ hz: 1000 }, 1);
  tun.features = { ...tun.features, ...features };
  const cpu = new Cpu(eng, 0, "cpu0", tun, true, cpuCosts(null, tun.ctxSwitchNs, tun.tickCostNs, 1));
  const hog = (name: string, vruntimeMs: number): Task => {
    const t = new Task(name, { burstEnd: (x) => (x.remaining = Infinity) });
    t.newTask = false;
    t.se.vruntime = vruntimeMs * MS;
    return t;
  };
  /** Queues `n` waiting hogs L0.. at vruntime 10, 10.1, ... ms and runs `curr` (vruntime given). */
  const setup = (n: number, currMs: number) => {
    const waiting = Array.from({ length: n }, (_, i) => hog(`L${i}`, 10 + i * 0.1));
    for (const t of waiting) cpu.fair.enqueue(t, false, false);
    const curr = hog("A", currMs);
    cpu.fair.enqueue(curr, false, false);
    cpu.fair.setNext(curr);
    return { curr, leftmost: waiting[0]! };
  };
  return { cpu, hog, setup };
}

test("NEXT_BUDDY is off in 6.5; switched on, a wakee that just missed preemption runs next", () => {
  assert.equal(SCHED_FEATURES_6_5.NEXT_BUDDY, false, "features.h: SCHED_FEAT(NEXT_BUDDY, false)");
  for (const on of [false, true]) {
    const { cpu, hog, setup } = rq({ NEXT_BUDDY: on });
    // 8 waiting + the running one: nr_running >= sched_nr_latency, so buddies apply.
    const { curr, leftmost } = setup(8, 10.5);
    const w = hog("W", 10.2);
    cpu.fair.enqueue(w, true, false);
    // 0.3 ms behind the running task, inside the 1 ms wakeup granularity: no preemption.
    assert.equal(cpu.fair.checkPreemptCurr(curr, w, false), false);
    // 0.2 ms behind the leftmost is fair enough for a buddy.
    assert.equal(cpu.fair.pickNext(), on ? w : leftmost, on ? "the next buddy" : "the leftmost");
  }
});

test("a wakee that preempts becomes the next buddy and the preempted task the last buddy (LAST_BUDDY, on in 6.5)", () => {
  for (const last of [true, false]) {
    const { cpu, hog, setup } = rq({ LAST_BUDDY: last });
    const { curr, leftmost } = setup(8, 10.5);
    const w = hog("W", 8); // 2.5 ms behind: preempts
    cpu.fair.enqueue(w, true, false);
    assert.equal(cpu.fair.checkPreemptCurr(curr, w, false), true);
    assert.equal(cpu.fair.root.next, w.se, "next buddy: the wakee");
    assert.equal(cpu.fair.root.last, last ? curr.se : null);
    // The wakee runs (which clears it as a buddy), then sleeps.
    cpu.fair.putPrev(curr);
    cpu.fair.setNext(w);
    assert.equal(cpu.fair.root.next, null);
    cpu.fair.dequeue(w, true);
    cpu.fair.putPrev(w);
    // The preempted task is 0.5 ms right of the leftmost: within the granularity, it runs again.
    assert.equal(cpu.fair.pickNext(), last ? curr : leftmost);
  }
});

test("START_DEBIT: a new task starts a vslice to the right of min_vruntime", () => {
  const { cpu, setup } = rq();
  setup(1, 12);
  const before = cpu.fair.root.minVruntime;
  const n = new Task("new", { burstEnd: () => {} });
  cpu.fair.enqueue(n, true, false);
  // sched_vslice() of a nice-0 task joining 2 nice-0 tasks: 6 ms * 1024/3072 = 2 ms.
  assert.equal(n.se.vruntime - before, 2 * MS);
});

/**
 * The latency tracer (sim-core/why.ts) at its edges, on the hand-built worlds of
 * why-tracer.test.ts (test/sim/why-traced.ts): what it follows and what it leaves alone, the
 * samples it counts (the warm-up's end, parts that do not sum, a sample under 1 us), a host CPU's
 * idle exit, device interrupts that find the thread busy or queue up, and which sample each
 * histogram bin keeps. The vCPU's states and the fair pick's lead are in why-tracer-kvm.test.ts.
 * Expected values come from the construction: constant costs at their medians (HRTIMER, SWITCH),
 * blockers of known work.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MS, US, type World } from "./world";
import { burst, HRTIMER, hostTimer, result, SWITCH, type Traced, traced, worst, zeroParts } from "./why-traced";
import { LatencyTracer } from "../../sim-core/why";
import { histBin, Probe } from "../../sim-core/metrics";
import { chainText } from "../../sim-core/why-labels";
import { CpuIdle } from "../../sim-core/sched/cpuidle";
import { Task } from "../../sim-core/sched/task";
import { Engine } from "../../sim-core/engine";
import { Host } from "../../sim-core/host";
import { Streams } from "../../sim-core/rng";

const T = 2 * MS;

/** A host thread, not a probe thread of the tracer, whose samples go to the probe. */
function unwatched(x: Traced, at: number): Task {
  const { w, probe } = x;
  const t = new Task("other-ct", { burstEnd: (me) => me.cpu!.sleepCurr() }, "fifo", 50);
  t.onWakeLatency = (lat, now) => probe.record(lat, now);
  t.newTask = false;
  w.host.addTask(t, 0, undefined);
  x.tr.arm(t, at);
  w.host.hrtimer(t, at, () => {
    t.wakeTarget = at;
    t.remaining = 10 * US;
    w.host.wakeTask(t);
  });
  return t;
}

test("a thread the tracer does not follow: arm and deviceIrq leave it alone, its sample is unexplained", () => {
  const x = traced(1);
  const t = unwatched(x, T);
  const fn = () => {};
  assert.equal(x.tr.deviceIrq(t, fn), fn);
  x.w.runTo(3 * MS);
  assert.equal(x.probe.result().latency.count, 1);
  assert.deepEqual(result(x), { parts_ns: zeroParts, samples: 0, unexplained: 1 });
});

test("watchTask: a thread without onWakeLatency is not a probe thread; watching one twice follows it once", () => {
  const x = traced(1);
  const silent = new Task("silent", { burstEnd: () => {} }, "fifo", 50);
  x.tr.watchTask(silent, "host");
  assert.equal(silent.onWakeLatency, null);
  const t = hostTimer(x, [T]);
  x.tr.watchTask(t, "host");
  x.w.runTo(3 * MS);
  const r = result(x);
  assert.equal(r.samples, 1);
  assert.equal(r.unexplained, 0);
  assert.equal(r.worst!.latency_ns, HRTIMER + SWITCH);
});

test("a sample taken exactly at the probe's warm-up end counts, as the probe keeps it", () => {
  // The sample runs at T + HRTIMER + SWITCH; the probe drops only samples before fromNs.
  const x = traced(1, 0, false, T + HRTIMER + SWITCH);
  hostTimer(x, [T]);
  x.w.runTo(3 * MS);
  assert.equal(x.probe.result().latency.count, 1);
  assert.equal(result(x).samples, 1);
});

test("a tracer without keepTail reports no tail; with it, a probe without samples has an empty tail and no worst", () => {
  const plain = new LatencyTracer(traced(1).w.eng, "cfs");
  const p0 = new Probe("p", "host", "cyclictest", undefined, 0);
  plain.watchProbe(p0);
  assert.deepEqual(plain.result(0, p0.result().latency.histogram), { parts_ns: zeroParts, samples: 0, unexplained: 0 });
  const x = traced(1, 0, true);
  x.w.runTo(1 * MS);
  assert.deepEqual(result(x), { parts_ns: zeroParts, samples: 0, unexplained: 0, tail: [] });
});

test("a sample on host CPU 1 names CPU 1 in its steps and where it ran", () => {
  const x = traced(2);
  hostTimer(x, [T], { cpu: 1 });
  x.w.runTo(3 * MS);
  assert.equal(
    chainText(worst(x).chain),
    "timer expired at 0.002000 s → interrupt work on CPU 1 → context switch to ct on CPU 1 at +1.5 us → ran at +2.7 us (CPU 1)",
  );
});

test("a fair thread behind a FIFO thread: no lead, the fair pick does not decide between them", () => {
  const x = traced(1);
  burst(x.w, "blocker", T - 10 * US, 100 * US);
  hostTimer(x, [T], { policy: "other", prio: 0 });
  x.w.runTo(3 * MS);
  assert.equal(
    chainText(worst(x).chain),
    "timer expired at 0.002000 s → interrupt work on CPU 0 → ct runnable on CPU 0, behind blocker (FIFO 60) at +1.5 us → context switch to ct on CPU 0 at +92.7 us → ran at +93.9 us (CPU 0)",
  );
});

test("a host CPU in an idle state first pays its exit latency (host IRQ, named as such), then the hrtimer interrupt", () => {
  const x = traced(1);
  // One state, always chosen (no residency to predict, no PM QoS limit); constant costs: its
  // exit is half the declared worst case, 5 us.
  x.w.host.cpus[0]!.idle = new CpuIdle([{ name: "C1", exit_latency_us: 10, target_residency_us: 0 }], () => Number.POSITIVE_INFINITY, null);
  // Something runs at 1 ms so that the CPU enters the state when it goes idle again.
  burst(x.w, "b", 1 * MS, 10 * US);
  hostTimer(x, [T]);
  x.w.runTo(3 * MS);
  const w = worst(x);
  assert.deepEqual(w.parts_ns, { ...zeroParts, host_irq: 5 * US + HRTIMER, context_switch: SWITCH });
  assert.equal(
    chainText(w.chain),
    "timer expired at 0.002000 s → CPU 0 leaving its idle state (cpuidle exit latency) → interrupt work on CPU 0 at +5.0 us → context switch to ct on CPU 0 at +6.5 us → ran at +7.7 us (CPU 0)",
  );
});

test("parts that do not sum to the latency (the engine reported no instant to integrate): unexplained, not a sample", () => {
  const x = traced(1);
  x.w.eng.onAdvance = null;
  hostTimer(x, [T]);
  x.w.runTo(3 * MS);
  assert.equal(x.probe.result().latency.count, 1);
  assert.deepEqual(result(x), { parts_ns: zeroParts, samples: 0, unexplained: 1 });
});

test("a sample under 1 us (costs scaled by 0.25) sums exactly and is explained", () => {
  const eng = new Engine();
  const host = new Host(eng, { cpus: 1, cost_model: "constant", noise: false, cost_scale: 0.25 }, new Streams(1));
  host.start(3600 * 1e9);
  const w: World = { eng, host, guest: null, vcpus: [], runTo: (t) => void eng.run(t, Number.MAX_SAFE_INTEGER) };
  const tr = new LatencyTracer(eng, "cfs");
  const probe = new Probe("p", "host", "cyclictest", undefined, 0);
  tr.watchProbe(probe);
  hostTimer({ w, tr, probe }, [T]);
  w.runTo(3 * MS);
  const parts = { ...zeroParts, host_irq: HRTIMER / 4, context_switch: SWITCH / 4 };
  assert.deepEqual(tr.result(0), {
    parts_ns: parts,
    samples: 1,
    unexplained: 0,
    worst: {
      wake_ns: T,
      run_ns: T + (HRTIMER + SWITCH) / 4,
      latency_ns: (HRTIMER + SWITCH) / 4,
      parts_ns: parts,
      chain: [
        { t_ns: T, part: "host_irq", text: "timer expired at 0.002000 s" },
        { t_ns: T, part: "host_irq", text: "interrupt work on CPU 0" },
        { t_ns: T + HRTIMER / 4, part: "context_switch", text: "context switch to ct on CPU 0 at +375 ns" },
        { t_ns: T + (HRTIMER + SWITCH) / 4, part: "ran", text: "ran at +675 ns (CPU 0)" },
      ],
    },
  });
});

/**
 * A FIFO 50 host thread on CPU 0 woken by device interrupts, as workloads/audio.ts: `period(at)`
 * raises an interrupt (HRTIMER of handler) at `at` whose handler wakes the thread for `work`
 * unless it is still busy.
 */
function irqThread(x: Traced, work: number) {
  const { w, tr, probe } = x;
  let running = false;
  const t = new Task(
    "audio",
    {
      burstEnd: (me) => {
        running = false;
        me.cpu!.sleepCurr();
      },
    },
    "fifo",
    50,
  );
  t.onWakeLatency = (lat, now) => probe.record(lat, now);
  tr.watchTask(t, "host");
  t.newTask = false;
  w.host.addTask(t, 0, undefined);
  return (at: number) =>
    w.eng.at(at, () =>
      w.host.cpus[0]!.raiseIrq(
        HRTIMER,
        tr.deviceIrq(t, () => {
          if (running) return;
          running = true;
          t.wakeTarget = at;
          t.remaining = work;
          w.host.wakeTask(t);
        }),
      ),
    );
}

test("device interrupts that find the thread busy: no sample counts from them, and the next free period's does", () => {
  const x = traced(1);
  const { w, probe } = x;
  const period = irqThread(x, 300 * US);
  // 2.0 ms wakes it for 300 us; 2.1 ms finds it busy; 2.5 ms wakes it again.
  period(2 * MS);
  period(2.1 * MS);
  period(2.5 * MS);
  w.runTo(3 * MS);
  assert.equal(probe.result().latency.count, 2);
  const r = result(x);
  assert.equal(r.samples, 2);
  assert.equal(r.unexplained, 0);
  assert.deepEqual(r.parts_ns, { ...zeroParts, host_irq: 2 * HRTIMER, context_switch: 2 * SWITCH });
});

test("device interrupts queued behind each other: the sample counts from the first, which woke the thread", () => {
  const x = traced(1);
  const period = irqThread(x, 10 * US);
  // The second period's interrupt comes 1 us after the first, whose handler (1.5 us) is still running.
  period(T);
  period(T + 1 * US);
  x.w.runTo(3 * MS);
  const r = result(x);
  assert.equal(r.samples, 1);
  assert.equal(r.unexplained, 0);
  // Both handlers run before the thread: 2 x HRTIMER of interrupt work from T, then the switch.
  assert.deepEqual(r.worst!.parts_ns, { ...zeroParts, host_irq: 2 * HRTIMER, context_switch: SWITCH });
  assert.equal(r.worst!.wake_ns, T);
});

/**
 * Two samples behind FIFO blockers of `works` (woken 10 us before each expiry, as in
 * why-tracer.test.ts): each latency is work - 10 us + HRTIMER + 2 x SWITCH.
 */
function twoInOneBin(works: [number, number]) {
  const x = traced(1, 0, true);
  const times = [2 * MS, 3 * MS];
  hostTimer(x, times);
  works.forEach((work, k) => {
    burst(x.w, `b${k}`, times[k]! - 10 * US, work);
  });
  x.w.runTo(4 * MS);
  const lat = works.map((work) => work - 10 * US + HRTIMER + 2 * SWITCH);
  // Both in the bin [100, 126) us: the tail (from the 90th percentile's rank, the second sample) is that bin.
  assert.equal(histBin(lat[0]!), histBin(lat[1]!));
  const r = result(x);
  assert.deepEqual(
    r.tail!.map((s) => [s.bin, s.wake_ns, s.latency_ns]),
    [[histBin(lat[0]!), ...pick(times, lat)]],
  );
  return r;
}

/** The sample a bin keeps: the first of the largest. */
function pick(times: number[], lat: number[]): [number, number] {
  return lat[1]! > lat[0]! ? [times[1]!, lat[1]!] : [times[0]!, lat[0]!];
}

test("each histogram bin keeps its worst sample: a larger one replaces it, a smaller or equal one does not", () => {
  twoInOneBin([115 * US, 120 * US]);
  twoInOneBin([120 * US, 115 * US]);
  const eq = twoInOneBin([120 * US, 120 * US]);
  assert.equal(eq.tail![0]!.wake_ns, 2 * MS);
});

test("a kept chain has the steps of its own sample, not those left from a longer earlier one", () => {
  const x = traced(1);
  // At 2 ms: behind b1, then b2 (higher) preempts b1, then b1 again: five steps.
  burst(x.w, "b1", T - 10 * US, 20 * US);
  burst(x.w, "b2", T + 5 * US, 10 * US, 70);
  // At 3 ms: behind one 300 us blocker, three steps, the worst.
  burst(x.w, "b3", 3 * MS - 10 * US, 300 * US);
  hostTimer(x, [T, 3 * MS]);
  x.w.runTo(4 * MS);
  const w = worst(x);
  assert.equal(w.wake_ns, 3 * MS);
  assert.equal(
    chainText(w.chain),
    "timer expired at 0.003000 s → interrupt work on CPU 0 → ct runnable on CPU 0, behind b3 (FIFO 60) at +1.5 us → context switch to ct on CPU 0 at +292.7 us → ran at +293.9 us (CPU 0)",
  );
});

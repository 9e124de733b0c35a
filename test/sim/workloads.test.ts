/**
 * The other workloads (sim-core/workloads/) on the stand-in kernel of workloads-kernel.ts: each
 * one's threads, their sleeps, wake-ups, bursts and probe samples, worked by hand from what the
 * tool it models does. The audio thread gets one callback per buffer period from the period
 * interrupt, due at the next period boundary; late callbacks are glitches and queue up.
 * Periodic and bursty threads, stress-ng hogs and spinners follow their scenario fields.
 * cyclictest has its own file, workloads-cyclictest.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Engine } from "../../sim-core/engine";
import type { AudioWorkload, Dist, PeriodicWorkload } from "../../sim-core/scenario";
import { spawnAudio } from "../../sim-core/workloads/audio";
import { spawnBursty } from "../../sim-core/workloads/bursty";
import { spawnWorkload } from "../../sim-core/workloads/index";
import type { Kernel } from "../../sim-core/workloads/kernel";
import { spawnPeriodic } from "../../sim-core/workloads/periodic";
import { spawnSpin } from "../../sim-core/workloads/spin";
import { spawnStress } from "../../sim-core/workloads/stress";
import { type Fake, MS, US, fake, latency, stream } from "./workloads-kernel";

// ---- audio ------------------------------------------------------------------------------

/** An audio thread on the stand-in kernel whose run ends `untilAfterPhase` ns after its first period starts. */
function audio(w: Partial<AudioWorkload>, untilAfterPhase: number, delayNs = 0): { f: Fake; phase: number; period: number } {
  const f = fake({ delayNs });
  const aw: AudioWorkload = { kind: "audio", buffer_frames: 48, ...w };
  const period = Math.round((aw.buffer_frames / (aw.sample_rate_hz ?? 48000)) * 1e9);
  const phase = Math.floor(stream("au").float() * period);
  spawnAudio(f.k, aw, "au", phase + untilAfterPhase);
  return { f, phase, period };
}

test("audio: one period interrupt per buffer (frames / rate, 48 kHz by default) from a random phase, up to the run's end", () => {
  const a = audio({ buffer_frames: 480 }, 45 * MS);
  a.f.runTo(60 * MS);
  assert.equal(a.period, 10 * MS);
  const irqs = a.f.calls("irq", "au");
  assert.deepEqual(
    irqs.map(([at]) => at),
    [0, 1, 2, 3, 4].map((n) => a.phase + n * 10 * MS),
  );
  // The handler's estimated 3 us.
  assert.ok(irqs.every(([, h]) => h === 3 * US));
  const b = audio({ buffer_frames: 256, sample_rate_hz: 44100 }, 15 * MS);
  b.f.runTo(30 * MS);
  // 256 / 44100 s = 5804988.66 ns.
  assert.equal(b.period, 5_804_989);
  assert.deepEqual(
    b.f.calls("irq").map(([at]) => at - b.phase),
    [0, 1, 2].map((n) => n * 5_804_989),
  );
  // The last period that starts on the run's end still gets its interrupt; one that starts after it does not.
  const on = audio({}, 4 * MS);
  on.f.runTo(10 * MS);
  assert.equal(on.f.calls("irq").length, 5);
  const before = audio({}, 4 * MS - 1);
  before.f.runTo(10 * MS);
  assert.equal(before.f.calls("irq").length, 4);
});

test("audio: the thread is SCHED_FIFO 2 unless the scenario sets a policy (then its priority, 0 by default)", () => {
  const as = (w: Partial<AudioWorkload>) => {
    const a = audio(w, 0);
    assert.equal(a.f.spawned[0]!.name, "au");
    return a.f.spawnedAs[0];
  };
  assert.equal(as({}), "fifo/2/0");
  assert.equal(as({ priority: 30 }), "fifo/2/0");
  assert.equal(as({ policy: "rr" }), "rr/0/0");
  assert.equal(as({ policy: "fifo", priority: 30, nice: 3 }), "fifo/30/3");
  const a = audio({ cpu: 2, cgroup: "snd" }, 0);
  assert.deepEqual(a.f.calls("spawn"), [[0, 2]]);
  assert.deepEqual(a.f.cgroups, ["snd"]);
  assert.deepEqual([a.f.probes[0]!.id, a.f.probes[0]!.kind], ["au", "audio"]);
});

test("audio: a callback is due at the next period boundary; finishing on it is in time, 1 ns later is a glitch", () => {
  // 1 ms periods, 400 us of work (the default), the handler's 3 us: the thread starts 597 us late at most.
  for (const [delayUs, glitches] of [
    [0, 0],
    [597, 0],
    [598, 3],
  ] as const) {
    const a = audio({}, 2.5 * MS, delayUs * US);
    a.f.runTo(10 * MS);
    assert.equal(a.period, MS);
    const p = a.f.probes[0]!.result();
    assert.deepEqual([p.callbacks, p.glitches], [3, glitches], `${delayUs} us`);
    // The wake-up latency is measured from the period's start: handler plus delay.
    assert.deepEqual([p.latency.count, p.latency.min_us, p.latency.max_us], [3, 3 + delayUs, 3 + delayUs]);
    // Each callback wakes it, runs 400 us, and it blocks again with nothing queued.
    assert.deepEqual(
      a.f.calls("wake").map(([at, rem]) => [at - a.phase, rem]),
      [0, 1, 2].map((n) => [n * MS + 3 * US, 400 * US]),
    );
    assert.deepEqual(
      a.f.calls("block").map(([at]) => at - a.phase),
      [0, 1, 2].map((n) => n * MS + (403 + delayUs) * US),
    );
  }
});

test("audio: callbacks queue while the thread is behind and run back to back without a new wake-up", () => {
  // 1.5 ms of work every 1 ms: callback k ends at 3 us + 1.5 (k + 1) ms, after its deadline (k + 1) ms.
  const q = audio({ work: { const_us: 1500 } }, 4 * MS);
  q.f.runTo(20 * MS);
  const p = q.f.probes[0]!.result();
  assert.deepEqual([p.callbacks, p.glitches], [5, 5]);
  assert.deepEqual(
    q.f.calls("end").map(([at]) => at - q.phase),
    [1, 2, 3, 4, 5].map((k) => 3 * US + k * 1.5 * MS),
  );
  assert.deepEqual(
    q.f.calls("wake").map(([at]) => at - q.phase),
    [3 * US],
  );
  assert.deepEqual(
    q.f.calls("block").map(([at]) => at - q.phase),
    [3 * US + 7.5 * MS],
  );
  // One wake-up, one sample.
  assert.equal(p.latency.count, 1);
});

test("audio: a callback's work is drawn per callback and is at least 1 ns", () => {
  const z = audio({ work: { const_us: 0 } }, 0);
  z.f.runTo(MS);
  assert.deepEqual(
    z.f.calls("wake").map(([, rem]) => rem),
    [1],
  );
  const half = audio({ work: { exp_mean_us: 100 } }, MS);
  half.f.runTo(5 * MS);
  const r = stream("au");
  r.float();
  const w0 = r.ns({ exp_mean_us: 100 });
  const w1 = r.ns({ exp_mean_us: 100 });
  assert.deepEqual(
    half.f.calls("end").map(([at]) => at - half.phase),
    [3 * US + w0, MS + 3 * US + w1],
  );
});

// ---- periodic -----------------------------------------------------------------------------

test("periodic: threads wake every period from their own random phase, run their drawn work, and skip periods they overran", () => {
  const f = fake({ delayNs: 2 * US });
  const w: PeriodicWorkload = {
    kind: "periodic",
    period_us: 500,
    work: { exp_mean_us: 50 },
    threads: 2,
    policy: "fifo",
    priority: 7,
    nice: 1,
    cpu: 0,
    cgroup: "g",
  };
  spawnPeriodic(f.k, w, "p");
  assert.deepEqual(
    f.spawned.map((t) => t.name),
    ["p.0", "p.1"],
  );
  assert.deepEqual(f.spawnedAs, ["fifo/7/1", "fifo/7/1"]);
  assert.deepEqual(f.calls("spawn"), [
    [0, 0],
    [0, 0],
  ]);
  assert.deepEqual(f.cgroups, ["g", "g"]);
  f.runTo(2 * MS);
  for (const i of [0, 1]) {
    const r = stream(`p.${i}`);
    const phase = Math.floor(r.float() * 500 * US);
    const wakes = f.calls("wake", `p.${i}`);
    assert.equal(wakes.length, 4);
    for (const [n, [at, rem]] of wakes.entries()) {
      assert.equal(at, phase + n * 500 * US);
      assert.equal(rem, r.ns(w.work));
    }
  }
  const p = f.probes[0]!;
  assert.deepEqual([p.id, p.kind], ["p", "periodic"]);
  const l = latency(p);
  assert.deepEqual([l.count, l.min_us, l.max_us], [8, 2, 2]);
  // Overrun: 1.2 ms of work on a 500 us period sleeps to the third deadline after the one it served.
  const o = fake();
  spawnPeriodic(o.k, { kind: "periodic", period_us: 500, work: { const_us: 1200 } }, "p");
  const phase = Math.floor(stream("p.0").float() * 500 * US);
  o.runTo(phase + 3 * MS);
  assert.deepEqual(
    o.calls("sleep").map(([at, soft]) => [at - phase, soft! - phase]),
    [
      [1200 * US, 1.5 * MS],
      [2.7 * MS, 3 * MS],
    ],
  );
  assert.deepEqual(o.spawnedAs, ["other/0/0"]);
  // Ending exactly on the next deadline skips it too.
  const x = fake();
  spawnPeriodic(x.k, { kind: "periodic", period_us: 500, work: { const_us: 500 } }, "p");
  x.runTo(phase + 1200 * US);
  assert.deepEqual(
    x.calls("sleep").map(([at, soft]) => [at - phase, soft! - phase]),
    [[500 * US, 1 * MS]],
  );
});

test("periodic: the period is period_us rounded to whole nanoseconds", () => {
  const f = fake();
  spawnPeriodic(f.k, { kind: "periodic", period_us: 100.0006, work: { const_us: 1 } }, "p");
  f.runTo(MS);
  const wakes = f.calls("wake").map(([at]) => at);
  assert.equal(wakes[0], Math.floor(stream("p.0").float() * 100_001));
  assert.equal(wakes[1]! - wakes[0]!, 100_001);
});

interface PvCall {
  at: number;
  what: string;
}

function pvStub(eng: () => Engine, startCost: number, doneCost: number, calls: PvCall[]): NonNullable<Kernel["pvThread"]> {
  return {
    onTimer: (t) => void calls.push({ at: eng().now, what: `timer ${t.name}` }),
    onStart: (t) => {
      calls.push({ at: eng().now, what: `start ${t.name}` });
      return startCost;
    },
    onDone: (t) => {
      calls.push({ at: eng().now, what: `done ${t.name}` });
      return doneCost;
    },
  };
}

test("periodic pv_thread on the host: 1 ns to its own code, the boost request's cost, the work, the unboost's cost, then sleep", () => {
  const calls: PvCall[] = [];
  let eng: Engine | null = null;
  const f = fake({ pvThread: pvStub(() => eng!, 2 * US, 3 * US, calls) });
  eng = f.eng;
  spawnPeriodic(f.k, { kind: "periodic", period_us: 1000, work: { const_us: 100 }, pv_thread: true }, "p");
  const phase = Math.floor(stream("p.0").float() * MS);
  f.runTo(phase + 1.5 * MS);
  // The timer's wake-up tells the protocol first, then the thread runs a 1 ns step.
  assert.deepEqual(
    calls.map((c) => [c.at - phase, c.what]),
    [
      [0, "timer p.0"],
      [1, "start p.0"],
      [1 + 102 * US, "done p.0"],
      [MS, "timer p.0"],
      [MS + 1, "start p.0"],
      [MS + 1 + 102 * US, "done p.0"],
    ],
  );
  assert.deepEqual(
    f.calls("end").map(([at]) => at - phase),
    [1, 1 + 2 * US, 1 + 102 * US, 1 + 105 * US, MS + 1, MS + 1 + 2 * US, MS + 1 + 102 * US, MS + 1 + 105 * US],
  );
  assert.deepEqual(
    f.calls("wake").map(([at, rem]) => [at - phase, rem]),
    [
      [0, 1],
      [MS, 1],
    ],
  );
  assert.deepEqual(
    f.calls("sleep").map(([at, soft]) => [at - phase, soft! - phase]),
    [
      [1 + 105 * US, MS],
      [MS + 1 + 105 * US, 2 * MS],
    ],
  );
});

test("periodic pv_thread: a free boost and unboost (cost 0) go straight to the work and to sleep", () => {
  const calls: PvCall[] = [];
  let eng: Engine | null = null;
  const f = fake({ pvThread: pvStub(() => eng!, 0, 0, calls) });
  eng = f.eng;
  spawnPeriodic(f.k, { kind: "periodic", period_us: 1000, work: { const_us: 100 }, pv_thread: true }, "p");
  const phase = Math.floor(stream("p.0").float() * MS);
  f.runTo(phase + 0.5 * MS);
  assert.deepEqual(
    calls.map((c) => [c.at - phase, c.what]),
    [
      [0, "timer p.0"],
      [1, "start p.0"],
      [1 + 100 * US, "done p.0"],
    ],
  );
  assert.deepEqual(
    f.calls("end").map(([at]) => at - phase),
    [1, 1 + 100 * US],
  );
  assert.deepEqual(
    f.calls("sleep").map(([at, soft]) => [at - phase, soft! - phase]),
    [[1 + 100 * US, MS]],
  );
});

test("periodic pv_thread: only on the host and only when asked; static mode's policy is set on the thread after its spawn", () => {
  const run = (side: "host" | "guest", pv_thread: boolean | undefined, staticPolicy?: { policy: "fifo" | "rr"; priority: number }) => {
    const calls: PvCall[] = [];
    let eng: Engine | null = null;
    const hooks = pvStub(() => eng!, 2 * US, 3 * US, calls);
    const f = fake({ side, pvThread: staticPolicy ? { ...hooks, staticPolicy } : hooks });
    eng = f.eng;
    const w: PeriodicWorkload = {
      kind: "periodic",
      period_us: 1000,
      work: { const_us: 100 },
      ...(pv_thread !== undefined ? { pv_thread } : {}),
    };
    spawnPeriodic(f.k, w, "p");
    f.runTo(MS);
    const t = f.spawned[0]!;
    return { calls: calls.length, wakeRem: f.calls("wake")[0]![1], spawnedAs: f.spawnedAs[0], now: `${t.policy}/${t.rtPrio}` };
  };
  assert.deepEqual(run("host", true), { calls: 3, wakeRem: 1, spawnedAs: "other/0/0", now: "other/0" });
  assert.deepEqual(run("guest", true), { calls: 0, wakeRem: 100 * US, spawnedAs: "other/0/0", now: "other/0" });
  assert.deepEqual(run("host", false), { calls: 0, wakeRem: 100 * US, spawnedAs: "other/0/0", now: "other/0" });
  assert.deepEqual(run("host", undefined), { calls: 0, wakeRem: 100 * US, spawnedAs: "other/0/0", now: "other/0" });
  assert.deepEqual(run("host", true, { policy: "rr", priority: 40 }), { calls: 3, wakeRem: 1, spawnedAs: "other/0/0", now: "rr/40" });
  // A kernel without the protocol (vanilla): a plain periodic thread.
  const f = fake({ pvThread: null });
  spawnPeriodic(f.k, { kind: "periodic", period_us: 1000, work: { const_us: 100 }, pv_thread: true }, "p");
  f.runTo(MS);
  assert.equal(f.calls("wake")[0]![1], 100 * US);
});

// ---- bursty -------------------------------------------------------------------------------

test("bursty: each thread sleeps a drawn gap, runs a drawn burst (at least 1 ns), and sleeps again from the burst's end", () => {
  const f = fake({ delayNs: 5 * US });
  const gap: Dist = { exp_mean_us: 300 };
  const work: Dist = { exp_mean_us: 100 };
  spawnBursty(f.k, { kind: "bursty", gap, work, threads: 2, policy: "rr", priority: 3, nice: 4, cpu: 1, cgroup: "bg" }, "b");
  assert.deepEqual(
    f.spawned.map((t) => t.name),
    ["b.0", "b.1"],
  );
  assert.deepEqual(f.spawnedAs, ["rr/3/4", "rr/3/4"]);
  assert.deepEqual(f.calls("spawn"), [
    [0, 1],
    [0, 1],
  ]);
  assert.deepEqual(f.cgroups, ["bg", "bg"]);
  f.runTo(5 * MS);
  for (const i of [0, 1]) {
    const r = stream(`b.${i}`);
    let at = r.ns(gap);
    assert.deepEqual(f.calls("first", `b.${i}`), [[0, at]]);
    const wakes = f.calls("wake", `b.${i}`);
    const sleeps = f.calls("sleep", `b.${i}`);
    assert.ok(wakes.length >= 5);
    for (let n = 0; n < 5; n++) {
      const burst = r.ns(work);
      assert.deepEqual(wakes[n], [at, burst]);
      const end = at + 5 * US + burst;
      at = end + r.ns(gap);
      assert.deepEqual(sleeps[n], [end, at]);
    }
  }
  // No probe.
  assert.equal(f.probes.length, 0);
  const z = fake();
  spawnBursty(z.k, { kind: "bursty", gap: { const_us: 10 }, work: { const_us: 0 } }, "z");
  z.runTo(15 * US);
  assert.deepEqual(z.calls("wake"), [[10 * US, 1]]);
  assert.deepEqual(
    z.spawned.map((t) => t.name),
    ["z.0"],
  );
  assert.deepEqual(z.spawnedAs, ["other/0/0"]);
});

test("bursty preempt_disabled: in a guest, preemption is off for each burst and back on at its end; never on the host", () => {
  const pd = (side: "host" | "guest", preempt_disabled: boolean | undefined) => {
    const f = fake({ side });
    spawnBursty(
      f.k,
      {
        kind: "bursty",
        gap: { const_us: 10 },
        work: { const_us: 5 },
        priority: 0,
        ...(preempt_disabled !== undefined ? { preempt_disabled } : {}),
      },
      "b",
    );
    // Asleep after its sixth burst (15-30-45-60-75-90 us ends).
    f.runTo(95 * US);
    const t = f.spawned[0]!;
    return { during: f.calls("end").map(([, v]) => v), after: t.preemptDisabled };
  };
  assert.deepEqual(pd("guest", true), { during: [1, 1, 1, 1, 1, 1], after: false });
  assert.deepEqual(pd("guest", false), { during: [0, 0, 0, 0, 0, 0], after: false });
  assert.deepEqual(pd("guest", undefined), { during: [0, 0, 0, 0, 0, 0], after: false });
  assert.deepEqual(pd("host", true), { during: [0, 0, 0, 0, 0, 0], after: false });
});

// ---- stress and spin --------------------------------------------------------------------

test("stress: N hogs, each spawned and woken at once with endless work and a large working set", () => {
  const f = fake();
  spawnStress(f.k, { kind: "stress", workers: 3, policy: "idle", nice: 19, cpu: 2, cgroup: "bg" }, "s");
  assert.deepEqual(
    f.log.map((c) => `${c.op} ${c.task} ${c.value}`),
    ["spawn s.0 2", "wake s.0 Infinity", "spawn s.1 2", "wake s.1 Infinity", "spawn s.2 2", "wake s.2 Infinity"],
  );
  assert.deepEqual(f.cgroups, ["bg", "bg", "bg"]);
  assert.deepEqual(f.spawnedAs, ["idle/0/19", "idle/0/19", "idle/0/19"]);
  for (const t of f.spawned) {
    assert.equal(t.largeWorkingSet, true);
    assert.equal(t.prog.switchIn, undefined);
    // A burst that ends (the kernel set some other value) is endless again.
    t.remaining = 5;
    t.prog.burstEnd(t);
    assert.equal(t.remaining, Number.POSITIVE_INFINITY);
  }
  const d = fake();
  spawnStress(d.k, { kind: "stress", workers: 1 }, "s");
  assert.deepEqual(d.spawnedAs, ["other/0/0"]);
  assert.equal(d.spawned[0]!.prog.switchIn, undefined);
});

test("spin: one hog named by its id; with preempt_disabled in a guest it disables preemption each time it gets the CPU", () => {
  const spin = (side: "host" | "guest", preempt_disabled?: boolean) => {
    const f = fake({ side });
    spawnSpin(
      f.k,
      { kind: "spin", policy: "fifo", priority: 10, ...(preempt_disabled !== undefined ? { preempt_disabled } : {}) },
      "rogue",
    );
    f.runTo(US);
    const t = f.spawned[0]!;
    assert.equal(t.name, "rogue");
    assert.equal(t.largeWorkingSet, true);
    assert.equal(t.remaining, Number.POSITIVE_INFINITY);
    assert.deepEqual(f.spawnedAs, ["fifo/10/0"]);
    assert.equal(typeof t.prog.switchIn, "function");
    const after = t.preemptDisabled;
    t.preemptDisabled = false;
    t.prog.switchIn!(t);
    return [after, t.preemptDisabled];
  };
  assert.deepEqual(spin("guest", true), [true, true]);
  assert.deepEqual(spin("guest", false), [false, false]);
  assert.deepEqual(spin("guest"), [false, false]);
  assert.deepEqual(spin("host", true), [false, false]);
});

// ---- dispatch -----------------------------------------------------------------------------

test("spawnWorkload starts each kind's threads (and passes the run's end to the audio thread)", () => {
  const kinds = (w: Parameters<typeof spawnWorkload>[1], until = 10 * MS) => {
    const f = fake();
    spawnWorkload(f.k, w, "x", until);
    f.runTo(3 * MS);
    return { names: f.spawned.map((t) => t.name), probes: f.probes.map((p) => p.kind), irqs: f.calls("irq").length };
  };
  assert.deepEqual(kinds({ kind: "cyclictest", threads: 2 }), { names: ["x.0", "x.1"], probes: ["cyclictest"], irqs: 0 });
  assert.deepEqual(kinds({ kind: "stress", workers: 2 }), { names: ["x.0", "x.1"], probes: [], irqs: 0 });
  assert.deepEqual(kinds({ kind: "audio", buffer_frames: 48 }), { names: ["x"], probes: ["audio"], irqs: 3 });
  assert.deepEqual(kinds({ kind: "audio", buffer_frames: 48 }, 0), { names: ["x"], probes: ["audio"], irqs: 1 });
  assert.deepEqual(kinds({ kind: "periodic", period_us: 100, work: { const_us: 1 } }), { names: ["x.0"], probes: ["periodic"], irqs: 0 });
  assert.deepEqual(kinds({ kind: "bursty", gap: { const_us: 1 }, work: { const_us: 1 } }), { names: ["x.0"], probes: [], irqs: 0 });
  assert.deepEqual(kinds({ kind: "spin" }), { names: ["x"], probes: [], irqs: 0 });
});

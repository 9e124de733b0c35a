/**
 * The timeline recorder: it keeps every segment of a 90 s seed run (the worst samples fall on
 * recorded time), a budget cuts by windows around the worst samples and says so, the vCPU tracks
 * agree with the vCPU statistics (computed elsewhere in sim-core), the markers with the exit and
 * boost counters, and the bytes are deterministic.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadScenario } from "../../scenario-loader/index";
import { simulate, type RunResult, type Scenario, type Timeline } from "../../sim-core/index";
import {
  EXIT_REASONS,
  IRQ_KICKED,
  IRQ_POSTED,
  IRQ_SOURCES,
  MARK_BOOST,
  MARK_EXIT,
  MARK_IRQ,
  MARK_THROTTLE,
  MARK_UNBOOST,
} from "../../sim-core/timeline-codes";
import { timelineCovers } from "../../sim-core/timeline";
import { segAt, segmentView, trackSegments, typedArraysAsLists } from "../../sim-core/timeline-read";

const ROOT = join(__dirname, "..", "..");

function seed(name: string): Scenario {
  const r = loadScenario(readFileSync(join(ROOT, "scenarios/seed", name), "utf8"), name);
  assert.ok(r.ok);
  return r.scenario;
}

/** The track that ran the probe's thread at time t: the vCPU track for a guest probe, else the host CPU running it. */
function threadAt(tl: Timeline, entity: number, t: number): { track: number; thread: string } | null {
  for (let track = 0; track < tl.tracks.length; track++) {
    const i = segAt(tl, track, t);
    if (i >= tl.segments.offset[track + 1]!) continue;
    const v = segmentView(tl, track, i);
    if (v.entity === entity && v.start_ns <= t && t <= v.end_ns && (tl.tracks[track]!.kind === "cpu" || v.vcpu_state === "running"))
      return { track, thread: v.thread };
  }
  return null;
}

/** Each probe's worst sample: on recorded time, with its anchor, and its thread running there. */
function assertWorstSamplesOnTimeline(r: RunResult): void {
  const tl = r.timeline!;
  r.probes.forEach((p, k) => {
    assert.ok(p.max_at_ns !== undefined, p.id);
    assert.ok(timelineCovers(tl, p.max_at_ns!), `${p.id}: max_at_ns ${p.max_at_ns} is not on the timeline`);
    const a = tl.anchors;
    let worst = -1;
    for (let i = 0; i < a.run_ns.length; i++)
      if (a.probe[i] === k && (worst < 0 || a.run_ns[i]! - a.wake_ns[i]! > a.run_ns[worst]! - a.wake_ns[worst]!)) worst = i;
    assert.ok(worst >= 0, `${p.id}: no anchors`);
    assert.equal(a.run_ns[worst], p.max_at_ns, `${p.id}: the worst anchor is not the worst sample`);
    assert.ok(Math.abs((a.run_ns[worst]! - a.wake_ns[worst]!) / 1000 - p.latency.max_us) < 0.001);
    // The thread that took the sample runs at that moment on some track.
    const on = threadAt(tl, a.entity[worst]!, p.max_at_ns!);
    assert.ok(on, `${p.id}: ${tl.entities[a.entity[worst]!]?.name} is not running at ${p.max_at_ns}`);
    assert.ok(on.thread.startsWith(p.id), `${p.id}: sample thread ${on.thread}`);
  });
}

test("a 90 s busy-500 dynamic run keeps every segment, and every probe's worst sample is on it", () => {
  const r = simulate(seed("cyclictest-busy-500.pvsched.yaml"), "dynamic", { timeline: true });
  const tl = r.timeline!;
  assert.equal(r.simulated_ns, 90e9);
  assert.deepEqual(tl.budget.kept, [[0, 90e9]]);
  assert.equal(tl.budget.cut_segments, 0);
  assert.equal(tl.budget.cut_markers, 0);
  // About a million host segments (the measurement); nothing dropped.
  const host = tl.tracks.filter((t) => t.kind === "cpu").length;
  assert.ok(tl.segments.offset[host]! > 900_000, `${tl.segments.offset[host]} host segments`);
  // Anchors: one per recorded sample.
  r.probes.forEach((p, k) => {
    assert.equal(tl.anchors.probe.filter((x) => x === k).length, p.latency.count, p.id);
  });
  assertWorstSamplesOnTimeline(r);
});

test("under a budget the timeline keeps each probe's worst-sample windows whole, and says what it cut", () => {
  const s = { ...seed("cyclictest-busy-500.pvsched.yaml"), duration_s: 20, timeline: { enabled: true, max_segments: 20_000 } };
  const r = simulate(s, "dynamic");
  const tl = r.timeline!;
  assert.equal(tl.budget.max_segments_per_track, 20_000);
  assert.ok(tl.budget.cut_segments > 0, "the budget should have cut");
  // max_segments is per host CPU; a vCPU track is derived from its thread's host segments and
  // its guest segments, so it interleaves two budgeted stores.
  for (let t = 0; t < tl.tracks.length; t++) {
    if (tl.tracks[t]!.kind !== "cpu") continue;
    const n = tl.segments.offset[t + 1]! - tl.segments.offset[t]!;
    assert.ok(n <= 20_000, `${tl.tracks[t]!.name}: ${n} segments over the budget`);
  }
  const worst = tl.budget.windows.filter((w) => w.rank === 1);
  assert.equal(worst.length, r.probes.length);
  for (const w of worst) {
    assert.ok(w.complete, `${w.probe}: window ${w.from_ns}..${w.to_ns} not kept whole`);
    const p = r.probes.find((x) => x.id === w.probe)!;
    assert.ok(w.from_ns <= p.max_at_ns! && p.max_at_ns! <= w.to_ns);
  }
  assertWorstSamplesOnTimeline(r);
  // What is kept is what the whole run recorded there: compare the host tracks inside the first window.
  const full = simulate({ ...s, timeline: { enabled: true } }, "dynamic").timeline!;
  const w = worst[0]!;
  for (let t = 0; t < tl.tracks.length; t++) {
    if (tl.tracks[t]!.kind !== "cpu") continue;
    const inWindow = (x: { start_ns: number; end_ns: number }) => x.end_ns > w.from_ns && x.start_ns < w.to_ns;
    const a = trackSegments(tl, t)
      .filter((x) => !x.cut && inWindow(x))
      .map(({ index: _i, ...x }) => x);
    const b = trackSegments(full, t)
      .filter(inWindow)
      .map(({ index: _i, ...x }) => x);
    assert.deepEqual(a, b, tl.tracks[t]!.name);
  }
  // Every cut stretch is a "not kept" segment outside the kept ranges.
  for (let t = 0; t < tl.tracks.length; t++)
    for (const x of trackSegments(tl, t).filter((y) => y.cut))
      assert.ok(
        !tl.budget.kept.some(([a, b]) => x.start_ns < b && a < x.end_ns && x.start_ns >= a && x.end_ns <= b),
        `${tl.tracks[t]!.name}: cut inside a kept range`,
      );
});

/** A 1-CPU host with a hog and a 1-vCPU guest: steal, halts and boosts all happen. */
function busy(): Scenario {
  return {
    name: "busy",
    duration_s: 2,
    seed: 3,
    host: { cpus: 1, cgroups: [{ name: "vms", shares: 64 }], workloads: [{ kind: "stress", workers: 1 }] },
    vms: [
      {
        name: "vm",
        vcpus: 2,
        cgroup: "vms",
        // A buggy guest: it never unboosts, so the vCPU spinning with preemption disabled holds
        // its boost request until patch 5's cap vetoes it.
        never_unboost: true,
        workloads: [
          { kind: "cyclictest", id: "ct", interval_us: 500, cpu: 0 },
          { kind: "spin", cpu: 1, preempt_disabled: true },
        ],
      },
    ],
    timeline: { enabled: true },
  };
}

test("a vCPU track's running and waiting time equal the vCPU thread's runtime and run delay", () => {
  for (const mode of ["vanilla", "dynamic", "static"] as const) {
    const r = simulate(busy(), mode);
    const tl = r.timeline!;
    tl.tracks.forEach((t, track) => {
      if (t.kind !== "vcpu") return;
      const sum = { running: 0, waiting: 0, halted: 0 };
      for (const v of trackSegments(tl, track)) sum[v.vcpu_state!] += v.end_ns - v.start_ns;
      const st = r.vcpus.find((v) => `${v.vm}/vcpu${v.vcpu}` === t.name)!;
      assert.ok(
        Math.abs(sum.running - st.host_runtime_ns) < 1,
        `${mode} ${t.name}: running ${sum.running} vs runtime ${st.host_runtime_ns}`,
      );
      assert.ok(Math.abs(sum.waiting - st.steal_ns) < 1, `${mode} ${t.name}: waiting ${sum.waiting} vs steal ${st.steal_ns}`);
      if (t.vcpu === 0) assert.ok(sum.halted > 0, `${mode} ${t.name}: never halted`);
    });
  }
});

test("markers count what the vCPU statistics count: exits by reason, boosts, unboosts, throttles", () => {
  const r = simulate(busy(), "dynamic");
  const tl = r.timeline!;
  assert.ok(
    r.vcpus.some((v) => v.throttles > 0),
    "the spinning vCPU should be throttled",
  );
  tl.tracks.forEach((t, track) => {
    if (t.kind !== "vcpu") return;
    const st = r.vcpus.find((v) => `${v.vm}/vcpu${v.vcpu}` === t.name)!;
    const m = tl.markers;
    const count = (kind: number, arg?: number) => {
      let n = 0;
      for (let i = m.offset[track]!; i < m.offset[track + 1]!; i++) if (m.kind[i] === kind && (arg === undefined || m.arg[i] === arg)) n++;
      return n;
    };
    // msr_other also counts the guest's fastpath TSC-deadline writes, which are not marked.
    for (const reason of EXIT_REASONS.filter((x) => x !== "msr_other"))
      assert.equal(count(MARK_EXIT, EXIT_REASONS.indexOf(reason)), st.exits[reason], `${t.name} exits ${reason}`);
    assert.equal(count(MARK_BOOST), st.boosts, `${t.name} boosts`);
    assert.equal(count(MARK_BOOST, 0), st.boosts_by.inject, `${t.name} inject boosts`);
    assert.equal(count(MARK_BOOST, 1), st.boosts_by.exit, `${t.name} exit boosts`);
    assert.equal(count(MARK_BOOST, 2), st.boosts_by.block, `${t.name} block boosts`);
    assert.equal(count(MARK_UNBOOST), st.unboosts, `${t.name} unboosts`);
    assert.equal(count(MARK_THROTTLE), st.throttles, `${t.name} throttles`);
  });
});

test("with APICv, a guest IPI takes the posted branch: never kicked, marked posted where the target runs", () => {
  // No IPI virtualization: APICv alone posts IPIs to the target (only the sender's ICR write
  // exits), so the markers must follow the same branch as the delivery (kvm/costs.ts).
  const s: Scenario = {
    name: "apicv ipi",
    duration_s: 3,
    seed: 1,
    host: { cpus: 2, kvm: { posted_interrupts: true }, workloads: [{ kind: "stress", workers: 1 }] },
    vms: [
      {
        name: "vm",
        vcpus: 2,
        workloads: [
          { kind: "cyclictest", id: "ct", cmdline: "cyclictest -t 4 -i 300 -p 50" },
          { kind: "stress", workers: 3 },
        ],
      },
    ],
  };
  const m = simulate(s, "dynamic", { timeline: true }).timeline!.markers;
  let ipis = 0;
  let kicked = 0;
  let posted = 0;
  for (let i = 0; i < m.kind.length; i++) {
    if (m.kind[i] !== MARK_IRQ || IRQ_SOURCES[m.arg[i]! & 0xf] !== "ipi") continue;
    ipis++;
    if (m.arg[i]! & IRQ_KICKED) kicked++;
    if (m.arg[i]! & IRQ_POSTED) posted++;
  }
  assert.ok(ipis > 50, `only ${ipis} guest IPIs`);
  assert.equal(kicked, 0, "a posted IPI was marked as a kick");
  assert.ok(posted > 0 && posted < ipis, `${posted} of ${ipis} IPIs marked posted`);
});

test("the timeline is only computed when asked for, and is byte-identical run to run", () => {
  const s = { ...busy(), timeline: undefined };
  assert.equal(simulate(s, "dynamic").timeline, undefined);
  const a = JSON.stringify(simulate(s, "dynamic", { timeline: true }).timeline, typedArraysAsLists);
  const b = JSON.stringify(simulate(s, "dynamic", { timeline: true }).timeline, typedArraysAsLists);
  assert.equal(a, b);
  // And it does not change the run it records; it only adds, with the timeline to jump to, the
  // chains of the tail bins' worst samples (sim-core/why.ts).
  const plain = simulate(s, "dynamic");
  const { timeline: _t, ...rest } = simulate(s, "dynamic", { timeline: true });
  assert.ok(rest.probes.every((p) => p.why?.tail !== undefined));
  const probes = rest.probes.map((p) => {
    const { tail: _tail, ...why } = p.why!;
    return { ...p, why };
  });
  assert.deepEqual({ ...rest, probes }, plain);
});

/**
 * "Why was this sample late?" (sim-core/why.ts): hand-built scenarios whose cause is known by
 * construction, and the seed scenario's worst samples. The oracle is the scenario's design (one
 * host CPU shared with a CFS hog; a guest FIFO task in front of a guest cyclictest) and the
 * probe's own statistics (max_us, max_at_ns), never the tracer's arithmetic.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadScenario } from "../../scenario-loader/index";
import { simulate, type ProbeResult, type RunResult, type Scenario } from "../../sim-core/index";
import { chainText } from "../../sim-core/why-labels";
import { MAX_LATE_SAMPLES } from "../../sim-core/why";

const ROOT = join(__dirname, "..", "..");

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** The worst sample's explanation, checked against the probe's own statistics. */
function worstOf(p: ProbeResult) {
  const w = p.why?.worst;
  assert.ok(w, `${p.id}: no worst sample explained`);
  assert.equal(w.run_ns, p.max_at_ns, `${p.id}: the explained sample is not the one at max_at_ns`);
  assert.ok(Math.abs(w.latency_ns / 1000 - p.latency.max_us) < 0.001, `${p.id}: latency ${w.latency_ns} vs max ${p.latency.max_us} us`);
  assert.equal(w.run_ns - w.wake_ns, w.latency_ns);
  assert.equal(sum(w.parts_ns), w.latency_ns, `${p.id}: the parts do not sum to the latency`);
  return w;
}

/** Every sample the probe kept is attributed, and the parts of all of them sum to the samples' total. */
function assertAllAttributed(p: ProbeResult): void {
  const why = p.why!;
  assert.equal(why.unexplained, 0, `${p.id}: unexplained samples`);
  assert.equal(why.samples, p.latency.count);
  // avg_us is rounded to 3 decimals: the total is known to count * 0.0005 us.
  const total = sum(why.parts_ns) / 1000;
  assert.ok(
    Math.abs(total / p.latency.count - p.latency.avg_us) <= 0.0006,
    `${p.id}: parts ${total} us over ${p.latency.count} samples vs avg ${p.latency.avg_us}`,
  );
}

const guestProbe = (r: RunResult) => r.probes.find((p) => p.side === "guest")!;

test("a guest cyclictest whose vCPU shares its host CPU with a CFS hog: the worst sample is host wait, behind the hog, with no kick", () => {
  const s: Scenario = {
    name: "vcpu behind a host hog",
    seed: 7,
    duration_s: 1,
    host: { cpus: 1, noise: false, workloads: [{ kind: "stress", id: "hog", workers: 1 }] },
    vms: [
      {
        name: "vm0",
        vcpus: 1,
        // A guest CFS hog keeps the vCPU from halting, so its thread competes with the host hog
        // under CFS, and cyclictest (FIFO 90) preempts it at once inside the guest.
        workloads: [
          { kind: "cyclictest", id: "ct", interval_us: 1000, policy: "fifo", priority: 90 },
          { kind: "stress", id: "guesthog", workers: 1 },
        ],
      },
    ],
  };
  const r = simulate(s, "vanilla");
  const p = guestProbe(r);
  assertAllAttributed(p);
  const w = worstOf(p);
  // With CFS sharing one CPU between the vCPU thread and the hog, the worst wait is a slice of the hog's.
  assert.ok(w.latency_ns > 1_000_000, `worst ${w.latency_ns} ns`);
  assert.ok(w.parts_ns.host_wait > 0.9 * w.latency_ns, `host_wait ${w.parts_ns.host_wait} of ${w.latency_ns}`);
  const text = chainText(w.chain);
  assert.match(text, /^timer expired at /);
  assert.match(text, /vm0\/vcpu0 preempted on CPU 0 by hog\.0 \(CFS/, text);
  assert.match(text, /no kick, because it is the preemption timer of a preempted vCPU/, text);
  assert.doesNotMatch(text, /boost/, text);
  assert.match(text, /ran at \+/);
  // FIFO 90 preempts the guest hog at once: hardly any guest run-queue wait, in any sample.
  assert.ok(p.why!.parts_ns.guest_wait < 0.01 * sum(p.why!.parts_ns), `guest_wait ${p.why!.parts_ns.guest_wait}`);
});

/**
 * A guest cyclictest behind a guest FIFO job on its vCPU: two host CPUs and nothing else on the
 * host, so the vCPU thread never waits for the host; rtjob's 800 us bursts, not a multiple of
 * cyclictest's interval, keep crossing the expiries and delay samples by up to 800 us, over many bins.
 */
const behindGuestFifo: Scenario = {
  name: "guest run-queue wait",
  seed: 11,
  duration_s: 1,
  host: { cpus: 2, noise: false },
  vms: [
    {
      name: "vm0",
      vcpus: 1,
      pin: [1],
      workloads: [
        { kind: "cyclictest", id: "ct", interval_us: 1000, policy: "other" },
        { kind: "periodic", id: "rtjob", period_us: 2300, work: { const_us: 800 }, policy: "fifo", priority: 50 },
      ],
    },
  ],
};

test("a guest cyclictest behind a guest FIFO task on its vCPU: the worst sample is guest run-queue wait, behind that task", () => {
  const r = simulate(behindGuestFifo, "vanilla");
  const p = r.probes.find((x) => x.id === "ct")!;
  assertAllAttributed(p);
  const w = worstOf(p);
  assert.ok(w.latency_ns > 300_000, `worst ${w.latency_ns} ns`);
  assert.ok(w.parts_ns.guest_wait > 0.9 * w.latency_ns, `guest_wait ${w.parts_ns.guest_wait} of ${w.latency_ns}`);
  assert.equal(w.parts_ns.host_wait, 0);
  assert.match(chainText(w.chain), /runnable on vm0\/vcpu0's guest run queue behind rtjob\.0 \(FIFO 50\)/);
});

test("the worst sample of every probe of a seed scenario, in each mode, gets a chain whose parts sum to it", () => {
  const name = "cyclictest-busy-500.pvsched.yaml";
  const loaded = loadScenario(readFileSync(join(ROOT, "scenarios/seed", name), "utf8"), name);
  assert.ok(loaded.ok);
  const s = { ...loaded.scenario, duration_s: 1 };
  for (const mode of ["vanilla", "dynamic", "static"] as const) {
    const r = simulate(s, mode);
    assert.equal(r.probes.length, 2);
    for (const p of r.probes) {
      assertAllAttributed(p);
      const w = worstOf(p);
      assert.ok(w.chain.length >= 3, `${mode} ${p.id}: chain ${chainText(w.chain)}`);
      assert.match(w.chain[0]!.text, /^timer expired at /);
      assert.match(w.chain.at(-1)!.text, /^ran at \+/);
      // The links are in time order, within the sample.
      for (let k = 1; k < w.chain.length; k++) assert.ok(w.chain[k]!.t_ns >= w.chain[k - 1]!.t_ns);
      assert.ok(w.chain.every((l) => l.t_ns >= w.wake_ns && l.t_ns <= w.run_ns));
    }
  }
});

test("with a timeline, the worst sample of each tail bin is explained: a non-worst one is guest run-queue wait behind rtjob", () => {
  const r = simulate(behindGuestFifo, "vanilla", { timeline: true });
  const p = r.probes.find((x) => x.id === "ct")!;
  const probeIndex = r.probes.indexOf(p);
  const { edges_us: edges, counts } = p.latency.histogram;
  const tail = p.why?.tail;
  assert.ok(tail, "no tail samples in a run with a timeline");
  // The tail, from the probe's own statistics: the bin holding p90_us and every occupied bin above.
  const p90Bin = edges.findIndex((e, b) => p.latency.p90_us >= e && p.latency.p90_us < edges[b + 1]!);
  const occupied = counts.map((c, b) => (c > 0 && b >= p90Bin ? b : -1)).filter((b) => b >= 0);
  assert.deepEqual(
    tail.map((s) => s.bin),
    occupied.reverse(),
  );
  assert.ok(tail.length >= 2, `only ${tail.length} tail bin(s): no non-worst sample to check`);
  // Worst bin first: its sample is the run's worst.
  assert.equal(tail[0]!.run_ns, p.max_at_ns);
  // Every sample the run recorded, from the timeline's anchors (the recorder, not the tracer).
  const a = r.timeline!.anchors;
  const lats: { wake: number; run: number }[] = [];
  for (let k = 0; k < a.probe.length; k++) if (a.probe[k] === probeIndex) lats.push({ wake: a.wake_ns[k]!, run: a.run_ns[k]! });
  assert.equal(lats.length, p.latency.count);
  for (const s of tail) {
    const us = s.latency_ns / 1000;
    assert.ok(us >= edges[s.bin]! && us < edges[s.bin + 1]!, `bin ${s.bin}: ${us} us outside [${edges[s.bin]}, ${edges[s.bin + 1]})`);
    assert.equal(s.run_ns - s.wake_ns, s.latency_ns);
    assert.equal(sum(s.parts_ns), s.latency_ns);
    // A real sample, and the worst of those in its bin.
    assert.ok(
      lats.some((l) => l.wake === s.wake_ns && l.run === s.run_ns),
      `bin ${s.bin}: no such sample on the timeline`,
    );
    const inBin = lats.map((l) => (l.run - l.wake) / 1000).filter((x) => x >= edges[s.bin]! && x < edges[s.bin + 1]!);
    assert.equal(Math.max(...inBin), us, `bin ${s.bin}: not the worst of its ${inBin.length} samples`);
  }
  // The cause of a sample that is not the worst: rtjob's burst on the vCPU.
  const s = tail[1]!;
  assert.ok(s.latency_ns < tail[0]!.latency_ns);
  assert.ok(s.parts_ns.guest_wait > 0.9 * s.latency_ns, `guest_wait ${s.parts_ns.guest_wait} of ${s.latency_ns}`);
  assert.equal(s.parts_ns.host_wait, 0);
  const text = chainText(s.chain);
  assert.match(text, /^timer expired at /);
  assert.match(text, /runnable on vm0\/vcpu0's guest run queue behind rtjob\.0 \(FIFO 50\)/, text);
  assert.match(text, /ran at \+/);
});

test("without a timeline a run keeps no tail samples, and its statistics do not depend on the timeline", () => {
  const without = simulate(behindGuestFifo, "vanilla");
  const withTl = simulate(behindGuestFifo, "vanilla", { timeline: true });
  for (const [k, p] of without.probes.entries()) {
    assert.equal(p.why?.tail, undefined);
    const q = withTl.probes[k]!;
    const { tail: _t, ...whyWith } = q.why!;
    assert.deepEqual({ ...q, why: whyWith }, p);
  }
});

test("a run told not to explain its samples (why: false) has no why, and the same statistics and events", () => {
  const name = "cyclictest-busy-500.pvsched.yaml";
  const loaded = loadScenario(readFileSync(join(ROOT, "scenarios/seed", name), "utf8"), name);
  assert.ok(loaded.ok);
  const s = { ...loaded.scenario, duration_s: 1 };
  for (const mode of ["vanilla", "dynamic"] as const) {
    const explained = simulate(s, mode);
    const bare = simulate(s, mode, { why: false });
    assert.equal(bare.events, explained.events);
    for (const [k, p] of bare.probes.entries()) {
      assert.equal(p.why, undefined, `${mode} ${p.id}: explained although told not to`);
      const { why, ...rest } = explained.probes[k]!;
      assert.ok(why, `${mode} ${p.id}: not explained by default`);
      assert.deepEqual(p, rest);
    }
    assert.deepEqual({ ...bare, probes: [] }, { ...explained, probes: [] });
  }
});

test("a thousand guest threads late at once: the tracer follows MAX_LATE_SAMPLES of them and says how many it did not", () => {
  // The fuzzer's scenario (16 s of CPU for 0.05 s simulated before the cap), smaller.
  const s: Scenario = {
    name: "many late",
    duration_s: 0.05,
    warmup_ms: 0,
    seed: 1,
    host: { cpus: 2, workloads: [{ kind: "stress", workers: 2 }] },
    vms: [{ name: "vm", vcpus: 2, workloads: Array.from({ length: 1000 }, () => ({ kind: "cyclictest" as const, interval_us: 500 })) }],
  };
  const r = simulate(s, "vanilla");
  const why = r.probes.map((p) => p.why!);
  const notFollowed = why.reduce((a, w) => a + (w.not_followed ?? 0), 0);
  assert.ok(notFollowed > 0, "no sample was left unfollowed");
  for (const [i, w] of why.entries()) {
    assert.equal(w.samples + w.unexplained, r.probes[i]!.latency.count);
    assert.equal(w.unexplained, w.not_followed ?? 0, `${r.probes[i]!.id}: unexplained besides the ones not followed`);
  }
  assert.ok(MAX_LATE_SAMPLES >= 8 && MAX_LATE_SAMPLES <= 64);
});

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

test("a guest cyclictest behind a guest FIFO task on its vCPU: the worst sample is guest run-queue wait, behind that task", () => {
  const s: Scenario = {
    name: "guest run-queue wait",
    seed: 11,
    duration_s: 1,
    // Two host CPUs and nothing else on the host: the vCPU thread never waits for the host.
    host: { cpus: 2, noise: false },
    vms: [
      {
        name: "vm0",
        vcpus: 1,
        pin: [1],
        workloads: [
          { kind: "cyclictest", id: "ct", interval_us: 1000, policy: "other" },
          // Not a multiple of cyclictest's interval: its 800 us bursts keep crossing the expiries.
          { kind: "periodic", id: "rtjob", period_us: 2300, work: { const_us: 800 }, policy: "fifo", priority: 50 },
        ],
      },
    ],
  };
  const r = simulate(s, "vanilla");
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

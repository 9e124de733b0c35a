/**
 * Costs as distributions, per-CPU OS noise, cpuidle and the PM QoS latency limit that
 * cyclictest holds.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Scenario, simulate } from "../../sim-core/index";
import { COST_DEFAULTS, NOISE_DEFAULTS } from "../../sim-core/params";

/** A host FIFO thread that sleeps 5 ms: the CPU is idle long enough for deep C-states. */
function sleeper(extra: Scenario["host"]["workloads"] = [], host: Partial<Scenario["host"]> = {}): Scenario {
  return {
    name: "idle",
    duration_s: 2,
    seed: 3,
    host: {
      cpus: 1,
      noise: false,
      cpuidle_states: [
        // The N4500's firmware states (coreboot soc/intel/jasperlake), as intel_idle takes them from _CST.
        { name: "C1", exit_latency_us: 1, target_residency_us: 1 },
        { name: "C7S", exit_latency_us: 253, target_residency_us: 759 },
        { name: "C10", exit_latency_us: 1048, target_residency_us: 3144 },
      ],
      workloads: [{ kind: "periodic", id: "p", period_us: 5000, work: { const_us: 20 }, policy: "fifo", priority: 50 }, ...extra],
      ...host,
    },
    modes: ["vanilla"],
  };
}

const p50 = (r: ReturnType<typeof simulate>, id: string) => r.probes.find((p) => p.id === id)!.latency.p50_us;

test("an idle CPU with C-states pays the exit latency of the state the governor chose", () => {
  const r = simulate(sleeper(), "vanilla");
  // Idle ~5 ms > C10's target residency: C10, exit latency drawn around half its declared 1048 us.
  assert.ok(p50(r, "p") > 300 && p50(r, "p") < 1048 + 20, `p50 ${p50(r, "p")}`);
});

test("a host cyclictest holds /dev/cpu_dma_latency at 0: the CPUs only poll, no exit latency", () => {
  const r = simulate(sleeper([{ kind: "cyclictest", id: "ct", interval_us: 1000, cpu: 0 }]), "vanilla");
  assert.ok(p50(r, "p") < 20, `p50 ${p50(r, "p")}`);
});

test("cyclictest --laptop does not hold the latency limit", () => {
  const r = simulate(sleeper([{ kind: "cyclictest", id: "ct", cmdline: "cyclictest --laptop -i 1000", cpu: 0 }]), "vanilla");
  assert.ok(p50(r, "p") > 100, `p50 ${p50(r, "p")}`);
});

test("costs are distributions: a lone thread's wake-up latency spreads; cost_model constant makes it exact", () => {
  const s: Scenario = {
    name: "spread",
    duration_s: 2,
    host: {
      cpus: 1,
      noise: false,
      workloads: [{ kind: "periodic", id: "p", period_us: 1000, work: { const_us: 20 }, policy: "fifo", priority: 50 }],
    },
    modes: ["vanilla"],
  };
  const l = simulate(s, "vanilla").probes[0]!.latency;
  assert.ok(l.p90_us > l.p50_us && l.p99_us >= 1.2 * l.p50_us && l.min_us <= 0.95 * l.p50_us, JSON.stringify(l).slice(0, 160));
  const c = simulate({ ...s, host: { ...s.host, cost_model: "constant" } }, "vanilla").probes[0]!.latency;
  assert.equal(c.min_us, c.p50_us);
});

test("noise: a kworker per CPU runs about once a second for tens of microseconds; noise false has none", () => {
  const s: Scenario = { name: "noise", duration_s: 20, host: { cpus: 2, workloads: [] }, modes: ["vanilla"] };
  const r = simulate(s, "vanilla");
  const kw = r.threads.filter((t) => t.name.startsWith("kworker/"));
  assert.equal(kw.length, 2);
  for (const k of kw) {
    // ~20 bursts of LN(median 20 us) each: between 100 us and 4 ms of CPU over 20 s.
    assert.ok(k.runtime_ns > 100_000 && k.runtime_ns < 4_000_000, `${k.name} ${k.runtime_ns}`);
  }
  const quiet = simulate({ ...s, host: { ...s.host, noise: false } }, "vanilla");
  assert.equal(quiet.threads.filter((t) => t.name.startsWith("kworker/")).length, 0);
  assert.ok(NOISE_DEFAULTS.kworker_hz > 0);
});

test("the cache refill is paid by a large working set (a vCPU) resuming after a hog, not by a small thread", () => {
  // A halted vCPU (boosted, so it preempts at once) wakes for a guest FIFO task every ms; the
  // same run with and without a host hog differs by exactly one refill per wake-up.
  const s = (hog: boolean): Scenario => ({
    name: "refill",
    duration_s: 1,
    host: {
      cpus: 1,
      noise: false,
      cost_model: "constant",
      kvm: { halt_poll_ns: 0 },
      workloads: hog ? [{ kind: "stress", workers: 1 }] : [],
    },
    vms: [
      {
        name: "vm",
        vcpus: 1,
        guest: { irq: { timer_handler: { const_us: 3 } } },
        workloads: [{ kind: "periodic", id: "g", period_us: 1000, work: { const_us: 20 }, policy: "fifo", priority: 50 }],
      },
    ],
    modes: ["dynamic"],
  });
  const busy = simulate(s(true), "dynamic");
  const idle = simulate(s(false), "dynamic");
  assert.equal(Math.round((p50(busy, "g") - p50(idle, "g")) * 1000), COST_DEFAULTS.cache_refill.median_ns);
  // A small host FIFO thread preempting the hog pays no refill: irq and switch only.
  const h: Scenario = {
    name: "small",
    duration_s: 1,
    host: {
      cpus: 1,
      noise: false,
      cost_model: "constant",
      workloads: [
        { kind: "stress", workers: 1 },
        { kind: "periodic", id: "p", period_us: 1000, work: { const_us: 200 }, policy: "fifo", priority: 50 },
      ],
    },
    modes: ["vanilla"],
  };
  assert.equal(p50(simulate(h, "vanilla"), "p"), (COST_DEFAULTS.hrtimer_irq.median_ns + COST_DEFAULTS.context_switch.median_ns) / 1000);
});

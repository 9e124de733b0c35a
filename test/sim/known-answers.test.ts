/**
 * Known answers of scheduling theory and of the model's own arithmetic. Each test states what
 * the kernel would do and checks the simulator against it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { simulate, type Scenario } from "../../sim-core/index";
import { COST_DEFAULTS, KERNEL_SCHED_DEFAULTS, KVM_DEFAULTS, niceToWeight } from "../../sim-core/params";

const thread = (r: ReturnType<typeof simulate>, prefix: string) => r.threads.filter((t) => t.name.startsWith(prefix));

test("a lone SCHED_FIFO thread has no queueing delay: every wakeup costs exactly the timer irq and the switch", () => {
  const s: Scenario = {
    name: "lone fifo",
    duration_s: 2,
    host: {
      cpus: 1,
      cost_model: "constant",
      noise: false,
      workloads: [{ kind: "periodic", id: "p", period_us: 1000, work: { const_us: 50 }, policy: "fifo", priority: 50 }],
    },
    modes: ["vanilla"],
  };
  const r = simulate(s, "vanilla");
  const lat = r.probes[0]!.latency;
  // hrtimer interrupt + context switch from idle, at their medians; RT gets no slack.
  const expected = (COST_DEFAULTS.hrtimer_irq.median_ns + KERNEL_SCHED_DEFAULTS.context_switch_ns) / 1000;
  assert.ok(lat.count > 1500);
  assert.equal(lat.min_us, expected);
  assert.equal(lat.p50_us, expected);
  // A tick that lands in the switch delays the first instruction by the tick's cost, no more.
  assert.ok(lat.max_us <= expected + COST_DEFAULTS.tick.median_ns / 1000, `max ${lat.max_us}`);
});

test("two nice-0 CFS hogs on one CPU share it 50/50 within 1%", () => {
  const s: Scenario = { name: "2 hogs", duration_s: 5, host: { cpus: 1, workloads: [{ kind: "stress", workers: 2, id: "hog" }] } };
  const r = simulate(s, "vanilla");
  const [a, b] = thread(r, "hog").map((t) => t.runtime_ns) as [number, number];
  const share = a / (a + b);
  assert.ok(Math.abs(share - 0.5) < 0.01, `share ${share}`);
  assert.ok(a + b > 4.9e9, "the CPU is never idle");
});

test("nice 0 against nice 5 gets 1024:335 (about 3:1), as the weight table says", () => {
  const s: Scenario = {
    name: "nice",
    duration_s: 10,
    host: {
      cpus: 1,
      workloads: [
        { kind: "stress", workers: 1, id: "n0" },
        { kind: "stress", workers: 1, id: "n5", nice: 5 },
      ],
    },
  };
  const r = simulate(s, "vanilla");
  const n0 = thread(r, "n0")[0]!.runtime_ns;
  const n5 = thread(r, "n5")[0]!.runtime_ns;
  const want = niceToWeight(0) / niceToWeight(5);
  assert.ok(Math.abs(n0 / n5 / want - 1) < 0.02, `ratio ${n0 / n5} want ${want}`);
});

test("RT throttling caps a SCHED_FIFO hog at 95% of the CPU, leaving 5% to the fair class", () => {
  const s: Scenario = {
    name: "rt throttle",
    duration_s: 10,
    host: {
      cpus: 1,
      workloads: [
        { kind: "spin", id: "rt", policy: "fifo", priority: 10 },
        { kind: "stress", workers: 1, id: "fair" },
      ],
    },
  };
  const r = simulate(s, "vanilla");
  const rt = thread(r, "rt")[0]!.runtime_ns;
  const fair = thread(r, "fair")[0]!.runtime_ns;
  const share = rt / (rt + fair);
  assert.ok(Math.abs(share - 0.95) < 0.005, `rt share ${share}`);
  assert.ok(r.cpus[0]!.rt_throttled >= 9);
});

test("with RT throttling off (rt_runtime_us = -1) a FIFO hog starves the fair class", () => {
  const s: Scenario = {
    name: "no throttle",
    duration_s: 3,
    host: {
      cpus: 1,
      sched: { rt_runtime_us: -1 },
      workloads: [
        { kind: "spin", id: "rt", policy: "fifo", priority: 10 },
        { kind: "stress", workers: 1, id: "fair" },
      ],
    },
  };
  const r = simulate(s, "vanilla");
  assert.ok(thread(r, "fair")[0]!.runtime_ns < 1e6);
});

test("a halted vCPU woken by its timer on an idle host runs after exactly the modelled costs", () => {
  const s: Scenario = {
    name: "halt wake",
    duration_s: 1,
    host: { cpus: 1, kvm: { halt_poll_ns: 0 }, cost_model: "constant", noise: false },
    vms: [
      {
        name: "vm",
        vcpus: 1,
        guest: { irq: { timer_handler: { const_us: 3 } } },
        workloads: [{ kind: "periodic", id: "g", period_us: 1000, work: { const_us: 20 }, policy: "fifo", priority: 50 }],
      },
    ],
    modes: ["vanilla"],
  };
  const r = simulate(s, "vanilla");
  const lat = r.probes[0]!.latency;
  const cs = KERNEL_SCHED_DEFAULTS.context_switch_ns;
  const k = KVM_DEFAULTS;
  const c = COST_DEFAULTS;
  // host hrtimer irq + host switch to the vCPU thread + VM entry injecting the timer interrupt
  // (no APICv) + guest timer handler (3 us) + the guest tick restarting on leaving idle (a
  // TSC-deadline write in the fastpath) + the guest's switch to the task.
  const expected =
    (c.hrtimer_irq.median_ns + cs + k.entry_ns + c.inject_without_apicv.median_ns + 3000 + c.fastpath_tsc_deadline.median_ns + cs) / 1000;
  assert.ok(lat.count > 800);
  assert.equal(lat.min_us, expected);
  assert.equal(lat.max_us, expected);
  assert.ok(r.vcpus[0]!.exits.hlt > 800, "the vCPU halts between periods");
});

test("determinism: the same scenario and seed give byte-identical results; another seed moves the tails", () => {
  const s: Scenario = {
    name: "det",
    duration_s: 2,
    seed: 7,
    host: {
      cpus: 2,
      workloads: [
        { kind: "stress", workers: 2 },
        { kind: "bursty", gap: { exp_mean_us: 3000 }, work: { exp_mean_us: 500 } },
      ],
    },
    vms: [
      {
        name: "vm",
        vcpus: 2,
        workloads: [
          { kind: "cyclictest", id: "ct", interval_us: 500 },
          { kind: "bursty", gap: { exp_mean_us: 2000 }, work: { lognormal_median_us: 300, lognormal_gsd: 3 } },
        ],
      },
    ],
  };
  const a = JSON.stringify(simulate(s, "vanilla"));
  const b = JSON.stringify(simulate(s, "vanilla"));
  assert.equal(a, b);
  const c = simulate({ ...s, seed: 8 }, "vanilla");
  const pa = JSON.parse(a).probes[0].latency;
  assert.notEqual(JSON.stringify(pa), JSON.stringify(c.probes[0]!.latency));
});

test("a guest RT task keeps running past one RT period: the guest refills its RT budget too", () => {
  const s: Scenario = {
    name: "guest rt period",
    duration_s: 5,
    warmup_ms: 0,
    host: { cpus: 1 },
    vms: [
      {
        name: "vm",
        vcpus: 1,
        workloads: [{ kind: "periodic", id: "g", period_us: 1000, work: { const_us: 600 }, policy: "fifo", priority: 10 }],
      },
    ],
  };
  const r = simulate(s, "vanilla");
  // 60% RT load never reaches the 95% cap, so every period is served.
  assert.ok(r.probes[0]!.latency.count >= 4990, `count ${r.probes[0]!.latency.count}`);
});

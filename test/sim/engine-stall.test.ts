/**
 * Zero-progress detection (issue 14): a run whose events keep scheduling each other at the same
 * nanosecond stops with stop = "no_progress" instead of looping until a wall-clock limit, and a
 * scenario that breaks sim-core's rules is refused by simulate() itself, not only by the loader.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../sim-core/engine";
import { LIMITS, ScenarioRuleError, simulate, type Scenario } from "../../sim-core/index";

test("time standing still: run() stops after the limit of events at one instant", () => {
  const e = new Engine(1000);
  let ran = 0;
  const again = () => {
    ran++;
    e.after(0, again);
  };
  e.at(5, again);
  assert.equal(e.run(100, Infinity), false);
  assert.equal(e.stalled, true);
  assert.equal(ran, 1000, "exactly the limit ran");
  assert.equal(e.now, 5);
});

test("bursts at one instant up to the limit, with time moving between them, are no stall", () => {
  const e = new Engine(1000);
  let ran = 0;
  // 1000 events at each of t = 0, 1, ..., 9: never more than the limit at one instant.
  for (let t = 0; t < 10; t++) for (let i = 0; i < 1000; i++) e.at(t, () => ran++);
  assert.equal(e.run(100, Infinity), true);
  assert.equal(e.stalled, false);
  assert.equal(ran, 10_000);
});

test("the count restarts when run() moves the clock to `until` with no event", () => {
  const e = new Engine(3);
  let ran = 0;
  e.at(10, () => ran++);
  e.at(10, () => ran++);
  assert.equal(e.run(10, Infinity), true); // two at t = 10, the clock stays at 10
  e.at(20, () => ran++);
  e.at(20, () => ran++);
  e.at(20, () => ran++);
  assert.equal(e.run(20, Infinity), true, "three at t = 20 are within the limit of 3");
  assert.equal(ran, 5);
});

test("simulate: the limit is far above what the largest accepted shape runs at one instant", () => {
  // Measured with a counter in the engine: at most 375 events at one instant (the boot at t = 0
  // of 256 CPUs, 512 vCPUs and 4 352 threads), 4-12 in the built-in scenarios.
  assert.ok(LIMITS.events_per_instant >= 1000 * 375);
});

const base: Scenario = { name: "rules", duration_s: 0.01, host: { cpus: 1 } };

test("simulate refuses a scenario that breaks sim-core's rules, naming the field", () => {
  const cases: [Scenario, RegExp][] = [
    // Issue 14's loops without events: a period that rounds to 0 ns, a zero cyclictest interval.
    [
      {
        ...base,
        host: { cpus: 1, sched: { context_switch_ns: 0 }, workloads: [{ kind: "periodic", period_us: 0.0001, work: { const_us: 0 } }] },
      },
      /^host\.workloads\.0\.period_us: must be >= 0\.001/,
    ],
    [{ ...base, host: { cpus: 1, workloads: [{ kind: "cyclictest", cmdline: "cyclictest -i 0" }] } }, /^host\.workloads\.0\.cmdline: -i 0/],
    [
      { ...base, host: { cpus: 1, workloads: [{ kind: "cyclictest", cmdline: "cyclictest -t 100000000" }] } },
      /-t 100000000: must be <= 4096/,
    ],
    [{ ...base, vms: [{ name: "g", vcpus: 1, guest: { irq: { nmi_hz: 1e15 } } }] }, /^vms\.0\.guest\.irq\.nmi_hz: must be <= 100000/],
  ];
  for (const [s, message] of cases) {
    assert.throws(
      () => simulate(s, "vanilla"),
      (e: unknown) => e instanceof ScenarioRuleError && message.test(e.message),
      JSON.stringify(s.host),
    );
  }
  assert.equal(simulate(base, "vanilla").stop, "done");
});

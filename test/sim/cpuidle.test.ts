/**
 * cpuidle on a host CPU (sim-core/sched/cpuidle.ts) against the rules it models from
 * drivers/cpuidle: the governor takes the deepest state whose target residency fits the
 * predicted idle time and whose exit latency fits the PM QoS limit (none at a limit of 0, as
 * menu_select() returns the polling state for latency_req == 0); the prediction is an average
 * of past idle durations weighted 1/8 for the newest; leaving a state costs its exit latency,
 * drawn log-normal (gsd 1.4) around half the declared worst case and capped at it. Every
 * expected value below is worked by hand from those rules.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../sim-core/rng";
import type { CpuidleState } from "../../sim-core/scenario";
import { CpuIdle } from "../../sim-core/sched/cpuidle";
import { Task } from "../../sim-core/sched/task";
import { MS, US, world } from "./world";

/** The N4500's firmware states (coreboot soc/intel/jasperlake), as intel_idle takes them from _CST. */
const N4500: CpuidleState[] = [
  { name: "C1", exit_latency_us: 1, target_residency_us: 1 },
  { name: "C7S", exit_latency_us: 253, target_residency_us: 759 },
  { name: "C10", exit_latency_us: 1048, target_residency_us: 3144 },
];

/** One idle period from `at` lasting `ns`: the state the governor picked (or null) and the exit cost. */
function idleFor(c: CpuIdle, at: number, ns: number): { state: string | null; exitNs: number } {
  const before = [...c.entries];
  c.enter(at);
  const k = c.entries.findIndex((n, i) => n !== before[i]);
  return { state: k < 0 ? null : N4500[k]!.name, exitNs: c.exit(at + ns) };
}

test("the governor: deepest state whose target residency fits the prediction (1/8-weighted average of idle times)", () => {
  const c = new CpuIdle(N4500, () => Number.POSITIVE_INFINITY, null);
  // Nothing predicted yet (0 us): every state's residency is longer, so the CPU only polls.
  assert.deepEqual(idleFor(c, 0, 6_072_000), { state: null, exitNs: 0 });
  // 0 + (6072 us - 0) / 8 = 759 us: exactly C7S's target residency, which fits.
  assert.deepEqual(idleFor(c, 10 * MS, 19 * MS), { state: "C7S", exitNs: 126_500 });
  // 759 + (19000 - 759) / 8 = 3039.125 us < 3144: C7S again (not C10).
  assert.deepEqual(idleFor(c, 40 * MS, 40 * MS), { state: "C7S", exitNs: 126_500 });
  // 3039.125 + (40000 - 3039.125) / 8 = 7659.2 us: C10; its exit is half of 1048 us without a draw.
  assert.deepEqual(idleFor(c, 100 * MS, 1 * MS), { state: "C10", exitNs: 524_000 });
  // 7659.234 + (1000 - 7659.234) / 8 = 6826.8 us: still C10.
  assert.equal(idleFor(c, 200 * MS, 1 * MS).state, "C10");
  assert.deepEqual(c.entries, [0, 2, 2]);
});

test("an exit without an entry costs nothing and teaches the prediction nothing", () => {
  const c = new CpuIdle(N4500, () => Number.POSITIVE_INFINITY, null);
  // A CPU that never went idle (a wake-up at boot): nothing learnt, so the next idle only polls.
  assert.equal(c.exit(50 * MS), 0);
  assert.deepEqual(idleFor(c, 60 * MS, 6_072_000), { state: null, exitNs: 0 });
  // Left idle already: a second exit, long after, is not an idle period.
  assert.equal(c.exit(500 * MS), 0);
  // The prediction is still 759 us: C7S, not C10 (a 500 ms period would have made it 62 ms).
  assert.equal(idleFor(c, 600 * MS, 1 * MS).state, "C7S");
});

test("the PM QoS limit: no state whose exit latency exceeds it, and only polling at 0", () => {
  let qos = 0;
  const c = new CpuIdle(N4500, () => qos, null);
  // Train the prediction past every residency: 80 ms / 8 = 10 ms.
  idleFor(c, 0, 80 * MS);
  assert.deepEqual(idleFor(c, 100 * MS, 80 * MS), { state: null, exitNs: 0 }, "cyclictest's 0: polling");
  qos = 1048;
  assert.equal(idleFor(c, 200 * MS, 80 * MS).state, "C10", "a limit equal to the exit latency admits it");
  qos = 1047;
  assert.equal(idleFor(c, 300 * MS, 80 * MS).state, "C7S");
  qos = 253;
  assert.equal(idleFor(c, 400 * MS, 80 * MS).state, "C7S");
  qos = 252;
  assert.equal(idleFor(c, 500 * MS, 80 * MS).state, "C1");
  assert.deepEqual(c.entries, [1, 2, 1]);
});

test("the exit latency's draw: log-normal, median half the declared 253 us, gsd 1.4, capped at 253 us", () => {
  // One state that always fits (residency 0), so every idle period enters it.
  const c = new CpuIdle(
    [{ name: "C7S", exit_latency_us: 253, target_residency_us: 0 }],
    () => Number.POSITIVE_INFINITY,
    new Rng(7, "cpuidle-test"),
  );
  const n = 20_000;
  const draws: number[] = [];
  for (let i = 0; i < n; i++) draws.push(idleFor(c, i * MS, 100 * US).exitNs);
  assert.equal(c.entries[0], n);
  assert.ok(
    draws.every((d) => Number.isInteger(d) && d > 0 && d <= 253_000),
    "integer ns within (0, 253 us]",
  );
  const share = (p: (d: number) => boolean) => draws.filter(p).length / n;
  // Median 126.5 us: half the draws on each side.
  assert.ok(Math.abs(share((d) => d < 126_500) - 0.5) < 0.02, `below the median ${share((d) => d < 126_500)}`);
  // P(Z > 1) = 15.9 % above median x 1.4.
  assert.ok(Math.abs(share((d) => d > 177_100) - 0.159) < 0.015, `above median x gsd ${share((d) => d > 177_100)}`);
  // At the cap: P(Z > ln 2 / ln 1.4 = 2.06) = 2.0 %.
  assert.ok(Math.abs(share((d) => d === 253_000) - 0.0197) < 0.006, `at the cap ${share((d) => d === 253_000)}`);
});

/** A host thread that runs 50 us when woken, then blocks; it is woken at `at` from outside. */
function wakeLatency(states: CpuidleState[] | null, at: number): number {
  const w = world(1);
  const [c0] = w.host.cpus;
  if (states) {
    const idle = new CpuIdle(states, () => w.host.qosLatencyUs, null);
    // One 6072 us idle period (times are differences): the prediction is 759 us (C7S fits, C10 does not).
    idle.enter(0);
    idle.exit(6_072_000);
    c0!.idle = idle;
  }
  const t = new Task("t", { burstEnd: (x) => x.cpu!.sleepCurr() });
  t.remaining = 50 * US;
  w.host.addTask(t, 0, undefined);
  w.host.wakeTask(t);
  w.runTo(at - 1);
  assert.ok(!t.onRq, "asleep, the CPU idle");
  let latency = -1;
  t.onWakeLatency = (ns) => {
    latency = ns;
  };
  w.eng.at(at, () => {
    t.remaining = 50 * US;
    t.wakeTarget = at;
    w.host.wakeTask(t);
  });
  w.runTo(at + 2 * MS);
  assert.ok(latency >= 0, "it ran");
  return latency;
}

test("a wake-up on an idle CPU in C7S starts after the state's exit latency; without C-states at once", () => {
  const plain = wakeLatency(null, 5 * MS);
  // C7S's exit (half of 253 us, no draw with constant costs) comes before the context switch.
  assert.equal(wakeLatency(N4500, 5 * MS) - plain, 126_500);
  // The state is left only once: the same wake-up of a CPU that polled (no state fits) costs nothing more.
  assert.equal(wakeLatency([{ name: "C10", exit_latency_us: 1048, target_residency_us: 3144 }], 5 * MS), plain);
});

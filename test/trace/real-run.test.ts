/** A real trace's latencies as a run beside a simulated one (trace/probes.ts realTraceRun). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { realTraceRun, simulatedWakeups } from "../../trace/probes";
import { fakeProbe, fakeRun } from "../report/fake-runs";

test("the real run takes the simulated run's scenario and probe, with its own samples' statistics", () => {
  const sim = fakeRun({ scenario: "s", mode: "vanilla", probes: [fakeProbe({ id: "ct", side: "host", avg: 5, max: 9 })] });
  const us = Float64Array.from([10, 20, 30, 40]);
  const r = realTraceRun(sim, "ct", us, 2e9, 123);
  assert.equal(r.scenario, "s", "one scenario: the panel draws the two side by side");
  assert.equal(r.mode, "real trace");
  assert.deepEqual([r.simulated_ns, r.events], [2e9, 123]);
  const p = r.probes[0]!;
  assert.deepEqual([p.id, p.side], ["ct", "host"]);
  assert.deepEqual([p.latency?.count, p.latency?.min_us, p.latency?.avg_us, p.latency?.max_us], [4, 10, 25, 40]);
});

test("simulated wake-ups are read from the timeline's anchors of that probe only, ascending", () => {
  const sim = fakeRun({ scenario: "s", mode: "vanilla", probes: [] });
  (sim as { timeline?: unknown }).timeline = {
    anchors: { probe: [0, 1, 0], wake_ns: [0, 0, 1000], run_ns: [5000, 7000, 3000] },
  };
  assert.deepEqual([...simulatedWakeups(sim, 0)], [2, 5]);
  assert.deepEqual([...simulatedWakeups(fakeRun({ scenario: "s", mode: "v", probes: [] }), 0)], [], "no timeline: none");
});

/**
 * Interim results (SimOptions.checkpointsNs, issue 13): what a run reports at a checkpoint of
 * simulated time is what a run of exactly that duration reports, and pausing at checkpoints
 * leaves the final results byte-identical.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadScenario } from "../../scenario-loader/index";
import { simulate, type InterimResult, type ProbeResult, type Scenario } from "../../sim-core/index";

const ROOT = join(__dirname, "..", "..");

/** The seed's busy-500 cyclictest scenario, shortened so a test runs in a few seconds. */
function busy500(durationS: number): Scenario {
  const name = "cyclictest-busy-500.pvsched.yaml";
  const loaded = loadScenario(readFileSync(join(ROOT, "scenarios/seed", name), "utf8"), name);
  if (!loaded.ok) throw new Error(loaded.errors[0]!.message);
  return { ...loaded.scenario, duration_s: durationS };
}

/** A probe as an interim result has it: the latency parts (`why`) are only complete at the end. */
const withoutWhy = (ps: ProbeResult[]) => ps.map(({ why: _w, ...p }) => p);

test("a checkpoint reports what a run stopped at that simulated time reports; the final results do not change", () => {
  const s = busy500(0.6);
  // Two checkpoints to compare, and many more at odd times (some fall while a latency sample is
  // being measured, or between the events of one instant's work).
  const dense = Array.from({ length: 500 }, (_, i) => 0.21e9 + i * 337_003);
  const asked = [0.4e9, 0.2e9, 0.6e9, 5e9, ...dense];
  const snaps: InterimResult[] = [];
  const full = simulate(s, "dynamic", { checkpointsNs: asked, onCheckpoint: (r) => snaps.push(r) });
  assert.equal(JSON.stringify(full), JSON.stringify(simulate(s, "dynamic")), "pausing at checkpoints changed the final results");
  // In time order, once each; the end and times past it are not checkpoints.
  assert.deepEqual(
    snaps.map((r) => r.simulated_ns),
    [0.2e9, ...dense, 0.4e9].sort((a, b) => a - b),
  );
  for (const at of [0.2e9, 0.4e9]) {
    const snap = snaps.find((r) => r.simulated_ns === at)!;
    const stopped = simulate({ ...s, duration_s: at / 1e9 }, "dynamic");
    assert.ok(
      snap.probes.some((p) => p.latency.count > 0),
      "the checkpoint measured nothing",
    );
    assert.deepEqual(snap.probes, withoutWhy(stopped.probes), `probes at ${at} ns`);
    assert.deepEqual(snap.mechanisms, stopped.mechanisms);
    assert.equal(snap.events, stopped.events);
    assert.equal(snap.duration_ns, full.duration_ns);
  }
});

test("vanilla has no mechanism counters at a checkpoint, as in its results", () => {
  const snaps: InterimResult[] = [];
  simulate(busy500(0.3), "vanilla", { checkpointsNs: [0.2e9], onCheckpoint: (r) => snaps.push(r) });
  assert.equal(snaps.length, 1);
  assert.equal(snaps[0]!.mechanisms, undefined);
});

/** Replicated runs compared mode by mode (report/effects.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compareModes, effectText, metricValue } from "../../report/effects";
import type { RunResult } from "../../sim-core/index";
import { fakeProbe, fakeRun } from "./fake-runs";

function run(mode: string, seed: number, avg: number, max: number, glitches?: number): RunResult {
  const p = fakeProbe({ id: "g", side: "guest", avg, max, count: 10, glitches });
  return fakeRun({ scenario: "s", mode, seed, probes: [p], ns: 1 });
}

test("effects pair the replications by seed, whatever order the runs come in", () => {
  // vanilla at seeds 1, 2, 3: avg 10, 20, 30; dynamic: 12, 22, 32 -> every difference is +2.
  const runs = [
    run("dynamic", 3, 32, 100),
    run("vanilla", 1, 10, 50),
    run("dynamic", 1, 12, 90),
    run("vanilla", 2, 20, 50),
    run("vanilla", 3, 30, 50),
    run("dynamic", 2, 22, 110),
  ];
  const c = compareModes(runs, "vanilla");
  assert.deepEqual(c.modes, ["dynamic", "vanilla"]);
  assert.equal(c.replications, 3);
  const p = c.probes[0]!;
  assert.equal(p.byMode.vanilla!.avg_us!.mean, 20);
  assert.deepEqual(p.effects.dynamic!.avg_us, { mean: 2, ci95: [2, 2], significant: true, replications: 3 });
  // Unpaired, the same numbers would be 22 - 20 with a wide interval; paired, the seeds' shared level cancels.
  assert.equal(p.effects.vanilla, undefined, "no effect of the baseline against itself");
  assert.deepEqual(p.byMode.dynamic!.max_us!.band10_90, [92, 108]); // 90, 100, 110: 90 + 0.2 * 10 and 100 + 0.8 * 10
  assert.equal(p.byMode.dynamic!.avg_us!.band10_90, undefined);
});

test("metric values: nothing measured is null, glitches only for audio", () => {
  const a = run("m", 1, 5, 9);
  assert.equal(metricValue(a.probes[0], "max_us"), 9);
  assert.equal(metricValue(a.probes[0], "glitches"), null);
  assert.equal(metricValue(run("m", 1, 5, 9, 4).probes[0], "glitches"), 4);
  assert.equal(metricValue({ ...a.probes[0]!, latency: { ...a.probes[0]!.latency, count: 0 } }, "avg_us"), null);
  assert.equal(metricValue(undefined, "avg_us"), null);
});

test("an effect in words: its interval when significant, otherwise no significant effect", () => {
  const f = (x: number) => x.toFixed(0);
  assert.equal(effectText({ mean: -900, ci95: [-1099, -701], significant: true, replications: 3 }, f), "-900 [-1099, -701]");
  assert.equal(effectText({ mean: 5, ci95: [-1, 11], significant: false, replications: 3 }, f), "no significant effect");
  assert.equal(effectText({ mean: 5, ci95: null, significant: false, replications: 1 }, f), "no significant effect");
  assert.equal(effectText(undefined, f), "n/a");
});

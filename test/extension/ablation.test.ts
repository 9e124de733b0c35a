/** The per-hunk ablation's modes and its lens summary (extension/ablation.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ablationModes, ablationScenario, loadWord, pctChange, summarizeAblation } from "../../extension/ablation";
import type { ProbeResult, RunResult } from "../../sim-core/results";
import type { Scenario } from "../../sim-core/scenario";

function probe(id: string, side: "guest" | "host", avg: number, max: number, count = 100): ProbeResult {
  return {
    id,
    side,
    kind: "cyclictest",
    latency: {
      count,
      min_us: 1,
      avg_us: avg,
      max_us: max,
      p50_us: avg,
      p90_us: avg,
      p99_us: max,
      p999_us: max,
      histogram: { edges_us: [], counts: [] },
    },
  };
}
function run(mode: string, probes: ProbeResult[], scenario = "cyclictest-busy-500"): RunResult {
  return {
    scenario,
    mode,
    seed: 1,
    simulated_ns: 1e9,
    duration_ns: 1e9,
    stop: "done",
    events: 1,
    probes,
    vcpus: [],
    cpus: [],
    threads: [],
  };
}

test("three modes: dynamic, dynamic without the mechanism, vanilla", () => {
  const m = ablationModes("lazy_boost");
  assert.deepEqual(
    m.map((x) => x.name),
    ["dynamic", "dynamic without lazy_boost", "vanilla"],
  );
  assert.deepEqual(m[1]!.mechanisms, { lazy_boost: false });
  assert.equal(m[0]!.mechanisms, undefined);
});

test("the ablation scenario replaces the modes and can be shortened, keeping a warm-up shorter than the run", () => {
  const base: Scenario = { name: "b", duration_s: 90, warmup_ms: 5000, host: { cpus: 4 }, modes: ["static"] };
  const s = ablationScenario(base, "boost_on_inject", 2);
  assert.equal(s.duration_s, 2);
  assert.ok((s.warmup_ms ?? 0) < 2000);
  assert.equal(s.modes?.length, 3);
  assert.equal(base.duration_s, 90, "the base scenario is not mutated");
  assert.equal(ablationScenario(base, "boost_on_inject", 0).duration_s, 90);
});

test("signed percentages", () => {
  assert.equal(pctChange(1000, 70), "\u221293%");
  assert.equal(pctChange(100, 112), "+12%");
  assert.equal(pctChange(100, 100.2), "±0%");
  assert.equal(pctChange(0, 5), "n/a");
  assert.equal(pctChange(6587, 14.4), "\u221299.7%");
  assert.equal(pctChange(100, 0), "\u2212100%");
});

test("the summary compares the guest probe with and without the mechanism", () => {
  const runs = [
    run("dynamic", [probe("host-cyclictest", "host", 6, 2000), probe("guest-cyclictest", "guest", 21, 13978)]),
    run("dynamic without boost_on_inject", [probe("host-cyclictest", "host", 6, 2100), probe("guest-cyclictest", "guest", 800, 200000)]),
    run("vanilla", [probe("guest-cyclictest", "guest", 887, 216835)]),
  ];
  assert.equal(summarizeAblation(runs, "boost_on_inject"), "busy guest max \u221293%, avg \u221297%");
});

test("no summary when a run or its samples are missing", () => {
  assert.equal(summarizeAblation([run("dynamic", [probe("g", "guest", 1, 2)])], "lazy_boost"), undefined);
  const empty = [run("dynamic", [probe("g", "guest", 1, 2, 0)]), run("dynamic without lazy_boost", [probe("g", "guest", 1, 2, 0)])];
  assert.equal(summarizeAblation(empty, "lazy_boost"), undefined);
});

test("load word from the scenario name", () => {
  assert.equal(loadWord("cyclictest-busy-500"), "busy");
  assert.equal(loadWord("audio-noload-96"), "noload");
  assert.equal(loadWord("custom"), "");
});

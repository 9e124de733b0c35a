/** The ablation's modes, its lens summary and the CLI's table (report/ablation.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ablationJson,
  ablationModes,
  ablationScenario,
  ALL_MECHANISMS,
  loadWord,
  pctChange,
  summarizeAblation,
} from "../../report/ablation";
import type { ProbeResult, RunResult } from "../../sim-core/results";
import type { Scenario } from "../../sim-core/scenario";
import { fakeProbe, fakeRun } from "./fake-runs";

function probe(id: string, side: "guest" | "host", avg: number, max: number, count = 100): ProbeResult {
  return fakeProbe({ id, side, avg, max, count });
}
function run(mode: string, probes: ProbeResult[], scenario = "cyclictest-busy-500", seed = 1): RunResult {
  return fakeRun({ scenario, mode, seed, probes });
}

test("the lens's three modes: dynamic, dynamic without the mechanism, vanilla", () => {
  const m = ablationModes(["lazy_boost"], { vanilla: true });
  assert.deepEqual(
    m.map((x) => x.name),
    ["dynamic", "dynamic without lazy_boost", "vanilla"],
  );
  assert.deepEqual(m[1]!.mechanisms, { lazy_boost: false });
  assert.equal(m[0]!.mechanisms, undefined);
  assert.equal(m[2]!.mode, "vanilla");
});

test("the CLI's modes: dynamic, then without each mechanism, with the same labels as the lens", () => {
  const m = ablationModes(ALL_MECHANISMS);
  assert.equal(m.length, ALL_MECHANISMS.length + 1);
  assert.equal(m[3]!.name, `dynamic without ${ALL_MECHANISMS[2]}`);
  assert.deepEqual(m[3]!.mechanisms, { [ALL_MECHANISMS[2]!]: false });
  assert.ok(!m.some((x) => x.mode === "vanilla"));
});

test("the ablation scenario replaces the modes and can be shortened, keeping a warm-up shorter than the run", () => {
  const base: Scenario = { name: "b", duration_s: 90, warmup_ms: 5000, host: { cpus: 4 }, modes: ["static"] };
  const s = ablationScenario(base, ablationModes(["boost_on_inject"], { vanilla: true }), 2);
  assert.equal(s.duration_s, 2);
  assert.ok((s.warmup_ms ?? 0) < 2000);
  assert.equal(s.modes?.length, 3);
  assert.equal(base.duration_s, 90, "the base scenario is not mutated");
  assert.equal(ablationScenario(base, [], 0).duration_s, 90);
});

test("signed percentages", () => {
  assert.equal(pctChange(1000, 70), "\u221293%");
  assert.equal(pctChange(100, 112), "+12%");
  // Under half a percent: one significant digit, so that a significant effect never reads as none.
  assert.equal(pctChange(100, 100.2), "+0.2%");
  assert.equal(pctChange(1000, 999.957), "\u22120.004%");
  assert.equal(pctChange(100, 100.0000001), "±0%");
  assert.equal(pctChange(100, 100), "±0%");
  assert.equal(pctChange(100, 100.6), "+1%");
  assert.equal(pctChange(0, 5), "n/a");
  assert.equal(pctChange(6587, 14.4), "\u221299.7%");
  assert.equal(pctChange(100, 0), "\u2212100%");
});

/** Three replications (seeds 1-3) of the lens's three modes. */
function replicated(withMax: number[], withoutMax: number[], withAvg: number[], withoutAvg: number[]): RunResult[] {
  return [1, 2, 3].flatMap((seed, i) => [
    run(
      "dynamic",
      [probe("host-cyclictest", "host", 6, 2000), probe("guest-cyclictest", "guest", withAvg[i]!, withMax[i]!)],
      undefined,
      seed,
    ),
    run("dynamic without boost_on_inject", [probe("guest-cyclictest", "guest", withoutAvg[i]!, withoutMax[i]!)], undefined, seed),
    run("vanilla", [probe("guest-cyclictest", "guest", 887, 216835)], undefined, seed),
  ]);
}

test("the lens summary: the paired effect of turning the mechanism on, with its interval", () => {
  // max: without 1000, 1100, 900 (mean 1000); with 100, 120, 80: differences -900, -980, -820,
  // mean -900, s = 80, se = 46.188, t(0.975, 2) = 4.30265: half 198.7 -> [-1098.7, -701.3],
  // relative to 1000: -90% [-110%, -70%]. avg: differences +1, -1, +3 (mean +1, s = 2): no effect.
  const runs = replicated([100, 120, 80], [1000, 1100, 900], [21, 20, 23], [20, 21, 20]);
  assert.equal(summarizeAblation(runs, "boost_on_inject"), "busy guest max \u221290% [\u2212110%, \u221270%]");
  // Nothing significant: the lens says so, with the number of replications.
  const flat = replicated([1000, 900, 1100], [1000, 1100, 900], [20, 21, 20], [21, 20, 21]);
  assert.equal(summarizeAblation(flat, "boost_on_inject"), "busy guest: no significant effect (3 replications)");
  // One replication has no interval: never an effect, however large the difference.
  const one = runs.filter((r) => r.seed === 1);
  assert.equal(summarizeAblation(one, "boost_on_inject"), "busy guest: no significant effect (1 replication)");
});

test("a provisional summary says how far the runs got: a point estimate from one replication, intervals from more", () => {
  const runs = replicated([100, 120, 80], [1000, 1100, 900], [21, 20, 23], [20, 21, 20]);
  const one = runs.filter((r) => r.seed === 1);
  // max 1000 -> 100 is -90%, avg 20 -> 21 is +5%: the change so far, with no interval yet.
  assert.equal(
    summarizeAblation(one, "boost_on_inject", { simulatedS: 2 }),
    "after 2 s simulated, 1 replication: busy guest max \u221290%, avg +5%, refining",
  );
  assert.equal(
    summarizeAblation(runs, "boost_on_inject", { simulatedS: 4.5 }),
    "after 4.5 s simulated, 3 replications: busy guest max \u221290% [\u2212110%, \u221270%], refining",
  );
  const flat = replicated([1000, 900, 1100], [1000, 1100, 900], [20, 21, 20], [21, 20, 21]);
  assert.equal(
    summarizeAblation(flat, "boost_on_inject", { simulatedS: 6 }),
    "after 6 s simulated, 3 replications: busy guest: no significant effect yet, refining",
  );
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

test("the CLI's table: per probe, each removed mechanism's effect against dynamic, paired by seed", () => {
  const runs = [1, 2].flatMap((seed, i) => [
    run("dynamic", [probe("guest-cyclictest", "guest", 21, 13978 + i)], undefined, seed),
    run("dynamic without lazy_boost", [probe("guest-cyclictest", "guest", 30 + 2 * i, 15000 + i)], undefined, seed),
    run("dynamic without sync_unboost", [], undefined, seed),
  ]);
  const j = ablationJson(runs, ["lazy_boost", "sync_unboost"]);
  assert.equal(j.baseline, "dynamic");
  assert.equal(j.replications, 2);
  assert.deepEqual(
    j.ablations.map((a) => [a.mechanism, a.patch, a.mode]),
    [
      ["lazy_boost", 3, "dynamic without lazy_boost"],
      ["sync_unboost", 3, "dynamic without sync_unboost"],
    ],
  );
  assert.equal(j.probes[0]!.baseline!.avg_us!.mean, 21);
  // max differences 1022 and 1022: no spread, so the interval is [1022, 1022] and excludes zero.
  assert.deepEqual(j.probes[0]!.delta.lazy_boost!.max_us, { mean: 1022, ci95: [1022, 1022], significant: true, replications: 2 });
  // avg differences 9 and 11: mean 10, s = 1.414, se = 1, t(0.975, 1) = 12.706: [-2.7, 22.7], no effect.
  const avg = j.probes[0]!.delta.lazy_boost!.avg_us!;
  assert.equal(avg.mean, 10);
  assert.ok(Math.abs(avg.ci95![0] + 2.706) < 0.001 && Math.abs(avg.ci95![1] - 22.706) < 0.001);
  assert.equal(avg.significant, false);
  assert.equal(j.probes[0]!.delta.sync_unboost, null, "a probe the ablated runs lack has no effect");
});

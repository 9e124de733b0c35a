/**
 * The hunk lens's ablation (extension/ablation.ts): the order its runs start in, and the
 * provisional answer from interim results while they go on (issue 13).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { AblationProgress, hunkAblationTasks, WARM_UP, warmUpTasks } from "../../extension/ablation";
import type { InterimResult, ProbeResult, RunResult } from "../../sim-core/results";
import type { Scenario } from "../../sim-core/scenario";
import { fakeProbe, fakeRun } from "../report/fake-runs";

const base: Scenario = { name: "cyclictest-busy-500", seed: 7, duration_s: 90, host: { cpus: 4 } };
const WITHOUT = "dynamic without lazy_boost";

test("replication 1's runs with and without the mechanism come first, then vanilla, then each further replication", () => {
  const tasks = hunkAblationTasks(base, { mechanism: "lazy_boost", durationS: 10, replications: 3 });
  assert.deepEqual(
    tasks.map((t) => `${t.mode.name}@${t.scenario.seed}`),
    ["dynamic@7", `${WITHOUT}@7`, "vanilla@7", "dynamic@8", `${WITHOUT}@8`, "vanilla@8", "dynamic@9", `${WITHOUT}@9`, "vanilla@9"],
  );
  for (const t of tasks) {
    assert.equal(t.scenario.duration_s, 10);
    assert.equal(t.timeline, undefined, "the scenario's timeline.enabled decides (off unless it asks)");
  }
});

test("the warm-up: the runs with and without the mechanism, several short ones, no vanilla", () => {
  const tasks = warmUpTasks(base, "lazy_boost");
  assert.deepEqual(
    tasks.map((t) => `${t.mode.name}@${t.scenario.seed}`),
    ["dynamic@7", `${WITHOUT}@7`, "dynamic@8", `${WITHOUT}@8`, "dynamic@9", `${WITHOUT}@9`],
  );
  assert.equal(WARM_UP.replications, 3);
  for (const t of tasks) assert.equal(t.scenario.duration_s, WARM_UP.seconds);
});

const guest = (avg: number, max: number): ProbeResult => fakeProbe({ id: "guest-cyclictest", side: "guest", avg, max });
const interim = (atS: number, p: ProbeResult): InterimResult => ({ simulated_ns: atS * 1e9, duration_ns: 10e9, events: 1, probes: [p] });
const final = (mode: string, seed: number, p: ProbeResult): RunResult => ({
  ...fakeRun({ scenario: base.name, mode, seed, probes: [p], ns: 10e9 }),
});

test("the provisional answer: none until replication 1 has both runs, then the least advanced of them, then finals", () => {
  const tasks = hunkAblationTasks(base, { mechanism: "lazy_boost", durationS: 10, replications: 2 });
  const p = new AblationProgress(tasks, "lazy_boost");
  assert.equal(p.provisional(), undefined);
  p.interim(0, interim(4, guest(20, 100)));
  p.interim(2, interim(2, guest(900, 9000))); // vanilla does not count for the lens
  assert.equal(p.provisional(), undefined, "the run without the mechanism has measured nothing yet");
  p.interim(1, interim(2, guest(21, 1000)));
  const first = p.provisional()!;
  assert.equal(first.summary, "after 2 s simulated, 1 replication: busy guest max \u221290%, avg \u22125%, refining");
  assert.deepEqual(
    first.runs.map((r) => `${r.mode}@${r.seed}:${r.stop}:${r.simulated_ns / 1e9}`),
    ["dynamic@7:running:4", `${WITHOUT}@7:running:2`, "vanilla@7:running:2"],
  );
  assert.match(first.note, /^Provisional: 0 of 6 runs finished/);
  // Replication 2 counts once both of its runs have measured something.
  p.result(0, final("dynamic", 7, guest(20, 100)));
  p.result(1, final(WITHOUT, 7, guest(21, 1000)));
  p.interim(3, interim(2, guest(20, 110)));
  assert.match(p.provisional()!.summary, /^after 10 s simulated, 1 replication:/, "replication 1 has finished; 2 is not paired yet");
  p.interim(4, interim(6, guest(21, 1100)));
  assert.match(p.provisional()!.summary, /^after 2 s simulated, 2 replications:/, "replication 2's run with it is 2 s in");
  // A late interim never replaces a final result.
  p.interim(0, interim(8, guest(5000, 50000)));
  assert.equal(p.provisional()!.runs[0]!.stop, "done");
  assert.match(p.provisional()!.note, /^Provisional: 2 of 6 runs finished/);
});

test("stopped before the end: the runs so far, said to be final as they are; nothing if nothing was measured", () => {
  const tasks = hunkAblationTasks(base, { mechanism: "lazy_boost", durationS: 10, replications: 2 });
  const p = new AblationProgress(tasks, "lazy_boost");
  assert.equal(p.stopped("cancelled"), undefined);
  p.result(0, final("dynamic", 7, guest(20, 100)));
  p.interim(1, interim(4, guest(21, 1000)));
  const s = p.stopped("cancelled")!;
  assert.deepEqual(
    s.runs.map((r) => `${r.mode}:${r.stop}`),
    ["dynamic:done", `${WITHOUT}:running`],
  );
  assert.equal(
    s.note,
    "Cancelled before the end: 1 of 6 runs finished, the others are shown as far as they got; these numbers will not be refined.",
  );
  assert.match(p.stopped("failed")!.note, /^Failed before the end: 1 of 6/);
  // Not the provisional note, which the panel and the tests read as "still refining".
  assert.doesNotMatch(s.note, /^Provisional/);
});

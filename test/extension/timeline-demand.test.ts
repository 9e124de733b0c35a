/**
 * Timelines on demand (extension/timeline-demand.ts, issue 13): a scenario's runs made without
 * their timelines are recorded later by running the same tasks again with the recorder on, which
 * gives the same numbers plus the timelines; what cannot be run again says why. Real runs of a
 * small scenario, through the runner's executeTask as the pool runs them.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { isWebviewToHost, payloadProblem, type ResultsPayload } from "../../common/protocol";
import { timelineTasks, withTimelines } from "../../extension/timeline-demand";
import { DEFAULT_LIMITS, executeTask } from "../../runner/index";
import { loadScenario } from "../../scenario-loader/index";
import { type ModeSpec, resolveModes, type RunResult } from "../../sim-core/index";

const TEXT = `name: on demand
seed: 7
duration_s: 0.2
host:
  cpus: 2
  workloads:
    - { kind: stress, workers: 1 }
vms:
  - name: vm0
    vcpus: 2
    workloads:
      - { kind: cyclictest, id: guest-cyclictest, interval_us: 1000 }
modes:
  - vanilla
  - { name: no lazy boost, mode: dynamic, mechanisms: { lazy_boost: false } }
`;

/** `modes` (the scenario's own, unless given) run as Run Scenario runs them: no timeline. */
function shown(text = TEXT, modes?: ModeSpec[]): ResultsPayload {
  const loaded = loadScenario(text, "on-demand.pvsched.yaml");
  assert.ok(loaded.ok);
  const s = loaded.scenario;
  const specs = modes ?? resolveModes(s);
  const runs = specs.map((mode) => executeTask({ scenario: s, mode, timeline: false }, { limits: DEFAULT_LIMITS }));
  return { title: s.name, source: { kind: "scenario" }, runs, scenarioText: text, timelineOnDemand: { modes: specs } };
}

const record = (p: ResultsPayload): RunResult[] => {
  const tasks = timelineTasks(p);
  assert.ok(Array.isArray(tasks), String(tasks));
  return tasks.map((t) => executeTask(t, { limits: DEFAULT_LIMITS }));
};

test("the recorded runs are the runs shown, with their timelines: the same numbers, no note, no longer on demand", () => {
  const p = shown();
  assert.ok(p.runs.every((r) => r.timeline === undefined));
  const tasks = timelineTasks(p);
  assert.ok(Array.isArray(tasks));
  assert.deepEqual(
    tasks.map((t) => [t.mode.name ?? t.mode.mode, t.scenario.seed, t.timeline]),
    [
      ["vanilla", 7, true],
      ["no lazy boost", 7, true],
    ],
  );
  const q = withTimelines(p, record(p));
  assert.equal(q.timelineOnDemand, undefined);
  assert.equal(q.notes, undefined);
  assert.equal(payloadProblem(q), undefined);
  q.runs.forEach((r, i) => {
    assert.ok(r.timeline, `${r.mode} has its timeline`);
    const before = p.runs[i]!;
    assert.equal(r.mode, before.mode);
    assert.equal(r.events, before.events);
    assert.deepEqual(
      r.probes.map((x) => x.latency),
      before.probes.map((x) => x.latency),
    );
  });
});

test("a run's seed is its own: a replication's run is recorded at its seed, not the scenario's", () => {
  const p = shown();
  const moved = { ...p, runs: p.runs.map((r) => ({ ...r, seed: 8 })) };
  const tasks = timelineTasks(moved);
  assert.ok(Array.isArray(tasks));
  assert.deepEqual(
    tasks.map((t) => t.scenario.seed),
    [8, 8],
  );
});

test("numbers that moved since (results from an older simulator) are shown new, with a note naming the runs", () => {
  const p = shown();
  const recorded = record(p);
  const older = { ...p, runs: p.runs.map((r, i) => (i === 1 ? { ...r, events: r.events + 1, probes: r.probes.slice(1) } : r)) };
  const q = withTimelines(older, recorded);
  assert.equal(q.notes?.length, 1);
  assert.match(q.notes![0]!, /ran no lazy boost again and got other numbers/);
  assert.equal(q.runs[1], recorded[1]);
});

test("results that cannot be run again say why", () => {
  const p = shown();
  assert.match(String(timelineTasks({ ...p, timelineOnDemand: undefined })), /not made to record/);
  assert.match(String(timelineTasks({ ...p, scenarioText: undefined })), /no scenario text/);
  assert.match(String(timelineTasks({ ...p, scenarioText: "name: [" })), /no longer loads/);
  assert.match(String(timelineTasks({ ...p, runs: [p.runs[1]!, p.runs[0]!] })), /run 1 is "no lazy boost", but its mode is "vanilla"/);
  assert.match(String(timelineTasks({ ...p, runs: [p.runs[0]!] })), /1 runs for 2 modes/);
});

test("each run is recorded with the spec it was made with, not a mode of the scenario that shares its label", () => {
  // A scenario that names a "dynamic" of its own, compared (Compare Modes runs the full series
  // as "dynamic"): the recorded run must be the full series again.
  const text = TEXT.replace("name: no lazy boost", "name: dynamic");
  const p = shown(text, [{ mode: "vanilla" }, { mode: "dynamic" }]);
  const tasks = timelineTasks(p);
  assert.ok(Array.isArray(tasks), String(tasks));
  assert.deepEqual(
    tasks.map((t) => t.mode),
    [{ mode: "vanilla" }, { mode: "dynamic" }],
  );
  const q = withTimelines(p, record(p));
  assert.equal(q.notes, undefined, "the same numbers as the runs shown");
});

test("the protocol: { type: timeline } and nothing more; timelineOnDemand lists the runs' modes", () => {
  assert.equal(isWebviewToHost({ type: "timeline" }), true);
  assert.equal(isWebviewToHost({ type: "timeline", run: 1 }), false);
  const p = shown();
  assert.equal(payloadProblem(p), undefined);
  assert.equal(payloadProblem({ ...p, timelineOnDemand: "yes" }), "timelineOnDemand has no list of modes");
  assert.equal(payloadProblem({ ...p, timelineOnDemand: { modes: [{ name: "x" }] } }), "timelineOnDemand has no list of modes");
});

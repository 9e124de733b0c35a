/**
 * Every mechanism's exercising scenario (extension/exercise.ts) really exercises it: run in dynamic
 * mode, its counter is above zero. Qualitative on purpose (the simulator's numbers move), and
 * read from the scenario files themselves.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EXERCISED_BY, timesFired } from "../../extension/exercise";
import { loadScenario } from "../../scenario-loader/index";
import { MECHANISM_IDS, simulate, type MechanismId, type RunResult } from "../../sim-core/index";
import { ABLATION_LABELS } from "../../report/ablation";

const ROOT = join(import.meta.dirname, "../..");
const runs = new Map<string, RunResult>();

function dynamicRun(path: string): RunResult {
  let r = runs.get(path);
  if (!r) {
    const loaded = loadScenario(readFileSync(join(ROOT, path), "utf8"), path);
    assert.ok(loaded.ok, `${path} loads`);
    // 3 simulated seconds: enough for each counter to move, short enough for a unit test.
    r = simulate({ ...loaded.scenario, duration_s: 3, warmup_ms: 0 }, { name: ABLATION_LABELS.with, mode: "dynamic" }, {});
    runs.set(path, r);
  }
  return r;
}

test("every mechanism names a scenario that exercises it", () => {
  assert.deepEqual(Object.keys(EXERCISED_BY).sort(), [...MECHANISM_IDS].sort());
});

for (const id of MECHANISM_IDS) {
  // An entry marked notExercised says why no built-in scenario fires it; that claim is held too.
  const never = (EXERCISED_BY[id] as { notExercised?: boolean }).notExercised === true;
  test(`${id}: ${EXERCISED_BY[id].scenario} ${never ? "does not exercise it, as its entry says" : "exercises it"} (counter in dynamic mode)`, () => {
    const fired = timesFired([dynamicRun(EXERCISED_BY[id].scenario)], id as MechanismId);
    if (never) assert.equal(fired, 0, `${id} fired ${fired} times: update scenarios/lens/exercised-by.json`);
    else assert.ok(fired !== undefined && fired > 0, `${id} fired ${fired} times`);
  });
}

test("timesFired: sums the with-mechanism runs only; undefined without counters", () => {
  const r = (mode: string, n?: number) => ({ mode, mechanisms: n === undefined ? undefined : { switches: n } }) as unknown as RunResult;
  assert.equal(timesFired([r("dynamic", 2), r("dynamic", 3), r("dynamic without switches", 9)], "switches"), 5);
  assert.equal(timesFired([r("dynamic", 0)], "switches"), 0);
  assert.equal(timesFired([r("dynamic")], "switches"), undefined);
});

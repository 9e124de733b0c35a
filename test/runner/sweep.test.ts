/** runner/sweep.ts: paths, the factorial, the shard slices. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  MAX_SWEEP_VALUES,
  parsePath,
  parseSweepValues,
  planSweep,
  setPath,
  shardIndices,
  splitValues,
  suggestSweepValues,
  sweepCells,
  sweepTasks,
  SweepError,
  type SweepDefinition,
} from "../../runner/sweep";
import { DEFAULT_BUDGET } from "../../runner/index";
import type { Scenario } from "../../sim-core/index";
import { parseParam } from "../../cli/sweep";

const base: Scenario = {
  name: "s",
  seed: 5,
  duration_s: 0.05,
  host: { cpus: 2, workloads: [{ kind: "stress", workers: 1 }] },
  modes: ["vanilla", "dynamic"],
};

test("paths take dots or brackets; a mode given by name becomes a mapping when a path enters it", () => {
  assert.deepEqual(parsePath("host.workloads[0].workers"), ["host", "workloads", 0, "workers"]);
  assert.deepEqual(parsePath("host.workloads.0.workers"), ["host", "workloads", 0, "workers"]);
  const s = setPath(base, "modes.1.mechanisms.lazy_boost", false);
  assert.deepEqual(s.modes, ["vanilla", { mode: "dynamic", mechanisms: { lazy_boost: false } }]);
  assert.deepEqual(base.modes, ["vanilla", "dynamic"], "the base scenario is not modified");
  assert.deepEqual(setPath(base, "pvsched.boost_priority", 50).pvsched, { boost_priority: 50 });
});

test("values split at top-level commas; a range gives evenly spaced values", () => {
  assert.deepEqual(splitValues("1, {const_us: 5, x: 1},[1,2],'a,b'"), ["1", "{const_us: 5, x: 1}", "[1,2]", "'a,b'"]);
  assert.deepEqual(parseParam("pvsched.boost_priority=1..99/8").values, [1, 15, 29, 43, 57, 71, 85, 99]);
  assert.deepEqual(parseParam("x=0..1/3").values, [0, 0.5, 1]);
  assert.deepEqual(parseParam("host.workloads[0].work={const_us: 5},true,rr,7").values, [{ const_us: 5 }, true, "rr", 7]);
  assert.equal(parseParam("host.workloads[0].workers=1").path, "host.workloads.0.workers");
});

test("the factorial: every combination once, the last parameter fastest; runs cell by cell", () => {
  const def: SweepDefinition = {
    file: "f",
    scenario: base,
    params: [
      { path: "host.cpus", values: [1, 2] },
      { path: "host.workloads.0.workers", values: [1, 2, 3] },
    ],
    replications: 2,
  };
  const cells = sweepCells(def);
  assert.deepEqual(
    cells.map((c) => c.values),
    [
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 1],
      [2, 2],
      [2, 3],
    ],
  );
  assert.equal(cells[5]!.scenario.host.cpus, 2);
  assert.deepEqual(cells[5]!.scenario.host.workloads, [{ kind: "stress", workers: 3 }]);
  const { tasks, cellOf } = sweepTasks(cells, 2);
  assert.equal(tasks.length, 6 * 2 * 2);
  assert.deepEqual(cellOf.slice(0, 6), [0, 0, 0, 0, 1, 1]);
  // Replication r runs seed + r in every cell, so cells share random numbers.
  assert.deepEqual(
    tasks.slice(0, 4).map((t) => [t.mode.mode, t.scenario.seed]),
    [
      ["vanilla", 5],
      ["dynamic", 5],
      ["vanilla", 6],
      ["dynamic", 6],
    ],
  );
});

test("shards partition the runs", () => {
  const all = [0, 1, 2, 3].flatMap((i) => shardIndices(10, { index: i, count: 4 }));
  assert.deepEqual(
    all.sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.deepEqual(shardIndices(10, { index: 1, count: 4 }), [1, 5, 9]);
  assert.deepEqual(shardIndices(2, { index: 3, count: 4 }), []);
});

test("suggested values around a number: a quarter to four times it, whole for a whole number", () => {
  assert.deepEqual(suggestSweepValues(8), [2, 4, 8, 16, 32]);
  assert.deepEqual(suggestSweepValues(1), [1, 2, 4], "no 0 from rounding a quarter of 1");
  assert.deepEqual(suggestSweepValues(0), [0, 1, 2, 4, 8]);
  assert.deepEqual(suggestSweepValues(0.5), [0.125, 0.25, 0.5, 1, 2]);
  assert.deepEqual(suggestSweepValues(-4), [-1, -2, -4, -8, -16]);
});

test("typed sweep values: numbers separated by commas, at least two, each a number", () => {
  assert.deepEqual(parseSweepValues(" 1, 2.5 ,1e3"), { values: [1, 2.5, 1000] });
  assert.ok("problem" in parseSweepValues("1"), "one value is no sweep");
  assert.match((parseSweepValues("1, x") as { problem: string }).problem, /"x" is not a number/);
  assert.match((parseSweepValues("1, {") as { problem: string }).problem, /"\{" is not a number/, "not YAML: a problem, not a throw");
  assert.ok("problem" in parseSweepValues(Array.from({ length: MAX_SWEEP_VALUES + 1 }, (_, i) => i).join(",")));
  assert.deepEqual(parseSweepValues(Array.from({ length: MAX_SWEEP_VALUES }, (_, i) => i).join(",")), {
    values: Array.from({ length: MAX_SWEEP_VALUES }, (_, i) => i),
  });
});

test("a sweep is planned whole before it runs: a cell over the budget is refused by name", () => {
  const def: SweepDefinition = {
    file: "s.yaml",
    scenario: base,
    params: [{ path: "host.workloads.0.workers", values: [1, 2] }],
    replications: 3,
  };
  const plan = planSweep(def, DEFAULT_BUDGET);
  assert.equal(plan.cells.length, 2);
  assert.equal(plan.tasks.length, 2 * 2 * 3, "cells x modes x replications");
  assert.deepEqual(plan.cellOf, [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  assert.throws(
    () => planSweep(def, { ...DEFAULT_BUDGET, events: 1 }),
    (e) => e instanceof SweepError && /^the cell host\.workloads\.0\.workers=1: /.test(e.message),
  );
});

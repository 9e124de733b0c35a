import { test } from "node:test";
import assert from "node:assert/strict";
import {
  addEntry,
  comparePayloads,
  entryDescription,
  newEntry,
  parseIndex,
  parseResultsFile,
  RESULTS_FILE_SUFFIX,
  resultsFileName,
  resultsFileText,
} from "../../extension/history-model";
import { scenarioPayload, run } from "../webview/fixtures/make";

const entry = (id: string, when = 0) => ({ id, title: id, kind: "scenario", when, runs: 1 });

test("addEntry: newest first, capped, the overflow returned so its files can go", () => {
  let list = [entry("a"), entry("b"), entry("c")];
  const r = addEntry(list, entry("d"), 3);
  assert.deepEqual(
    r.list.map((e) => e.id),
    ["d", "a", "b"],
  );
  assert.deepEqual(
    r.evicted.map((e) => e.id),
    ["c"],
  );
  list = r.list;
  // Re-adding an id moves it to the front without duplicating it.
  assert.deepEqual(
    addEntry(list, entry("b"), 3).list.map((e) => e.id),
    ["b", "d", "a"],
  );
});

test("newEntry: ids are unique even for results that arrive in the same millisecond", () => {
  const p = scenarioPayload();
  const a = newEntry(p, 1000, []);
  const b = newEntry(p, 1000, [a]);
  const c = newEntry(p, 1000, [a, b]);
  assert.equal(new Set([a.id, b.id, c.id]).size, 3);
  assert.equal(a.runs, 3);
  assert.equal(a.kind, "scenario");
});

test("parseIndex: malformed storage gives an empty or filtered list, never a throw", () => {
  assert.deepEqual(parseIndex(undefined), []);
  assert.deepEqual(parseIndex("{"), []);
  assert.deepEqual(parseIndex('{"a":1}'), []);
  const ok = entry("run-1");
  // An id that could climb out of the history folder is refused.
  assert.deepEqual(parseIndex(JSON.stringify([ok, { ...ok, id: "../x" }, { id: "y" }])), [ok]);
});

test("results files: written with timelines as lists, read back to the same payload, problems in one line", () => {
  const p = scenarioPayload();
  const text = resultsFileText(p);
  const back = parseResultsFile(text);
  assert.ok("payload" in back);
  assert.equal(back.payload.title, p.title);
  assert.deepEqual(
    back.payload.runs.map((r) => r.mode),
    ["vanilla", "dynamic", "static"],
  );
  assert.equal(JSON.stringify(back.payload), JSON.stringify(JSON.parse(text)));
  const bad = parseResultsFile('{"title": 3}');
  assert.ok("problem" in bad && /title/.test(bad.problem));
  const notJson = parseResultsFile("nope");
  assert.ok("problem" in notJson && /^not JSON/.test(notJson.problem) && !notJson.problem.includes("\n"));
  const noSource = parseResultsFile(JSON.stringify({ title: "t", runs: [] }));
  assert.ok("problem" in noSource && /source/.test(noSource.problem));
});

test("resultsFileName: a safe name that reopens in the results editor", () => {
  assert.equal(resultsFileName("Patch 4 · Boost: with / without"), `Patch_4_Boost_with_without${RESULTS_FILE_SUFFIX}`);
  const climb = resultsFileName("../../etc");
  assert.ok(!climb.includes("/") && !climb.startsWith("."), climb);
  assert.ok(resultsFileName("x".repeat(500)).length <= 100);
  assert.ok(resultsFileName("x".repeat(500)).endsWith(RESULTS_FILE_SUFFIX));
});

test("entryDescription: run count and the time of day", () => {
  const when = new Date(2026, 0, 2, 9, 5, 7).getTime();
  assert.equal(entryDescription({ ...entry("a", when), runs: 3 }), "3 runs \u00b7 09:05:07");
  assert.equal(entryDescription({ ...entry("a", when), runs: 1 }), "1 run \u00b7 09:05:07");
});

test("comparePayloads: both sets of runs, labelled A and B, compared against A's first mode", () => {
  const a = { title: "first", source: { kind: "scenario" as const }, runs: [run("s", "vanilla"), run("s", "dynamic")] };
  const b = { title: "second", source: { kind: "scenario" as const }, runs: [run("s", "dynamic")] };
  const c = comparePayloads(a, b);
  assert.deepEqual(
    c.runs.map((r) => r.mode),
    ["A: vanilla", "A: dynamic", "B: dynamic"],
  );
  assert.equal(c.comparison?.baseline, "A: vanilla");
  assert.deepEqual(c.comparison?.modes, ["A: vanilla", "A: dynamic", "B: dynamic"]);
  // The numbers are the runs' own.
  assert.equal(c.runs[2]!.probes[0]!.latency.max_us, b.runs[0]!.probes[0]!.latency.max_us);
  assert.equal(a.runs[0]!.mode, "vanilla", "the inputs are not changed");
  assert.match(c.title, /first.*second/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { allTables, audioTable, modesOf, seedTable, summaryTable, tablesToCsv, vcpuTable } from "../../webview/lib/tables";
import { claimCounts } from "../../webview/lib/seed";
import { log10Error } from "../../report/seed-report";
import { hostilePayload, run, scenarioPayload, seedPayload } from "./fixtures/make";

test("summaryTable: one column per mode, avg/p99/max rows per probe, sim values from the runs", () => {
  const p = scenarioPayload();
  const t = summaryTable(p.runs);
  assert.equal(t.testid, "results-table");
  assert.deepEqual(
    t.head[0]!.map((h) => h.text),
    ["probe", "stat (µs)", "vanilla", "dynamic", "static"],
  );
  const probes = p.runs[0]!.probes.filter((x) => x.kind !== "audio");
  assert.equal(t.rows.length, probes.length * 3);
  const avgRow = t.rows[0]!;
  assert.equal(avgRow[0]!.text, probes[0]!.id);
  assert.equal(avgRow[1]!.text, "avg");
  p.runs.forEach((r, i) => {
    const c = avgRow[2 + i]!;
    assert.equal(c.kind, "sim");
    assert.equal(c.value, r.probes[0]!.latency.avg_us);
  });
  const maxRow = t.rows[2]!;
  assert.equal(maxRow[2]!.value, p.runs[0]!.probes[0]!.latency.max_us);
});

test("summaryTable adds a scenario column when runs come from several scenarios", () => {
  const t = summaryTable(seedPayload().runs);
  assert.equal(t.head[0]![0]!.text, "scenario");
  assert.deepEqual(modesOf(seedPayload().runs), ["vanilla", "dynamic", "static"]);
});

test("summaryTable shows a dash, not a number, for a mode that lacks the probe", () => {
  const a = run("s", "vanilla");
  const b = run("s", "dynamic");
  b.probes = [];
  const t = summaryTable([a, b]);
  const cell = t.rows[0]![3]!;
  assert.equal(cell.kind, "text");
  assert.equal(cell.value, undefined);
});

test("audioTable lists glitches and callbacks per mode", () => {
  const p = scenarioPayload();
  const t = audioTable(p.runs)!;
  assert.equal(t.rows.length, 2);
  assert.deepEqual(
    t.rows[0]!.slice(2).map((c) => c.value),
    p.runs.map((r) => r.probes.find((x) => x.kind === "audio")!.glitches),
  );
  assert.equal(audioTable([{ ...p.runs[0]!, probes: [] }]), undefined);
});

test("seedTable puts sim, pub and |log10| per mode, with pub cells marked", () => {
  const p = seedPayload();
  const t = seedTable(p.cells!);
  assert.equal(t.testid, "seed-table");
  const first = p.cells![0]!;
  const row = t.rows[0]!;
  assert.equal(row[1]!.kind, "sim");
  assert.equal(row[1]!.value, first.simulated);
  assert.equal(row[2]!.kind, "pub");
  assert.equal(row[2]!.value, first.published);
  assert.equal(row[3]!.kind, "err");
  // By hand: busy guest avg, vanilla: simulated 640 beside published 887, |log10(640/887)| =
  // log10(1.38594) = 0.14174.
  assert.deepEqual([first.simulated, first.published], [640, 887]);
  assert.ok(Math.abs(row[3]!.value! - 0.14174) < 5e-6, String(row[3]!.value));
  assert.equal(row[3]!.text, "0.14");
  assert.equal(row[3]!.tone, "good");
  const pubCount = t.rows.flat().filter((c) => c.kind === "pub").length;
  assert.equal(pubCount, p.cells!.length);
});

test("the panel's seed table uses the seed report's error (values floored at 1, as the CLI prints)", () => {
  assert.equal(log10Error(100, 10), 1);
  assert.equal(log10Error(0, 0), 0);
  assert.equal(log10Error(0, 10), 1);
  assert.equal(log10Error(NaN, 3), null);
  assert.deepEqual(claimCounts([{ holds: true }, { holds: false }, { holds: true }]), { held: 2, total: 3 });
});

test("vcpuTable: one row per vCPU with boosted time in ms and exits by reason", () => {
  const r = run("s", "dynamic");
  const t = vcpuTable(r);
  assert.equal(t.rows.length, r.vcpus.length);
  const col = (name: string) => t.head[0]!.findIndex((h) => h.text === name);
  assert.equal(t.rows[0]![col("boosts")]!.value, r.vcpus[0]!.boosts);
  assert.equal(t.rows[0]![col("boosted ms")]!.value, r.vcpus[0]!.boosted_ns / 1e6);
  assert.equal(t.rows[0]![col("exits: msr_unboost")]!.value, r.vcpus[0]!.exits.msr_unboost);
});

test("tablesToCsv: every table with its title and headers; numbers at full precision", () => {
  const p = seedPayload();
  const csv = tablesToCsv(allTables(p));
  assert.ok(csv.startsWith("Latency (µs)\r\nscenario,probe,stat (µs),vanilla,dynamic,static\r\n"));
  assert.ok(csv.includes("Seed report: simulated beside published"));
  assert.ok(csv.includes("\r\nrow,sim,pub,|log10|,sim,pub,|log10|"));
  const avg = p.runs[0]!.probes[0]!.latency.avg_us;
  assert.ok(csv.includes(`,avg,${avg},`));
});

test("hostile names stay plain strings in the models (escaping is the DOM's and the CSV's job)", () => {
  const p = hostilePayload();
  const t = summaryTable(p.runs);
  assert.equal(t.head[0]![2]!.text, p.runs[0]!.mode);
  assert.ok(t.rows[0]![0]!.text.startsWith("<script>"));
  const csv = tablesToCsv(allTables(p));
  assert.ok(csv.includes('"<img src=x onerror=""alert(2)"">"'), "quotes doubled inside a quoted field");
});

test("relChange", async () => {
  const { relChange } = await import("../../webview/lib/tables");
  assert.equal(relChange(14, 200, "vanilla"), "−93% vs vanilla");
  assert.equal(relChange(300, 200, "vanilla"), "+50% vs vanilla");
  assert.equal(relChange(200, 200, "vanilla"), "same as vanilla (±0%)");
  assert.equal(relChange(5, 0, "vanilla"), "vs vanilla: baseline 0");
});

test("summary cells after the first mode carry their change against it", () => {
  const p = scenarioPayload();
  const t = summaryTable(p.runs);
  const max = t.rows[2]!;
  const v = p.runs[0]!.probes[0]!.latency.max_us;
  const d = p.runs[1]!.probes[0]!.latency.max_us;
  assert.equal(max[2]!.title, undefined);
  assert.equal(max[3]!.title, `−${Math.round(((v - d) / v) * 100)}% vs vanilla`);
});

test("seed note gives the median error over the defined cells", () => {
  // By hand, the 16 cells of seedPayload() (|log10(sim/pub)|, values below 1 read as 1): sorted,
  // the 8th and 9th are 0.0872 (idle guest avg: 11 vs 9, twice) and 0.0937 (busy guest max,
  // static: 1500 vs 1728), so the median is 0.0904.
  const t = seedTable(seedPayload().cells!);
  assert.equal(t.rows.flat().filter((c) => c.kind === "err").length, 16);
  assert.ok(t.note!.startsWith("Median |log10| error 0.09 over 16 cells."), t.note);
  // The audio cell with 0 published and 2 simulated glitches reads log10(2/1) = 0.30.
  const audio512 = t.rows.find((r) => r[0]!.text.startsWith("audio · 512"))!;
  assert.deepEqual(
    audio512.filter((c) => c.kind === "err").map((c) => c.text),
    ["0.00", "0.30"],
  );
});

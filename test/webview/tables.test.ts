import { test } from "node:test";
import assert from "node:assert/strict";
import {
  allTables,
  audioTable,
  modesOf,
  seedTables,
  summaryTable,
  tablesToCsv,
  vcpuTable,
  type TableModel,
} from "../../webview/lib/tables";
import { claimCounts } from "../../webview/lib/seed";
import { log10Error } from "../../report/seed-report";
import { hostilePayload, run, scenarioPayload, seedPayload } from "./fixtures/make";

/** The column index of every header of the table's last header row. */
const columns = (t: TableModel) => t.head.at(-1)!.map((h) => h.text);

test("summaryTable: a µs column per mode under its human name, a Δ column after each but vanilla", () => {
  const p = scenarioPayload();
  const t = summaryTable(p.runs);
  assert.equal(t.testid, "results-table");
  assert.deepEqual(
    t.head[0]!.map((h) => [h.text, h.span, h.title]),
    [
      ["", 2, undefined],
      ["Vanilla", 1, "mode id: vanilla"],
      ["Dynamic (series)", 2, "mode id: dynamic"],
      ["Static boost", 2, "mode id: static"],
    ],
  );
  assert.deepEqual(columns(t), ["probe", "stat", "µs", "µs", "Δ µs", "µs", "Δ µs"]);
  assert.equal(t.head[1]![4]!.title, "Dynamic (series) − Vanilla, µs");
  const probes = p.runs[0]!.probes.filter((x) => x.kind !== "audio");
  assert.equal(t.rows.length, probes.length * 3);
  const avgRow = t.rows[0]!;
  assert.equal(avgRow[0]!.text, probes[0]!.id);
  assert.equal(avgRow[1]!.text, "avg");
  const [vanilla, dynamic, statik] = p.runs.map((r) => r.probes[0]!.latency.avg_us);
  assert.deepEqual(
    avgRow.slice(2).map((c) => [c.kind, c.value]),
    [
      ["sim", vanilla],
      ["sim", dynamic],
      ["delta", dynamic! - vanilla!],
      ["sim", statik],
      ["delta", statik! - vanilla!],
    ],
  );
  const maxRow = t.rows[2]!;
  assert.equal(maxRow[2]!.value, p.runs[0]!.probes[0]!.latency.max_us);
});

test("summaryTable: Δ is against vanilla wherever vanilla ran, with its sign", () => {
  // The hunk ablation runs dynamic, dynamic without the mechanism, then vanilla.
  const runs = (["dynamic", "dynamic without boost_on_inject", "vanilla"] as const).map((m, i) => {
    const r = run("s", m);
    r.probes = [{ ...r.probes[0]!, latency: { ...r.probes[0]!.latency, avg_us: [20, 35.5, 30][i]! } }];
    return r;
  });
  const t = summaryTable(runs);
  assert.deepEqual(
    t.head[0]!.map((h) => h.text),
    ["", "Dynamic (series)", "Dynamic without boost on interrupt injection (patch 4)", "Vanilla"],
  );
  assert.deepEqual(columns(t), ["probe", "stat", "µs", "Δ µs", "µs", "Δ µs", "µs"]);
  const avg = t.rows[0]!;
  assert.deepEqual(
    avg.slice(2).map((c) => c.text),
    ["20", "\u221210", "35.5", "+5.50", "30"],
  );
  assert.equal(avg[3]!.title, "−33% vs Vanilla");
});

test("summaryTable names the scenario in the probe's label when runs come from several scenarios", () => {
  const t = summaryTable(seedPayload().runs);
  assert.deepEqual(columns(t).slice(0, 2), ["scenario · probe", "stat"]);
  assert.equal(t.rows[0]![0]!.text, "seed-busy-500 · vm0/cyclictest#0");
  assert.equal(t.rows[3]![0]!.text, "seed-busy-500 · host/cyclictest#0");
  assert.deepEqual(modesOf(seedPayload().runs), ["vanilla", "dynamic", "static"]);
});

test("summaryTable shows a dash, not a number, for a mode that lacks the probe", () => {
  const a = run("s", "vanilla");
  const b = run("s", "dynamic");
  b.probes = [];
  const t = summaryTable([a, b]);
  const [cell, delta] = [t.rows[0]![3]!, t.rows[0]![4]!];
  assert.equal(cell.kind, "text");
  assert.equal(cell.value, undefined);
  assert.equal(delta.kind, "text", "a difference from a missing value");
  assert.equal(delta.value, undefined);
});

test("audioTable lists glitches and callbacks per mode, as counts, with Δ against vanilla", () => {
  const p = scenarioPayload();
  const t = audioTable(p.runs)!;
  assert.equal(t.rows.length, 2);
  assert.deepEqual(columns(t), ["audio probe", "stat", "count", "count", "Δ count", "count", "Δ count"]);
  const g = p.runs.map((r) => r.probes.find((x) => x.kind === "audio")!.glitches!);
  assert.deepEqual(
    t.rows[0]!.slice(2).map((c) => c.value),
    [g[0], g[1], g[1]! - g[0]!, g[2], g[2]! - g[0]!],
  );
  assert.equal(audioTable([{ ...p.runs[0]!, probes: [] }]), undefined);
});

test("seedTables: one row per published line and mode (sim, pub, |log10|), one table per unit", () => {
  const p = seedPayload();
  const [t, audio] = seedTables(p.cells!);
  assert.equal(t!.testid, "seed-table");
  assert.equal(audio!.testid, "seed-audio-table");
  assert.deepEqual(columns(t!), ["published row", "mode", "sim µs", "pub µs", "|log10|"]);
  assert.deepEqual(columns(audio!), ["published row", "mode", "sim count", "pub count", "|log10|"]);
  // The audio table's "patches" column is the dynamic mode, and says so in words.
  assert.deepEqual([...new Set(audio!.rows.map((r) => r[1]!.text))], ["Vanilla", "Dynamic (series)"]);
  const first = p.cells![0]!;
  const row = t!.rows[0]!;
  assert.deepEqual([row[1]!.text, row[1]!.title], ["Vanilla", "mode id: vanilla"]);
  // The next row is the same published line in the next mode: its label is marked as a repeat.
  assert.equal(t!.rows[1]![0]!.text, row[0]!.text);
  assert.deepEqual([row[0]!.repeat, t!.rows[1]![0]!.repeat], [false, true]);
  assert.equal(row[2]!.kind, "sim");
  assert.equal(row[2]!.value, first.simulated);
  assert.equal(row[3]!.kind, "pub");
  assert.equal(row[3]!.value, first.published);
  assert.equal(row[4]!.kind, "err");
  // By hand: busy guest avg, vanilla: simulated 640 beside published 887, |log10(640/887)| =
  // log10(1.38594) = 0.14174.
  assert.deepEqual([first.simulated, first.published], [640, 887]);
  assert.ok(Math.abs(row[4]!.value! - 0.14174) < 5e-6, String(row[4]!.value));
  assert.equal(row[4]!.text, "0.14");
  assert.equal(row[4]!.tone, "good");
  const pubCount = [t!, audio!].flatMap((x) => x.rows.flat()).filter((c) => c.kind === "pub").length;
  assert.equal(pubCount, p.cells!.length);
});

test("the panel's seed table uses the seed report's error (values floored at 1, as the CLI prints)", () => {
  assert.equal(log10Error(100, 10), 1);
  assert.equal(log10Error(0, 0), 0);
  assert.equal(log10Error(0, 10), 1);
  assert.equal(log10Error(NaN, 3), null);
  assert.deepEqual(claimCounts([{ holds: true }, { holds: false }, { holds: true }]), { held: 2, total: 3 });
});

test("vcpuTable: one row per counter with its unit, one column per vCPU", () => {
  const r = run("s", "dynamic");
  const t = vcpuTable(r);
  assert.equal(t.head[0]!.length, 2 + r.vcpus.length);
  assert.equal(t.head[0]![2]!.text, `${r.vcpus[0]!.vm}/vcpu${r.vcpus[0]!.vcpu}`);
  const row = (name: string) => t.rows.find((x) => x[0]!.text === name)!;
  assert.deepEqual(
    row("boosts").map((c) => c.value ?? c.text),
    ["boosts", "count", ...r.vcpus.map((v) => v.boosts)],
  );
  assert.equal(row("boosted")[1]!.text, "ms");
  assert.equal(row("boosted")[2]!.value, r.vcpus[0]!.boosted_ns / 1e6);
  assert.equal(row("longest boost")[1]!.text, "µs");
  assert.equal(row("exits: msr_unboost")[2]!.value, r.vcpus[0]!.exits.msr_unboost);
  assert.equal(t.title, "s · Dynamic (series) · vCPUs");
});

test("tablesToCsv: every table with its title and headers; numbers at full precision", () => {
  const p = seedPayload();
  const csv = tablesToCsv(allTables(p));
  // The spanned mode names repeat over their value and Δ columns, so every column is named.
  assert.ok(
    csv.startsWith(
      "Latency (µs)\r\n,,Vanilla,Dynamic (series),Dynamic (series),Static boost,Static boost\r\nscenario · probe,stat,µs,µs,Δ µs,µs,Δ µs\r\n",
    ),
    csv.slice(0, 200),
  );
  assert.ok(csv.includes("Seed report: cyclictest latency (µs), simulated beside published"));
  assert.ok(csv.includes("\r\npublished row,mode,sim µs,pub µs,|log10|\r\n"));
  // A repeated row label is blank on screen only: the CSV names the line on every row.
  assert.ok(/\r\nbusy · guest · avg · -i 500,Vanilla,.*\r\nbusy · guest · avg · -i 500,Dynamic \(series\),/.test(csv));
  const avg = p.runs[0]!.probes[0]!.latency.avg_us;
  assert.ok(csv.includes(`,avg,${avg},`));
});

test("hostile names stay plain strings in the models (escaping is the DOM's and the CSV's job)", () => {
  const p = hostilePayload();
  const t = summaryTable(p.runs);
  assert.equal(t.head[0]![1]!.text, p.runs[0]!.mode, "a scenario's own mode name is shown as it is");
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

test("summary cells after the baseline carry their change against it", () => {
  const p = scenarioPayload();
  const t = summaryTable(p.runs);
  const max = t.rows[2]!;
  const v = p.runs[0]!.probes[0]!.latency.max_us;
  const d = p.runs[1]!.probes[0]!.latency.max_us;
  assert.equal(max[2]!.title, undefined);
  assert.equal(max[3]!.title, `−${Math.round(((v - d) / v) * 100)}% vs Vanilla`);
  assert.equal(max[4]!.title, max[3]!.title);
});

test("seed note gives the median error over the defined cells", () => {
  // By hand, the 16 cells of seedPayload() (|log10(sim/pub)|, values below 1 read as 1): sorted,
  // the 8th and 9th are 0.0872 (idle guest avg: 11 vs 9, twice) and 0.0937 (busy guest max,
  // static: 1500 vs 1728), so the median is 0.0904.
  const tables = seedTables(seedPayload().cells!);
  assert.equal(tables.flatMap((t) => t.rows.flat()).filter((c) => c.kind === "err").length, 16);
  const t = tables.at(-1)!;
  assert.equal(tables[0]!.note, undefined, "the note is given once, under the last table");
  assert.ok(t.note!.startsWith("Median |log10| error 0.09 over 16 cells."), t.note);
  // The audio cell with 0 published and 2 simulated glitches reads log10(2/1) = 0.30.
  const audio512 = t.rows.filter((r) => r[0]!.text.startsWith("audio · 512"));
  assert.deepEqual(
    audio512.map((r) => r.find((c) => c.kind === "err")!.text),
    ["0.00", "0.30"],
  );
});

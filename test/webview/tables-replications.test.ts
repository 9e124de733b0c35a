/** The panel's tables with replicated runs: means with intervals, effects only where significant. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compareModes } from "../../report/effects";
import type { PublishedCell } from "../../common/protocol";
import { effectWords, seedTables, summaryTable } from "../../webview/lib/tables";
import { run } from "./fixtures/make";

/** Three replications (seeds 1-3) of two modes; the guest probe's max is set per replication. */
function runs(vanillaMax: number[], dynamicMax: number[]) {
  return [0, 1, 2].flatMap((i) =>
    (
      [
        ["vanilla", vanillaMax[i]!],
        ["dynamic", dynamicMax[i]!],
      ] as const
    ).map(([mode, max]) => {
      const r = run("s", mode);
      r.seed = 1 + i;
      r.probes = [{ ...r.probes[0]!, latency: { ...r.probes[0]!.latency, max_us: max, avg_us: 10 } }];
      return r;
    }),
  );
}

test("summary cells are means ± half the 95 % interval, with the paired effect or 'no significant effect'", () => {
  // vanilla max 1000, 1100, 900 (mean 1000); dynamic 100, 120, 80: differences -900, -980, -820,
  // half-width of the differences 198.7 -> -90% [-110%, -70%]. Dynamic's own max: mean 100,
  // s = 20, se = 11.547, t(0.975, 2) = 4.30265: half 49.7.
  const rs = runs([1000, 1100, 900], [100, 120, 80]);
  const t = summaryTable(rs, compareModes(rs));
  const maxRow = t.rows.find((r) => r[1]!.text === "max")!;
  assert.equal(maxRow[3]!.value, 100);
  assert.match(maxRow[3]!.text, /^100 ±49\.7/);
  assert.match(maxRow[3]!.title!, /mean of 3 replications; 95 % interval \[50\.3, 150\]/);
  assert.match(maxRow[3]!.title!, /vs Vanilla: \u221290% \[\u2212110%, \u221270%\]$/);
  // The Δ column: the mean of the paired differences, -900, ± half their interval
  // (s = 80, se = 46.19, x 4.30265 = 198.7).
  assert.deepEqual(
    [maxRow[4]!.kind, maxRow[4]!.value, maxRow[4]!.text, maxRow[4]!.tone],
    ["delta", -900, "\u2212900 \u00b1199", undefined],
  );
  // avg is 10 everywhere: no difference at all, so no effect, and the Δ is faint.
  const avgRow = t.rows.find((r) => r[1]!.text === "avg")!;
  assert.match(avgRow[3]!.title!, /vs Vanilla: no significant effect$/);
  assert.deepEqual([avgRow[4]!.text, avgRow[4]!.tone], ["\u00b10 \u00b10", "faint"]);
  assert.match(t.note!, /Means of 3 replications/);
  // Without the host's comparison (or with one replication) the table is as before.
  assert.equal(summaryTable(rs).rows.find((r) => r[1]!.text === "max")![3]!.value, 100);
  assert.equal(summaryTable(rs).note, undefined);
});

test("a comparison made against another mode (an old ablation's dynamic): Δ is the difference of the means, no interval", () => {
  const rs = runs([1000, 1100, 900], [100, 120, 80]);
  const t = summaryTable(rs, compareModes(rs, "dynamic"));
  const maxRow = t.rows.find((r) => r[1]!.text === "max")!;
  assert.deepEqual(
    t.head[0]!.map((h) => h.text),
    ["", "Vanilla", "Dynamic (series)"],
  );
  assert.equal(maxRow[4]!.value, -900, "the difference is dynamic - vanilla, not vanilla - dynamic");
  assert.equal(maxRow[4]!.text, "\u2212900", "an interval paired against dynamic is not one against vanilla");
  assert.match(maxRow[4]!.title!, /no paired interval \(compared against Dynamic \(series\)\)/);
});

test("effect words: relative to the baseline's mean, only when significant", () => {
  assert.equal(
    effectWords({ mean: -900, ci95: [-1100, -700], significant: true, replications: 3 }, 1000, "vanilla"),
    "vs vanilla: \u221290% [\u2212110%, \u221270%]",
  );
  assert.equal(
    effectWords({ mean: 5, ci95: [-1, 11], significant: false, replications: 3 }, 1000, "vanilla"),
    "vs vanilla: no significant effect",
  );
});

test("the seed table shows the mean with its interval, and judges a maximum by the band", () => {
  const cells: PublishedCell[] = [
    {
      table: "cyclictest",
      load: "busy",
      interval: 500,
      side: "guest",
      stat: "avg",
      mode: "vanilla",
      published: 887,
      simulated: 466.7,
      replications: 3,
      ci95: [323.2, 610.1],
      inSample: false,
    },
    {
      table: "cyclictest",
      load: "busy",
      interval: 500,
      side: "guest",
      stat: "max",
      mode: "vanilla",
      published: 216835,
      simulated: 30000,
      replications: 3,
      ci95: [20000, 40000],
      band10_90: [25000, 36000],
      publishedInBand: false,
      inSample: true,
    },
    {
      table: "cyclictest",
      load: "busy",
      interval: 500,
      side: "guest",
      stat: "max",
      mode: "static",
      published: 1728,
      simulated: 1500,
      replications: 3,
      ci95: [1000, 2000],
      band10_90: [1200, 1800],
      publishedInBand: true,
      inSample: false,
    },
  ];
  const [t, ...others] = seedTables(cells);
  assert.equal(others.length, 0, "no audio cells, no audio table");
  // Rows: busy guest avg (vanilla), busy guest max (vanilla, static).
  const avg = t!.rows[0]!;
  assert.match(avg[2]!.text, /±143/);
  assert.match(avg[2]!.title!, /mean of 3 replications; 95 % interval/);
  const [maxVanilla, maxStatic] = [t!.rows[1]!, t!.rows[2]!];
  assert.deepEqual([maxVanilla[1]!.text, maxStatic[1]!.text], ["Vanilla", "Static boost"]);
  assert.equal(maxVanilla[2]!.tone, "bad", "published maximum outside the band");
  assert.equal(maxStatic[2]!.tone, "good", "published maximum inside the band");
  assert.match(maxVanilla[2]!.title!, /published outside the band/);
  assert.match(t!.note!, /In sample [\d.]+ over 1, out of sample [\d.]+ over 2\./);
});

/** The Sweep tab's model (webview/lib/sweep.ts): the series the chart draws and the table it shows. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { SweepView } from "../../common/protocol";
import { compareModes } from "../../report/effects";
import { numericParam, sweepMetrics, sweepSeries, sweepTable, sweepTables } from "../../webview/lib/sweep";
import { fakeProbe, fakeRun } from "../report/fake-runs";

/** Two replications per mode; the guest avg is `avg(mode, prio) ± 1`, so the mean is exact. */
function view(values: unknown[], avg: (mode: string, v: number) => number): SweepView {
  return {
    params: [{ path: "pvsched.boost_priority", values }],
    replications: 2,
    runs: values.length * 4,
    cells: values.map((v) => {
      const runs = ["vanilla", "dynamic"].flatMap((mode) =>
        [1, 2].map((seed) =>
          fakeRun({
            scenario: "s",
            mode,
            seed,
            probes: [fakeProbe({ id: "guest", side: "guest", avg: avg(mode, Number(v)) + (seed === 1 ? -1 : 1), max: 100 })],
          }),
        ),
      );
      return { params: { "pvsched.boost_priority": v }, comparison: compareModes(runs) };
    }),
  };
}

test("one series per mode, the mean at each value, with its 95 % interval around it", () => {
  const v = view([50, 1, 99], (mode, p) => (mode === "vanilla" ? 20 : 10 + p / 10));
  const [probe] = sweepSeries(v, "avg_us");
  assert.equal(probe?.probe, "guest");
  assert.deepEqual(
    probe?.series.map((s) => s.mode),
    ["vanilla", "dynamic"],
  );
  const dyn = probe!.series[1]!;
  assert.deepEqual(
    dyn.points.map((p) => [p.x, p.mean]),
    [
      [1, 10.1],
      [50, 15],
      [99, 19.9],
    ],
    "sorted by the parameter's value, whatever the cell order",
  );
  for (const p of dyn.points) assert.ok(p.lo! < p.mean && p.mean < p.hi!, `interval around ${p.mean}`);
});

test("a parameter that is not numeric has no chart, but its table has every cell", () => {
  const v = view(["rr", "fifo"], () => 5);
  assert.equal(numericParam(v), undefined);
  assert.deepEqual(sweepSeries(v, "avg_us"), []);
  const t = sweepTable(v, "avg_us");
  assert.equal(t.rows.length, 2);
  assert.deepEqual(
    t.rows.map((r) => r[0]!.text),
    ['"rr"', '"fifo"'],
  );
  assert.match(t.rows[0]![2]!.text, /^5 \[0, 17\.7\]$/, "mean with its interval, floored at 0 (an average latency is never negative)");
});

test("metrics are the ones measured; the CSV has a table per metric", () => {
  const v = view([1, 2], () => 5);
  assert.deepEqual(sweepMetrics(v), ["avg_us", "p99_us", "max_us"], "no glitches without an audio probe");
  assert.deepEqual(
    sweepTables(v).map((t) => t.id),
    ["sweep-avg_us", "sweep-p99_us", "sweep-max_us"],
  );
  assert.deepEqual(sweepTables(undefined), []);
  assert.deepEqual(
    sweepTable(v, "avg_us").head[0]!.map((c) => c.text),
    ["pvsched.boost_priority", "probe", "Vanilla", "Dynamic (series)"],
    "modes by the names people read",
  );
});

/** Sweep tab: a metric against the swept parameter, one line per mode with its 95 % interval band. */
import type { SweepView } from "../../common/protocol";
import { modeTitle } from "../../common/modes";
import type { ProbeMetric } from "../../report/metrics";
import { h, on, replace } from "../dom";
import { fmtUs } from "../lib/format";
import { metricLabel, numericParam, sweepMetrics, sweepSeries, sweepTable } from "../lib/sweep";
import { lineChart, SERIES_COLORS } from "./chart";
import { chartBox, type ChartHost } from "./dist";
import { renderTable } from "./table";

/** Pads a domain so a flat line or a single point still has an axis. */
function padded(lo: number, hi: number): [number, number] {
  if (hi > lo) return [lo - (hi - lo) * 0.05, hi + (hi - lo) * 0.05];
  const d = Math.abs(lo) * 0.1 || 1;
  return [lo - d, hi + d];
}

export function renderSweep(v: SweepView, host: ChartHost): HTMLElement {
  const root = h("div", { class: "sweep" });
  const metrics = sweepMetrics(v);
  if (!metrics.length) return h("p", { class: "empty" }, "The sweep measured no probe.");
  const select = h(
    "select",
    { id: "sweep-metric", "aria-label": "Metric" },
    metrics.map((m) => h("option", { value: m }, metricLabel(m))),
  ) as HTMLSelectElement;
  const body = h("div", { class: "charts" });
  root.append(h("div", { class: "chart-options" }, h("label", { for: "sweep-metric" }, "Metric"), select), body);
  const param = numericParam(v);
  const draw = () => {
    const metric = select.value as ProbeMetric;
    const parts: HTMLElement[] = [];
    if (param) {
      for (const p of sweepSeries(v, metric)) {
        const ys = p.series.flatMap((s) => s.points.flatMap((q) => [q.mean, q.lo ?? q.mean, q.hi ?? q.mean]));
        const series = p.series.map((s, i) => ({
          name: modeTitle(s.mode),
          color: SERIES_COLORS[i % SERIES_COLORS.length]!,
          points: s.points.map((q) => ({ x: q.x, y: q.mean })),
          band: s.points.flatMap((q) => (q.lo === null || q.hi === null ? [] : [{ x: q.x, lo: q.lo, hi: q.hi }])),
          markers: true,
        }));
        const svg = lineChart({
          title: `${p.probe}: ${metricLabel(metric)}`,
          xLabel: param.path,
          yLabel: metricLabel(metric),
          series,
          xDomain: padded(Math.min(...param.values), Math.max(...param.values)),
          yDomain: padded(Math.min(0, ...ys), Math.max(...ys)),
          xLog: false,
          yLog: false,
          yFormat: metric === "glitches" ? (x) => x.toFixed(0) : fmtUs,
        });
        parts.push(
          h(
            "figure",
            { class: "chart-card" },
            h("figcaption", {}, `${p.probe} (${p.side})`),
            chartBox(svg, `sweep-${p.probe}-${metric}`, host),
          ),
        );
      }
    } else parts.push(h("p", { class: "note" }, "The chart needs one parameter with numeric values; the table has every cell."));
    parts.push(renderTable(sweepTable(v, metric)));
    replace(body, parts);
  };
  on(select, "change", draw);
  draw();
  return root;
}

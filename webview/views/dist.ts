/** Distributions tab: per probe, a histogram and a CDF on log scales, one series per mode. */
import type { ProbeResult, RunResult } from "../../sim-core/results";
import { h, on, replace } from "../dom";
import { binsOf, cdf, extent, fractions, occupied } from "../lib/hist";
import { modesOf, probeGrid, scenariosOf } from "../lib/tables";
import { modeTitle } from "../../common/modes";
import { tailTargets } from "../lib/why";
import { fmtNs, fmtUs } from "../lib/format";
import { type ChartTarget, lineChart, SERIES_COLORS, type Series } from "./chart";
import type { WhyHost } from "./why";

export interface ChartHost {
  /** Called when a chart gets focus or is clicked, so "Export SVG" knows the current chart. */
  setCurrent(svg: SVGSVGElement, name: string): void;
  exportSvg(svg: SVGSVGElement, name: string): void;
}

/**
 * The histogram's tail bins as targets: each opens the timeline on the worst sample of its bin,
 * with its causal chain. With several modes, each mode gets its share of the bin's width.
 */
function tailBinTargets(
  runs: readonly RunResult[],
  per: readonly { mode: string; color: string; probe: ProbeResult | undefined }[],
  yLo: number,
  why: WhyHost,
): ChartTarget[] {
  const out: ChartTarget[] = [];
  per.forEach((d, i) => {
    for (const t of tailTargets(runs, d.probe)) {
      const total = d.probe!.latency.count;
      const w = Math.log(t.hi_us / t.lo_us) / per.length;
      const sample = t.sample;
      out.push({
        x0: t.lo_us * Math.exp(w * i),
        x1: t.lo_us * Math.exp(w * (i + 1)),
        y0: yLo,
        y1: total > 0 ? Math.max(yLo, t.count / total) : yLo,
        color: d.color,
        label:
          `${modeTitle(d.mode)}: ${t.count} sample${t.count === 1 ? "" : "s"} in ${fmtUs(t.lo_us)}–${fmtUs(t.hi_us)} us; ` +
          `show the worst of them (${fmtNs(sample.latency_ns)}) on the timeline with its causal chain`,
        activate: () => why.jumpToSample?.(t.run, sample),
      });
    }
  });
  return out;
}

export function renderDistributions(runs: readonly RunResult[], host: ChartHost, why: WhyHost = {}): HTMLElement {
  const modes = modesOf(runs);
  const multi = scenariosOf(runs).length > 1;
  const grid = probeGrid(runs, () => true);
  const root = h("div", { class: "dist" });
  const tail = h("input", { type: "checkbox", id: "tail-toggle" }) as HTMLInputElement;
  const body = h("div", { class: "charts" });
  // Tail bins lead to their worst samples once the runs have timelines; results made without
  // them can have them recorded from here.
  const record = why.recordTimeline;
  const recordBtn = record
    ? h(
        "vscode-button",
        {
          secondary: true,
          "data-testid": "record-timeline",
          title: "The runs again with the recorder on (the same seeds, so the same numbers)",
        },
        "Record the timeline to click the tail's bins through to their worst samples",
      )
    : null;
  if (recordBtn && record) on(recordBtn, "click", () => record());
  root.append(
    h(
      "div",
      { class: "chart-options" },
      tail,
      h("label", { for: "tail-toggle" }, "Show the tail: 1 − CDF on a log axis instead of the CDF"),
      recordBtn,
    ),
    body,
  );
  const draw = () => {
    const figures: HTMLElement[] = [];
    for (const k of grid.keys) {
      const name = multi ? `${k.scenario} · ${k.probe}` : k.probe;
      const per = modes
        .map((m, i) => {
          const probe = grid.get(k, m);
          return { mode: m, color: SERIES_COLORS[i % SERIES_COLORS.length]!, probe, bins: binsOf(probe?.latency?.histogram) };
        })
        .filter((d) => d.bins.length);
      const ext = extent(per.map((d) => d.bins));
      if (!ext) {
        figures.push(h("figure", { class: "chart-card" }, h("figcaption", {}, name), h("p", { class: "note" }, "No histogram samples.")));
        continue;
      }
      const histSeries: Series[] = per.map((d) => {
        const pts: { x: number; y: number }[] = [];
        for (const b of occupied(fractions(d.bins))) {
          pts.push({ x: b.lo, y: b.count }, { x: b.hi, y: b.count });
        }
        return { name: modeTitle(d.mode), color: d.color, points: pts };
      });
      let minShare = 1;
      for (const se of histSeries) for (const p of se.points) if (p.y > 0) minShare = Math.min(minShare, p.y);
      const yLo = Math.pow(10, Math.floor(Math.log10(minShare)));
      for (const se of histSeries) for (const p of se.points) if (p.y <= 0) p.y = yLo;
      const hist = lineChart({
        title: `${name}: histogram`,
        xLabel: "latency (µs, log)",
        yLabel: "share of samples (log)",
        series: histSeries,
        xDomain: ext,
        yDomain: [yLo, 1],
        xLog: true,
        yLog: true,
        yFormat: (v) => (v >= 0.01 ? `${+(v * 100).toPrecision(2)}%` : v.toExponential(0)),
        targets: why.jumpToSample ? tailBinTargets(runs, per, yLo, why) : [],
        targetsLabel: `${name}: the tail's bins (the slowest 10 % of samples); each shows its worst sample on the timeline`,
      });
      const cdfSeries: Series[] = per.map((d) => ({
        name: modeTitle(d.mode),
        color: d.color,
        points: cdf(d.bins).map((p) => ({ x: p.x, y: tail.checked ? 1 - p.p : p.p })),
      }));
      let chart2: SVGSVGElement;
      if (tail.checked) {
        let minTail = 1;
        for (const se of cdfSeries) for (const p of se.points) if (p.y > 0) minTail = Math.min(minTail, p.y);
        const lo = Math.pow(10, Math.floor(Math.log10(minTail)));
        // 1 − CDF reaches 0 at the last bin; on a log axis draw it at the bottom of the axis.
        for (const se of cdfSeries) for (const p of se.points) if (p.y <= 0) p.y = lo;
        chart2 = lineChart({
          title: `${name}: 1 − CDF`,
          xLabel: "latency (µs, log)",
          yLabel: "share above (log)",
          series: cdfSeries,
          xDomain: ext,
          yDomain: [lo, 1],
          xLog: true,
          yLog: true,
        });
      } else {
        chart2 = lineChart({
          title: `${name}: CDF`,
          xLabel: "latency (µs, log)",
          yLabel: "share below",
          series: cdfSeries,
          xDomain: ext,
          yDomain: [0, 1],
          xLog: true,
          yLog: false,
        });
      }
      const clickable = per.some((d) => why.jumpToSample && tailTargets(runs, d.probe).length > 0);
      figures.push(
        h(
          "figure",
          { class: "chart-card" },
          h("figcaption", {}, name),
          clickable
            ? h(
                "p",
                { class: "note" },
                "Click a bin of the histogram's tail (the slowest 10 %), or Tab to it and use the arrow keys and Enter, to see its worst sample on the timeline with its causal chain.",
              )
            : null,
          chartBox(hist, `${name}-histogram`, host),
          chartBox(chart2, `${name}-${tail.checked ? "tail" : "cdf"}`, host),
        ),
      );
    }
    replace(body, figures.length ? figures : h("p", { class: "empty" }, "No latency probes in these runs."));
  };
  on(tail, "change", draw);
  draw();
  return root;
}

/** A focusable chart with its own SVG export button. */
export function chartBox(svg: SVGSVGElement, name: string, host: ChartHost): HTMLElement {
  const btn = h("vscode-button", { secondary: true, class: "chart-export", title: "Export this chart as SVG" }, "SVG");
  const box = h("div", { class: "chart-box", tabindex: 0 }, svg, btn);
  on(box, "focusin", () => host.setCurrent(svg, name));
  on(box, "pointerdown", () => host.setCurrent(svg, name));
  on(btn, "click", () => host.exportSvg(svg, name));
  return box;
}

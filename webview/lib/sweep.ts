/**
 * A parameter sweep (common/protocol.ts SweepView) as chart series and a table: per probe, the
 * chosen metric's mean against the parameter's value, one line per mode, with the 95 % interval
 * of the mean as a band. Pure, so the tests read the same numbers the panel draws and exports.
 */
import type { SweepView } from "../../common/protocol";
import { PROBE_METRICS, type ProbeMetric } from "../../report/metrics";
import type { Cell, TableModel } from "./tables";
import { modeTitle } from "../../common/modes";
import { fmtUs } from "./format";

export interface SweepPoint {
  x: number;
  mean: number;
  /** The 95 % interval of the mean; null with one replication. */
  lo: number | null;
  hi: number | null;
}

export interface SweepSeries {
  mode: string;
  points: SweepPoint[];
}

export interface SweepProbe {
  probe: string;
  side: string;
  series: SweepSeries[];
}

/** The swept parameter a chart can draw: the first one, if every value of it is a number. */
export function numericParam(v: SweepView): { path: string; values: number[] } | undefined {
  const p = v.params[0];
  if (!p || v.params.length !== 1 || !p.values.every((x) => typeof x === "number" && Number.isFinite(x))) return undefined;
  return { path: p.path, values: p.values as number[] };
}

/** The metrics any probe of the sweep has (glitches only for audio probes). */
export function sweepMetrics(v: SweepView): ProbeMetric[] {
  const out = new Set<ProbeMetric>();
  for (const c of v.cells)
    for (const p of c.comparison.probes)
      for (const stats of Object.values(p.byMode)) for (const m of Object.keys(stats ?? {})) out.add(m as ProbeMetric);
  return PROBE_METRICS.filter((m) => out.has(m));
}

/** Per probe, one series per mode of `metric` against the parameter's value (cells in order). */
export function sweepSeries(v: SweepView, metric: ProbeMetric): SweepProbe[] {
  const param = numericParam(v);
  if (!param) return [];
  const probes: SweepProbe[] = [];
  const probeOf = (id: string, side: string) => {
    const found = probes.find((x) => x.probe === id);
    if (found) return found;
    const p: SweepProbe = { probe: id, side, series: [] };
    probes.push(p);
    return p;
  };
  for (const cell of v.cells) {
    const x = cell.params[param.path];
    if (typeof x !== "number") continue;
    for (const pc of cell.comparison.probes) {
      const probe = probeOf(pc.id, pc.side);
      for (const mode of cell.comparison.modes) {
        const st = pc.byMode[mode]?.[metric];
        if (!st) continue;
        let s = probe.series.find((y) => y.mode === mode);
        if (!s) {
          s = { mode, points: [] };
          probe.series.push(s);
        }
        s.points.push({ x, mean: st.mean, lo: st.ci95?.[0] ?? null, hi: st.ci95?.[1] ?? null });
      }
    }
  }
  for (const p of probes) for (const s of p.series) s.points.sort((a, b) => a.x - b.x);
  return probes.filter((p) => p.series.length > 0);
}

const METRIC_LABEL: Record<ProbeMetric, string> = {
  avg_us: "avg (µs)",
  p99_us: "p99 (µs)",
  max_us: "max (µs)",
  glitches: "glitches (count)",
};
export const metricLabel = (m: ProbeMetric) => METRIC_LABEL[m];

const fmt = (m: ProbeMetric, v: number) => (m === "glitches" ? v.toFixed(1) : fmtUs(v));

/** The sweep as a table: a row per value and probe, a column per mode ("mean [lo, hi]"). */
export function sweepTable(v: SweepView, metric: ProbeMetric): TableModel {
  const param = v.params[0]?.path ?? "";
  const modes = [...new Set(v.cells.flatMap((c) => c.comparison.modes))];
  const rows: Cell[][] = [];
  for (const cell of v.cells) {
    const value = JSON.stringify(cell.params[param]);
    for (const pc of cell.comparison.probes) {
      const row: Cell[] = [
        { text: value, kind: "label" },
        { text: pc.id, kind: "label" },
      ];
      for (const mode of modes) {
        const st = pc.byMode[mode]?.[metric];
        if (!st) row.push({ text: "—", kind: "text" });
        else {
          const ci = st.ci95 ? ` [${fmt(metric, st.ci95[0])}, ${fmt(metric, st.ci95[1])}]` : "";
          row.push({ text: `${fmt(metric, st.mean)}${ci}`, kind: "sim", value: st.mean });
        }
      }
      rows.push(row);
    }
  }
  return {
    id: "sweep",
    testid: "sweep-table",
    title: `${metricLabel(metric)} against ${param}: mean [95 % interval] over ${v.replications} replications`,
    head: [[{ text: param }, { text: "probe" }, ...modes.map((m) => ({ text: modeTitle(m) }))]],
    rows,
  };
}

/** The sweep's tables, one per metric (the CSV export). */
export function sweepTables(v: SweepView | undefined): TableModel[] {
  return v ? sweepMetrics(v).map((m) => ({ ...sweepTable(v, m), id: `sweep-${m}` })) : [];
}

/**
 * Puts real and simulated distributions side by side: per cell and probe the avg, p99 and
 * max of both, their ratios, the KS distance, and per load the ordering of the modes.
 * Pure logic over already-collected data (unit-tested).
 */
import type { LatencyStats } from "../sim-core";
import { compareOrdering, ksSamplesVsBinned, ratio, withinFactor, type OrderingComparison } from "./stats";
import type { Summary } from "../report/stats";

export interface Row {
  cell: string;
  experiment: string;
  load: string;
  mode: string;
  probe: string;
  mapping: string;
  real: Summary;
  sim: Summary | null;
  ratio: { avg: number | null; p99: number | null; max: number | null };
  /** KS statistic between the real samples and the simulated histogram (null without sim). */
  ks: number | null;
  p99_within_2x: boolean | null;
  /** Why there is no simulated side, or anything else worth knowing about the row. */
  note?: string;
  /**
   * The twin simulated again with this machine's fitted timer-delivery delay
   * (`host.timer_delivery`, see fidelity/calibrate.ts): a per-machine calibration.
   * `in_sample` marks the rows the calibration was fitted on.
   */
  what_if?: {
    avg_us: number;
    p99_us: number;
    ratio_avg: number | null;
    ratio_p99: number | null;
    ks: number;
    p99_within_2x: boolean;
    in_sample: boolean;
  };
}

export function simSummary(l: LatencyStats): Summary {
  return {
    count: l.count,
    min_us: l.min_us,
    avg_us: l.avg_us,
    p50_us: l.p50_us,
    p90_us: l.p90_us,
    p99_us: l.p99_us,
    max_us: l.max_us,
  };
}

export function makeRow(
  base: Omit<Row, "sim" | "ratio" | "ks" | "p99_within_2x">,
  realSorted: Float64Array,
  sim: LatencyStats | null,
  note?: string,
): Row {
  if (!sim || sim.count === 0) {
    return { ...base, sim: null, ratio: { avg: null, p99: null, max: null }, ks: null, p99_within_2x: null, note: note ?? base.note };
  }
  const s = simSummary(sim);
  const r = {
    avg: ratio(s.avg_us, base.real.avg_us),
    p99: ratio(s.p99_us, base.real.p99_us),
    max: ratio(s.max_us, base.real.max_us),
  };
  return {
    ...base,
    sim: s,
    ratio: r,
    ks: ksSamplesVsBinned(realSorted, sim.histogram),
    p99_within_2x: withinFactor(r.p99, 2),
    note: note ?? base.note,
  };
}

export interface OrderingRow {
  experiment: string;
  load: string;
  probe: string;
  mapping: string;
  metric: "p99" | "avg";
  comparison: OrderingComparison;
  /** Modes compared (present on both sides). */
  modes: string[];
}

/** Per experiment, load, probe, mapping and metric: does the ordering of modes agree? */
export function orderings(rows: Row[]): OrderingRow[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = [r.experiment, r.load, r.probe, r.mapping].join("|");
    const g = groups.get(k) ?? [];
    g.push(r);
    groups.set(k, g);
  }
  const out: OrderingRow[] = [];
  for (const g of groups.values()) {
    const withSim = g.filter((r) => r.sim !== null);
    if (withSim.length < 2) continue;
    for (const metric of ["p99", "avg"] as const) {
      const key = metric === "p99" ? "p99_us" : "avg_us";
      const real: Record<string, number> = {};
      const sim: Record<string, number> = {};
      for (const r of withSim) {
        real[r.mode] = r.real[key];
        sim[r.mode] = r.sim![key];
      }
      out.push({
        experiment: g[0]!.experiment,
        load: g[0]!.load,
        probe: g[0]!.probe,
        mapping: g[0]!.mapping,
        metric,
        comparison: compareOrdering(real, sim),
        modes: withSim.map((r) => r.mode),
      });
    }
  }
  return out;
}

export interface Summary2 {
  /** Rows with a what-if column, and how many of them are within 2x at p99 (out of sample only). */
  what_if_rows_out_of_sample: number;
  what_if_p99_within_2x_out_of_sample: number;
  rows: number;
  rows_simulated: number;
  p99_within_2x: number;
  /** Rows whose p99 misses the 2x target, with the ratio. */
  p99_misses: string[];
  ks_mean: number | null;
  ks_max: number | null;
  orderings: number;
  orderings_agree: number;
  orderings_exact: number;
  ordering_disagreements: string[];
}

export function summarizeRows(rows: Row[], ords: OrderingRow[]): Summary2 {
  const sim = rows.filter((r) => r.sim !== null);
  const ks = sim.map((r) => r.ks).filter((x): x is number => x !== null && Number.isFinite(x));
  const wi = sim.filter((r) => r.what_if && !r.what_if.in_sample);
  return {
    what_if_rows_out_of_sample: wi.length,
    what_if_p99_within_2x_out_of_sample: wi.filter((r) => r.what_if!.p99_within_2x).length,
    rows: rows.length,
    rows_simulated: sim.length,
    p99_within_2x: sim.filter((r) => r.p99_within_2x).length,
    p99_misses: sim.filter((r) => !r.p99_within_2x).map((r) => `${r.cell} ${r.probe} [${r.mapping}]: x${r.ratio.p99?.toFixed(2) ?? "?"}`),
    ks_mean: ks.length ? ks.reduce((a, b) => a + b, 0) / ks.length : null,
    ks_max: ks.length ? Math.max(...ks) : null,
    orderings: ords.length,
    orderings_agree: ords.filter((o) => o.comparison.agrees).length,
    orderings_exact: ords.filter((o) => o.comparison.exact).length,
    ordering_disagreements: ords
      .filter((o) => !o.comparison.agrees)
      .map((o) => `${o.experiment}/${o.load} ${o.probe} [${o.mapping}] by ${o.metric}: real ${o.comparison.real}; sim ${o.comparison.sim}`),
  };
}

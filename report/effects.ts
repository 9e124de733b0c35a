/**
 * Replicated runs of one scenario, mode by mode: per probe and metric the mean over the
 * replications with its 95 % interval (and the 10-90 % band of maxima), and the paired effect of
 * each mode against a baseline (the per-replication differences at equal seeds; see
 * runner/replications.ts). `pvsched-sim run/compare/ablate`, the lens and the panel read these.
 */
import { modeLabel, type ModeSpec, type ProbeResult, type RunResult } from "../sim-core/index";
import { pairedEffect, replicatedStat, type Effect, type ReplicatedStat } from "./intervals";
import { PROBE_METRICS, type ProbeMetric } from "./metrics";
import { mean } from "./stats";

export { PROBE_METRICS, type ProbeMetric };

/** A probe's value of a metric; null when the probe measured nothing (or has no glitch count). */
export function metricValue(p: ProbeResult | undefined, m: ProbeMetric): number | null {
  if (!p) return null;
  if (m === "glitches") return typeof p.glitches === "number" ? p.glitches : null;
  return p.latency.count > 0 ? p.latency[m] : null;
}

/** What a comparison reads of a run (a sweep's shard files keep only this much). */
export type ComparedRun = Pick<RunResult, "scenario" | "mode" | "seed" | "probes">;

/** The runs of each mode in first-seen order, each list in the order given (replication order). */
export function runsByMode<T extends ComparedRun>(runs: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of runs) {
    const list = out.get(r.mode);
    if (list) list.push(r);
    else out.set(r.mode, [r]);
  }
  return out;
}

export type MetricStats = Partial<Record<ProbeMetric, ReplicatedStat>>;
export type MetricEffects = Partial<Record<ProbeMetric, Effect>>;

export interface ProbeComparison {
  id: string;
  side: ProbeResult["side"];
  kind: ProbeResult["kind"];
  /** Per mode: each metric over the replications (absent where no replication measured it). */
  byMode: Record<string, MetricStats | null>;
  /** Per mode other than the baseline: the paired effect (mode - baseline) of each metric. */
  effects: Record<string, MetricEffects | null>;
}

export interface ModeComparison {
  scenario: string;
  modes: string[];
  /** Replications per mode (the smallest count, if they differ). */
  replications: number;
  /** The mode the effects are measured against. */
  baseline: string;
  probes: ProbeComparison[];
}

/** Seeds present in both lists, in `a`'s order: the replications that can be paired. */
function pairs<T extends ComparedRun>(a: readonly T[], b: readonly T[]): [T, T][] {
  const bySeed = new Map(b.map((r) => [r.seed, r]));
  return a.flatMap((r): [T, T][] => {
    const o = bySeed.get(r.seed);
    return o ? [[r, o]] : [];
  });
}

/** Compares the modes of replicated runs against `baseline` (default: the first mode). */
export function compareModes(runs: readonly ComparedRun[], baseline?: string): ModeComparison {
  const groups = runsByMode(runs);
  const modes = [...groups.keys()];
  const base = baseline ?? modes[0] ?? "";
  const probeIds: { id: string; side: ProbeResult["side"]; kind: ProbeResult["kind"] }[] = [];
  for (const r of runs)
    for (const p of r.probes) if (!probeIds.some((x) => x.id === p.id)) probeIds.push({ id: p.id, side: p.side, kind: p.kind });
  const probe = (r: ComparedRun, id: string) => r.probes.find((p) => p.id === id);
  return {
    scenario: runs[0]?.scenario ?? "",
    modes,
    replications: modes.length ? Math.min(...modes.map((m) => groups.get(m)!.length)) : 0,
    baseline: base,
    probes: probeIds.map(({ id, side, kind }) => {
      const byMode: Record<string, MetricStats | null> = {};
      const effects: Record<string, MetricEffects | null> = {};
      for (const m of modes) {
        const list = groups.get(m)!;
        const stats: MetricStats = {};
        for (const metric of PROBE_METRICS) {
          const values = list.map((r) => metricValue(probe(r, id), metric)).filter((v): v is number => v !== null);
          if (values.length) stats[metric] = replicatedStat(values, { band: metric === "max_us" });
        }
        byMode[m] = Object.keys(stats).length ? stats : null;
        if (m === base) continue;
        const eff: MetricEffects = {};
        for (const metric of PROBE_METRICS) {
          const paired = pairs(groups.get(base) ?? [], list)
            .map(([b, o]) => [metricValue(probe(b, id), metric), metricValue(probe(o, id), metric)])
            .filter((x): x is [number, number] => x[0] !== null && x[1] !== null);
          if (paired.length)
            eff[metric] = pairedEffect(
              paired.map((x) => x[0]),
              paired.map((x) => x[1]),
            );
        }
        effects[m] = Object.keys(eff).length ? eff : null;
      }
      return { id, side, kind, byMode, effects };
    }),
  };
}

/** The mode labels of `modes`, for finding their runs. */
export function modeLabels(modes: readonly ModeSpec[]): string[] {
  return modes.map(modeLabel);
}

/** Mean of a per-run number over a mode's runs (vCPU counters and the like). */
export function meanOver(runs: readonly RunResult[], f: (r: RunResult) => number | undefined): number | null {
  const xs = runs.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x));
  return xs.length ? mean(xs) : null;
}

/**
 * An effect in words: "+1234 [+200, +2300]" when its interval excludes zero, otherwise
 * "no significant effect" (with a single replication there is no interval, so never an effect).
 */
export function effectText(e: Effect | null | undefined, fmt: (x: number) => string): string {
  if (!e) return "n/a";
  if (!e.significant) return "no significant effect";
  const signed = (x: number) => (x > 0 ? "+" : x < 0 ? "-" : "") + fmt(Math.abs(x));
  return `${signed(e.mean)} [${signed(e.ci95![0])}, ${signed(e.ci95![1])}]`;
}

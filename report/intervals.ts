/**
 * The statistics of replicated runs: Student-t 95 % intervals, the 10-90 % band, and paired
 * effects. A replication is one full run per mode (or ablation) at one seed; modes at the same
 * seed share their random numbers (runner/replications.ts), so an effect is computed from the
 * per-replication differences, which removes the noise the modes share.
 *
 * Pure (no Node, DOM or VS Code imports). The t quantile comes from @stdlib (a maintained
 * implementation of the inverse regularised incomplete beta function); it is kept out of
 * stats.ts because it adds about 110 KB to a bundle.
 */
import studentTQuantile from "@stdlib/stats-base-dists-t-quantile";
import { excludesZero, mean, percentile, sampleVariance, type Interval } from "./stats";

/** The p-quantile of Student's t distribution with `df` degrees of freedom. */
export function tQuantile(p: number, df: number): number {
  return studentTQuantile(p, df);
}

/**
 * The 95 % confidence interval of the mean, mean ± t(0.975, n - 1) · s / √n; null below two
 * values (one replication has no interval).
 */
export function ci95(xs: readonly number[]): Interval | null {
  const n = xs.length;
  if (n < 2) return null;
  const m = mean(xs);
  const half = tQuantile(0.975, n - 1) * Math.sqrt(sampleVariance(xs) / n);
  return [m - half, m + half];
}

/** One quantity over the replications: its mean, the 95 % interval, and for maxima the 10-90 % band. */
export interface ReplicatedStat {
  replications: number;
  mean: number;
  /** null with a single replication. */
  ci95: Interval | null;
  /** 10th and 90th percentile of the replications' values (reported for maxima). */
  band10_90?: Interval;
}

export function replicatedStat(values: readonly number[], opts: { band?: boolean } = {}): ReplicatedStat {
  let ci = ci95(values);
  // A latency, a count or a maximum is never negative, but the t interval is symmetric: with a
  // few replications of a skewed quantity its lower end can fall below 0 ("avg [-36.6, 126] us"),
  // which no run could give. Such an interval starts at 0.
  if (ci && ci[0] < 0 && values.every((v) => v >= 0)) ci = [0, ci[1]];
  const out: ReplicatedStat = { replications: values.length, mean: mean(values), ci95: ci };
  if (opts.band) out.band10_90 = [percentile(values, 0.1), percentile(values, 0.9)];
  return out;
}

/** The effect of one arm against another, from paired replications. */
export interface Effect {
  /** Mean of the per-replication differences (other - base). */
  mean: number;
  /** 95 % interval of that mean; null with a single replication. */
  ci95: Interval | null;
  /** The interval excludes zero; otherwise there is no significant effect. */
  significant: boolean;
  replications: number;
}

/** The paired effect of `other` against `base`: replication i of each ran at the same seed. */
export function pairedEffect(base: readonly number[], other: readonly number[]): Effect {
  if (base.length !== other.length) throw new Error(`paired effect: ${base.length} against ${other.length} replications`);
  const d = other.map((x, i) => x - base[i]!);
  const ci = ci95(d);
  return { mean: mean(d), ci95: ci, significant: excludesZero(ci), replications: d.length };
}

/**
 * Descriptive statistics shared by the reports: means, variances, percentiles. Pure and without
 * dependencies, so the webview bundle can use it; the intervals that need Student's t are in
 * intervals.ts.
 */

/** A closed interval [lo, hi]. */
export type Interval = [number, number];

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample variance (divided by n - 1); NaN below two values. */
export function sampleVariance(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return s / (n - 1);
}

/** True when the interval lies entirely on one side of zero. */
export function excludesZero(ci: Interval | null): boolean {
  return ci !== null && (ci[0] > 0 || ci[1] < 0);
}

/**
 * Nearest-rank quantile of ascending samples: the smallest x with F(x) >= q. The definition
 * sim-core's latency percentiles and the fidelity comparison use.
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil(q * n)));
  return sorted[rank - 1]!;
}

/**
 * Percentile of a few values by linear interpolation between order statistics (Hyndman and
 * Fan's type 7, the default of R and NumPy): with 10 replications the 10 % and 90 % points lie
 * between the two smallest and the two largest values, symmetric, where the nearest rank would
 * give the minimum at one end and not the maximum at the other.
 */
export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Latency summary in microseconds. Percentiles use the nearest-rank definition. */
export interface Summary {
  count: number;
  min_us: number;
  avg_us: number;
  p50_us: number;
  p90_us: number;
  p99_us: number;
  max_us: number;
}

export function summarize(sorted: ArrayLike<number>): Summary {
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  return {
    count: n,
    min_us: sorted[0] ?? NaN,
    avg_us: n ? sum / n : NaN,
    p50_us: quantile(sorted, 0.5),
    p90_us: quantile(sorted, 0.9),
    p99_us: quantile(sorted, 0.99),
    max_us: sorted[n - 1] ?? NaN,
  };
}

/** Fraction of ascending samples that are <= x. */
export function ecdf(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length ? lo / sorted.length : NaN;
}

/**
 * Two-sample Kolmogorov-Smirnov statistic D = sup_x |F_a(x) - F_b(x)| of two ascending
 * sample sets, computed exactly by merging them.
 */
export function ksSamples(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = a.length;
  const nb = b.length;
  if (na === 0 || nb === 0) return NaN;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < na && j < nb) {
    const x = Math.min(a[i]!, b[j]!);
    while (i < na && a[i]! <= x) i++;
    while (j < nb && b[j]! <= x) j++;
    d = Math.max(d, Math.abs(i / na - j / nb));
  }
  return d;
}

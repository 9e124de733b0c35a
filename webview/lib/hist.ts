/** Histogram and CDF series from sim-core's log-binned latency histograms. */
import type { LatencyStats } from "../../sim-core/results";

export interface Bin {
  lo: number;
  hi: number;
  count: number;
}

/**
 * Bins of a LatencyStats histogram (counts[i] falls in [edges[i], edges[i+1])). Malformed input
 * (mismatched lengths, negative or non-finite counts, edges that do not increase) is dropped bin
 * by bin, so a bad payload draws less rather than drawing nonsense.
 */
export function binsOf(h: LatencyStats["histogram"] | undefined): Bin[] {
  if (!h || !Array.isArray(h.edges_us) || !Array.isArray(h.counts)) return [];
  const out: Bin[] = [];
  const n = Math.min(h.counts.length, h.edges_us.length - 1);
  for (let i = 0; i < n; i++) {
    const lo = h.edges_us[i]!;
    const hi = h.edges_us[i + 1]!;
    const c = h.counts[i]!;
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) continue;
    if (!Number.isFinite(c) || c < 0) continue;
    out.push({ lo, hi, count: c });
  }
  return out;
}

/** Non-empty span of the bins: from the first bin with a sample to the last. */
export function occupied(bins: readonly Bin[]): Bin[] {
  let a = 0;
  let b = bins.length;
  while (a < b && bins[a]!.count === 0) a++;
  while (b > a && bins[b - 1]!.count === 0) b--;
  return bins.slice(a, b);
}

export function total(bins: readonly Bin[]): number {
  let t = 0;
  for (const b of bins) t += b.count;
  return t;
}

/** Share of samples per bin (sums to 1, or all 0 for an empty histogram). */
export function fractions(bins: readonly Bin[]): Bin[] {
  const t = total(bins);
  return bins.map((b) => ({ ...b, count: t > 0 ? b.count / t : 0 }));
}

export interface CdfPoint {
  x: number;
  /** Fraction of samples below x. */
  p: number;
}

/**
 * The empirical CDF at the bin edges: F(lo of the first bin) = 0, F(hi of bin i) = share of
 * samples in bins 0..i. Within a bin the samples' positions are unknown, so the drawn curve joins
 * edge points; the last point is exactly 1 when there are samples.
 */
export function cdf(bins: readonly Bin[]): CdfPoint[] {
  const occ = occupied(bins);
  const t = total(occ);
  if (t === 0 || occ.length === 0) return [];
  const pts: CdfPoint[] = [{ x: occ[0]!.lo, p: 0 }];
  let acc = 0;
  for (const b of occ) {
    acc += b.count;
    pts.push({ x: b.hi, p: acc / t });
  }
  pts[pts.length - 1]!.p = 1;
  return pts;
}

/** The q-quantile (0..1) read off the histogram: the upper edge of the bin where the CDF reaches q. */
export function quantileUpperBound(bins: readonly Bin[], q: number): number | undefined {
  const t = total(bins);
  if (t === 0) return undefined;
  let acc = 0;
  for (const b of bins) {
    acc += b.count;
    if (acc >= q * t) return b.hi;
  }
  return bins[bins.length - 1]!.hi;
}

/** The x extent (lowest lo, highest hi) of the occupied bins across several series. */
export function extent(series: readonly (readonly Bin[])[]): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    const occ = occupied(s);
    if (!occ.length) continue;
    lo = Math.min(lo, occ[0]!.lo);
    hi = Math.max(hi, occ[occ.length - 1]!.hi);
  }
  return Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : undefined;
}

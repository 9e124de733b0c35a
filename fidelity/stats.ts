/**
 * Pure statistics for the fidelity comparison: parsing the real tools' output, the
 * Kolmogorov-Smirnov distance between real samples and a simulated binned distribution, and
 * the comparison of mode orderings (summaries and the two-sample distance are in report/stats.ts). No Node imports: unit-tested on its own.
 */

/** cyclictest's `--histfile` output (`-h N`): one 1-us bucket per line and per thread. */
export interface CyclictestHistogram {
  /** counts[t][k]: samples of thread t whose latency truncated to whole us is k. */
  counts: number[][];
  /** Per thread: samples above the histogram range (`# Histogram Overflows`). */
  overflows: number[];
  /** Per thread, from the trailer. */
  total: number[];
  min_us: number[];
  avg_us: number[];
  max_us: number[];
}

function trailerNumbers(line: string): number[] {
  const rest = line.slice(line.indexOf(":") + 1).trim();
  return rest === "" ? [] : rest.split(/\s+/).map((x) => Number(x));
}

/** Parses the text cyclictest writes with `-h N --histfile=PATH` (rt-tests 2.x format). */
export function parseCyclictestHistogram(text: string): CyclictestHistogram {
  const counts: number[][] = [];
  const h: CyclictestHistogram = { counts, overflows: [], total: [], min_us: [], avg_us: [], max_us: [] };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      const body = line.slice(1).trim();
      if (body.startsWith("Total:")) h.total = trailerNumbers(body);
      else if (body.startsWith("Min Latencies:")) h.min_us = trailerNumbers(body);
      else if (body.startsWith("Avg Latencies:")) h.avg_us = trailerNumbers(body);
      else if (body.startsWith("Max Latencies:")) h.max_us = trailerNumbers(body);
      else if (body.startsWith("Histogram Overflows:")) h.overflows = trailerNumbers(body);
      continue;
    }
    const cols = line.split(/\s+/).map((x) => Number(x));
    if (cols.length < 2 || cols.some((x) => !Number.isFinite(x))) {
      throw new Error(`cyclictest histogram: unexpected line "${raw}"`);
    }
    const bucket = cols[0];
    for (let t = 0; t < cols.length - 1; t++) {
      counts[t] ??= [];
      counts[t]![bucket!] = cols[t + 1]!;
    }
  }
  if (counts.length === 0) throw new Error("cyclictest histogram: no buckets found");
  for (const c of counts) for (let k = 0; k < c.length; k++) c[k] ??= 0;
  return h;
}

/**
 * Expands a cyclictest histogram into sorted samples (us). A bucket k holds latencies in
 * [k, k+1) us and is represented by its midpoint. Overflowed samples are only known to lie
 * between the histogram's top and the thread's max; they are placed at the max, which is
 * the conservative choice for p99 (it can only overstate it). `overflowed` reports how many.
 */
export function cyclictestSamples(h: CyclictestHistogram): { sorted: Float64Array; overflowed: number } {
  let n = 0;
  let over = 0;
  for (let t = 0; t < h.counts.length; t++) {
    for (const c of h.counts[t]!) n += c;
    over += h.overflows[t] ?? 0;
  }
  const out = new Float64Array(n + over);
  let i = 0;
  for (let t = 0; t < h.counts.length; t++) {
    const c = h.counts[t];
    for (let k = 0; k < c!.length; k++) for (let j = 0; j < c![k]!; j++) out[i++] = k + 0.5;
    const o = h.overflows[t] ?? 0;
    const top = Math.max(h.max_us[t] ?? c!.length, c!.length);
    for (let j = 0; j < o; j++) out[i++] = top;
  }
  out.sort();
  return { sorted: out, overflowed: over };
}

/**
 * Parses vcpu_like's sample file: lines "<thread> <latency ns> <stretch ns>".
 * Returns sorted wake-up latencies and run stretches, in microseconds.
 */
export function parseVcpuSamples(text: string): { latency: Float64Array; stretch: Float64Array } {
  const lat: number[] = [];
  const str: number[] = [];
  for (const raw of text.split("\n")) {
    if (raw.trim() === "") continue;
    const cols = raw.trim().split(/\s+/);
    if (cols.length !== 3) throw new Error(`vcpu_like samples: unexpected line "${raw}"`);
    const l = Number(cols[1]);
    const s = Number(cols[2]);
    if (!Number.isFinite(l) || !Number.isFinite(s)) throw new Error(`vcpu_like samples: unexpected line "${raw}"`);
    lat.push(l / 1000);
    str.push(s / 1000);
  }
  return { latency: Float64Array.from(lat).sort(), stretch: Float64Array.from(str).sort() };
}

/** A binned distribution: counts[i] samples in [edges[i], edges[i+1]). */
export interface Binned {
  edges_us: number[];
  counts: number[];
}

/**
 * KS statistic between ascending samples and a binned distribution (sim-core's log-scale
 * histogram). The binned CDF is only known at the bin edges, so both CDFs are compared at
 * the edges: F_bin(edge_k) is the mass of bins below k, F_samples(edge_k) the fraction of
 * samples strictly below edge_k. The result is a lower bound of the true D; with sim-core's
 * fine log bins the gap is small.
 */
export function ksSamplesVsBinned(sorted: ArrayLike<number>, h: Binned): number {
  const total = h.counts.reduce((s, c) => s + c, 0);
  if (total === 0 || sorted.length === 0) return NaN;
  let below = 0;
  let d = 0;
  for (let k = 0; k < h.edges_us.length; k++) {
    const fb = below / total;
    const fs = fractionBelow(sorted, h.edges_us[k]!);
    d = Math.max(d, Math.abs(fb - fs));
    if (k < h.counts.length) below += h.counts[k]!;
  }
  return d;
}

/** Fraction of ascending samples strictly below x. */
function fractionBelow(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo / sorted.length;
}

/**
 * Ranks named values ascending, merging values that are within `tol` of each other into
 * ties. Two values tie when |a - b| <= max(abs_us, rel * max(a, b)). Returns e.g.
 * "static < dynamic = vanilla".
 */
export interface Tolerance {
  rel: number;
  abs_us: number;
}

/** Default tie tolerance for mode orderings: 10% or 2 us, whichever is larger. */
export const ORDER_TOLERANCE: Tolerance = { rel: 0.1, abs_us: 2 };

export function ties(a: number, b: number, tol: Tolerance = ORDER_TOLERANCE): boolean {
  return Math.abs(a - b) <= Math.max(tol.abs_us, tol.rel * Math.max(Math.abs(a), Math.abs(b)));
}

export function orderString(values: Record<string, number>, tol: Tolerance = ORDER_TOLERANCE): string {
  const names = Object.keys(values).sort((x, y) => values[x]! - values[y]! || (x < y ? -1 : 1));
  let out = "";
  names.forEach((n, i) => {
    if (i > 0) out += ties(values[names[i - 1]!]!, values[n]!, tol) ? " = " : " < ";
    out += n;
  });
  return out;
}

export interface OrderingComparison {
  real: string;
  sim: string;
  /** True when no pair of modes is strictly ordered one way in real and the other way in sim. */
  agrees: boolean;
  /** True when every pair has the same relation (<, =, >) on both sides. */
  exact: boolean;
  /** Pairs ordered in opposite directions, e.g. "static/dynamic". */
  inversions: string[];
}

function relation(a: number, b: number, tol: Tolerance): -1 | 0 | 1 {
  if (ties(a, b, tol)) return 0;
  return a < b ? -1 : 1;
}

/**
 * Compares the ordering of the same named values (e.g. p99 per mode) on the real and the
 * simulated side. Only names present on both sides are compared.
 */
export function compareOrdering(
  real: Record<string, number>,
  sim: Record<string, number>,
  tol: Tolerance = ORDER_TOLERANCE,
): OrderingComparison {
  const names = Object.keys(real).filter((n) => n in sim && Number.isFinite(real[n]) && Number.isFinite(sim[n]));
  const r: Record<string, number> = {};
  const s: Record<string, number> = {};
  for (const n of names) {
    r[n] = real[n]!;
    s[n] = sim[n]!;
  }
  const inversions: string[] = [];
  let exact = true;
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const a = names[i];
      const b = names[j];
      const rr = relation(r[a!]!, r[b!]!, tol);
      const sr = relation(s[a!]!, s[b!]!, tol);
      if (rr !== sr) exact = false;
      if (rr !== 0 && sr !== 0 && rr !== sr) inversions.push(`${a}/${b}`);
    }
  }
  return { real: orderString(r, tol), sim: orderString(s, tol), agrees: inversions.length === 0, exact, inversions };
}

/** sim / real, or null when either side is missing or real is zero. */
export function ratio(sim: number | undefined, real: number | undefined): number | null {
  if (sim === undefined || real === undefined || !Number.isFinite(sim) || !Number.isFinite(real) || real === 0) return null;
  return sim / real;
}

/** True when sim is within a factor `f` of real (both ways). */
export function withinFactor(r: number | null, f = 2): boolean {
  return r !== null && r >= 1 / f && r <= f;
}

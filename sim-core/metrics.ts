/**
 * Latency probes and their statistics. Samples are kept exactly (a Float64Array that grows),
 * so percentiles are exact; the histogram is for display, on log-spaced edges.
 */
import type { LatencyStats, ProbeResult } from "./results";
import { TIME_ZERO } from "./engine";

/** Histogram edges in microseconds: 10 per decade from 0.1 us to 10 s. */
const EDGES_US: number[] = (() => {
  const e: number[] = [0];
  for (let k = -10; k <= 70; k++) e.push(Number((10 ** (k / 10)).toPrecision(3)));
  return e;
})();

export class Probe {
  private buf = new Float64Array(1024);
  private n = 0;
  callbacks = 0;
  glitches = 0;
  /** When the worst sample was taken (for finding it on the timeline). */
  maxAtNs = TIME_ZERO;
  private maxNs = -1;

  constructor(
    readonly id: string,
    readonly side: "host" | "guest",
    readonly kind: ProbeResult["kind"],
    readonly vm: string | undefined,
    /** Samples taken before this time are warm-up and dropped. */
    readonly fromNs: number,
  ) {}

  record(latencyNs: number, now: number): void {
    if (now < this.fromNs) return;
    if (this.n === this.buf.length) {
      const b = new Float64Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[this.n++] = latencyNs;
    if (latencyNs > this.maxNs) {
      this.maxNs = latencyNs;
      this.maxAtNs = now;
    }
  }

  /** An audio callback finished; a glitch if it finished after its deadline. */
  callback(now: number, deadline: number): void {
    if (now < this.fromNs) return;
    this.callbacks++;
    if (now > deadline) this.glitches++;
  }

  result(): ProbeResult {
    const r: ProbeResult = { id: this.id, side: this.side, kind: this.kind, latency: latencyStats(this.buf.subarray(0, this.n)) };
    if (this.vm !== undefined) r.vm = this.vm;
    if (this.n > 0) r.max_at_ns = this.maxAtNs + 0; // never -0 (TIME_ZERO) in results
    if (this.kind === "audio") {
      r.callbacks = this.callbacks;
      r.glitches = this.glitches;
    }
    return r;
  }
}

/** The histogram bin of a latency: counts[b] holds [EDGES_US[b], EDGES_US[b + 1]), the last bin everything above. */
export function histBin(latencyNs: number): number {
  const us = latencyNs / 1000;
  // The largest b with EDGES_US[b] <= us (b = 0 below the first edge), by bisection over 81 edges.
  let lo = 0;
  let hi = EDGES_US.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (us >= EDGES_US[mid]!) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The histogram's tail, for "why was this sample late?": the slowest 10 %, where a latency
 * distribution's interesting samples are (cyclictest's p90 and up), a few bins wide in practice.
 */
const TAIL_FROM_QUANTILE = 0.9;

/**
 * The first bin of the histogram's tail: the bin holding the 90th percentile (the sample
 * latencyStats reports as p90_us); it and every bin above hold the slowest 10 %.
 */
export function tailFromBin(counts: readonly number[]): number {
  const n = counts.reduce((a, c) => a + c, 0);
  const rank = Math.min(n - 1, Math.max(0, Math.ceil(TAIL_FROM_QUANTILE * n) - 1));
  let cum = 0;
  for (let b = 0; b < counts.length; b++) {
    cum += counts[b]!;
    if (cum > rank) return b;
  }
  return counts.length;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Statistics of latency samples given in ns, reported in us. */
export function latencyStats(samplesNs: Float64Array): LatencyStats {
  const n = samplesNs.length;
  const counts = new Array(EDGES_US.length - 1).fill(0);
  if (n === 0) {
    return {
      count: 0,
      min_us: 0,
      avg_us: 0,
      max_us: 0,
      p50_us: 0,
      p90_us: 0,
      p99_us: 0,
      p999_us: 0,
      histogram: { edges_us: EDGES_US.slice(), counts },
    };
  }
  const s = Float64Array.from(samplesNs).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i]!;
  const pct = (p: number) => s[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]! / 1000;
  for (let i = 0; i < n; i++) counts[histBin(s[i]!)]++;
  return {
    count: n,
    min_us: round3(s[0]! / 1000),
    avg_us: round3(sum / n / 1000),
    max_us: round3(s[n - 1]! / 1000),
    p50_us: round3(pct(0.5)),
    p90_us: round3(pct(0.9)),
    p99_us: round3(pct(0.99)),
    p999_us: round3(pct(0.999)),
    histogram: { edges_us: EDGES_US.slice(), counts },
  };
}

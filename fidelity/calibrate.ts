/**
 * Proposed calibrations derived from the real measurements (see CALIBRATION.md). Only what a
 * measurement isolates is fitted; the rest is checked and its error reported.
 *
 * 1. Timer-interrupt delivery latency (fitted). A SCHED_FIFO cyclictest has no timer slack and
 *    preempts anything, so its latency is the platform's delivery path: the timer interrupt
 *    (through the outer hypervisor on these machines), the hrtimer handler, the wakeup and the
 *    switch. sim-core gives it a constant floor (`simFloorUs`, from its own FIFO rows). The
 *    excess is fitted to a log-normal by its median and its 99th percentile (the comparison's
 *    target); its error at p90 is reported.
 * 2. Timer slack (checked, not fitted): SCHED_OTHER minus SCHED_FIFO cyclictest medians should
 *    be `timer_slack_ns` (50 us, read from /proc/self/timerslack_ns).
 * 3. setscheduler cost (measured directly by vcpu_like: the threads time their own boosts).
 */
import { quantile } from "../report/stats";

/** z-score of the 90th percentile of a standard normal (normQuantile(0.9)). */
const Z90 = 1.2815515655446004;
/** z-score of the 99th percentile. */
const Z99 = 2.3263478740408408;

export interface LognormalFit {
  median_us: number;
  gsd: number;
  /** The quantile (besides the median) the fit matches. */
  fitted_q: number;
  /** Check quantile: what the fit predicts there and what was measured (not used by the fit). */
  check_q: number;
  check_fit_us: number;
  check_real_us: number;
}

/**
 * Fits a log-normal to `x - floor` by its median and quantile `q` (0.99 by default: the
 * comparison's target is p99). Reports the fit's error at `checkQ`, a quantile it did not
 * use. Returns null when the data leave nothing to fit (median at or below the floor).
 */
export function fitLognormalExcess(sorted: ArrayLike<number>, floorUs: number, q = 0.99, checkQ = 0.9): LognormalFit | null {
  const p50 = quantile(sorted, 0.5) - floorUs;
  const pq = quantile(sorted, q) - floorUs;
  if (!(p50 > 0) || !(pq >= p50)) return null;
  const gsd = Math.max(1, Math.exp(Math.log(pq / p50) / zOf(q)));
  return {
    median_us: p50,
    gsd,
    fitted_q: q,
    check_q: checkQ,
    check_fit_us: floorUs + p50 * Math.pow(gsd, zOf(checkQ)),
    check_real_us: quantile(sorted, checkQ),
  };
}

function zOf(q: number): number {
  if (q === 0.9) return Z90;
  if (q === 0.99) return Z99;
  return normQuantile(q);
}

export interface Calibration {
  name: string;
  /** Fitted numbers, for the calibrated re-simulation (the cal columns). */
  params?: { lognormal_median_us: number; lognormal_gsd: number };
  value: string;
  source: string;
  /** Fitted, measured directly, or only checked against the model's default. */
  kind: "fitted" | "measured" | "checked";
  error?: string;
}

export interface CalibrationInput {
  /** Pooled SCHED_FIFO cyclictest samples (idle and/or busy). */
  fifo: Float64Array;
  /** Which loads were pooled, e.g. "idle+busy". */
  fifoLoads?: string;
  /** SCHED_OTHER and SCHED_FIFO idle cyclictest samples. */
  otherIdle?: Float64Array;
  fifoIdle?: Float64Array;
  /** The simulated SCHED_FIFO cyclictest latency without any delivery latency (sim-core). */
  simFifoFloorUs: number;
  /** Boost timings from vcpu_like (dynamic mode): calls and mean ns. */
  selfBoost?: { calls: number; avg_ns: number };
  modelSlackUs: number;
}

export function proposeCalibrations(i: CalibrationInput): Calibration[] {
  const out: Calibration[] = [];
  const fit = fitLognormalExcess(i.fifo, i.simFifoFloorUs);
  if (fit) {
    out.push({
      name: "host timer-interrupt delivery latency (sim-core: host.timer_delivery, per machine)",
      value: `{ lognormal_median_us: ${fit.median_us.toFixed(1)}, lognormal_gsd: ${fit.gsd.toFixed(3)} }`,
      source: `SCHED_FIFO cyclictest -i 500 -p 80, ${i.fifoLoads ?? "idle+busy"} pooled (${i.fifo.length} samples): p50 and p${Math.round(fit.fitted_q * 100)} minus sim-core's FIFO floor ${i.simFifoFloorUs.toFixed(1)} us`,
      kind: "fitted",
      params: { lognormal_median_us: fit.median_us, lognormal_gsd: fit.gsd },
      error: `p${Math.round(fit.check_q * 100)} (not fitted): fit ${fit.check_fit_us.toFixed(0)} us vs real ${fit.check_real_us.toFixed(0)} us`,
    });
  }
  if (i.otherIdle && i.fifoIdle && i.otherIdle.length && i.fifoIdle.length) {
    const d = quantile(i.otherIdle, 0.5) - quantile(i.fifoIdle, 0.5);
    out.push({
      name: "sched.timer_slack_ns",
      value: `50000 (kept: /proc/self/timerslack_ns)`,
      source: "idle cyclictest p50, SCHED_OTHER minus SCHED_FIFO",
      kind: "checked",
      error: `measured difference ${d.toFixed(1)} us vs 50 us (${(((d - 50) / 50) * 100).toFixed(0)}%)`,
    });
  }
  if (i.selfBoost && i.selfBoost.calls > 0) {
    out.push({
      name: "pvsched.setscheduler_ns (for this machine)",
      value: `${Math.round(i.selfBoost.avg_ns)}`,
      source: `vcpu_like dynamic: sched_setscheduler(0, SCHED_RR, 8) timed by the threads, ${i.selfBoost.calls} calls`,
      kind: "measured",
      error:
        "sim-core default 1500 ns is an estimate for bare metal; this is a nested VM with pti=on, so keep it as a per-machine value, not a new default",
    });
  }
  return out;
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Inverse of normCdf by bisection (monotone, plenty fast for a 200-point grid). */
export function normQuantile(p: number): number {
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (normCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A discrete distribution as weighted points, ascending by value. */
export interface Weighted {
  values: number[];
  weights: number[];
}

/**
 * What-if: the simulated latency distribution with an independent log-normal delay added to
 * every wake-up (what the proposed delivery-latency parameter would do to a wake-up that the
 * simulator otherwise gets right). The histogram bins are taken at their midpoints and the
 * log-normal at `k` equal-probability points; the result is their exact discrete convolution.
 */
export function convolveBinnedLognormal(h: { edges_us: number[]; counts: number[] }, medianUs: number, gsd: number, k = 200): Weighted {
  const sigma = Math.log(gsd);
  const d: number[] = [];
  for (let i = 0; i < k; i++) d.push(medianUs * Math.exp(sigma * normQuantile((i + 0.5) / k)));
  const pts: [number, number][] = [];
  h.counts.forEach((c, i) => {
    if (!c) return;
    const mid = (h.edges_us[i]! + h.edges_us[i + 1]!) / 2;
    for (const x of d) pts.push([mid + x, c / k]);
  });
  pts.sort((a, b) => a[0] - b[0]);
  return { values: pts.map((p) => p[0]), weights: pts.map((p) => p[1]) };
}

export function weightedQuantile(w: Weighted, q: number): number {
  const total = w.weights.reduce((s, x) => s + x, 0);
  let acc = 0;
  for (let i = 0; i < w.values.length; i++) {
    acc += w.weights[i]!;
    if (acc >= q * total - 1e-9) return w.values[i]!;
  }
  return w.values[w.values.length - 1] ?? NaN;
}

export function weightedMean(w: Weighted): number {
  const total = w.weights.reduce((s, x) => s + x, 0);
  return w.values.reduce((s, v, i) => s + v * w.weights[i]!, 0) / total;
}

/** KS statistic between ascending samples and a weighted discrete distribution. */
export function ksSamplesVsWeighted(sorted: ArrayLike<number>, w: Weighted): number {
  const total = w.weights.reduce((s, x) => s + x, 0);
  const n = sorted.length;
  if (!n || !total) return NaN;
  let i = 0;
  let j = 0;
  let fw = 0;
  let d = 0;
  while (i < n || j < w.values.length) {
    const x = Math.min(sorted[i] ?? Infinity, w.values[j] ?? Infinity);
    while (i < n && sorted[i]! <= x) i++;
    while (j < w.values.length && w.values[j]! <= x) fw += w.weights[j++]!;
    d = Math.max(d, Math.abs(i / n - fw / total));
  }
  return d;
}

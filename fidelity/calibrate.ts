/**
 * Proposed calibrations derived from the real measurements (see CALIBRATION.md). Only what a
 * measurement isolates is fitted; the rest is checked and its error reported.
 *
 * 1. Timer-interrupt delivery latency (fitted). A SCHED_FIFO cyclictest has no timer slack and
 *    preempts anything, so its latency is the platform's delivery path: the timer interrupt
 *    (through the outer hypervisor on these machines), the hrtimer handler, the wakeup and the
 *    switch. sim-core gives it a constant floor (`simFloorUs`, from its own FIFO rows). The
 *    excess is fitted to a log-normal by its median and its 90th percentile.
 * 2. Timer slack (checked, not fitted): SCHED_OTHER minus SCHED_FIFO cyclictest medians should
 *    be `timer_slack_ns` (50 us, read from /proc/self/timerslack_ns).
 * 3. setscheduler cost (measured directly by vcpu_like: the threads time their own boosts).
 */
import { quantile } from "./stats";

/** z-score of the 90th percentile of a standard normal. */
const Z90 = 1.2815515655446004;
/** z-score of the 99th percentile. */
const Z99 = 2.3263478740408408;

export interface LognormalFit {
  median_us: number;
  gsd: number;
  /** What the fit predicts for p99, and the measured p99 (the fit does not use it). */
  p99_fit_us: number;
  p99_real_us: number;
}

/**
 * Fits a log-normal to `x - floor` by its median and 90th percentile. Returns null when the
 * data leave nothing to fit (median at or below the floor).
 */
export function fitLognormalExcess(sorted: ArrayLike<number>, floorUs: number): LognormalFit | null {
  const p50 = quantile(sorted, 0.5) - floorUs;
  const p90 = quantile(sorted, 0.9) - floorUs;
  if (!(p50 > 0) || !(p90 >= p50)) return null;
  const gsd = Math.max(1, Math.exp(Math.log(p90 / p50) / Z90));
  return {
    median_us: p50,
    gsd,
    p99_fit_us: floorUs + p50 * Math.pow(gsd, Z99),
    p99_real_us: quantile(sorted, 0.99),
  };
}

export interface Calibration {
  name: string;
  value: string;
  source: string;
  /** Fitted, measured directly, or only checked against the model's default. */
  kind: "fitted" | "measured" | "checked";
  error?: string;
}

export interface CalibrationInput {
  /** Pooled SCHED_FIFO cyclictest samples (idle and busy). */
  fifo: Float64Array;
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
      name: "host timer-interrupt delivery latency (new: no sim-core parameter yet)",
      value: `{ lognormal_median_us: ${fit.median_us.toFixed(1)}, lognormal_gsd: ${fit.gsd.toFixed(3)} }`,
      source: `SCHED_FIFO cyclictest -i 500 -p 80, idle+busy pooled (${i.fifo.length} samples): p50 and p90 minus sim-core's FIFO floor ${i.simFifoFloorUs.toFixed(1)} us`,
      kind: "fitted",
      error: `p99: fit ${fit.p99_fit_us.toFixed(0)} us vs real ${fit.p99_real_us.toFixed(0)} us (the tail is heavier than log-normal)`,
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
      error: "sim-core default 1500 ns is an estimate for bare metal; this is a nested VM with pti=on, so keep it as a per-machine value, not a new default",
    });
  }
  return out;
}

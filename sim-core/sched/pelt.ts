/**
 * Per-entity load tracking (kernel/sched/pelt.c, Linux 6.5): a geometric series over 1024 us
 * periods with y^32 = 1/2. Time is counted in units of 1024 ns; a running sum decays by y^n when
 * n period boundaries pass, and the average is the sum over the series' maximum for the current
 * position in the period (LOAD_AVG_MAX - 1024 + period_contrib).
 *
 * The same struct serves a task's entity (load = on_rq, runnable = on_rq, running = curr), a
 * group entity (runnable = the group's h_nr_running), a cfs_rq (load = its load.weight,
 * runnable = h_nr_running, running = something runs) and a CPU's RT utilisation (rq->avg_rt).
 */
import { TIME_ZERO } from "../engine";

/** LOAD_AVG_PERIOD (kernel/sched/sched-pelt.h): the half-life in periods. */
export const LOAD_AVG_PERIOD = 32;
/** LOAD_AVG_MAX (kernel/sched/sched-pelt.h): the series' limit with 1024-unit periods. */
export const LOAD_AVG_MAX = 47742;
/** SCHED_CAPACITY_SCALE: a CPU's full capacity, and the unit of util_avg. */
export const SCHED_CAPACITY_SCALE = 1024;

/**
 * runnable_avg_yN_inv[]: y^n scaled by 2^32 - 1, for n < 32, computed the way
 * Documentation/scheduler/sched-pelt.c generates the kernel's table.
 */
const Y_N_INV: Float64Array = (() => {
  const y = 0.5 ** (1 / LOAD_AVG_PERIOD);
  const a = new Float64Array(LOAD_AVG_PERIOD);
  for (let i = 0; i < LOAD_AVG_PERIOD; i++) a[i] = Math.floor((2 ** 32 - 1) * y ** i);
  return a;
})();

/** decay_load(): val * y^n. */
export function decayLoad(val: number, n: number): number {
  if (n > LOAD_AVG_PERIOD * 63) return 0;
  if (n >= LOAD_AVG_PERIOD) {
    val = Math.floor(val / 2 ** Math.floor(n / LOAD_AVG_PERIOD));
    n %= LOAD_AVG_PERIOD;
  }
  return Math.floor((val * Y_N_INV[n]!) / 4294967296);
}

/** __accumulate_pelt_segments(): d1 decayed over the periods, the full periods, d3. */
function accumulateSegments(periods: number, d1: number, d3: number): number {
  return decayLoad(d1, periods) + LOAD_AVG_MAX - decayLoad(LOAD_AVG_MAX, periods) - 1024 + d3;
}

/** struct sched_avg. */
export class SchedAvg {
  lastUpdateTime = TIME_ZERO;
  loadSum = 0;
  runnableSum = 0;
  utilSum = 0;
  periodContrib = 0;
  loadAvg = 0;
  runnableAvg = 0;
  utilAvg = 0;

  /** get_pelt_divider(). */
  divider(): number {
    return LOAD_AVG_MAX - 1024 + this.periodContrib;
  }

  /**
   * ___update_load_sum() then, if a period boundary passed, ___update_load_avg() with `weight`.
   * `now` in ns of the PELT clock. Returns whether the averages changed (decayed).
   */
  update(now: number, load: number, runnable: number, running: boolean, weight: number): boolean {
    let delta = now - this.lastUpdateTime;
    if (delta < 1024) {
      if (delta < 0) this.lastUpdateTime = now;
      return false;
    }
    // Units of 1024 ns (about 1 us).
    delta = Math.floor(delta / 1024);
    this.lastUpdateTime += delta * 1024;
    if (!load) {
      runnable = 0;
      running = false;
    }
    const inPeriod = delta + this.periodContrib;
    if (inPeriod < 1024) {
      // No period boundary: the sums grow, the averages stay (accumulate_sum() returns 0).
      this.periodContrib = inPeriod;
      if (load) this.loadSum += load * delta;
      if (runnable) this.runnableSum += runnable * delta * SCHED_CAPACITY_SCALE;
      if (running) this.utilSum += delta * SCHED_CAPACITY_SCALE;
      return false;
    }
    this.accumulate(delta, load, runnable, running);
    this.updateAvg(weight);
    return true;
  }

  /** accumulate_sum(): returns the number of period boundaries crossed. */
  private accumulate(delta: number, load: number, runnable: number, running: boolean): number {
    let contrib = delta;
    delta += this.periodContrib;
    const periods = Math.floor(delta / 1024);
    if (periods > 0) {
      this.loadSum = decayLoad(this.loadSum, periods);
      this.runnableSum = decayLoad(this.runnableSum, periods);
      this.utilSum = decayLoad(this.utilSum, periods);
      delta %= 1024;
      if (load) contrib = accumulateSegments(periods, 1024 - this.periodContrib, delta);
    }
    this.periodContrib = delta;
    if (load) this.loadSum += load * contrib;
    if (runnable) this.runnableSum += runnable * contrib * SCHED_CAPACITY_SCALE;
    if (running) this.utilSum += contrib * SCHED_CAPACITY_SCALE;
    return periods;
  }

  /** ___update_load_avg(). */
  updateAvg(weight: number): void {
    const d = this.divider();
    this.loadAvg = Math.floor((weight * this.loadSum) / d);
    this.runnableAvg = Math.floor(this.runnableSum / d);
    this.utilAvg = Math.floor(this.utilSum / d);
  }
}

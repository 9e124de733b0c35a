/**
 * cpuidle on a host CPU (drivers/cpuidle): when the CPU has nothing to run, the governor picks
 * the deepest state whose target residency fits the idle time it predicts and whose exit latency
 * fits the PM QoS limit; waking from it costs its exit latency. A process holding
 * /dev/cpu_dma_latency at 0 (cyclictest does by default) limits the CPU to polling: the menu
 * governor returns the poll state when latency_req == 0 (drivers/cpuidle/governors/menu.c).
 *
 * The prediction is a simplification of menu's: an exponentially weighted average of the CPU's
 * past idle durations (menu also corrects by the next timer; the model does not track the host's
 * timer wheel per CPU).
 */
import type { CpuidleState } from "../scenario";
import type { Rng } from "../rng";
import { TIME_ZERO } from "../engine";

/** Weight of the newest idle duration in the average (menu keeps 8 intervals). */
const EWMA_WEIGHT = 1 / 8;

export class CpuIdle {
  private predictedNs = TIME_ZERO;
  private since = -1;
  private state: CpuidleState | null = null;
  /** Entries per state, for the results. */
  readonly entries: number[];

  constructor(
    private readonly states: readonly CpuidleState[],
    /** The PM QoS latency limit in us (Infinity: none). */
    private readonly qosUs: () => number,
    private readonly rng: Rng | null,
  ) {
    this.entries = states.map(() => 0);
  }

  /** The CPU goes idle at `now`: pick a state. */
  enter(now: number): void {
    this.since = now;
    this.state = null;
    const qos = this.qosUs();
    if (qos <= 0) return;
    const predictedUs = this.predictedNs / 1000;
    let pick = -1;
    this.states.forEach((s, i) => {
      if (s.exit_latency_us <= qos && s.target_residency_us <= predictedUs) pick = i;
    });
    if (pick < 0) return;
    this.state = this.states[pick]!;
    this.entries[pick]!++;
  }

  /** The CPU leaves idle at `now`: the exit latency to pay (ns), and the prediction learns. */
  exit(now: number): number {
    if (this.since < 0) return 0;
    const idleNs = now - this.since;
    this.predictedNs += (idleNs - this.predictedNs) * EWMA_WEIGHT;
    this.since = -1;
    const s = this.state;
    this.state = null;
    if (!s) return 0;
    // The firmware's exit latencies are declared worst cases: the draw is log-normal around half
    // of it, capped at it. ASSUMPTION (no measured Jasper Lake exit latency is published).
    const median = 0.5 * s.exit_latency_us * 1000;
    if (!this.rng) return Math.round(median);
    const v = median * Math.exp(Math.log(1.4) * this.rng.normal());
    return Math.round(Math.min(v, s.exit_latency_us * 1000));
  }
}

/**
 * What the kernel's and KVM's paths cost, as distributions. Every cost is a log-normal draw
 * around a median, from the stream of the CPU or vCPU that pays it, so no latency path is a sum
 * of constants. Medians and spreads are in params.ts (COST_DEFAULTS), each with its source.
 *
 * `constant` (a scenario's `host.cost_model: constant`) gives every cost its median: the known
 * answers of scheduling theory and teaching examples need exact arithmetic.
 */
import type { KvmCostModel } from "./kvm/costs";
import { COST_DEFAULTS, type LogNormalCost, NOISE_DEFAULTS } from "./params";
import type { ExitReason } from "./results";
import type { Rng } from "./rng";

/**
 * The draws of one log-normal cost in ns, capped (the cap is part of the source: a worst case).
 * A closure with the cost's constants worked out once: draws are on the hot path (about one per
 * event), and log(gsd) need not be recomputed each time.
 */
export function costDraw(rng: Rng | null, c: LogNormalCost): () => number {
  const median = c.median_ns;
  if (!rng || c.gsd <= 1) {
    const v = Math.round(median);
    return () => v;
  }
  const lnGsd = Math.log(c.gsd);
  const cap = c.cap_ns === undefined ? Number.POSITIVE_INFINITY : c.cap_ns;
  return () => {
    const v = median * Math.exp(lnGsd * rng.normal());
    return Math.round(Math.min(v, cap));
  };
}

/** Scales a cost's median (a scenario's own median for it), keeping the source's spread. */
export function withMedian(c: LogNormalCost, medianNs: number): LogNormalCost {
  if (medianNs === c.median_ns) return c;
  const scale = c.median_ns > 0 ? medianNs / c.median_ns : 0;
  return { ...c, median_ns: medianNs, cap_ns: c.cap_ns === undefined ? undefined : c.cap_ns * scale };
}

/** The costs a CPU's own kernel pays (host CPU, or a guest's vCPU seen from inside). */
export interface CpuCostModel {
  /** __schedule + switch_to (the direct cost). */
  contextSwitch(): number;
  /**
   * The cache and TLB refill a task pays when it gets the CPU back after another task ran long
   * enough to evict its working set (the indirect cost of the switch).
   */
  refill(): number;
  /** scheduler_tick() and its interrupt. */
  tick(): number;
  /** hrtimer_interrupt() with one expiry and its wake-up. */
  timerIrq(): number;
  /**
   * A reschedule or call-function IPI's handler (sched_ttwu_pending(), the nohz balance kick, RT
   * push work): interrupt entry and exit around an enqueue, drawn as the timer interrupt
   * (ESTIMATE: no separate measurement).
   */
  ipi(): number;
}

/** A default cost for hardware `scale` times slower than the measured one. */
export function scaled(c: LogNormalCost, scale: number): LogNormalCost {
  return scale === 1 ? c : withMedian(c, c.median_ns * scale);
}

export function cpuCosts(rng: Rng | null, ctxSwitchMedianNs: number, tickMedianNs: number, scale: number): CpuCostModel {
  const cs = withMedian(COST_DEFAULTS.context_switch, ctxSwitchMedianNs);
  const tick = withMedian(COST_DEFAULTS.tick, tickMedianNs);
  const irq = scaled(COST_DEFAULTS.hrtimer_irq, scale);
  const irqDraw = costDraw(rng, irq);
  return {
    contextSwitch: costDraw(rng, cs),
    // Memory-bound: not scaled with the core's speed.
    refill: costDraw(rng, COST_DEFAULTS.cache_refill),
    tick: costDraw(rng, tick),
    timerIrq: irqDraw,
    ipi: irqDraw,
  };
}

/**
 * The softirqs a CPU's ticks raise (NOISE_DEFAULTS): the chance per tick of the given period,
 * the stream that decides, and their cost (from the CPU's cost stream). null: no noise.
 */
export function tickSoftirqs(
  decide: Rng | null,
  costRng: Rng | null,
  tickNs: number,
  scale: number,
): { p: number; rng: Rng; cost: () => number } | null {
  if (!decide) return null;
  const p = Math.min(1, (NOISE_DEFAULTS.softirq_hz * tickNs) / 1e9);
  const cost = scaled(NOISE_DEFAULTS.softirq, scale);
  return { p, rng: decide, cost: costDraw(costRng, cost) };
}

/** KVM's costs for one vCPU. */
export function kvmCosts(
  rng: Rng | null,
  p: { exit_ns: number; entry_ns: number; setscheduler_ns: number; posted_interrupts: boolean; ipi_virtualization: boolean },
  scale: number,
): KvmCostModel {
  const exit = withMedian(COST_DEFAULTS.vm_exit, p.exit_ns);
  const entry = withMedian(COST_DEFAULTS.vm_entry, p.entry_ns);
  const setsched = withMedian(COST_DEFAULTS.setscheduler, p.setscheduler_ns);
  const inject = scaled(COST_DEFAULTS.inject_without_apicv, scale);
  const exitNs = costDraw(rng, exit);
  const entryNs = costDraw(rng, entry);
  const injectNs = costDraw(rng, inject);
  const fastTimer = costDraw(rng, scaled(COST_DEFAULTS.fastpath_preemption_timer, scale));
  const fastMsr = costDraw(rng, scaled(COST_DEFAULTS.fastpath_tsc_deadline, scale));
  return {
    exitNs,
    entryNs: (injecting: boolean) => entryNs() + (injecting && !p.posted_interrupts ? injectNs() : 0),
    // The two exits KVM handles in its fastpath (handle_fastpath_preemption_timer, TSC deadline).
    fastpathNs: (reason: ExitReason) => (reason === "timer" ? fastTimer() : reason === "msr_other" ? fastMsr() : exitNs()),
    setscheduler: costDraw(rng, setsched),
    postedInterrupts: p.posted_interrupts,
    ipiVirtualization: p.ipi_virtualization,
  };
}

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

/** One draw of a log-normal cost in ns, capped (the cap is part of the source: a worst case). */
export function drawCost(rng: Rng | null, c: LogNormalCost): number {
  if (!rng || c.gsd <= 1) return Math.round(c.median_ns);
  const v = c.median_ns * Math.exp(Math.log(c.gsd) * rng.normal());
  return Math.round(c.cap_ns !== undefined && v > c.cap_ns ? c.cap_ns : v);
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
  return {
    contextSwitch: () => drawCost(rng, cs),
    // Memory-bound: not scaled with the core's speed.
    refill: () => drawCost(rng, COST_DEFAULTS.cache_refill),
    tick: () => drawCost(rng, tick),
    timerIrq: () => drawCost(rng, irq),
    ipi: () => drawCost(rng, irq),
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
  return { p, rng: decide, cost: () => drawCost(costRng, cost) };
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
  const fast: Partial<Record<ExitReason, LogNormalCost>> = {
    timer: scaled(COST_DEFAULTS.fastpath_preemption_timer, scale),
    msr_other: scaled(COST_DEFAULTS.fastpath_tsc_deadline, scale),
  };
  return {
    exitNs: () => drawCost(rng, exit),
    entryNs: (injecting: boolean) => drawCost(rng, entry) + (injecting && !p.posted_interrupts ? drawCost(rng, inject) : 0),
    fastpathNs: (reason) => drawCost(rng, fast[reason] ?? exit),
    setscheduler: () => drawCost(rng, setsched),
    postedInterrupts: p.posted_interrupts,
    ipiVirtualization: p.ipi_virtualization,
  };
}

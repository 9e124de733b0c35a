/**
 * Patch 2: sched_setscheduler_pi_nocheck() lets the host change a thread's policy from
 * interrupt context (with pi = false; __sched_setscheduler BUG()s on a pi request in an
 * interrupt). The LAPIC timer's hrtimer callback (apic_timer_fn) kicks with a boost in hard
 * interrupt context. Without this patch such a boost cannot be applied there; the model then
 * applies it from process context when the vCPU thread next runs, the nearest thing the v1
 * code allows (its own note suggests deferring to a tasklet, which is still atomic context).
 */
import type { Vcpu } from "../kvm/vcpu";
import { setSched } from "./set_sched";
import type { PvConfig } from "./state";

/** A boost asked for from hard interrupt context. Returns the CPU time it took there. */
export function boostFromIrqContext(cfg: PvConfig, v: Vcpu): number {
  if (cfg.on.setscheduler_irq) {
    const before = v.pv.boosts;
    const cost = setSched(cfg, v, true, "inject");
    if (v.pv.boosts !== before) cfg.counters.setscheduler_irq++;
    return cost;
  }
  v.pv.pendingBoost = true;
  return 0;
}

/** The vCPU thread runs again: a boost deferred from interrupt context is applied now. */
export function applyDeferredBoost(cfg: PvConfig, v: Vcpu): number {
  if (!v.pv.pendingBoost) return 0;
  v.pv.pendingBoost = false;
  return setSched(cfg, v, true, "inject");
}

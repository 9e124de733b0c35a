/**
 * Patch 2: sched_setscheduler_pi_nocheck() lets the host change a thread's policy from
 * interrupt context, where KVM delivers interrupts (a LAPIC timer's hrtimer, a kick). Without
 * it a boost decided there can only be applied from the vCPU thread itself, when it next runs:
 * too late to help it get the CPU.
 */
import type { Vcpu } from "../kvm/vcpu";
import { boost } from "./boost";
import type { PvConfig } from "./state";

export function boostFromIrq(cfg: PvConfig, v: Vcpu): void {
  if (cfg.on.setscheduler_irq) boost(cfg, v, "inject");
  else v.pv.pendingBoost = true;
}

/** The vCPU thread runs again: a deferred boost is applied from process context. */
export function applyDeferredBoost(cfg: PvConfig, v: Vcpu): void {
  if (!v.pv.pendingBoost) return;
  v.pv.pendingBoost = false;
  boost(cfg, v, "inject");
}

/**
 * Patch 5: an upper bound on boosting while the guest has preemption disabled
 * (pvsched_max_preempt_disabled_us, 3000 by default, a module parameter). The host records when
 * it first *sees* preempt_disabled set at an exit (not when the guest set it), and once that is
 * longer ago than the cap, __vcpu_needs_boost() says no to every boost reason at every exit,
 * pending interrupts included, until the guest shows preemption enabled again. The guest idle
 * loop runs with preemption disabled, so an idle vCPU counts too. Patch 5 also drops
 * "preempt_disabled" as a reason to boost on its own: it only times the cap.
 */
import type { Vcpu } from "../kvm/vcpu";
import type { PvConfig } from "./state";

/** kvm_vcpu_update_preempt_disabled(): the host's copy of the flag and its timestamp. */
export function updatePreemptDisabled(v: Vcpu, preemptDisabled: boolean): void {
  if (v.pv.preemptDisabled === preemptDisabled) return;
  v.pv.preemptDisabled = preemptDisabled;
  v.pv.preemptDisabledTs = preemptDisabled ? v.eng.now : 0;
}

/** kvm_vcpu_exceeds_preempt_disabled_duration(). */
export function exceedsPreemptDisabled(cfg: PvConfig, v: Vcpu): boolean {
  const max = cfg.maxPreemptDisabledNs;
  if (max <= 0 || !v.pv.preemptDisabled) return false;
  return v.eng.now - v.pv.preemptDisabledTs >= max;
}

/**
 * Patch 7: the guest scheduler asks for a boost while an RT (or deadline) task runs, or while
 * preemption is disabled (through the preempt tracepoints), and asks for an unboost when it
 * switches to normal work again.
 */
import type { Vcpu } from "../kvm/vcpu";
import type { PvConfig } from "./state";

export function schedNeed(cfg: PvConfig, v: Vcpu): { rt: boolean; preemptDisabled: boolean } {
  if (!cfg.on.guest_sched_boost) return { rt: false, preemptDisabled: false };
  const c = v.gcpu.curr;
  return { rt: !!c && c.isRt, preemptDisabled: !!c && c.preemptDisabled };
}

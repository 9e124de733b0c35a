/**
 * Patch 7: the guest scheduler asks for a boost while an RT (or deadline) task runs, or while
 * preemption is disabled (through the preempt tracepoints), and asks for an unboost when it
 * switches to normal work again.
 */
import type { Vcpu } from "../kvm/vcpu";
import type { PvConfig } from "./state";

/** An RT (or deadline) task is running in the guest. */
export function rtNeed(cfg: PvConfig, v: Vcpu): boolean {
  const c = v.gcpu.curr;
  return cfg.on.guest_sched_boost && !!c && c.isRt;
}

/** The running guest task has preemption disabled (seen through the preempt tracepoints). */
export function preemptDisabledNeed(cfg: PvConfig, v: Vcpu): boolean {
  const c = v.gcpu.curr;
  return cfg.on.guest_sched_boost && !!c && c.preemptDisabled;
}

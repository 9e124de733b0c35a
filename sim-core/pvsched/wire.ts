/**
 * The series wired into KVM and into the guest kernel: which module each hook point calls.
 * Host: the exit hook (patch 3), the kick (patch 4), kvm_vcpu_block (patch 4), the deferred
 * boost without patch 2, the boost-status copy at entry (patch 1). Guest: __schedule,
 * enqueue_task and the return to user mode (patch 7), irq entry and exit (patch 8).
 */
import type { GuestPvHooks } from "../guest/guest";
import type { PvHostHooks, Vcpu } from "../kvm/vcpu";
import { boostOnBlock } from "./boost_on_block";
import { kickBoost } from "./boost_on_inject";
import { onIrqEntry, onIrqExit } from "./guest_irq_boost";
import { onEnqueue, onSchedule, onUserReturn, preemptDisabled } from "./guest_sched_boost";
import { doPvSched } from "./lazy_boost";
import { applyDeferredBoost } from "./setscheduler_irq";
import { recordBoostStatus } from "./shared_memory";
import type { PvConfig } from "./state";

export function pvHostHooks(cfg: PvConfig): PvHostHooks {
  return {
    onExit: (v) => doPvSched(cfg, v, preemptDisabled(cfg, v)),
    onKick: (v, _source, hardirq) => kickBoost(cfg, v, hardirq),
    onBlock: (v) => boostOnBlock(cfg, v),
    onRun: (v) => applyDeferredBoost(cfg, v),
  };
}

/** KVM's entry-time requests for a vCPU of the series: KVM_REQ_VCPU_BOOST_UPDATE. */
export const pvEntryRequests = (v: Vcpu): void => recordBoostStatus(v);

export function pvGuestHooks(cfg: PvConfig): GuestPvHooks {
  return {
    onSchedule: (v, next) => onSchedule(cfg, v, next),
    onEnqueue: (v, t) => onEnqueue(cfg, v, t),
    onUserReturn: (v, t) => onUserReturn(cfg, v, t),
    onIrqEntry: (v) => onIrqEntry(cfg, v),
    onIrqExit: (v) => onIrqExit(cfg, v),
  };
}

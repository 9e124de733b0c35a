/**
 * Patch 8 (kernel/entry/common.c, kernel/softirq.c): irqentry_enter(), irqentry_nmi_enter()
 * and __do_softirq() write boost_req = BOOST unconditionally (lazy: the host sees it at the next
 * exit; with posted interrupts that is how a vCPU gets boosted at all). On the way out,
 * irqentry_exit() (and the NMI and softirq exits) call pv_sched_unboost_vcpu() when no softirq
 * is pending, no reschedule is needed and the interrupted task is not RT; that unboost is
 * synchronous only when the interrupt returns to code running with preempt_count() 0.
 */
import type { Vcpu } from "../kvm/vcpu";
import { type PvConfig, VCPU_REQ_BOOST } from "./state";
import { unboostVcpu } from "./sync_unboost";

/** irq, NMI or softirq entry. Only writes shared memory. */
export function onIrqEntry(cfg: PvConfig, v: Vcpu): void {
  if (!cfg.on.guest_irq_boost) return;
  v.pv.boostReq = VCPU_REQ_BOOST;
  cfg.counters.guest_irq_boost++;
}

/**
 * The last interrupt work is done (softirqs included). `returnsToTask`: the interrupted context
 * is a task that continues (no reschedule), so preempt_count() is 0 unless it had preemption
 * disabled.
 */
export function onIrqExit(cfg: PvConfig, v: Vcpu): void {
  if (!cfg.on.guest_irq_boost) return;
  const c = v.gcpu;
  const curr = c.curr;
  if (c.needResched || curr?.isRt) return;
  cfg.counters.guest_irq_boost++;
  unboostVcpu(cfg, v, !!curr && !curr.preemptDisabled && !curr.kthread);
}

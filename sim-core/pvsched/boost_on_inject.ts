/**
 * Patch 4, kvm_vcpu_kick_boost(): the interrupt delivery paths kick with a boost:
 * __apic_accept_irq (APIC_DM_REMRD, SMI, NMI), apic_timer_expired() when called from the
 * hrtimer (the software LAPIC timer: a vCPU that halted), the PIC, and the non-posted branch of
 * vmx_deliver_interrupt()/svm_complete_interrupt_delivery(). With APICv, a posted interrupt
 * takes the other branch (no kick, no boost), and a running vCPU's preemption-timer expiry is
 * a fastpath that never reaches this code: the reviewers' objections live here.
 */
import type { Vcpu } from "../kvm/vcpu";
import { setSched } from "./set_sched";
import { boostFromIrqContext } from "./setscheduler_irq";
import type { PvConfig } from "./state";

/**
 * The kick of an interrupt delivery, whatever its source. The posted branch (kvm/costs.ts
 * postedDelivery()) never kicks, so it never gets here. `hardirq`: the delivery runs in host
 * interrupt context (the LAPIC hrtimer). Returns the CPU time the boost took in the caller's
 * context.
 */
export function kickBoost(cfg: PvConfig, v: Vcpu, hardirq: boolean): number {
  if (!cfg.on.boost_on_inject) return 0;
  const before = v.pv.boosts;
  const cost = hardirq ? boostFromIrqContext(cfg, v) : setSched(cfg, v, true, "inject");
  if (v.pv.boosts !== before) cfg.counters.boost_on_inject++;
  return cost;
}

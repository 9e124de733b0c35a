/**
 * Patch 4: the host boosts the vCPU thread when it kicks it to deliver an interrupt (LAPIC
 * accept, the LAPIC timer's hrtimer, PIC, VMX/SVM delivery). The reviewers' objections live
 * here too: posted interrupts never kick a running vCPU, so nothing is boosted; and every
 * interrupt boosts, a PMU NMI on a low-priority vCPU included.
 */
import type { IrqSource, Vcpu } from "../kvm/vcpu";
import { boostFromIrq } from "./setscheduler_irq";
import type { PvConfig } from "./state";
import { pvActive } from "./switches";

export function onInject(cfg: PvConfig, v: Vcpu, source: IrqSource): void {
  if (!cfg.on.boost_on_inject || !pvActive(cfg, v)) return;
  if (v.pv.shm!.boosted) return;
  // With posted interrupts a running vCPU gets device interrupts without a kick.
  if (source === "device" && v.costs.postedInterrupts && v.mode === "guest") return;
  if (source === "ipi" && v.costs.ipiVirtualization && v.mode === "guest") return;
  boostFromIrq(cfg, v);
}

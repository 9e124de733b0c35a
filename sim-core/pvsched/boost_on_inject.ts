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
  // Posted interrupts (VT-d PI / APICv) reach the vCPU without KVM's kick path: the IOMMU
  // posts them to a running vCPU, and a blocked one is woken by the PI wakeup handler, which
  // does not boost. IPI virtualization does the same for guest IPIs.
  if (source === "device" && v.costs.postedInterrupts) return;
  if (source === "ipi" && v.costs.ipiVirtualization) return;
  boostFromIrq(cfg, v);
}

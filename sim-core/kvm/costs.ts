/**
 * What KVM's paths cost in host CPU time, per vCPU. Each call is one draw, so the model can
 * give each cost a distribution (sim-core/params.ts names the sources).
 */
import type { ExitReason } from "../results";
import type { IrqSource } from "./vcpu";

export interface KvmCostModel {
  /** A full VM exit up to its handler (hardware exit and KVM's exit path). */
  exitNs(reason: ExitReason): number;
  /** vcpu_enter_guest() up to guest code; `injecting`: an interrupt is injected at this entry. */
  entryNs(injecting: boolean): number;
  /** A fastpath exit that re-enters at once (exit, handler, entry). */
  fastpathNs(reason: ExitReason): number;
  /** sched_setscheduler() on the vCPU thread (the series' boost and unboost). */
  setscheduler(): number;
  readonly postedInterrupts: boolean;
  readonly ipiVirtualization: boolean;
}

/**
 * The interrupt is delivered by posting it (vmx_deliver_interrupt()'s posted branch: the PIR and
 * the notification vector, no kvm_vcpu_kick()): device interrupts with posted interrupts, and
 * IPIs whenever APICv posts them (IPI virtualization, which also spares the sender its ICR
 * exit, needs APICv). The one place the branch is decided: the kick, its boost (patch 4) and the
 * timeline's markers all follow it.
 */
export function postedDelivery(c: KvmCostModel, source: IrqSource): boolean {
  return (source === "device" && c.postedInterrupts) || (source === "ipi" && (c.postedInterrupts || c.ipiVirtualization));
}

/**
 * The host side of the series wired into a vCPU: what KVM calls at an exit, at an interrupt
 * injection and when the vCPU thread runs again.
 */
import type { IrqSource, PvHostHooks, Vcpu } from "../kvm/vcpu";
import { onInject } from "./boost_on_inject";
import { onVmExit } from "./lazy_boost";
import { applyDeferredBoost } from "./setscheduler_irq";
import type { PvConfig } from "./state";

export function pvHostHooks(cfg: PvConfig): PvHostHooks {
  return {
    onVmExit: (v: Vcpu) => onVmExit(cfg, v),
    onInject: (v: Vcpu, s: IrqSource) => onInject(cfg, v, s),
    onSwitchIn: (v: Vcpu) => applyDeferredBoost(cfg, v),
  };
}

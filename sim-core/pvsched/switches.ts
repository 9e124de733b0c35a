/**
 * Patch 6: the global switch (`kvm_pv_sched`, a static key) and the per-VM one
 * (KVM_CAP_PV_SCHED with KVM_SET_PV_SCHED_ENABLED). Without this patch the feature cannot be
 * turned off, so the switches are ignored when the mechanism is ablated.
 */
import type { Vcpu } from "../kvm/vcpu";
import type { PvConfig } from "./state";

/** Whether the host acts on this vCPU at all: registered (patch 1) and switched on (patch 6). */
export function pvActive(cfg: PvConfig, v: Vcpu): boolean {
  if (!v.pv.shm) return false;
  if (!cfg.on.switches) return true;
  return cfg.globalEnabled && v.vmPvEnabled;
}

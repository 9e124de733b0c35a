/**
 * Patch 6: the global switch (the `kvm_pv_sched` module parameter, a static key that is FALSE
 * by default in v1: the feature is off until the host turns it on) and the per-VM one
 * (KVM_CAP_PV_SCHED with KVM_SET_PV_SCHED_ENABLED, on for a new VM). Patch 6 also makes
 * kvm_vcpu_set_sched() refuse a boost for a vCPU that is not enabled; before it, a boost from
 * the injection path applied to any vCPU, registered or not.
 */
import type { Vcpu } from "../kvm/vcpu";
import type { PvConfig } from "./state";

/** kvm_pv_sched_enabled(kvm): the global key and the VM's switch (true without patch 6). */
export function vmEnabled(cfg: PvConfig, v: Vcpu): boolean {
  if (!cfg.on.switches) return true;
  return cfg.globalEnabled && v.vmPvEnabled;
}

/** kvm_vcpu_sched_enabled(): switched on and the guest registered its area (msr_val != 0). */
export function schedEnabled(cfg: PvConfig, v: Vcpu): boolean {
  return v.pv.registered && vmEnabled(cfg, v);
}

/**
 * Patch 1: the guest writes the address of its per-vCPU area to MSR_KVM_PV_SCHED (0x4b564da0)
 * at boot, after checking KVM_FEATURE_PV_SCHED. Until then neither side can talk to the other,
 * so ablating this patch leaves every other mechanism without effect.
 */
import type { Vcpu } from "../kvm/vcpu";
import { BOOST_NONE, type PvConfig } from "./state";

export function registerSharedMemory(cfg: PvConfig, v: Vcpu): void {
  if (!cfg.on.shared_memory) return;
  v.pv.shm = { boostReq: BOOST_NONE, preemptDisabled: false, boosted: false };
  // The registration is one MSR write at boot; counted, its time is negligible.
  v.exits.msr_other++;
}

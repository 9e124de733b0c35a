/**
 * Patch 1 (host: MSR_KVM_PV_SCHED 0x4b564da0 in kvm_set_msr_common, the KVM_FEATURE_PV_SCHED
 * CPUID bit, record_vcpu_boost_status) with the guest half that patch 7 adds to
 * arch/x86/kernel/kvm.c (kvm_guest_cpu_init writes the GPA of the per-CPU pv_sched area when
 * the host advertises the feature). Without it neither side can talk to the other, and with
 * patch 6 every boost is refused, so ablating it leaves the series without effect.
 */
import type { Vcpu } from "../kvm/vcpu";
import { type PvConfig, VCPU_BOOST_NORMAL } from "./state";

/** The guest's boot-time registration, one MSR write per vCPU. */
export function registerSharedMemory(cfg: PvConfig, v: Vcpu): void {
  if (!cfg.on.shared_memory) return;
  v.pv.registered = true;
  // kvm_set_msr_common(): msr_val = data; kvm_set_vcpu_boosted(vcpu, false).
  v.pv.status = VCPU_BOOST_NORMAL;
  v.pv.statusUpdate = true;
  v.exits.msr_other++;
  cfg.counters.shared_memory++;
}

/** vcpu_enter_guest(): KVM_REQ_VCPU_BOOST_UPDATE copies the status into the guest's area. */
export function recordBoostStatus(v: Vcpu): void {
  if (!v.pv.statusUpdate) return;
  v.pv.statusUpdate = false;
  if (v.pv.registered) v.pv.guestStatus = v.pv.status;
}

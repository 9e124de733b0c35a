/**
 * Patch 3: the guest unboosts synchronously by writing ULLONG_MAX to MSR_KVM_PV_SCHED, a VM
 * exit that lets the host return the thread to SCHED_NORMAL at once, so host tasks compete
 * fairly again. Without it the request waits in shared memory for the next exit.
 */
import type { Vcpu } from "../kvm/vcpu";
import { BOOST_UNBOOST, type PvConfig } from "./state";

export function requestUnboost(cfg: PvConfig, v: Vcpu): void {
  const shm = v.pv.shm;
  if (!shm) return;
  shm.boostReq = BOOST_UNBOOST;
  if (cfg.on.sync_unboost) v.exit("msr_unboost"); // the exit handler reads the request
}

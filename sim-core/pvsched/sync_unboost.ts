/**
 * Patch 3's synchronous unboost, with its guest half from patch 7: pv_sched_unboost_vcpu()
 * writes boost_req = UNBOOST and, if the guest sees itself boosted and preempt_count() is 0,
 * writes ULLONG_MAX to MSR_KVM_PV_SCHED. KVM handles that write in the fastpath
 * (EXIT_FASTPATH_EXIT_HANDLED), which still goes through the exit hook, where the unboost
 * happens. Inside __schedule, an irq or a softirq preempt_count() is never 0, so only the return
 * to user mode (and an irq that returns to user mode) unboosts synchronously; everywhere else the
 * request waits in shared memory for the next exit. Without this mechanism it always waits.
 */
import type { Vcpu } from "../kvm/vcpu";
import { type PvConfig, VCPU_BOOST_BOOSTED, VCPU_REQ_UNBOOST } from "./state";

/** pv_sched_unboost_vcpu(). `preemptCount0`: the caller's preempt_count() is zero. */
export function unboostVcpu(cfg: PvConfig, v: Vcpu, preemptCount0: boolean): void {
  if (v.neverUnboost) return;
  v.pv.boostReq = VCPU_REQ_UNBOOST;
  if (!cfg.on.sync_unboost || !preemptCount0 || v.pv.guestStatus !== VCPU_BOOST_BOOSTED) return;
  cfg.counters.sync_unboost++;
  v.exit("msr_unboost");
}

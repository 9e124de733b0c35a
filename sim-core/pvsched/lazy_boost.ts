/**
 * Patch 3's exit hook, kvm_vcpu_do_pv_sched(), called from vcpu_enter_guest() after every VM
 * exit that leaves the fastpath loop (so not after a TSC-deadline write or a preemption-timer
 * expiry, which re-enter directly), before the exit is handled. It reads the guest's schedinfo
 * and re-evaluates: boost if the guest asked (boost_req = BOOST), or an interrupt or timer is
 * pending for it, or (without patch 5) preemption is disabled in it; otherwise unboost. The
 * host never clears boost_req: the guest's last request stands until it writes another one.
 */
import type { Vcpu } from "../kvm/vcpu";
import { exceedsPreemptDisabled, updatePreemptDisabled } from "./preempt_throttle";
import { setSched } from "./set_sched";
import { type PvConfig, VCPU_BOOST_BOOSTED, VCPU_REQ_BOOST } from "./state";
import { schedEnabled } from "./switches";

/** The exit hook. Returns the CPU time it spent (added to the exit's handling). */
export function doPvSched(cfg: PvConfig, v: Vcpu, guestPreemptDisabled: boolean): number {
  if (!cfg.on.lazy_boost || !schedEnabled(cfg, v)) return 0;
  const requested = v.pv.boostReq === VCPU_REQ_BOOST;
  // kvm_cpu_has_pending_timer() || kvm_cpu_has_interrupt()
  const pending = v.gcpu.irqPending;
  let needs: boolean;
  if (cfg.on.preempt_throttle) {
    updatePreemptDisabled(v, guestPreemptDisabled);
    const reason = requested || pending;
    const vetoed = exceedsPreemptDisabled(cfg, v);
    if (reason && vetoed) {
      v.pv.throttles++;
      cfg.counters.preempt_throttle++;
    }
    needs = reason && !vetoed;
  } else needs = requested || pending || guestPreemptDisabled;
  const wasBoosted = v.pv.status === VCPU_BOOST_BOOSTED;
  const cost = setSched(cfg, v, needs, "exit");
  if ((v.pv.status === VCPU_BOOST_BOOSTED) !== wasBoosted) cfg.counters.lazy_boost++;
  return cost;
}

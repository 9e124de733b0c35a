/**
 * Patch 3's kvm_vcpu_set_sched() (virt/kvm/kvm_main.c): the one place the host boosts or
 * unboosts a vCPU thread, whoever asks (the exit hook, the injection kick, kvm_vcpu_block).
 * A request that matches the current status is ignored; otherwise the thread gets the boost
 * policy and priority (SCHED_RR 8), or SCHED_NORMAL on unboost. The unboost goes through
 * _sched_setscheduler(), which fills sched_nice from the thread's static priority, so the
 * thread keeps its nice value (the patch's TODO says the earlier *policy* is not restored).
 * Either way the status is recorded and KVM_REQ_VCPU_BOOST_UPDATE makes the next entry copy
 * it into the guest's area (patch 1's record_vcpu_boost_status()).
 */
import type { Vcpu } from "../kvm/vcpu";
import { type BoostSource, type PvConfig, VCPU_BOOST_BOOSTED, VCPU_BOOST_DISABLED, VCPU_BOOST_NORMAL } from "./state";
import { schedEnabled, vmEnabled } from "./switches";

/**
 * kvm_vcpu_set_sched(vcpu, boost). Returns the CPU time the call spent in the scheduler
 * (0 when it changed nothing), for the caller to charge to the context it runs in.
 */
export function setSched(cfg: PvConfig, v: Vcpu, boost: boolean, source: BoostSource): number {
  let cost = 0;
  // __can_ignore_set_sched(): the request matches the recorded status.
  const ignore = boost === (v.pv.status === VCPU_BOOST_BOOSTED);
  // Patch 6: a boost for a vCPU that is not enabled is ignored too.
  const refused = boost && cfg.on.switches && !schedEnabled(cfg, v);
  if (refused && !ignore) cfg.counters.switches++;
  if (!ignore && !refused) {
    cost = v.costs.setscheduler();
    if (boost) applyBoost(cfg, v, source);
    else applyUnboost(v);
  }
  // set_boost_status: kvm_set_vcpu_boosted(), reached by ignored requests too (patch 6 writes
  // DISABLED when the VM is switched off).
  v.pv.status = vmEnabled(cfg, v) ? (boost ? VCPU_BOOST_BOOSTED : VCPU_BOOST_NORMAL) : VCPU_BOOST_DISABLED;
  v.pv.statusUpdate = true;
  return cost;
}

function applyBoost(cfg: PvConfig, v: Vcpu, source: BoostSource): void {
  v.setHostPolicy(cfg.policy, cfg.priority, v.task.nice);
  v.task.boosted = true;
  v.pv.boostStart = v.eng.now;
  v.pv.boosts++;
  v.pv.boostsBy[source]++;
}

function applyUnboost(v: Vcpu): void {
  v.setHostPolicy("other", 0, v.task.nice);
  v.task.boosted = false;
  const d = v.eng.now - v.pv.boostStart;
  v.pv.boostedNs += d;
  if (d > v.pv.maxBoostNs) v.pv.maxBoostNs = d;
  v.pv.unboosts++;
}

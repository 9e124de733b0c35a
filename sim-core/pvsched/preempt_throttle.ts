/**
 * Patch 5: a boost held because the guest has preemption disabled is cut after
 * pvsched_max_preempt_disabled_us (3 ms). The host checks at VM exits, so a guest spinning with
 * preemption off is caught at its next exit (a host tick at the latest). The throttled vCPU gets
 * no new preempt-disabled boost until the guest re-enables preemption.
 */
import type { Vcpu } from "../kvm/vcpu";
import { unboost } from "./boost";
import type { PvConfig } from "./state";

export function checkThrottle(cfg: PvConfig, v: Vcpu): void {
  if (!cfg.on.preempt_throttle || cfg.maxPreemptDisabledNs <= 0) return;
  const shm = v.pv.shm;
  if (!shm?.boosted || !shm.preemptDisabled) return;
  if (v.eng.now - v.pv.boostStart <= cfg.maxPreemptDisabledNs) return;
  unboost(v);
  v.pv.throttled = true;
  v.pv.throttles++;
}

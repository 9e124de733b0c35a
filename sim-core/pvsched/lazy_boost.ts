/**
 * Patch 3: the guest sets boost_req in its area and keeps running; the host reads it when it
 * next handles a VM exit and boosts then. Pending unboost requests (when the synchronous MSR
 * path is not used) are read at the same point. The throttle (patch 5) is checked here too.
 */
import type { Vcpu } from "../kvm/vcpu";
import { boost, unboost } from "./boost";
import { checkThrottle } from "./preempt_throttle";
import { BOOST_BOOST, BOOST_NONE, BOOST_UNBOOST, type PvConfig } from "./state";
import { pvActive } from "./switches";

export function onVmExit(cfg: PvConfig, v: Vcpu): void {
  if (!pvActive(cfg, v)) return;
  const shm = v.pv.shm!;
  const before = shm.boosted;
  if (shm.boostReq === BOOST_BOOST) {
    if (cfg.on.lazy_boost && !v.pv.throttled) boost(cfg, v, "lazy");
    shm.boostReq = BOOST_NONE;
  } else if (shm.boostReq === BOOST_UNBOOST) {
    unboost(v);
    shm.boostReq = BOOST_NONE;
  }
  checkThrottle(cfg, v);
  if (shm.boosted !== before) v.addExitCost(cfg.setschedulerNs);
}

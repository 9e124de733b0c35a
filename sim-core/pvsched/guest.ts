/**
 * The guest side of the series in one decision: after any change of what the vCPU runs (irq
 * exit, context switch, a preempt-disabled section opening or closing), does it still need a
 * boost? Patches 7 and 8 supply the needs; patch 3 carries the requests.
 */
import type { Vcpu } from "../kvm/vcpu";
import { irqNeed } from "./guest_irq_boost";
import { preemptDisabledNeed, rtNeed } from "./guest_sched_boost";
import { BOOST_BOOST, BOOST_NONE, type PvConfig } from "./state";
import { requestUnboost } from "./sync_unboost";

export function guestReevaluate(cfg: PvConfig, v: Vcpu): void {
  const shm = v.pv.shm;
  if (!shm) return;
  const pd = preemptDisabledNeed(cfg, v);
  shm.preemptDisabled = pd;
  if (!pd) v.pv.throttled = false;
  const need = irqNeed(cfg, v) || rtNeed(cfg, v) || (pd && !v.pv.throttled);
  if (need) {
    if (!shm.boosted) shm.boostReq = BOOST_BOOST;
    return;
  }
  if (shm.boostReq === BOOST_BOOST) shm.boostReq = BOOST_NONE;
  if (shm.boosted && !v.neverUnboost) requestUnboost(cfg, v);
}

/**
 * irq exit. When the handler woke a task and a reschedule is pending, the decision waits for the
 * scheduler (patch 7's hook at the switch): unboosting here would drop the boost just before the
 * switch to an RT task that needs it, and cost an extra exit for nothing.
 */
export function guestIrqExit(cfg: PvConfig, v: Vcpu): void {
  if (cfg.on.guest_sched_boost && v.gcpu.needResched) return;
  guestReevaluate(cfg, v);
}

/**
 * Patch 3's framework, host side: boosting moves the vCPU thread to the series' RT policy and
 * priority (SCHED_RR 8 by default); unboosting returns it to SCHED_NORMAL at nice 0 — not to
 * its earlier policy, as the v1 patch notes in a TODO, so a vCPU thread that had a nice value
 * loses it here too.
 */
import type { Vcpu } from "../kvm/vcpu";
import type { PvConfig } from "./state";

export type BoostSource = "inject" | "lazy";

export function boost(cfg: PvConfig, v: Vcpu, source: BoostSource): void {
  const shm = v.pv.shm;
  if (!shm || shm.boosted) return;
  v.setHostPolicy(cfg.policy, cfg.priority, 0);
  shm.boosted = true;
  v.task.boosted = true;
  v.pv.boostStart = v.eng.now;
  v.pv.boosts++;
  if (source === "inject") v.pv.boostsInject++;
  else v.pv.boostsLazy++;
}

export function unboost(v: Vcpu): void {
  const shm = v.pv.shm;
  if (!shm?.boosted) return;
  v.setHostPolicy("other", 0, 0);
  shm.boosted = false;
  v.task.boosted = false;
  const d = v.eng.now - v.pv.boostStart;
  v.pv.boostedNs += d;
  if (d > v.pv.maxBoostNs) v.pv.maxBoostNs = d;
  v.pv.unboosts++;
}

/**
 * Patch 8: the guest asks for a boost on irq, NMI and softirq entry (a flag in shared memory,
 * read lazily) and re-evaluates its need on exit, unboosting when nothing else needs it.
 */
import type { Vcpu } from "../kvm/vcpu";
import { BOOST_BOOST, type PvConfig } from "./state";

export function irqNeed(cfg: PvConfig, v: Vcpu): boolean {
  return cfg.on.guest_irq_boost && v.gcpu.inIrq;
}

/** irq/NMI/softirq entry. Only writes shared memory; the host sees it at the next exit. */
export function onIrqEntry(cfg: PvConfig, v: Vcpu): void {
  const shm = v.pv.shm;
  if (!cfg.on.guest_irq_boost || !shm || shm.boosted) return;
  shm.boostReq = BOOST_BOOST;
}

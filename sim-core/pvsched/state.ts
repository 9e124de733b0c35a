/**
 * Per-vCPU state of the series: the shared-memory area the guest registers (patch 1) and what
 * the host keeps about a boost. The per-mechanism modules beside this file read and write it.
 */
import type { MechanismId, PvSchedParams } from "../scenario";
import type { Policy } from "../scenario";

/** boost_req values in the shared area. */
export const BOOST_NONE = 0;
export const BOOST_UNBOOST = 1;
export const BOOST_BOOST = 2;

/** The per-vCPU shared memory (guest writes boost_req and preempt_disabled; host writes boosted). */
export interface PvShm {
  boostReq: number;
  preemptDisabled: boolean;
  boosted: boolean;
}

/** Resolved mechanism switches and parameters of one run. */
export interface PvConfig {
  on: Record<MechanismId, boolean>;
  policy: Extract<Policy, "fifo" | "rr">;
  priority: number;
  maxPreemptDisabledNs: number;
  globalEnabled: boolean;
  setschedulerNs: number;
}

export function resolvePvConfig(
  p: PvSchedParams | undefined,
  on: Record<MechanismId, boolean>,
  defaults: Required<PvSchedParams>,
): PvConfig {
  const c = { ...defaults, ...(p ?? {}) };
  return {
    on,
    policy: c.boost_policy,
    priority: c.boost_priority,
    maxPreemptDisabledNs: c.max_preempt_disabled_us * 1000,
    globalEnabled: c.global_enabled,
    setschedulerNs: c.setscheduler_ns,
  };
}

/** What the host knows of one vCPU's boost. */
export interface PvVcpuState {
  /** null until the guest registered its area (patch 1). */
  shm: PvShm | null;
  boostStart: number;
  /** A boost decided in interrupt context but not applicable there (no patch 2). */
  pendingBoost: boolean;
  /** The preempt-disabled cap cut the boost; no new one until preemption is re-enabled. */
  throttled: boolean;
  boosts: number;
  boostsInject: number;
  boostsLazy: number;
  unboosts: number;
  boostedNs: number;
  maxBoostNs: number;
  throttles: number;
}

export function newPvVcpuState(): PvVcpuState {
  return {
    shm: null,
    boostStart: 0,
    pendingBoost: false,
    throttled: false,
    boosts: 0,
    boostsInject: 0,
    boostsLazy: 0,
    unboosts: 0,
    boostedNs: 0,
    maxBoostNs: 0,
    throttles: 0,
  };
}

/**
 * State of the series (the v1 patches as posted to the kvm list, Dec 2023), per vCPU: the
 * shared area the guest registers (patch 1), the host's `arch.pv_sched` fields (patches 1, 3
 * and 5), and counters. The per-mechanism modules beside this file read and write it.
 */
import type { MechanismId, Policy, PvSchedParams } from "../scenario";
import { TIME_ZERO } from "../engine";

/** `enum kvm_vcpu_boost_request` (patch 3): what the guest asks for in `schedinfo.boost_req`. */
export const VCPU_REQ_NONE = 0;
export const VCPU_REQ_UNBOOST = 1;
export const VCPU_REQ_BOOST = 2;

/** `enum kvm_vcpu_boost_state` (patch 1): the host's status, copied into the shared area. */
export const VCPU_BOOST_DISABLED = 0;
export const VCPU_BOOST_NORMAL = 1;
export const VCPU_BOOST_BOOSTED = 2;

/** Resolved switches and parameters of one run. */
export interface PvConfig {
  on: Record<MechanismId, boolean>;
  policy: Extract<Policy, "fifo" | "rr">;
  priority: number;
  /** pvsched_max_preempt_disabled_us in ns; 0 disables the cap. */
  maxPreemptDisabledNs: number;
  /** The kvm_pv_sched module parameter (patch 6). */
  globalEnabled: boolean;
  /** How often each mechanism acted in this run (mutable: the modules count into it). */
  counters: MechanismCounters;
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
    counters: Object.fromEntries(Object.keys(on).map((k) => [k, 0])) as MechanismCounters,
  };
}

/** Why a boost was applied (the counters of the results). */
export type BoostSource = "inject" | "block" | "exit";

/** One vCPU's state of the series. */
export interface PvVcpuState {
  // ---- the guest's side ----------------------------------------------------------------
  /** The guest found KVM_FEATURE_PV_SCHED and wrote its area's GPA to MSR_KVM_PV_SCHED. */
  registered: boolean;
  /** schedinfo.boost_req as the guest last wrote it; the host never clears it. */
  boostReq: number;
  /** boost_status as the guest sees it: copied in at VM entry (KVM_REQ_VCPU_BOOST_UPDATE). */
  guestStatus: number;

  // ---- the host's side (arch.pv_sched) ---------------------------------------------------
  /** arch.pv_sched.boost_status. */
  status: number;
  /** KVM_REQ_VCPU_BOOST_UPDATE is pending: the next entry copies `status` to the guest. */
  statusUpdate: boolean;
  /** arch.pv_sched.preempt_disabled and _ts (patch 5): as the host last saw it at an exit. */
  preemptDisabled: boolean;
  preemptDisabledTs: number;
  /** A boost decided in interrupt context that could not be applied there (no patch 2). */
  pendingBoost: boolean;
  /** When the thread was last given the boost policy (for boosted time). */
  boostStart: number;

  // ---- counters --------------------------------------------------------------------------
  boosts: number;
  boostsBy: Record<BoostSource, number>;
  unboosts: number;
  boostedNs: number;
  maxBoostNs: number;
  /** Exits at which patch 5's cap vetoed a boost the vCPU would otherwise have had. */
  throttles: number;
}

export function newPvVcpuState(): PvVcpuState {
  return {
    registered: false,
    boostReq: VCPU_REQ_NONE,
    guestStatus: VCPU_BOOST_DISABLED,
    status: VCPU_BOOST_DISABLED,
    statusUpdate: false,
    preemptDisabled: false,
    preemptDisabledTs: TIME_ZERO,
    pendingBoost: false,
    boostStart: TIME_ZERO,
    boosts: 0,
    boostsBy: { inject: 0, block: 0, exit: 0 },
    unboosts: 0,
    boostedNs: TIME_ZERO,
    maxBoostNs: TIME_ZERO,
    throttles: 0,
  };
}

/**
 * How often each mechanism acted in a run: the lens and the panel use it to tell "no effect"
 * from "not exercised in this scenario".
 */
export type MechanismCounters = Record<MechanismId, number>;

/**
 * A stub vCPU for the series' modules (sim-core/pvsched/): just the fields they read and write,
 * so a test drives one hook at a time and reads the exact outcome.
 */
import { MECHANISM_IDS } from "../../sim-core/index";
import type { Vcpu } from "../../sim-core/kvm/vcpu";
import { SERIES_DEFAULTS } from "../../sim-core/params";
import { newPvVcpuState, type PvConfig, resolvePvConfig } from "../../sim-core/pvsched/state";
import type { MechanismId, PvSchedParams } from "../../sim-core/scenario";
import type { Task } from "../../sim-core/sched/task";

export interface Stub {
  v: Vcpu;
  /** The reasons of the exits the guest side took (v.exit()), in order. */
  exits: string[];
  /** Every sched_setscheduler() on the vCPU thread, in order. */
  policies: { policy: string; prio: number; nice: number }[];
  now(t: number): void;
  /** KVM_SET_PV_SCHED_ENABLED on the stub's VM (patch 6). */
  setVmPvEnabled(on: boolean): void;
  gcpu: { curr: Partial<Task> | null; inIrq: boolean; needResched: boolean; irqPending: boolean };
}

/** A registered vCPU of an enabled VM, unboosted, at time 0. */
export function stub(nice = 0): Stub {
  const exits: string[] = [];
  const policies: Stub["policies"] = [];
  const eng = { now: 0 };
  const gcpu = { curr: null as Partial<Task> | null, inIrq: false, needResched: false, irqPending: false };
  const v = {
    eng,
    pv: newPvVcpuState(),
    gcpu,
    neverUnboost: false,
    vmPvEnabled: true,
    task: { nice, boosted: false },
    costs: { setscheduler: () => 1500 },
    exits: { msr_other: 0 },
    setHostPolicy(policy: string, prio: number, n: number) {
      policies.push({ policy, prio, nice: n });
    },
    exit(reason: string) {
      exits.push(reason);
    },
  };
  v.pv.registered = true;
  return { v: v as unknown as Vcpu, exits, policies, now: (t) => (eng.now = t), setVmPvEnabled: (on) => (v.vmPvEnabled = on), gcpu };
}

/** Every mechanism on but those in `off`, with the v1 defaults unless `params` says otherwise. */
export function cfg(off: MechanismId[] = [], params?: PvSchedParams): PvConfig {
  const on = Object.fromEntries(MECHANISM_IDS.map((id) => [id, !off.includes(id)])) as Record<MechanismId, boolean>;
  return resolvePvConfig(params, on, SERIES_DEFAULTS);
}

/** A guest task: fair, preemptible, a user task, unless `t` says otherwise. */
export const task = (t: Partial<Task>): Partial<Task> => ({ isRt: false, preemptDisabled: false, kthread: false, ...t });

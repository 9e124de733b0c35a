import type { MechanismId } from "../scenario";

/** What the lab knows about one mechanism of the series: the patch it comes from and its module. */
export interface MechanismInfo {
  id: MechanismId;
  /** Patch number in the v1 series (1..8). */
  patch: number;
  /** Short label for lenses and tables. */
  label: string;
  /** One sentence: what the mechanism does in the model. */
  summary: string;
  /** The sim-core module that implements it. */
  module: string;
}

/**
 * The series' mechanisms, one module each under sim-core/pvsched/. The patch numbers follow the
 * cover letter's list (reference/seed-results.json, `patches`).
 */
export const MECHANISMS: readonly MechanismInfo[] = [
  {
    id: "shared_memory",
    patch: 1,
    label: "PV sched shared memory (MSR)",
    module: "pvsched/shared_memory.ts",
    summary:
      "The guest writes the address of its per-vCPU area to MSR_KVM_PV_SCHED (the guest half is in patch 7); without it neither side can talk to the other.",
  },
  {
    id: "setscheduler_irq",
    patch: 2,
    label: "setscheduler from irq context",
    module: "pvsched/setscheduler_irq.ts",
    summary:
      "sched_setscheduler_pi_nocheck() lets the LAPIC timer's hrtimer boost the vCPU thread from interrupt context; without it that boost waits until the thread runs.",
  },
  {
    id: "lazy_boost",
    patch: 3,
    label: "Boost re-evaluation at every VM exit",
    module: "pvsched/lazy_boost.ts",
    summary:
      "kvm_vcpu_do_pv_sched(): after every full exit the host boosts if the guest asked, or an interrupt is pending (or, without patch 5, preemption is disabled), and unboosts otherwise.",
  },
  {
    id: "sync_unboost",
    patch: 3,
    label: "Synchronous unboost (MSR write)",
    module: "pvsched/sync_unboost.ts",
    summary:
      "The guest writes ULLONG_MAX to MSR_KVM_PV_SCHED when it is boosted and preempt_count() is 0 (return to user mode), an exit that unboosts at once; otherwise the request waits for the next exit.",
  },
  {
    id: "boost_on_inject",
    patch: 4,
    label: "Boost on interrupt injection",
    module: "pvsched/boost_on_inject.ts",
    summary:
      "kvm_vcpu_kick_boost(): the host boosts the vCPU thread when it kicks it to deliver an interrupt (halted vCPU's LAPIC timer, NMI, non-posted IPI or device interrupt).",
  },
  {
    id: "boost_on_block",
    patch: 4,
    label: "Boost before blocking in HLT",
    module: "pvsched/boost_on_block.ts",
    summary: "kvm_vcpu_block() boosts the vCPU thread before it sleeps, so a halted vCPU wakes as an RT thread whatever wakes it.",
  },
  {
    id: "preempt_throttle",
    patch: 5,
    label: "Preempt-disabled boost cap",
    module: "pvsched/preempt_throttle.ts",
    summary:
      "Once the host has seen preemption disabled in the guest for pvsched_max_preempt_disabled_us (3 ms), every boost reason is refused at exits until the guest shows it enabled.",
  },
  {
    id: "switches",
    patch: 6,
    label: "Global and per-VM switches",
    module: "pvsched/switches.ts",
    summary:
      "kvm_pv_sched (global, off by default in v1) and KVM_SET_PV_SCHED_ENABLED (per VM); they also make the host refuse boosts for a vCPU that is not enabled.",
  },
  {
    id: "guest_sched_boost",
    patch: 7,
    label: "Guest scheduler boost requests",
    module: "pvsched/guest_sched_boost.ts",
    summary:
      "The guest asks for a boost when it switches to or enqueues an RT task, unboosts lazily when it switches to a fair task and synchronously on return to user mode, and shares preempt_disabled.",
  },
  {
    id: "guest_irq_boost",
    patch: 8,
    label: "Guest irq/NMI/softirq boost requests",
    module: "pvsched/guest_irq_boost.ts",
    summary:
      "The guest asks for a boost on every irq, NMI and softirq entry and unboosts on exit when no softirq is pending, no reschedule is needed and the interrupted task is not RT.",
  },
];

export const MECHANISM_IDS: readonly MechanismId[] = MECHANISMS.map((m) => m.id);

export function mechanismInfo(id: MechanismId): MechanismInfo {
  const m = MECHANISMS.find((x) => x.id === id);
  if (!m) throw new Error(`unknown mechanism ${id}`);
  return m;
}

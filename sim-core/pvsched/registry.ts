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
    summary: "The guest registers a per-vCPU area through MSR_KVM_PV_SCHED; without it the guest cannot ask for anything.",
  },
  {
    id: "setscheduler_irq",
    patch: 2,
    label: "setscheduler from irq context",
    module: "pvsched/setscheduler_irq.ts",
    summary:
      "The host may change a thread's policy from interrupt context, so a boost can be applied when a timer fires instead of when the vCPU thread next runs.",
  },
  {
    id: "lazy_boost",
    patch: 3,
    label: "Lazy boost at VM exit",
    module: "pvsched/lazy_boost.ts",
    summary: "The host reads the guest's boost request at the next VM exit and boosts the vCPU thread to RT.",
  },
  {
    id: "sync_unboost",
    patch: 3,
    label: "Synchronous unboost (MSR write)",
    module: "pvsched/sync_unboost.ts",
    summary: "The guest unboosts at once with an MSR write, which costs an exit; without it the unboost waits for the next exit.",
  },
  {
    id: "boost_on_inject",
    patch: 4,
    label: "Boost on interrupt injection",
    module: "pvsched/boost_on_inject.ts",
    summary: "The host boosts the vCPU thread when it kicks it to deliver an interrupt (LAPIC timer, IPI, device irq).",
  },
  {
    id: "preempt_throttle",
    patch: 5,
    label: "Preempt-disabled boost cap",
    module: "pvsched/preempt_throttle.ts",
    summary: "A boost held only because the guest has preemption disabled is cut after pvsched_max_preempt_disabled_us.",
  },
  {
    id: "switches",
    patch: 6,
    label: "Global and per-VM switches",
    module: "pvsched/switches.ts",
    summary: "kvm_pv_sched (global) and KVM_SET_PV_SCHED_ENABLED (per VM) turn the feature on and off.",
  },
  {
    id: "guest_sched_boost",
    patch: 7,
    label: "Guest scheduler boost requests",
    module: "pvsched/guest_sched_boost.ts",
    summary: "The guest asks for a boost while an RT task runs or preemption is disabled, and unboosts when done.",
  },
  {
    id: "guest_irq_boost",
    patch: 8,
    label: "Guest irq/NMI/softirq boost requests",
    module: "pvsched/guest_irq_boost.ts",
    summary: "The guest asks for a boost on irq, NMI and softirq entry and unboosts on exit.",
  },
];

export const MECHANISM_IDS: readonly MechanismId[] = MECHANISMS.map((m) => m.id);

export function mechanismInfo(id: MechanismId): MechanismInfo {
  const m = MECHANISMS.find((x) => x.id === id);
  if (!m) throw new Error(`unknown mechanism ${id}`);
  return m;
}

/**
 * The mechanisms a hunk can implement, as data: the nine of the v1 series (ids, labels and patch
 * numbers from sim-core's registry) and the related mechanisms upstream KVM already has, with
 * the code evidence that implies each. patch/classify.ts scores hunks against this.
 *
 * Evidence kinds, each with a weight (1: could appear incidentally, 2: specific, 3: only this
 * mechanism's code has it):
 * - identifiers a hunk defines, calls or uses (a C name, exact);
 * - patterns: identifier globs (`*` = any run), for families such as `KVM_HC_*YIELD*`;
 * - members: `base.member` accesses or struct member declarations (`vcpu.ready`, `*.pv_unhalted`);
 * - hooks: kernel functions the mechanism hooks; they count only for a hunk that also holds some
 *   mechanism code (a hunk that merely sits in vcpu_enter_guest is not lazy_boost);
 * - combos: identifiers that imply the mechanism only together;
 * - paths: file globs;
 * - action words: words of a longer name the hunk defines or calls (`yield` in smp_yield_cpu), weak
 *   and counted only with a second cue (patch/classify.ts ACTION_WORD, PARAVIRT_AREA_CUE).
 * Sources: the v1 and v2 mails (test/fixtures/real/), and upstream KVM for the others (directed
 * yield and PLE in virt/kvm/kvm_main.c and vmx/svm, PV sched yield and PV spinlocks in
 * arch/x86/kvm/x86.c and arch/x86/kernel/kvm.c, steal time in x86.c, vcpu->ready in kvm_main.c).
 */
import { MECHANISMS } from "../sim-core/pvsched/registry";

export interface CatalogueEntry {
  id: string;
  label: string;
  /** Patch number in the v1 series; null for upstream mechanisms. */
  patch: number | null;
  /** Whether sim-core can simulate it (the lens offers "Simulate with/without" only then). */
  simulated: boolean;
  summary: string;
  identifiers: Record<string, number>;
  patterns?: [glob: string, weight: number][];
  members?: Record<string, number>;
  hooks?: Record<string, number>;
  combos?: { all: string[]; weight: number }[];
  paths?: [glob: string, weight: number][];
  /**
   * Mechanisms whose code tests this one's members before acting (directed yield and the PV
   * yields pick a target whose `ready` is set): in a hunk that calls their code and only reads
   * the member, the member is their condition, not this mechanism's code, and counts as a
   * dependency (patch/classify.ts DEPENDENCY).
   */
  readBy?: string[];
  /**
   * Words that name the mechanism's action inside a longer name a hunk defines or calls
   * (`smp_yield_cpu`, `kvm_update_stolen_time`): how another architecture or hypervisor spells the
   * same mechanism. Weak evidence: patch/classify.ts counts one such name below a whole catalogue
   * name, never enough alone, and adds PARAVIRT_AREA_CUE only in `actionAreas`.
   */
  actionWords?: string[];
  /** Files where an action word gets the area cue: PARAVIRT_AREAS unless the mechanism is one side's. */
  actionAreas?: readonly string[];
  /** Words of a patch subject that may break a tie between equal scores (never decide alone). */
  subjectWords?: string[];
}

/**
 * Files where the kernel talks to a hypervisor or is one: each architecture's KVM host code and
 * headers, generic KVM, and each architecture's guest paravirt code and the x86 backends of other
 * hypervisors (Xen, Hyper-V). An action word in a driver, a filesystem or the scheduler proper is
 * no evidence of a paravirt mechanism (`virtqueue_kick`, `yield()` in a driver's poll loop).
 */
export const PARAVIRT_AREAS: readonly string[] = [
  "arch/*/kvm/*",
  "virt/kvm/*",
  "arch/*/include/asm/kvm*",
  "arch/*/include/uapi/asm/kvm*",
  "include/linux/kvm*",
  "arch/*/kernel/kvm*",
  "arch/*/kernel/paravirt*",
  "arch/*/include/asm/paravirt*",
  "arch/x86/xen/*",
  "arch/x86/hyperv/*",
];

/**
 * The hypervisor side alone: KVM's host code. Directed yield is the host choosing which vCPU runs
 * (kvm_vcpu_on_spin); a yield in guest code is the guest's own wait (a PV spinlock's pv_wait
 * ceding the CPU) or a PV yield hypercall, not directed yield.
 */
export const KVM_HOST_AREAS: readonly string[] = ["arch/*/kvm/*", "virt/kvm/*", "arch/*/include/asm/kvm_host*", "include/linux/kvm_host*"];

type Evidence = Omit<CatalogueEntry, "id" | "label" | "patch" | "simulated" | "summary">;

/** Code evidence of the v1 mechanisms, read from the posted series. */
const V1: Record<string, Evidence> = {
  shared_memory: {
    identifiers: {
      MSR_KVM_PV_SCHED: 3,
      KVM_FEATURE_PV_SCHED: 3,
      pv_sched_data: 3,
      kvm_vcpu_boost_state: 2,
      VCPU_BOOST_DISABLED: 1,
      VCPU_BOOST_NORMAL: 1,
      VCPU_BOOST_BOOSTED: 1,
      record_vcpu_boost_status: 3,
      kvm_set_vcpu_boosted: 2,
      KVM_REQ_VCPU_BOOST_UPDATE: 3,
      kvm_arch_vcpu_pv_sched_enabled: 2,
      kvm_arch_vcpu_set_boost_status: 2,
      pv_sched_pa: 2,
      pv_sched_enable: 1,
      kvm_gfn_to_hva_cache_init: 1,
      kvm_write_guest_offset_cached: 1,
    },
    members: { "kvm_vcpu_arch.pv_sched": 3, "arch.pv_sched": 1, "pv_sched.msr_val": 2, "pv_sched.data": 2, "pv_sched.boost_status": 1 },
    hooks: { kvm_set_msr_common: 1.5, kvm_get_msr_common: 1.5, __do_cpuid_func: 1, kvm_guest_cpu_init: 1.5, kvm_guest_init: 1 },
    subjectWords: ["shared memory", "msr"],
  },
  setscheduler_irq: {
    identifiers: { sched_setscheduler_pi_nocheck: 3, _sched_setscheduler_pi: 3, __sched_setscheduler: 1 },
    hooks: { _sched_setscheduler: 1.5, sched_setscheduler_nocheck: 1, __sched_setscheduler: 1 },
    subjectWords: ["setscheduler", "interrupt context"],
  },
  lazy_boost: {
    identifiers: {
      kvm_vcpu_set_sched: 3,
      kvm_vcpu_do_pv_sched: 3,
      __vcpu_needs_boost: 3,
      guest_schedinfo: 3,
      kvm_vcpu_boost_request: 3,
      VCPU_REQ_BOOST: 2,
      VCPU_REQ_NONE: 1,
      boost_req: 2,
      VCPU_BOOST_DEFAULT_PRIO: 3,
      VCPU_BOOST_DEFAULT_POLICY: 3,
      kvm_arch_vcpu_boost_policy: 3,
      kvm_arch_vcpu_boost_prio: 3,
      kvm_arch_vcpu_set_boost_prio: 3,
      kvm_arch_vcpu_set_boost_policy: 3,
      kvm_arch_vcpu_boosted: 2,
      __can_ignore_set_sched: 2,
      kvm_vcpu_sched_enabled: 1,
      kvm_read_guest_offset_cached: 1,
    },
    members: { "kvm_vcpu_arch.boost_policy": 2, "kvm_vcpu_arch.boost_prio": 2, "pv_sched.boost_policy": 2, "pv_sched.boost_prio": 2 },
    hooks: { vcpu_enter_guest: 1.5, kvm_arch_vcpu_create: 1 },
    subjectWords: ["boosting", "framework"],
  },
  sync_unboost: {
    identifiers: { kvm_pv_sched_notify_host: 3, EXIT_FASTPATH_EXIT_HANDLED: 1, VCPU_REQ_UNBOOST: 1 },
    combos: [{ all: ["MSR_KVM_PV_SCHED", "ULLONG_MAX"], weight: 3 }],
    hooks: { handle_fastpath_set_msr_irqoff: 2 },
    subjectWords: ["unboost", "synchronous"],
  },
  boost_on_inject: {
    identifiers: { kvm_vcpu_kick_boost: 3 },
    hooks: {
      __apic_accept_irq: 1.5,
      apic_timer_expired: 1.5,
      pic_unlock: 1.5,
      svm_complete_interrupt_delivery: 1.5,
      vmx_deliver_interrupt: 1.5,
      vmx_deliver_posted_interrupt: 1,
    },
    subjectWords: ["latency sensitive paths", "inject"],
  },
  boost_on_block: {
    // The second hunk of patch 4: kvm_vcpu_block() calls kvm_vcpu_set_sched(vcpu, true)
    // before schedule(). The hook decides once the hunk holds the series' code.
    identifiers: {},
    hooks: { kvm_vcpu_block: 3 },
    subjectWords: ["latency sensitive paths", "halt", "block"],
  },
  preempt_throttle: {
    identifiers: {
      pvsched_max_preempt_disabled_us: 3,
      kvm_vcpu_exceeds_preempt_disabled_duration: 3,
      kvm_vcpu_update_preempt_disabled: 3,
      preempt_disabled_ts: 3,
    },
    members: { "*.preempt_disabled_ts": 3, "kvm_vcpu_arch.preempt_disabled": 2, "pv_sched.preempt_disabled": 1 },
    subjectWords: ["upper bound", "preemption"],
  },
  switches: {
    identifiers: {
      kvm_pv_sched: 3,
      kvm_pv_sched_enabled: 3,
      kvm_set_pv_sched_enabled: 3,
      KVM_CAP_PV_SCHED: 3,
      KVM_SET_PV_SCHED_ENABLED: 3,
      KVM_GET_PV_SCHED_ENABLED: 3,
      set_kvm_pv_sched: 3,
      get_kvm_pv_sched: 3,
      kvm_pv_sched_ops: 3,
    },
    members: { "kvm.pv_sched_enabled": 3 },
    hooks: { kvm_vm_ioctl: 1, kvm_vm_ioctl_check_extension_generic: 1, kvm_create_vm: 1 },
    subjectWords: ["enable/disable", "global"],
  },
  guest_sched_boost: {
    identifiers: {
      pv_sched_boost_vcpu_lazy: 2,
      pv_sched_unboost_vcpu_lazy: 2,
      pv_sched_boost_vcpu: 2,
      pv_sched_unboost_vcpu: 2,
      pv_sched_vcpu_boosted: 2,
      pv_sched_update_preempt_status: 3,
      __pv_sched_enabled: 1,
      pv_sched_enabled: 1,
      TRACE_PREEMPT_TOGGLE: 2,
    },
    hooks: {
      __schedule: 2,
      enqueue_task: 2,
      preempt_latency_start: 2,
      preempt_latency_stop: 2,
      preempt_count_add: 1.5,
      preempt_count_sub: 1.5,
      exit_to_user_mode_prepare: 2,
      finish_task_switch: 1,
      try_to_wake_up: 1,
    },
    subjectWords: ["guest scheduler"],
  },
  guest_irq_boost: {
    identifiers: {},
    hooks: {
      irqentry_enter: 2.5,
      irqentry_exit: 2.5,
      irqentry_nmi_enter: 2.5,
      irqentry_nmi_exit: 2.5,
      __do_softirq: 2.5,
      handle_softirqs: 2.5,
      irq_enter_rcu: 2,
      irq_exit_rcu: 2,
      __irq_exit_rcu: 2,
    },
    subjectWords: ["irq", "softirq", "nmi"],
  },
};

/** Mechanisms upstream KVM already has, and the host-side policy framework of the v2 redesign. */
const UPSTREAM: CatalogueEntry[] = [
  {
    id: "directed_yield",
    label: "Directed yield (PLE, kvm_vcpu_on_spin)",
    patch: null,
    simulated: false,
    summary: "A vCPU that spins (pause-loop exit) yields its CPU to a preempted sibling vCPU that may hold the lock.",
    identifiers: {
      kvm_vcpu_on_spin: 3,
      kvm_vcpu_yield_to: 2,
      yield_to: 2,
      kvm_vcpu_eligible_for_directed_yield: 3,
      kvm_arch_dy_runnable: 2,
      // The candidate checks kvm_vcpu_on_spin makes (upstream since 6.8 and 5.4): only directed
      // yield calls them; kvm_arch_vcpu_in_kernel also serves perf's guest callbacks.
      kvm_arch_dy_has_pending_interrupt: 3,
      kvm_arch_vcpu_preempted_in_kernel: 3,
      kvm_arch_vcpu_in_kernel: 1,
      last_boosted_vcpu: 2,
      kvm_vcpu_set_in_spin_loop: 2,
      kvm_vcpu_set_dy_eligible: 2,
      ple_window: 2,
      grow_ple_window: 3,
      shrink_ple_window: 3,
      handle_pause: 2,
      pause_interception: 2,
      EXIT_REASON_PAUSE_INSTRUCTION: 2,
      SVM_EXIT_PAUSE: 2,
      pause_filter_count: 2,
      pause_filter_thresh: 2,
    },
    // x86's arch.preempted_in_kernel: the CPL snapshot taken at vcpu_put for the candidate check.
    members: { "*.spin_loop": 2, "*.in_spin_loop": 2, "*.dy_eligible": 2, "*.preempted_in_kernel": 2 },
    hooks: { kvm_vcpu_on_spin: 1.5, handle_pause: 1.5, pause_interception: 1.5 },
    // The s390 host forwarding DIAGNOSE 0x9c with smp_yield_cpu; in KVM host code only (see KVM_HOST_AREAS).
    actionWords: ["yield"],
    actionAreas: KVM_HOST_AREAS,
    subjectWords: ["directed yield", "spin", "ple"],
  },
  {
    id: "pv_sched_yield",
    label: "PV sched yield (KVM_HC_SCHED_YIELD)",
    patch: null,
    simulated: false,
    summary: "A guest that sends an IPI to a preempted vCPU yields to it with the KVM_HC_SCHED_YIELD hypercall.",
    identifiers: { KVM_HC_SCHED_YIELD: 3, KVM_FEATURE_PV_SCHED_YIELD: 3, kvm_sched_yield: 3, kvm_smp_send_call_func_ipi: 3 },
    patterns: [
      ["KVM_FEATURE_*YIELD*", 2],
      ["KVM_HC_*YIELD*", 2],
    ],
    subjectWords: ["sched yield", "yield"],
  },
  {
    id: "ready_boost",
    label: "Ready vCPU boost (vcpu->ready)",
    patch: null,
    simulated: false,
    summary: "A vCPU woken or preempted while runnable is marked ready, and directed yield prefers ready vCPUs.",
    identifiers: { kvm_vcpu_wake_up: 1.5 },
    members: { "vcpu.ready": 3, "kvm_vcpu.ready": 3, "target.ready": 3 },
    // kvm_sched_yield and a PV spinlock kick handler test target->ready before kvm_vcpu_yield_to;
    // the boost is the code that sets it (kvm_sched_out, kvm_vcpu_wake_up) and the candidate check.
    readBy: ["directed_yield", "pv_sched_yield", "pv_spinlock"],
    hooks: { kvm_sched_out: 2, kvm_sched_in: 2, kvm_vcpu_wake_up: 1.5, kvm_s390_vcpu_wakeup: 1 },
    subjectWords: ["ready", "delivering interrupts"],
  },
  {
    id: "pv_spinlock",
    label: "PV spinlock kick/halt",
    patch: null,
    simulated: false,
    summary: "A guest waiting on a contended spinlock halts; the unlocker kicks it with KVM_HC_KICK_CPU.",
    identifiers: {
      KVM_HC_KICK_CPU: 3,
      kvm_pv_kick_cpu_op: 3,
      KVM_FEATURE_PV_UNHALT: 3,
      kvm_kick_cpu: 3,
      // The guest's pv_ops.lock.wait on KVM (arch/x86/kernel/kvm.c); no other kernel code has the name.
      kvm_wait: 3,
      kvm_spinlock_init: 3,
      __pv_queued_spin_unlock: 2,
      pv_wait: 1,
      pv_kick: 1,
      // The guest's PV qspinlock switch and slow path (kernel/locking/qspinlock*.c,
      // arch/x86/include/asm/qspinlock.h): `nopvspin` turns it off for every hypervisor.
      nopvspin: 3,
      __pv_init_lock_hash: 3,
      __pv_queued_spin_lock_slowpath: 3,
      pv_wait_node: 3,
      pv_kick_node: 3,
      pv_wait_head_or_lock: 3,
      virt_spin_lock_key: 1,
      // The same mechanism's Xen and Hyper-V backends.
      xen_init_spinlocks: 2,
      hv_init_spinlocks: 2,
      xen_nopvspin: 2,
      hv_nopvspin: 2,
    },
    members: {
      "*.pv_unhalted": 2,
      // pv_ops.lock: the paravirt ops a guest installs to use it.
      "lock.queued_spin_lock_slowpath": 2,
      "lock.queued_spin_unlock": 2,
      "lock.wait": 2,
      "lock.kick": 2,
    },
    paths: [["kernel/locking/qspinlock_paravirt.h", 2]],
    // A host handler that wakes a vCPU and then yields to it is the unlocker's kick (x86's
    // KVM_HC_KICK_CPU case kicks, then yields through kvm_sched_yield); neither call alone is.
    combos: [{ all: ["kvm_vcpu_kick", "kvm_vcpu_yield_to"], weight: 2 }],
    hooks: { kvm_wait: 1.5, kvm_kick_cpu: 1.5 },
    subjectWords: ["spinlock", "kick"],
  },
  {
    id: "steal_time",
    label: "Steal time and vCPU preempted flag",
    patch: null,
    simulated: false,
    summary: "The host accounts the time a vCPU was runnable but not running and flags it preempted in a shared area.",
    identifiers: {
      MSR_KVM_STEAL_TIME: 3,
      record_steal_time: 3,
      kvm_steal_time: 2,
      KVM_FEATURE_STEAL_TIME: 2,
      kvm_register_steal_time: 3,
      kvm_steal_clock: 3,
      KVM_VCPU_PREEMPTED: 3,
      kvm_steal_time_set_preempted: 3,
      vcpu_is_preempted: 1,
      kvm_vcpu_is_preempted: 2,
      KVM_REQ_STEAL_UPDATE: 2,
      // The kernel-generic side every architecture's steal time goes through (set 4 found the
      // entry knew only x86's names): the scheduler's clock and switches (kernel/sched/cputime.c,
      // kernel/sched/core.c) and the paravirt static call an architecture fills
      // (arch/*/include/asm/paravirt.h).
      paravirt_steal_clock: 3,
      pv_steal_clock: 3,
      paravirt_steal_enabled: 2,
      paravirt_steal_rq_enabled: 2,
      steal_account_process_time: 2,
      account_steal_time: 2,
    },
    members: { "*.steal_time": 1, "st.preempted": 2, "time.steal_clock": 2 },
    hooks: { record_steal_time: 1.5, kvm_steal_time_set_preempted: 1.5 },
    // arm64's kvm_update_stolen_time and KVM_REQ_RECORD_STEAL, LoongArch's pv_enable_steal_time.
    actionWords: ["steal", "stolen"],
    subjectWords: ["steal"],
  },
  {
    id: "pvsched_framework",
    label: "PV sched policy framework hooks",
    patch: null,
    simulated: false,
    summary: "A pluggable host-side driver is notified on VM entry, exit, halt and interrupt injection and sets the vCPU's policy.",
    identifiers: {
      pvsched_vcpu_ops: 3,
      pvsched_register_vcpu_ops: 3,
      pvsched_unregister_vcpu_ops: 3,
      pvsched_get_vcpu_ops: 3,
      pvsched_put_vcpu_ops: 3,
      pvsched_validate_vcpu_ops: 2,
      pvsched_vcpu_notify_event: 3,
      pvsched_vcpu_register: 2,
      pvsched_vcpu_unregister: 2,
      kvm_vcpu_pvsched_notify: 3,
      kvm_vcpu_pvsched_register: 2,
      kvm_vcpu_pvsched_unregister: 2,
      kvm_replace_pvsched_ops: 2,
      pvsched_vcpu_events: 3,
      PVSCHED_VCPU_VMENTER: 3,
      PVSCHED_VCPU_VMEXIT: 3,
      PVSCHED_VCPU_HALT: 3,
      PVSCHED_VCPU_INTR_INJ: 3,
      __vcpu_pvsched_callback: 3,
    },
    patterns: [
      ["*pvsched*", 1],
      ["PVSCHED_*", 1],
    ],
    paths: [
      ["virt/pvsched/**", 1],
      ["include/linux/pvsched.h", 1],
    ],
    hooks: { vcpu_enter_guest: 1, kvm_vcpu_block: 1 },
    subjectWords: ["pvsched", "paravirt sched"],
  },
];

/** Every mechanism, v1 first (registry order), then the upstream ones. */
export const CATALOGUE: readonly CatalogueEntry[] = [
  ...MECHANISMS.map((m): CatalogueEntry => {
    const ev = V1[m.id];
    if (!ev) throw new Error(`catalogue: no code evidence for v1 mechanism ${m.id}`);
    return { id: m.id, label: m.label, patch: m.patch, simulated: true, summary: m.summary, ...ev };
  }),
  ...UPSTREAM,
];

export const CATALOGUE_IDS: readonly string[] = CATALOGUE.map((e) => e.id);

export function catalogueEntry(id: string): CatalogueEntry | undefined {
  return CATALOGUE.find((e) => e.id === id);
}

/** `*` globs over identifiers, matched with indexOf (linear, no regex). */
export function globMatch(glob: string, s: string): boolean {
  const parts = glob.split("*");
  if (parts.length === 1) return glob === s;
  // At least two parts here: the head before the first `*` and the tail after the last.
  const head = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (!s.startsWith(head)) return false;
  let at = head.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const k = s.indexOf(part, at);
    if (k < 0) return false;
    at = k + part.length;
  }
  return s.length - last.length >= at && s.endsWith(last);
}

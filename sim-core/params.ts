/**
 * Parameters of the model, in one place, each with its source.
 *
 * - KERNEL: defaults of Linux 6.5 (the seed's base) and of KVM, read from the kernel source
 *   (see reference/linux-sched-params.md for where each lives).
 * - SERIES: values of the RFC series itself (reference/seed-results.json, series_parameters).
 * - ESTIMATES: costs the kernel does not state; each says where its value comes from.
 *
 * Scenario-specific assumptions (a seed scenario's load, its guest background activity) live
 * in the scenario files with a comment, not here: this file holds only what is true of every run.
 */
import type { SchedConfig } from "./scenario";

export const NSEC_PER_USEC = 1_000;
export const NSEC_PER_MSEC = 1_000_000;
export const NSEC_PER_SEC = 1_000_000_000;

/** kernel/sched/core.c `sched_prio_to_weight[]`: nice -20..19. */
export const PRIO_TO_WEIGHT: readonly number[] = [
  88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916, 9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277, 1024,
  820, 655, 526, 423, 335, 272, 215, 172, 137, 110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
];
/** NICE_0_LOAD (scale_load_down'ed). */
export const NICE_0_LOAD = 1024;
/** SCHED_IDLE tasks' weight (WEIGHT_IDLEPRIO). */
export const WEIGHT_IDLEPRIO = 3;
/** kernel/sched/fair.c MIN_SHARES: the smallest weight a group entity gets. */
export const MIN_SHARES = 2;
/** cgroup v2 cpu.weight 100 <-> 1024 shares (kernel/sched/core.c sched_weight_from_cgroup). */
export function sharesFromCpuWeight(w: number): number {
  return Math.max(MIN_SHARES, Math.round((w * 1024) / 100));
}

export function niceToWeight(nice: number): number {
  const i = Math.max(-20, Math.min(19, Math.round(nice))) + 20;
  return PRIO_TO_WEIGHT[i]!;
}

/**
 * A log-normal cost: `median_ns` and the geometric standard deviation `gsd` (p99 is
 * median * gsd^2.326), capped at `cap_ns` where the source gives a worst case.
 */
export interface LogNormalCost {
  median_ns: number;
  gsd: number;
  cap_ns?: number;
}

/**
 * The seed's host is a Jasper Lake Celeron (Tremont cores, up to 2.8 GHz). No published VM-exit,
 * context-switch or OS-noise measurement exists for Jasper Lake or another Atom core, so its
 * scenarios set `host.cost_scale` to this factor over the desktop/server Intel measurements
 * below: single-thread benchmarks put Goldmont Plus ~2.4x below a Core i5-8265U and Intel claims
 * Tremont is ~30% faster than Goldmont Plus (notebookcheck, hardlimit.com), which gives 1.5-3x;
 * 2 is the middle. ASSUMPTION (docs/calibration.md).
 */
export const JSL_SCALE = 2;

const us = (x: number) => Math.round(x * NSEC_PER_USEC);

/**
 * Cost distributions on a desktop/server Intel core, each from a published measurement or
 * marked ESTIMATE where none exists (docs/calibration.md has the quotes). A scenario's
 * `host.cost_scale` multiplies them for slower hardware (the cache refill excepted: memory-bound).
 */
export const COST_DEFAULTS = {
  /**
   * Direct context switch. perf bench sched pipe: 2.79 us per op (two switches and the pipe
   * syscalls) in a KVM guest (Ingo Molnar, LKML); Li, Ding, Shen, "Quantifying the Cost of
   * Context Switch" (ExpCS'07): 3.8 us with the syscalls. Desktop LN(1.2 us, 1.3).
   */
  context_switch: { median_ns: us(1.2), gsd: 1.35 } as LogNormalCost,
  /**
   * Indirect cost: cache/TLB refill of a task whose working set was evicted while another ran
   * (Li, Ding, Shen: from ~0 to over 1000 us as the working sets approach the L2 size; Tsafrir,
   * ExpCS'07: up to 85% of a switch's cost is indirect). LN(5 us, 2.5); the 200 us cap is an
   * ASSUMPTION (the N4500's 1.5 MB L2 refills in well under that).
   */
  cache_refill: { median_ns: us(5), gsd: 2.5, cap_ns: us(200) } as LogNormalCost,
  /** A task gets the refill cost only if another task ran at least this long meanwhile. ASSUMPTION. */
  refill_after_ns: us(50),
  /**
   * scheduler_tick() with its interrupt: below osnoise's 5 us detection threshold on a desktop
   * (rtla osnoise top, kernel docs "alien" example) and ~5.6 us per interference on "f34".
   * Desktop LN(1.5 us, 1.4).
   */
  tick: { median_ns: us(1.5), gsd: 1.4 } as LogNormalCost,
  /**
   * hrtimer_interrupt() with one expiry and its wake-up: timerlat (kernel docs) IRQ latency
   * ~1 us average, and ~1.5 us for the handler with try_to_wake_up. Desktop LN(1.5 us, 1.4).
   */
  hrtimer_irq: { median_ns: us(1.5), gsd: 1.4 } as LogNormalCost,
  /**
   * VM exit and entry: kvm-unit-tests vmexit vmcall round trip 1539-1559 cycles on a Skylake
   * server (Wanpeng Li, kvm list), ~0.65 us, split 0.4 exit / 0.25 entry (the split is ours). gsd 1.2 (the tests report means only: ASSUMPTION).
   */
  vm_exit: { median_ns: us(0.4), gsd: 1.2 } as LogNormalCost,
  vm_entry: { median_ns: us(0.25), gsd: 1.2 } as LogNormalCost,
  /**
   * Injecting an interrupt without APICv (interrupt-window and EOI handling): tscdeadline_immed
   * takes 3.9-4.8k cycles without APICv and 2.5-3.0k with it on a Skylake server (Wanpeng Li,
   * fastpath series, kvm list 2020): +0.7 us.
   */
  inject_without_apicv: { median_ns: us(0.7), gsd: 1.2 } as LogNormalCost,
  /**
   * TSC-deadline MSR write in the fastpath: vmcall-class, LN(0.6 us, 1.2). A guest's x2APIC ICR
   * write (an IPI without IPI virtualization) takes the same handle_fastpath_set_msr_irqoff()
   * path and is drawn from it too (ESTIMATE: no separate measurement).
   */
  fastpath_tsc_deadline: { median_ns: us(0.6), gsd: 1.25 } as LogNormalCost,
  /** VMX preemption-timer expiry in the fastpath with its injection: ~1.0 us. */
  fastpath_preemption_timer: { median_ns: us(1.0), gsd: 1.2 } as LogNormalCost,
  /**
   * sched_setscheduler_pi_nocheck() on the vCPU thread (rq lock, dequeue, class change,
   * enqueue): no published measurement. ESTIMATE LN(0.8 us, 1.4).
   */
  setscheduler: { median_ns: us(0.8), gsd: 1.4 } as LogNormalCost,
};

/**
 * Per-CPU OS noise, host and guest (osnoise's classes): softirqs after a tick, and a kworker
 * per CPU. rtla osnoise top (kernel docs, "f34"): ~30 softirqs/s per CPU, 13-31 thread
 * interferences per 53 s, max single noise 24-56 us; "alien": 18-660 thread interferences per
 * 53 s. Durations are desktop ones (host.cost_scale multiplies them).
 */
export const NOISE_DEFAULTS = {
  softirq_hz: 30,
  /** Desktop LN(4 us, 2.0): ~20 us p99 as in the osnoise examples. */
  softirq: { median_ns: us(4), gsd: 2.0, cap_ns: us(100) } as LogNormalCost,
  kworker_hz: 1,
  /** Desktop LN(10 us, 2.5), tail to the 60 us max single noise of the examples. */
  kworker: { median_ns: us(10), gsd: 2.5, cap_ns: us(60) } as LogNormalCost,
};

/** KERNEL defaults for a scheduler instance (host or guest). */
export const KERNEL_SCHED_DEFAULTS: Required<SchedConfig> = {
  fair: "cfs",
  hz: 250, // CONFIG_HZ on Debian and on this machine
  sched_latency_ns: 6_000_000, // sysctl_sched_latency
  min_granularity_ns: 750_000, // sysctl_sched_min_granularity
  wakeup_granularity_ns: 1_000_000, // sysctl_sched_wakeup_granularity
  base_slice_ns: 750_000, // EEVDF sysctl_sched_base_slice (6.6)
  tunable_scaling: "log", // SCHED_TUNABLESCALING_LOG
  rt_period_us: 1_000_000, // sysctl_sched_rt_period
  rt_runtime_us: 950_000, // sysctl_sched_rt_runtime
  rr_timeslice_ms: 100, // RR_TIMESLICE
  timer_slack_ns: 50_000, // init_task.timer_slack_ns
  // Median of the direct context-switch cost (COST_DEFAULTS.context_switch has the source).
  context_switch_ns: COST_DEFAULTS.context_switch.median_ns,
  // Median of the tick's cost (COST_DEFAULTS.tick).
  tick_cost_ns: COST_DEFAULTS.tick.median_ns,
  // Not used: the balancer runs at the kernel's own intervals (sd->balance_interval starts at
  // the domain's weight in ms, times busy_factor 16 on a busy CPU; sim-core/sched/lb.ts).
  load_balance_ms: 4,
};

/** `sched_nr_latency` (kernel/sched/fair.c). */
export const SCHED_NR_LATENCY = 8;

/** sysctl_sched_migration_cost (kernel/sched/fair.c, 6.5): 0.5 ms, not scaled. */
export const MIGRATION_COST_NS = 500_000;
/** sd_init() (kernel/sched/topology.c): busy_factor and imbalance_pct of an MC domain. */
export const BUSY_FACTOR = 16;
export const IMBALANCE_PCT = 117;
/** sd_init(): cache_nice_tries of a domain that shares the package's caches. */
export const CACHE_NICE_TRIES = 1;
/** SCHED_NR_MIGRATE_BREAK = sysctl_sched_nr_migrate without PREEMPT_RT (kernel/sched/sched.h). */
export const NR_MIGRATE = 32;
/** MAX_PINNED_INTERVAL (kernel/sched/fair.c). */
export const MAX_PINNED_INTERVAL = 512;

/**
 * ESTIMATE: one newidle load_balance() over a 4-CPU MC domain (update_blocked_averages(), the
 * group statistics of 4 CPUs, and a detach/attach with both runqueue locks) is a few
 * microseconds; debugfs' max_newidle_lb_cost of small x86 machines shows values of that order.
 */
export const NEWIDLE_BALANCE_NS = 5_000;

/** sysctl_sched_idle_min_granularity (kernel/sched/fair.c, 6.5): 0.75 ms, not scaled by CPU count. */
export const SCHED_IDLE_MIN_GRANULARITY_NS = 750_000;

/**
 * The scheduler features the model implements, with their defaults in Linux 6.5
 * (kernel/sched/features.h; TTWU_QUEUE as built without PREEMPT_RT, RT_PUSH_IPI as on x86).
 */
export interface SchedFeatures {
  GENTLE_FAIR_SLEEPERS: boolean;
  START_DEBIT: boolean;
  NEXT_BUDDY: boolean;
  LAST_BUDDY: boolean;
  CACHE_HOT_BUDDY: boolean;
  WAKEUP_PREEMPTION: boolean;
  TTWU_QUEUE: boolean;
  SIS_UTIL: boolean;
  WA_IDLE: boolean;
  WA_WEIGHT: boolean;
  WA_BIAS: boolean;
  RT_PUSH_IPI: boolean;
  RT_RUNTIME_SHARE: boolean;
  ALT_PERIOD: boolean;
  BASE_SLICE: boolean;
}

export const SCHED_FEATURES_6_5: Readonly<SchedFeatures> = {
  GENTLE_FAIR_SLEEPERS: true,
  START_DEBIT: true,
  NEXT_BUDDY: false,
  LAST_BUDDY: true,
  CACHE_HOT_BUDDY: true,
  WAKEUP_PREEMPTION: true,
  TTWU_QUEUE: true,
  SIS_UTIL: true,
  WA_IDLE: true,
  WA_WEIGHT: true,
  WA_BIAS: true,
  RT_PUSH_IPI: true,
  RT_RUNTIME_SHARE: false,
  ALT_PERIOD: true,
  BASE_SLICE: true,
};

/** The scaling factor of get_update_sysctl_factor(): 1 + ilog2(min(ncpus, 8)) under LOG. */
export function tunableFactor(scaling: SchedConfig["tunable_scaling"], ncpus: number): number {
  const n = Math.min(ncpus, 8);
  if (scaling === "none") return 1;
  if (scaling === "linear") return n;
  return 1 + Math.floor(Math.log2(n));
}

/** A scheduler instance's effective (scaled) tunables. */
export interface SchedTunables {
  fair: "cfs" | "eevdf";
  tickNs: number;
  latencyNs: number;
  minGranNs: number;
  wakeupGranNs: number;
  baseSliceNs: number;
  rtPeriodNs: number;
  /** < 0: RT throttling disabled. */
  rtRuntimeNs: number;
  rrSliceNs: number;
  timerSlackNs: number;
  ctxSwitchNs: number;
  tickCostNs: number;
  /** sched_features (the 6.5 defaults; not a scenario setting, tests may change a copy). */
  features: SchedFeatures;
  /** CPU time of one newidle load_balance() over the domain (max_newidle_lb_cost's unit). */
  newidleBalanceNs: number;
}

/**
 * A scheduler instance's tunables. `costScale` multiplies the default costs (context switch,
 * tick) for slower hardware; costs the scenario states are taken as they are.
 */
export function resolveSched(
  cfg: SchedConfig | undefined,
  ncpus: number,
  costScale = 1,
  base: Required<SchedConfig> = KERNEL_SCHED_DEFAULTS,
): SchedTunables {
  const c = {
    ...base,
    context_switch_ns: Math.round(base.context_switch_ns * costScale),
    tick_cost_ns: Math.round(base.tick_cost_ns * costScale),
    ...(cfg ?? {}),
  };
  const f = tunableFactor(c.tunable_scaling, ncpus);
  return {
    fair: c.fair,
    tickNs: Math.round(NSEC_PER_SEC / c.hz),
    latencyNs: c.sched_latency_ns * f,
    minGranNs: c.min_granularity_ns * f,
    wakeupGranNs: c.wakeup_granularity_ns * f,
    baseSliceNs: c.base_slice_ns * f,
    rtPeriodNs: c.rt_period_us * NSEC_PER_USEC,
    rtRuntimeNs: c.rt_runtime_us < 0 ? -1 : c.rt_runtime_us * NSEC_PER_USEC,
    rrSliceNs: c.rr_timeslice_ms * NSEC_PER_MSEC,
    timerSlackNs: c.timer_slack_ns,
    ctxSwitchNs: c.context_switch_ns,
    tickCostNs: c.tick_cost_ns,
    features: { ...SCHED_FEATURES_6_5 },
    newidleBalanceNs: NEWIDLE_BALANCE_NS,
  };
}

/** KVM module parameters (virt/kvm/kvm_main.c) and exit costs. */
export const KVM_DEFAULTS = {
  halt_poll_ns: 200_000, // KVM_HALT_POLL_NS_DEFAULT on x86; /sys/module/kvm/parameters here
  halt_poll_ns_grow: 2,
  halt_poll_ns_grow_start: 10_000,
  halt_poll_ns_shrink: 0,
  // Medians of a VM exit and of an entry (COST_DEFAULTS.vm_exit / vm_entry have the sources).
  exit_ns: COST_DEFAULTS.vm_exit.median_ns,
  entry_ns: COST_DEFAULTS.vm_entry.median_ns,
  posted_interrupts: false,
  ipi_virtualization: false,
};

/** The series' parameters (reference/seed-results.json, series_parameters). */
export const SERIES_DEFAULTS = {
  boost_policy: "rr" as const, // v1 patches: SCHED_RR
  boost_priority: 8, // v1 patches
  max_preempt_disabled_us: 3000, // pvsched_max_preempt_disabled_us
  global_enabled: true, // kvm_pv_sched
  // Median of the in-kernel policy change (COST_DEFAULTS.setscheduler has the source).
  setscheduler_ns: COST_DEFAULTS.setscheduler.median_ns,
};

/** Guest-side defaults (the guest kernel's handlers), in microseconds on a desktop core. */
export const GUEST_IRQ_DEFAULTS = {
  // hrtimer_interrupt + one wake-up: COST_DEFAULTS.hrtimer_irq.
  timer_handler: { lognormal_median_us: 1.5, lognormal_gsd: 1.4 },
  // A softirq raised by a handler: NOISE_DEFAULTS.softirq.
  softirq: { lognormal_median_us: 4, lognormal_gsd: 2.0 },
  nmi_hz: 0,
  // A perf NMI handler; ESTIMATE: like a timer interrupt.
  nmi_handler: { lognormal_median_us: 1.5, lognormal_gsd: 1.4 },
  device_irq_hz: 0,
  // A virtio interrupt handler with its wake-up; ESTIMATE.
  device_irq_handler: { lognormal_median_us: 2.5, lognormal_gsd: 1.4 },
};

/**
 * One parameter of the model and where its value comes from, for the calibration table of the
 * seed report and docs/calibration.md.
 *
 * `fittedOn` is present only for a value chosen by comparing simulated with published numbers:
 * it lists the seed-report cells it was fitted on, as cell ids with `*` wildcards
 * (`cyclictest/<idle|busy>/<500|1000>/<guest|host>/<avg|max>/<vanilla|dynamic|static>` and
 * `audio/<noload|busy>/<96|256|512>/<vanilla|patches>`). Every other cell is out of sample.
 */
export interface CalibrationEntry {
  param: string;
  value: number | string | boolean;
  source: string;
  fittedOn?: string[];
}

/** The model's parameters with their sources (grows with the model; one line per parameter). */
export const CALIBRATION: readonly CalibrationEntry[] = [
  {
    param: "host.sched.sched_latency_ns",
    value: KERNEL_SCHED_DEFAULTS.sched_latency_ns,
    source: "kernel/sched/fair.c sysctl_sched_latency (6.5), x(1+ilog2(ncpus))",
  },
  {
    param: "host.sched.min_granularity_ns",
    value: KERNEL_SCHED_DEFAULTS.min_granularity_ns,
    source: "kernel/sched/fair.c sysctl_sched_min_granularity (6.5)",
  },
  {
    param: "host.sched.wakeup_granularity_ns",
    value: KERNEL_SCHED_DEFAULTS.wakeup_granularity_ns,
    source: "kernel/sched/fair.c sysctl_sched_wakeup_granularity (6.5)",
  },
  { param: "host.sched.rt_runtime_us", value: KERNEL_SCHED_DEFAULTS.rt_runtime_us, source: "kernel/sched/rt.c sysctl_sched_rt_runtime" },
  { param: "host.sched.hz", value: 1000, source: "ASSUMPTION: ChromeOS x86 kernels build with CONFIG_HZ=1000 (not verified)" },
  {
    param: "host.sched.timer_slack_ns (host and guest)",
    value: 0,
    source:
      "kernel default 50000 (init_task); candidates 0 and 50000; 0 fits the in-sample cells (median |log10| 0.41 vs 1.01; 3 replications of 30 s, 6.5 placement model)",
    fittedOn: ["cyclictest/*/500/*/*/*"],
  },
  {
    param: "vms[].cgroup (cyclictest VM)",
    value: "none (cpu.weight default)",
    source:
      "concierge gives a VM cpu.shares 1024 (foreground) or 64 (background); the default fits the in-sample cells (0.41 vs 0.54 with 64; with 64 the busy-vanilla claim would hold, 3 of 3)",
    fittedOn: ["cyclictest/*/500/*/*/*"],
  },
  { param: "host.kvm.halt_poll_ns", value: KVM_DEFAULTS.halt_poll_ns, source: "virt/kvm/kvm_main.c KVM_HALT_POLL_NS_DEFAULT (x86)" },
  {
    param: "JSL_SCALE",
    value: JSL_SCALE,
    source: "ASSUMPTION: desktop-Intel costs x2 for Jasper Lake (single-thread benchmark ratios 1.5-3)",
  },
  {
    param: "cost.context_switch median_ns",
    value: COST_DEFAULTS.context_switch.median_ns,
    source: "perf bench sched pipe (Molnar, LKML); Li, Ding, Shen ExpCS'07; x JSL_SCALE",
  },
  {
    param: "cost.cache_refill median_ns",
    value: COST_DEFAULTS.cache_refill.median_ns,
    source: "Li, Ding, Shen ExpCS'07 indirect cost; Tsafrir ExpCS'07",
  },
  {
    param: "cost.vm_exit+vm_entry median_ns",
    value: COST_DEFAULTS.vm_exit.median_ns + COST_DEFAULTS.vm_entry.median_ns,
    source: "kvm-unit-tests vmexit vmcall 1539-1559 cycles, Skylake server (Wanpeng Li); x JSL_SCALE",
  },
  { param: "cost.setscheduler median_ns", value: COST_DEFAULTS.setscheduler.median_ns, source: "ESTIMATE: no published measurement" },
  { param: "noise.softirq_hz", value: NOISE_DEFAULTS.softirq_hz, source: "rtla osnoise top example (kernel docs): ~30 softirqs/s per CPU" },
  {
    param: "noise.kworker_hz",
    value: NOISE_DEFAULTS.kworker_hz,
    source: "rtla osnoise top examples: 0.25-12 thread interferences/s per CPU",
  },
  {
    param: "host.cpuidle_states",
    value: "C1 1/1, C7S 253/759, C10 1048/3144 us",
    source: "coreboot soc/intel/jasperlake (cpu.h, acpi.c) via intel_idle's _CST path",
  },
  { param: "pvsched.boost_policy", value: SERIES_DEFAULTS.boost_policy, source: "v1 patch 3: VCPU_BOOST_DEFAULT_POLICY SCHED_RR" },
  { param: "pvsched.boost_priority", value: SERIES_DEFAULTS.boost_priority, source: "v1 patch 3: VCPU_BOOST_DEFAULT_PRIO 8" },
  {
    param: "pvsched.max_preempt_disabled_us",
    value: SERIES_DEFAULTS.max_preempt_disabled_us,
    source: "v1 patch 5: pvsched_max_preempt_disabled_us = 3000",
  },
  {
    param: "audio: host crosvm-snd RR 10, CRAS FIFO 12",
    value: "50 us per period",
    source: "priorities: crosvm snd AUDIO_THREAD_RTPRIO, cras_config.h; work ASSUMPTION",
  },
  {
    param: "audio: Speedometer load",
    value: "1 CPU-bound renderer + compositor and GPU at 60 Hz, 3 ms/frame",
    source: "ASSUMPTION (no published per-frame profile)",
  },
  {
    param: "sched.features",
    value: "6.5 defaults",
    source:
      "kernel/sched/features.h (6.5): NEXT_BUDDY off, LAST_BUDDY on, TTWU_QUEUE, SIS_UTIL, WA_*, RT_PUSH_IPI on, RT_RUNTIME_SHARE off",
  },
  {
    param: "sched.idle_min_granularity_ns",
    value: SCHED_IDLE_MIN_GRANULARITY_NS,
    source: "kernel/sched/fair.c sysctl_sched_idle_min_granularity (6.5)",
  },
  { param: "sched.migration_cost_ns", value: MIGRATION_COST_NS, source: "kernel/sched/fair.c sysctl_sched_migration_cost (6.5)" },
  {
    param: "sched.mc_domain",
    value: `busy_factor ${BUSY_FACTOR}, imbalance_pct ${IMBALANCE_PCT}, cache_nice_tries ${CACHE_NICE_TRIES}`,
    source: "kernel/sched/topology.c sd_init() for an MC domain (SD_SHARE_PKG_RESOURCES)",
  },
  {
    param: "sched.newidle_balance_ns",
    value: NEWIDLE_BALANCE_NS,
    source: "ESTIMATE: a few us for a 4-CPU MC domain (debugfs max_newidle_lb_cost of small x86 machines)",
  },
  {
    param: "host and guest IPI handlers",
    value: "drawn as the timer interrupt",
    source:
      "ESTIMATE: interrupt entry/exit around an enqueue, as hrtimer_interrupt (COST_DEFAULTS.hrtimer_irq, GUEST_IRQ_DEFAULTS.timer_handler)",
  },
];

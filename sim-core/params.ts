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
  return PRIO_TO_WEIGHT[i];
}

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
  // ESTIMATE: a context switch with cache/TLB refill on a low-end x86 core is a few
  // microseconds (lmbench lat_ctx on Atom-class cores gives 2-5 us).
  context_switch_ns: 2_000,
  // ESTIMATE: scheduler_tick + timer softirq on an idle-ish system, ~1-2 us.
  tick_cost_ns: 1_500,
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

export function resolveSched(
  cfg: SchedConfig | undefined,
  ncpus: number,
  base: Required<SchedConfig> = KERNEL_SCHED_DEFAULTS,
): SchedTunables {
  const c = { ...base, ...(cfg ?? {}) };
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
  // ESTIMATE: a VM exit+entry round trip on VMX is ~1-2 us on recent Intel cores (published
  // kvm-unit-tests vmexit cpuid ~1.1-1.5k cycles at 2-3 GHz, plus KVM's exit handling);
  // a low-end Jasper Lake part (the seed's N4500) is slower, so 1.2 us exit + 0.8 us entry.
  exit_ns: 1_200,
  entry_ns: 800,
  posted_interrupts: false,
  ipi_virtualization: false,
};

/** The series' parameters (reference/seed-results.json, series_parameters). */
export const SERIES_DEFAULTS = {
  boost_policy: "rr" as const, // v1 patches: SCHED_RR
  boost_priority: 8, // v1 patches
  max_preempt_disabled_us: 3000, // pvsched_max_preempt_disabled_us
  global_enabled: true, // kvm_pv_sched
  // ESTIMATE: __sched_setscheduler with the rq lock and a class change, ~1-2 us.
  setscheduler_ns: 1_500,
};

/**
 * ESTIMATE: a host IPI's handler (the reschedule IPI, or a call-function IPI running
 * sched_ttwu_pending(), the nohz balance kick or the RT push work): the interrupt entry and exit
 * plus an enqueue, about as long as the host timer interrupt (1 us, host.ts).
 */
export const HOST_IPI_NS = 1_000;

/**
 * ESTIMATE: a guest IPI's handler (the reschedule IPI, or the call-function IPI that runs
 * sched_ttwu_pending(), the nohz balance kick or the RT push work), as long as the timer handler
 * below: interrupt entry and exit around an enqueue.
 */
export const GUEST_IPI_HANDLER_NS = 2_000;

/** Guest-side defaults (the guest kernel's handlers), ESTIMATES in microseconds. */
export const GUEST_IRQ_DEFAULTS = {
  timer_handler: { const_us: 2 }, // hrtimer_interrupt + one wakeup
  softirq: { const_us: 2 },
  nmi_hz: 0,
  nmi_handler: { const_us: 2 }, // perf NMI handler
  device_irq_hz: 0,
  device_irq_handler: { const_us: 5 },
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
    source: "kernel/sched/fair.c sysctl_sched_latency (6.5)",
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
  { param: "host.kvm.halt_poll_ns", value: KVM_DEFAULTS.halt_poll_ns, source: "virt/kvm/kvm_main.c KVM_HALT_POLL_NS_DEFAULT (x86)" },
  { param: "pvsched.boost_policy", value: SERIES_DEFAULTS.boost_policy, source: "v1 patch 3: VCPU_BOOST_DEFAULT_POLICY SCHED_RR" },
  { param: "pvsched.boost_priority", value: SERIES_DEFAULTS.boost_priority, source: "v1 patch 3: VCPU_BOOST_DEFAULT_PRIO 8" },
  {
    param: "pvsched.max_preempt_disabled_us",
    value: SERIES_DEFAULTS.max_preempt_disabled_us,
    source: "v1 patch 5: pvsched_max_preempt_disabled_us = 3000",
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
    param: "host.ipi_handler_ns",
    value: HOST_IPI_NS,
    source: "ESTIMATE: as the host timer interrupt (interrupt entry/exit plus an enqueue)",
  },
  {
    param: "guest.ipi_handler_ns",
    value: GUEST_IPI_HANDLER_NS,
    source: "ESTIMATE: as the guest timer handler (interrupt entry/exit plus an enqueue)",
  },
];

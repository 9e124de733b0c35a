/**
 * The scenario: what to simulate. This file is the single source of truth for the
 * scenario language: `npm run schema` generates `schema/scenario.schema.json` from
 * these types (ts-json-schema-generator), and the loader validates YAML against it.
 * Numeric ranges are not tagged here: they live in `sim-core/limits.ts` (FIELD_RULES), which
 * the schema generator writes into the schema and checkScenario() enforces.
 *
 * Units are in the field names (`_ns`, `_us`, `_ms`, `_s`), as in the kernel's own
 * tunables (`halt_poll_ns`, `sched_rt_runtime_us`). Every default is documented with
 * its source in the `@default` tag and in `sim-core/params.ts`.
 */

import type { Dist, Workload } from "./scenario-workloads";

export type {
  AudioWorkload,
  BurstyWorkload,
  CyclictestWorkload,
  Dist,
  PeriodicWorkload,
  Policy,
  SpinWorkload,
  StressWorkload,
  ThreadAttrs,
  Workload,
} from "./scenario-workloads";

/** The fair-class implementation: CFS as in 6.5 (the seed's base), or EEVDF (6.6+). */
export type FairScheduler = "cfs" | "eevdf";

/** How CFS scales its latency tunables with the CPU count (`sysctl_sched_tunable_scaling`). */
export type TunableScaling = "none" | "log" | "linear";

/** Scheduler tunables shared by the host and the guest kernels. */
export interface SchedConfig {
  /**
   * Fair class implementation.
   * @default "cfs"
   */
  fair?: FairScheduler;
  /**
   * Tick rate. Debian uses 250; many ChromeOS kernels 1000 (`CONFIG_HZ`).
   * @default 250
   */
  hz?: number;
  /**
   * `sysctl_sched_latency` before scaling (kernel/sched/fair.c: 6 ms).
   * @default 6000000
   */
  sched_latency_ns?: number;
  /**
   * `sysctl_sched_min_granularity` before scaling (0.75 ms).
   * @default 750000
   */
  min_granularity_ns?: number;
  /**
   * `sysctl_sched_wakeup_granularity` before scaling (1 ms).
   * @default 1000000
   */
  wakeup_granularity_ns?: number;
  /**
   * EEVDF `sysctl_sched_base_slice` before scaling (0.75 ms).
   * @default 750000
   */
  base_slice_ns?: number;
  /**
   * `sysctl_sched_tunable_scaling`: log multiplies by 1 + ilog2(min(ncpus, 8)).
   * @default "log"
   */
  tunable_scaling?: TunableScaling;
  /**
   * `sched_rt_period_us` (kernel/sched/rt.c).
   * @default 1000000
   */
  rt_period_us?: number;
  /**
   * `sched_rt_runtime_us`; -1 disables RT throttling.
   * @default 950000
   */
  rt_runtime_us?: number;
  /**
   * SCHED_RR time slice (`sched_rr_timeslice_ms`, RR_TIMESLICE = 100 ms).
   * @default 100
   */
  rr_timeslice_ms?: number;
  /**
   * Default timer slack of SCHED_OTHER tasks (`timer_slack_ns`, 50 us). RT tasks get none.
   * @default 50000
   */
  timer_slack_ns?: number;
  /**
   * Cost of a context switch (`__schedule` + switch_to + cache refill).
   * @default 2000
   */
  context_switch_ns?: number;
  /**
   * Cost of the tick handler (scheduler_tick and timer softirq work).
   * @default 1500
   */
  tick_cost_ns?: number;
  /**
   * Period of the simplified periodic load balancer (pulls a waiting task to an idle CPU).
   * @default 4
   */
  load_balance_ms?: number;
}

/** A cgroup's CPU weight (cgroup v2 `cpu.weight`, 1..10000, default 100 = 1024 shares). */
export interface CgroupConfig {
  /** @pattern ^[A-Za-z0-9_.-]+$ */
  name: string;
  /**
   * `cpu.weight`; 100 is the kernel default.
   * @default 100
   */
  weight?: number;
  /**
   * cgroup v1 `cpu.shares` (2..262144; 1024 = weight 100). Wins over `weight` when both are given.
   * ChromeOS's concierge gives a VM's vCPUs 1024 in the foreground and 64 in the background.
   */
  shares?: number;
}

/** KVM's own parameters (module parameters of kvm.ko and per-exit costs). */
export interface KvmConfig {
  /**
   * Maximum halt-polling window (`halt_poll_ns`, 200000 by default and on this host).
   * @default 200000
   */
  halt_poll_ns?: number;
  /**
   * Growth factor of the polling window (`halt_poll_ns_grow`).
   * @default 2
   */
  halt_poll_ns_grow?: number;
  /**
   * First non-zero window (`halt_poll_ns_grow_start`).
   * @default 10000
   */
  halt_poll_ns_grow_start?: number;
  /**
   * Shrink divisor (`halt_poll_ns_shrink`); 0 resets the window to zero.
   * @default 0
   */
  halt_poll_ns_shrink?: number;
  /**
   * Cost of a VM exit up to the handler (hardware exit plus KVM's exit path).
   * @default 1200
   */
  exit_ns?: number;
  /**
   * Cost of a VM entry (vcpu_enter_guest to guest code).
   * @default 800
   */
  entry_ns?: number;
  /**
   * Posted interrupts (APICv / VT-d PI): interrupts reach a running vCPU without an exit.
   * @default false
   */
  posted_interrupts?: boolean;
  /**
   * IPI virtualization: guest IPIs reach a running vCPU without an exit.
   * @default false
   */
  ipi_virtualization?: boolean;
}

/** Guest interrupt sources beyond the workloads' own timers. */
export interface GuestIrqConfig {
  /**
   * Duration of the timer interrupt handler (hrtimer_interrupt and the wakeup it does).
   * @default {"const_us":2}
   */
  timer_handler?: Dist;
  /**
   * Duration of the softirq that follows an interrupt, when one is raised.
   * @default {"const_us":2}
   */
  softirq?: Dist;
  /**
   * Mean rate of PMU NMIs per vCPU (perf sampling); 0 disables them.
   * @default 0
   */
  nmi_hz?: number;
  /** @default {"const_us":2} */
  nmi_handler?: Dist;
  /**
   * Mean rate of device interrupts per VM (virtio), delivered to vCPU 0; 0 disables them.
   * @default 0
   */
  device_irq_hz?: number;
  /** @default {"const_us":5} */
  device_irq_handler?: Dist;
}

/** The guest kernel. */
export interface GuestConfig {
  /** Guest scheduler tunables (the guest kernel's own). */
  sched?: SchedConfig;
  irq?: GuestIrqConfig;
  /**
   * Guest tick in NOHZ_IDLE style: an idle vCPU stops its tick.
   * @default true
   */
  nohz_idle?: boolean;
}

/** A virtual machine. */
export interface VmConfig {
  /** @pattern ^[A-Za-z0-9_.-]+$ */
  name: string;
  /**
   * Number of vCPUs (one host thread each).
   */
  vcpus: number;
  /** Host cgroup of the vCPU threads (see `host.cgroups`). */
  cgroup?: string;
  /**
   * Nice value of the vCPU threads on the host.
   * @default 0
   */
  vcpu_nice?: number;
  /** Pin vCPU i to host CPU `pin[i]`. */
  pin?: number[];
  guest?: GuestConfig;
  /** Workloads running inside the guest. */
  workloads?: Workload[];
  /**
   * The per-VM switch of patch 6 (KVM_CAP_PV_SCHED / KVM_SET_PV_SCHED_ENABLED).
   * @default true
   */
  pv_sched_enabled?: boolean;
  /**
   * A buggy or rogue guest: it never asks for an unboost.
   * @default false
   */
  never_unboost?: boolean;
}

/** A cpuidle state of the host (as the firmware's _CST or intel_idle's table declare it). */
export interface CpuidleState {
  /** @pattern ^[A-Za-z0-9_.-]+$ */
  name: string;
  exit_latency_us: number;
  target_residency_us: number;
}

/** The host machine. */
export interface HostConfig {
  /**
   * Number of host CPUs.
   */
  cpus: number;
  sched?: SchedConfig;
  kvm?: KvmConfig;
  cgroups?: CgroupConfig[];
  /** Workloads running on the host itself (stress-ng, a host cyclictest, background). */
  workloads?: Workload[];
  /**
   * The host CPUs' idle states (cpuidle), shallowest first. A host cyclictest holds
   * /dev/cpu_dma_latency at 0 (unless its command line has --laptop), which limits every CPU to
   * polling. None by default: an idle CPU wakes at once.
   */
  cpuidle_states?: CpuidleState[];
  /**
   * Multiplies the default costs of the kernel's and KVM's paths (measured on desktop/server
   * Intel cores) for slower hardware: 2 for the seed's Jasper Lake Celeron (docs/calibration.md).
   * Costs a scenario states itself are taken as they are.
   * @default 1
   */
  cost_scale?: number;
  /**
   * `lognormal` (default): every kernel and KVM cost is a draw from its distribution
   * (sim-core/params.ts names the sources). `constant`: every cost is its median, for exact
   * arithmetic in known-answer checks and teaching.
   * @default "lognormal"
   */
  cost_model?: "lognormal" | "constant";
  /**
   * Per-CPU OS noise on the host and in the guests, after osnoise's classes: softirqs after
   * ticks (~30/s per CPU) and a kworker per CPU (~1/s, tens of us). false turns it off.
   * @default true
   */
  noise?: boolean;
  /**
   * Delay between a host hrtimer's expiry and its interrupt handler running: the platform's
   * delivery path (idle-state exit, or the hypervisor below a nested machine). None on bare
   * metal by default; `pvsched-sim fidelity` measures it on the machine at hand.
   */
  timer_delivery?: Dist;
}

/** The mechanisms of the series, one per module in `sim-core/pvsched/`. */
export type MechanismId =
  | "shared_memory"
  | "setscheduler_irq"
  | "lazy_boost"
  | "sync_unboost"
  | "boost_on_inject"
  | "boost_on_block"
  | "preempt_throttle"
  | "switches"
  | "guest_sched_boost"
  | "guest_irq_boost";

/** On/off per mechanism. An absent key means on. */
export type MechanismSwitches = { [K in MechanismId]?: boolean };

/** Parameters of the series (see reference/seed-results.json, series_parameters). */
export interface PvSchedParams {
  /**
   * Policy the host gives a boosted vCPU thread (the v1 patches use SCHED_RR).
   * @default "rr"
   */
  boost_policy?: "fifo" | "rr";
  /**
   * RT priority of a boosted vCPU thread (8 in the v1 patches).
   * @default 8
   */
  boost_priority?: number;
  /**
   * Cap on boost time for guest preempt-disabled sections
   * (`pvsched_max_preempt_disabled_us`, 3000 in the v1 patches); 0 disables the cap.
   * @default 3000
   */
  max_preempt_disabled_us?: number;
  /**
   * The global switch of patch 6 (`kvm_pv_sched`).
   * @default true
   */
  global_enabled?: boolean;
  /**
   * Cost of applying a policy change (sched_setscheduler path, on the host).
   * @default 1500
   */
  setscheduler_ns?: number;
}

/** What to compare. */
export type ModeName = "vanilla" | "dynamic" | "static";

export interface ModeSpec {
  /** Label used in results (defaults to `mode`). */
  name?: string;
  mode: ModeName;
  /** For dynamic: turn mechanisms off (the per-hunk ablation). */
  mechanisms?: MechanismSwitches;
  /**
   * For static: the policy `chrt` gives the vCPU threads (chrt's default is SCHED_RR).
   * @default "rr"
   */
  static_policy?: "fifo" | "rr";
  /**
   * For static: the RT priority given by chrt.
   * @default 8
   */
  static_priority?: number;
}

/** Per-CPU run timeline sampling. */
export interface TimelineConfig {
  /**
   * Record a timeline.
   * @default false
   */
  enabled?: boolean;
  /**
   * Only record this window (simulated ms from start); whole run if omitted.
   */
  from_ms?: number;
  to_ms?: number;
  /**
   * A budget: at most this many segments per track. A run over it keeps windows around the
   * worst samples of each probe and the recent past, marks the rest of each track "not kept"
   * and lists what it kept. Omitted: every segment is kept.
   */
  max_segments?: number;
}

/** A scenario file. */
export interface Scenario {
  /** Shown in results. */
  name: string;
  description?: string;
  /**
   * Seed of the run's PRNG. Same scenario + seed = byte-identical results.
   * @default 1
   */
  seed?: number;
  /**
   * Simulated time.
   * @default 10
   */
  duration_s?: number;
  /**
   * Samples in the first `warmup_ms` are dropped.
   * @default 100
   */
  warmup_ms?: number;
  host: HostConfig;
  vms?: VmConfig[];
  pvsched?: PvSchedParams;
  /**
   * Modes to run; the default compares all three.
   * @default ["vanilla","dynamic","static"]
   */
  modes?: (ModeName | ModeSpec)[];
  timeline?: TimelineConfig;
  /** Optional safety budget: stop after this many events. */
  max_events?: number;
}

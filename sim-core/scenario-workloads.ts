/**
 * The workloads of the scenario language: the programs a scenario runs on the host or in a guest,
 * with their thread attributes and the duration distributions they draw from. Part of the
 * language that sim-core/scenario.ts defines (and re-exports), kept apart to keep both short.
 */

/** A scheduling policy, as `chrt` and `sched_setscheduler(2)` name them. */
export type Policy = "other" | "batch" | "idle" | "fifo" | "rr";

/** A duration distribution, in microseconds. */
export type Dist =
  | { const_us: number }
  | { uniform_us: [number, number] }
  /** Exponential with this mean. */
  | { exp_mean_us: number }
  /** Log-normal with this median and geometric standard deviation (>= 1), optionally capped. */
  | { lognormal_median_us: number; lognormal_gsd: number; max_us?: number };

/** A workload. Each kind is one program the simulator runs, as a thread or set of threads. */
export type Workload = CyclictestWorkload | StressWorkload | AudioWorkload | PeriodicWorkload | BurstyWorkload | SpinWorkload;

/** Common thread attributes. */
export interface ThreadAttrs {
  /**
   * Name of the probe in results (latency-measuring workloads). Defaults to `<side>/<kind>#<n>`.
   * @pattern ^[A-Za-z0-9_./#-]+$
   */
  id?: string;
  /**
   * Scheduling policy.
   * @default "other"
   */
  policy?: Policy;
  /**
   * RT priority (1..99) for fifo/rr.
   * @default 0
   */
  priority?: number;
  /**
   * Nice value for other/batch.
   * @default 0
   */
  nice?: number;
  /** Host cgroup name (host workloads only); see `host.cgroups`. */
  cgroup?: string;
  /** Pin to this CPU (host) or vCPU (guest). Unpinned threads are placed and balanced. */
  cpu?: number;
  /**
   * Guest only: the threads are kernel threads (kworkers), which never return to user mode, so
   * the series' synchronous unboost on return to user mode never runs for them.
   * @default false
   */
  kthread?: boolean;
}

/**
 * cyclictest (rt-tests). The seed runs `cyclictest -q -D 90s -i 500 -d $INTERVAL`: with no
 * `-p` and no `-t` that is one SCHED_OTHER thread; `-d` only spaces several threads.
 */
export interface CyclictestWorkload extends ThreadAttrs {
  kind: "cyclictest";
  /** Optional: the command line to parse (`-i`, `-d`, `-t`, `-p`, `--policy`). Explicit fields win. */
  cmdline?: string;
  /**
   * Number of measuring threads (`-t`).
   * @default 1
   */
  threads?: number;
  /**
   * Base interval of thread 0 in microseconds (`-i`).
   * @default 1000
   */
  interval_us?: number;
  /**
   * Added to the interval of each further thread (`-d`).
   * @default 500
   */
  distance_us?: number;
  /**
   * CPU work per wakeup (clock_gettime, bookkeeping, clock_nanosleep entry). The default's
   * median is multiplied by host.cost_scale.
   * @default {"lognormal_median_us":1.5,"lognormal_gsd":1.35}
   */
  work?: Dist;
}

/** stress-ng CPU hogs (`stress-ng --cpu N`): threads that never sleep. */
export interface StressWorkload extends ThreadAttrs {
  kind: "stress";
  /**
   * Number of hog threads (`--cpu N`).
   */
  workers: number;
}

/**
 * An audio callback thread (the OboeTester analogue). The device interrupts once per buffer
 * (`buffer_frames / sample_rate_hz`); the thread must finish its callback before the next one.
 * A callback that finishes after its deadline is a glitch.
 */
export interface AudioWorkload extends ThreadAttrs {
  kind: "audio";
  /**
   * Frames per buffer (96, 256, 512 in the cover letter).
   */
  buffer_frames: number;
  /**
   * Sample rate.
   * @default 48000
   */
  sample_rate_hz?: number;
  /**
   * CPU work per callback.
   * @default {"const_us":400}
   */
  work?: Dist;
}

/** A generic periodic task. */
export interface PeriodicWorkload extends ThreadAttrs {
  kind: "periodic";
  /**
   * Host only: a vCPU-like plain host thread that follows the series' protocol itself (what the
   * fidelity check runs on real Linux). Static mode chrt's it like a vCPU thread; dynamic mode
   * boosts it at its timer expiry (boost_on_inject) or when it starts its work (lazy_boost),
   * unboosts it when the work is done (sync_unboost), and caps a boost at
   * `max_preempt_disabled_us` (preempt_throttle).
   * @default false
   */
  pv_thread?: boolean;
  period_us: number;
  work: Dist;
  /**
   * Number of threads.
   * @default 1
   */
  threads?: number;
}

/** A bursty task: sleeps for `gap`, then runs for `work`. Background activity of a system. */
export interface BurstyWorkload extends ThreadAttrs {
  kind: "bursty";
  gap: Dist;
  work: Dist;
  /**
   * Number of threads.
   * @default 1
   */
  threads?: number;
  /**
   * Guest only: run the burst with preemption disabled (a long critical section).
   * @default false
   */
  preempt_disabled?: boolean;
}

/**
 * A spinning thread. In a guest with `preempt_disabled`, it is the reviewers' rogue or buggy
 * guest: it requests a boost and never gives it back.
 */
export interface SpinWorkload extends ThreadAttrs {
  kind: "spin";
  /**
   * Spin inside a preempt-disabled section (guest only).
   * @default false
   */
  preempt_disabled?: boolean;
}

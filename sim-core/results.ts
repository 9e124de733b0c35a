import type { MechanismId } from "./scenario";

/**
 * What a run returns. Everything here is plain JSON (no Maps, no classes) so that it crosses
 * a worker or webview boundary with postMessage and serialises byte-identically.
 */

/** A latency distribution in microseconds. */
export interface LatencyStats {
  count: number;
  min_us: number;
  avg_us: number;
  max_us: number;
  p50_us: number;
  p90_us: number;
  p99_us: number;
  p999_us: number;
  /** Log-scale histogram: `counts[i]` samples fell in [edges_us[i], edges_us[i+1]). */
  histogram: { edges_us: number[]; counts: number[] };
}

/** One latency probe: a cyclictest thread group or an audio thread, host or guest side. */
export interface ProbeResult {
  /** e.g. "host/cyclictest#0", "vm0/cyclictest#0". */
  id: string;
  side: "host" | "guest";
  vm?: string;
  kind: "cyclictest" | "audio" | "periodic";
  latency: LatencyStats;
  /** Simulated time at which the worst latency was observed. */
  max_at_ns?: number;
  /** Audio only: callbacks run and callbacks that missed their deadline. */
  callbacks?: number;
  glitches?: number;
  /** Where the latency went (sim-core/why.ts): every sample's parts summed, and the worst sample's causal chain. */
  why?: ProbeWhy;
}

/**
 * The named parts of a wake-up latency, from the timer's expiry to the thread's first
 * instruction (LATENCY_PARTS in sim-core/why-parts.ts says what each one is).
 */
export type LatencyPart = "timer" | "host_irq" | "host_wait" | "exit_entry" | "guest_irq" | "guest_wait" | "context_switch";

/** One link of a causal chain: from `t_ns` on, the latency was spent in `part`. */
export interface WhyStep {
  t_ns: number;
  part: LatencyPart | "ran";
  text: string;
}

/** One latency sample explained: its parts sum to `latency_ns`. */
export interface SampleWhy {
  /** When the timer expired (the sample's zero) and when the thread ran. */
  wake_ns: number;
  run_ns: number;
  latency_ns: number;
  parts_ns: Record<LatencyPart, number>;
  chain: WhyStep[];
}

export interface ProbeWhy {
  /** The parts of every sample the probe kept, summed (ns). */
  parts_ns: Record<LatencyPart, number>;
  /** Samples whose parts were measured; `unexplained` ones had no traced expiry (they are in no part). */
  samples: number;
  unexplained: number;
  /**
   * Of the unexplained, the samples the tracer did not follow because more than
   * MAX_LATE_SAMPLES (why.ts) were late at once; absent when none. The parts and the worst
   * sample's chain then cover the followed samples only.
   */
  not_followed?: number;
  /** The worst sample (the one at `max_at_ns`). */
  worst?: SampleWhy;
  /**
   * Only in runs that record a timeline: per bin of the histogram's tail (the bin holding p90 and
   * every bin above, metrics.ts tailFromBin), the worst sample of that bin, worst bin first.
   */
  tail?: TailSampleWhy[];
}

/** The worst sample of one histogram bin: `bin` indexes `latency.histogram.counts`. */
export interface TailSampleWhy extends SampleWhy {
  bin: number;
}

export type ExitReason = "hlt" | "timer" | "external_interrupt" | "ipi" | "msr_unboost" | "msr_other" | "preemption";

export interface VcpuStats {
  vm: string;
  vcpu: number;
  /** Times the vCPU thread went to RT because of the series. */
  boosts: number;
  /**
   * Boosts by what applied them: the injection kick (patch 4), kvm_vcpu_block (patch 4), the
   * exit-time re-evaluation (patch 3).
   */
  boosts_by: { inject: number; block: number; exit: number };
  unboosts: number;
  boosted_ns: number;
  /** The longest single boost. */
  max_boost_ns: number;
  /** Exits at which the preempt-disabled cap (patch 5) refused a boost. */
  throttles: number;
  exits: Record<ExitReason, number>;
  /** Time runnable on the host but not running (what steal time reports to the guest). */
  steal_ns: number;
  /** Host CPU time used by the thread (guest code, exits, polling). */
  host_runtime_ns: number;
  halt_poll_success: number;
  halt_poll_fail: number;
  halt_poll_ns: number;
}

/** Every thread's CPU time and wait, host and guest. */
export interface ThreadStats {
  name: string;
  side: "host" | "guest";
  policy: string;
  /** CPU time (for a guest thread: time its vCPU executed it). */
  runtime_ns: number;
  /** Time runnable but not running (run_delay). */
  wait_ns: number;
}

export interface CpuStats {
  cpu: number;
  busy_ns: number;
  rt_ns: number;
  fair_ns: number;
  idle_ns: number;
  context_switches: number;
  rt_throttled: number;
}

/**
 * The two-level run timeline (sim-core/timeline.ts records it; docs/timeline.md describes it).
 * Columnar typed arrays, so that a 90 s run (about a million segments) crosses postMessage as a
 * few buffers; everything else is plain JSON. Times are integer ns of simulated time.
 */
export interface TimelineTrack {
  /** "cpu": what a host CPU runs. "vcpu": the guest task on a vCPU and the vCPU thread's host state. */
  kind: "cpu" | "vcpu";
  /** "CPU 0", "vm0/vcpu1". */
  name: string;
  /** kind "cpu": the host CPU. */
  cpu?: number;
  vm?: string;
  /** kind "vcpu": the vCPU's index in its VM, and the entity of its host thread. */
  vcpu?: number;
  thread?: number;
  /** The fair class of this CPU's kernel (host, or the VM's guest): SCHED_OTHER is shown as CFS or EEVDF. */
  fair: "cfs" | "eevdf";
}

/** A thread seen on the timeline (segments and anchors refer to it by index). Index 0 is idle. */
export interface TimelineEntity {
  name: string;
  side: "host" | "guest" | "idle";
  vm?: string;
  /** A vCPU thread: its track index. */
  vcpu_track?: number;
}

/**
 * Segments, track by track: track t owns [offset[t], offset[t+1]). A track tiles its time: a
 * segment ends where the next one starts, the last one at `Timeline.to_ns`.
 */
export interface TimelineSegments {
  offset: Uint32Array;
  start_ns: Float64Array;
  /** What runs: an index into `entities` (on a vCPU track, the guest task). */
  entity: Uint16Array;
  /** POLICY_* of timeline.ts (0 for idle). */
  policy: Uint8Array;
  /** RT priority (1..99) for FIFO/RR, nice + 20 for the fair policies. */
  prio: Uint8Array;
  /** SEG_* flags of timeline.ts: boosted, not kept, vCPU waiting or halted. */
  flags: Uint8Array;
  /** vCPU tracks: the host CPU running the vCPU thread, or -1. Host tracks: -1. */
  cpu: Int16Array;
}

/** Instant events, track by track (MARK_* kinds of timeline.ts). */
export interface TimelineMarkers {
  offset: Uint32Array;
  t_ns: Float64Array;
  kind: Uint8Array;
  /** Kind-specific: the exit reason, the interrupt source, the boost source, the request. */
  arg: Uint8Array;
  /** The host CPU where it happened, or -1. */
  cpu: Int16Array;
}

/** Every recorded latency sample: the probe (index into RunResult.probes), the thread, when its timer expired and when it ran. */
export interface TimelineAnchors {
  probe: Uint16Array;
  entity: Uint16Array;
  wake_ns: Float64Array;
  run_ns: Float64Array;
}

/**
 * The level-of-detail pyramid: level 0 cuts the timeline into buckets of `bucket_ns`, each
 * level above into buckets `factor` times wider. Per bucket and track: the share (0..255) of
 * each LOD_* category, the entity that ran longest and how many segments it summarises.
 */
export interface TimelineLodLevel {
  bucket_ns: number;
  /** Buckets per track (the same for every track). */
  buckets: number;
  share: Uint8Array;
  entity: Uint16Array;
  count: Uint32Array;
}

export interface TimelineLod {
  factor: number;
  categories: number;
  levels: TimelineLodLevel[];
}

/** A window kept around one of a probe's worst samples when a budget cut the timeline. */
export interface TimelineWindow {
  probe: string;
  /** 1 = the probe's worst sample. */
  rank: number;
  wake_ns: number;
  latency_ns: number;
  from_ns: number;
  to_ns: number;
  /** Every track holds the whole window (false: the budget could not keep it). */
  complete: boolean;
}

export interface Timeline {
  from_ns: number;
  to_ns: number;
  tracks: TimelineTrack[];
  entities: TimelineEntity[];
  segments: TimelineSegments;
  markers: TimelineMarkers;
  anchors: TimelineAnchors;
  lod: TimelineLod;
  /**
   * What the recorder kept. Without a budget, everything: `kept` is [[from_ns, to_ns]] and
   * nothing is cut. Under a budget, the time ranges kept on every track (segments overlapping
   * them are kept whole; the rest of each track is one "not kept" segment per gap), the windows
   * around the worst samples, and what was left out, counted.
   */
  budget: {
    max_segments_per_track: number | null;
    kept: [number, number][];
    windows: TimelineWindow[];
    cut_segments: number;
    cut_markers: number;
    cut_anchors: number;
  };
  /** Adjacent segments of one thread with the same policy and boost state, joined into one (nothing lost). */
  joined: number;
  /** Present when the timeline was downsampled to fit a reader's byte budget (the results panel). */
  downsampled?: TimelineDownsampled;
}

/**
 * What downsampling (sim-core/timeline-downsample.ts) kept: full resolution only in `windows`,
 * elsewhere "not kept" segments that the coarser level-of-detail summary covers.
 */
export interface TimelineDownsampled {
  /** Counts before and after. */
  segments_before: number;
  segments_after: number;
  markers_before: number;
  markers_after: number;
  anchors_before: number;
  anchors_after: number;
  /** The finest summary levels left out, of `lod_levels_before`; the finest kept level's bucket width. */
  lod_levels_dropped: number;
  lod_levels_before: number;
  bucket_ns: number;
  /** Full resolution: a window around each probe's worst sample (rank 1), then each tail bin's (rank 2 on). */
  windows: TimelineWindow[];
  /** Worst-sample windows that did not fit the budget (the least bad ones go first). */
  windows_left_out: number;
}

/**
 * Why a run ended: it reached its duration, its event budget, the caller cancelled it, or
 * simulated time stood still (`no_progress`: more than LIMITS.events_per_instant events at one
 * nanosecond, a loop in the model that would never end by itself). `running` is never returned by
 * simulate(): it marks an InterimResult shown as a result while its run goes on.
 */
export type StopReason = "done" | "event_budget" | "cancelled" | "no_progress" | "running";

export interface RunResult {
  scenario: string;
  mode: string;
  seed: number;
  simulated_ns: number;
  /** Requested duration; less than it means the run stopped early (see `stop`). */
  duration_ns: number;
  stop: StopReason;
  events: number;
  probes: ProbeResult[];
  vcpus: VcpuStats[];
  cpus: CpuStats[];
  threads: ThreadStats[];
  /**
   * Dynamic mode: how often each mechanism of the series acted (boosts it applied, requests it
   * wrote, vetoes it made). 0 means the scenario never exercised it.
   */
  mechanisms?: Record<MechanismId, number>;
  timeline?: Timeline;
}

/**
 * What a run has measured so far, taken at a checkpoint of simulated time while it goes on
 * (SimOptions.checkpointsNs): every event up to `simulated_ns` has run and none after it. The
 * probes are what a run of that duration would report, without the latency parts (`why`), which
 * are only complete at the end. Taking it reads the model and changes nothing.
 */
export interface InterimResult {
  simulated_ns: number;
  duration_ns: number;
  events: number;
  probes: ProbeResult[];
  /** As RunResult.mechanisms, so far. */
  mechanisms?: Record<MechanismId, number>;
}

/** Progress reported during a run. */
export interface Progress {
  simulated_ns: number;
  duration_ns: number;
  events: number;
}

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

/** A run segment on one host CPU. */
export interface TimelineSegment {
  start_ns: number;
  end_ns: number;
  /** Thread label, e.g. "vm0/vcpu1", "stress#2", "cyclictest#0", or "idle". */
  thread: string;
  cls: "rt" | "fair" | "idle";
  /** The vCPU thread was RT because of a boost. */
  boosted?: boolean;
}

export interface Timeline {
  from_ns: number;
  to_ns: number;
  cpus: TimelineSegment[][];
  /** Segments merged to stay within the memory budget. */
  merged: number;
}

export type StopReason = "done" | "event_budget" | "cancelled";

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

/** Progress reported during a run. */
export interface Progress {
  simulated_ns: number;
  duration_ns: number;
  events: number;
}

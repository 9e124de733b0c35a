/**
 * What a workload needs from the kernel it runs on: the host's or a guest's. Workloads are
 * written once against this and run on either side.
 */
import type { Engine } from "../engine";
import type { Rng } from "../rng";
import type { Task } from "../sched/task";
import type { Probe } from "../metrics";
import type { PvThreadHooks } from "../pvsched/host_thread";

export interface Kernel {
  readonly side: "host" | "guest";
  /** VM name for a guest kernel. */
  readonly vm?: string;
  readonly eng: Engine;
  /** The random stream of source `name` (unique per source; see Streams). */
  stream(name: string): Rng;
  /** Registers a new thread on a CPU (its `cpu`, else the kernel's placement). */
  spawn(t: Task, cpu: number | undefined, cgroup: string | undefined): void;
  wake(t: Task): void;
  /** clock_nanosleep(TIMER_ABSTIME) of the running task, with the kernel's timer slack. */
  sleepUntil(t: Task, soft: number, onWake: () => void): void;
  /** Arms a timer for a task that is not running yet (a thread's first sleep). */
  firstSleep(t: Task, soft: number, onWake: () => void): void;
  /** Blocks the running task with no timer. */
  block(t: Task): void;
  /** A device interrupt for the CPU of `t` whose handler runs `fn` (audio period interrupts). */
  deviceIrq(t: Task, handlerNs: number, fn: () => void): void;
  probe(id: string, kind: "cyclictest" | "audio" | "periodic"): Probe;
  /**
   * The workload holds /dev/cpu_dma_latency at `us` (PM QoS). Only the host has cpuidle states:
   * a 6.5 KVM guest has no cpuidle driver (intel_idle has no VM mode in 6.5, cpuidle-haltpoll
   * loads only with KVM_HINTS_REALTIME), so its idle loop executes HLT whatever the limit.
   */
  holdCpuDmaLatency(us: number): void;
  /**
   * Host only: what a vCPU-like thread (`pv_thread`) does in this run's mode: the series'
   * protocol in dynamic mode, a fixed RT policy in static mode, nothing in vanilla.
   */
  pvThread?: (PvThreadHooks & { staticPolicy?: { policy: "fifo" | "rr"; priority: number } }) | null;
}

/**
 * The one message protocol between a simulation pool and its workers (a Node `worker_threads`
 * Worker for the CLI and the desktop extension, a Web Worker in VS Code for the Web, or the
 * caller's own thread as a last resort). Plain structured-clone data only, so every transport
 * carries it. Every message names its batch (the request id) and the task's index in it, so a
 * reply that arrives after its batch was cancelled or replaced is recognised and dropped.
 */
import type { ModeSpec, Progress, RunResult, Scenario } from "../sim-core/index";

/** One simulation: a scenario under one mode. */
export interface SimTask {
  scenario: Scenario;
  mode: ModeSpec;
  /** Record the per-CPU timeline (overrides scenario.timeline.enabled when set). */
  timeline?: boolean;
}

/** What stops a run from inside the worker, whatever the scenario asks for. */
export interface RunLimits {
  /** Wall-clock milliseconds one run may take; the run ends with an error past it. */
  wallMs: number;
  /** Events one run may process; the run stops with stop = "event_budget" there (sim-core's max_events). */
  maxEvents: number;
}

export type ToWorker = {
  type: "run";
  /** Request id of the batch the task belongs to. */
  batch: number;
  index: number;
  task: SimTask;
  limits: RunLimits;
  /** Wall-clock milliseconds between progress messages. */
  progressMs: number;
  /**
   * Shared memory for cancellation, where the platform has SharedArrayBuffer (see cancel-flag.ts):
   * the pool raises the flag and the run ends at sim-core's next poll with stop = "cancelled", so
   * the worker stays warm for the next task instead of being terminated.
   */
  cancelFlag?: SharedArrayBuffer;
};

/** Why a run failed: a limit of the runner stopped it, or the simulation itself threw. */
export type FailureKind = "wall-limit" | "heap-limit" | "error";

export type FromWorker =
  | { type: "progress"; batch: number; index: number; progress: Progress }
  | { type: "result"; batch: number; index: number; result: RunResult }
  | { type: "error"; batch: number; index: number; kind: FailureKind; message: string };

/**
 * The one message protocol between a simulation pool and its workers (a Node `worker_threads`
 * Worker for the CLI and the desktop extension, a Web Worker in VS Code for the Web, or the
 * caller's own thread as a last resort). Plain structured-clone data only, so every transport
 * carries it. Every message names its batch (the request id) and the task's index in it, so a
 * reply that arrives after its batch was cancelled or replaced is recognised and dropped.
 */
import type { HunkMapFile } from "../patch/mapper";
import type { PatchLensData } from "../patch/lens";
import type { InterimResult, ModeSpec, Progress, RunResult, Scenario } from "../sim-core/index";

/** One simulation: a scenario under one mode. */
export interface SimTask {
  scenario: Scenario;
  mode: ModeSpec;
  /** Record the per-CPU timeline (overrides scenario.timeline.enabled when set). */
  timeline?: boolean;
  /** Explain each latency sample (sim-core SimOptions.why); false for a batch that reports only metrics. */
  why?: boolean;
}

/** What stops a run from inside the worker, whatever the scenario asks for. */
export interface RunLimits {
  /** Wall-clock milliseconds one run may take; the run ends with an error past it. */
  wallMs: number;
  /** Events one run may process; the run stops with stop = "event_budget" there (sim-core's max_events). */
  maxEvents: number;
}

export type ToWorker = RunMessage | PatchJobMessage;

export type RunMessage = {
  type: "run";
  /** Request id of the batch the task belongs to. */
  batch: number;
  index: number;
  task: SimTask;
  limits: RunLimits;
  /** Wall-clock milliseconds between progress messages. */
  progressMs: number;
  /** Simulated times (ns) at which the worker posts what the run measured so far (runner/interim.ts). */
  checkpointsNs?: number[];
  /**
   * Shared memory for cancellation, where the platform has SharedArrayBuffer (see cancel-flag.ts):
   * the pool raises the flag and the run ends at sim-core's next poll with stop = "cancelled", so
   * the worker stays warm for the next task instead of being terminated.
   */
  cancelFlag?: SharedArrayBuffer;
};

/** Why a run failed: a limit of the runner stopped it, or the simulation itself threw. */
export type FailureKind = "wall-limit" | "heap-limit" | "error";

export type FromWorker = FromRun | FromPatchJob;

export type FromRun =
  | { type: "progress"; batch: number; index: number; progress: Progress }
  | { type: "interim"; batch: number; index: number; interim: InterimResult }
  | { type: "result"; batch: number; index: number; result: RunResult }
  | { type: "error"; batch: number; index: number; kind: FailureKind; message: string };

/**
 * A patch document to parse and map for the hunk lenses and the hover (runner/patch-jobs.ts),
 * off the extension host's thread. `job` is the request id of the job queue.
 */
export type PatchJobMessage = {
  type: "map-patch";
  job: number;
  text: string;
  /** The workspace's hunk map, or null for the built-in catalogue. */
  map: HunkMapFile | null;
  /** Wall-clock milliseconds the parse may take in the worker before it gives up. */
  deadlineMs: number;
  /** As RunMessage.cancelFlag: raised, the parse stops at its next poll. */
  cancelFlag?: SharedArrayBuffer;
};

/** Why a patch job ended without data: its deadline, a cancel, or an error. */
export type PatchJobFailure = "deadline" | "cancelled" | "error";

export type FromPatchJob =
  | { type: "mapped"; job: number; data: PatchLensData }
  | { type: "map-failed"; job: number; kind: PatchJobFailure; message: string };

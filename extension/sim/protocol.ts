/**
 * Messages between the extension host and a simulation worker (a Node `worker_threads` Worker on
 * desktop, a Web Worker in VS Code for the Web). Plain JSON only, so both transports carry them.
 */
import type { ModeSpec, Scenario } from "../../sim-core/scenario";
import type { Progress, RunResult } from "../../sim-core/results";

/** One simulation: a scenario under one mode. */
export interface SimTask {
  scenario: Scenario;
  mode: ModeSpec;
  /** Record the per-CPU timeline (overrides scenario.timeline.enabled when set). */
  timeline?: boolean;
}

export type ToWorker = {
  type: "run";
  index: number;
  task: SimTask;
  progressEvery?: number;
  /**
   * Shared memory for cancellation, where the platform has SharedArrayBuffer (see cancel-flag.ts):
   * the host raises the flag; sim-core polls it with its progress callback, so the run ends with
   * stop = "cancelled" within `progressEvery` events, and the worker stamps the wall-clock time it
   * stopped computing, which is how the host measures the cancellation latency.
   */
  cancelFlag?: SharedArrayBuffer;
};

export type FromWorker =
  | { type: "progress"; index: number; progress: Progress }
  | { type: "result"; index: number; result: RunResult }
  | { type: "error"; index: number; message: string };

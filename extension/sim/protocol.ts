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
   * A one-slot Int32Array over a SharedArrayBuffer (where the platform has one): the host stores
   * 1 to ask the run to stop. sim-core polls it with its progress callback, so the run ends with
   * stop = "cancelled" within `progressEvery` events, before the host terminates the worker.
   */
  cancelFlag?: Int32Array;
};

export type FromWorker =
  | { type: "progress"; index: number; progress: Progress }
  | { type: "result"; index: number; result: RunResult }
  | { type: "error"; index: number; message: string };

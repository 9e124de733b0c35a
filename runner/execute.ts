/**
 * Running one task: the body of every simulation worker (Node and Web), and of the in-process
 * path that `bench` measures. The limits are applied here, inside the thread that simulates, so
 * that a run over its wall-clock time stops itself; the pool's watchdog and the Node heap limit
 * (transport options) catch what cannot stop itself.
 */
import { simulate, type InterimResult, type Progress, type RunResult, type Scenario } from "../sim-core/index";
import { poller } from "./cancel-flag";
import { runPatchJob } from "./patch-job";
import type { FailureKind, FromWorker, RunLimits, SimTask, ToWorker } from "./protocol";

/**
 * Events between sim-core's polls of the progress and cancel callbacks: about a millisecond of
 * simulation at a few million events per second, so a 100 ms progress period, the wall-clock
 * limit and a cancel flag are all seen within a few ms. sim-core runs in chunks of this many
 * events; the chunking does not change results.
 */
export const POLL_EVENTS = 5_000;

/** A run that a limit of the runner stopped (not a bug in the scenario or the simulator). */
export class LimitError extends Error {
  constructor(
    readonly kind: Exclude<FailureKind, "error">,
    message: string,
  ) {
    super(message);
    this.name = "LimitError";
  }
}

const wallNow = () => performance.now();

/** The scenario a task runs: the task's timeline switch wins over the scenario's. */
export function taskScenario(task: SimTask): Scenario {
  if (task.timeline === undefined) return task.scenario;
  return { ...task.scenario, timeline: { ...task.scenario.timeline, enabled: task.timeline } };
}

export interface ExecuteOptions {
  limits: RunLimits;
  /** Wall-clock milliseconds between progress callbacks. */
  progressMs?: number;
  onProgress?: (p: Progress) => void;
  /** Polled every POLL_EVENTS events; true stops the run with stop = "cancelled". */
  isCancelled?: () => boolean;
  /** Simulated times (ns) at which `onInterim` hears what the run measured so far. */
  checkpointsNs?: readonly number[];
  onInterim?: (r: InterimResult) => void;
}

/** Runs one task under the limits. Throws LimitError when the wall-clock limit stopped it. */
export function executeTask(task: SimTask, opts: ExecuteOptions): RunResult {
  const scenario = taskScenario(task);
  const t0 = wallNow();
  const deadline = t0 + opts.limits.wallMs;
  const every = opts.progressMs ?? 100;
  let lastProgress = t0;
  let overWall = false;
  const result = simulate(scenario, task.mode, {
    progressEvery: POLL_EVENTS,
    checkpointsNs: opts.checkpointsNs,
    onCheckpoint: opts.onInterim,
    why: task.why,
    maxEvents: Math.min(opts.limits.maxEvents, scenario.max_events ?? Number.POSITIVE_INFINITY),
    onProgress: opts.onProgress
      ? (p) => {
          const t = wallNow();
          if (t - lastProgress < every) return;
          lastProgress = t;
          opts.onProgress!(p);
        }
      : undefined,
    isCancelled: () => {
      if (wallNow() >= deadline) {
        overWall = true;
        return true;
      }
      return opts.isCancelled?.() ?? false;
    },
  });
  if (overWall)
    throw new LimitError(
      "wall-limit",
      `stopped by the wall-clock limit of ${opts.limits.wallMs / 1000} s per run after ${(result.simulated_ns / 1e9).toFixed(3)} of ` +
        `${(result.duration_ns / 1e9).toFixed(3)} simulated s (${result.events} events)`,
    );
  return result;
}

/** A worker's answer to one message (shared by the Node and the Web Worker entries): a run or a patch job. */
export function handleMessage(msg: ToWorker, post: (m: FromWorker) => void): void {
  if (msg?.type === "map-patch") {
    runPatchJob(msg, post);
    return;
  }
  if (msg?.type !== "run") return;
  const { batch, index } = msg;
  try {
    const result = executeTask(msg.task, {
      limits: msg.limits,
      progressMs: msg.progressMs,
      isCancelled: msg.cancelFlag ? poller(msg.cancelFlag) : undefined,
      onProgress: (progress) => post({ type: "progress", batch, index, progress }),
      checkpointsNs: msg.checkpointsNs,
      onInterim: (interim) => post({ type: "interim", batch, index, interim }),
    });
    post({ type: "result", batch, index, result });
  } catch (e) {
    const kind: FailureKind = e instanceof LimitError ? e.kind : "error";
    post({ type: "error", batch, index, kind, message: e instanceof Error ? e.message : String(e) });
  }
}

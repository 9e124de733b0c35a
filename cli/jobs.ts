/**
 * Runs independent (scenario, mode) pairs, in worker threads when there are several.
 * Results come back in job order whatever the scheduling, and each run is deterministic, so the
 * output is byte-identical to a single-threaded run.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { simulate, type ModeSpec, type RunResult, type Scenario, type SimOptions } from "../sim-core/index";

export interface Job {
  /** Stable label for messages ("cyclictest-busy-500.pvsched.yaml|dynamic"). */
  key: string;
  scenario: Scenario;
  mode: ModeSpec;
  maxEvents?: number;
}

export interface JobMessage {
  index: number;
  job: Job;
  /** Ask the worker for progress messages (only when someone displays them). */
  progress?: boolean;
}

export type JobReply =
  | { index: number; ok: true; result: RunResult }
  | { index: number; ok: false; error: string }
  /** Fraction of the job's simulated time done so far. */
  | { index: number; progress: number };

/** Events between progress callbacks: a few per second of wall time at a few M events/s. */
const PROGRESS_EVERY = 500_000;

export function runJobInProcess(job: Job, onFraction?: (f: number) => void): RunResult {
  const opts: SimOptions = {};
  if (job.maxEvents !== undefined) opts.maxEvents = job.maxEvents;
  if (onFraction) {
    opts.progressEvery = PROGRESS_EVERY;
    opts.onProgress = (p) => onFraction(p.duration_ns > 0 ? p.simulated_ns / p.duration_ns : 0);
  }
  return simulate(job.scenario, job.mode, opts);
}

/** Worker threads to use by default: two on this 2-core machine, never more than the cores. */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

function workerSpec(): { file: string; execArgv?: string[] } {
  // Bundled: dist/cli.cjs sits next to dist/cli-worker.cjs. Unbundled (tsx): cli/worker.ts.
  if (__filename.endsWith(".ts")) return { file: join(__dirname, "worker.ts"), execArgv: ["--import", "tsx"] };
  return { file: join(__dirname, "cli-worker.cjs") };
}

export interface RunJobsOptions {
  workers?: number;
  /** `done` counts finished jobs plus the fractions of running ones, so it may be fractional. */
  onProgress?: (done: number, total: number) => void;
}

export async function runJobs(jobs: readonly Job[], opts: RunJobsOptions = {}): Promise<RunResult[]> {
  const n = Math.min(opts.workers ?? defaultWorkers(), jobs.length);
  const results: RunResult[] = new Array(jobs.length);
  let done = 0;
  const running = new Map<number, number>();
  const report = () => {
    let partial = 0;
    for (const f of running.values()) partial += f;
    opts.onProgress?.(done + partial, jobs.length);
  };
  const onFraction = opts.onProgress ? (i: number) => (f: number) => (running.set(i, Math.min(1, f)), report()) : undefined;
  if (n <= 1) {
    jobs.forEach((job, i) => {
      results[i] = runJobInProcess(job, onFraction?.(i));
      running.delete(i);
      done++;
      report();
    });
    return results;
  }
  const spec = workerSpec();
  let next = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const feed = (w: Worker) => {
        if (failed) return;
        if (next >= jobs.length) {
          if (done === jobs.length) resolve();
          return;
        }
        const index = next++;
        w.postMessage({ index, job: jobs[index], progress: opts.onProgress !== undefined } satisfies JobMessage);
      };
      for (let k = 0; k < n; k++) {
        const w = new Worker(spec.file, spec.execArgv ? { execArgv: spec.execArgv } : {});
        workers.push(w);
        w.on("message", (m: JobReply) => {
          if ("progress" in m) {
            onFraction?.(m.index)(m.progress);
            return;
          }
          if (!m.ok) {
            failed = true;
            reject(new Error(`${jobs[m.index].key}: ${m.error}`));
            return;
          }
          results[m.index] = m.result;
          running.delete(m.index);
          done++; // not inside `onProgress?.(...)`: optional chaining would skip the increment
          report();
          if (done === jobs.length) resolve();
          else feed(w);
        });
        w.on("error", (e) => {
          failed = true;
          reject(e);
        });
        w.on("exit", (code) => {
          if (!failed && done < jobs.length && code !== 0) {
            failed = true;
            reject(new Error(`worker exited with status ${code}`));
          }
        });
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

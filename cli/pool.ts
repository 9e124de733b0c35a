/**
 * The CLI's simulation pool: runner/'s pool on worker_threads, sized to the machine. Results come
 * back in task order whatever the scheduling, and each run is deterministic, so the output does
 * not depend on the number of workers.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { poolSize, SimPool, type BatchProgress, type SimTask } from "../runner/index";
import { nodeWorkerFactory } from "../runner/node";
import type { RunResult } from "../sim-core/index";

/** Worker threads by default: one per core (runner/size.ts). */
export function defaultWorkers(): number {
  return poolSize(availableParallelism());
}

function workerSpec(): { file: string; execArgv?: string[] } {
  // Bundled: dist/cli.cjs sits next to dist/cli-worker.cjs. Unbundled (tsx): runner/node-worker.ts.
  if (__filename.endsWith(".ts")) return { file: join(__dirname, "..", "runner", "node-worker.ts"), execArgv: ["--import", "tsx"] };
  return { file: join(__dirname, "cli-worker.cjs") };
}

/** Runs `f` with a pool of `workers` threads and always disposes of it (idle workers would keep the process alive). */
export async function withPool<T>(workers: number, f: (pool: SimPool) => Promise<T>): Promise<T> {
  const spec = workerSpec();
  const pool = new SimPool(nodeWorkerFactory(spec.file, { execArgv: spec.execArgv }), { size: workers });
  try {
    return await f(pool);
  } finally {
    await pool.dispose();
  }
}

export interface RunTasksOptions {
  workers: number;
  /** `done` counts finished runs plus the fractions of running ones, so it may be fractional. */
  onProgress?: (done: number, total: number) => void;
  label?: (task: SimTask, index: number) => string;
}

/** One batch on a pool of its own. */
export function runTasks(tasks: readonly SimTask[], opts: RunTasksOptions): Promise<RunResult[]> {
  const onProgress = opts.onProgress ? (p: BatchProgress) => opts.onProgress!(p.fraction * p.total, p.total) : undefined;
  return withPool(Math.min(opts.workers, Math.max(1, tasks.length)), (pool) => pool.runBatch(tasks, { onProgress, label: opts.label }));
}

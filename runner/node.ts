/**
 * worker_threads transport for the pool (the CLI, desktop VS Code, code-server, the tests). Each
 * worker gets a V8 heap limit (`resourceLimits`), so a run that outgrows it ends that worker with
 * ERR_WORKER_OUT_OF_MEMORY instead of the process: the pool reports a heap-limit error for the
 * run and starts a fresh worker for the next one.
 */
import { Worker } from "node:worker_threads";
import { newCancelFlag } from "./cancel-flag";
import type { WorkerFactory } from "./pool";

/**
 * Old-generation heap per worker, in MB. The largest built-in run, cyclictest-busy-500 for 90 s
 * in dynamic mode with its timeline (75 k segments), peaks at 35 MB of heap (measured with
 * process.memoryUsage); with the main thread, a worker stopped at this limit keeps the process
 * under the 512 MB RSS that issue 14 allows.
 */
export const DEFAULT_HEAP_MB = 320;

export interface NodeWorkerOptions {
  /** Old-generation heap limit per worker in MB (default DEFAULT_HEAP_MB). */
  heapMb?: number;
  /** Extra Node options for the worker, e.g. `["--import", "tsx"]` to run the .ts entry unbundled. */
  execArgv?: string[];
}

export function nodeWorkerFactory(workerFile: string, opts: NodeWorkerOptions = {}): WorkerFactory {
  const heapMb = opts.heapMb ?? DEFAULT_HEAP_MB;
  return (events) => {
    const w = new Worker(workerFile, {
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
      ...(opts.execArgv ? { execArgv: opts.execArgv } : {}),
    });
    let over = false;
    w.on("message", events.message);
    w.on("error", (e: Error & { code?: string }) => {
      if (over) return;
      over = true;
      if (e.code === "ERR_WORKER_OUT_OF_MEMORY") events.died("heap-limit", `stopped by the heap limit of ${heapMb} MB per worker`);
      else events.died("error", `simulation worker failed: ${e.message}`);
    });
    w.on("exit", (code) => {
      if (over) return;
      over = true;
      events.died("error", `simulation worker exited with code ${code}`);
    });
    return {
      cancelFlag: newCancelFlag(),
      post: (m) => w.postMessage(m),
      terminate: async () => {
        over = true;
        await w.terminate();
      },
    };
  };
}

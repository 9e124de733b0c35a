/**
 * Runs a batch of simulations on a small pool of workers, off the extension host's thread.
 * Transport-agnostic: the Node entry passes a worker_threads factory, the web entry a Web Worker
 * factory. Cancelling terminates every worker of the batch, which stops a run mid-event-loop
 * (sim-core is synchronous, so a cooperative flag could not be seen until the run ended).
 */
import type { RunResult } from "../../sim-core/results";
import type { FromWorker, SimTask, ToWorker } from "./protocol";
import { raise, stoppedAt, wallNow } from "./cancel-flag";

export interface WorkerHandle {
  /** Shared cancel flag, where the transport has shared memory (see cancel-flag.ts). */
  cancelFlag?: SharedArrayBuffer;
  post(m: ToWorker): void;
  /** Stops the worker; resolves once it has stopped. */
  terminate(): Promise<void>;
}

export type WorkerFactory = (onMessage: (m: FromWorker) => void, onError: (e: Error) => void) => WorkerHandle;

export class CancelledError extends Error {
  constructor() {
    super("Run cancelled");
    this.name = "CancelledError";
  }
}

export interface RunOptions {
  /** Workers to use at most (each runs one task at a time). */
  parallel?: number;
  /** sim-core's progress granularity, in events. */
  progressEvery?: number;
  /** Overall fraction done (0..1), across all tasks. */
  onProgress?: (fraction: number, done: number, total: number) => void;
  onResult?: (index: number, result: RunResult) => void;
}

export interface CancelTiming {
  /** From the request until no simulation was running any more (acknowledged or thread gone). */
  stoppedMs: number;
  /** From the request until every worker thread had exited. */
  exitedMs: number;
}

export interface RunJob {
  /** Results in task order; rejects with CancelledError after cancel(). */
  readonly results: Promise<RunResult[]>;
  /** Stops the runs and terminates the workers. */
  cancel(): Promise<CancelTiming>;
}

/**
 * How long cancel() lets flagged runs acknowledge before it terminates their workers. Runs poll
 * the flag every `progressEvery` events (about a millisecond of simulation), so on an idle machine
 * they answer within a few ms; the grace only matters on a starved one.
 */
export const CANCEL_GRACE_MS = 100;

const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());

export function runTasks(factory: WorkerFactory, tasks: SimTask[], opts: RunOptions = {}): RunJob {
  const total = tasks.length;
  const results: (RunResult | undefined)[] = new Array(total);
  const fraction = new Array<number>(total).fill(0);
  const workers: WorkerHandle[] = [];
  /** Per worker: the task it runs now (-1 when idle). */
  const busy: number[] = [];
  let cancelling: { acked: () => void; pending: Set<number> } | undefined;
  let next = 0;
  let done = 0;
  let finished = false;
  let resolve!: (r: RunResult[]) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<RunResult[]>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A caller that only cancels must not see an unhandled rejection.
  promise.catch(() => undefined);

  const stopAll = () => Promise.all(workers.map((w) => w.terminate().catch(() => undefined))).then(() => undefined);
  const fail = (e: Error) => {
    if (finished) return;
    finished = true;
    void stopAll();
    reject(e);
  };
  const report = () => opts.onProgress?.(fraction.reduce((a, b) => a + b, 0) / Math.max(1, total), done, total);

  const feed = (w: WorkerHandle, slot: number) => {
    busy[slot] = -1;
    if (finished || next >= total) return;
    const index = next++;
    busy[slot] = index;
    w.post({ type: "run", index, task: tasks[index], progressEvery: opts.progressEvery, cancelFlag: w.cancelFlag });
  };

  const n = Math.max(1, Math.min(opts.parallel ?? 1, total));
  if (total === 0) {
    finished = true;
    resolve([]);
  }
  for (let i = 0; i < n && total > 0; i++) {
    let w: WorkerHandle | undefined;
    const slot = i;
    try {
      w = factory(
        (m) => {
          if (cancelling && m.type !== "progress") {
            // A run that saw the cancel flag (or finished anyway): it no longer computes.
            cancelling.pending.delete(slot);
            if (cancelling.pending.size === 0) cancelling.acked();
            return;
          }
          if (finished || !w) return;
          if (m.type === "progress") {
            const p = m.progress;
            fraction[m.index] = p.duration_ns > 0 ? Math.min(1, p.simulated_ns / p.duration_ns) : 0;
            report();
          } else if (m.type === "result") {
            results[m.index] = m.result;
            fraction[m.index] = 1;
            done++;
            opts.onResult?.(m.index, m.result);
            report();
            if (done === total) {
              finished = true;
              void stopAll();
              resolve(results as RunResult[]);
            } else feed(w, slot);
          } else if (m.type === "error") {
            fail(new Error(m.message));
          }
        },
        (e) => fail(e),
      );
    } catch (e) {
      fail(e instanceof Error ? e : new Error(String(e)));
      break;
    }
    workers.push(w);
    feed(w, slot);
  }

  return {
    results: promise,
    cancel: async () => {
      const t0 = now();
      if (finished) return { stoppedMs: 0, exitedMs: 0 };
      finished = true;
      reject(new CancelledError());
      // Raise the flags of the workers running a task that can see one: the run ends at its next
      // progress poll, stamps when it stopped, and posts its (cancelled) result. Wait for those
      // acknowledgements for a short grace period, then terminate every worker regardless, which
      // stops whatever is still computing.
      const t0wall = wallNow();
      const pending = new Set<number>();
      workers.forEach((w, i) => {
        if (busy[i] >= 0 && w.cancelFlag) {
          raise(w.cancelFlag);
          pending.add(i);
        }
      });
      const running = workers.filter((_, i) => busy[i] >= 0).length;
      const allFlagged = pending.size > 0 && pending.size === running;
      if (allFlagged) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, CANCEL_GRACE_MS);
          cancelling = { pending, acked: () => (clearTimeout(timer), resolve()) };
        });
      }
      await stopAll();
      const exitedMs = now() - t0;
      // When every running worker stamped its stop, that is when computing ended; otherwise the
      // only proof is the exit of the threads.
      const stamps = workers.map((w, i) => (busy[i] >= 0 && w.cancelFlag ? stoppedAt(w.cancelFlag) : undefined));
      const stamped = allFlagged && workers.every((_, i) => busy[i] < 0 || stamps[i] !== undefined);
      const stoppedMs = stamped ? Math.max(0, ...stamps.filter((x): x is number => x !== undefined).map((t) => t - t0wall)) : exitedMs;
      return { stoppedMs: Math.min(stoppedMs, exitedMs), exitedMs };
    },
  };
}

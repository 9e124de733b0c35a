/**
 * Web Worker transport for the pool (VS Code for the Web), and an in-thread fallback for hosts
 * that cannot start a worker: there a run cannot be interrupted, only its result discarded, and
 * the pool's size should be 1. Browsers give a Web Worker no heap limit of its own: the budgets
 * checked before a run (budget.ts) and the event limit are what bound it there.
 */
import { handleMessage } from "./execute";
import type { WorkerFactory } from "./pool";
import type { FromWorker, ToWorker } from "./protocol";

export function webWorkerFactory(workerUrl: string): WorkerFactory {
  return (events) => {
    const w = new Worker(workerUrl);
    let over = false;
    w.onmessage = (e: MessageEvent<FromWorker>) => events.message(e.data);
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault?.();
      if (over) return;
      over = true;
      events.died("error", `simulation worker failed: ${e.message || "unknown error"}`);
    };
    return {
      post: (m) => w.postMessage(m),
      terminate: async () => {
        over = true;
        w.terminate();
      },
    };
  };
}

export function inThreadFactory(): WorkerFactory {
  return (events) => {
    let stopped = false;
    return {
      post: (m: ToWorker) => {
        setTimeout(() => {
          if (!stopped) handleMessage(m, (r) => !stopped && events.message(r));
        }, 0);
      },
      terminate: async () => {
        stopped = true;
      },
    };
  };
}

/**
 * Web Worker transport for the pool (VS Code for the Web), with an in-thread fallback for hosts
 * that cannot start a worker: there a run cannot be interrupted, only its result discarded.
 */
import type { WorkerFactory } from "./pool";
import type { FromWorker, ToWorker } from "./protocol";
import { handleMessage } from "./worker-core";

export function webWorkerFactory(workerUrl: string): WorkerFactory {
  return (onMessage, onError) => {
    const w = new Worker(workerUrl);
    w.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault?.();
      onError(new Error(e.message || "simulation worker failed"));
    };
    return {
      post: (m) => w.postMessage(m),
      terminate: async () => w.terminate(),
    };
  };
}

export function inThreadFactory(): WorkerFactory {
  return (onMessage) => {
    let stopped = false;
    return {
      post: (m: ToWorker) => {
        setTimeout(() => {
          if (!stopped) handleMessage(m, (r) => !stopped && onMessage(r));
        }, 0);
      },
      terminate: async () => {
        stopped = true;
      },
    };
  };
}

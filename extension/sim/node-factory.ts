/** worker_threads transport for the pool (desktop VS Code, code-server, the tests). */
import { Worker } from "node:worker_threads";
import type { WorkerFactory } from "./pool";
import { newCancelFlag } from "./cancel-flag";

export function nodeWorkerFactory(workerFile: string): WorkerFactory {
  return (onMessage, onError) => {
    const w = new Worker(workerFile);
    const cancelFlag = newCancelFlag();
    let stopped = false;
    w.on("message", onMessage);
    w.on("error", onError);
    w.on("exit", (code) => {
      if (!stopped && code !== 0) onError(new Error(`simulation worker exited with code ${code}`));
    });
    return {
      cancelFlag,
      post: (m) => w.postMessage(m),
      terminate: async () => {
        stopped = true;
        await w.terminate();
      },
    };
  };
}

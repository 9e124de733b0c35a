/**
 * The body of a simulation worker, shared by the Node and the Web Worker entries. It runs one
 * task per message. To cancel, the host first raises the shared cancel flag (sim-core sees it at
 * its next progress poll and returns a "cancelled" result), then terminates the worker, which
 * stops it whatever it is doing; the flag only makes the stop quicker and observable.
 */
import { simulate } from "../../sim-core/index";
import type { FromWorker, ToWorker } from "./protocol";
import { poller } from "./cancel-flag";

/** Progress messages are rate-limited so a fast engine does not flood the host's message queue. */
const PROGRESS_MIN_INTERVAL_MS = 50;

export function handleMessage(msg: ToWorker, post: (m: FromWorker) => void): void {
  if (msg?.type !== "run") return;
  const { index, task } = msg;
  let last = 0;
  try {
    const scenario =
      task.timeline === undefined ? task.scenario : { ...task.scenario, timeline: { ...task.scenario.timeline, enabled: task.timeline } };
    const flag = msg.cancelFlag;
    const result = simulate(scenario, task.mode, {
      progressEvery: msg.progressEvery ?? 1000,
      isCancelled: flag ? poller(flag) : undefined,
      onProgress: (progress) => {
        const now = Date.now();
        if (now - last < PROGRESS_MIN_INTERVAL_MS) return;
        last = now;
        post({ type: "progress", index, progress });
      },
    });
    post({ type: "result", index, result });
  } catch (e) {
    post({ type: "error", index, message: e instanceof Error ? e.message : String(e) });
  }
}

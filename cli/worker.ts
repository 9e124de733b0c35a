/** Worker-thread entry (bundled to dist/cli-worker.cjs): runs one job per message. */
import { parentPort } from "node:worker_threads";
import { runJobInProcess, type JobMessage, type JobReply } from "./jobs";

parentPort?.on("message", (m: JobMessage) => {
  let reply: JobReply;
  try {
    const onFraction = m.progress ? (f: number) => parentPort!.postMessage({ index: m.index, progress: f } satisfies JobReply) : undefined;
    reply = { index: m.index, ok: true, result: runJobInProcess(m.job, onFraction) };
  } catch (e) {
    reply = { index: m.index, ok: false, error: (e as Error)?.message ?? String(e) };
  }
  parentPort!.postMessage(reply);
});

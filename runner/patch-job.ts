/**
 * A patch job in a worker: parse and map a patch document for the hunk lenses (patch/lens.ts)
 * under a deadline and the shared cancel flag. The parser and the mapper call a poll every few
 * thousand lines or few dozen hunks; the poll throws JobStopped when the deadline has passed or
 * the flag is raised, and the worker answers `map-failed` at once, free for the next job.
 */
import { patchLensData } from "../patch/lens";
import { poller, wallNow } from "./cancel-flag";
import type { FromWorker, PatchJobMessage } from "./protocol";

/** A job stopped by its deadline or by a cancel, from inside its poll. */
export class JobStopped extends Error {
  constructor(
    readonly kind: "deadline" | "cancelled",
    message: string,
  ) {
    super(message);
    this.name = "JobStopped";
  }
}

/**
 * The poll a job gives the parser: throws JobStopped once `now()` reaches `deadlineAt` or
 * `isCancelled()` is true (the cancel wins when both hold: the host no longer wants the answer).
 */
export function jobPoll(deadlineAt: number, now: () => number, isCancelled?: () => boolean): () => void {
  return () => {
    if (isCancelled?.()) throw new JobStopped("cancelled", "cancelled");
    if (now() >= deadlineAt) throw new JobStopped("deadline", "past the deadline");
  };
}

export function runPatchJob(msg: PatchJobMessage, post: (m: FromWorker) => void): void {
  const { job } = msg;
  const poll = jobPoll(wallNow() + msg.deadlineMs, wallNow, msg.cancelFlag ? poller(msg.cancelFlag) : undefined);
  try {
    post({ type: "mapped", job, data: patchLensData(msg.text, msg.map, poll) });
  } catch (e) {
    const kind = e instanceof JobStopped ? e.kind : "error";
    post({ type: "map-failed", job, kind, message: e instanceof Error ? e.message : String(e) });
  }
}

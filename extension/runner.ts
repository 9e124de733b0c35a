/**
 * Runs batches of simulations with a cancellable progress notification. One batch at a time:
 * starting a new one cancels the one in flight. Cancelling terminates the batch's workers.
 */
import * as vscode from "vscode";
import type { RunResult } from "../sim-core/results";
import { CancelledError, runTasks, type CancelTiming, type RunJob, type WorkerFactory } from "./sim/pool";
import type { SimTask } from "./sim/protocol";

export interface Platform {
  kind: "node" | "web";
  /** A worker factory for the simulation worker of this platform (decided once, maybe asynchronously). */
  workerFactory(): WorkerFactory | Promise<WorkerFactory>;
  /** Workers to run in parallel. */
  parallel(): number;
}

export class Runner {
  private job: RunJob | undefined;
  private jobSeq = 0;
  /** How long the last cancellation took (for the log and the tests). */
  lastCancel: CancelTiming | undefined;

  constructor(
    private readonly platform: Platform,
    private readonly log: (s: string) => void,
    private readonly onProgress: (percent: number, label: string) => void,
  ) {}

  get busy(): boolean {
    return this.job !== undefined;
  }

  /** Cancels the batch in flight, if any. */
  async cancel(): Promise<void> {
    const j = this.job;
    if (!j) return;
    this.job = undefined;
    const t = await j.cancel();
    this.lastCancel = t;
    this.log(
      `run cancelled: simulation stopped ${t.stoppedMs.toFixed(1)} ms and workers exited ${t.exitedMs.toFixed(1)} ms after the request`,
    );
  }

  /**
   * Runs the tasks. Resolves with the results, or undefined when the user cancelled (or a newer
   * batch replaced this one). Rejects on a simulation error.
   */
  async run(title: string, tasks: SimTask[]): Promise<RunResult[] | undefined> {
    if (this.job) await this.cancel();
    const seq = ++this.jobSeq;
    const t0 = Date.now();
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `PV Sched: ${title}`, cancellable: true },
      async (progress, token) => {
        let reported = 0;
        const factory = await this.platform.workerFactory();
        if (token.isCancellationRequested || seq !== this.jobSeq) return undefined;
        const job = runTasks(factory, tasks, {
          parallel: this.platform.parallel(),
          onProgress: (fraction, done, total) => {
            const pct = Math.floor(fraction * 100);
            if (pct > reported) {
              progress.report({ increment: pct - reported, message: `${done}/${total} runs` });
              reported = pct;
            }
            this.onProgress(pct, `${title}: ${done}/${total} runs`);
          },
        });
        this.job = job;
        const sub = token.onCancellationRequested(() => {
          if (this.job === job) void this.cancel();
        });
        try {
          const results = await job.results;
          this.log(`${title}: ${tasks.length} runs in ${Date.now() - t0} ms`);
          return results;
        } catch (e) {
          if (e instanceof CancelledError) return undefined;
          throw e;
        } finally {
          sub.dispose();
          if (this.job === job && this.jobSeq === seq) this.job = undefined;
        }
      },
    );
  }
}

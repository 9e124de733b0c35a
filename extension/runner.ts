/**
 * The extension's side of the simulation runner (runner/): batches run on the platform's warm
 * pool with a cancellable progress notification. A batch started while another runs is queued
 * behind it (the pool serves batches in order; nothing is killed to make room). Cancel stops
 * every batch this runner started, queued or running. A result never lands after a newer
 * request's result has: an older batch that finishes late returns undefined.
 */
import * as vscode from "vscode";
import { CancelledError, LatestResults, type CancelTiming, type SimPool, type SimTask } from "../runner/index";
import type { RunResult } from "../sim-core/results";

export interface Platform {
  kind: "node" | "web";
  /** The platform's simulation pool, created once (maybe asynchronously) and kept warm. */
  pool(): SimPool | Promise<SimPool>;
}

export class Runner {
  /** Request ids of this runner's batches that have not finished. */
  private readonly active = new Set<number>();
  private readonly latest = new LatestResults();
  /** How long the last cancellation took (for the log and the tests). */
  lastCancel: CancelTiming | undefined;

  constructor(
    private readonly platform: Platform,
    private readonly log: (s: string) => void,
    private readonly onProgress: (percent: number, label: string) => void,
  ) {}

  get busy(): boolean {
    return this.active.size > 0;
  }

  /** Cancels every batch of this runner (or the named ones), queued or running. */
  async cancel(ids?: readonly number[]): Promise<void> {
    const targets = ids ?? [...this.active];
    if (targets.length === 0) return;
    const pool = await this.platform.pool();
    const t = await pool.cancel(targets);
    for (const id of targets) this.active.delete(id);
    this.lastCancel = t;
    this.log(
      `run cancelled (${targets.length} batch(es)): simulation stopped ${t.stoppedMs.toFixed(1)} ms and workers were free ${t.exitedMs.toFixed(1)} ms after the request`,
    );
  }

  /**
   * Runs the tasks. Resolves with the results, or undefined when the user cancelled or a newer
   * request's results landed first. Rejects on a simulation error, a limit or a budget.
   */
  async run(title: string, tasks: SimTask[]): Promise<RunResult[] | undefined> {
    const seq = this.latest.begin();
    const t0 = Date.now();
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `PV Sched: ${title}`, cancellable: true },
      async (progress, token) => {
        const pool = await this.platform.pool();
        if (token.isCancellationRequested) return undefined;
        const ahead = pool.pending.length;
        if (ahead > 0) progress.report({ message: `queued behind ${ahead} batch(es)` });
        let reported = 0;
        const batch = pool.submit(tasks, {
          onProgress: (p) => {
            const pct = Math.floor(p.fraction * 100);
            if (pct > reported) {
              progress.report({ increment: pct - reported, message: `${p.done}/${p.total} runs` });
              reported = pct;
            }
            this.onProgress(pct, `${title}: ${p.done}/${p.total} runs`);
          },
        });
        this.active.add(batch.id);
        const sub = token.onCancellationRequested(() => void this.cancel([batch.id]));
        try {
          const results = await batch.results;
          this.log(`${title}: ${tasks.length} runs in ${Date.now() - t0} ms (request ${batch.id})`);
          if (!this.latest.land(seq)) {
            this.log(`${title}: request ${batch.id} finished after a newer one; its results are not shown`);
            return undefined;
          }
          return results;
        } catch (e) {
          if (e instanceof CancelledError) return undefined;
          throw e;
        } finally {
          sub.dispose();
          this.active.delete(batch.id);
        }
      },
    );
  }
}

/**
 * The extension's side of the simulation runner (runner/): batches run on the platform's warm
 * pool with a cancellable progress notification. A batch started while another runs asks the
 * user (or follows `pvsched.run.whenBusy`): queue it behind, cancel the running one first, or not
 * run; nothing is killed silently. A queued batch starts when the batches before it have ended
 * (runner/run-queue.ts), so both results land, in order. Cancel stops every batch this runner
 * started, queued or running, and every progress indicator hears that it ended. A result never
 * lands after a newer request's result has: such a batch returns undefined.
 */
import * as vscode from "vscode";
import {
  type BatchHandle,
  CancelledError,
  RunQueue,
  type BatchOptions,
  type CancelTiming,
  type QueueSlot,
  type SimPool,
  type SimTask,
  type WorkerFactory,
} from "../runner/index";
import type { RunResult } from "../sim-core/results";

export interface Platform {
  kind: "node" | "web";
  /** The platform's simulation pool, created once (maybe asynchronously) and kept warm. */
  pool(): SimPool | Promise<SimPool>;
  /** The same kind of worker, for the lens worker that parses patches (runner/patch-jobs.ts). */
  workers(): WorkerFactory | Promise<WorkerFactory>;
}

/** How a batch ended, for the progress indicators (panel, status bar). */
export type RunOutcome = "done" | "cancelled" | "failed" | "superseded";

/** What the runner tells the rest of the extension, and asks it. */
export interface RunnerEvents {
  progress(percent: number, label: string): void;
  started(title: string): void;
  /** A batch ended; `running` batches of this runner are still queued or running. */
  ended(title: string, outcome: RunOutcome, running: number): void;
  /** A batch is asked for while others run: queue it, cancel the others first, or do not run (undefined). */
  whenBusy(running: readonly string[], next: string): Promise<"queue" | "cancel" | undefined>;
}

export type RunListeners = Pick<BatchOptions, "onResult" | "interim" | "onInterim"> & {
  /** How the batch ended, before run() resolves or rejects. */
  onEnded?: (outcome: RunOutcome) => void;
};

export class Runner {
  /** Pool request ids of this runner's batches that were submitted and have not finished. */
  private readonly active = new Set<number>();
  /** The batches asked for that have not ended (queued, starting or running), in order. */
  private readonly queue = new RunQueue();
  /** How long the last cancellation took (for the log and the tests). */
  lastCancel: CancelTiming | undefined;

  constructor(
    private readonly platform: Platform,
    private readonly log: (s: string) => void,
    private readonly events: RunnerEvents,
  ) {}

  /** Where the warm-up is: not started, running, or how it ended (for the log and the tests). */
  warmUpState: "none" | "running" | "done" | "cancelled" | "failed" = "none";
  /** The warm-up batch while it runs (a batch a user asks for cancels it). */
  private warming: BatchHandle | undefined;

  /**
   * Once per session, runs `tasks()` (unless it has none) on the pool unseen (no progress, no results, not in the
   * queue), so that its workers are started and their code compiled before the first batch a
   * user waits for. Its runs pause at checkpoints as a lens ablation's do (that code is compiled
   * too). A batch asked for meanwhile cancels what is left of it.
   */
  warmUp(tasks: () => SimTask[] | undefined): void {
    if (this.warmUpState !== "none") return;
    // Nothing to warm up with (a patch of mechanisms the simulator does not have): a later one may.
    const list = tasks();
    if (!list?.length) return;
    this.warmUpState = "running";
    void (async () => {
      const pool = await this.platform.pool();
      const t0 = Date.now();
      this.warming = pool.submit(list, { interim: { firstS: 0.5, everyS: 0.5 }, onInterim: () => {} });
      await this.warming.results;
      this.warmUpState = "done";
      this.log(`simulation workers warmed up: ${list.length} runs in ${Date.now() - t0} ms`);
    })()
      .catch((e: unknown) => {
        this.warmUpState = e instanceof CancelledError ? "cancelled" : "failed";
        if (this.warmUpState === "failed") this.log(`simulation workers' warm-up failed: ${e instanceof Error ? e.message : String(e)}`);
      })
      .finally(() => {
        this.warming = undefined;
      });
  }

  /** A batch of this runner is on the pool (submitted and not finished). */
  get busy(): boolean {
    return this.active.size > 0;
  }

  /** The titles of the batches asked for that have not ended, oldest first. */
  get running(): string[] {
    return this.queue.titles;
  }

  /** Cancels every batch of this runner, queued or running (or only the named pool requests). */
  async cancel(ids?: readonly number[]): Promise<void> {
    if (!ids) this.queue.cancel();
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
   * Runs the tasks. Resolves with the results, or undefined when the user cancelled, declined to
   * run beside a running batch, or a newer request's results landed first. Rejects on a
   * simulation error, a limit or a budget.
   */
  /** What the caller hears while the batch runs: each run's result, and interim results at a plan's checkpoints. */
  async run(title: string, tasks: SimTask[], listen: RunListeners = {}): Promise<RunResult[] | undefined> {
    if (this.queue.size > 0) {
      const choice = await this.events.whenBusy(this.running, title);
      if (!choice) {
        this.log(`${title}: not started (another run is in progress)`);
        return undefined;
      }
      if (choice === "cancel") await this.cancel();
    }
    const slot = this.queue.admit(title);
    this.events.started(title);
    let outcome: RunOutcome = "failed";
    try {
      const r = await this.runBatch(title, tasks, slot, listen);
      outcome = r.outcome;
      return r.results;
    } finally {
      this.queue.end(slot);
      this.events.ended(title, outcome, this.queue.size);
      listen.onEnded?.(outcome);
    }
  }

  private async runBatch(
    title: string,
    tasks: SimTask[],
    slot: QueueSlot,
    listen: RunListeners,
  ): Promise<{ results?: RunResult[]; outcome: RunOutcome }> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `PV Sched: ${title}`, cancellable: true },
      async (progress, token) => {
        let batchId: number | undefined;
        const sub = token.onCancellationRequested(() => {
          this.queue.cancel(slot);
          if (batchId !== undefined) void this.cancel([batchId]);
        });
        try {
          const ahead = this.queue.ahead(slot);
          // Something shows from the first moment, before the pool reports the first finished run.
          const waiting = ahead.length > 0 ? `queued behind ${ahead.map((t) => `"${t}"`).join(", ")}` : "starting";
          progress.report({ message: waiting });
          this.events.progress(0, `${title}: ${waiting}`);
          await slot.turn;
          if (slot.cancelled) return { outcome: "cancelled" };
          if (ahead.length > 0) this.events.progress(0, `${title}: starting`);
          const pool = await this.platform.pool();
          if (slot.cancelled) return { outcome: "cancelled" };
          // The user's batch goes first: what is left of the warm-up would only delay it.
          if (this.warming) void this.warming.cancel();
          const t0 = Date.now();
          let reported = 0;
          const batch = pool.submit(tasks, {
            ...listen,
            onProgress: (p) => {
              const pct = Math.floor(p.fraction * 100);
              if (pct > reported) {
                progress.report({ increment: pct - reported, message: `${p.done}/${p.total} runs` });
                reported = pct;
              }
              this.events.progress(pct, `${title}: ${p.done}/${p.total} runs`);
            },
          });
          batchId = batch.id;
          this.active.add(batch.id);
          try {
            const results = await batch.results;
            this.log(`${title}: ${tasks.length} runs in ${Date.now() - t0} ms (request ${batch.id})`);
            if (!this.queue.land(slot)) {
              if (slot.cancelled) return { outcome: "cancelled" };
              this.log(`${title}: request ${batch.id} finished after a newer one; its results are not shown`);
              return { outcome: "superseded" };
            }
            return { results, outcome: "done" };
          } finally {
            this.active.delete(batch.id);
          }
        } catch (e) {
          if (e instanceof CancelledError) return { outcome: "cancelled" };
          throw e;
        } finally {
          sub.dispose();
        }
      },
    );
  }
}

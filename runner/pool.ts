/**
 * The simulation pool: a fixed number of warm workers shared by every batch of runs, for the CLI
 * and the extension alike. Transport-agnostic: the caller passes a worker factory (worker_threads,
 * Web Worker, or the caller's own thread; see node.ts and web.ts).
 *
 * Rules (see README.md):
 * - every batch has a request id, and every message a worker sends names the batch and the task,
 *   so a reply for a batch that was cancelled, failed or replaced never lands;
 * - batches are served in the order they were submitted: a batch submitted while another runs
 *   waits for free workers (nothing is killed to make room);
 * - at most `size` workers exist at any time, including one that is still being terminated;
 * - a batch is checked against the run budgets before any of its runs starts (budget.ts);
 * - each run is bounded by a wall-clock limit inside the worker, by the pool's watchdog when the
 *   worker cannot answer, and (Node) by a heap limit on the worker thread.
 */
import type { InterimResult, RunResult } from "../sim-core/index";
import { checkTaskBudget, DEFAULT_BUDGET, type Budget } from "./budget";
import { lower, raise, stoppedAt, wallNow } from "./cancel-flag";
import { interimCheckpointsNs, type InterimPlan } from "./interim";
import type { FailureKind, FromWorker, RunLimits, SimTask, ToWorker } from "./protocol";

export interface WorkerHandle {
  /** Shared cancel flag, where the transport has shared memory (see cancel-flag.ts). */
  cancelFlag?: SharedArrayBuffer;
  post(m: ToWorker): void;
  /** Stops the worker; resolves once it has stopped. */
  terminate(): Promise<void>;
}

export interface WorkerEvents {
  message(m: FromWorker): void;
  /** The worker failed or exited without being asked to (a crash, the heap limit). */
  died(kind: FailureKind, message: string): void;
}

export type WorkerFactory = (events: WorkerEvents) => WorkerHandle;

export class CancelledError extends Error {
  constructor() {
    super("Run cancelled");
    this.name = "CancelledError";
  }
}

/** A run of a batch failed: the simulation threw, or a limit stopped it. */
export class RunError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
    this.name = "RunError";
  }
}

export interface PoolOptions {
  /** Workers at most (see poolSize in size.ts). */
  size: number;
  limits?: Partial<RunLimits>;
  /** Checked before a batch starts; `false` turns the check off (tests of the limits only). */
  budget?: Budget | false;
  /** Wall-clock milliseconds between a run's progress messages. */
  progressMs?: number;
  /** How long past the wall-clock limit a silent worker is given before it is terminated. */
  watchdogGraceMs?: number;
  /** How long a cancelled run may take to see its flag before its worker is terminated. */
  cancelGraceMs?: number;
}

export interface BatchProgress {
  batch: number;
  /** Fraction of the batch's simulated time done, 0..1. */
  fraction: number;
  /** Runs finished. */
  done: number;
  total: number;
}

export interface BatchOptions {
  onProgress?: (p: BatchProgress) => void;
  onResult?: (index: number, result: RunResult) => void;
  /** Each run reports what it measured so far at the plan's checkpoints of simulated time. */
  interim?: InterimPlan;
  /** A run's interim result (runner/interim.ts); never after that run's result. */
  onInterim?: (index: number, interim: InterimResult) => void;
  /** Aborting cancels the batch (its promise rejects with CancelledError). */
  signal?: AbortSignal;
  /** Prefixes error messages, e.g. the scenario file. */
  label?: (task: SimTask, index: number) => string;
}

export interface CancelTiming {
  /** From the request until no run of the batches was computing (acknowledged, or thread gone). */
  stoppedMs: number;
  /** From the request until every worker that ran them was free again or had exited. */
  exitedMs: number;
}

export interface BatchHandle {
  /** The request id. */
  id: number;
  /** Results in task order; rejects with CancelledError, BudgetError or RunError. */
  results: Promise<RunResult[]>;
  cancel(): Promise<CancelTiming>;
}

/** The default limits: the event budget is sim-core's own hard limit; see README.md. */
export const DEFAULT_LIMITS: RunLimits = { wallMs: 15 * 60_000, maxEvents: DEFAULT_BUDGET.events };
/**
 * How long a cancelled run may take to notice its flag before its worker is terminated. Runs poll
 * every POLL_EVENTS events (a few ms), so this only matters on a starved machine.
 */
export const CANCEL_GRACE_MS = 250;
/** How long past the wall-clock limit a silent worker is given before the pool terminates it. */
export const WATCHDOG_GRACE_MS = 5_000;

type State = "live" | "done" | "failed" | "cancelled";

interface Batch {
  id: number;
  tasks: readonly SimTask[];
  opts: BatchOptions;
  results: RunResult[];
  fraction: number[];
  next: number;
  done: number;
  state: State;
  resolve(r: RunResult[]): void;
  reject(e: Error): void;
}

interface Slot {
  handle?: WorkerHandle;
  /** Termination in progress: the slot takes no task until the old thread is gone. */
  exiting?: Promise<void>;
  batch?: Batch;
  index: number;
  watchdog?: ReturnType<typeof setTimeout>;
  /** Set while a stop was requested: called when the run ends (its reply) or the thread is gone. */
  onStopped?: (stamp: number | undefined) => void;
}

export class SimPool {
  private readonly slots: Slot[];
  private queue: Batch[] = [];
  private nextId = 1;
  private readonly limits: RunLimits;
  private readonly progressMs: number;
  private readonly cancelGraceMs: number;
  private readonly budget: Budget | false;
  private readonly watchdogGraceMs: number;
  private disposed = false;

  constructor(
    private readonly factory: WorkerFactory,
    opts: PoolOptions,
  ) {
    this.slots = Array.from({ length: Math.max(1, Math.floor(opts.size)) }, () => ({ index: -1 }));
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.progressMs = opts.progressMs ?? 100;
    this.cancelGraceMs = opts.cancelGraceMs ?? CANCEL_GRACE_MS;
    this.budget = opts.budget === undefined ? DEFAULT_BUDGET : opts.budget;
    this.watchdogGraceMs = opts.watchdogGraceMs ?? WATCHDOG_GRACE_MS;
  }

  get size(): number {
    return this.slots.length;
  }

  /** Workers currently running a task. */
  get running(): number {
    return this.slots.filter((s) => s.batch !== undefined).length;
  }

  /** Worker threads alive now (running, idle or still exiting): never more than `size`. */
  get workers(): number {
    return this.slots.filter((s) => s.handle !== undefined || s.exiting !== undefined).length;
  }

  /** Request ids of the batches not finished yet, oldest first. */
  get pending(): number[] {
    return this.queue.map((b) => b.id);
  }

  /** Submits a batch; it starts when workers are free, after the batches submitted before it. */
  submit(tasks: readonly SimTask[], opts: BatchOptions = {}): BatchHandle {
    const id = this.nextId++;
    let resolve!: (r: RunResult[]) => void;
    let reject!: (e: Error) => void;
    const results = new Promise<RunResult[]>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A caller that only cancels must not see an unhandled rejection.
    results.catch(() => undefined);
    const b: Batch = {
      id,
      tasks,
      opts,
      results: new Array(tasks.length),
      fraction: new Array(tasks.length).fill(0),
      next: 0,
      done: 0,
      state: "live",
      resolve,
      reject,
    };
    const handle: BatchHandle = { id, results, cancel: () => this.cancel([id]) };
    if (this.disposed) return (this.settle(b, new Error("the simulation pool was disposed")), handle);
    if (this.budget) {
      for (let i = 0; i < tasks.length; i++) {
        const over = checkTaskBudget(tasks[i]!, this.budget, this.limits);
        if (over) return (this.settle(b, over), handle);
      }
    }
    if (tasks.length === 0) return (this.settle(b), handle);
    if (opts.signal?.aborted) return (this.settle(b, new CancelledError()), handle);
    opts.signal?.addEventListener("abort", () => void this.cancel([id]), { once: true });
    this.queue.push(b);
    this.pump();
    return handle;
  }

  /** Runs a batch: `submit(tasks, opts).results`. */
  runBatch(tasks: readonly SimTask[], opts: BatchOptions = {}): Promise<RunResult[]> {
    return this.submit(tasks, opts).results;
  }

  /**
   * Cancels the named batches (every unfinished batch when `ids` is omitted): their promises
   * reject with CancelledError at once, queued runs never start, and running ones are stopped
   * (flag first, then termination after CANCEL_GRACE_MS). Resolves when they have stopped.
   */
  async cancel(ids?: readonly number[]): Promise<CancelTiming> {
    const t0 = performance.now();
    const t0wall = wallNow();
    const targets = this.queue.filter((b) => ids === undefined || ids.includes(b.id));
    if (targets.length === 0) return { stoppedMs: 0, exitedMs: 0 };
    for (const b of targets) this.settle(b, new CancelledError());
    const stops = this.slots.filter((s) => s.batch && targets.includes(s.batch)).map((s) => this.stopSlot(s));
    const stamps = await Promise.all(stops);
    const exitedMs = performance.now() - t0;
    const stamped = stamps.length > 0 && stamps.every((t) => t !== undefined);
    const stoppedMs = stamped ? Math.max(0, ...stamps.map((t) => t! - t0wall)) : exitedMs;
    return { stoppedMs: Math.min(stoppedMs, exitedMs), exitedMs };
  }

  /** Cancels everything and terminates every worker. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.cancel();
    await Promise.all(this.slots.map((s) => this.terminate(s)));
  }

  // -------------------------------------------------------------------------------------------

  /** Ends a batch: resolves it (no error) or rejects it, and takes it off the queue. */
  private settle(b: Batch, error?: Error): void {
    if (b.state !== "live") return;
    b.state = error ? (error instanceof CancelledError ? "cancelled" : "failed") : "done";
    this.queue = this.queue.filter((x) => x !== b);
    if (error) b.reject(error);
    else b.resolve(b.results);
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.batch || slot.exiting || this.disposed) continue;
      const b = this.queue.find((x) => x.next < x.tasks.length);
      if (!b) return;
      this.assign(slot, b, b.next++);
    }
  }

  private assign(slot: Slot, b: Batch, index: number): void {
    if (!slot.handle) {
      try {
        slot.handle = this.spawn(slot);
      } catch (e) {
        this.fail(b, new RunError("error", `cannot start a simulation worker: ${(e as Error).message ?? e}`));
        return;
      }
    }
    if (slot.handle.cancelFlag) lower(slot.handle.cancelFlag);
    slot.batch = b;
    slot.index = index;
    slot.watchdog = setTimeout(() => this.onWatchdog(slot), this.limits.wallMs + this.watchdogGraceMs);
    slot.handle.post({
      type: "run",
      batch: b.id,
      index,
      task: b.tasks[index]!,
      limits: this.limits,
      progressMs: this.progressMs,
      checkpointsNs: b.opts.interim ? interimCheckpointsNs(b.tasks[index]!.scenario, b.opts.interim) : undefined,
      cancelFlag: slot.handle.cancelFlag,
    });
  }

  private spawn(slot: Slot): WorkerHandle {
    const h: WorkerHandle = this.factory({
      message: (m) => {
        if (slot.handle === h) this.onMessage(slot, m);
      },
      died: (kind, message) => {
        if (slot.handle === h) this.onDied(slot, kind, message);
      },
    });
    return h;
  }

  private label(b: Batch, index: number): string {
    const t = b.tasks[index]!;
    return b.opts.label?.(t, index) ?? `${t.scenario.name} (${t.mode.name ?? t.mode.mode})`;
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    const b = slot.batch;
    // Only the run this slot is running now may speak; anything else (a patch job's answer) is stale.
    if (!b || !("batch" in m) || m.batch !== b.id || m.index !== slot.index) return;
    if (m.type === "progress") {
      if (b.state !== "live") return;
      const p = m.progress;
      b.fraction[m.index] = p.duration_ns > 0 ? Math.min(1, p.simulated_ns / p.duration_ns) : 0;
      this.report(b);
      return;
    }
    if (m.type === "interim") {
      if (b.state === "live") b.opts.onInterim?.(m.index, m.interim);
      return;
    }
    this.release(slot);
    if (b.state === "live") {
      if (m.type === "result") {
        b.results[m.index] = m.result;
        b.fraction[m.index] = 1;
        b.done++;
        b.opts.onResult?.(m.index, m.result);
        this.report(b);
        if (b.done === b.tasks.length) this.settle(b);
      } else this.fail(b, new RunError(m.kind, `${this.label(b, m.index)}: ${m.message}`));
    }
    this.pump();
  }

  private onDied(slot: Slot, kind: FailureKind, message: string): void {
    const b = slot.batch;
    const index = slot.index;
    const h = slot.handle;
    slot.handle = undefined;
    this.release(slot);
    if (h)
      this.track(
        slot,
        h.terminate().catch(() => undefined),
      );
    if (b?.state === "live") this.fail(b, new RunError(kind, `${this.label(b, index)}: ${message}`));
    this.pump();
  }

  private onWatchdog(slot: Slot): void {
    const b = slot.batch;
    if (!b) return;
    const index = slot.index;
    void this.terminate(slot);
    if (b.state === "live")
      this.fail(
        b,
        new RunError(
          "wall-limit",
          `${this.label(b, index)}: stopped by the wall-clock limit of ${this.limits.wallMs / 1000} s per run (the worker did not answer, so it was terminated)`,
        ),
      );
    this.pump();
  }

  /** A run failed: the batch rejects, its queued runs never start, its running ones are stopped. */
  private fail(b: Batch, e: Error): void {
    this.settle(b, e);
    for (const s of this.slots) if (s.batch === b) void this.stopSlot(s);
  }

  private report(b: Batch): void {
    if (!b.opts.onProgress) return;
    let sum = 0;
    for (const f of b.fraction) sum += f;
    b.opts.onProgress({ batch: b.id, fraction: sum / b.tasks.length, done: b.done, total: b.tasks.length });
  }

  /** The slot's run ended (its reply came, or its thread is gone). */
  private release(slot: Slot): void {
    if (slot.watchdog !== undefined) clearTimeout(slot.watchdog);
    slot.watchdog = undefined;
    const flag = slot.handle?.cancelFlag;
    const done = slot.onStopped;
    slot.batch = undefined;
    slot.index = -1;
    slot.onStopped = undefined;
    done?.(flag ? stoppedAt(flag) : undefined);
  }

  /**
   * Stops the slot's run: raises its flag and waits cancelGraceMs for the run to answer, then
   * terminates the worker. Resolves with the time the run saw the flag, if it did.
   */
  private stopSlot(slot: Slot): Promise<number | undefined> {
    if (!slot.batch) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const prev = slot.onStopped;
      let timer: ReturnType<typeof setTimeout> | undefined;
      slot.onStopped = (stamp) => {
        if (timer !== undefined) clearTimeout(timer);
        prev?.(stamp);
        resolve(stamp);
      };
      const flag = slot.handle?.cancelFlag;
      if (flag) {
        raise(flag);
        timer = setTimeout(() => void this.terminate(slot), this.cancelGraceMs);
      } else void this.terminate(slot);
    });
  }

  /** Terminates the slot's worker (the run it had, if any, ends without a result). */
  private async terminate(slot: Slot): Promise<void> {
    const h = slot.handle;
    slot.handle = undefined;
    if (h)
      await this.track(
        slot,
        h.terminate().catch(() => undefined),
      );
    this.release(slot);
    this.pump();
  }

  /** Keeps the slot out of service until the old thread has exited. */
  private track(slot: Slot, exit: Promise<void>): Promise<void> {
    const p = exit.then(() => {
      if (slot.exiting === p) slot.exiting = undefined;
    });
    slot.exiting = p;
    return p;
  }
}

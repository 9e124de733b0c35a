/**
 * The hunk lenses' parsing off the extension host's thread (issue 14): patch documents are parsed
 * and mapped (patch/lens.ts) in one worker of the simulation workers' kind (the same transports
 * and worker entry, runner/execute.ts), one job at a time, with
 *
 * - a cache by document URI + version + hunk map: the lens and the hover of one version share
 *   one parse, and a version is parsed once;
 * - superseding: the latest request for a document wins. A request for version v drops every
 *   queued or running job of the same document at another version or under another hunk map (its
 *   callers get SupersededError). By arrival, not by number: VS Code asks in version order, and a
 *   document closed and opened again starts at version 1;
 * - cancellation: a caller's AbortSignal (the provider's CancellationToken) takes it off its job;
 *   a job nobody waits for is dropped from the queue or, running, stopped through the shared
 *   cancel flag at the parser's next poll;
 * - a deadline: the worker gives up after `deadlineMs` (the parser's poll), and the host
 *   terminates a worker that has not answered `watchdogGraceMs` after that. Either way the
 *   document gets lens data that says so, cached for that version.
 */
import { refusedLensData, type PatchLensData } from "../patch/lens";
import type { HunkMapFile } from "../patch/mapper";
import { lower, raise } from "./cancel-flag";
import { CancelledError, WATCHDOG_GRACE_MS, type WorkerFactory, type WorkerHandle } from "./pool";
import type { FromWorker } from "./protocol";

/**
 * How long one parse may take in the worker, in ms: 4 MiB (LENS_MAX_CHARS) takes 0.8 s warm and
 * up to 4.4 s on a cold worker of this loaded 2-core machine (measured with tsx, parse + map),
 * so 10 s leaves room for a loaded machine and still bounds a pathological input.
 */
export const LENS_DEADLINE_MS = 10_000;
/** Documents whose lens data is kept (least recently used dropped first). */
export const LENS_CACHE_DOCUMENTS = 16;

/** A newer version of the document (or another hunk map) was asked for: this answer is dropped. */
export class SupersededError extends CancelledError {
  constructor(what: string) {
    super();
    this.name = "SupersededError";
    this.message = `superseded by ${what}`;
  }
}

export interface PatchJobsOptions {
  deadlineMs?: number;
  watchdogGraceMs?: number;
  cacheDocuments?: number;
}

export interface PatchDocument {
  uri: string;
  version: number;
  /** The workspace's hunk map for the document, or null (compared by identity). */
  map: HunkMapFile | null;
  /**
   * The document's text, read only when a job starts; undefined when the document is no longer at
   * `version` by then (the job is dropped as superseded: its text is gone).
   */
  text: () => string | undefined;
}

interface Waiter {
  resolve(d: PatchLensData): void;
  reject(e: Error): void;
}

interface Job {
  id: number;
  uri: string;
  version: number;
  map: HunkMapFile | null;
  text: (() => string | undefined) | undefined;
  waiters: Set<Waiter>;
  /** Nobody waits any more: a reply is ignored. */
  dropped: boolean;
}

interface Cached {
  version: number;
  map: HunkMapFile | null;
  data: PatchLensData;
}

/** The lens data a document gets when its parse ran out of time. */
export function pastDeadlineLensData(deadlineMs: number): PatchLensData {
  return refusedLensData(0, `hunk lenses gave up after ${deadlineMs / 1000} s of parsing; run pvsched-sim map on it`);
}

export class PatchJobs {
  private readonly cache = new Map<string, Cached>();
  private queue: Job[] = [];
  private running: Job | undefined;
  private handle: WorkerHandle | undefined;
  private starting = false;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private nextId = 1;
  private disposed = false;
  private readonly deadlineMs: number;
  private readonly graceMs: number;
  private readonly cacheDocuments: number;
  private factory: Promise<WorkerFactory> | undefined;
  /** Jobs posted to a worker (for the tests: a cache hit or a joined request posts none). */
  posted = 0;

  /** `workers` is asked for the worker transport on first use (in the web host it is chosen then). */
  constructor(
    private readonly workers: () => WorkerFactory | Promise<WorkerFactory>,
    opts: PatchJobsOptions = {},
  ) {
    this.deadlineMs = opts.deadlineMs ?? LENS_DEADLINE_MS;
    this.graceMs = opts.watchdogGraceMs ?? WATCHDOG_GRACE_MS;
    this.cacheDocuments = Math.max(1, opts.cacheDocuments ?? LENS_CACHE_DOCUMENTS);
  }

  /**
   * The lens data of a document version: cached, joined to a job in flight, or a new job.
   * Rejects with CancelledError when `signal` aborts, SupersededError when a newer version was
   * asked for, or an Error when the worker failed.
   */
  get(doc: PatchDocument, signal?: AbortSignal): Promise<PatchLensData> {
    if (this.disposed) return Promise.reject(new Error("the lens parser was disposed"));
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const hit = this.cache.get(doc.uri);
    if (hit && hit.version === doc.version && hit.map === doc.map) {
      this.cache.delete(doc.uri);
      this.cache.set(doc.uri, hit);
      return Promise.resolve(hit.data);
    }
    const live = [...this.queue, ...(this.running ? [this.running] : [])].filter((j) => j.uri === doc.uri && !j.dropped);
    for (const j of live)
      if (j.version !== doc.version || j.map !== doc.map)
        this.drop(j, new SupersededError(j.version !== doc.version ? `version ${doc.version} of ${doc.uri}` : "a new hunk map"));
    let job = live.find((j) => !j.dropped && j.version === doc.version && j.map === doc.map);
    if (!job) {
      job = { id: this.nextId++, uri: doc.uri, version: doc.version, map: doc.map, text: doc.text, waiters: new Set(), dropped: false };
      this.queue.push(job);
    }
    const promise = this.wait(job, signal);
    this.pump();
    return promise;
  }

  /** Forgets a document (closed): its cache entry and its jobs. */
  forget(uri: string): void {
    this.cache.delete(uri);
    for (const j of [...this.queue, ...(this.running ? [this.running] : [])]) if (j.uri === uri) this.drop(j, new CancelledError());
  }

  /** Forgets every document's data (the hunk maps changed). */
  clear(): void {
    this.cache.clear();
  }

  /** Documents cached now (least recently used first). */
  get cached(): string[] {
    return [...this.cache.keys()];
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const j of [...this.queue, ...(this.running ? [this.running] : [])]) this.drop(j, new CancelledError());
    clearTimeout(this.watchdog);
    const h = this.handle;
    this.handle = undefined;
    await h?.terminate().catch(() => undefined);
  }

  // -------------------------------------------------------------------------------------------

  private wait(job: Job, signal?: AbortSignal): Promise<PatchLensData> {
    return new Promise<PatchLensData>((resolve, reject) => {
      const onAbort = () => {
        job.waiters.delete(w);
        reject(new CancelledError());
        if (job.waiters.size === 0) this.drop(job, new CancelledError());
      };
      const w: Waiter = {
        resolve: (d) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(d);
        },
        reject: (e) => {
          signal?.removeEventListener("abort", onAbort);
          reject(e);
        },
      };
      job.waiters.add(w);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Nobody wants the job any more: its waiters hear `why`, and it leaves the queue or is stopped. */
  private drop(job: Job, why: Error): void {
    if (job.dropped) return;
    job.dropped = true;
    job.text = undefined;
    const waiters = [...job.waiters];
    job.waiters.clear();
    for (const w of waiters) w.reject(why);
    this.queue = this.queue.filter((j) => j !== job);
    if (job === this.running && this.handle?.cancelFlag) raise(this.handle.cancelFlag);
  }

  /** The job ended with data: cached for its version, and given to everyone waiting. */
  private finish(job: Job, data: PatchLensData): void {
    if (job.dropped) return;
    job.dropped = true;
    this.cache.delete(job.uri);
    this.cache.set(job.uri, { version: job.version, map: job.map, data });
    while (this.cache.size > this.cacheDocuments) this.cache.delete(this.cache.keys().next().value as string);
    for (const w of job.waiters) w.resolve(data);
    job.waiters.clear();
  }

  private fail(job: Job, e: Error): void {
    if (job.dropped) return;
    job.dropped = true;
    for (const w of job.waiters) w.reject(e);
    job.waiters.clear();
  }

  private pump(): void {
    if (this.running || this.starting || this.disposed || this.queue.length === 0) return;
    if (this.handle) {
      this.start(this.queue.shift()!, this.handle);
      return;
    }
    // The worker starts on first use (in the web host the factory may still be being chosen); the
    // jobs stay queued meanwhile, where a newer request can still supersede them.
    this.starting = true;
    this.factory ??= Promise.resolve().then(this.workers);
    this.factory.then(
      (factory) => {
        this.starting = false;
        if (this.disposed) return;
        try {
          this.handle = this.spawn(factory);
        } catch (e) {
          this.fail(this.queue.shift()!, new Error(`cannot start the lens worker: ${(e as Error).message ?? e}`));
        }
        this.pump();
      },
      (e: unknown) => {
        this.starting = false;
        this.factory = undefined;
        for (const j of this.queue.splice(0)) this.fail(j, new Error(`cannot start the lens worker: ${(e as Error)?.message ?? e}`));
      },
    );
  }

  private start(job: Job, handle: WorkerHandle): void {
    const text = job.text?.();
    job.text = undefined;
    if (text === undefined) {
      this.fail(job, new SupersededError(`a newer version of ${job.uri}`));
      this.pump();
      return;
    }
    this.running = job;
    if (handle.cancelFlag) lower(handle.cancelFlag);
    this.watchdog = setTimeout(() => this.onWatchdog(job), this.deadlineMs + this.graceMs);
    this.posted++;
    handle.post({ type: "map-patch", job: job.id, text, map: job.map, deadlineMs: this.deadlineMs, cancelFlag: handle.cancelFlag });
  }

  private spawn(factory: WorkerFactory): WorkerHandle {
    const h: WorkerHandle = factory({
      message: (m) => {
        if (this.handle === h) this.onMessage(m);
      },
      died: (_kind, message) => {
        if (this.handle !== h) return;
        this.handle = undefined;
        void h.terminate().catch(() => undefined);
        const job = this.end();
        if (job) this.finish(job, refusedLensData(0, `hunk lenses failed: ${message}`));
        this.pump();
      },
    });
    return h;
  }

  /** The running job's worker answered or is gone: returns the job, no longer running. */
  private end(): Job | undefined {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    const job = this.running;
    this.running = undefined;
    return job;
  }

  private onMessage(m: FromWorker): void {
    if ((m.type !== "mapped" && m.type !== "map-failed") || m.job !== this.running?.id) return;
    const job = this.end()!;
    if (m.type === "mapped") this.finish(job, m.data);
    else if (m.kind === "deadline") this.finish(job, pastDeadlineLensData(this.deadlineMs));
    else if (m.kind === "cancelled") this.fail(job, new CancelledError());
    else this.fail(job, new Error(`lens parse failed: ${m.message}`));
    this.pump();
  }

  /** The worker did not answer within the deadline and its grace: terminated, replaced on next use. */
  private onWatchdog(job: Job): void {
    if (this.running !== job) return;
    const h = this.handle;
    this.handle = undefined;
    void h?.terminate().catch(() => undefined);
    this.end();
    this.finish(job, pastDeadlineLensData(this.deadlineMs));
    this.pump();
  }
}

/**
 * The order of one requester's batches (issue 11/14: a run asked for while another runs is queued,
 * cancelled first, or not started, and never killed silently). A queued batch gets its turn only
 * when every batch admitted before it has ended, so the results land in the order the runs were
 * asked for and none is dropped.
 *
 * The pool alone does not give this: it serves batches in submission order but starts a later
 * batch on any worker that is free, so a short batch queued behind a long one-task batch ran on
 * the second worker, finished first, and the long batch's results were then refused as stale by
 * LatestResults (the whenBusy=queue bug: the first run ended without results). The stale check
 * stays, as the guard for anything that still finishes out of order.
 *
 * Pure: no VS Code or platform imports. The extension's Runner (extension/runner.ts) drives it.
 */
import { LatestResults } from "./latest";

/** One batch as the queue knows it, from its admission until it ends. */
export interface QueueSlot {
  readonly title: string;
  /** Resolves when every batch admitted before this one has ended, or at once when this one is cancelled. */
  readonly turn: Promise<void>;
  /** Cancelled before it ended: it must not start, and its results are not shown. */
  readonly cancelled: boolean;
}

interface Slot extends QueueSlot {
  cancelled: boolean;
  /** Its number for LatestResults. */
  readonly seq: number;
  /** Ends its wait for its turn early (it was cancelled). */
  readonly wake: () => void;
  /** Lets the batch admitted after it start (once the ones before it have ended too). */
  readonly release: () => void;
}

export class RunQueue {
  /** Admitted batches that have not ended, oldest first (a Set keeps insertion order). */
  private readonly slots = new Set<Slot>();
  /** Resolves when every batch admitted so far has ended: the next batch's turn. */
  private tail: Promise<void> = Promise.resolve();
  private readonly latest = new LatestResults();

  /** Batches admitted that have not ended (queued, starting or running). */
  get size(): number {
    return this.slots.size;
  }

  /** The titles of the batches admitted that have not ended, oldest first. */
  get titles(): string[] {
    return [...this.slots].map((s) => s.title);
  }

  /** Titles of the batches admitted before `slot` that have not ended: what it waits for. */
  ahead(slot: QueueSlot): string[] {
    const out: string[] = [];
    for (const s of this.slots) {
      if (s === slot) break;
      out.push(s.title);
    }
    return out;
  }

  /** Admits a batch behind every batch admitted before it. */
  admit(title: string): QueueSlot {
    const before = this.tail;
    let release!: () => void;
    const ended = new Promise<void>((r) => {
      release = r;
    });
    // The batch after this one waits for this one's end and for everything before it: a batch
    // that ends early (cancelled while queued) does not let the next one overtake the running one.
    this.tail = before.then(() => ended);
    let wake!: () => void;
    const woken = new Promise<void>((r) => {
      wake = r;
    });
    const slot: Slot = { title, seq: this.latest.begin(), cancelled: false, turn: Promise.race([before, woken]), wake, release };
    this.slots.add(slot);
    return slot;
  }

  /** Cancels one batch, or every batch admitted so far; a batch admitted later is not affected. */
  cancel(slot?: QueueSlot): void {
    for (const s of slot ? [slot as Slot] : this.slots) {
      s.cancelled = true;
      s.wake();
    }
  }

  /** True when the batch's results may be shown (and records that they were). */
  land(slot: QueueSlot): boolean {
    const s = slot as Slot;
    return !s.cancelled && this.latest.land(s.seq);
  }

  /** The batch ended (results, cancel or failure): the next one may start once those before it ended too. */
  end(slot: QueueSlot): void {
    const s = slot as Slot;
    if (!this.slots.delete(s)) return;
    s.release();
  }
}

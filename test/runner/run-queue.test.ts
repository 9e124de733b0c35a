/**
 * The order of a requester's batches (runner/run-queue.ts, driven by the extension's Runner):
 * a batch queued behind another starts only after it ended, both results land in order, and a
 * cancel reaches the queued ones. Promises are settled by the test, so the races play out the
 * same way every time; no clock is involved.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { RunQueue, type QueueSlot } from "../../runner/run-queue";

/** Lets every pending promise callback run (setImmediate runs after the microtask queue drains). */
const settle = () => new Promise<void>((r) => setImmediate(r));

/** Whether a promise has resolved yet. */
function watch(p: Promise<unknown>): () => boolean {
  let done = false;
  void p.then(() => {
    done = true;
  });
  return () => done;
}

/** A promise the test resolves by hand: a pool batch that finishes when the test says so. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * What the extension's Runner does with a slot: wait for its turn, start the batch (`work`),
 * show its results if they may land, and end. Returns the results, or undefined (cancelled or stale).
 */
async function runThrough<T>(q: RunQueue, slot: QueueSlot, work: () => Promise<T>, started: string[]): Promise<T | undefined> {
  try {
    await slot.turn;
    if (slot.cancelled) return undefined;
    started.push(slot.title);
    const r = await work();
    return q.land(slot) ? r : undefined;
  } finally {
    q.end(slot);
  }
}

test("a batch queued behind a running one gets its turn only when that one has ended", async () => {
  const q = new RunQueue();
  const first = q.admit("first");
  const second = q.admit("second");
  const firstTurn = watch(first.turn);
  const secondTurn = watch(second.turn);
  await settle();
  assert.equal(firstTurn(), true, "nothing was ahead of the first batch");
  assert.equal(secondTurn(), false, "the queued batch started while the first was running");
  assert.deepEqual(q.ahead(second), ["first"]);
  q.end(first);
  await settle();
  assert.equal(secondTurn(), true);
  assert.deepEqual(q.titles, ["second"]);
});

test("whenBusy=queue: a short batch queued behind a long one does not overtake it; both land, in order", async () => {
  // The pool has a free worker for the short batch at once; the long batch ends later. Before the
  // queue, the short one finished first and the long one's results were refused as stale.
  const q = new RunQueue();
  const started: string[] = [];
  const long = deferred<string>();
  const landed: string[] = [];
  const r1 = runThrough(q, q.admit("long"), () => long.promise, started).then((r) => (landed.push("long"), r));
  const r2 = runThrough(q, q.admit("short"), async () => "short results", started).then((r) => (landed.push("short"), r));
  await settle();
  assert.deepEqual(started, ["long"], "the queued batch was started beside the running one");
  long.resolve("long results");
  assert.deepEqual(await Promise.all([r1, r2]), ["long results", "short results"]);
  assert.deepEqual(started, ["long", "short"]);
  assert.deepEqual(landed, ["long", "short"]);
  assert.equal(q.size, 0);
});

test("a batch cancelled while queued ends at once, and the one behind it still waits for the running one", async () => {
  const q = new RunQueue();
  const a = q.admit("a");
  const b = q.admit("b");
  const c = q.admit("c");
  const bTurn = watch(b.turn);
  const cTurn = watch(c.turn);
  q.cancel(b);
  await settle();
  assert.equal(bTurn(), true, "the cancelled batch still waits");
  assert.equal(b.cancelled, true);
  assert.equal(a.cancelled || c.cancelled, false, "cancelling one batch cancelled another");
  q.end(b);
  await settle();
  assert.equal(cTurn(), false, "c overtook the running batch a after b was cancelled");
  q.end(a);
  await settle();
  assert.equal(cTurn(), true);
});

test("cancel without a batch cancels every admitted batch, and none admitted after it", async () => {
  const q = new RunQueue();
  const a = q.admit("a");
  const b = q.admit("b");
  q.cancel();
  assert.equal(a.cancelled && b.cancelled, true);
  assert.equal(q.land(a), false, "a cancelled batch's results landed");
  // whenBusy=cancel: the new batch is admitted after the cancel and runs once the cancelled end.
  const c = q.admit("c");
  assert.equal(c.cancelled, false);
  const cTurn = watch(c.turn);
  q.end(a);
  await settle();
  assert.equal(cTurn(), false, "the new batch started before every cancelled batch had ended");
  q.end(b);
  await settle();
  assert.equal(cTurn(), true);
  assert.equal(q.land(c), true);
});

test("results that still arrive out of order: the older batch's do not replace the newer one's", () => {
  const q = new RunQueue();
  const a = q.admit("a");
  const b = q.admit("b");
  assert.equal(q.land(b), true);
  assert.equal(q.land(a), false);
});

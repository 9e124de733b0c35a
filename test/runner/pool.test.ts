/**
 * The pool's bookkeeping, driven through a scripted transport: the test decides when each worker
 * answers, so races (a late reply of a cancelled batch, a batch submitted while another runs)
 * are played out deterministically. The real workers are tested in pool-workers.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { BudgetError, CancelledError, RunError, SimPool, type WorkerFactory } from "../../runner/index";
import type { FromWorker, RunMessage } from "../../runner/protocol";
import type { RunResult, Scenario } from "../../sim-core/index";

interface FakeWorker {
  id: number;
  posted: RunMessage[];
  dead: boolean;
  /** Sends a message as this worker, even after it was terminated (a reply already in flight). */
  say(m: FromWorker): void;
  /** Answers the last task posted to it with a result. */
  finish(): void;
}

/** `slowExit`: terminate() resolves only when the test calls the returned `exit()`. */
function fakeTransport(opts: { slowExit?: boolean } = {}) {
  const exits: (() => void)[] = [];
  const workers: FakeWorker[] = [];
  /** "batch.index" of every task posted, in posting order. */
  const postLog: string[] = [];
  let live = 0;
  let maxLive = 0;
  const factory: WorkerFactory = (events) => {
    live++;
    maxLive = Math.max(maxLive, live);
    const w: FakeWorker = {
      id: workers.length,
      posted: [],
      dead: false,
      say: (m) => events.message(m),
      finish: () => {
        const m = w.posted.at(-1)!;
        events.message({ type: "result", batch: m.batch, index: m.index, result: fakeResult(m) });
      },
    };
    workers.push(w);
    return {
      post: (m) => {
        // The pool posts runs only (patch jobs have their own queue, runner/patch-jobs.ts).
        if (m.type !== "run") throw new Error(`the pool posted a ${m.type} message`);
        w.posted.push(m);
        postLog.push(`${m.batch}.${m.index}`);
      },
      terminate: async () => {
        if (opts.slowExit && !w.dead) await new Promise<void>((r) => exits.push(r));
        if (!w.dead) live--;
        w.dead = true;
      },
    };
  };
  return { factory, workers, postLog, maxLive: () => maxLive, live: () => live, exit: () => exits.shift()?.() };
}

function fakeResult(m: RunMessage): RunResult {
  return {
    scenario: m.task.scenario.name,
    mode: m.task.mode.name ?? m.task.mode.mode,
    seed: m.task.scenario.seed ?? 1,
    simulated_ns: 1,
    duration_ns: 1,
    stop: "done",
    events: m.batch * 1000 + m.index,
    probes: [],
    vcpus: [],
    cpus: [],
    threads: [],
  };
}

const scenario: Scenario = { name: "s", duration_s: 1, host: { cpus: 1 } };
const tasks = (n: number) => Array.from({ length: n }, (_, i) => ({ scenario, mode: { name: `m${i}`, mode: "vanilla" as const } }));
const tick = () => new Promise((r) => setTimeout(r, 0));

test("batches are served in submission order and never use more workers than the pool has", async () => {
  const t = fakeTransport();
  const pool = new SimPool(t.factory, { size: 2 });
  const a = pool.submit(tasks(3));
  const b = pool.submit(tasks(2));
  const c = pool.submit(tasks(1));
  assert.deepEqual(pool.pending, [a.id, b.id, c.id]);
  // Finish the workers' runs alternately; each freed worker takes the oldest waiting task.
  for (let k = 0; k < 6; k++) t.workers[k % 2]!.finish();
  assert.deepEqual(t.postLog, [`${a.id}.0`, `${a.id}.1`, `${a.id}.2`, `${b.id}.0`, `${b.id}.1`, `${c.id}.0`]);
  assert.equal(t.workers.length, 2, "two workers served three batches");
  assert.ok(t.maxLive() <= 2);
  assert.deepEqual(
    (await a.results).map((r) => r.events),
    [a.id * 1000, a.id * 1000 + 1, a.id * 1000 + 2],
  );
  assert.equal((await c.results).length, 1);
  await pool.dispose();
});

test("a batch with an interim plan sends each run its checkpoints; interim replies reach only a live batch", async () => {
  const t = fakeTransport();
  const pool = new SimPool(t.factory, { size: 2 });
  const heard: string[] = [];
  // finally: a failed assertion must not leave the 15-minute watchdog timers keeping the test alive.
  try {
    const a = pool.submit(tasks(1), {
      interim: { firstS: 0.25, everyS: 0.25 },
      onInterim: (i, r) => heard.push(`${i}@${r.simulated_ns}`),
    });
    const b = pool.submit(tasks(1));
    const [ma, mb] = [t.workers[0]!.posted[0]!, t.workers[1]!.posted[0]!];
    assert.deepEqual(ma.checkpointsNs, [0.25e9, 0.5e9, 0.75e9], "every 0.25 s of the 1 s run, not at its end");
    assert.equal(mb.checkpointsNs, undefined, "no plan, no checkpoints");
    const interim = (m: RunMessage, at: number): FromWorker => ({
      type: "interim",
      batch: m.batch,
      index: m.index,
      interim: { simulated_ns: at, duration_ns: 1e9, events: 1, probes: [] },
    });
    t.workers[0]!.say(interim(ma, 0.25e9));
    t.workers[0]!.say({ ...interim(ma, 0.5e9), index: 7 } as FromWorker);
    t.workers[0]!.finish();
    t.workers[0]!.say(interim(ma, 0.75e9));
    assert.deepEqual(heard, ["0@250000000"], "a reply for another task, or after the run's result, is dropped");
    t.workers[1]!.finish();
    await Promise.all([a.results, b.results]);
  } finally {
    await pool.dispose();
  }
});

test("a cancelled batch's late reply never lands, and its worker is replaced only after it exited", async () => {
  const t = fakeTransport();
  const pool = new SimPool(t.factory, { size: 1 });
  const landed: number[] = [];
  const a = pool.submit(tasks(1), { onResult: (i) => landed.push(i) });
  const b = pool.submit(tasks(1));
  const first = t.workers[0]!;
  const stale = first.posted[0]!;
  await a.cancel(); // no shared cancel flag here: the worker is terminated
  await assert.rejects(a.results, CancelledError);
  assert.ok(first.dead);
  // The old worker's answer to the cancelled task arrives after all: it must not land anywhere.
  first.say({ type: "result", batch: stale.batch, index: stale.index, result: fakeResult(stale) });
  first.say({ type: "progress", batch: stale.batch, index: stale.index, progress: { simulated_ns: 1, duration_ns: 1, events: 1 } });
  assert.deepEqual(landed, []);
  // B runs on a fresh worker, alone.
  assert.equal(t.workers.length, 2);
  assert.ok(t.maxLive() <= 1, "never two threads at once");
  const second = t.workers[1]!;
  assert.equal(second.posted[0]!.batch, b.id);
  // A reply naming B's id but another task index is stale too.
  second.say({ type: "result", batch: b.id, index: 5, result: fakeResult(second.posted[0]!) });
  second.finish();
  assert.equal((await b.results).length, 1);
  await pool.dispose();
});

test("cancel stops every batch it names, queued or running, and leaves the others", async () => {
  const t = fakeTransport();
  const pool = new SimPool(t.factory, { size: 1 });
  const a = pool.submit(tasks(2));
  const b = pool.submit(tasks(2));
  const c = pool.submit(tasks(1));
  await pool.cancel([a.id, b.id]);
  await assert.rejects(a.results, CancelledError);
  await assert.rejects(b.results, CancelledError);
  assert.deepEqual(pool.pending, [c.id]);
  const w = t.workers.at(-1)!;
  assert.equal(w.posted.at(-1)!.batch, c.id, "C's task went out next; none of B's ever did");
  assert.ok(!t.workers.some((x) => x.posted.some((m) => m.batch === b.id)));
  w.finish();
  assert.equal((await c.results).length, 1);
  await pool.dispose();
});

test("a failed run fails its batch only; the batch's other runs are stopped", async () => {
  const t = fakeTransport();
  const pool = new SimPool(t.factory, { size: 2 });
  const a = pool.submit(tasks(3));
  const b = pool.submit(tasks(1));
  const [w0, w1] = t.workers;
  w0!.say({ type: "error", batch: a.id, index: 0, kind: "error", message: "boom" });
  await assert.rejects(a.results, (e) => e instanceof RunError && e.kind === "error" && e.message === "s (m0): boom");
  await tick();
  // w1 ran A's second task and was stopped; B's task runs now and A's third never starts.
  assert.ok(w1!.dead);
  const bWorker = t.workers.find((w) => !w.dead && w.posted.at(-1)?.batch === b.id)!;
  assert.ok(bWorker, "B's task was posted");
  assert.ok(!t.workers.some((w) => w.posted.some((m) => m.batch === a.id && m.index === 2)));
  bWorker.finish();
  assert.equal((await b.results).length, 1);
  await pool.dispose();
});

test("a worker that dies fails the run it had with the transport's reason", async () => {
  let died!: (kind: "heap-limit", message: string) => void;
  const factory: WorkerFactory = (events) => {
    died = events.died;
    return { post: () => undefined, terminate: async () => undefined };
  };
  const pool = new SimPool(factory, { size: 1 });
  const a = pool.submit(tasks(1));
  died("heap-limit", "stopped by the heap limit of 8 MB per worker");
  await assert.rejects(
    a.results,
    (e) => e instanceof RunError && e.kind === "heap-limit" && /s \(m0\): stopped by the heap limit/.test(e.message),
  );
  await pool.dispose();
});

test("the watchdog terminates a worker that does not answer within the wall-clock limit", async () => {
  const t = fakeTransport();
  const pool = new SimPool(t.factory, { size: 1, limits: { wallMs: 5 }, watchdogGraceMs: 5 });
  const a = pool.submit(tasks(1));
  await assert.rejects(a.results, (e) => e instanceof RunError && e.kind === "wall-limit" && /did not answer/.test(e.message));
  assert.ok(t.workers[0]!.dead);
  await pool.dispose();
});

test("a replaced worker's successor starts only once the old thread has exited", async () => {
  const t = fakeTransport({ slowExit: true });
  const pool = new SimPool(t.factory, { size: 1, limits: { wallMs: 5 }, watchdogGraceMs: 5 });
  const a = pool.submit(tasks(1));
  const b = pool.submit(tasks(1), { label: () => "b" });
  await assert.rejects(a.results, (e) => e instanceof RunError && e.kind === "wall-limit");
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(t.workers.length, 1, "no second thread while the first is still exiting");
  t.exit();
  await tick();
  assert.equal(t.workers.length, 2);
  assert.ok(t.maxLive() <= 1);
  t.workers[1]!.finish();
  assert.equal((await b.results).length, 1);
  const disposed = pool.dispose();
  await tick();
  t.exit();
  await disposed;
});

test("a batch over a budget is refused before any run starts, naming the field and the estimate", async () => {
  const t = fakeTransport();
  const pool = new SimPool(t.factory, { size: 1 });
  const nmi: Scenario = {
    name: "nmi",
    duration_s: 10,
    host: { cpus: 2 },
    vms: [{ name: "g", vcpus: 4, guest: { irq: { nmi_hz: 1e15 } } }],
  };
  const h = pool.submit([...tasks(1), { scenario: nmi, mode: { mode: "dynamic" } }]);
  await assert.rejects(h.results, (e) => {
    assert.ok(e instanceof BudgetError);
    assert.equal(e.field, "vms[0].guest.irq.nmi_hz");
    assert.match(
      e.message,
      /^nmi \(dynamic\): vms\[0\]\.guest\.irq\.nmi_hz: run over the event budget: about 4\.0e17 events in 10 simulated s/,
    );
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
  assert.equal(t.workers.length, 0, "no worker was even started");
  await pool.dispose();
});

test("an empty batch resolves at once; a disposed pool refuses batches", async () => {
  const t = fakeTransport();
  const pool = new SimPool(t.factory, { size: 1 });
  assert.deepEqual(await pool.runBatch([]), []);
  await pool.dispose();
  await assert.rejects(pool.runBatch(tasks(1)), /disposed/);
});

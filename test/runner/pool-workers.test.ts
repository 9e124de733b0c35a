/**
 * The pool with real workers: the worker bundle (built here with esbuild from
 * runner/node-worker.ts) on worker_threads, as the CLI and the desktop extension run it.
 * Cancellation, the wall-clock limit and the heap limit are checked by what they do (which error,
 * whether the worker survived), not by how fast: times are printed, not asserted.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as esbuild from "esbuild";
import { CancelledError, RunError, SimPool, type WorkerFactory } from "../../runner/index";
import { nodeWorkerFactory } from "../../runner/node";
import type { Scenario } from "../../sim-core/scenario";

const root = resolve(__dirname, "../..");
let dir = "";
let workerFile = "";

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "pvsched-worker-"));
  workerFile = join(dir, "sim-worker.cjs");
  await esbuild.build({
    entryPoints: [join(root, "runner/node-worker.ts")],
    outfile: workerFile,
    bundle: true,
    platform: "node",
    format: "cjs",
    logLevel: "error",
  });
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The Node transport, counting the worker threads it starts. */
function counted(opts: { heapMb?: number } = {}): { factory: WorkerFactory; spawned: () => number } {
  let n = 0;
  const inner = nodeWorkerFactory(workerFile, opts);
  return {
    factory: (events) => {
      n++;
      return inner(events);
    },
    spawned: () => n,
  };
}

const tiny: Scenario = {
  name: "tiny",
  duration_s: 0.05,
  warmup_ms: 0,
  host: { cpus: 1, workloads: [{ kind: "cyclictest", id: "host-cyclictest", interval_us: 1000 }] },
};

/** Long enough that it is still running when cancelled: an hour of a busy 4-CPU host and guest. */
const long: Scenario = {
  name: "long",
  duration_s: 3600,
  host: {
    cpus: 4,
    workloads: [
      { kind: "stress", workers: 4 },
      { kind: "cyclictest", id: "host-cyclictest", interval_us: 500 },
    ],
  },
  vms: [{ name: "guest", vcpus: 4, workloads: [{ kind: "cyclictest", id: "guest-cyclictest", interval_us: 500 }] }],
};

/** Resolves once the batch has reported progress (the engine is inside its event loop). */
function started(): { onProgress: () => void; running: Promise<void> } {
  let go!: () => void;
  const running = new Promise<void>((r) => (go = r));
  return { onProgress: () => go(), running };
}

test("results come back in task order; the workers stay warm across batches", async () => {
  const c = counted();
  const pool = new SimPool(c.factory, { size: 2 });
  try {
    const tasks = [
      { scenario: tiny, mode: { mode: "vanilla" as const } },
      { scenario: tiny, mode: { mode: "dynamic" as const } },
      { scenario: tiny, mode: { name: "chrt", mode: "static" as const } },
    ];
    const a = await pool.runBatch(tasks);
    assert.deepEqual(
      a.map((r) => r.mode),
      ["vanilla", "dynamic", "chrt"],
    );
    for (const r of a) assert.equal(r.stop, "done");
    const b = await pool.runBatch(tasks);
    assert.deepEqual(b, a, "deterministic: the same tasks give the same results");
    assert.equal(c.spawned(), 2, "two batches, two workers: none started for the second batch");
  } finally {
    await pool.dispose();
  }
});

test("progress arrives while a run computes, with a growing fraction", async () => {
  const pool = new SimPool(counted().factory, { size: 1 });
  try {
    const fractions: number[] = [];
    await pool.runBatch([{ scenario: { ...long, duration_s: 3 }, mode: { mode: "vanilla" } }], {
      onProgress: (p) => fractions.push(p.fraction),
    });
    assert.ok(fractions.length >= 2, `${fractions.length} progress reports`);
    for (let i = 1; i < fractions.length; i++) assert.ok(fractions[i]! >= fractions[i - 1]!);
    assert.equal(fractions.at(-1), 1);
  } finally {
    await pool.dispose();
  }
});

test("interim results arrive at the plan's checkpoints, before their run's result, which they leave unchanged", async () => {
  const pool = new SimPool(counted().factory, { size: 2 });
  try {
    const scenario: Scenario = { ...tiny, duration_s: 0.2 };
    const tasks = [
      { scenario, mode: { mode: "vanilla" as const } },
      { scenario, mode: { mode: "dynamic" as const } },
    ];
    const log: string[] = [];
    const withInterim = await pool.runBatch(tasks, {
      interim: { firstS: 0.05, everyS: 0.06 },
      onInterim: (i, r) => log.push(`${i}@${r.simulated_ns / 1e6}ms:${r.probes[0]!.latency.count}`),
      onResult: (i) => log.push(`${i} done`),
    });
    for (const i of [0, 1]) {
      const mine = log.filter((x) => x.startsWith(`${i}`));
      assert.deepEqual(
        mine.map((x) => x.replace(/:\d+$/, "")),
        [`${i}@50ms`, `${i}@110ms`, `${i}@170ms`, `${i} done`],
      );
    }
    assert.ok(
      log.some((x) => /@50ms:[1-9]/.test(x)),
      `samples by 50 ms: ${log.join(", ")}`,
    );
    assert.deepEqual(withInterim, await pool.runBatch(tasks), "the same results without interim reports");
  } finally {
    await pool.dispose();
  }
});

test("cancel stops a running run through its flag: the worker answers and stays warm", async () => {
  const c = counted();
  // A grace long enough for a starved machine: the test is about the flag being seen, not how
  // fast (the default 250 ms once failed here at load 14, replacing the worker).
  const pool = new SimPool(c.factory, { size: 1, cancelGraceMs: 60_000 });
  const samples: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const s = started();
      const batch = pool.submit([{ scenario: long, mode: { mode: "vanilla" } }], { onProgress: s.onProgress });
      await Promise.race([s.running, batch.results.then(() => assert.fail("an hour-long run finished before it could be cancelled"))]);
      const timing = await batch.cancel();
      await assert.rejects(batch.results, (e) => e instanceof CancelledError);
      samples.push(timing.stoppedMs);
      assert.ok(timing.stoppedMs <= timing.exitedMs, JSON.stringify(timing));
    }
    assert.equal(c.spawned(), 1, "the run saw its flag each time, so its worker was never replaced");
    const after = await pool.runBatch([{ scenario: tiny, mode: { mode: "vanilla" } }]);
    assert.equal(after[0]!.stop, "done");
  } finally {
    await pool.dispose();
  }
  console.log(
    `cancel -> run stopped: ${samples.map((s) => s.toFixed(1)).join(", ")} ms; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`,
  );
});

test("an abort signal cancels the batch", async () => {
  const pool = new SimPool(counted().factory, { size: 1 });
  try {
    const ac = new AbortController();
    const s = started();
    const results = pool.runBatch([{ scenario: long, mode: { mode: "vanilla" } }], { signal: ac.signal, onProgress: s.onProgress });
    await s.running;
    ac.abort();
    await assert.rejects(results, (e) => e instanceof CancelledError);
    await assert.rejects(pool.runBatch([{ scenario: tiny, mode: { mode: "vanilla" } }], { signal: ac.signal }), CancelledError);
  } finally {
    await pool.dispose();
  }
});

test("the wall-clock limit stops a run inside its worker, which then serves the next batch", async () => {
  const c = counted();
  const pool = new SimPool(c.factory, { size: 1, limits: { wallMs: 300 } });
  try {
    await assert.rejects(
      pool.runBatch([{ scenario: long, mode: { mode: "vanilla" } }]),
      (e) =>
        e instanceof RunError && e.kind === "wall-limit" && /long \(vanilla\): stopped by the wall-clock limit of 0\.3 s/.test(e.message),
    );
    assert.equal((await pool.runBatch([{ scenario: tiny, mode: { mode: "vanilla" } }]))[0]!.stop, "done");
    assert.equal(c.spawned(), 1, "the worker stopped the run itself and was kept");
  } finally {
    await pool.dispose();
  }
});

test("the heap limit ends only the worker: the batch fails with a heap-limit error and the pool goes on", async () => {
  const c = counted({ heapMb: 24 });
  // Budgets off: this run is meant to outgrow the heap. The timeline's columns are typed arrays
  // (outside the V8 heap), so the size comes from the world itself: 256 CPUs, 512 vCPUs and
  // 4000 threads take over 30 MB of heap (measured).
  const pool = new SimPool(c.factory, { size: 1, budget: false });
  const hog: Scenario = {
    name: "hog",
    duration_s: 1,
    timeline: { enabled: true },
    host: { cpus: 256, workloads: [{ kind: "periodic", threads: 800, period_us: 100, work: { const_us: 20 } }] },
    vms: Array.from({ length: 32 }, (_, i) => ({
      name: `vm${i}`,
      vcpus: 16,
      workloads: [{ kind: "periodic" as const, threads: 100, period_us: 100, work: { const_us: 20 } }],
    })),
  };
  try {
    await assert.rejects(
      pool.runBatch([{ scenario: hog, mode: { mode: "vanilla" } }]),
      (e) => e instanceof RunError && e.kind === "heap-limit" && /hog \(vanilla\): stopped by the heap limit of 24 MB/.test(e.message),
    );
    assert.equal((await pool.runBatch([{ scenario: tiny, mode: { mode: "vanilla" } }]))[0]!.stop, "done");
    assert.equal(c.spawned(), 2, "a fresh worker replaced the one the heap limit ended");
  } finally {
    await pool.dispose();
  }
});

test("a simulation error rejects the batch with the worker's message", async () => {
  const pool = new SimPool(counted().factory, { size: 1, budget: false });
  try {
    const broken = { name: "broken" } as unknown as Scenario; // no host: sim-core cannot build it
    await assert.rejects(
      pool.runBatch([{ scenario: broken, mode: { mode: "vanilla" } }]),
      (e) => e instanceof RunError && e.kind === "error" && e.message.startsWith("broken (vanilla): "),
    );
  } finally {
    await pool.dispose();
  }
});

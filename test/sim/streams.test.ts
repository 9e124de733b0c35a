/**
 * Random streams: one per source, a pure function of (seed, name), so that a source draws the
 * same numbers whatever else the run contains (common random numbers across modes and
 * ablations).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { simulate, type Scenario } from "../../sim-core";
import { Rng, Streams } from "../../sim-core/rng";

const draws = (r: Rng, n = 8) => Array.from({ length: n }, () => r.u32());

test("a stream is a function of (seed, name) only", () => {
  assert.deepEqual(draws(new Rng(7, "host/w0/a.0")), draws(new Rng(7, "host/w0/a.0")));
  assert.notDeepEqual(draws(new Rng(7, "host/w0/a.0")), draws(new Rng(7, "host/w0/a.1")));
  assert.notDeepEqual(draws(new Rng(7, "host/w0/a.0")), draws(new Rng(8, "host/w0/a.0")));
});

test("xoshiro128** output is uniform enough: mean of 100k floats within 0.5% of 1/2", () => {
  const r = new Rng(1, "x");
  let s = 0;
  for (let i = 0; i < 100_000; i++) s += r.float();
  assert.ok(Math.abs(s / 100_000 - 0.5) < 0.005);
});

test("asking twice for one stream is refused (two sources would share draws)", () => {
  const s = new Streams(1);
  s.get("a");
  assert.throws(() => s.get("a"), /requested twice/);
});

test("a workload draws the same numbers whether or not another workload is added after it", () => {
  // Two CPUs, two pinned bursty threads that never meet: thread 0's bursts (gap and work
  // draws) must not move when a second, unrelated source joins the run.
  const base: Scenario = {
    name: "crn",
    duration_s: 2,
    warmup_ms: 0,
    host: {
      cpus: 2,
      workloads: [{ kind: "bursty", id: "a", cpu: 0, gap: { exp_mean_us: 3000 }, work: { lognormal_median_us: 500, lognormal_gsd: 2 } }],
    },
    modes: ["vanilla"],
  };
  const more: Scenario = structuredClone(base);
  more.host.workloads!.push({ kind: "bursty", id: "b", cpu: 1, gap: { exp_mean_us: 2000 }, work: { exp_mean_us: 700 } });
  const a1 = simulate(base, "vanilla").threads.find((t) => t.name === "a.0")!;
  const a2 = simulate(more, "vanilla").threads.find((t) => t.name === "a.0")!;
  assert.ok(a1.runtime_ns > 0);
  assert.equal(a2.runtime_ns, a1.runtime_ns);
});

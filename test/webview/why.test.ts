/**
 * The "Why late" tab's model (webview/lib/why.ts): mean parts per sample per probe and mode, on
 * one scale per probe, with the run each bar came from; and the timeline window of a sample.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { LatencyPart, ProbeResult, RunResult } from "../../sim-core/results";
import { sampleWindow, tailTargets, whyModel } from "../../webview/lib/why";

const zero: Record<LatencyPart, number> = {
  timer: 0,
  host_irq: 0,
  host_wait: 0,
  exit_entry: 0,
  guest_irq: 0,
  guest_wait: 0,
  context_switch: 0,
};

function probe(id: string, samples: number, parts: Partial<Record<LatencyPart, number>>, worst = false): ProbeResult {
  const p = { id, side: "guest", kind: "cyclictest", latency: { count: samples } } as unknown as ProbeResult;
  p.why = { parts_ns: { ...zero, ...parts }, samples, unexplained: 0 };
  if (worst)
    p.why.worst = {
      wake_ns: 5_000_000,
      run_ns: 5_300_000,
      latency_ns: 300_000,
      parts_ns: { ...zero, host_wait: 300_000 },
      chain: [{ t_ns: 5_000_000, part: "host_wait", text: "timer expired at 0.005000 s" }],
    };
  return p;
}

const run = (mode: string, probes: ProbeResult[]) => ({ scenario: "s", mode, probes }) as unknown as RunResult;

test("bars give the mean per sample of each part in us, on the probe's largest total, and name their run", () => {
  const runs = [
    run("vanilla", [probe("ct", 4, { host_wait: 40_000, guest_irq: 8_000 }, true)]),
    run("dynamic", [probe("ct", 2, { host_wait: 2_000, exit_entry: 6_000 })]),
  ];
  const [m, ...rest] = whyModel(runs);
  assert.equal(rest.length, 0);
  assert.equal(m!.name, "ct");
  const [van, dyn] = m!.bars;
  assert.equal(van!.run, 0);
  assert.equal(dyn!.run, 1);
  const us = (b: typeof van, id: LatencyPart) => b!.parts.find((p) => p.id === id)!.us;
  assert.equal(us(van, "host_wait"), 10);
  assert.equal(us(van, "guest_irq"), 2);
  assert.equal(van!.totalUs, 12);
  assert.equal(us(dyn, "host_wait"), 1);
  assert.equal(us(dyn, "exit_entry"), 3);
  assert.equal(dyn!.totalUs, 4);
  assert.equal(m!.maxUs, 12);
  assert.ok(van!.worst);
  assert.equal(dyn!.worst, undefined);
});

test("probes without an explanation (older results) give no bars", () => {
  const p = probe("ct", 1, {});
  delete p.why;
  assert.deepEqual(whyModel([run("vanilla", [p])]), []);
});

test("a sample's timeline window is its latency again on each side, at least 20 us", () => {
  assert.deepEqual(sampleWindow({ wake_ns: 1_000_000, run_ns: 1_300_000, latency_ns: 300_000, parts_ns: zero, chain: [] }), {
    from: 700_000,
    to: 1_600_000,
  });
  assert.deepEqual(sampleWindow({ wake_ns: 1_000_000, run_ns: 1_005_000, latency_ns: 5_000, parts_ns: zero, chain: [] }), {
    from: 980_000,
    to: 1_025_000,
  });
});

test("tail targets: each explained tail bin with its edges, count and run; none without the run's timeline", () => {
  const p = probe("ct", 10, { host_wait: 1000 });
  const edges = [0, 1, 2, 5, 10];
  p.latency = { count: 10, histogram: { edges_us: edges, counts: [6, 0, 3, 1] } } as unknown as ProbeResult["latency"];
  const sample = (bin: number, latency_ns: number) => ({
    bin,
    wake_ns: 1_000_000,
    run_ns: 1_000_000 + latency_ns,
    latency_ns,
    parts_ns: { ...zero, host_wait: latency_ns },
    chain: [],
  });
  p.why!.tail = [sample(3, 7_000), sample(2, 4_000)];
  const other = run("vanilla", [probe("ct", 1, {})]);
  const mine = { ...run("dynamic", [p]), timeline: {} } as unknown as RunResult;
  const t = tailTargets([other, mine], p);
  assert.deepEqual(
    t.map((x) => [x.run, x.lo_us, x.hi_us, x.count, x.sample.latency_ns]),
    [
      [1, 5, 10, 1, 7_000],
      [1, 2, 5, 3, 4_000],
    ],
  );
  assert.deepEqual(tailTargets([other, run("dynamic", [p])], p), []);
  assert.deepEqual(tailTargets([other, mine], undefined), []);
});

/**
 * Latency statistics (sim-core/metrics.ts) against values worked by hand: nearest-rank
 * percentiles (the p-th percentile of n sorted samples is the ceil(p * n)-th), the log-spaced
 * histogram's edges (10 per decade, 3 significant digits, 0.1 us to 10 s), the bin a latency
 * falls in, the tail's first bin, and what a probe keeps (warm-up, worst sample, audio deadlines).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { histBin, latencyStats, Probe, tailFromBin } from "../../sim-core/metrics";

const us = (xs: number[]) => Float64Array.from(xs.map((x) => x * 1000));

test("the histogram's edges: 0, then 10 per decade from 0.1 us to 10 s at 3 significant digits", () => {
  const e = latencyStats(new Float64Array(0)).histogram.edges_us;
  assert.equal(e.length, 82);
  assert.deepEqual(e.slice(0, 12), [0, 0.1, 0.126, 0.158, 0.2, 0.251, 0.316, 0.398, 0.501, 0.631, 0.794, 1]);
  // Every tenth edge is a power of ten; the last is 10 s.
  for (let d = 0; d <= 8; d++) assert.equal(e[1 + 10 * d], 10 ** (d - 1));
  assert.equal(e[81], 1e7);
});

test("a latency's bin: [edge b, edge b+1), under 0.1 us in bin 0, from 7.94 s on in the last", () => {
  assert.equal(histBin(0), 0);
  assert.equal(histBin(99), 0);
  assert.equal(histBin(100), 1); // 0.1 us is the second edge
  assert.equal(histBin(125), 1);
  assert.equal(histBin(126), 2);
  assert.equal(histBin(999), 10);
  assert.equal(histBin(1000), 11);
  assert.equal(histBin(3160), 16); // 10^0.5 us rounds to 3.16
  assert.equal(histBin(3159), 15);
  assert.equal(histBin(7_939_999_999), 79);
  assert.equal(histBin(7_940_000_000), 80); // 81 bins: the last holds [7.94 s, 10 s) and everything above
  assert.equal(histBin(10_000_000_000), 80);
  assert.equal(histBin(1e15), 80);
});

test("statistics of five samples: nearest-rank percentiles, mean and extremes in us", () => {
  const s = latencyStats(us([5, 1, 4, 2, 3]));
  assert.equal(s.count, 5);
  assert.equal(s.min_us, 1);
  assert.equal(s.max_us, 5);
  assert.equal(s.avg_us, 3);
  assert.equal(s.p50_us, 3); // ceil(2.5) = 3rd
  assert.equal(s.p90_us, 5); // ceil(4.5) = 5th
  assert.equal(s.p99_us, 5);
  assert.equal(s.p999_us, 5);
  assert.equal(s.histogram.counts.length, 81);
  // 1 us in bin 11, 2 in 14 ([2, 2.51)), 3 in 15 ([2.51, 3.16)), 4 in 17 ([3.98, 5.01)), 5 in 17.
  const nonzero = s.histogram.counts.flatMap((c, b) => (c ? [[b, c]] : []));
  assert.deepEqual(nonzero, [
    [11, 1],
    [14, 1],
    [15, 1],
    [17, 2],
  ]);
});

test("statistics of 1 000 samples 1..1000 us, given in reverse: p50 = 500, p90 = 900, p99 = 990, p99.9 = 999", () => {
  const s = latencyStats(us(Array.from({ length: 1000 }, (_, i) => 1000 - i)));
  assert.deepEqual([s.min_us, s.p50_us, s.p90_us, s.p99_us, s.p999_us, s.max_us], [1, 500, 900, 990, 999, 1000]);
  assert.equal(s.avg_us, 500.5);
  assert.equal(
    s.histogram.counts.reduce((a, c) => a + c, 0),
    1000,
  );
  // Samples above 100 us sort numerically, not as strings: 1000 us is the largest.
  const t = latencyStats(us([9, 10, 100, 1000, 20]));
  assert.deepEqual([t.min_us, t.p50_us, t.max_us], [9, 20, 1000]);
});

test("sums and averages are rounded to the ns (3 decimals of a us)", () => {
  const s = latencyStats(Float64Array.from([1234.4, 1234.6]));
  assert.equal(s.min_us, 1.234);
  assert.equal(s.max_us, 1.235);
  assert.equal(s.avg_us, 1.235); // 1234.5 ns
  assert.equal(latencyStats(Float64Array.from([2, 2, 3])).avg_us, 0.002); // 2.33 ns
});

test("no samples: every statistic 0 and an empty histogram", () => {
  const s = latencyStats(new Float64Array(0));
  assert.deepEqual([s.count, s.min_us, s.avg_us, s.max_us, s.p50_us, s.p90_us, s.p99_us, s.p999_us], [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(s.histogram.counts.length, 81);
  assert.ok(s.histogram.counts.every((c) => c === 0));
});

test("the tail's first bin holds the 90th percentile", () => {
  // 10 samples: p90 is the 9th; bins hold 5, 3, 1, 1 -> cumulative 5, 8, 9: the 9th is in bin 2.
  assert.equal(tailFromBin([5, 3, 1, 1]), 2);
  // 5, 4 -> the 9th is in bin 1 (cumulative 9 reaches rank 9 exactly).
  assert.equal(tailFromBin([5, 4, 1]), 1);
  // One sample: its bin.
  assert.equal(tailFromBin([0, 0, 1, 0]), 2);
  // 100 samples in bin 0 and 1 above: p90 (the 91st) is in bin 0.
  assert.equal(tailFromBin([100, 0, 1]), 0);
  // Leading empty bins are skipped.
  assert.equal(tailFromBin([0, 0, 0, 4, 6]), 4);
  // The p90 of latencyStats is in the tail's first bin (the 1..1000 us samples: 900 us, bin 40).
  const s = latencyStats(us(Array.from({ length: 1000 }, (_, i) => i + 1)));
  assert.equal(tailFromBin(s.histogram.counts), histBin(900_000));
  assert.equal(histBin(900_000), 40);
});

test("a probe drops warm-up samples, grows past 1024 samples and remembers when its worst one was", () => {
  const p = new Probe("vm0/cyclictest#0", "guest", "cyclictest", "vm0", 1000);
  p.record(99_000, 999); // warm-up: dropped
  for (let i = 0; i < 1500; i++) p.record(1000 + (i % 7), 1000 + i);
  p.record(50_000, 5000);
  p.record(50_000, 6000); // a tie does not move the worst sample's time
  const r = p.result();
  assert.equal(r.latency.count, 1502);
  assert.equal(r.latency.max_us, 50);
  assert.equal(r.latency.min_us, 1);
  assert.equal(r.max_at_ns, 5000);
  assert.equal(p.maxAtNs, 5000);
  assert.equal(r.vm, "vm0");
  assert.equal(r.side, "guest");
  assert.equal(r.kind, "cyclictest");
  assert.equal(r.id, "vm0/cyclictest#0");
  assert.ok(!("callbacks" in r) && !("glitches" in r));
});

test("a probe's first sample is its worst until a larger one comes, whatever its size", () => {
  const p = new Probe("host/periodic#0", "host", "periodic", undefined, 0);
  p.record(0, 70);
  assert.equal(p.result().max_at_ns, 70);
  p.record(5, 80);
  assert.equal(p.result().max_at_ns, 80);
});

test("a host probe has no vm and, without samples, no max_at_ns", () => {
  const r = new Probe("host/cyclictest#0", "host", "cyclictest", undefined, 0).result();
  assert.ok(!("vm" in r));
  assert.ok(!("max_at_ns" in r));
  assert.equal(r.latency.count, 0);
});

test("an audio probe counts callbacks after warm-up, and a glitch only past the deadline", () => {
  const p = new Probe("vm0/audio#0", "guest", "audio", "vm0", 100);
  p.callback(50, 0); // warm-up, late: not counted
  p.callback(200, 300);
  p.callback(300, 300); // on the deadline: in time
  p.callback(301, 300);
  const r = p.result();
  assert.equal(r.callbacks, 3);
  assert.equal(r.glitches, 1);
  assert.equal(p.callbacks, 3);
  assert.equal(p.glitches, 1);
});

test("a sample taken exactly at the end of warm-up counts; a worst sample at time -0 is reported at 0", () => {
  const p = new Probe("host/cyclictest#0", "host", "cyclictest", undefined, 500);
  p.record(1000, 500);
  const r = p.result();
  assert.equal(r.latency.count, 1);
  const audio = new Probe("vm0/audio#0", "guest", "audio", "vm0", 500);
  audio.callback(500, 600);
  assert.equal(audio.result().callbacks, 1);
  const q = new Probe("host/cyclictest#1", "host", "cyclictest", undefined, 0);
  q.record(0, -0);
  assert.ok(Object.is(q.result().max_at_ns, 0), "max_at_ns is +0, never -0");
});

test("each result has its own copy of the histogram's edges", () => {
  const a = latencyStats(new Float64Array(0));
  a.histogram.edges_us[1] = 42;
  const b = latencyStats(Float64Array.from([1000]));
  b.histogram.edges_us[2] = 43;
  assert.equal(latencyStats(new Float64Array(0)).histogram.edges_us[1], 0.1);
  assert.equal(latencyStats(Float64Array.from([1000])).histogram.edges_us[2], 0.126);
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";

import {
  compareOrdering,
  cyclictestSamples,
  ksSamplesVsBinned,
  orderString,
  parseCyclictestHistogram,
  parseVcpuSamples,
  ratio,
  withinFactor,
} from "../../fidelity/stats";
import { ecdf, ksSamples, quantile, summarize } from "../../report/stats";

const asc = (xs: number[]) => Float64Array.from(xs).sort();

/** Brute-force KS: evaluate both ECDFs at every sample point. */
function ksBrute(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (const x of [...a, ...b]) d = Math.max(d, Math.abs(ecdf(a, x) - ecdf(b, x)));
  return d;
}

describe("cyclictest histogram parsing", () => {
  const text = [
    "# /dev/cpu_dma_latency set to 0us",
    "# Histogram",
    "000000 000000\t000001",
    "000001 000002\t000000",
    "000002 000001\t000003",
    "000003 000000\t000000",
    "# Total: 000000004 000000005",
    "# Min Latencies: 00001 00000",
    "# Avg Latencies: 00004 00001",
    "# Max Latencies: 00009 00002",
    "# Histogram Overflows: 00001 00001",
    "# Histogram Overflow at cycle number:",
    "# Thread 0: 00017",
    "# Thread 1: 00003",
    "",
  ].join("\n");

  it("reads one column per thread and the trailer", () => {
    const h = parseCyclictestHistogram(text);
    assert.deepEqual(h.counts, [
      [0, 2, 1, 0],
      [1, 0, 3, 0],
    ]);
    assert.deepEqual(h.overflows, [1, 1]);
    assert.deepEqual(h.total, [4, 5]);
    assert.deepEqual(h.max_us, [9, 2]);
    assert.deepEqual(h.avg_us, [4, 1]);
  });

  it("expands buckets to midpoints and puts overflows at the thread max", () => {
    const s = cyclictestSamples(parseCyclictestHistogram(text));
    assert.equal(s.overflowed, 2);
    // Thread 1's max (2) is below the histogram top (4 buckets): the overflow goes to the top.
    assert.deepEqual([...s.sorted], [0.5, 1.5, 1.5, 2.5, 2.5, 2.5, 2.5, 4, 9]);
  });

  it("rejects garbage lines", () => {
    assert.throws(() => parseCyclictestHistogram("000000 000001\nhello world\n"), /unexpected line/);
    assert.throws(() => parseCyclictestHistogram("# only comments\n"), /no buckets/);
  });
});

describe("vcpu_like sample parsing", () => {
  it("converts ns to us and sorts", () => {
    const s = parseVcpuSamples("0 5000 100\n1 1500 -20\n0 2500 0\n");
    assert.deepEqual([...s.latency], [1.5, 2.5, 5]);
    assert.deepEqual([...s.stretch], [-0.02, 0, 0.1]);
    assert.throws(() => parseVcpuSamples("0 12\n"), /unexpected line/);
  });
});

describe("summaries", () => {
  it("uses nearest-rank percentiles", () => {
    const xs = asc(Array.from({ length: 100 }, (_, i) => i + 1));
    assert.equal(quantile(xs, 0.5), 50);
    assert.equal(quantile(xs, 0.99), 99);
    assert.equal(quantile(xs, 1), 100);
    assert.equal(quantile(asc([7]), 0.99), 7);
    const s = summarize(xs);
    assert.equal(s.avg_us, 50.5);
    assert.equal(s.min_us, 1);
    assert.equal(s.max_us, 100);
    assert.ok(Number.isNaN(quantile(new Float64Array(0), 0.5)));
  });

  it("computes ratios and the 2x window", () => {
    assert.equal(ratio(30, 10), 3);
    assert.equal(ratio(30, 0), null);
    assert.equal(ratio(undefined, 10), null);
    assert.equal(withinFactor(2), true);
    assert.equal(withinFactor(0.5), true);
    assert.equal(withinFactor(2.01), false);
    assert.equal(withinFactor(0.49), false);
    assert.equal(withinFactor(null), false);
  });
});

describe("Kolmogorov-Smirnov", () => {
  it("is 0 for identical and 1 for disjoint samples", () => {
    assert.equal(ksSamples(asc([1, 2, 3]), asc([3, 2, 1])), 0);
    assert.equal(ksSamples(asc([1, 2]), asc([5, 6, 7])), 1);
  });

  it("matches a hand-computed value", () => {
    // F_a jumps by 1/4 at 1,2,3,4; F_b at 3,4,5,6. At x=2: 0.5 vs 0.
    assert.equal(ksSamples(asc([1, 2, 3, 4]), asc([3, 4, 5, 6])), 0.5);
  });

  it("agrees with brute force, is symmetric and bounded (property)", () => {
    const arr = fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(arr, arr, (x, y) => {
        const a = asc(x);
        const b = asc(y);
        const d = ksSamples(a, b);
        assert.ok(d >= 0 && d <= 1);
        assert.ok(Math.abs(d - ksSamples(b, a)) < 1e-12);
        assert.ok(Math.abs(d - ksBrute(a, b)) < 1e-12);
      }),
    );
  });

  it("compares samples with a binned distribution at the bin edges", () => {
    const bins = { edges_us: [0, 10, 20, 40], counts: [1, 2, 1] };
    // Samples distributed exactly like the bins: distance 0.
    assert.equal(ksSamplesVsBinned(asc([5, 12, 18, 30]), bins), 0);
    // All samples in the top bin: at edge 20 the bins have 3/4 below, the samples 0.
    assert.equal(ksSamplesVsBinned(asc([25, 30, 35, 39]), bins), 0.75);
    // Samples below the first edge count against a histogram that starts above them.
    assert.equal(ksSamplesVsBinned(asc([-1, 5, 12, 30]), { edges_us: [0, 10, 20, 40], counts: [1, 2, 1] }), 0.25);
    assert.ok(Number.isNaN(ksSamplesVsBinned(asc([1]), { edges_us: [0, 1], counts: [0] })));
  });

  it("binned KS never exceeds the exact KS against the same samples (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 40 }),
        (x, y) => {
          const a = asc(x);
          const b = asc(y);
          const edges = [0, 5, 10, 20, 40, 51];
          const counts = edges.slice(0, -1).map((e, i) => b.filter((v) => v >= e && v < edges[i + 1]!).length);
          assert.ok(ksSamplesVsBinned(a, { edges_us: edges, counts }) <= ksSamples(a, b) + 1e-12);
        },
      ),
    );
  });
});

describe("mode ordering", () => {
  it("names the order with ties", () => {
    assert.equal(orderString({ vanilla: 300, dynamic: 100, static: 95 }), "static = dynamic < vanilla");
    assert.equal(orderString({ vanilla: 300, dynamic: 150, static: 95 }), "static < dynamic < vanilla");
    // 2 us absolute floor: tiny values are ties.
    assert.equal(orderString({ a: 1, b: 2.5 }), "a = b");
  });

  it("agrees when the orders match, even if one side has a tie", () => {
    const c = compareOrdering({ vanilla: 300, dynamic: 150, static: 95 }, { vanilla: 900, dynamic: 100, static: 97 });
    assert.equal(c.agrees, true);
    assert.equal(c.exact, false);
    assert.deepEqual(c.inversions, []);
    assert.equal(c.sim, "static = dynamic < vanilla");
    const e = compareOrdering({ vanilla: 300, static: 95 }, { vanilla: 900, static: 10 });
    assert.equal(e.exact, true);
  });

  it("reports strict inversions", () => {
    const c = compareOrdering({ vanilla: 300, dynamic: 150, static: 95 }, { vanilla: 90, dynamic: 150, static: 300 });
    assert.equal(c.agrees, false);
    assert.deepEqual(c.inversions.sort(), ["dynamic/static", "vanilla/dynamic", "vanilla/static"].sort());
  });

  it("compares only names present on both sides", () => {
    const c = compareOrdering({ vanilla: 300, dynamic: 150, static: 95 }, { vanilla: 400, static: 50 });
    assert.equal(c.real, "static < vanilla");
    assert.equal(c.agrees, true);
  });
});

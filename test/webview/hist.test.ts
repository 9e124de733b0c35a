import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { binsOf, cdf, extent, fractions, occupied, quantileUpperBound, total } from "../../webview/lib/hist";

const H = { edges_us: [1, 10, 100, 1000, 10000], counts: [0, 6, 3, 1] };

test("binsOf pairs counts with edges", () => {
  assert.deepEqual(binsOf(H), [
    { lo: 1, hi: 10, count: 0 },
    { lo: 10, hi: 100, count: 6 },
    { lo: 100, hi: 1000, count: 3 },
    { lo: 1000, hi: 10000, count: 1 },
  ]);
});

test("binsOf drops malformed bins instead of drawing nonsense", () => {
  assert.deepEqual(binsOf(undefined), []);
  assert.deepEqual(binsOf({ edges_us: [1, 10], counts: [1, 2, 3] }), [{ lo: 1, hi: 10, count: 1 }]);
  assert.deepEqual(
    binsOf({ edges_us: [1, 10, 5, 20], counts: [1, 2, 3] }).map((b) => b.lo),
    [1, 5],
  );
  assert.deepEqual(binsOf({ edges_us: [1, 10, 20], counts: [-1, NaN] }), []);
});

test("occupied trims empty bins at both ends", () => {
  assert.deepEqual(
    occupied(binsOf(H)).map((b) => b.lo),
    [10, 100, 1000],
  );
  assert.deepEqual(occupied(binsOf({ edges_us: [1, 2, 3], counts: [0, 0] })), []);
});

test("cdf starts at 0, ends at 1, and steps by each bin's share", () => {
  const c = cdf(binsOf(H));
  assert.deepEqual(
    c.map((p) => p.x),
    [10, 100, 1000, 10000],
  );
  assert.deepEqual(
    c.map((p) => p.p),
    [0, 0.6, 0.9, 1],
  );
  assert.deepEqual(cdf([]), []);
});

test("quantileUpperBound reads the bin where the CDF reaches q", () => {
  const b = binsOf(H);
  assert.equal(quantileUpperBound(b, 0.5), 100);
  assert.equal(quantileUpperBound(b, 0.9), 1000);
  assert.equal(quantileUpperBound(b, 0.99), 10000);
});

test("extent spans the occupied bins of all series", () => {
  assert.deepEqual(extent([binsOf(H), binsOf({ edges_us: [1, 2, 3], counts: [5, 0] })]), [1, 10000]);
  assert.equal(extent([[]]), undefined);
});

const histArb = fc
  .array(fc.tuple(fc.double({ min: 0.01, max: 10, noNaN: true }), fc.nat(1000)), { minLength: 1, maxLength: 40 })
  .map((parts) => {
    const edges = [1];
    for (const [w] of parts) edges.push(edges[edges.length - 1]! + w);
    return { edges_us: edges, counts: parts.map(([, c]) => c) };
  });

test("properties: fractions sum to 1 and the CDF is monotone in x and p", () => {
  fc.assert(
    fc.property(histArb, (h) => {
      const b = binsOf(h);
      const t = total(b);
      const f = fractions(b);
      const sum = f.reduce((a, x) => a + x.count, 0);
      if (t > 0) assert.ok(Math.abs(sum - 1) < 1e-9);
      else assert.equal(sum, 0);
      const c = cdf(b);
      for (let i = 1; i < c.length; i++) {
        assert.ok(c[i]!.x > c[i - 1]!.x);
        assert.ok(c[i]!.p >= c[i - 1]!.p);
      }
      if (t > 0) assert.equal(c[c.length - 1]!.p, 1);
    }),
  );
});

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decadeDomain, linearScale, linearTicks, logScale, logTicks } from "../../webview/lib/scale";

test("logScale maps decades to equal pixel steps and inverts", () => {
  const s = logScale([1, 1000], [0, 300]);
  assert.equal(s.map(1), 0);
  assert.ok(Math.abs(s.map(10) - 100) < 1e-9);
  assert.ok(Math.abs(s.map(100) - 200) < 1e-9);
  assert.equal(s.map(1000), 300);
  assert.ok(Math.abs(s.invert(150) - Math.sqrt(1000)) < 1e-9);
});

test("logScale clamps zero, negatives and out-of-domain values to the axis", () => {
  const s = logScale([1, 1000], [10, 310]);
  assert.equal(s.map(0), 10);
  assert.equal(s.map(-5), 10);
  assert.equal(s.map(1e9), 310);
});

test("logScale round-trips inside its domain", () => {
  fc.assert(
    fc.property(fc.double({ min: 1e-3, max: 1e6, noNaN: true }), (v) => {
      const s = logScale([1e-3, 1e6], [0, 900]);
      assert.ok(Math.abs(s.invert(s.map(v)) / v - 1) < 1e-9);
    }),
  );
});

test("decadeDomain widens to whole decades", () => {
  assert.deepEqual(decadeDomain(3, 4500), [1, 10000]);
  assert.deepEqual(decadeDomain(10, 100), [10, 100]);
  assert.deepEqual(decadeDomain(5, 5), [1, 10]);
  assert.deepEqual(decadeDomain(0, 0), [1, 10]);
});

test("logTicks: decades labelled, 2..9 as minor ticks; 2 and 5 labelled on a short axis", () => {
  const t = logTicks(1, 1000);
  assert.deepEqual(t.major, [1, 10, 100, 1000]);
  assert.equal(t.minor.length, 8 * 3);
  assert.ok(t.minor.includes(20) && t.minor.includes(900));
  const short = logTicks(1, 10);
  assert.deepEqual(short.major, [1, 2, 5, 10]);
  assert.deepEqual(logTicks(0, 10), { major: [], minor: [] });
});

test("logTicks stay inside the domain", () => {
  fc.assert(
    fc.property(fc.double({ min: 1e-2, max: 1e5, noNaN: true }), fc.double({ min: 1.01, max: 1e4, noNaN: true }), (lo, k) => {
      const hi = lo * k;
      const t = logTicks(lo, hi);
      for (const v of [...t.major, ...t.minor]) assert.ok(v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9), `${v} in [${lo}, ${hi}]`);
    }),
  );
});

test("linearTicks are 1-2-5 steps inside the range", () => {
  assert.deepEqual(linearTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(linearTicks(930e6, 1110e6, 4), [950e6, 1000e6, 1050e6, 1100e6]);
  const s = linearScale([0, 10], [100, 0]);
  assert.equal(s.map(5), 50);
  assert.equal(s.invert(25), 7.5);
});

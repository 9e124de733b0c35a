import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { clamp, pan, zoom, type Bounds } from "../../webview/lib/viewport";

const B: Bounds = { min: 0, max: 1_000_000, minSpan: 1000 };

test("zoom keeps the time under the anchor in place", () => {
  const vp = { from: 0, to: 1_000_000 };
  const z = zoom(vp, 4, 0.25, B);
  assert.equal(z.to - z.from, 250_000);
  assert.equal(z.from + 0.25 * (z.to - z.from), 250_000);
});

test("zoom stops at the minimum span and at the whole run", () => {
  let vp = { from: 0, to: 1_000_000 };
  for (let i = 0; i < 50; i++) vp = zoom(vp, 2, 0.5, B);
  assert.equal(vp.to - vp.from, 1000);
  for (let i = 0; i < 50; i++) vp = zoom(vp, 0.5, 0.5, B);
  assert.deepEqual(vp, { from: 0, to: 1_000_000 });
});

test("pan moves by a fraction of the span and stops at the ends", () => {
  assert.deepEqual(pan({ from: 100_000, to: 200_000 }, 0.5, B), { from: 150_000, to: 250_000 });
  assert.deepEqual(pan({ from: 100_000, to: 200_000 }, -5, B), { from: 0, to: 100_000 });
  assert.deepEqual(pan({ from: 800_000, to: 900_000 }, 5, B), { from: 900_000, to: 1_000_000 });
});

test("property: any sequence of zooms and pans stays inside the bounds", () => {
  const op = fc.oneof(
    fc.record({
      k: fc.constant("zoom" as const),
      f: fc.double({ min: 0.01, max: 100, noNaN: true }),
      a: fc.double({ min: -1, max: 2, noNaN: true }),
    }),
    fc.record({ k: fc.constant("pan" as const), f: fc.double({ min: -10, max: 10, noNaN: true }), a: fc.constant(0) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
      let vp = clamp({ from: 0, to: 1_000_000 }, B);
      for (const o of ops) {
        vp = o.k === "zoom" ? zoom(vp, o.f, o.a, B) : pan(vp, o.f, B);
        assert.ok(vp.from >= B.min - 1e-6 && vp.to <= B.max + 1e-6, JSON.stringify(vp));
        assert.ok(vp.to - vp.from >= B.minSpan - 1e-6);
      }
    }),
  );
});

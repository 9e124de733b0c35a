import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { TimelineSegment } from "../../sim-core/results";
import { clamp, firstEndingAfter, pan, rasterize, zoom, type Bounds } from "../../webview/lib/viewport";

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

const seg = (start_ns: number, end_ns: number, cls: TimelineSegment["cls"], thread: string = cls, boosted = false): TimelineSegment => ({
  start_ns,
  end_ns,
  cls,
  thread,
  boosted,
});

test("firstEndingAfter finds the first visible segment", () => {
  const s = [seg(0, 10, "idle"), seg(10, 20, "fair"), seg(20, 30, "rt")];
  assert.equal(firstEndingAfter(s, 0), 0);
  assert.equal(firstEndingAfter(s, 10), 1);
  assert.equal(firstEndingAfter(s, 25), 2);
  assert.equal(firstEndingAfter(s, 30), 3);
});

test("rasterize draws wide segments one to one, clipped to the view", () => {
  const s = [seg(0, 500, "fair", "vm0/vcpu0"), seg(500, 1000, "rt", "vm0/vcpu0", true)];
  const r = rasterize(s, { from: 250, to: 1000 }, 750);
  assert.equal(r.length, 2);
  assert.deepEqual([r[0]!.x0, r[0]!.x1, r[0]!.cls], [0, 250, "fair"]);
  assert.deepEqual([r[1]!.x0, r[1]!.x1, r[1]!.cls, r[1]!.boosted], [250, 750, "rt", true]);
});

test("rasterize merges sub-pixel segments, keeping work over idle and marking boosts", () => {
  // 1000 segments of 1 ns in 10 px: each pixel holds 100 segments.
  const s: TimelineSegment[] = [];
  for (let i = 0; i < 1000; i++) s.push(seg(i, i + 1, i % 10 === 0 ? "rt" : "idle", i % 10 === 0 ? "vm0/vcpu1" : "idle", i === 500));
  const r = rasterize(s, { from: 0, to: 1000 }, 10);
  assert.ok(r.length <= 11, `${r.length} rects`);
  assert.ok(
    r.every((x) => x.cls === "rt"),
    "a pixel with some rt and the rest idle shows rt",
  );
  assert.equal(r.filter((x) => x.boosted).length, 1);
  assert.equal(
    r.reduce((a, x) => a + x.n, 0),
    1000,
  );
  assert.ok(r.every((x) => x.thread === "vm0/vcpu1"));
});

test("property: rasterize covers the visible segments in order with at most ~width rects", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom<TimelineSegment["cls"]>("rt", "fair", "idle")), {
        minLength: 1,
        maxLength: 400,
      }),
      fc.integer({ min: 10, max: 400 }),
      (parts, width) => {
        const segs: TimelineSegment[] = [];
        let t = 0;
        for (const [d, cls] of parts) {
          segs.push(seg(t, t + d, cls));
          t += d;
        }
        const r = rasterize(segs, { from: 0, to: t }, width);
        assert.ok(r.length <= width + 1, `${r.length} > ${width}`);
        assert.equal(
          r.reduce((a, x) => a + x.n, 0),
          segs.length,
        );
        for (let i = 1; i < r.length; i++) assert.ok(r[i]!.x0 >= r[i - 1]!.x1 - 1e-6);
        assert.ok(Math.abs(r[r.length - 1]!.x1 - width) < 1e-6);
      },
    ),
  );
});

/**
 * The timeline recorder's columns (sim-core/timeline-store.ts) on hand-built inputs: half-open
 * range algebra (overlap, membership, intersection, union), a track's segments joined when
 * nothing differs, grown past their first capacity, and compacted to kept ranges with each cut
 * run as one "not kept" segment; markers and samples compacted the same way. Every expected
 * value is worked out by hand from the documented rules.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { SEG_BOOSTED, SEG_CUT } from "../../sim-core/timeline-codes";
import { AnchorStore, intersect, MarkStore, overlaps, SegStore, union, within, type Ranges } from "../../sim-core/timeline-store";

test("overlaps: [a, b) meets a range of the list (half-open on both sides)", () => {
  const r: Ranges = [
    [10, 20],
    [30, 40],
  ];
  assert.equal(overlaps(r, 0, 10), false); // ends where the first starts
  assert.equal(overlaps(r, 0, 11), true);
  assert.equal(overlaps(r, 20, 30), false); // the gap exactly
  assert.equal(overlaps(r, 19, 20), true);
  assert.equal(overlaps(r, 25, 31), true); // the second range
  assert.equal(overlaps(r, 40, 50), false);
  assert.equal(overlaps([[5, Infinity]], 1e12, 1e12 + 1), true);
  assert.equal(overlaps([], 0, 1), false);
});

test("within: t in [a, b) of some range", () => {
  const r: Ranges = [
    [10, 20],
    [30, 40],
  ];
  assert.deepEqual(
    [9, 10, 19, 20, 29, 30, 39, 40].map((t) => within(r, t)),
    [false, true, true, false, false, true, true, false],
  );
  assert.equal(within([], 0), false);
});

test("intersect: the common parts of two sorted lists, empty pieces dropped", () => {
  const p: Ranges = [
    [0, 10],
    [20, 30],
    [40, Infinity],
  ];
  const q: Ranges = [
    [5, 25],
    [28, 45],
  ];
  assert.deepEqual(intersect(p, q), [
    [5, 10],
    [20, 25],
    [28, 30],
    [40, 45],
  ]);
  assert.deepEqual(intersect(q, p), intersect(p, q));
  // Touching is not overlapping.
  assert.deepEqual(intersect([[0, 10]], [[10, 20]]), []);
  assert.deepEqual(intersect([[0, 10]], []), []);
  // A long range against several short ones, and equal ends.
  assert.deepEqual(
    intersect(
      [[0, 100]],
      [
        [1, 2],
        [3, 4],
        [99, 100],
      ],
    ),
    [
      [1, 2],
      [3, 4],
      [99, 100],
    ],
  );
  assert.deepEqual(
    intersect(
      [
        [0, 10],
        [10, 20],
      ],
      [[0, 10]],
    ),
    [[0, 10]],
  );
});

test("union: sorted, merged where ranges overlap or touch, empty ones dropped", () => {
  assert.deepEqual(
    union([
      [30, 40],
      [0, 10],
      [5, 12],
      [12, 15],
      [50, 50],
      [20, 25],
      [21, 22],
    ]),
    [
      [0, 15],
      [20, 25],
      [30, 40],
    ],
  );
  assert.deepEqual(union([[3, 2]]), []);
  assert.deepEqual(
    union([
      [0, 1],
      [0, 5],
    ]),
    [[0, 5]],
  );
  assert.deepEqual(
    union([
      [10, Infinity],
      [0, 20],
    ]),
    [[0, Infinity]],
  );
});

test("a segment joins the one before only when it is adjacent and every column is equal", () => {
  const s = new SegStore();
  s.push(0, 10, 1, 1, 20, 0);
  s.push(10, 20, 1, 1, 20, 0); // same: joined
  assert.equal(s.n, 1);
  assert.equal(s.joined, 1);
  assert.equal(s.end, 20);
  // Each column differing once, and a gap, each start a new segment.
  s.push(20, 30, 2, 1, 20, 0);
  s.push(30, 40, 2, 4, 20, 0);
  s.push(40, 50, 2, 4, 50, 0);
  s.push(50, 60, 2, 4, 50, SEG_BOOSTED);
  s.push(60, 70, 2, 4, 50, SEG_BOOSTED, 3);
  s.push(71, 80, 2, 4, 50, SEG_BOOSTED, 3);
  assert.equal(s.n, 7);
  assert.equal(s.joined, 1);
  assert.deepEqual(Array.from(s.start.subarray(0, 7)), [0, 20, 30, 40, 50, 60, 71]);
  assert.deepEqual(Array.from(s.entity.subarray(0, 7)), [1, 2, 2, 2, 2, 2, 2]);
  assert.deepEqual(Array.from(s.policy.subarray(0, 7)), [1, 1, 4, 4, 4, 4, 4]);
  assert.deepEqual(Array.from(s.prio.subarray(0, 7)), [20, 20, 20, 50, 50, 50, 50]);
  assert.deepEqual(Array.from(s.flags.subarray(0, 7)), [0, 0, 0, 0, SEG_BOOSTED, SEG_BOOSTED, SEG_BOOSTED]);
  assert.deepEqual(Array.from(s.cpu.subarray(0, 7)), [-1, -1, -1, -1, -1, 3, 3]);
  assert.equal(s.endOf(0), 20);
  assert.equal(s.endOf(6), 80);
  // The first segment of a store is never joined (no predecessor), even at time -1.
  const e = new SegStore();
  e.push(-1, 5, 0, 0, 0, 0);
  assert.equal(e.n, 1);
  assert.equal(e.joined, 0);
});

test("a store grows past 256 segments, markers and samples without losing any", () => {
  const s = new SegStore();
  const m = new MarkStore();
  const a = new AnchorStore();
  for (let i = 0; i < 600; i++) {
    s.push(i * 10, i * 10 + 10, 1 + (i % 2), 1 + (i % 3), i % 40, i % 2, i % 5);
    m.push(i, 1 + (i % 9), i % 7, i % 4);
    a.push(i % 3, i % 11, i, i + 5);
  }
  assert.equal(s.n, 600);
  for (const i of [0, 255, 256, 511, 512, 599]) {
    assert.equal(s.start[i], i * 10);
    assert.deepEqual([s.entity[i], s.policy[i], s.prio[i], s.flags[i], s.cpu[i]], [1 + (i % 2), 1 + (i % 3), i % 40, i % 2, i % 5]);
    assert.deepEqual([m.t[i], m.kind[i], m.arg[i], m.cpu[i]], [i, 1 + (i % 9), i % 7, i % 4]);
    assert.deepEqual([a.probe[i], a.entity[i], a.wake[i], a.run[i]], [i % 3, i % 11, i, i + 5]);
  }
  assert.equal(m.n, 600);
  assert.equal(a.n, 600);
});

/** A track of segments [start, entity] with distinct entities (none joined), ending at `end`. */
function track(starts: number[], end: number): SegStore {
  const s = new SegStore();
  for (let i = 0; i < starts.length; i++) s.push(starts[i]!, i + 1 < starts.length ? starts[i + 1]! : end, i + 1, 1, 20, 0, i);
  return s;
}

test("compaction keeps segments overlapping a kept range whole, and one cut segment per gap", () => {
  // Segments [0,10) [10,20) [20,30) [30,40) [40,50) [50,60); keep [15, 25) and [55, 100).
  const s = track([0, 10, 20, 30, 40, 50], 60);
  const keep: Ranges = [
    [15, 25],
    [55, 100],
  ];
  assert.equal(s.countKept(keep), 5); // cut, kept, kept, cut, kept
  assert.equal(s.compact(keep), 3);
  assert.equal(s.n, 5);
  assert.deepEqual(Array.from(s.start.subarray(0, 5)), [0, 10, 20, 30, 50]);
  assert.deepEqual(Array.from(s.entity.subarray(0, 5)), [0, 2, 3, 0, 6]);
  assert.deepEqual(Array.from(s.flags.subarray(0, 5)), [SEG_CUT, 0, 0, SEG_CUT, 0]);
  assert.deepEqual(Array.from(s.policy.subarray(0, 5)), [0, 1, 1, 0, 1]);
  assert.deepEqual(Array.from(s.prio.subarray(0, 5)), [0, 20, 20, 0, 20]);
  assert.deepEqual(Array.from(s.cpu.subarray(0, 5)), [-1, 1, 2, -1, 5]);
  assert.equal(s.end, 60);
  // Compacting again to less: the old cut segments are not counted as dropped again, and merge
  // with the new gap into one.
  assert.equal(s.countKept([[50, 60]]), 2);
  assert.equal(s.compact([[50, 60]]), 2);
  assert.equal(s.n, 2);
  assert.deepEqual(Array.from(s.start.subarray(0, 2)), [0, 50]);
  assert.deepEqual(Array.from(s.flags.subarray(0, 2)), [SEG_CUT, 0]);
  // A cut segment inside a kept range stays cut (its contents are gone).
  assert.equal(s.countKept([[0, 100]]), 2);
  assert.equal(s.compact([[0, 100]]), 0);
  assert.deepEqual(Array.from(s.flags.subarray(0, 2)), [SEG_CUT, 0]);
});

test("compaction: the last segment ends at the store's end; nothing kept is one cut segment", () => {
  const s = track([0, 10], 30);
  // [10, 30) overlaps [25, 26) only through its end at the store's end.
  assert.equal(s.countKept([[25, 26]]), 2);
  assert.equal(s.compact([[25, 26]]), 1);
  assert.deepEqual(Array.from(s.flags.subarray(0, s.n)), [SEG_CUT, 0]);
  const t = track([0, 10, 20], 30);
  assert.equal(t.countKept([]), 1);
  assert.equal(t.compact([]), 3);
  assert.equal(t.n, 1);
  assert.equal(t.flags[0], SEG_CUT);
  assert.equal(t.start[0], 0);
  // Everything kept: nothing changes.
  const u = track([0, 10, 20], 30);
  assert.equal(u.countKept([[0, Infinity]]), 3);
  assert.equal(u.compact([[0, Infinity]]), 0);
  assert.equal(u.n, 3);
});

test("markers: kept inside the ranges (half-open) or when carried; samples when [wake, run] meets a range", () => {
  const m = new MarkStore();
  for (const t of [5, 10, 15, 20, 25]) m.push(t, t / 5, t, -1);
  // Keep [10, 20): 10 and 15; carry marker 0 (index) too.
  assert.equal(
    m.compact([[10, 20]], (i) => i === 0),
    2,
  );
  assert.equal(m.n, 3);
  assert.deepEqual(Array.from(m.t.subarray(0, 3)), [5, 10, 15]);
  assert.deepEqual(Array.from(m.kind.subarray(0, 3)), [1, 2, 3]);
  assert.deepEqual(Array.from(m.arg.subarray(0, 3)), [5, 10, 15]);
  assert.deepEqual(Array.from(m.cpu.subarray(0, 3)), [-1, -1, -1]);

  const a = new AnchorStore();
  a.push(0, 1, 0, 9); // [0, 9]: before the range
  a.push(1, 2, 5, 10); // runs at the range's start
  a.push(2, 3, 19, 30); // woke inside
  a.push(3, 4, 20, 25); // after
  assert.equal(a.compact([[10, 20]]), 2);
  assert.equal(a.n, 2);
  assert.deepEqual(Array.from(a.probe.subarray(0, 2)), [1, 2]);
  assert.deepEqual(Array.from(a.entity.subarray(0, 2)), [2, 3]);
  assert.deepEqual(Array.from(a.wake.subarray(0, 2)), [5, 19]);
  assert.deepEqual(Array.from(a.run.subarray(0, 2)), [10, 30]);
});

test("compacting to everything keeps every marker and sample and drops none", () => {
  const m = new MarkStore();
  for (const t of [1, 2, 3]) m.push(t, 1, 0, 0);
  assert.equal(
    m.compact([[0, Infinity]], () => false),
    0,
  );
  assert.equal(m.n, 3);
  const a = new AnchorStore();
  for (const t of [1, 2, 3]) a.push(0, 1, t, t + 1);
  assert.equal(a.compact([[0, Infinity]]), 0);
  assert.equal(a.n, 3);
});

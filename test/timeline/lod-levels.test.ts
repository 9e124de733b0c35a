/**
 * The LOD pyramid's rules one by one (sim-core/timeline-lod.ts), on hand-built tracks: level 0's
 * width, clipping to [from, to), the entity and count of a bucket, several tracks, and the levels
 * above with their re-weighted shares. Every expected share, entity and count is worked out by
 * hand from the module's doc comments.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TimelineLodLevel, TimelineSegments } from "../../sim-core/results";
import { LOD_BOOST, LOD_CATEGORIES, LOD_FAIR, LOD_IDLE, SEG_BOOSTED } from "../../sim-core/timeline-codes";
import { buildLod, lodBucketNs, lodLevelFor } from "../../sim-core/timeline-lod";
import { track } from "./track";

/** Two or more tracks from per-track rows, packed as the recorder packs them. */
function tracks(...per: [number, number, number, number][][]): TimelineSegments {
  const rows = per.flat();
  const offset = [0];
  for (const t of per) offset.push(offset[offset.length - 1]! + t.length);
  return { ...track(rows), offset: Uint32Array.from(offset) };
}

test("level 0's width: a power of two from 1024 ns, at most 2^16 buckets and no more than the busiest track's segments (at least 64)", () => {
  // Exactly `cap` buckets fit; one ns more doubles the width.
  assert.equal(lodBucketNs(0, 64 * 1024, 1), 1024);
  assert.equal(lodBucketNs(0, 64 * 1024 + 1, 1), 2048);
  assert.equal(lodBucketNs(0, 100 * 1024, 100), 1024);
  assert.equal(lodBucketNs(0, 100 * 1024 + 1, 100), 2048);
  assert.equal(lodBucketNs(0, 65536 * 1024), 1024);
  assert.equal(lodBucketNs(0, 65536 * 1024 + 1), 2048);
  // More segments than 2^16 do not buy more buckets.
  assert.equal(lodBucketNs(0, 4 * 65536 * 1024, 1e9), 4096);
  // The doc comment's example: a 90 s run gets 2.1 ms buckets (1024 * 2^11 ns).
  assert.equal(lodBucketNs(0, 90e9), 2097152);
  // Only the span counts, not where it starts; an empty span still gets the finest width.
  assert.equal(lodBucketNs(5e9, 5e9 + 64 * 1024, 1), 1024);
  assert.equal(lodBucketNs(7, 7), 1024);
});

test("level 0 clips to [from, to): time before `from` and after `to` is in no bucket, the last bucket may be short", () => {
  // [1000, 2536) in 1024 ns buckets: bucket 0 [1000, 2024), bucket 1 [2024, 2536) only 512 ns long.
  // Thread 1 ran from before `from` to 1512, idle to 2280, FIFO thread 2 to past `to`.
  const seg = track([
    [0, 1, 1, 0],
    [1512, 0, 0, 0],
    [2280, 2, 4, 0],
    [9000, 0, 0, 0],
  ]);
  const l0 = buildLod(seg, 1, 1000, 2536).levels[0]!;
  assert.equal(l0.bucket_ns, 1024);
  assert.equal(l0.buckets, 2);
  const sh = (b: number) => Array.from(l0.share.subarray(b * LOD_CATEGORIES, (b + 1) * LOD_CATEGORIES));
  // Bucket 0: 512 ns of thread 1, 512 idle.
  assert.deepEqual(sh(0), [128, 128, 0, 0, 0, 0, 0]);
  // Bucket 1, 512 ns: idle 256, FIFO 256 (each half of the short bucket, not a quarter of 1024).
  assert.deepEqual(sh(1), [128, 0, 128, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(l0.entity), [1, 2]);
  // The segment after `to` is in no bucket.
  assert.deepEqual(Array.from(l0.count), [2, 2]);
});

test("level 0's entity: the thread that ran longest in the bucket (the lower index on a tie), idle only when nothing ran", () => {
  // Buckets of 1024 ns. 0: thread 5 600 ns, thread 3 424. 1: thread 5 and 3 512 each.
  // 2: idle 1000, thread 4 24. 3: thread 6 in two pieces (200 + 300) against thread 7's 400.
  // 4-6: thread 8 across three buckets (the middle one covered whole). 7: idle.
  const seg = track([
    [0, 5, 1, 0],
    [600, 3, 1, 0],
    [1024, 5, 1, 0],
    [1536, 3, 1, 0],
    [2048, 0, 0, 0],
    [3048, 4, 1, 0],
    [3072, 6, 1, 0],
    [3272, 7, 1, 0],
    [3672, 6, 1, 0],
    [3972, 0, 0, 0],
    [4200, 8, 1, 0],
    [7000, 0, 0, 0],
  ]);
  const l0 = buildLod(seg, 1, 0, 8192).levels[0]!;
  assert.equal(l0.buckets, 8);
  assert.deepEqual(Array.from(l0.entity), [5, 3, 4, 6, 8, 8, 8, 0]);
  // A segment counts once in every bucket it touches.
  assert.deepEqual(Array.from(l0.count), [2, 2, 2, 4, 2, 1, 2, 1]);
  // A very short stretch still shows (1/255 at least); a long one never over 255.
  assert.equal(l0.share[2 * LOD_CATEGORIES + LOD_FAIR], 6); // 24/1024 of 255 = 5.98
  assert.equal(l0.share[5 * LOD_CATEGORIES + LOD_FAIR], 255);
  assert.equal(l0.share[5 * LOD_CATEGORIES + LOD_IDLE], 0);
});

test("level 0, several tracks: each its own buckets, nothing carried over from the track before", () => {
  // Track 0: thread 1 everywhere. Track 1: idle, then thread 2 (RR) in the second half of bucket 1.
  const seg = tracks(
    [[0, 1, 1, 0]],
    [
      [0, 0, 0, 0],
      [1536, 2, 5, 0],
    ],
  );
  const l0 = buildLod(seg, 2, 0, 2048).levels[0]!;
  assert.equal(l0.buckets, 2);
  const sh = (t: number, b: number) => Array.from(l0.share.subarray((t * 2 + b) * LOD_CATEGORIES, (t * 2 + b + 1) * LOD_CATEGORIES));
  assert.deepEqual(sh(0, 0), [0, 255, 0, 0, 0, 0, 0]);
  assert.deepEqual(sh(0, 1), [0, 255, 0, 0, 0, 0, 0]);
  assert.deepEqual(sh(1, 0), [255, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(sh(1, 1), [128, 0, 128, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(l0.entity), [1, 1, 0, 2]);
  assert.deepEqual(Array.from(l0.count), [1, 1, 1, 2]);
});

test("the busiest track decides level 0's width: 200 segments on one track allow buckets for 200", () => {
  // 200 * 1024 ns: with 100 segments per track at most the width would be 2048 ns, with 200 it is 1024.
  const busy: [number, number, number, number][] = Array.from({ length: 200 }, (_, i) => [i * 1024, 1 + (i % 2), 1, 0]);
  const seg = tracks([[0, 0, 0, 0]], busy, [[0, 0, 0, 0]]);
  const lod = buildLod(seg, 3, 0, 200 * 1024);
  assert.equal(lod.levels[0]!.bucket_ns, 1024);
  assert.equal(lod.levels[0]!.buckets, 200);
  // Thread 1 and 2 alternate bucket by bucket on track 1 only.
  assert.deepEqual(Array.from(lod.levels[0]!.entity.subarray(200, 204)), [1, 2, 1, 2]);
  assert.equal(lod.levels[0]!.entity[199], 0);
  assert.equal(lod.levels[0]!.entity[400], 0);
});

test("the levels above: each LOD_FACTOR times coarser to one bucket; shares re-weighted by span, counts summed, the busiest child's entity", () => {
  // 9 level-0 buckets of 1024 ns, the last one 512 ns long: levels of 9, 3 and 1 buckets.
  // Bucket 0: thread 2 300 ns, idle 724. 1: thread 3 whole. 2: thread 2 whole. 3: idle.
  // 4-7: thread 4 whole, bucket 4 starting with 100 ns of thread 2. 8 (512 ns): a boosted vCPU thread 9.
  const seg = track([
    [0, 2, 1, 0],
    [300, 0, 0, 0],
    [1024, 3, 1, 0],
    [2048, 2, 1, 0],
    [3072, 0, 0, 0],
    [4096, 2, 1, 0],
    [4196, 4, 1, 0],
    [8192, 9, 5, SEG_BOOSTED],
  ]);
  const lod = buildLod(seg, 1, 0, 8704);
  assert.equal(lod.factor, 4);
  assert.equal(lod.categories, LOD_CATEGORIES);
  assert.deepEqual(
    lod.levels.map((l) => [l.bucket_ns, l.buckets]),
    [
      [1024, 9],
      [4096, 3],
      [16384, 1],
    ],
  );
  const [l0, l1, l2] = lod.levels as [TimelineLodLevel, TimelineLodLevel, TimelineLodLevel];
  // Level 0 by hand: bucket 0 fair round(255 * 300 / 1024) = 75, idle round(255 * 724 / 1024) = 180.
  assert.equal(l0.share[LOD_FAIR], 75);
  assert.equal(l0.share[LOD_IDLE], 180);
  assert.deepEqual(Array.from(l0.entity), [2, 3, 2, 0, 4, 4, 4, 4, 9]);
  // Level 1 bucket 0 from its children's shares: fair (75 + 255 + 255 + 0) / 4 = 146.25, idle (180 + 255) / 4 = 108.75.
  const s1 = (b: number, c: number) => l1.share[b * LOD_CATEGORIES + c];
  assert.equal(s1(0, LOD_FAIR), 146);
  assert.equal(s1(0, LOD_IDLE), 109);
  // Threads 3 and 2 are both busy a whole child; thread 3's comes first. Thread 2 ran only 300 ns in child 0.
  assert.equal(l1.entity[0], 3);
  assert.equal(s1(1, LOD_FAIR), 255);
  assert.equal(l1.entity[1], 4);
  // Bucket 2 is child 8 alone, 512 ns: boosted all of it.
  assert.equal(s1(2, LOD_BOOST), 255);
  assert.equal(l1.entity[2], 9);
  assert.deepEqual(Array.from(l1.count), [5, 5, 1]);
  // Level 2 over 8704 ns: boosted 512 ns → round(255 * 512 / 8704) = 15; idle (108.75/255*4096 → share 109 → 1750.8 ns) → 51.
  assert.equal(l2.share[LOD_BOOST], 15);
  assert.equal(l2.share[LOD_IDLE], Math.round((109 * 4096) / 8704));
  // Thread 4's child (4096 ns busy) is busier than thread 3's (2958 ns: 146/255 of 4096 counted as fair).
  assert.equal(l2.entity[0], 4);
  assert.equal(l2.count[0], 11);
  // The pick for a zoom: the coarsest level no wider than a pixel.
  assert.equal(lodLevelFor(lod, 1023), -1);
  assert.equal(lodLevelFor(lod, 1024), 0);
  assert.equal(lodLevelFor(lod, 4095), 0);
  assert.equal(lodLevelFor(lod, 4096), 1);
  assert.equal(lodLevelFor(lod, 16384), 2);
});

test("the levels above, several tracks: a child's entity counts only with its busy time, idle children never win", () => {
  // Two tracks of 4 level-0 buckets (one level-1 bucket). Track 0: idle, then thread 5 in bucket 3
  // for 1 ns. Track 1: thread 6 in bucket 0 all along, 7 in bucket 1 half, idle after.
  const seg = tracks(
    [
      [0, 0, 0, 0],
      [3072, 5, 1, 0],
      [3073, 0, 0, 0],
    ],
    [
      [0, 6, 1, 0],
      [1024, 7, 1, 0],
      [1536, 0, 0, 0],
    ],
  );
  const lod = buildLod(seg, 2, 0, 4096);
  assert.equal(lod.levels.length, 2);
  const l1 = lod.levels[1]!;
  assert.equal(l1.buckets, 1);
  assert.deepEqual(Array.from(l1.entity), [5, 6]);
  // A segment across three children counts in each: 3 + 1 + 1 on track 0, 1 + 1 + 3 on track 1.
  assert.deepEqual(Array.from(l1.count), [5, 5]);
  // Track 1: fair 1536 of 4096 = 95.6 → 96 (children 255 and 128: (1024 + 128 * 1024 / 255) / 4096).
  assert.equal(l1.share[LOD_CATEGORIES + LOD_FAIR], Math.round((255 * (1024 + (128 * 1024) / 255)) / 4096));
  // Track 0: the 1 ns still shows (255 / 1024 of a share rounds to 0 in level 0, a quarter of that above).
  assert.equal(lod.levels[0]!.share[3 * LOD_CATEGORIES + LOD_FAIR], 1);
  assert.equal(l1.share[LOD_FAIR], 1);
});

test("a run shorter than one bucket has a single level", () => {
  const lod = buildLod(track([[0, 1, 1, 0]]), 1, 0, 1000);
  assert.equal(lod.levels.length, 1);
  assert.equal(lod.levels[0]!.buckets, 1);
  assert.equal(lod.levels[0]!.share[LOD_FAIR], 255);
});

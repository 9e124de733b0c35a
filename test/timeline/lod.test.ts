/** The LOD pyramid, on hand-built tracks whose shares are computed by hand. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { LOD_BOOST, LOD_CATEGORIES, LOD_FAIR, LOD_IDLE, LOD_RT, SEG_BOOSTED } from "../../sim-core/timeline-codes";
import { buildLod, lodBucketNs, lodLevelFor } from "../../sim-core/timeline-lod";
import { track } from "./track";

test("level 0: each bucket's time by category, the longest non-idle thread, the segments it holds", () => {
  // 4096 ns in 1024 ns buckets. Bucket 0: thread 1 (CFS) 0-512, idle 512-1024.
  // Bucket 1: thread 2 (FIFO) 1024-1124, thread 1 1124-2048. Buckets 2-3: a boosted vCPU thread 3.
  const seg = track([
    [0, 1, 1, 0],
    [512, 0, 0, 0],
    [1024, 2, 4, 0],
    [1124, 1, 1, 0],
    [2048, 3, 5, SEG_BOOSTED],
  ]);
  assert.equal(lodBucketNs(0, 4096), 1024);
  const lod = buildLod(seg, 1, 0, 4096);
  const l0 = lod.levels[0]!;
  assert.equal(l0.buckets, 4);
  const sh = (b: number, c: number) => l0.share[b * LOD_CATEGORIES + c];
  assert.equal(sh(0, LOD_FAIR), 128);
  assert.equal(sh(0, LOD_IDLE), 128);
  assert.equal(sh(1, LOD_RT), Math.round((255 * 100) / 1024));
  assert.equal(sh(1, LOD_FAIR), Math.round((255 * 924) / 1024));
  assert.equal(sh(2, LOD_BOOST), 255);
  assert.deepEqual(Array.from(l0.entity), [1, 1, 3, 3]);
  assert.deepEqual(Array.from(l0.count), [2, 2, 1, 1]);
  // Above: 4 buckets into 1, shares averaged, counts summed.
  assert.equal(lod.levels.length, 2);
  const l1 = lod.levels[1]!;
  assert.equal(l1.bucket_ns, 4096);
  assert.equal(l1.share[LOD_BOOST], 128);
  assert.equal(l1.count[0], 6);
  assert.equal(lodLevelFor(lod, 500), -1);
  assert.equal(lodLevelFor(lod, 2000), 0);
  assert.equal(lodLevelFor(lod, 1e9), 1);
});

test("a very short event still shows in its bucket, at every level", () => {
  // A 1 ns boost in 16 buckets of 1024 ns.
  const seg = track([
    [0, 1, 1, 0],
    [5000, 2, 5, SEG_BOOSTED],
    [5001, 1, 1, 0],
  ]);
  const lod = buildLod(seg, 1, 0, 16384);
  for (const lv of lod.levels) {
    let seen = false;
    for (let b = 0; b < lv.buckets; b++) if (lv.share[b * LOD_CATEGORIES + LOD_BOOST]! > 0) seen = true;
    assert.ok(seen, `level with ${lv.bucket_ns} ns buckets lost the boost`);
  }
});

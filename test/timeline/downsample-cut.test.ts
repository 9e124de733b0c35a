/**
 * Downsampling (sim-core/timeline-downsample.ts) on a hand-built timeline small enough to work
 * out by hand: which windows stay at full resolution (4 ms before a sample's timer expired to
 * 2 ms after its thread ran, clipped to the run; each probe's worst sample first, worst first,
 * then the tail bins' samples), what a cut keeps (segments overlapping a window whole, markers
 * and samples inside one, one "not kept" segment per gap), the size estimate (the columns'
 * bytes plus the JSON text of the rest), and which summary levels fit a budget.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ProbeResult, SampleWhy, Timeline, TimelineLodLevel } from "../../sim-core/results";
import { SEG_BOOSTED, SEG_CUT, SEG_DOWNSAMPLED } from "../../sim-core/timeline-codes";
import { downsampleTimeline, timelineBytes, worstWindows } from "../../sim-core/timeline-downsample";
import { typedArraysAsLists } from "../../sim-core/timeline-read";

const MS = 1e6;
const GAP = SEG_CUT | SEG_DOWNSAMPLED;

function level(bucket_ns: number, buckets: number, tracks: number): TimelineLodLevel {
  const n = buckets * tracks;
  return {
    bucket_ns,
    buckets,
    share: Uint8Array.from({ length: n * 7 }, (_, i) => i % 256),
    entity: Uint16Array.from({ length: n }, (_, i) => i % 3),
    count: Uint32Array.from({ length: n }, (_, i) => i),
  };
}

/**
 * [0, 100 ms), two tracks. Track 0: a segment every ms (threads 1 and 2 in turn), a marker in the
 * middle of each. Track 1: segments at 0, 10, 47 and 60 ms, boosted from 47. Six samples.
 * Summary levels of 16, 4 and 1 buckets.
 */
function timeline(): Timeline {
  const starts = [...Array.from({ length: 100 }, (_, i) => i * MS), 0, 10 * MS, 47 * MS, 60 * MS];
  const n = starts.length;
  return {
    from_ns: 0,
    to_ns: 100 * MS,
    tracks: [
      { kind: "cpu", name: "CPU 0", cpu: 0, fair: "cfs" },
      { kind: "cpu", name: "CPU 1", cpu: 1, fair: "cfs" },
    ],
    entities: [
      { name: "idle", side: "idle" },
      { name: "a", side: "host" },
      { name: "b", side: "host" },
      { name: "c", side: "host" },
    ],
    segments: {
      offset: Uint32Array.from([0, 100, n]),
      start_ns: Float64Array.from(starts),
      entity: Uint16Array.from(starts, (_, i) => (i < 100 ? 1 + (i % 2) : 3)),
      policy: new Uint8Array(n).fill(1),
      prio: new Uint8Array(n).fill(120),
      flags: Uint8Array.from(starts, (_, i) => (i >= 102 ? SEG_BOOSTED : 0)),
      cpu: new Int16Array(n).fill(-1),
    },
    markers: {
      offset: Uint32Array.from([0, 100, 100]),
      t_ns: Float64Array.from({ length: 100 }, (_, i) => i * MS + MS / 2),
      kind: new Uint8Array(100).fill(1),
      arg: Uint8Array.from({ length: 100 }, (_, i) => i),
      cpu: new Int16Array(100),
    },
    anchors: {
      probe: new Uint16Array(6),
      entity: new Uint16Array(6).fill(1),
      // The worst, a tail bin's, two elsewhere, one that runs exactly where a window starts, one
      // whose timer expires exactly where a window ends.
      wake_ns: Float64Array.from([50 * MS, 20 * MS, 80 * MS, 99 * MS, 10 * MS, 22.2 * MS]),
      run_ns: Float64Array.from([50.5 * MS, 20.2 * MS, 80.1 * MS, 99.1 * MS, 16 * MS, 23 * MS]),
    },
    lod: { factor: 4, categories: 7, levels: [level(6.25 * MS, 16, 2), level(25 * MS, 4, 2), level(100 * MS, 1, 2)] },
    budget: { max_segments_per_track: null, kept: [[0, 100 * MS]], windows: [], cut_segments: 0, cut_markers: 0, cut_anchors: 0 },
    joined: 0,
  };
}

function sample(wake: number, run: number): SampleWhy {
  return { wake_ns: wake, run_ns: run, latency_ns: run - wake, parts_ns: {} as SampleWhy["parts_ns"], chain: [] };
}

function probe(id: string, o: Partial<ProbeResult>, max_us = 0): ProbeResult {
  return { id, side: "host", kind: "cyclictest", latency: { max_us } as ProbeResult["latency"], ...o };
}

/** Probe "a": worst sample 50 → 50.5 ms, one tail bin's worst 20 → 20.2 ms (the worst's own bin is listed again). */
const probes = [
  probe("a", {
    max_at_ns: 50.5 * MS,
    why: {
      worst: sample(50 * MS, 50.5 * MS),
      tail: [
        { ...sample(50 * MS, 50.5 * MS), bin: 9 },
        { ...sample(20 * MS, 20.2 * MS), bin: 8 },
      ],
    } as ProbeResult["why"],
  }),
];

/** Bytes by the estimate's definition, counted independently: every typed array's bytes, 64 per summary level, the JSON of the rest. */
function bytes(tl: Timeline): number {
  const { segments, markers, anchors, lod, ...rest } = tl;
  let n = JSON.stringify(rest).length + 64 * lod.levels.length;
  for (const group of [segments, markers, anchors, ...lod.levels])
    for (const col of Object.values(group)) if (ArrayBuffer.isView(col)) n += col.byteLength;
  return n;
}

test("the size estimate: each typed column's bytes, 64 bytes a summary level, the JSON text of the rest", () => {
  const tl = timeline();
  assert.equal(timelineBytes(tl), bytes(tl));
  // By hand: 104 segments of 15 bytes, 100 markers of 12, 6 samples of 20, two offset columns of 3 × 4
  // bytes, (16 + 4 + 1) × 2 buckets of 7 + 2 + 4 bytes and 3 × 64.
  const { segments, markers, anchors, lod, ...rest } = tl;
  assert.equal(timelineBytes(tl), JSON.stringify(rest).length + 104 * 15 + 100 * 12 + 6 * 20 + 24 + 42 * 13 + 192);
});

test("the windows: each probe's worst sample first, worst first, then the tail bins' samples; clipped to the run", () => {
  const list = [
    ...probes,
    // No causal chain: the window from max_at_ns and the latency (rounded to ns).
    probe("b", { max_at_ns: 10 * MS }, 300.0004),
    // As bad as b: the name decides.
    probe("c", { max_at_ns: 70 * MS }, 300),
    // Nothing recorded: no window.
    probe("d", {}, 1000),
    // The worst sample after the run: no window; its tail's first sample is outside too, the next one is rank 2.
    probe("e", {
      why: {
        worst: sample(200 * MS, 200.1 * MS),
        tail: [
          { ...sample(300 * MS, 301 * MS), bin: 9 },
          { ...sample(30 * MS, 30.9 * MS), bin: 8 },
          { ...sample(99 * MS, 99.05 * MS), bin: 7 },
        ],
      } as ProbeResult["why"],
    }),
  ];
  const w = worstWindows(timeline(), list);
  assert.deepEqual(
    w.map((x) => [x.probe, x.rank, x.wake_ns, x.latency_ns, x.from_ns, x.to_ns, x.complete]),
    [
      ["a", 1, 50 * MS, 0.5 * MS, 46 * MS, 52.5 * MS, true],
      ["b", 1, 9.7 * MS, 0.3 * MS, 5.7 * MS, 12 * MS, true],
      ["c", 1, 69.7 * MS, 0.3 * MS, 65.7 * MS, 72 * MS, true],
      ["e", 2, 30 * MS, 0.9 * MS, 26 * MS, 32.9 * MS, true],
      ["a", 2, 20 * MS, 0.2 * MS, 16 * MS, 22.2 * MS, true],
      ["e", 3, 99 * MS, 0.05 * MS, 95 * MS, 100 * MS, true],
    ],
  );
  // A window clipped at the start of the run.
  const early = worstWindows(timeline(), [probe("f", { max_at_ns: 1 * MS }, 500)]);
  assert.deepEqual([early[0]!.from_ns, early[0]!.to_ns], [0, 3 * MS]);
});

test("with room for everything: both windows at full resolution, one 'not kept' segment per gap, every level", () => {
  const tl = timeline();
  const d = downsampleTimeline(tl, probes, Number.POSITIVE_INFINITY)!;
  const g = d.segments;
  const rows = (t: number) => {
    const out: string[] = [];
    for (let i = g.offset[t]!; i < g.offset[t + 1]!; i++) out.push(`${g.start_ns[i]! / MS} e${g.entity[i]} f${g.flags[i]} c${g.cpu[i]}`);
    return out;
  };
  const ms = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, k) => `${a + k} e${1 + ((a + k) % 2)} f0 c-1`);
  // Track 0: the ms segments overlapping [16, 22.2) and [46, 52.5), a gap before, between and after.
  assert.deepEqual(rows(0), [`0 e0 f${GAP} c-1`, ...ms(16, 22), `23 e0 f${GAP} c-1`, ...ms(46, 52), `53 e0 f${GAP} c-1`]);
  // Track 1: [10, 47) overlaps both windows and is kept once; no gap between it and [47, 60).
  assert.deepEqual(rows(1), [`0 e0 f${GAP} c-1`, "10 e3 f0 c-1", `47 e3 f${SEG_BOOSTED} c-1`, `60 e0 f${GAP} c-1`]);
  // Markers in the windows: 16.5 … 21.5 and 46.5 … 51.5 ms.
  assert.deepEqual(
    Array.from(d.markers.t_ns, (t) => t / MS),
    [16.5, 17.5, 18.5, 19.5, 20.5, 21.5, 46.5, 47.5, 48.5, 49.5, 50.5, 51.5],
  );
  assert.deepEqual(Array.from(d.markers.arg), [16, 17, 18, 19, 20, 21, 46, 47, 48, 49, 50, 51]);
  assert.deepEqual(Array.from(d.markers.offset), [0, 12, 12]);
  // Samples overlapping a window: the two, and the one that runs exactly at 16 ms (not the one from 22.2).
  assert.deepEqual(
    Array.from(d.anchors.wake_ns, (t) => t / MS),
    [50, 20, 10],
  );
  assert.deepEqual(
    Array.from(d.anchors.run_ns, (t) => t / MS),
    [50.5, 20.2, 16],
  );
  assert.deepEqual(d.budget.kept, [
    [16 * MS, 22.2 * MS],
    [46 * MS, 52.5 * MS],
  ]);
  const { windows, ...counts } = d.downsampled!;
  assert.deepEqual(counts, {
    segments_before: 104,
    segments_after: 21,
    markers_before: 100,
    markers_after: 12,
    anchors_before: 6,
    anchors_after: 3,
    lod_levels_dropped: 0,
    lod_levels_before: 3,
    bucket_ns: 6.25 * MS,
    windows_left_out: 0,
  });
  assert.deepEqual(
    windows.map((w) => [w.probe, w.rank]),
    [
      ["a", 1],
      ["a", 2],
    ],
  );
  assert.equal(d.lod.levels.length, 3);
});

test("less room: the finest levels go first, then the least bad window; the coarsest level always stays; then null", () => {
  const tl = timeline();
  const all = downsampleTimeline(tl, probes, Number.POSITIVE_INFINITY)!;
  const size = bytes(all);
  // Exactly the size fits.
  assert.equal(downsampleTimeline(tl, probes, size)!.lod.levels.length, 3);
  // A byte less: level 0 (16 buckets × 2 tracks × 13 bytes + 64 = 480 bytes) goes.
  const l1 = downsampleTimeline(tl, probes, size - 1)!;
  assert.equal(l1.lod.levels.length, 2);
  assert.equal(l1.downsampled!.lod_levels_dropped, 1);
  assert.equal(l1.downsampled!.bucket_ns, 25 * MS);
  assert.equal(l1.downsampled!.windows_left_out, 0);
  assert.ok(bytes(l1) <= size - 1);
  // 479 bytes less still fits level 1 on, and the result is within (bucket_ns 25000000 has one digit more
  // than 6250000: at exactly 480 less the result is a byte over, docs/mutation/timeline2.md).
  const at479 = downsampleTimeline(tl, probes, size - 479)!;
  assert.equal(at479.lod.levels.length, 2);
  assert.ok(bytes(at479) <= size - 479);
  // Then level 1 (4 × 2 × 13 + 64 = 168 bytes) goes too.
  const l2 = downsampleTimeline(tl, probes, size - 481)!;
  assert.deepEqual(
    l2.lod.levels.map((l) => l.bucket_ns),
    [100 * MS],
  );
  assert.equal(l2.downsampled!.lod_levels_dropped, 2);
  assert.equal(l2.downsampled!.windows.length, 2);
  // Below what both windows and the coarsest level need, the tail bin's window goes first.
  const oneWin = downsampleTimeline(tl, probes, size - 480 - 168 - 1)!;
  assert.equal(oneWin.downsampled!.windows_left_out, 1);
  assert.deepEqual(
    oneWin.downsampled!.windows.map((w) => [w.probe, w.rank]),
    [["a", 1]],
  );
  // The window gives back 8 segments, 6 markers, 2 samples and its JSON (about 360 bytes): level 1 fits again, level 0 not.
  assert.equal(oneWin.lod.levels.length, 2);
  assert.ok(bytes(oneWin) <= size - 649);
  // No window at all: each track is one gap, all of it "not kept".
  let max = size;
  let none = downsampleTimeline(tl, probes, max);
  while (none && none.downsampled!.windows.length > 0) {
    max -= 16;
    none = downsampleTimeline(tl, probes, max);
  }
  assert.ok(none);
  assert.deepEqual(Array.from(none.segments.offset), [0, 1, 2]);
  assert.deepEqual(Array.from(none.segments.flags), [GAP, GAP]);
  assert.deepEqual(Array.from(none.segments.start_ns), [0, 0]);
  assert.equal(none.markers.t_ns.length + none.anchors.wake_ns.length, 0);
  assert.deepEqual(none.budget.kept, []);
  assert.equal(none.downsampled!.windows_left_out, 2);
  // Not even one gap per track and the coarsest level: null.
  let small = bytes(none);
  while (downsampleTimeline(tl, probes, small)) small -= 1;
  const last = downsampleTimeline(tl, probes, small + 1)!;
  assert.equal(last.lod.levels.length, 1);
  assert.equal(last.lod.levels[0]!.bucket_ns, 100 * MS);
});

test("a timeline without summary levels still downsamples (nothing to drop)", () => {
  const tl = { ...timeline(), lod: { factor: 4, categories: 7, levels: [] } };
  const d = downsampleTimeline(tl, probes, Number.POSITIVE_INFINITY)!;
  assert.equal(d.lod.levels.length, 0);
  assert.equal(d.downsampled!.bucket_ns, 0);
  assert.equal(d.downsampled!.lod_levels_dropped, 0);
  assert.equal(d.downsampled!.segments_after, 21);
});

test("plain lists in, typed columns out, the same values", () => {
  const tl = timeline();
  const lists = JSON.parse(JSON.stringify(tl, typedArraysAsLists)) as Timeline;
  const d = downsampleTimeline(lists, probes, Number.POSITIVE_INFINITY)!;
  for (const lv of d.lod.levels) {
    assert.ok(lv.share instanceof Uint8Array && lv.entity instanceof Uint16Array && lv.count instanceof Uint32Array);
  }
  assert.ok(d.anchors.probe instanceof Uint16Array && d.anchors.entity instanceof Uint16Array);
  const typed = downsampleTimeline(tl, probes, Number.POSITIVE_INFINITY)!;
  assert.equal(JSON.stringify(d, typedArraysAsLists), JSON.stringify(typed, typedArraysAsLists));
  assert.deepEqual(Array.from(d.lod.levels[2]!.count), [0, 1]);
});

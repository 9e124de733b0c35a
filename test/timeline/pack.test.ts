/**
 * From the recorder's stores to the Timeline's columns (sim-core/timeline-pack.ts), on hand-built
 * stores: a vCPU track is the guest task laid over the vCPU thread's host state (running on a CPU
 * as the host tracks say; between runs halted from a halt marker to a kick, else waiting; boosted
 * as the host segment says while it runs and as the boost markers say between runs), cut to the
 * kept ranges; packing concatenates the tracks behind offsets. Every expected row is worked out
 * by hand from those rules.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  MARK_BOOST,
  MARK_EXIT,
  MARK_HALT,
  MARK_KICK,
  MARK_THROTTLE,
  MARK_UNBOOST,
  SEG_BOOSTED,
  SEG_CUT,
  SEG_HALTED,
  SEG_WAITING,
} from "../../sim-core/timeline-codes";
import { deriveVcpuTrack, packMarkers, packSegments, type VcpuTrackInput } from "../../sim-core/timeline-pack";
import { MarkStore, SegStore, type Ranges } from "../../sim-core/timeline-store";

type Row = [number, number, number, number, number, number, number];

function store(rows: Row[]): SegStore {
  const s = new SegStore();
  for (const r of rows) s.push(...r);
  return s;
}

function marks(rows: [number, number][]): MarkStore {
  const m = new MarkStore();
  for (const [t, kind] of rows) m.push(t, kind, 0, -1);
  return m;
}

/** [start, end, entity, policy, prio, flags, cpu] per segment. */
function rows(s: SegStore): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < s.n; i++) out.push([s.start[i]!, s.endOf(i), s.entity[i]!, s.policy[i]!, s.prio[i]!, s.flags[i]!, s.cpu[i]!]);
  return out;
}

const T = 7; // the vCPU thread's entity
const W = SEG_WAITING;
const H = SEG_HALTED;
const B = SEG_BOOSTED;

/**
 * Host CPU 0: thread 1, then the vCPU thread boosted [100, 200), then idle. CPU 1: thread 2, the
 * vCPU thread unboosted [300, 400), idle. CPU 2: a "not kept" stretch that names the vCPU thread
 * (no run). The guest: task 3 [50, 150), FIFO task 4 [150, 350). Markers: unboost inside the
 * boosted run (the run's own flag wins at its end), halt at its end, kick 250, unboost 260.
 */
function input(over: Partial<VcpuTrackInput> = {}): VcpuTrackInput {
  return {
    host: [
      store([
        [0, 100, 1, 1, 120, 0, -1],
        [100, 200, T, 4, 50, B, -1],
        [200, 500, 0, 0, 0, 0, -1],
      ]),
      store([
        [0, 300, 2, 1, 120, 0, -1],
        [300, 400, T, 1, 120, 0, -1],
        [400, 500, 0, 0, 0, 0, -1],
      ]),
      store([
        [0, 50, T, 1, 120, SEG_CUT, -1],
        [50, 500, 0, 0, 0, 0, -1],
      ]),
    ],
    guest: store([
      [50, 150, 3, 1, 120, 0, -1],
      [150, 350, 4, 4, 10, 0, -1],
    ]),
    marks: marks([
      [150, MARK_UNBOOST],
      [200, MARK_HALT],
      [250, MARK_KICK],
      [260, MARK_UNBOOST],
    ]),
    thread: T,
    from: 0,
    to: 500,
    kept: [[0, 500]],
    ...over,
  };
}

test("a vCPU track: the guest task over the thread's host state, which tiles [from, to)", () => {
  assert.deepEqual(rows(deriveVcpuTrack(input())), [
    [0, 50, 0, 0, 0, W, -1], // runnable, not running, no guest task yet
    [50, 100, 3, 1, 120, W, -1],
    [100, 150, 3, 1, 120, B, 0], // running boosted on CPU 0
    [150, 200, 4, 4, 10, B, 0],
    [200, 250, 4, 4, 10, H | B, -1], // halted; still boosted as the run ended
    [250, 260, 4, 4, 10, W | B, -1], // kicked
    [260, 300, 4, 4, 10, W, -1], // unboosted
    [300, 350, 4, 4, 10, 0, 1], // running on CPU 1
    [350, 400, 0, 0, 0, 0, 1], // no guest task
    [400, 500, 0, 0, 0, W, -1],
  ]);
});

test("a vCPU track between `from` and `to`: runs clipped, the markers before `from` set the state it starts in", () => {
  assert.deepEqual(rows(deriveVcpuTrack(input({ from: 120, to: 380, kept: [[120, 380]] }))), [
    [120, 150, 3, 1, 120, B, 0],
    [150, 200, 4, 4, 10, B, 0],
    [200, 250, 4, 4, 10, H | B, -1],
    [250, 260, 4, 4, 10, W | B, -1],
    [260, 300, 4, 4, 10, W, -1],
    [300, 350, 4, 4, 10, 0, 1],
    [350, 380, 0, 0, 0, 0, 1],
  ]);
  // From 220 the boosted run is over before the track starts: the unboost at 150 and the halt at
  // 200 say it enters halted and unboosted.
  assert.deepEqual(rows(deriveVcpuTrack(input({ from: 220, to: 380, kept: [[220, 380]] }))), [
    [220, 250, 4, 4, 10, H, -1],
    [250, 300, 4, 4, 10, W, -1],
    [300, 350, 4, 4, 10, 0, 1],
    [350, 380, 0, 0, 0, 0, 1],
  ]);
});

test("between runs a boost marker boosts, an unboost or a throttle unboosts, a halt halts until a kick", () => {
  // The thread runs [0, 10) and [90, 100); between: boost 20, halt 30, throttle 40, kick 50, boost 60, unboost 70, exit 80.
  const i = input({
    host: [
      store([
        [0, 10, T, 1, 120, 0, -1],
        [10, 90, 0, 0, 0, 0, -1],
        [90, 100, T, 1, 120, 0, -1],
      ]),
    ],
    guest: new SegStore(),
    marks: marks([
      [20, MARK_BOOST],
      [30, MARK_HALT],
      [40, MARK_THROTTLE],
      [50, MARK_KICK],
      [60, MARK_BOOST],
      [70, MARK_UNBOOST],
      [80, MARK_EXIT],
    ]),
    from: 0,
    to: 100,
    kept: [[0, 100]],
  });
  assert.deepEqual(rows(deriveVcpuTrack(i)), [
    [0, 10, 0, 0, 0, 0, 0],
    [10, 20, 0, 0, 0, W, -1],
    [20, 30, 0, 0, 0, W | B, -1],
    [30, 40, 0, 0, 0, H | B, -1],
    [40, 50, 0, 0, 0, H, -1],
    [50, 60, 0, 0, 0, W, -1],
    [60, 70, 0, 0, 0, W | B, -1],
    [70, 90, 0, 0, 0, W, -1], // the exit marker changes nothing
    [90, 100, 0, 0, 0, 0, 0],
  ]);
});

test("a vCPU track cut to the kept ranges: everything outside is one 'not kept' segment per gap", () => {
  const kept: Ranges = [
    [120, 270],
    [330, 1000],
  ];
  assert.deepEqual(rows(deriveVcpuTrack(input({ kept }))), [
    [0, 120, 0, 0, 0, SEG_CUT, -1],
    [120, 150, 3, 1, 120, B, 0],
    [150, 200, 4, 4, 10, B, 0],
    [200, 250, 4, 4, 10, H | B, -1],
    [250, 260, 4, 4, 10, W | B, -1],
    [260, 270, 4, 4, 10, W, -1],
    [270, 330, 0, 0, 0, SEG_CUT, -1],
    [330, 350, 4, 4, 10, 0, 1],
    [350, 400, 0, 0, 0, 0, 1],
    [400, 500, 0, 0, 0, W, -1],
  ]);
  // One range covering [from, to) keeps everything; one a nanosecond short at either end does not.
  const whole = rows(deriveVcpuTrack(input()));
  assert.deepEqual(rows(deriveVcpuTrack(input({ kept: [[-10, 600]] }))), whole);
  const late = rows(deriveVcpuTrack(input({ kept: [[1, 500]] })));
  assert.deepEqual(late.slice(0, 2), [
    [0, 1, 0, 0, 0, SEG_CUT, -1],
    [1, 50, 0, 0, 0, W, -1],
  ]);
  const early = rows(deriveVcpuTrack(input({ kept: [[0, 499]] })));
  assert.deepEqual(early.slice(-2), [
    [400, 499, 0, 0, 0, W, -1],
    [499, 500, 0, 0, 0, SEG_CUT, -1],
  ]);
});

test("a guest stretch the budget cut stays 'not kept' on the vCPU track", () => {
  const i = input({
    host: [store([[0, 200, T, 1, 120, 0, -1]])],
    guest: store([
      [0, 100, 0, 0, 0, SEG_CUT, -1],
      [100, 200, 3, 1, 120, 0, -1],
    ]),
    marks: new MarkStore(),
    to: 200,
    kept: [[0, 200]],
  });
  assert.deepEqual(rows(deriveVcpuTrack(i)), [
    [0, 100, 0, 0, 0, SEG_CUT, 0],
    [100, 200, 3, 1, 120, 0, 0],
  ]);
});

test("packing: tracks one after the other behind offsets, only the segments each store holds", () => {
  const a = store([
    [0, 10, 1, 1, 120, 0, -1],
    [10, 20, 2, 4, 50, B, 3],
  ]);
  const empty = new SegStore();
  const c = store([[5, 30, 9, 5, 99, SEG_CUT | H, -2]]);
  const p = packSegments([a, empty, c]);
  assert.deepEqual(Array.from(p.offset), [0, 2, 2, 3]);
  assert.deepEqual(Array.from(p.start_ns), [0, 10, 5]);
  assert.deepEqual(Array.from(p.entity), [1, 2, 9]);
  assert.deepEqual(Array.from(p.policy), [1, 4, 5]);
  assert.deepEqual(Array.from(p.prio), [120, 50, 99]);
  assert.deepEqual(Array.from(p.flags), [0, B, SEG_CUT | H]);
  assert.deepEqual(Array.from(p.cpu), [-1, 3, -2]);
  const none = packSegments([]);
  assert.deepEqual(Array.from(none.offset), [0]);
  assert.equal(none.start_ns.length, 0);
});

test("packing markers: the same, kind, argument and CPU with each time", () => {
  const a = new MarkStore();
  a.push(5, MARK_HALT, 0, -1);
  a.push(7, MARK_EXIT, 3, 2);
  const b = new MarkStore();
  b.push(1, MARK_BOOST, 1, 0);
  const p = packMarkers([new MarkStore(), a, b]);
  assert.deepEqual(Array.from(p.offset), [0, 0, 2, 3]);
  assert.deepEqual(Array.from(p.t_ns), [5, 7, 1]);
  assert.deepEqual(Array.from(p.kind), [MARK_HALT, MARK_EXIT, MARK_BOOST]);
  assert.deepEqual(Array.from(p.arg), [0, 3, 1]);
  assert.deepEqual(Array.from(p.cpu), [-1, 2, 0]);
});

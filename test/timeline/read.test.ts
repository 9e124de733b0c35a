/**
 * Reading a timeline (sim-core/timeline-read.ts) and the codes it reads (timeline-codes.ts), on a
 * hand-built two-track timeline: segment ends and lookups by time, segments and markers in words
 * as sched_setscheduler(2) and KVM name them, the LOD category of a segment, and the checks a
 * timeline passes when it arrives as JSON.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Timeline } from "../../sim-core/results";
import {
  LOD_BOOST,
  LOD_CUT,
  LOD_FAIR,
  LOD_HALT,
  LOD_IDLE,
  LOD_RT,
  LOD_WAIT,
  lodCategory,
  MARK_BOOST,
  MARK_BOOST_REQ,
  MARK_EXIT,
  MARK_HALT,
  MARK_IRQ,
  MARK_REQ_SEEN,
  policyCode,
  SEG_BOOSTED,
  SEG_CUT,
  SEG_HALTED,
  SEG_WAITING,
} from "../../sim-core/timeline-codes";
import {
  markAt,
  markerLabel,
  policyLabel,
  reviveTimeline,
  segAt,
  segEnd,
  segmentView,
  trackSegments,
  typedArraysAsLists,
} from "../../sim-core/timeline-read";

/** CPU 0: [0,100) idle, [100,250) "a" CFS nice 0, [250,400) "v0" RR 8 boosted. vcpu track: [0,300) "g" halted, [300,400) "g" running on CPU 0; then an empty track. */
function timeline(): Timeline {
  return {
    from_ns: 0,
    to_ns: 400,
    tracks: [
      { kind: "cpu", name: "CPU 0", cpu: 0, fair: "eevdf" },
      { kind: "vcpu", name: "vm0/vcpu0", vm: "vm0", vcpu: 0, thread: 2, fair: "cfs" },
      { kind: "cpu", name: "CPU 1", cpu: 1, fair: "cfs" },
    ],
    entities: [
      { name: "idle", side: "idle" },
      { name: "a", side: "host" },
      { name: "v0", side: "host", vcpu_track: 1 },
      { name: "g", side: "guest", vm: "vm0" },
    ],
    segments: {
      offset: Uint32Array.from([0, 3, 5, 5]),
      start_ns: Float64Array.from([0, 100, 250, 0, 300]),
      entity: Uint16Array.from([0, 1, 2, 3, 3]),
      policy: Uint8Array.from([0, 1, 5, 1, 1]),
      prio: Uint8Array.from([0, 20, 8, 25, 25]),
      flags: Uint8Array.from([0, 0, SEG_BOOSTED, SEG_HALTED, 0]),
      cpu: Int16Array.from([-1, -1, -1, -1, 0]),
    },
    markers: {
      offset: Uint32Array.from([0, 0, 3, 3]),
      t_ns: Float64Array.from([50, 50, 300]),
      kind: Uint8Array.from([MARK_HALT, MARK_EXIT, MARK_IRQ]),
      arg: Uint8Array.from([0, 0, 0]),
      cpu: Int16Array.from([-1, 0, 0]),
    },
    anchors: { probe: new Uint16Array(0), entity: new Uint16Array(0), wake_ns: new Float64Array(0), run_ns: new Float64Array(0) },
    lod: {
      factor: 4,
      categories: 7,
      levels: [{ bucket_ns: 1024, buckets: 1, share: new Uint8Array(21), entity: new Uint16Array(3), count: new Uint32Array(3) }],
    },
    budget: { max_segments_per_track: null, kept: [[0, 400]], windows: [], cut_segments: 0, cut_markers: 0, cut_anchors: 0 },
    joined: 0,
  };
}

test("segEnd and segAt: a segment ends where the next starts, the last at to_ns; lookups by time", () => {
  const tl = timeline();
  assert.deepEqual(
    [0, 1, 2].map((i) => segEnd(tl, 0, i)),
    [100, 250, 400],
  );
  assert.deepEqual(
    [3, 4].map((i) => segEnd(tl, 1, i)),
    [300, 400],
  );
  assert.deepEqual(
    [0, 99, 100, 249, 250, 399, 1000].map((t) => segAt(tl, 0, t)),
    [0, 0, 1, 1, 2, 2, 2],
  );
  assert.equal(segAt(tl, 0, -5), 0); // before the first: the first
  assert.deepEqual(
    [0, 299, 300].map((t) => segAt(tl, 1, t)),
    [3, 3, 4],
  );
  assert.equal(segAt(tl, 1, -1), 3);
  assert.equal(segAt(tl, 2, 10), 5); // an empty track: its end offset
});

test("markAt: the first marker at or after t on the track", () => {
  const tl = timeline();
  assert.deepEqual(
    [0, 50, 51, 300, 301].map((t) => markAt(tl, 1, t)),
    [0, 0, 2, 2, 3],
  );
  assert.equal(markAt(tl, 0, 0), 0);
  assert.equal(markAt(tl, 2, 0), 3);
});

test("policyLabel: FIFO/RR with their priority, the fair policies by name with nice (prio - 20)", () => {
  assert.equal(policyLabel(0, 0), "");
  assert.equal(policyLabel(policyCode("fifo"), 50), "FIFO 50");
  assert.equal(policyLabel(policyCode("rr"), 8), "RR 8");
  assert.equal(policyLabel(policyCode("other"), 20), "CFS");
  assert.equal(policyLabel(policyCode("other"), 20, "eevdf"), "EEVDF");
  assert.equal(policyLabel(policyCode("other"), 25, "eevdf"), "EEVDF nice 5");
  assert.equal(policyLabel(policyCode("other"), 0), "CFS nice -20");
  assert.equal(policyLabel(policyCode("batch"), 20), "BATCH");
  assert.equal(policyLabel(policyCode("idle"), 39), "IDLE nice 19");
  // Codes from a hand-edited or newer results file: named by number, never thrown on.
  assert.equal(policyLabel(9, 20), "policy 9");
  assert.equal(policyLabel(-1, 20), "policy -1");
  assert.equal(policyLabel(2.5, 20), "policy 2.5");
  assert.deepEqual(
    ["", "other", "batch", "idle", "fifo", "rr"].map((p) => policyCode(p as "other")),
    [0, 1, 2, 3, 4, 5],
  );
});

test("segmentView: thread, policy in the track's fair class, boost, and on a vCPU track its state and host CPU", () => {
  const tl = timeline();
  assert.deepEqual(trackSegments(tl, 0), [
    { track: 0, index: 0, start_ns: 0, end_ns: 100, thread: "idle", entity: 0, policy: "", boosted: false, cut: false },
    { track: 0, index: 1, start_ns: 100, end_ns: 250, thread: "a", entity: 1, policy: "EEVDF", boosted: false, cut: false },
    { track: 0, index: 2, start_ns: 250, end_ns: 400, thread: "v0", entity: 2, policy: "RR 8", boosted: true, cut: false },
  ]);
  assert.deepEqual(trackSegments(tl, 1), [
    {
      track: 1,
      index: 3,
      start_ns: 0,
      end_ns: 300,
      thread: "g",
      entity: 3,
      policy: "CFS nice 5",
      boosted: false,
      cut: false,
      vcpu_state: "halted",
    },
    {
      track: 1,
      index: 4,
      start_ns: 300,
      end_ns: 400,
      thread: "g",
      entity: 3,
      policy: "CFS nice 5",
      boosted: false,
      cut: false,
      vcpu_state: "running",
      host_cpu: 0,
    },
  ]);
  assert.deepEqual(trackSegments(tl, 2), []);
  // Waiting, a cut segment on a vCPU track (no state), an unknown entity.
  tl.segments.flags[3] = SEG_WAITING;
  assert.equal(segmentView(tl, 1, 3).vcpu_state, "waiting");
  tl.segments.flags[3] = SEG_WAITING | SEG_HALTED;
  assert.equal(segmentView(tl, 1, 3).vcpu_state, "halted");
  tl.segments.flags[4] = SEG_CUT;
  const cut = segmentView(tl, 1, 4);
  assert.equal(cut.cut, true);
  assert.ok(!("vcpu_state" in cut) && !("host_cpu" in cut));
  tl.segments.entity[0] = 9;
  assert.equal(segmentView(tl, 0, 0).thread, "?");
});

test("markerLabel: each kind in words, unknown arguments as numbers", () => {
  assert.equal(markerLabel(MARK_EXIT, 0), "exit: hlt");
  assert.equal(markerLabel(MARK_EXIT, 6), "exit: preemption");
  assert.equal(markerLabel(MARK_EXIT, 40), "exit: 40");
  assert.equal(markerLabel(MARK_IRQ, 0), "inject: timer");
  assert.equal(markerLabel(MARK_IRQ, 0x12), "inject: device (kick)");
  assert.equal(markerLabel(MARK_IRQ, 0x21), "inject: ipi (posted, no exit)");
  assert.equal(markerLabel(MARK_IRQ, 0x33), "inject: nmi (posted, no exit) (kick)");
  assert.equal(markerLabel(MARK_IRQ, 0x0e), "inject: 14");
  assert.equal(markerLabel(MARK_BOOST, 2), "boost (block)");
  assert.equal(markerLabel(MARK_BOOST, 7), "boost (7)");
  assert.equal(markerLabel(MARK_BOOST_REQ, 1), "guest requests unboost");
  assert.equal(markerLabel(MARK_BOOST_REQ, 9), "guest requests 9");
  assert.equal(markerLabel(MARK_REQ_SEEN, 2), "host reads the boost request");
  assert.equal(markerLabel(MARK_REQ_SEEN, 9), "host reads the 9 request");
  assert.equal(markerLabel(MARK_HALT, 0), "halt");
  assert.equal(markerLabel(10, 0), "rt_throttle");
  assert.equal(markerLabel(42, 0), "marker 42");
});

test("lodCategory: cut, then halted, waiting, boosted, then idle, RT or fair", () => {
  assert.equal(lodCategory(1, 4, SEG_CUT | SEG_HALTED), LOD_CUT);
  assert.equal(lodCategory(1, 4, SEG_HALTED | SEG_WAITING), LOD_HALT);
  assert.equal(lodCategory(1, 4, SEG_WAITING | SEG_BOOSTED), LOD_WAIT);
  assert.equal(lodCategory(1, 1, SEG_BOOSTED), LOD_BOOST);
  assert.equal(lodCategory(0, 0, 0), LOD_IDLE);
  assert.equal(lodCategory(1, 4, 0), LOD_RT);
  assert.equal(lodCategory(1, 5, 0), LOD_RT);
  assert.equal(lodCategory(1, 1, 0), LOD_FAIR);
  assert.equal(lodCategory(1, 3, 0), LOD_FAIR);
});

test("a timeline through JSON comes back with typed columns; a broken one is refused in one line", () => {
  const tl = timeline();
  const back = reviveTimeline(JSON.parse(JSON.stringify(tl, typedArraysAsLists)));
  assert.ok(back.segments.start_ns instanceof Float64Array);
  assert.ok(back.segments.cpu instanceof Int16Array);
  assert.ok(back.markers.kind instanceof Uint8Array);
  assert.ok(back.anchors.run_ns instanceof Float64Array);
  assert.ok(back.lod.levels[0]!.count instanceof Uint32Array);
  assert.deepEqual(Array.from(back.segments.cpu), [-1, -1, -1, -1, 0]);
  assert.deepEqual(trackSegments(back, 1), trackSegments(tl, 1));
  assert.equal(back.lod.factor, 4);
  assert.equal(back.lod.levels[0]!.bucket_ns, 1024);
  assert.equal(back.lod.levels[0]!.buckets, 1);
  // Typed arrays as they are (postMessage) are kept, not copied.
  assert.equal(reviveTimeline(tl).segments.start_ns, tl.segments.start_ns);
  assert.deepEqual(JSON.parse(JSON.stringify({ x: Uint8Array.from([1, 2]), d: new DataView(new ArrayBuffer(1)) }, typedArraysAsLists)), {
    x: [1, 2],
    d: {},
  });
  const json = () => JSON.parse(JSON.stringify(timeline(), typedArraysAsLists));
  const refused = (f: (o: Record<string, any>) => unknown, msg: string) => {
    const o = json();
    f(o);
    assert.throws(
      () => reviveTimeline(o),
      (e: Error) => e.message === msg,
    );
  };
  assert.throws(() => reviveTimeline(null), /^Error: timeline is not an object$/);
  assert.throws(() => reviveTimeline(3), /^Error: timeline is not an object$/);
  refused((o) => delete o.tracks, "timeline has no tracks or entities (an older results file?)");
  refused((o) => delete o.entities, "timeline has no tracks or entities (an older results file?)");
  refused((o) => (o.to_ns = "1"), "timeline has no from_ns/to_ns");
  refused((o) => delete o.from_ns, "timeline has no from_ns/to_ns");
  refused((o) => delete o.markers, "timeline has no markers");
  refused((o) => (o.anchors = null), "timeline has no anchors");
  refused((o) => (o.segments.prio = [1, "x"]), "timeline segments.prio is not a list of numbers");
  refused((o) => (o.segments.prio = "12"), "timeline segments.prio is not a list of numbers");
  refused((o) => delete o.lod, "timeline has no lod levels");
  refused((o) => (o.lod.levels = {}), "timeline has no lod levels");
  refused((o) => (o.lod.levels[0].share = null), "timeline lod.levels.0.share is not a list of numbers");
  refused((o) => o.segments.offset.pop(), "timeline offsets do not match its tracks");
  refused((o) => o.markers.offset.push(3), "timeline offsets do not match its tracks");
  refused((o) => o.segments.start_ns.push(500), "timeline segment columns have the wrong length");
});

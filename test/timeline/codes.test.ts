/**
 * The timeline's codes (sim-core/timeline-codes.ts), which the recorder writes and the renderer,
 * the hover text and the trace exporter read: each name at the index its constant says, the
 * requests as pvsched/state.ts numbers them, the exit reasons as VcpuStats counts them, and the
 * segment flags as separate bits.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { VCPU_REQ_BOOST, VCPU_REQ_NONE, VCPU_REQ_UNBOOST } from "../../sim-core/pvsched/state";
import * as C from "../../sim-core/timeline-codes";
import { markerLabel } from "../../sim-core/timeline-read";

test("marker names at their kinds, in words", () => {
  const kinds: [number, string][] = [
    [C.MARK_EXIT, "exit"],
    [C.MARK_IRQ, "irq"],
    [C.MARK_BOOST, "boost"],
    [C.MARK_UNBOOST, "unboost"],
    [C.MARK_THROTTLE, "throttle"],
    [C.MARK_BOOST_REQ, "boost_req"],
    [C.MARK_REQ_SEEN, "req_seen"],
    [C.MARK_HALT, "halt"],
    [C.MARK_KICK, "kick"],
    [C.MARK_RT_THROTTLE, "rt_throttle"],
  ];
  assert.deepEqual(
    kinds.map(([k]) => k),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  for (const [k, name] of kinds) assert.equal(C.MARK_NAMES[k], name);
  assert.equal(C.MARK_NAMES[0], "");
  assert.equal(C.MARK_NAMES.length, 11);
  assert.deepEqual(
    [C.MARK_UNBOOST, C.MARK_THROTTLE, C.MARK_KICK].map((k) => markerLabel(k, 0)),
    ["unboost", "throttle", "kick"],
  );
});

test("marker arguments: exit reasons as VcpuStats counts them, sources, requests as the shared page numbers them", () => {
  assert.deepEqual(C.EXIT_REASONS, ["hlt", "timer", "external_interrupt", "ipi", "msr_unboost", "msr_other", "preemption"]);
  assert.deepEqual(C.IRQ_SOURCES, ["timer", "ipi", "device", "nmi"]);
  // The source sits in the low 4 bits; the kick and posted flags above them.
  assert.equal(C.IRQ_KICKED, 0x10);
  assert.equal(C.IRQ_POSTED, 0x20);
  assert.deepEqual(C.BOOST_SOURCES, ["inject", "exit", "block"]);
  assert.equal(C.REQUEST_NAMES[VCPU_REQ_NONE], "none");
  assert.equal(C.REQUEST_NAMES[VCPU_REQ_UNBOOST], "unboost");
  assert.equal(C.REQUEST_NAMES[VCPU_REQ_BOOST], "boost");
  assert.equal(C.REQUEST_NAMES.length, 3);
});

test("segment flags are separate bits; policies and LOD categories at their codes", () => {
  const flags = [C.SEG_BOOSTED, C.SEG_CUT, C.SEG_WAITING, C.SEG_HALTED, C.SEG_DOWNSAMPLED];
  assert.deepEqual(flags, [1, 2, 4, 8, 16]);
  assert.deepEqual(C.POLICY_CODES, ["", "other", "batch", "idle", "fifo", "rr"]);
  assert.equal(C.POLICY_CODES[C.POLICY_FIFO], "fifo");
  assert.equal(C.POLICY_CODES[C.POLICY_RR], "rr");
  const lod: [number, string][] = [
    [C.LOD_IDLE, "idle"],
    [C.LOD_FAIR, "fair"],
    [C.LOD_RT, "rt"],
    [C.LOD_BOOST, "boosted"],
    [C.LOD_WAIT, "waiting"],
    [C.LOD_HALT, "halted"],
    [C.LOD_CUT, "not kept"],
  ];
  assert.deepEqual(
    lod.map(([k]) => k),
    [0, 1, 2, 3, 4, 5, 6],
  );
  for (const [k, name] of lod) assert.equal(C.LOD_NAMES[k], name);
  assert.equal(C.LOD_CATEGORIES, 7);
  assert.equal(C.LOD_NAMES.length, C.LOD_CATEGORIES);
});

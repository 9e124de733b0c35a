/**
 * Results too big for the panel (extension/panel-fit.ts): a payload whose timelines would make a
 * message of hundreds of MB is posted without its largest timelines, with a note per timeline
 * the panel shows; one that fits is posted as it is. The large payload is synthetic (typed
 * columns of the size a long run with its timeline records), not a long simulation.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ResultsPayload } from "../../common/protocol";
import { payloadProblem } from "../../common/protocol";
import { fitForPanel, messageBytes, PANEL_MAX_BYTES } from "../../extension/panel-fit";
import { simulate, type RunResult, type Scenario, type Timeline } from "../../sim-core/index";

const tiny: Scenario = {
  name: "tiny",
  seed: 3,
  duration_s: 0.02,
  host: { cpus: 2, workloads: [{ kind: "cyclictest", id: "host-cyclictest", interval_us: 500 }] },
  timeline: { enabled: true },
};

/** A run's timeline with `segments` segments on one track (the columns' real types). */
function bigTimeline(base: Timeline, segments: number): Timeline {
  return {
    ...base,
    segments: {
      offset: new Uint32Array([0, segments]),
      start_ns: new Float64Array(segments),
      entity: new Uint16Array(segments),
      policy: new Uint8Array(segments),
      prio: new Uint8Array(segments),
      flags: new Uint8Array(segments),
      cpu: new Int16Array(segments),
    },
  };
}

function payload(runs: RunResult[]): ResultsPayload {
  return { title: "big", source: { kind: "scenario" }, runs };
}

test("results that fit are posted as they are", () => {
  const p = payload([simulate(tiny, { mode: "vanilla" }), simulate(tiny, { mode: "dynamic" })]);
  assert.ok(p.runs[0]!.timeline);
  assert.equal(fitForPanel(p), p);
});

test("the size estimate counts the JSON text and the typed arrays' bytes", () => {
  assert.equal(messageBytes({ a: "xy", b: [1, 2] }), JSON.stringify({ a: "xy", b: [1, 2] }).length);
  // A typed array is sent as its buffer: its bytes, plus the placeholder's text.
  const withColumn = messageBytes({ c: new Float64Array(1000) });
  assert.ok(withColumn >= 8000 && withColumn < 8100, `${withColumn}`);
});

test("over the limit, the largest timelines are left out with a note each, the rest is kept", () => {
  const r = simulate(tiny, { mode: "dynamic" });
  const base = r.timeline!;
  // 15 bytes of columns per segment: 2.5 M and 2.6 M segments are 36 and 37 MiB, over 64 MiB
  // together. Their JSON with a key per element (what failed before) would be far past V8's
  // longest string.
  const runs = [2_500_000, 2_600_000, 100_000].map((n, i) => ({ ...r, mode: `mode${i}`, timeline: bigTimeline(base, n) }));
  const p = payload(runs);
  assert.ok(messageBytes(p) > PANEL_MAX_BYTES);
  const fitted = fitForPanel(p);
  assert.ok(messageBytes(fitted) <= PANEL_MAX_BYTES, `${messageBytes(fitted)} bytes`);
  // The fewest timelines, largest first: only mode1's (2.6 M) goes; the others stay.
  assert.deepEqual(
    fitted.runs.map((x) => x.timeline !== undefined),
    [true, false, true],
  );
  assert.equal(fitted.notes?.length, 1);
  assert.match(
    fitted.notes![0]!,
    /^The timeline of tiny · mode1 \(2600000 segments, 37\.2 MiB\) is not shown: these results are 7\d\.\d MiB/,
  );
  assert.match(fitted.notes![0]!, /over the panel's 64\.0 MiB/);
  // Everything but the timelines is sent; the host's payload is untouched; the webview accepts it.
  assert.deepEqual(fitted.runs[1]!.probes, runs[1]!.probes);
  assert.ok(p.runs[1]!.timeline, "the payload kept for history and export still has it");
  assert.equal(payloadProblem(fitted), undefined);
});

test("a smaller limit leaves out more timelines, never the tables", () => {
  const r = simulate(tiny, { mode: "dynamic" });
  const runs = [300_000, 200_000, 100_000].map((n, i) => ({ ...r, mode: `m${i}`, timeline: bigTimeline(r.timeline!, n) }));
  const fitted = fitForPanel(payload(runs), 1024 * 1024);
  assert.deepEqual(
    fitted.runs.map((x) => x.timeline !== undefined),
    [false, false, false],
  );
  assert.equal(fitted.notes?.length, 3);
  assert.equal(fitted.runs.length, 3);
});

test("a payload with notes that are not strings is refused by the webview's check", () => {
  assert.match(payloadProblem({ ...payload([]), notes: [1] }) ?? "", /notes/);
});

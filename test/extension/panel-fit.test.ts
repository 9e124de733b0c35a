/**
 * Results too big for the panel (extension/panel-fit.ts): a payload whose timelines would make a
 * message of hundreds of MB is posted with its largest timelines downsampled (full resolution
 * around each probe's worst sample, the coarser summary elsewhere), with a note per timeline that
 * says what was kept; one that fits is posted as it is. The 64 MiB case is synthetic (typed
 * columns of the size a long run records), the others are real runs under a smaller limit.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ResultsPayload } from "../../common/protocol";
import { payloadProblem } from "../../common/protocol";
import { fitForPanel, messageBytes, PANEL_MAX_BYTES } from "../../extension/panel-fit";
import { simulate, type RunResult, type Scenario, type Timeline } from "../../sim-core/index";
import { busyScenario } from "../timeline/busy-scenario";

const tiny: Scenario = {
  name: "tiny",
  seed: 3,
  duration_s: 0.02,
  host: { cpus: 2, workloads: [{ kind: "cyclictest", id: "host-cyclictest", interval_us: 500 }] },
  timeline: { enabled: true },
};

/** A run's timeline with `segments` segments on one track, spread over the run (the columns' real types). */
function bigTimeline(base: Timeline, segments: number): Timeline {
  const start = new Float64Array(segments);
  for (let i = 0; i < segments; i++) start[i] = base.from_ns + Math.floor((i * (base.to_ns - base.from_ns)) / segments);
  return {
    ...base,
    tracks: base.tracks.slice(0, 1),
    segments: {
      offset: new Uint32Array([0, segments]),
      start_ns: start,
      entity: new Uint16Array(segments),
      policy: new Uint8Array(segments),
      prio: new Uint8Array(segments),
      flags: new Uint8Array(segments),
      cpu: new Int16Array(segments),
    },
    markers: {
      offset: new Uint32Array(2),
      t_ns: new Float64Array(0),
      kind: new Uint8Array(0),
      arg: new Uint8Array(0),
      cpu: new Int16Array(0),
    },
  };
}

function payload(runs: RunResult[]): ResultsPayload {
  return { title: "big", source: { kind: "scenario" }, runs };
}

const busy = busyScenario({ seed: 4, durationS: 0.2, vcpus: 1, hostHogs: 1 });

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

// (Static mode starves the host's cyclictest for over 100 ms here: its worst-sample window would be most of the run.)
const busyRuns = [
  simulate(busy, { mode: "vanilla" }),
  simulate(busy, { mode: "dynamic" }),
  { ...simulate({ ...busy, seed: 5 }, { mode: "vanilla" }), mode: "vanilla seed 5" },
];
const ms = (ns: number) => (ns / 1e6).toFixed(3);

test("over the limit, the timelines are downsampled with a note each saying what was kept", () => {
  const p = payload(busyRuns);
  const total = messageBytes(p);
  const max = Math.round(total / 4);
  const fitted = fitForPanel(p, max);
  assert.ok(messageBytes(fitted) <= max, `${messageBytes(fitted)} bytes > ${max}`);
  assert.equal(fitted.notes?.length, 3);
  fitted.runs.forEach((r, i) => {
    const before = busyRuns[i]!.timeline!;
    const after = r.timeline!;
    assert.ok(after, `${r.mode}: no timeline`);
    const note = fitted.notes![i]!;
    assert.ok(
      note.startsWith(
        `The timeline of busy · ${r.mode} is downsampled: these results are ${(total / 2 ** 20).toFixed(1)} MiB with their ` +
          `timelines, over the panel's ${(max / 2 ** 20).toFixed(1)} MiB. ` +
          `${before.segments.start_ns.length} segments → ${after.segments.start_ns.length}, full resolution only in `,
      ),
      note,
    );
    // Each probe's worst sample: 4 ms before its timer expired to 2 ms after it ran, worst first;
    // then each tail bin's worst sample, worst first.
    const text = (id: string, kind: string, w: { wake_ns: number; run_ns: number; latency_ns: number }) =>
      `${id} (${kind} ${(w.latency_ns / 1e3).toFixed(1)} µs) ` +
      `${ms(Math.max(before.from_ns, w.wake_ns - 4e6))}–${ms(Math.min(before.to_ns, w.run_ns + 2e6))} ms`;
    const byLatency = (x: { id: string; w: { latency_ns: number } }, y: { id: string; w: { latency_ns: number } }) =>
      y.w.latency_ns - x.w.latency_ns || x.id.localeCompare(y.id);
    const worst = r.probes
      .map((pr) => ({ id: pr.id, w: pr.why!.worst! }))
      .sort(byLatency)
      .map(({ id, w }) => text(id, "worst", w));
    const tails = r.probes
      .flatMap((pr) => (pr.why!.tail ?? []).filter((t) => t.wake_ns !== pr.why!.worst!.wake_ns).map((w) => ({ id: pr.id, w })))
      .sort(byLatency)
      .map(({ id, w }) => text(id, "tail bin", w));
    const list = `${worst.join("; ")}${tails.length ? `; and the tail bins' worst: ${tails.join("; ")}` : ""}`;
    assert.ok(
      note.includes(`only in ${worst.length + tails.length} windows around the worst samples: ${list}; elsewhere it is drawn from its `),
      note,
    );
    assert.match(
      note,
      /summary \((the [1-9]\d* finest of \d+ summary levels left out|all \d+ summary levels kept)\)\. Markers \d+ → \d+, samples \d+ → \d+\./,
    );
    assert.ok(after.segments.start_ns.length < before.segments.start_ns.length);
  });
  // Everything but the timelines is sent as it was; the host's payload is untouched; the webview accepts it.
  assert.deepEqual(
    fitted.runs.map((r) => r.probes),
    busyRuns.map((r) => r.probes),
  );
  assert.equal(p.runs[1]!.timeline, busyRuns[1]!.timeline, "the payload kept for history still has the whole timeline");
  assert.equal(payloadProblem(fitted), undefined);
});

test("at the panel's 64 MiB, the largest timelines are downsampled and a small one is sent whole", () => {
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
  assert.equal(fitted.runs[2]!.timeline, runs[2]!.timeline, "the 100 k-segment timeline is sent whole");
  assert.ok(fitted.runs[0]!.timeline!.downsampled && fitted.runs[1]!.timeline!.downsampled);
  assert.equal(fitted.notes?.length, 2);
  assert.match(
    fitted.notes![0]!,
    /^The timeline of tiny · mode0 is downsampled: these results are 7\d\.\d MiB .* over the panel's 64\.0 MiB\. 2500000 segments → \d+,/,
  );
  assert.match(fitted.notes![1]!, /^The timeline of tiny · mode1 is downsampled: .* 2600000 segments → \d+,/);
});

test("a timeline that does not fit even as its coarsest summary is left out, with a note", () => {
  const p = payload(busyRuns);
  const rest = messageBytes({ ...p, runs: p.runs.map(({ timeline: _t, ...x }) => x) });
  // Room for the tables and the notes, a few hundred bytes for each timeline.
  const fitted = fitForPanel(p, rest + 64 * 1024 + 600);
  assert.ok(messageBytes(fitted) <= rest + 64 * 1024 + 600);
  assert.deepEqual(
    fitted.runs.map((x) => x.timeline),
    [undefined, undefined, undefined],
  );
  assert.equal(fitted.runs.length, 3);
  assert.equal(fitted.notes?.length, 3);
  assert.match(
    fitted.notes![0]!,
    /^The timeline of busy · vanilla \(\d+ segments, [\d.]+ MiB\) is not shown: .* not even its coarsest summary fits\./,
  );
});

test("a payload with notes that are not strings is refused by the webview's check", () => {
  assert.match(payloadProblem({ ...payload([]), notes: [1] }) ?? "", /notes/);
});

/**
 * Downsampling a timeline to a byte budget (sim-core/timeline-downsample.ts, issue 14): the result
 * is within the budget, every segment, marker and sample in the window around each probe's worst
 * sample is kept as it was, everything else is one "not kept" segment per gap that the kept
 * summary levels (the original's coarsest ones) cover, and a results file's plain lists give the
 * same result as typed columns. Sizes are measured here by walking the result, not with the
 * module's own estimate.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { simulate, type RunResult, type Timeline } from "../../sim-core/index";
import { busyScenario } from "./busy-scenario";
import { SEG_CUT, SEG_DOWNSAMPLED } from "../../sim-core/timeline-codes";
import { downsampleTimeline } from "../../sim-core/timeline-downsample";
import { segEnd, typedArraysAsLists } from "../../sim-core/timeline-read";

const scenario = busyScenario({ seed: 11, durationS: 0.3, vcpus: 2, hostHogs: 1 });
const run: RunResult = simulate(scenario, { mode: "vanilla" });
const full = run.timeline!;

/** Bytes as a webview message carries them: typed arrays' bytes plus the JSON text of the rest. */
function bytes(v: unknown): number {
  let buffers = 0;
  const text = JSON.stringify(v, (_k, x: unknown) => {
    if (ArrayBuffer.isView(x)) {
      buffers += x.byteLength;
      return 0;
    }
    return x;
  });
  return text.length + buffers;
}

interface Win {
  probe: string;
  from: number;
  to: number;
  wake: number;
  run: number;
  latency: number;
}

/**
 * The windows that stay whole: 4 ms before a sample's timer expired to 2 ms after its thread ran
 * (the recorder's), first each probe's worst sample, worst first, then each histogram tail bin's
 * worst sample (the Distributions tab's jump), worst first.
 */
function windows(r: RunResult): Win[] {
  const win = (probe: string, x: { wake_ns: number; run_ns: number; latency_ns: number }): Win => ({
    probe,
    wake: x.wake_ns,
    run: x.run_ns,
    latency: x.latency_ns,
    from: Math.max(full.from_ns, x.wake_ns - 4e6),
    to: Math.min(full.to_ns, x.run_ns + 2e6),
  });
  const byLatency = (x: Win, y: Win) => y.latency - x.latency || x.probe.localeCompare(y.probe);
  const worst = r.probes.map((p) => win(p.id, p.why!.worst!)).sort(byLatency);
  const tails = r.probes
    .flatMap((p) => (p.why!.tail ?? []).filter((t) => t.wake_ns !== p.why!.worst!.wake_ns).map((t) => win(p.id, t)))
    .sort(byLatency);
  return [...worst, ...tails];
}

/** Segments of a track overlapping [a, b), as comparable rows. */
function segmentsIn(tl: Timeline, track: number, a: number, b: number): string[] {
  const g = tl.segments;
  const out: string[] = [];
  for (let i = g.offset[track]!; i < g.offset[track + 1]!; i++) {
    const s = g.start_ns[i]!;
    const e = segEnd(tl, track, i);
    if (e > a && s < b) out.push(`${s}-${e} e${g.entity[i]} p${g.policy[i]}/${g.prio[i]} f${g.flags[i]} c${g.cpu[i]}`);
  }
  return out;
}

test("the run has something to downsample: several probes, thousands of segments", () => {
  assert.ok(run.probes.length >= 2, `${run.probes.length} probes`);
  assert.ok(full.segments.start_ns.length > 2000, `${full.segments.start_ns.length} segments`);
  assert.ok(full.lod.levels.length >= 4);
});

test("the result is within the budget, keeping the original's coarsest summary levels", () => {
  const whole = bytes(full);
  for (const part of [2, 8, 32]) {
    const max = whole / part;
    const d = downsampleTimeline(full, run.probes, max);
    assert.ok(d, `1/${part}`);
    assert.ok(bytes(d) <= max, `1/${part}: ${bytes(d)} bytes > ${max}`);
    const kept = d.lod.levels.length;
    assert.ok(kept >= 1);
    const original = full.lod.levels.slice(full.lod.levels.length - kept);
    assert.deepEqual(
      d.lod.levels.map((l) => [l.bucket_ns, l.buckets, [...l.share], [...l.entity], [...l.count]]),
      original.map((l) => [l.bucket_ns, l.buckets, [...l.share], [...l.entity], [...l.count]]),
    );
    assert.equal(d.downsampled!.lod_levels_dropped, full.lod.levels.length - kept);
    assert.equal(d.downsampled!.bucket_ns, d.lod.levels[0]!.bucket_ns);
    assert.equal(d.downsampled!.segments_after, d.segments.start_ns.length);
  }
  // Less room, fewer levels kept.
  const a = downsampleTimeline(full, run.probes, whole / 2)!;
  const b = downsampleTimeline(full, run.probes, whole / 32)!;
  assert.ok(b.lod.levels.length < a.lod.levels.length, `${b.lod.levels.length} vs ${a.lod.levels.length}`);
});

test("each probe's worst sample and each tail bin's keep their windows at full resolution: segments, markers, samples", () => {
  assert.ok(windows(run).length > run.probes.length, "no tail bin's window to check");
  // A twelfth of the whole has room for every window in this run (a fourteenth leaves one out).
  const d = downsampleTimeline(full, run.probes, bytes(full) / 12)!;
  assert.equal(d.downsampled!.windows_left_out, 0);
  for (const w of windows(run)) {
    const dw = d.downsampled!.windows.find((x) => x.probe === w.probe && x.wake_ns === w.wake);
    assert.ok(dw, `${w.probe}: no window listed`);
    assert.deepEqual([dw.from_ns, dw.to_ns], [w.from, w.to], w.probe);
    for (let t = 0; t < full.tracks.length; t++) {
      const want = segmentsIn(full, t, w.from, w.to);
      assert.deepEqual(segmentsIn(d, t, w.from, w.to), want, `${w.probe}, track ${t}`);
      // "Jump to worst" shows [wake, run]: real segments there, none left out.
      for (const row of segmentsIn(d, t, w.wake, w.run)) assert.doesNotMatch(row, new RegExp(` f${SEG_CUT | SEG_DOWNSAMPLED} `));
      const marks = (tl: Timeline) => {
        const m = tl.markers;
        const out: string[] = [];
        for (let i = m.offset[t]!; i < m.offset[t + 1]!; i++)
          if (m.t_ns[i]! >= w.from && m.t_ns[i]! < w.to) out.push(`${m.t_ns[i]} ${m.kind[i]} ${m.arg[i]} ${m.cpu[i]}`);
        return out;
      };
      assert.deepEqual(marks(d), marks(full), `${w.probe}, markers of track ${t}`);
    }
    const a = d.anchors;
    let found = false;
    for (let i = 0; i < a.wake_ns.length; i++) if (a.wake_ns[i] === w.wake && a.run_ns[i] === w.run) found = true;
    assert.ok(found, `${w.probe}: the worst sample's anchor is gone`);
  }
  assert.ok(d.segments.start_ns.length < full.segments.start_ns.length / 4, `${d.segments.start_ns.length} segments kept`);
});

test("elsewhere each track has one downsampled segment per gap, and still tiles the run", () => {
  const d = downsampleTimeline(full, run.probes, bytes(full) / 12)!;
  const wins = windows(run);
  for (let t = 0; t < full.tracks.length; t++) {
    const g = d.segments;
    const a = g.offset[t]!;
    const b = g.offset[t + 1]!;
    assert.equal(g.start_ns[a], full.segments.start_ns[full.segments.offset[t]!], `track ${t} starts where it did`);
    let gaps = 0;
    for (let i = a; i < b; i++) {
      if (i > a) assert.ok(g.start_ns[i]! > g.start_ns[i - 1]!, `track ${t}: segment ${i} does not follow`);
      if (!(g.flags[i]! & SEG_DOWNSAMPLED)) continue;
      gaps++;
      assert.equal(g.flags[i], SEG_CUT | SEG_DOWNSAMPLED);
      const s = g.start_ns[i]!;
      const e = segEnd(d, t, i);
      for (const w of wins) assert.ok(e <= w.from || s >= w.to, `track ${t}: a gap ${s}-${e} overlaps ${w.probe}'s window`);
      if (i + 1 < b) assert.equal(g.flags[i + 1]! & SEG_DOWNSAMPLED, 0, "two gaps in a row");
    }
    assert.ok(gaps >= 1 && gaps <= wins.length + 1, `track ${t}: ${gaps} gaps`);
  }
  // Markers and samples outside every window are left out, and counted.
  const ds = d.downsampled!;
  assert.equal(ds.markers_before, full.markers.t_ns.length);
  assert.equal(ds.markers_after, d.markers.t_ns.length);
  assert.ok(ds.markers_after < ds.markers_before);
  assert.equal(ds.anchors_after, d.anchors.wake_ns.length);
  assert.ok(ds.anchors_after < ds.anchors_before);
});

test("with less room the least bad windows go first; with none at all, null", () => {
  const worstFirst = windows(run);
  let max = bytes(full) / 32;
  let d = downsampleTimeline(full, run.probes, max);
  while (d && d.downsampled!.windows_left_out === 0) {
    max *= 0.9;
    d = downsampleTimeline(full, run.probes, max);
  }
  assert.ok(d, "no budget left some windows out before none fitted");
  assert.ok(bytes(d) <= max);
  const kept = d.downsampled!.windows.map((w) => `${w.probe} ${w.wake_ns}`);
  assert.deepEqual(
    kept,
    worstFirst.slice(0, kept.length).map((w) => `${w.probe} ${w.wake}`),
  );
  assert.equal(downsampleTimeline(full, run.probes, 200), null);
});

test("a results file's plain lists downsample as the typed columns do", () => {
  const lists = JSON.parse(JSON.stringify(full, typedArraysAsLists)) as Timeline;
  assert.ok(Array.isArray(lists.segments.start_ns));
  const max = bytes(full) / 8;
  const fromLists = downsampleTimeline(lists, run.probes, max)!;
  const fromTyped = downsampleTimeline(full, run.probes, max)!;
  assert.ok(fromLists.segments.start_ns instanceof Float64Array);
  assert.ok(fromLists.lod.levels[0]!.share instanceof Uint8Array);
  assert.equal(JSON.stringify(fromLists, typedArraysAsLists), JSON.stringify(fromTyped, typedArraysAsLists));
});

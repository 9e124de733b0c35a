import { test } from "node:test";
import assert from "node:assert/strict";
import published from "../../reference/published.json";
import { buildSeedReport, inSampleMatcher } from "../../report/seed-build";
import {
  cellId,
  claimQuorum,
  evaluateClaims,
  log10Error,
  median,
  parseSeedFileName,
  SEED_FILES,
  type Cell,
  type PublishedTables,
  type SeedRun,
} from "../../report/seed-report";
import type { ProbeResult } from "../../sim-core/results";
import { fakeProbe, fakeRun } from "./fake-runs";

const PUB = published as unknown as PublishedTables;

function probe(id: string, side: "guest" | "host", avg: number, max: number, glitches?: number): ProbeResult {
  return fakeProbe({ id, side, avg, max, min: 0, glitches, callbacks: 1000 });
}

function run(file: string, mode: string, probes: ProbeResult[], replication = 0): SeedRun {
  return { file, result: fakeRun({ scenario: file, mode, probes, events: 10 }), replication };
}

type Mode = "vanilla" | "dynamic" | "static";
/** Synthetic numbers shaped like the cover letter's story (not the published numbers). */
interface Shape {
  guestAvg: (load: string, mode: Mode) => number;
  hostMax: (load: string, interval: number, mode: Mode) => number;
  glitches: (load: string, frames: number, mode: "vanilla" | "dynamic") => number;
}
const GOOD: Shape = {
  guestAvg: (load, mode) => (load === "busy" && mode === "vanilla" ? 500 : 20),
  hostMax: (load, interval, mode) => (mode === "static" && load === "busy" && interval === 1000 ? 9000 : 1500),
  glitches: (load, frames, mode) => (load === "busy" && frames < 512 ? (mode === "vanilla" ? 800 : 40) : load === "busy" ? 20 : 1),
};

function runsFor(shape: Shape, replication = 0): SeedRun[] {
  const runs: SeedRun[] = [];
  for (const load of ["idle", "busy"])
    for (const interval of [500, 1000])
      for (const mode of ["vanilla", "dynamic", "static"] as Mode[])
        runs.push(
          run(
            `cyclictest-${load}-${interval}.pvsched.yaml`,
            mode,
            [
              probe("guest-cyclictest", "guest", shape.guestAvg(load, mode), 1000),
              probe("host-cyclictest", "host", 5, shape.hostMax(load, interval, mode)),
            ],
            replication,
          ),
        );
  for (const load of ["noload", "busy"])
    for (const frames of [96, 256, 512])
      for (const mode of ["vanilla", "dynamic"] as const)
        runs.push(
          run(
            `audio-${load}-${frames}.pvsched.yaml`,
            mode,
            [probe("audio", "guest", 100, 900, shape.glitches(load, frames, mode))],
            replication,
          ),
        );
  return runs;
}

/** A second replication: the same story with other numbers (busy vanilla guest avg 400, not 500). */
const SECOND: Shape = {
  ...GOOD,
  guestAvg: (load, mode) => (load === "busy" && mode === "vanilla" ? 400 : 18),
  hostMax: (load, interval, mode) => (mode === "static" && load === "busy" && interval === 1000 ? 7000 : 1300),
};

const holds = (shape: Shape) => Object.fromEntries(buildSeedReport(runsFor(shape), PUB).claims.map((c) => [c.id, c.holds]));

test("file names map to seed keys", () => {
  assert.deepEqual(parseSeedFileName("scenarios/seed/cyclictest-busy-1000.pvsched.yaml"), {
    table: "cyclictest",
    load: "busy",
    interval: 1000,
  });
  assert.deepEqual(parseSeedFileName("audio-noload-96.pvsched.yaml"), { table: "audio", load: "noload", bufferFrames: 96 });
  assert.equal(parseSeedFileName("cyclictest-busy-750.pvsched.yaml"), undefined);
  assert.equal(SEED_FILES.length, 10);
});

test("48 cyclictest cells and 12 audio cells, each with its published number", () => {
  const r = buildSeedReport(runsFor(GOOD), PUB);
  assert.equal(r.cells.filter((c) => c.table === "cyclictest").length, 48);
  assert.equal(r.cells.filter((c) => c.table === "audio").length, 12);
  assert.ok(r.cells.every((c) => c.published !== null && c.simulated !== null));
  const cell = r.cells.find(
    (c) =>
      c.table === "cyclictest" && c.load === "busy" && c.interval === 1000 && c.side === "host" && c.stat === "max" && c.mode === "static",
  );
  assert.equal(cell?.published, 27104);
  assert.equal(cell?.simulated, 9000);
  const audio = r.cells.find((c) => c.table === "audio" && c.load === "busy" && c.bufferFrames === 96 && c.mode === "patches");
  assert.equal(audio?.simulated, 40); // the dynamic run feeds the "patches" column
  assert.equal(r.durationSimulatedS, 24); // 12 cyclictest + 12 audio runs of 1 s
});

test("error per cell is |log10| with values floored at 1, and its median", () => {
  assert.equal(log10Error(100, 10), 1);
  assert.equal(log10Error(1, 1000), 3);
  assert.equal(log10Error(0, 0), 0);
  assert.equal(log10Error(0.2, 1), 0);
  assert.equal(log10Error(null, 5), null);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(median([]), null);
  const r = buildSeedReport(runsFor(GOOD), PUB);
  const errs = r.cells.map((c) => c.log10Error!).sort((a, b) => a - b);
  assert.equal(r.medianLog10Error, (errs[29]! + errs[30]!) / 2);
});

test("published numbers never reach simulated values, intervals or claims", () => {
  const runs = [...runsFor(GOOD, 0), ...runsFor(SECOND, 1), ...runsFor(GOOD, 2)];
  const a = buildSeedReport(runs, PUB);
  const scrambled = JSON.parse(JSON.stringify(PUB), (_k, v) => (typeof v === "number" ? v * 37 + 1 : v));
  const b = buildSeedReport(runs, scrambled);
  const simulatedSide = (c: Cell) => [c.id, c.simulated, c.values, c.mean, c.ci95, c.band10_90, c.replications, c.inSample];
  assert.deepEqual(a.cells.map(simulatedSide), b.cells.map(simulatedSide));
  assert.deepEqual(a.claims, b.claims);

  assert.notDeepEqual(
    a.cells.map((c) => c.published),
    b.cells.map((c) => c.published),
  );
});

test("claims hold on numbers shaped like the cover letter", () => {
  const h = holds(GOOD);
  assert.deepEqual(h, {
    "busy-vanilla-far-above": true,
    "dynamic-close-to-static": true,
    "static-hurts-host-dynamic-does-not": true,
    "idle-rows-close": true,
    "audio-glitches-fall-at-2-4ms": true,
    "audio-glitches-flat-at-10ms": true,
  });
});

test("each claim fails when its own numbers contradict it", () => {
  assert.equal(holds({ ...GOOD, guestAvg: (l, m) => (l === "busy" && m === "vanilla" ? 60 : 20) })["busy-vanilla-far-above"], false);
  assert.equal(
    holds({ ...GOOD, guestAvg: (l, m) => (l === "busy" && m === "vanilla" ? 500 : m === "dynamic" ? 90 : 20) })["dynamic-close-to-static"],
    false,
  );
  // dynamic hurting the host breaks (c), and so does static not hurting it.
  assert.equal(
    holds({ ...GOOD, hostMax: (l, i, m) => (m !== "vanilla" && l === "busy" && i === 1000 ? 9000 : 1500) })[
      "static-hurts-host-dynamic-does-not"
    ],
    false,
  );
  assert.equal(holds({ ...GOOD, hostMax: () => 1500 })["static-hurts-host-dynamic-does-not"], false);
  assert.equal(
    holds({ ...GOOD, guestAvg: (l, m) => (l === "idle" && m === "vanilla" ? 200 : l === "busy" && m === "vanilla" ? 500 : 20) })[
      "idle-rows-close"
    ],
    false,
  );
  assert.equal(
    holds({ ...GOOD, glitches: (l, f, m) => (l === "busy" && f === 256 ? (m === "vanilla" ? 800 : 300) : GOOD.glitches(l, f, m)) })[
      "audio-glitches-fall-at-2-4ms"
    ],
    false,
  );
  // Nothing to fall from: zero vanilla glitches is not a steep fall.
  assert.equal(holds({ ...GOOD, glitches: () => 0 })["audio-glitches-fall-at-2-4ms"], false);
  assert.equal(
    holds({ ...GOOD, glitches: (l, f, m) => (l === "busy" && f === 512 ? (m === "vanilla" ? 100 : 10) : GOOD.glitches(l, f, m)) })[
      "audio-glitches-flat-at-10ms"
    ],
    false,
  );
});

test("missing runs give n/a cells and claims that do not hold", () => {
  const r = buildSeedReport([], PUB);
  assert.equal(r.cells.length, 60);
  assert.ok(r.cells.every((c) => c.simulated === null && c.log10Error === null));
  assert.equal(r.medianLog10Error, null);
  assert.ok(evaluateClaims(r.cells).every((c) => !c.holds));
});

test("claim (c) is judged on the busy rows: idle-row maxima do not decide it", () => {
  // Dynamic's idle host max well above vanilla's: information only, the claim still holds.
  const idleNoise: Shape = { ...GOOD, hostMax: (l, i, m) => (l === "idle" ? (m === "dynamic" ? 100 : 30) : GOOD.hostMax(l, i, m)) };
  const c = buildSeedReport(runsFor(idleNoise), PUB).claims.find((x) => x.id === "static-hurts-host-dynamic-does-not")!;
  assert.equal(c.holds, true);
  assert.match(c.detail, /information only/);
  // Static hurting only on the idle rows is not the claim.
  const idleOnly: Shape = { ...GOOD, hostMax: (l, _i, m) => (l === "idle" && m === "static" ? 9000 : 1500) };
  assert.equal(holds(idleOnly)["static-hurts-host-dynamic-does-not"], false);
});

test("cell ids, the claims' quorum and the in-sample matcher", () => {
  const r = buildSeedReport(runsFor(GOOD), PUB);
  assert.equal(r.cells[0]!.id, "cyclictest/idle/500/guest/avg/vanilla");
  assert.equal(r.cells.at(-1)!.id, "audio/busy/512/patches");
  assert.equal(new Set(r.cells.map((c) => c.id)).size, 60);
  assert.equal(cellId({ table: "audio", load: "noload", bufferFrames: 96, mode: "vanilla" }), "audio/noload/96/vanilla");
  assert.deepEqual([1, 2, 5, 10].map(claimQuorum), [1, 2, 4, 8]);
  const m = inSampleMatcher([{ param: "p", value: 1, source: "s", fittedOn: ["cyclictest/busy/500/guest/avg/*", "audio/*/96/*"] }]);
  assert.ok(m("cyclictest/busy/500/guest/avg/static"));
  assert.ok(m("audio/noload/96/patches"));
  assert.ok(!m("cyclictest/busy/500/guest/max/static"));
  assert.ok(!m("cyclictest/busy/1000/guest/avg/static"));
});

test("replications: per-cell values, mean, Student-t interval and the 10-90 % band of the maxima", () => {
  const r = buildSeedReport([...runsFor(GOOD, 0), ...runsFor(SECOND, 1), ...runsFor(GOOD, 2)], PUB);
  assert.equal(r.replications, 3);
  const avg = r.cells.find((c) => c.id === "cyclictest/busy/500/guest/avg/vanilla")!;
  assert.deepEqual(avg.values, [500, 400, 500]);
  assert.equal(avg.replications, 3);
  // mean 466.67; s = 57.735, se = 33.333, t(0.975, 2) = 4.30265: half 143.42
  assert.ok(Math.abs(avg.mean! - 1400 / 3) < 1e-9);
  assert.equal(avg.simulated, avg.mean);
  assert.ok(Math.abs(avg.ci95![0] - 323.245) < 0.01 && Math.abs(avg.ci95![1] - 610.088) < 0.01, String(avg.ci95));
  assert.equal(avg.band10_90, undefined, "averages have no band");
  const max = r.cells.find((c) => c.id === "cyclictest/busy/1000/host/max/static")!;
  assert.deepEqual(max.values, [9000, 7000, 9000]);
  // sorted 7000 9000 9000: p10 at h = 0.2 -> 7000 + 0.2 * 2000 = 7400; p90 at h = 1.8 -> 9000
  assert.deepEqual(max.band10_90, [7400, 9000]);
  assert.equal(max.published, 27104);
  assert.equal(max.publishedInBand, false);
  const inside = r.cells.find((c) => c.id === "cyclictest/idle/500/host/max/vanilla")!; // 1500, 1300, 1500 vs published 1577
  assert.deepEqual(inside.band10_90, [1340, 1500]);
  assert.equal(inside.publishedInBand, false);
  assert.ok(Math.abs(r.durationSimulatedS - 72) < 1e-9, "24 runs of 1 s per replication");
});

test("a claim is judged in every replication and reported as k of N; it holds at 80 %", () => {
  // Busy vanilla guest avg 60 in one replication: claim (a) (5x above dynamic's 20) fails there.
  const weak: Shape = { ...GOOD, guestAvg: (l, m) => (l === "busy" && m === "vanilla" ? 60 : 20) };
  const five = [GOOD, GOOD, GOOD, GOOD, weak].flatMap((s, i) => runsFor(s, i));
  const a5 = buildSeedReport(five, PUB).claims.find((c) => c.id === "busy-vanilla-far-above")!;
  assert.deepEqual([a5.holdsIn, a5.of, a5.holds], [4, 5, true]);
  const three = [GOOD, GOOD, weak].flatMap((s, i) => runsFor(s, i));
  const a3 = buildSeedReport(three, PUB).claims.find((c) => c.id === "busy-vanilla-far-above")!;
  assert.deepEqual([a3.holdsIn, a3.of, a3.holds], [2, 3, false], "2 of 3 is below 80 %");
  // The claims in each replication agree with that replication's cells.
  const r = buildSeedReport(three, PUB);
  for (const c of r.claims) {
    const per = [0, 1, 2].map(
      (k) => evaluateClaims(r.cells.map((x) => ({ ...x, simulated: x.values[k] ?? null }))).find((x) => x.id === c.id)!,
    );
    assert.equal(c.holdsIn, per.filter((x) => x.holds).length, c.id);
  }
});

test("error medians over all cells, in sample and out of sample", () => {
  const calibration = [{ param: "host.x", value: 1, source: "fitted", fittedOn: ["cyclictest/busy/*/guest/avg/*"] }];
  const r = buildSeedReport(runsFor(GOOD), PUB, { calibration });
  const inS = r.cells.filter((c) => c.inSample);
  assert.deepEqual(
    inS.map((c) => c.id),
    ["busy/500", "busy/1000"].flatMap((b) => ["vanilla", "dynamic", "static"].map((m) => `cyclictest/${b}/guest/avg/${m}`)),
  );
  const errs = (cs: Cell[]) => cs.map((c) => c.log10Error!);
  assert.equal(r.medianLog10ErrorInSample, median(errs(inS)));
  assert.equal(r.medianLog10ErrorOutOfSample, median(errs(r.cells.filter((c) => !c.inSample))));
  assert.equal(r.medianLog10Error, median(errs(r.cells)));
  assert.deepEqual(r.calibration, calibration);
  // sim-core's CALIBRATION by default: every parameter with a source.
  const d = buildSeedReport(runsFor(GOOD), PUB);
  assert.ok(d.calibration.length > 0 && d.calibration.every((c) => c.source.length > 0));
});

import { test } from "node:test";
import assert from "node:assert/strict";
import published from "../../reference/published.json";
import {
  buildSeedReport,
  evaluateClaims,
  log10Error,
  median,
  parseSeedFileName,
  SEED_FILES,
  type PublishedTables,
  type SeedRun,
} from "../../report/seed-report";
import type { ProbeResult, RunResult } from "../../sim-core/results";

const PUB = published as unknown as PublishedTables;

function probe(id: string, side: "guest" | "host", avg: number, max: number, glitches?: number): ProbeResult {
  return {
    id,
    side,
    kind: glitches === undefined ? "cyclictest" : "audio",
    latency: {
      count: 100,
      min_us: 0,
      avg_us: avg,
      max_us: max,
      p50_us: avg,
      p90_us: avg,
      p99_us: max,
      p999_us: max,
      histogram: { edges_us: [], counts: [] },
    },
    ...(glitches === undefined ? {} : { callbacks: 1000, glitches }),
  };
}

function run(file: string, mode: string, probes: ProbeResult[]): SeedRun {
  const result: RunResult = {
    scenario: file,
    mode,
    seed: 1,
    simulated_ns: 1e9,
    duration_ns: 1e9,
    stop: "done",
    events: 10,
    probes,
    vcpus: [],
    cpus: [],
    threads: [],
  };
  return { file, result };
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

function runsFor(shape: Shape): SeedRun[] {
  const runs: SeedRun[] = [];
  for (const load of ["idle", "busy"])
    for (const interval of [500, 1000])
      for (const mode of ["vanilla", "dynamic", "static"] as Mode[])
        runs.push(
          run(`cyclictest-${load}-${interval}.pvsched.yaml`, mode, [
            probe("guest-cyclictest", "guest", shape.guestAvg(load, mode), 1000),
            probe("host-cyclictest", "host", 5, shape.hostMax(load, interval, mode)),
          ]),
        );
  for (const load of ["noload", "busy"])
    for (const frames of [96, 256, 512])
      for (const mode of ["vanilla", "dynamic"] as const)
        runs.push(
          run(`audio-${load}-${frames}.pvsched.yaml`, mode, [probe("audio", "guest", 100, 900, shape.glitches(load, frames, mode))]),
        );
  return runs;
}

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
  assert.equal(r.medianLog10Error, (errs[29] + errs[30]) / 2);
});

test("published numbers never reach simulated values or claims", () => {
  const a = buildSeedReport(runsFor(GOOD), PUB);
  const scrambled = JSON.parse(JSON.stringify(PUB), (_k, v) => (typeof v === "number" ? v * 37 + 1 : v));
  const b = buildSeedReport(runsFor(GOOD), scrambled);
  assert.deepEqual(
    a.cells.map((c) => c.simulated),
    b.cells.map((c) => c.simulated),
  );
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

/**
 * Builds the seed report from runs: per cell the value of every replication, their mean (the
 * cell's `simulated`), a 95 % interval and, for maxima, the 10-90 % band with the verdict on the
 * published maximum; per claim, in how many replications it holds; the error medians over all
 * cells and over the in-sample and out-of-sample cells of the calibration.
 *
 * Honesty rule (see seed-report.ts): `published` is read only for the error column and the band
 * verdict; values, means, intervals and claims come from the runs alone.
 */
import picomatch from "picomatch/posix";
import { CALIBRATION, type RunResult } from "../sim-core/index";
import { replicatedStat } from "./intervals";
import {
  cellId,
  claimQuorum,
  ERROR_DEFINITION,
  evaluateClaims,
  log10Error,
  PROBE_IDS,
  type CalibrationRow,
  type Cell,
  type Claim,
  type PublishedTables,
  type SeedReport,
  type SeedRun,
} from "./seed-report";
import { median } from "./stats";

function bufferLabel(published: PublishedTables, frames: number): string {
  const key = Object.keys(published.oboetester_glitches.buffer_frames).find((k) => k.startsWith(`${frames} `) || k === String(frames));
  return key ?? String(frames);
}

function get(obj: unknown, ...keys: (string | number)[]): number | null {
  let o = obj;
  for (const k of keys) {
    if (o === null || typeof o !== "object") return null;
    o = (o as Record<string, unknown>)[String(k)];
  }
  return typeof o === "number" ? o : null;
}

/** True for cell ids matched by any calibrated parameter's `fittedOn` patterns. */
export function inSampleMatcher(calibration: readonly CalibrationRow[]): (id: string) => boolean {
  const res = calibration.flatMap((c) => c.fittedOn ?? []).map((g) => picomatch.makeRe(g));
  return (id) => res.some((re) => re.test(id));
}

export interface BuildOptions {
  wallMs?: number;
  /** The model's parameters and what they were fitted on (default: sim-core's CALIBRATION). */
  calibration?: readonly CalibrationRow[];
}

/** Builds the report from the runs (simulated) and the published tables (reference only). */
export function buildSeedReport(runs: readonly SeedRun[], published: PublishedTables, opts: BuildOptions = {}): SeedReport {
  const calibration = (opts.calibration ?? CALIBRATION).map((c) => ({ ...c, ...(c.fittedOn ? { fittedOn: [...c.fittedOn] } : {}) }));
  const inSample = inSampleMatcher(calibration);
  // Index the runs: "<file>|<mode>|<replication>" -> result.
  let replications = 1;
  const byKey = new Map<string, RunResult>();
  for (const r of runs) {
    const rep = r.replication ?? 0;
    replications = Math.max(replications, rep + 1);
    byKey.set(`${r.file.replace(/^.*[\\/]/, "")}|${r.result.mode}|${rep}`, r.result);
  }
  const probe = (file: string, mode: string, rep: number, id: string) =>
    byKey.get(`${file}|${mode}|${rep}`)?.probes.find((p) => p.id === id);
  const reps = Array.from({ length: replications }, (_, r) => r);

  /** A cell from its key fields (table, load, ...), its published number and the replications' values. */
  const cell = (key: object, published: number | null, values: (number | null)[], isMax: boolean): Cell => {
    const present = values.filter((v): v is number => v !== null);
    const stat = present.length ? replicatedStat(present, { band: isMax }) : undefined;
    const mean = stat ? stat.mean : null;
    const c = {
      ...key,
      published,
      simulated: mean,
      log10Error: log10Error(mean, published),
      id: cellId(key as unknown as Cell),
      replications: present.length,
      values,
      mean,
      ci95: stat?.ci95 ?? null,
      inSample: false,
    } as unknown as Cell;
    c.inSample = inSample(c.id);
    if (isMax) {
      const band = stat?.band10_90 ?? null;
      c.band10_90 = band;
      c.publishedInBand = band && published !== null ? published >= band[0] && published <= band[1] : null;
    }
    return c;
  };

  const cells: Cell[] = [];
  for (const load of ["idle", "busy"] as const)
    for (const interval of [500, 1000] as const)
      for (const side of ["guest", "host"] as const)
        for (const stat of ["avg", "max"] as const)
          for (const mode of ["vanilla", "dynamic", "static"] as const) {
            const file = `cyclictest-${load}-${interval}.pvsched.yaml`;
            const values = reps.map((r) => {
              const p = probe(file, mode, r, side === "guest" ? PROBE_IDS.guestCyclictest : PROBE_IDS.hostCyclictest);
              return p && p.latency.count > 0 ? (stat === "avg" ? p.latency.avg_us : p.latency.max_us) : null;
            });
            const pub = get(published.cyclictest_us, load, stat, side, interval, mode);
            cells.push(cell({ table: "cyclictest", load, interval, side, stat, mode }, pub, values, stat === "max"));
          }
  for (const load of ["noload", "busy"] as const)
    for (const frames of [96, 256, 512] as const)
      for (const mode of ["vanilla", "patches"] as const) {
        const file = `audio-${load}-${frames}.pvsched.yaml`;
        const values = reps.map((r) => {
          const p = probe(file, mode === "patches" ? "dynamic" : "vanilla", r, PROBE_IDS.audio);
          return p && typeof p.glitches === "number" ? p.glitches : null;
        });
        const buffer = bufferLabel(published, frames);
        const pub = get(published.oboetester_glitches.buffer_frames, buffer, load, mode);
        cells.push(cell({ table: "audio", load, buffer, bufferFrames: frames, stat: "glitches", mode }, pub, values, false));
      }

  // A claim is judged in each replication on that replication's numbers; its detail shows the means.
  const perReplication = reps.map((r) => evaluateClaims(cells.map((c) => ({ ...c, simulated: c.values[r] ?? null }))));
  const claims: Claim[] = evaluateClaims(cells).map((c, i) => {
    const holdsIn = perReplication.filter((v) => v[i]!.holds).length;
    return { ...c, holds: holdsIn >= claimQuorum(replications), holdsIn, of: replications };
  });

  const errs = (f: (c: Cell) => boolean) => median(cells.filter(f).flatMap((c) => (c.log10Error === null ? [] : [c.log10Error])));
  let simNs = 0;
  let events = 0;
  const incomplete: string[] = [];
  for (const r of runs) {
    simNs += r.result.simulated_ns;
    events += r.result.events;
    if (r.result.stop !== "done") incomplete.push(`${r.file}|${r.result.mode}|seed ${r.result.seed}: ${r.result.stop}`);
  }
  return {
    cells,
    claims,
    replications,
    medianLog10Error: errs(() => true),
    medianLog10ErrorInSample: errs((c) => c.inSample),
    medianLog10ErrorOutOfSample: errs((c) => !c.inSample),
    calibration,
    errorDefinition: ERROR_DEFINITION,
    durationSimulatedS: simNs / 1e9,
    wallMs: opts.wallMs ?? 0,
    events,
    incompleteRuns: incomplete,
  };
}

/** The `--json` object of `seed-report`. */
export function seedReportJson(r: SeedReport): Record<string, unknown> {
  return {
    cells: r.cells,
    claims: r.claims,
    replications: r.replications,
    medianLog10Error: r.medianLog10Error,
    medianLog10ErrorInSample: r.medianLog10ErrorInSample,
    medianLog10ErrorOutOfSample: r.medianLog10ErrorOutOfSample,
    calibration: r.calibration,
    errorDefinition: r.errorDefinition,
    durationSimulatedS: r.durationSimulatedS,
    wallMs: r.wallMs,
    events: r.events,
    incompleteRuns: r.incompleteRuns,
  };
}

/**
 * The seed report: the simulated seed tables beside the published ones, cell by cell, the error
 * of each cell, and the cover letter's qualitative claims checked on the simulated numbers. This
 * file holds the report's shape, the error measure, the cell ids and the claims; seed-build.ts
 * builds a report from runs, seed-text.ts prints it.
 *
 * Pure (no Node or VS Code imports, nothing heavy): the CLI, the extension and the webview use it.
 *
 * Honesty rule: a published number never flows into a simulated one. `simulated` comes only
 * from RunResults; `published` only from reference/published.json; the claims read `simulated`
 * only. The two meet in the error column and nowhere else.
 */
import type { RunResult } from "../sim-core/results";
import { median, type Interval } from "./stats";

export { median };

// ---------------------------------------------------------------------------------------------
// Inputs

/** The published tables (reference/published.json, copied from the cover letter). */
export interface PublishedTables {
  /** load -> stat -> side -> interval -> mode -> microseconds. */
  cyclictest_us: Record<string, Record<string, Record<string, Record<string, Record<string, number>>>>>;
  /** buffer label ("96 (2ms)") -> load -> vanilla|patches -> glitch count. */
  oboetester_glitches: { buffer_frames: Record<string, Record<string, Record<string, number>>> };
}

export type CyclictestLoad = "idle" | "busy";
export type AudioLoad = "noload" | "busy";

/** Which seed scenario a file is, from its name. */
export type SeedKey =
  | { table: "cyclictest"; load: CyclictestLoad; interval: 500 | 1000 }
  | { table: "audio"; load: AudioLoad; bufferFrames: 96 | 256 | 512 };

/** One simulated run of a seed scenario in one mode. */
export interface SeedRun {
  /** The scenario's file name, e.g. "cyclictest-busy-500.pvsched.yaml". */
  file: string;
  result: RunResult;
  /** Which replication (0-based; replication r ran the scenario's seed + r). Default 0. */
  replication?: number;
}

/** The seed scenario files the report expects (written by the lead under scenarios/seed/). */
export const SEED_FILES: readonly string[] = [
  ...(["idle", "busy"] as const).flatMap((l) => [500, 1000].map((i) => `cyclictest-${l}-${i}.pvsched.yaml`)),
  ...(["noload", "busy"] as const).flatMap((l) => [96, 256, 512].map((b) => `audio-${l}-${b}.pvsched.yaml`)),
];

export function parseSeedFileName(file: string): SeedKey | undefined {
  const base = file.replace(/^.*[\\/]/, "");
  let m = /^cyclictest-(idle|busy)-(500|1000)\.pvsched\.ya?ml$/.exec(base);
  if (m) return { table: "cyclictest", load: m[1] as CyclictestLoad, interval: Number(m[2]) as 500 | 1000 };
  m = /^audio-(noload|busy)-(96|256|512)\.pvsched\.ya?ml$/.exec(base);
  if (m) return { table: "audio", load: m[1] as AudioLoad, bufferFrames: Number(m[2]) as 96 | 256 | 512 };
  return undefined;
}

/** Probe ids the seed scenarios use. */
export const PROBE_IDS = { guestCyclictest: "guest-cyclictest", hostCyclictest: "host-cyclictest", audio: "audio" } as const;

// ---------------------------------------------------------------------------------------------
// Output

/** What every cell carries about its replications. */
export interface CellStats {
  /** The cell's id (see cellId), e.g. "cyclictest/busy/500/guest/avg/vanilla". */
  id: string;
  /** Replications with a simulated value. */
  replications: number;
  /** The value of each replication, in replication order; null where a run or probe is missing. */
  values: (number | null)[];
  /** Mean over the replications (the same number as `simulated`). */
  mean: number | null;
  /** Student-t 95 % interval of the mean; null with fewer than two replications. */
  ci95: Interval | null;
  /** Maxima only: the 10th and 90th percentile of the replications' maxima. */
  band10_90?: Interval | null;
  /** Maxima only: the published maximum lies inside band10_90 (the judgement of a maximum). */
  publishedInBand?: boolean | null;
  /** A calibrated parameter was fitted on this cell (CALIBRATION's fittedOn): not an out-of-sample check. */
  inSample: boolean;
}

export interface CyclictestCell extends CellStats {
  table: "cyclictest";
  load: CyclictestLoad;
  interval: 500 | 1000;
  side: "guest" | "host";
  stat: "avg" | "max";
  mode: "vanilla" | "dynamic" | "static";
  published: number | null;
  /** The mean over the replications; null when every run or its probe is missing. */
  simulated: number | null;
  /** |log10(max(sim,1) / max(pub,1))|; null when either side is missing. */
  log10Error: number | null;
}

export interface AudioCell extends CellStats {
  table: "audio";
  load: AudioLoad;
  /** The published column label, e.g. "96 (2ms)". */
  buffer: string;
  bufferFrames: number;
  stat: "glitches";
  /** The published column names: dynamic mode is the "patches" column. */
  mode: "vanilla" | "patches";
  published: number | null;
  simulated: number | null;
  log10Error: number | null;
}

export type Cell = CyclictestCell | AudioCell;

export interface Claim {
  id: string;
  text: string;
  /** Holds in at least CLAIM_QUORUM of the replications. */
  holds: boolean;
  /** The simulated numbers (means over the replications) behind the claim. */
  detail: string;
  /** Replications in which the claim holds (k)... */
  holdsIn: number;
  /** ...of this many (N). */
  of: number;
}

/** A claim checked on one set of numbers (one replication, or the means). */
export type ClaimVerdict = Pick<Claim, "id" | "text" | "holds" | "detail">;

/** A model parameter with its source (sim-core's CALIBRATION). */
export interface CalibrationRow {
  param: string;
  value: number | string | boolean;
  source: string;
  /** Cell-id patterns the value was fitted on (picomatch globs over cellId). */
  fittedOn?: string[];
}

export interface SeedReport {
  cells: Cell[];
  claims: Claim[];
  /** Replications per seed scenario and mode. */
  replications: number;
  /** Median of the cells' log10Error (of the means; cells with both numbers); null if there are none. */
  medianLog10Error: number | null;
  /** The same median over the cells some calibrated parameter was fitted on... */
  medianLog10ErrorInSample: number | null;
  /** ...and over every other cell. */
  medianLog10ErrorOutOfSample: number | null;
  calibration: CalibrationRow[];
  /** How the error is computed, for readers of the JSON. */
  errorDefinition: string;
  /** Simulated seconds over all runs. */
  durationSimulatedS: number;
  wallMs: number;
  events: number;
  /** Runs that stopped before their duration (event budget or cancellation). */
  incompleteRuns: string[];
}

// ---------------------------------------------------------------------------------------------
// Thresholds of the claims. Each is a judgement about what the cover letter's words mean; they
// are applied to simulated numbers only.

/** "far above": busy vanilla guest avg at least this many times dynamic's and static's. */
export const FAR_ABOVE_FACTOR = 5;
/** "close": two averages within this factor of each other (dynamic vs static; idle rows). */
export const CLOSE_FACTOR = 3;
/** "hurts host max": static host max above this many times vanilla's; dynamic must stay within it. */
export const HOST_HURT_FACTOR = 2;
/** "falls steeply": patches glitches at most vanilla's divided by this (2 and 4 ms buffers, busy). */
export const GLITCH_FALL_FACTOR = 4;
/** A steep fall needs something to fall from: vanilla must glitch at least this often. */
export const GLITCH_FALL_MIN_VANILLA = 10;
/** "barely changes": 10 ms buffer, busy, glitch counts within this factor ... */
export const GLITCH_FLAT_FACTOR = 2;
/** ... or both at most this many glitches (a handful either way is no change). */
export const GLITCH_FLAT_SMALL = 5;
/** Values are floored at this before ratios and logs, so zeros and sub-unit values compare sanely. */
export const RATIO_FLOOR = 1;
/** A claim holds when it holds in at least this share of the replications (8 of 10). */
export const CLAIM_QUORUM = 0.8;

export const ERROR_DEFINITION =
  `|log10(max(simulated, ${RATIO_FLOOR}) / max(published, ${RATIO_FLOOR}))| per cell; both values are floored at ${RATIO_FLOOR} ` +
  "(1 us or 1 glitch) so that zero counts and sub-microsecond averages give a finite error";

// ---------------------------------------------------------------------------------------------

const floor1 = (x: number) => Math.max(x, RATIO_FLOOR);

/**
 * A cell's id: `cyclictest/<idle|busy>/<500|1000>/<guest|host>/<avg|max>/<vanilla|dynamic|static>`
 * or `audio/<noload|busy>/<96|256|512>/<vanilla|patches>`. CALIBRATION's `fittedOn` patterns
 * are globs over these ids.
 */
export function cellId(
  c:
    | Pick<CyclictestCell, "table" | "load" | "interval" | "side" | "stat" | "mode">
    | Pick<AudioCell, "table" | "load" | "bufferFrames" | "mode">,
): string {
  return c.table === "cyclictest"
    ? `cyclictest/${c.load}/${c.interval}/${c.side}/${c.stat}/${c.mode}`
    : `audio/${c.load}/${c.bufferFrames}/${c.mode}`;
}

/** The claims' quorum: how many of `n` replications a claim must hold in. */
export function claimQuorum(n: number): number {
  return Math.ceil(CLAIM_QUORUM * n - 1e-9);
}

export function log10Error(simulated: number | null, published: number | null): number | null {
  if (simulated === null || published === null || !Number.isFinite(simulated) || !Number.isFinite(published)) return null;
  return Math.abs(Math.log10(floor1(simulated) / floor1(published)));
}

/** Ratio of the larger to the smaller, both floored. */
function spread(...xs: number[]): number {
  const f = xs.map(floor1);
  return Math.max(...f) / Math.min(...f);
}

const fmt = (x: number | null) => (x === null ? "n/a" : Number.isInteger(x) ? String(x) : x.toFixed(1));

/**
 * The cover letter's qualitative claims, checked on the `simulated` numbers of the cells only.
 * A claim whose numbers are missing does not hold.
 */
export function evaluateClaims(cells: readonly Cell[]): ClaimVerdict[] {
  const ct = (load: string, interval: number, side: string, stat: string, mode: string) =>
    (cells.find(
      (c) =>
        c.table === "cyclictest" && c.load === load && c.interval === interval && c.side === side && c.stat === stat && c.mode === mode,
    )?.simulated ?? null) as number | null;
  const au = (load: string, frames: number, mode: string) =>
    (cells.find((c) => c.table === "audio" && c.load === load && c.bufferFrames === frames && c.mode === mode)?.simulated ?? null) as
      | number
      | null;
  const ok = (x: number | null): x is number => x !== null && Number.isFinite(x);
  const claims: ClaimVerdict[] = [];
  const intervals = [500, 1000] as const;

  // (a) busy vanilla guest avg far above dynamic and static.
  {
    let holds = true;
    const parts: string[] = [];
    for (const i of intervals) {
      const v = ct("busy", i, "guest", "avg", "vanilla");
      const d = ct("busy", i, "guest", "avg", "dynamic");
      const s = ct("busy", i, "guest", "avg", "static");
      parts.push(`${i}: vanilla ${fmt(v)}, dynamic ${fmt(d)}, static ${fmt(s)} us`);
      if (!ok(v) || !ok(d) || !ok(s)) holds = false;
      else if (!(floor1(v) >= FAR_ABOVE_FACTOR * floor1(d) && floor1(v) >= FAR_ABOVE_FACTOR * floor1(s))) holds = false;
    }
    claims.push({
      id: "busy-vanilla-far-above",
      text: `Busy host: vanilla guest avg latency is far above (>= ${FAR_ABOVE_FACTOR}x) both dynamic and static, at both intervals`,
      holds,
      detail: parts.join("; "),
    });
  }

  // (b) dynamic close to static on guest avg.
  {
    let holds = true;
    const parts: string[] = [];
    for (const load of ["idle", "busy"])
      for (const i of intervals) {
        const d = ct(load, i, "guest", "avg", "dynamic");
        const s = ct(load, i, "guest", "avg", "static");
        parts.push(`${load} ${i}: dynamic ${fmt(d)}, static ${fmt(s)} us`);
        if (!ok(d) || !ok(s) || spread(d, s) > CLOSE_FACTOR) holds = false;
      }
    claims.push({
      id: "dynamic-close-to-static",
      text: `Dynamic is close to static on guest avg latency (within ${CLOSE_FACTOR}x), idle and busy, at both intervals`,
      holds,
      detail: parts.join("; "),
    });
  }

  // (c) static hurts host max while dynamic does not. Judged on the busy rows, where the cover
  // letter's evidence is (the reviewers cite host max 27104 us in the busy 1000 row): on an idle
  // host every mode's host max is small and a ratio of two small maxima is noise. A max is one
  // sample, so static need only hurt in one busy interval, and dynamic must stay within the same
  // factor of vanilla in both. (A stricter variant that also holds dynamic to this on the idle
  // rows is reported in `detail` as information, not as part of the verdict.)
  {
    let hurt = false;
    let dynamicOk = true;
    let complete = true;
    let idleNote = "";
    const parts: string[] = [];
    for (const load of ["busy", "idle"])
      for (const i of intervals) {
        const v = ct(load, i, "host", "max", "vanilla");
        const d = ct(load, i, "host", "max", "dynamic");
        const s = ct(load, i, "host", "max", "static");
        parts.push(`${load} ${i}: vanilla ${fmt(v)}, dynamic ${fmt(d)}, static ${fmt(s)} us`);
        if (load === "idle") {
          if (ok(v) && ok(d) && floor1(d) > HOST_HURT_FACTOR * floor1(v))
            idleNote = " (idle rows, information only: dynamic host max above the factor somewhere)";
          continue;
        }
        if (!ok(v) || !ok(d) || !ok(s)) {
          complete = false;
          continue;
        }
        if (floor1(s) > HOST_HURT_FACTOR * floor1(v)) hurt = true;
        if (floor1(d) > HOST_HURT_FACTOR * floor1(v)) dynamicOk = false;
      }
    claims.push({
      id: "static-hurts-host-dynamic-does-not",
      text:
        `Busy host: static RT hurts the host's max latency (static host max > ${HOST_HURT_FACTOR}x vanilla in at least one interval) ` +
        `while dynamic does not (dynamic host max <= ${HOST_HURT_FACTOR}x vanilla in both intervals)`,
      holds: complete && hurt && dynamicOk,
      detail: parts.join("; ") + idleNote,
    });
  }

  // (d) idle rows stay close.
  {
    let holds = true;
    const parts: string[] = [];
    for (const i of intervals) {
      const xs = (["vanilla", "dynamic", "static"] as const).map((m) => ct("idle", i, "guest", "avg", m));
      parts.push(`${i}: ${xs.map(fmt).join(" / ")} us`);
      const vals = xs.filter(ok);
      if (vals.length !== xs.length || spread(...vals) > CLOSE_FACTOR) holds = false;
    }
    claims.push({
      id: "idle-rows-close",
      text: `Idle host: guest avg latency of vanilla, dynamic and static within ${CLOSE_FACTOR}x of each other, at both intervals`,
      holds,
      detail: parts.join("; "),
    });
  }

  // (e) audio: glitches fall steeply at 2 and 4 ms buffers under load, barely change at 10 ms.
  {
    let holds = true;
    const parts: string[] = [];
    for (const f of [96, 256]) {
      const v = au("busy", f, "vanilla");
      const p = au("busy", f, "patches");
      parts.push(`${f} frames: vanilla ${fmt(v)}, patches ${fmt(p)}`);
      if (!ok(v) || !ok(p) || !(v >= GLITCH_FALL_MIN_VANILLA && p <= v / GLITCH_FALL_FACTOR)) holds = false;
    }
    claims.push({
      id: "audio-glitches-fall-at-2-4ms",
      text:
        `Busy host: audio glitches with the patches are at most 1/${GLITCH_FALL_FACTOR} of vanilla's at the 96 (2 ms) and 256 (4 ms) buffers ` +
        `(and vanilla glitches at least ${GLITCH_FALL_MIN_VANILLA} times)`,
      holds,
      detail: parts.join("; "),
    });
  }
  {
    const v = au("busy", 512, "vanilla");
    const p = au("busy", 512, "patches");
    const holds = ok(v) && ok(p) && (spread(v, p) <= GLITCH_FLAT_FACTOR || (v <= GLITCH_FLAT_SMALL && p <= GLITCH_FLAT_SMALL));
    claims.push({
      id: "audio-glitches-flat-at-10ms",
      text: `Busy host: at the 512 (10 ms) buffer the patches barely change glitches (within ${GLITCH_FLAT_FACTOR}x, or both <= ${GLITCH_FLAT_SMALL})`,
      holds,
      detail: `512 frames: vanilla ${fmt(v)}, patches ${fmt(p)}`,
    });
  }
  return claims;
}

/**
 * The extension's use of the seed-report pipeline (runner/seed-pipeline.ts): the built-in seed
 * scenarios, parsed once per activation, and Reproduce Seed Results as a panel payload. No VS
 * Code imports: the command glue lives with the commands.
 */
import { loadSeedSet, runSeedReport, SEED_REPLICATIONS, type SeedSet } from "../runner/seed-pipeline";
import type { SimTask } from "../runner/index";
import type { RunResult } from "../sim-core/index";
import type { PublishedCell, ResultsPayload } from "../common/protocol";

/** The built-in seed scenarios (scenarios/seed/), compiled into the bundle by extension/build-config.mjs. */
declare const __PVSCHED_SEED_SCENARIOS__: Record<string, string> | undefined;
export const SEED_SCENARIOS: Record<string, string> =
  typeof __PVSCHED_SEED_SCENARIOS__ === "object" && __PVSCHED_SEED_SCENARIOS__ ? __PVSCHED_SEED_SCENARIOS__ : {};
export const SEED_DIR = "scenarios/seed";
/** The scenario the hunk lenses' ablation runs by default: the cover letter's busy -i 500 row. */
export const DEFAULT_ABLATION_SCENARIO = "cyclictest-busy-500.pvsched.yaml";

let cached: SeedSet | undefined;

/** The built-in seed set, parsed on first use. */
export function builtInSeeds(): SeedSet {
  cached ??= loadSeedSet(SEED_SCENARIOS, "built-in", (f) => `${SEED_DIR}/${f}`);
  return cached;
}

/** Runs the seed report on `run` and shapes it for the panel; undefined when cancelled. */
export async function seedReportPayload(
  run: (title: string, tasks: SimTask[]) => Promise<RunResult[] | undefined>,
  durationS: number | undefined,
  log: (s: string) => void,
  replications = SEED_REPLICATIONS,
): Promise<ResultsPayload | undefined> {
  const outcome = await runSeedReport(builtInSeeds(), { durationS, replications }, (tasks) =>
    run(`Reproducing the seed tables (${tasks.length} runs)`, tasks),
  );
  if (!outcome) return undefined;
  const { report } = outcome;
  const cells: PublishedCell[] = [];
  for (const c of report.cells) {
    if (c.published === null) continue;
    const cell: PublishedCell =
      c.table === "cyclictest"
        ? { table: "cyclictest", load: c.load, interval: c.interval, side: c.side, stat: c.stat, mode: c.mode, published: c.published }
        : { table: "audio", load: c.load, buffer: c.buffer, stat: "glitches", mode: c.mode, published: c.published };
    if (c.simulated !== null) cell.simulated = c.simulated;
    cell.replications = c.replications;
    cell.ci95 = c.ci95;
    cell.inSample = c.inSample;
    if (c.band10_90 !== undefined) {
      cell.band10_90 = c.band10_90;
      cell.publishedInBand = c.publishedInBand ?? null;
    }
    cells.push(cell);
  }
  const held = report.claims.filter((c) => c.holds).length;
  log(
    `seed report (${report.replications} replications): ${held}/${report.claims.length} claims hold in >= 80 % of them; ` +
      `median log10 error ${report.medianLog10Error?.toFixed(2) ?? "n/a"} (out of sample ${report.medianLog10ErrorOutOfSample?.toFixed(2) ?? "n/a"})`,
  );
  return {
    title: "Seed results: simulated beside the cover letter",
    source: { kind: "seed" },
    runs: outcome.runs.map((r) => r.result),
    cells,
    claims: report.claims.map((c) => ({ id: c.id, text: `${c.text} (${c.detail})`, holds: c.holds, holdsIn: c.holdsIn, of: c.of })),
  };
}

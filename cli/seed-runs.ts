/** Runs the built-in seed scenarios (for `seed-report` and `bench`). */
import publishedJson from "../reference/published.json";
import { buildSeedReport, parseSeedFileName, SEED_FILES, type PublishedTables, type SeedReport, type SeedRun } from "../report/seed-report";
import { resolveModes } from "../sim-core/index";
import { InputError } from "./errors";
import { parseScenarioText } from "./input";
import type { SimTask } from "../runner/index";
import { defaultWorkers, runTasks } from "./pool";
import { join } from "node:path";
import { seedSource } from "./seeds";

export const PUBLISHED = publishedJson as unknown as PublishedTables;

export interface SeedRunOptions {
  /** Read seeds from this directory instead of the built-in set (tests). */
  seedDir?: string;
  /** Override every scenario's duration_s (quick looks; the report says so). */
  durationS?: number;
  workers?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SeedRunsOutcome {
  runs: SeedRun[];
  wallMs: number;
  /** Expected seed files that were not found. */
  missing: string[];
  /** Where the seed files came from: a directory or "built-in". */
  where: string;
}

export function seedJobs(opts: SeedRunOptions): { jobs: SimTask[]; owners: string[]; files: string[]; missing: string[]; where: string } {
  const { where, texts } = seedSource(opts.seedDir);
  const files = Object.keys(texts)
    .filter((f) => parseSeedFileName(f) !== undefined)
    .sort();
  if (files.length === 0)
    throw new InputError(`no seed scenarios found${opts.seedDir ? ` in ${opts.seedDir}` : ""} (expected files like ${SEED_FILES[0]})`);
  const jobs: SimTask[] = [];
  const owners: string[] = [];
  for (const f of files) {
    const scenario = parseScenarioText(where === "built-in" ? `(built-in seed) ${f}` : join(where, f), texts[f]);
    if (opts.durationS !== undefined) scenario.duration_s = opts.durationS;
    for (const mode of resolveModes(scenario)) {
      jobs.push({ scenario, mode });
      owners.push(f);
    }
  }
  return { jobs, owners, files, missing: SEED_FILES.filter((f) => !files.includes(f)), where };
}

export async function runSeeds(opts: SeedRunOptions): Promise<SeedRunsOutcome> {
  const { jobs, owners, missing, where } = seedJobs(opts);
  const t0 = performance.now();
  const results = await runTasks(jobs, {
    workers: opts.workers ?? defaultWorkers(),
    onProgress: opts.onProgress,
    label: (t, i) => `${owners[i]} (${t.mode.name ?? t.mode.mode})`,
  });
  const wallMs = performance.now() - t0;
  return { runs: results.map((result, i) => ({ file: owners[i]!, result })), wallMs, missing, where };
}

export function seedReport(outcome: SeedRunsOutcome): SeedReport {
  return buildSeedReport(outcome.runs, PUBLISHED, { wallMs: Math.round(outcome.wallMs) });
}

/** Runs the built-in seed scenarios (for `seed-report` and `bench`). */
import publishedJson from "../reference/published.json";
import { buildSeedReport, parseSeedFileName, SEED_FILES, type PublishedTables, type SeedReport, type SeedRun } from "../report/seed-report";
import { resolveModes } from "../sim-core/index";
import { InputError } from "./errors";
import { parseScenarioText } from "./input";
import { runJobs, type Job } from "./jobs";
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

export function seedJobs(opts: SeedRunOptions): { jobs: Job[]; files: string[]; missing: string[]; where: string } {
  const { where, texts } = seedSource(opts.seedDir);
  const files = Object.keys(texts)
    .filter((f) => parseSeedFileName(f) !== undefined)
    .sort();
  if (files.length === 0)
    throw new InputError(`no seed scenarios found${opts.seedDir ? ` in ${opts.seedDir}` : ""} (expected files like ${SEED_FILES[0]})`);
  const jobs: Job[] = [];
  for (const f of files) {
    const scenario = parseScenarioText(where === "built-in" ? `(built-in seed) ${f}` : join(where, f), texts[f]);
    if (opts.durationS !== undefined) scenario.duration_s = opts.durationS;
    for (const mode of resolveModes(scenario)) jobs.push({ key: `${f}|${mode.name ?? mode.mode}`, scenario, mode });
  }
  return { jobs, files, missing: SEED_FILES.filter((f) => !files.includes(f)), where };
}

export async function runSeeds(opts: SeedRunOptions): Promise<SeedRunsOutcome> {
  const { jobs, missing, where } = seedJobs(opts);
  const t0 = performance.now();
  const results = await runJobs(jobs, { workers: opts.workers, onProgress: opts.onProgress });
  const wallMs = performance.now() - t0;
  return { runs: results.map((result, i) => ({ file: jobs[i].key.split("|")[0], result })), wallMs, missing, where };
}

export function seedReport(outcome: SeedRunsOutcome): SeedReport {
  return buildSeedReport(outcome.runs, PUBLISHED, { wallMs: Math.round(outcome.wallMs) });
}

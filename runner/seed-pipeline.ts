/**
 * The one seed-report pipeline: the seed scenario texts are parsed once into a SeedSet, the set
 * becomes the runner's tasks, and the runs become the report. The CLI (`seed-report`, `bench`)
 * and the extension (Reproduce Seed Results, the lens ablation's default scenario) all go through
 * it; each passes its own way of running a batch (its pool, with its progress display).
 */
import publishedJson from "../reference/published.json";
import { replicate, type SimTask } from "./index";
import { formatError, loadScenario } from "../scenario-loader/index";
import { modeLabel, resolveModes, type RunResult, type Scenario } from "../sim-core/index";
import { buildSeedReport } from "../report/seed-build";
import { parseSeedFileName, SEED_FILES, type PublishedTables, type SeedReport, type SeedRun } from "../report/seed-report";

/** Replications of a seed report unless asked otherwise (issue 9: claims are judged as k of 10). */
export const SEED_REPLICATIONS = 10;

/** The published tables (reference/published.json): only the report's error column reads them. */
export const PUBLISHED = publishedJson as unknown as PublishedTables;

export interface SeedScenario {
  /** File name, e.g. "cyclictest-busy-500.pvsched.yaml". */
  file: string;
  /** How messages name the file: a path, or "(built-in seed) <file>". */
  name: string;
  text: string;
  scenario: Scenario;
}

export interface SeedSet {
  /** Where the texts came from: a directory, or "built-in". */
  where: string;
  /** The seed scenarios found, sorted by file name. */
  scenarios: SeedScenario[];
  /** Expected seed files that were not found. */
  missing: string[];
}

/** A seed scenario that does not load; the message is one line with file, line and column. */
export class SeedScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SeedScenarioError";
  }
}

/**
 * Parses the seed scenarios among `texts` (file name -> YAML; other names are ignored), once.
 * `name(file)` is how messages call a file.
 */
export function loadSeedSet(texts: Readonly<Record<string, string>>, where: string, name: (file: string) => string): SeedSet {
  const files = Object.keys(texts)
    .filter((f) => parseSeedFileName(f) !== undefined)
    .sort();
  if (files.length === 0)
    throw new SeedScenarioError(
      `no seed scenarios found${where === "built-in" ? "" : ` in ${where}`} (expected files like ${SEED_FILES[0]})`,
    );
  const scenarios = files.map((file) => {
    const text = texts[file]!;
    const r = loadScenario(text, file);
    if (!r.ok) {
      const more = r.errors.length > 1 ? ` (+${r.errors.length - 1} more)` : "";
      throw new SeedScenarioError(formatError(name(file), r.errors[0]!) + more);
    }
    return { file, name: name(file), text, scenario: r.scenario };
  });
  return { where, scenarios, missing: SEED_FILES.filter((f) => !files.includes(f)) };
}

export interface SeedRunOptions {
  /** Run every scenario for this many simulated seconds instead of its own duration_s. */
  durationS?: number;
  /** Replications (default SEED_REPLICATIONS); replication r runs each scenario's seed + r. */
  replications?: number;
  /**
   * Explain each run's latency samples (SimTask.why). The report itself does not use them, so a
   * caller that keeps only the report (the CLI) turns them off; the panel shows them per run.
   */
  why?: boolean;
}

/**
 * The runs of a seed report: every seed scenario in each of its modes, replication after
 * replication; `owners[i]` is task i's file and `replicationOf[i]` its replication.
 */
export function seedTasks(set: SeedSet, opts: SeedRunOptions = {}): { tasks: SimTask[]; owners: string[]; replicationOf: number[] } {
  const one: SimTask[] = [];
  const files: string[] = [];
  for (const s of set.scenarios) {
    const scenario = opts.durationS === undefined ? s.scenario : { ...s.scenario, duration_s: opts.durationS };
    for (const mode of resolveModes(scenario)) {
      one.push({ scenario, mode, timeline: false, why: opts.why });
      files.push(s.file);
    }
  }
  const n = opts.replications ?? SEED_REPLICATIONS;
  const tasks = replicate(one, n);
  return { tasks, owners: tasks.map((_, i) => files[i % one.length]!), replicationOf: tasks.map((_, i) => Math.floor(i / one.length)) };
}

/** Runs a batch: resolves with the results in task order, or undefined when it was cancelled. */
export type RunBatch = (tasks: SimTask[], label: (task: SimTask, index: number) => string) => Promise<RunResult[] | undefined>;

export interface SeedOutcome {
  report: SeedReport;
  runs: SeedRun[];
}

/** Runs the seed set and builds the report from the runs; undefined when the batch was cancelled. */
export async function runSeedReport(
  set: SeedSet,
  opts: SeedRunOptions & { published?: PublishedTables },
  run: RunBatch,
): Promise<SeedOutcome | undefined> {
  const { tasks, owners, replicationOf } = seedTasks(set, opts);
  const t0 = performance.now();
  const results = await run(tasks, (t, i) => `${owners[i]} (${modeLabel(t.mode)}, seed ${t.scenario.seed ?? 1})`);
  if (!results) return undefined;
  const wallMs = performance.now() - t0;
  const runs = results.map((result, i) => ({ file: owners[i]!, result, replication: replicationOf[i]! }));
  return { report: buildSeedReport(runs, opts.published ?? PUBLISHED, { wallMs: Math.round(wallMs) }), runs };
}

/** A seed scenario by file name (the lens ablation's default scenario is one). */
export function seedScenario(set: SeedSet, file: string): SeedScenario | undefined {
  return set.scenarios.find((x) => x.file === file);
}

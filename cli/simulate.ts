/**
 * The simulating commands: `run`, `compare`, `ablate`, `seed-report`. All of them run on the
 * runner's pool (cli/pool.ts) and take `--replications N`: replication r of a scenario with seed
 * s runs seed s + r, so `run <file> --seed <s + r>` reproduces any one of them.
 */
import { join } from "node:path";
import { ABLATION_REPLICATIONS, ablationJson, ablationModes, ALL_MECHANISMS, withDuration } from "../report/ablation";
import { seedReportJson } from "../report/seed-build";
import { loadSeedSet, runSeedReport, SEED_REPLICATIONS, SeedScenarioError, type SeedSet } from "../runner/seed-pipeline";
import { formatSeedReportText } from "../report/seed-text";
import { checkBudget, DEFAULT_BUDGET, replicate, type SimTask } from "../runner/index";
import { FIELD_RULES, modeLabel, resolveModes, type ModeName, type ModeSpec } from "../sim-core/index";
import { fieldOption, intOption, json, out, parse, progress, type Values } from "./args";
import { EXIT, InputError } from "./errors";
import { compareJson, formatAblation, formatCompare, formatRun } from "./format";
import { fieldPosition, readScenario, type ScenarioSource } from "./input";
import { defaultWorkers, runTasks } from "./pool";
import { seedSource } from "./seeds";

/** Replications at most: a thousand runs of a scenario is already a long night. */
export const MAX_REPLICATIONS = 1000;

export function workers(v: unknown): number {
  return intOption(v, "workers", 1) ?? defaultWorkers();
}

/** The options every simulating command takes besides --json. */
const SCENARIO_OPTIONS = {
  json: { type: "boolean" },
  seed: { type: "string" },
  duration: { type: "string" },
  replications: { type: "string" },
} as const;

/**
 * The scenario file with --seed and --duration applied, checked against the run budgets (with the
 * timeline's when the command records it: `run --trace`).
 */
function scenarioFrom(a: { values: Values; positionals: string[] }, opts: { timeline?: boolean } = {}): ScenarioSource {
  const src = readScenario(a.positionals[0]!);
  const seed = fieldOption(a.values.seed, "seed", FIELD_RULES.Scenario.seed);
  const durationS = fieldOption(a.values.duration, "duration", FIELD_RULES.Scenario.duration_s);
  const s = withDuration(seed === undefined ? src.scenario : { ...src.scenario, seed }, durationS);
  // The same check the pool makes, here with the field's line and column in the file.
  const over = checkBudget(s, DEFAULT_BUDGET, opts);
  if (over) throw new InputError(`${fieldPosition(src, over.path)}: ${over.message}`);
  return { ...src, scenario: s };
}

function replications(v: unknown, byDefault: number): number {
  return intOption(v, "replications", 1, MAX_REPLICATIONS) ?? byDefault;
}

/** The scenario in each mode, `n` times (replication-major). */
function tasks(src: ScenarioSource, modes: ModeSpec[], n: number): SimTask[] {
  return replicate(
    modes.map((mode) => ({ scenario: src.scenario, mode })),
    n,
  );
}

function run(src: ScenarioSource, ts: SimTask[], values: Values, label: string) {
  return runTasks(ts, {
    workers: workers(values.workers),
    onProgress: progress(label),
    label: (t) => `${src.file} (${modeLabel(t.mode)}, seed ${t.scenario.seed ?? 1})`,
  });
}

export async function cmdRun(args: string[], help: () => number): Promise<number> {
  const a = parse(
    args,
    { ...SCENARIO_OPTIONS, mode: { type: "string" }, trace: { type: "string" }, "trace-window": { type: "string" } },
    1,
  );
  if (a.values.help) return help();
  const tracePath = a.values.trace as string | undefined;
  const src = scenarioFrom(a, { timeline: tracePath !== undefined });
  // A trace needs the run's timeline, which is only recorded when asked for.
  const tr = tracePath === undefined ? undefined : await import("./trace");
  const traceWindow = tr?.parseTraceWindow(a.values["trace-window"] as string | undefined);
  const n = replications(a.values.replications, 1);
  let modes = resolveModes(src.scenario);
  const want = a.values.mode as string | undefined;
  if (want !== undefined) {
    const m = modes.filter((x) => modeLabel(x) === want);
    if (m.length) modes = m;
    else if (want === "vanilla" || want === "dynamic" || want === "static") modes = [{ mode: want as ModeName }];
    else throw new InputError(`pvsched-sim: unknown mode "${want}" (${src.file} has: ${modes.map(modeLabel).join(", ")})`);
  }
  const results = await run(
    src,
    tasks(src, modes, n).map((t) => (tr ? { ...t, timeline: true } : t)),
    a.values,
    "run",
  );
  if (tr && tracePath !== undefined) {
    const written = tr.writeTraces(tracePath, results, traceWindow);
    process.stderr.write(`pvsched-sim: trace written to ${written.join(", ")}\n`);
    for (const r of results) delete r.timeline;
  }
  if (a.values.json)
    await json({
      scenario: src.scenario.name,
      file: src.file,
      replications: n,
      results,
      ...(n > 1 ? { summary: compareJson(results) } : {}),
    });
  else if (n === 1) out(results.map(formatRun).join("\n"));
  else out(formatCompare(compareJson(results)));
  return EXIT.ok;
}

export async function cmdCompare(args: string[], help: () => number): Promise<number> {
  const a = parse(args, SCENARIO_OPTIONS, 1);
  if (a.values.help) return help();
  const src = scenarioFrom(a);
  const results = await run(src, tasks(src, resolveModes(src.scenario), replications(a.values.replications, 1)), a.values, "compare");
  const c = compareJson(results);
  if (a.values.json) await json(c);
  else out(formatCompare(c));
  return EXIT.ok;
}

export async function cmdAblate(args: string[], help: () => number): Promise<number> {
  const a = parse(args, SCENARIO_OPTIONS, 1);
  if (a.values.help) return help();
  const src = scenarioFrom(a);
  const n = replications(a.values.replications, ABLATION_REPLICATIONS);
  const results = await run(src, tasks(src, ablationModes(ALL_MECHANISMS), n), a.values, "ablate");
  const j = ablationJson(results, ALL_MECHANISMS);
  if (a.values.json) await json(j);
  else out(formatAblation(j));
  return EXIT.ok;
}

/** The seed scenarios, parsed once: the built-in set, or `--seed-dir`. */
export function seedSet(dir: string | undefined): SeedSet {
  const { where, texts } = seedSource(dir);
  try {
    return loadSeedSet(texts, where, (f) => (where === "built-in" ? `(built-in seed) ${f}` : join(where, f)));
  } catch (e) {
    if (e instanceof SeedScenarioError) throw new InputError(e.message);
    throw e;
  }
}

export async function cmdSeedReport(args: string[], help: () => number): Promise<number> {
  const a = parse(
    args,
    {
      json: { type: "boolean" },
      check: { type: "boolean" },
      duration: { type: "string" },
      replications: { type: "string" },
      "seed-dir": { type: "string" },
    },
    0,
  );
  if (a.values.help) return help();
  const durationS = fieldOption(a.values.duration, "duration", FIELD_RULES.Scenario.duration_s);
  const n = replications(a.values.replications, SEED_REPLICATIONS);
  const set = seedSet(a.values["seed-dir"] as string | undefined);
  const w = workers(a.values.workers);
  const outcome = (await runSeedReport(set, { durationS, replications: n, why: false }, (ts, label) =>
    runTasks(ts, { workers: w, onProgress: progress("seed-report"), label }),
  ))!;
  if (set.missing.length)
    process.stderr.write(`pvsched-sim: note: seed scenarios missing, their cells are n/a: ${set.missing.join(", ")}\n`);
  if (durationS !== undefined)
    process.stderr.write(`pvsched-sim: note: every seed scenario run for ${durationS} s instead of its own duration\n`);
  const r = outcome.report;
  if (a.values.json) await json(seedReportJson(r));
  else out(`seed scenarios: ${set.where} (${outcome.runs.length} runs)\n\n${formatSeedReportText(r)}`);
  return a.values.check && r.claims.some((c) => !c.holds) ? EXIT.failure : EXIT.ok;
}

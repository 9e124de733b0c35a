/**
 * `pvsched-sim`: the headless CLI (bundled to dist/cli.cjs by scripts/build.mjs).
 *
 * Exit status: 0 ok, 1 failure (an internal error, or `seed-report --check` with a failing
 * claim), 2 bad input (one line on stderr naming the file, line and field; never a stack trace).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { formatSeedReportText, seedReportJson } from "../report/seed-report";
import {
  FIELD_RULES,
  MECHANISMS,
  resolveModes,
  ruleProblem,
  type FieldRule,
  type ModeName,
  type ModeSpec,
  type RunResult,
  type Scenario,
} from "../sim-core/index";
import { escapeControls } from "../common/escape";
import { EXIT, InputError } from "./errors";
import { ablationJson, compareJson, formatAblation, formatCompare, formatRun } from "./format";
import { parseScenarioText, readScenario } from "./input";
import { seedSource } from "./seeds";
import { defaultWorkers, runJobInProcess, runJobs, type Job } from "./jobs";
import { runSeeds, seedReport } from "./seed-runs";

const USAGE = `usage: pvsched-sim <command> [options]

commands:
  run <scenario.yaml> [--json] [--mode NAME] [--seed N]
        run the scenario's modes (or one mode) and print each run's probes, vCPUs and CPUs
  compare <scenario.yaml> [--json] [--seed N]
        the modes side by side: each probe's avg/p99/max/glitches, each vCPU's boosts/throttles/steal
  ablate <scenario.yaml> [--json] [--seed N]
        dynamic with every mechanism, then without each mechanism in turn; the delta per probe
  seed-report [--json] [--check] [--duration S]
        run the built-in seed scenarios; simulated tables beside the published ones, the error
        per cell and its median, and the cover letter's claims checked on the simulated numbers
  bench [--json]
        events per second (one fixed run, single-threaded) and the wall time of the full seed report
  map <patch-file>... [--json]     hunks of a patch series and the mechanism each one implements
  fidelity ...                     compare the host model with real Linux (see fidelity/)

common options:
  --workers N     worker threads for independent runs (default ${defaultWorkers()}; 1 = in-process)
  --help          this text

exit status: 0 ok, 1 failure, 2 bad input (one line: file:line:col: field: message)`;

// Long runs report progress on stderr, only to a terminal (never into a pipe or a log).
function progress(label: string): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < 200) return; // at most 5 updates a second
    last = now;
    process.stderr.write(`\r\x1b[K${label}: ${Math.floor(done)}/${total} runs (${((100 * done) / total).toFixed(0)}%)`);
    if (done >= total) process.stderr.write("\r\x1b[K");
  };
}

type Values = Record<string, string | boolean | undefined>;

function parse(args: string[], options: ParseArgsConfig["options"], positionals: number): { values: Values; positionals: string[] } {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: "boolean" }, workers: { type: "string" } },
      allowPositionals: true,
      strict: true,
    }) as {
      values: Values;
      positionals: string[];
    };
  } catch (e) {
    throw new InputError(`pvsched-sim: ${(e as Error).message.split("\n")[0]}`);
  }
  if (parsed.positionals.length !== positionals && !parsed.values.help)
    throw new InputError(
      positionals === 0
        ? `pvsched-sim: unexpected argument "${parsed.positionals[0]}"`
        : parsed.positionals.length === 0
          ? "pvsched-sim: missing <scenario.yaml> argument (see --help)"
          : `pvsched-sim: expected one scenario file, got ${parsed.positionals.length}`,
    );
  return parsed;
}

function intOption(v: unknown, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InputError(`pvsched-sim: --${name} must be a whole number >= ${min} (got "${v}")`);
  return n;
}

/** An option that stands for a scenario field: the field's rule (sim-core/limits.ts) bounds it. */
function fieldOption(v: unknown, name: string, rule: FieldRule): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\s*$/.test(String(v)) ? NaN : Number(v);
  const why = ruleProblem(rule, n);
  if (why) throw new InputError(`pvsched-sim: --${name} ${why.replace(/ \(got .*\)$/, "")} (got "${v}")`);
  return n;
}

function withSeed(s: Scenario, seed: number | undefined): Scenario {
  return seed === undefined ? s : { ...s, seed };
}

const out = (s: string) => process.stdout.write(s.endsWith("\n") ? s : s + "\n");
const json = (v: unknown) => out(JSON.stringify(v, null, 2));

function jobsFor(s: Scenario, modes: ModeSpec[]): Job[] {
  return modes.map((mode) => ({ key: mode.name ?? mode.mode, scenario: s, mode }));
}

async function cmdRun(args: string[]): Promise<number> {
  const a = parse(args, { json: { type: "boolean" }, mode: { type: "string" }, seed: { type: "string" } }, 1);
  if (a.values.help) return help();
  const file = a.positionals[0];
  const s = withSeed(readScenario(file!), fieldOption(a.values.seed, "seed", FIELD_RULES.Scenario.seed));
  let modes = resolveModes(s);
  const want = a.values.mode as string | undefined;
  if (want !== undefined) {
    const m = modes.filter((x) => (x.name ?? x.mode) === want);
    if (m.length) modes = m;
    else if (want === "vanilla" || want === "dynamic" || want === "static") modes = [{ mode: want as ModeName }];
    else throw new InputError(`pvsched-sim: unknown mode "${want}" (${file} has: ${modes.map((x) => x.name ?? x.mode).join(", ")})`);
  }
  const results = await runJobs(jobsFor(s, modes), { workers: workers(a.values.workers), onProgress: progress("run") });
  if (a.values.json) json({ scenario: s.name, file, results });
  else out(results.map(formatRun).join("\n"));
  return EXIT.ok;
}

async function cmdCompare(args: string[]): Promise<number> {
  const a = parse(args, { json: { type: "boolean" }, seed: { type: "string" } }, 1);
  if (a.values.help) return help();
  const s = withSeed(readScenario(a.positionals[0]!), fieldOption(a.values.seed, "seed", FIELD_RULES.Scenario.seed));
  const results = await runJobs(jobsFor(s, resolveModes(s)), { workers: workers(a.values.workers), onProgress: progress("compare") });
  const c = compareJson(results);
  if (a.values.json) json(c);
  else out(formatCompare(c));
  return EXIT.ok;
}

async function cmdAblate(args: string[]): Promise<number> {
  const a = parse(args, { json: { type: "boolean" }, seed: { type: "string" } }, 1);
  if (a.values.help) return help();
  const s = withSeed(readScenario(a.positionals[0]!), fieldOption(a.values.seed, "seed", FIELD_RULES.Scenario.seed));
  const modes: ModeSpec[] = [
    { mode: "dynamic", name: "dynamic" },
    ...MECHANISMS.map((m) => ({ mode: "dynamic" as const, name: `dynamic-without-${m.id}`, mechanisms: { [m.id]: false } })),
  ];
  const results = await runJobs(jobsFor(s, modes), { workers: workers(a.values.workers), onProgress: progress("ablate") });
  const j = ablationJson(
    results[0]!,
    MECHANISMS.map((m, i) => ({ mechanism: m.id, patch: m.patch, label: m.label, result: results[i + 1]! })),
  );
  if (a.values.json) json(j);
  else out(formatAblation(j));
  return EXIT.ok;
}

function workers(v: unknown): number {
  return intOption(v, "workers", 1) ?? defaultWorkers();
}

async function cmdSeedReport(args: string[]): Promise<number> {
  const a = parse(
    args,
    { json: { type: "boolean" }, check: { type: "boolean" }, duration: { type: "string" }, "seed-dir": { type: "string" } },
    0,
  );
  if (a.values.help) return help();
  const durationS = fieldOption(a.values.duration, "duration", FIELD_RULES.Scenario.duration_s);
  const outcome = await runSeeds({
    seedDir: a.values["seed-dir"] as string | undefined,
    durationS,
    workers: workers(a.values.workers),
    onProgress: progress("seed-report"),
  });
  if (outcome.missing.length)
    process.stderr.write(`pvsched-sim: note: seed scenarios missing, their cells are n/a: ${outcome.missing.join(", ")}\n`);
  if (durationS !== undefined)
    process.stderr.write(`pvsched-sim: note: every seed scenario run for ${durationS} s instead of its own duration\n`);
  const r = seedReport(outcome);
  if (a.values.json) json(seedReportJson(r));
  else out(`seed scenarios: ${outcome.where} (${outcome.runs.length} runs)\n\n` + formatSeedReportText(r));
  return a.values.check && r.claims.some((c) => !c.holds) ? EXIT.failure : EXIT.ok;
}

/**
 * The events/s measurement runs the busy seed scenario (cyclictest-busy-1000, dynamic mode) for
 * BENCH_DURATION_S simulated seconds, so it measures the work the seed report does. If that seed
 * is missing, it runs this inline fallback (the same shape, without the calibrated background).
 */
export const BENCH_SEED = "cyclictest-busy-1000.pvsched.yaml";
export const BENCH_DURATION_S = 10;
/** Untimed runs of the bench scenario before the timed one (see cmdBench). */
export const BENCH_WARMUP_RUNS = 3;
export const BENCH_SCENARIO: Scenario = {
  name: "bench: busy host, 4 vCPU guest, cyclictest",
  seed: 1,
  duration_s: 10,
  host: {
    cpus: 4,
    workloads: [
      { kind: "stress", workers: 4 },
      { kind: "cyclictest", id: "host-cyclictest", interval_us: 1000 },
    ],
  },
  vms: [{ name: "vm0", vcpus: 4, workloads: [{ kind: "cyclictest", id: "guest-cyclictest", interval_us: 1000 }] }],
  modes: ["dynamic"],
};

async function cmdBench(args: string[]): Promise<number> {
  const a = parse(args, { json: { type: "boolean" }, "seed-dir": { type: "string" }, "skip-seed-report": { type: "boolean" } }, 0);
  if (a.values.help) return help();
  // CPU time beside wall time: on a loaded machine wall time says more about the neighbours.
  const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
  const { where, texts } = seedSource(a.values["seed-dir"] as string | undefined);
  const benchScenario: Scenario = texts[BENCH_SEED]
    ? { ...parseScenarioText(`${where}/${BENCH_SEED}`, texts[BENCH_SEED]), duration_s: BENCH_DURATION_S }
    : BENCH_SCENARIO;
  // Warm-up: V8 needs a few million events before the hot paths reach their optimised tier (the
  // first 10 s run is several times slower than the third), so the timed run measures the
  // simulator, not the JIT. The cold cost is part of the seed report's wall time below.
  for (let i = 0; i < BENCH_WARMUP_RUNS; i++)
    runJobInProcess({ key: "warmup", scenario: { ...benchScenario, duration_s: BENCH_DURATION_S }, mode: { mode: "dynamic" } });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const one: RunResult = runJobInProcess({ key: "bench", scenario: benchScenario, mode: { mode: "dynamic" } });
  const singleMs = performance.now() - t0;
  const singleCpuMs = cpuMs(process.cpuUsage(c0));
  const single = {
    scenario: benchScenario.name,
    simulatedS: one.simulated_ns / 1e9,
    events: one.events,
    wallMs: Math.round(singleMs),
    cpuMs: Math.round(singleCpuMs),
    eventsPerS: singleMs > 0 ? Math.round(one.events / (singleMs / 1000)) : 0,
    eventsPerCpuS: singleCpuMs > 0 ? Math.round(one.events / (singleCpuMs / 1000)) : 0,
  };
  let full: {
    runs: number;
    workers: number;
    simulatedS: number;
    events: number;
    wallMs: number;
    cpuMs: number;
    eventsPerS: number;
    missing: string[];
  } | null = null;
  if (!a.values["skip-seed-report"]) {
    const w = workers(a.values.workers);
    const c1 = process.cpuUsage();
    const outcome = await runSeeds({
      seedDir: a.values["seed-dir"] as string | undefined,
      workers: w,
      onProgress: progress("bench: seed report"),
    });
    const r = seedReport(outcome);
    full = {
      runs: outcome.runs.length,
      workers: w,
      simulatedS: r.durationSimulatedS,
      events: r.events,
      wallMs: Math.round(outcome.wallMs),
      // process.cpuUsage() covers every thread of the process, workers included.
      cpuMs: Math.round(cpuMs(process.cpuUsage(c1))),
      eventsPerS: outcome.wallMs > 0 ? Math.round(r.events / (outcome.wallMs / 1000)) : 0,
      missing: outcome.missing,
    };
  }
  if (a.values.json) json({ single, seedReport: full });
  else {
    out(
      `single run (${single.scenario}, dynamic, ${single.simulatedS} s simulated, 1 thread, after ${BENCH_WARMUP_RUNS} warm-up runs):\n` +
        `  ${single.events} events in ${single.wallMs} ms wall = ${(single.eventsPerS / 1e6).toFixed(2)} M events/s ` +
        `(${single.cpuMs} ms CPU = ${(single.eventsPerCpuS / 1e6).toFixed(2)} M events per CPU-second)`,
    );
    if (full)
      out(
        `full seed report (${full.runs} runs at the scenarios' own durations, ${full.simulatedS.toFixed(0)} s simulated, ${full.workers} worker threads):\n` +
          `  ${full.events} events in ${(full.wallMs / 1000).toFixed(2)} s wall = ${(full.eventsPerS / 1e6).toFixed(2)} M events/s (${(full.cpuMs / 1000).toFixed(2)} s CPU)` +
          (full.missing.length ? `\n  (missing seed scenarios: ${full.missing.join(", ")})` : ""),
      );
  }
  return EXIT.ok;
}

function help(): number {
  out(USAGE);
  return EXIT.ok;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case "run":
      return cmdRun(rest);
    case "compare":
      return cmdCompare(rest);
    case "ablate":
      return cmdAblate(rest);
    case "seed-report":
      return cmdSeedReport(rest);
    case "bench":
      return cmdBench(rest);
    case "map":
      return (await import("./map")).mapCommand(rest);
    case "fidelity":
      return (await import("./fidelity")).fidelityCommand(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      return help();
    default:
      throw new InputError(`pvsched-sim: unknown command "${cmd}" (see --help)`);
  }
}

function report(e: unknown): number {
  if (e instanceof InputError) {
    process.stderr.write(escapeControls(e.message.replace(/[\r\n]+/g, " ")) + "\n");
    return EXIT.badInput;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`pvsched-sim: internal error: ${escapeControls(msg.replace(/[\r\n]+/g, " "))}\n`);
  if (process.env.PVSCHED_DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + "\n");
  return EXIT.failure;
}

/** Runs the CLI and sets the exit status (bin/pvsched-sim.cjs calls this). */
export function cliEntry(argv: string[]): Promise<void> {
  // `pvsched-sim ... | head`: a closed pipe ends the output, it is not an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  return main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.exitCode = report(e);
    },
  );
}

if (require.main === module) void cliEntry(process.argv.slice(2));

/**
 * `pvsched-sim bench`: the numbers issue 13 asks for, measured in one process run.
 *
 * - engine: the simulator's events per CPU-second, each round paired with the bare typed-array
 *   heap loop of bench/bare-heap.ts in the same process, and their ratio;
 * - cold: the CPU time of one 10 s busy-500 dynamic run in a fresh process (JIT warm-up included);
 * - scaling: events per CPU-second along host CPUs, host tasks and VMs x vCPUs (bench/scaling.ts);
 * - seed report: its wall and CPU time with 10 replications on the worker pool.
 *
 * CPU time beside wall time: on a loaded machine wall time says more about the neighbours.
 */
import { spawnSync } from "node:child_process";
import { runBareHeapLoop } from "../bench/bare-heap";
import { scalingRows } from "../bench/scaling";
import { median } from "../report/stats";
import { DEFAULT_LIMITS, executeTask } from "../runner/index";
import { runSeedReport, SEED_REPLICATIONS, seedScenario, type SeedSet } from "../runner/seed-pipeline";
import type { Scenario } from "../sim-core/index";
import { intOption, json, out, parse, progress } from "./args";
import { EXIT, InputError } from "./errors";
import { runTasks } from "./pool";
import { seedSet, workers } from "./simulate";

/** The events/s run: the busy seed scenario in dynamic mode, the work the seed report does. */
export const BENCH_SEED = "cyclictest-busy-1000.pvsched.yaml";
export const BENCH_DURATION_S = 10;
/** Untimed runs of the bench scenario before the timed ones: V8's optimised tier needs a few million events. */
export const BENCH_WARMUP_RUNS = 3;
/** Timed rounds (simulator, then bare loop); the report gives each median. */
export const BENCH_ROUNDS = 3;
/** Events of the bare loop per round: a few hundred ms, like the simulator's run. */
export const BARE_EVENTS = 5_000_000;
/** The cold run: issue 13's figure is the first 10 simulated seconds of busy-500 in a fresh process. */
export const COLD_SEED = "cyclictest-busy-500.pvsched.yaml";
export const COLD_DURATION_S = 10;
/** Issue 13's targets, printed beside the measurements. */
export const TARGETS = { ratioToBare: 0.35, coldCpuMs: 600, tasksSpread: 2, seedReportWallS: 90 } as const;

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

/** CPU and wall milliseconds of `f` (process.cpuUsage covers every thread: JIT and GC included). */
function timed<T>(f: () => T): { value: T; cpuMs: number; wallMs: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const value = f();
  return { value, cpuMs: cpuMs(process.cpuUsage(c0)), wallMs: performance.now() - t0 };
}

const perCpuS = (events: number, ms: number) => (ms > 0 ? Math.round(events / (ms / 1000)) : 0);
const med = (xs: number[]) => median(xs) ?? 0;

function seedOrThrow(set: SeedSet, file: string): Scenario {
  const s = seedScenario(set, file);
  if (!s) throw new InputError(`pvsched-sim: bench needs the seed scenario ${file} (missing from ${set.where})`);
  return s.scenario;
}

/**
 * One dynamic run. `why` (sim-core SimOptions.why) follows each late latency sample as the
 * panel's runs and `pvsched-sim run` do; the seed report and sweeps run without it.
 */
const runDynamic = (scenario: Scenario, why = true) =>
  executeTask({ scenario, mode: { mode: "dynamic" }, why }, { limits: DEFAULT_LIMITS });

function engineBench(set: SeedSet) {
  const scenario = { ...seedOrThrow(set, BENCH_SEED), duration_s: BENCH_DURATION_S };
  for (let i = 0; i < BENCH_WARMUP_RUNS; i++) runDynamic(scenario);
  runBareHeapLoop(BARE_EVENTS);
  const rounds = [];
  for (let i = 0; i < BENCH_ROUNDS; i++) {
    const sim = timed(() => runDynamic(scenario));
    const bare = timed(() => runBareHeapLoop(BARE_EVENTS));
    const simRate = perCpuS(sim.value.events, sim.cpuMs);
    const bareRate = perCpuS(bare.value.events, bare.cpuMs);
    rounds.push({
      events: sim.value.events,
      cpuMs: Math.round(sim.cpuMs),
      eventsPerCpuS: simRate,
      bareEventsPerCpuS: bareRate,
      ratio: simRate / bareRate,
    });
  }
  return {
    scenario: scenario.name,
    simulatedS: BENCH_DURATION_S,
    rounds,
    eventsPerCpuS: med(rounds.map((r) => r.eventsPerCpuS)),
    bareEventsPerCpuS: med(rounds.map((r) => r.bareEventsPerCpuS)),
    ratio: med(rounds.map((r) => r.ratio)),
    target: TARGETS.ratioToBare,
  };
}

/** The child of the cold measurement: one run in this fresh process, its CPU time on stdout. */
async function coldChild(set: SeedSet): Promise<number> {
  const scenario = { ...seedOrThrow(set, COLD_SEED), duration_s: COLD_DURATION_S };
  const r = timed(() => runDynamic(scenario));
  await json({ events: r.value.events, cpuMs: Math.round(r.cpuMs), wallMs: Math.round(r.wallMs) });
  return EXIT.ok;
}

function coldBench(seedDir: string | undefined) {
  const runs: { events: number; cpuMs: number; wallMs: number }[] = [];
  for (let i = 0; i < BENCH_ROUNDS; i++) {
    const args = [...process.execArgv, process.argv[1]!, "bench", "--cold-child", ...(seedDir ? ["--seed-dir", seedDir] : [])];
    const r = spawnSync(process.execPath, args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`cold run failed: ${r.stderr.trim().split("\n")[0]}`);
    runs.push(JSON.parse(r.stdout));
  }
  return {
    scenario: `${COLD_SEED} dynamic, ${COLD_DURATION_S} s, fresh process`,
    runs,
    cpuMs: med(runs.map((r) => r.cpuMs)),
    wallMs: med(runs.map((r) => r.wallMs)),
    targetCpuMs: TARGETS.coldCpuMs,
  };
}

function scalingBench() {
  const rows = scalingRows().map((row) => {
    // One short untimed run first: a row may take code paths (large runqueues, many VMs) the
    // warm-up did not, and their first compile is not the scaling being measured.
    runDynamic({ ...row.scenario, duration_s: row.scenario.duration_s! / 10 });
    const r = timed(() => runDynamic(row.scenario));
    // The same run without the latency tracer, whose work grows with the late samples it follows
    // at once (up to MAX_LATE_SAMPLES): with thousands of tasks, many are late together.
    const bare = timed(() => runDynamic(row.scenario, false));
    return {
      axis: row.axis,
      value: row.value,
      simulatedS: row.scenario.duration_s!,
      events: r.value.events,
      cpuMs: Math.round(r.cpuMs),
      eventsPerCpuS: perCpuS(r.value.events, r.cpuMs),
      noWhyCpuMs: Math.round(bare.cpuMs),
      noWhyEventsPerCpuS: perCpuS(bare.value.events, bare.cpuMs),
    };
  });
  const tasks = rows.filter((r) => r.axis === "host tasks");
  const first = tasks[0]!;
  const last = tasks[tasks.length - 1]!;
  return {
    rows,
    tasksSpread: first.eventsPerCpuS / Math.max(1, last.eventsPerCpuS),
    noWhyTasksSpread: first.noWhyEventsPerCpuS / Math.max(1, last.noWhyEventsPerCpuS),
    targetTasksSpread: TARGETS.tasksSpread,
  };
}

async function seedReportBench(set: SeedSet, w: number, replications: number) {
  const c1 = process.cpuUsage();
  // As `seed-report` runs it: the report without per-sample explanations.
  const outcome = (await runSeedReport(set, { replications, why: false }, (tasks, label) =>
    runTasks(tasks, { workers: w, onProgress: progress("bench: seed report"), label }),
  ))!;
  const r = outcome.report;
  return {
    runs: outcome.runs.length,
    replications,
    workers: w,
    simulatedS: r.durationSimulatedS,
    events: r.events,
    wallMs: r.wallMs,
    cpuMs: Math.round(cpuMs(process.cpuUsage(c1))),
    eventsPerS: perCpuS(r.events, r.wallMs),
    targetWallS: replications === SEED_REPLICATIONS ? TARGETS.seedReportWallS : undefined,
    missing: set.missing,
  };
}

const M = (x: number) => (x / 1e6).toFixed(2);

export async function cmdBench(args: string[], help: () => number): Promise<number> {
  const a = parse(
    args,
    {
      json: { type: "boolean" },
      "seed-dir": { type: "string" },
      "seed-replications": { type: "string" },
      "skip-seed-report": { type: "boolean" },
      "skip-cold": { type: "boolean" },
      "skip-scaling": { type: "boolean" },
      "cold-child": { type: "boolean" },
    },
    0,
  );
  if (a.values.help) return help();
  const seedDir = a.values["seed-dir"] as string | undefined;
  const set = seedSet(seedDir);
  if (a.values["cold-child"]) return coldChild(set);
  const reps = intOption(a.values["seed-replications"], "seed-replications", 1, 1000) ?? SEED_REPLICATIONS;
  const engine = engineBench(set);
  const cold = a.values["skip-cold"] ? null : coldBench(seedDir);
  const scaling = a.values["skip-scaling"] ? null : scalingBench();
  const seedReport = a.values["skip-seed-report"] ? null : await seedReportBench(set, workers(a.values.workers), reps);
  if (a.values.json) {
    await json({ engine, cold, scaling, seedReport });
    return EXIT.ok;
  }
  const lines = [
    `engine (${engine.scenario}, dynamic, ${engine.simulatedS} s simulated, after ${BENCH_WARMUP_RUNS} warm-up runs; median of ${BENCH_ROUNDS} paired rounds):`,
    `  ${M(engine.eventsPerCpuS)} M events per CPU-second; bare heap loop ${M(engine.bareEventsPerCpuS)} M; ratio ${engine.ratio.toFixed(3)} (target >= ${engine.target})`,
  ];
  if (cold)
    lines.push(
      `cold run (${cold.scenario}; median of ${BENCH_ROUNDS}):`,
      `  ${cold.cpuMs} ms CPU, ${cold.wallMs} ms wall (target < ${cold.targetCpuMs} ms CPU; runs: ${cold.runs.map((r) => r.cpuMs).join(", ")} ms)`,
    );
  if (scaling) {
    lines.push(
      "scaling (dynamic; events per CPU-second, with the latency tracer and without it):",
      "  axis         value  simulated s    events  CPU ms  M events/CPU-s  without: CPU ms  M events/CPU-s",
    );
    for (const r of scaling.rows)
      lines.push(
        `  ${r.axis.padEnd(12)} ${r.value.padStart(5)} ${r.simulatedS.toFixed(2).padStart(12)} ${String(r.events).padStart(9)} ${String(r.cpuMs).padStart(7)} ${M(r.eventsPerCpuS).padStart(15)} ${String(r.noWhyCpuMs).padStart(16)} ${M(r.noWhyEventsPerCpuS).padStart(15)}`,
      );
    lines.push(
      `  2 tasks / 2048 tasks: ${scaling.tasksSpread.toFixed(2)}x with the tracer, ${scaling.noWhyTasksSpread.toFixed(2)}x without (target <= ${scaling.targetTasksSpread}x)`,
    );
  }
  if (seedReport)
    lines.push(
      `seed report (${seedReport.runs} runs, ${seedReport.replications} replications, ${seedReport.simulatedS.toFixed(0)} s simulated, ${seedReport.workers} worker threads):`,
      `  ${seedReport.events} events in ${(seedReport.wallMs / 1000).toFixed(2)} s wall = ${M(seedReport.eventsPerS)} M events/s (${(seedReport.cpuMs / 1000).toFixed(2)} s CPU)` +
        (seedReport.targetWallS ? ` (target < ${seedReport.targetWallS} s wall)` : "") +
        (seedReport.missing.length ? `\n  (missing seed scenarios: ${seedReport.missing.join(", ")})` : ""),
    );
  out(lines.join("\n"));
  return EXIT.ok;
}

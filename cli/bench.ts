/** `pvsched-sim bench`: the engine's events per second and the seed report's wall time. */
import { DEFAULT_LIMITS, executeTask } from "../runner/index";
import { runSeedReport, seedScenario } from "../runner/seed-pipeline";
import type { RunResult, Scenario } from "../sim-core/index";
import { json, out, parse, progress } from "./args";
import { EXIT } from "./errors";
import { runTasks } from "./pool";
import { seedSet, workers } from "./simulate";

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

export async function cmdBench(args: string[], help: () => number): Promise<number> {
  const a = parse(args, { json: { type: "boolean" }, "seed-dir": { type: "string" }, "skip-seed-report": { type: "boolean" } }, 0);
  if (a.values.help) return help();
  // CPU time beside wall time: on a loaded machine wall time says more about the neighbours.
  const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
  const set = seedSet(a.values["seed-dir"] as string | undefined);
  const benchSeed = seedScenario(set, BENCH_SEED);
  const benchScenario: Scenario = benchSeed ? { ...benchSeed.scenario, duration_s: BENCH_DURATION_S } : BENCH_SCENARIO;
  // Warm-up: V8 needs a few million events before the hot paths reach their optimised tier (the
  // first 10 s run is several times slower than the third), so the timed run measures the
  // simulator, not the JIT. The cold cost is part of the seed report's wall time below.
  for (let i = 0; i < BENCH_WARMUP_RUNS; i++)
    executeTask({ scenario: { ...benchScenario, duration_s: BENCH_DURATION_S }, mode: { mode: "dynamic" } }, { limits: DEFAULT_LIMITS });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const one: RunResult = executeTask({ scenario: benchScenario, mode: { mode: "dynamic" } }, { limits: DEFAULT_LIMITS });
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
    const outcome = (await runSeedReport(set, { replications: 1 }, (tasks, label) =>
      runTasks(tasks, { workers: w, onProgress: progress("bench: seed report"), label }),
    ))!;
    const r = outcome.report;
    full = {
      runs: outcome.runs.length,
      workers: w,
      simulatedS: r.durationSimulatedS,
      events: r.events,
      wallMs: r.wallMs,
      // process.cpuUsage() covers every thread of the process, workers included.
      cpuMs: Math.round(cpuMs(process.cpuUsage(c1))),
      eventsPerS: r.wallMs > 0 ? Math.round(r.events / (r.wallMs / 1000)) : 0,
      missing: set.missing,
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

/**
 * `pvsched-sim`: the headless CLI (bundled to dist/cli.cjs by scripts/build.mjs).
 *
 * Exit status: 0 ok, 1 failure (an internal error, or `seed-report --check` with a failing
 * claim), 2 bad input (one line on stderr naming the file, line and field; never a stack trace).
 */
import { escapeControls } from "../common/escape";
import { out } from "./args";
import { EXIT, InputError } from "./errors";
import { defaultWorkers } from "./pool";

const USAGE = `usage: pvsched-sim <command> [options]

commands:
  run <scenario.yaml> [--json] [--mode NAME] [--seed N] [--duration S] [--replications N]
      [--trace OUT.json [--trace-window FROM_MS:TO_MS]]
        run the scenario's modes (or one mode) and print each run's probes, vCPUs and CPUs
        (with N > 1: means, 95 % intervals and each mode's effect against the first);
        --trace writes each run's timeline (or a window of it) as a Perfetto trace-event JSON file
  compare <scenario.yaml> [--json] [--seed N] [--duration S] [--replications N]
        the modes side by side: each probe's avg/p99/max/glitches, each vCPU's boosts/throttles/steal
  ablate <scenario.yaml> [--json] [--seed N] [--duration S] [--replications N (default 5)]
        dynamic with every mechanism, then without each mechanism in turn; the effect per probe,
        with its 95 % interval, or "no significant effect" where the interval includes zero
  sweep <scenario.yaml> --param PATH=V1,V2,... [--param ...] [--replications N (default 5)]
      [--seed N] [--duration S] [--json | --csv] [--shard i/N]
        a full factorial over scenario fields (any YAML path: pvsched.boost_priority,
        modes.1.mechanisms.lazy_boost, host.workloads.1.workers; PATH=LO..HI/N for N evenly
        spaced values): per cell, mode and probe the mean and 95 % interval over the replications;
        --shard i/N (0 <= i < N) runs run k of the sweep when k mod N = i and prints a shard file
  sweep merge <shard.json>... [--json | --csv]
        the summary of the shards of one sweep, the same bytes as the unsharded sweep prints
  seed-report [--json] [--check] [--duration S] [--replications N (default 10)]
        run the built-in seed scenarios; simulated tables beside the published ones, the error
        per cell and its median, and the cover letter's claims checked on the simulated numbers
  bench [--json] [--seed-replications N (default 10)] [--skip-cold] [--skip-scaling] [--skip-seed-report]
        events per CPU-second against a bare heap event loop, a cold run's CPU time, the scaling
        table (host CPUs, host tasks, VMs x vCPUs) and the wall time of the seed report
  map <patch-file>... [--json]     hunks of a patch series and the mechanism each one implements
  fidelity ...                     compare the host model with real Linux (see fidelity/)
  trace import <trace.txt> ...     probes of a real trace-cmd/perf trace, beside a simulation (see trace --help)

common options:
  --workers N       worker threads for independent runs (default ${defaultWorkers()}: one per core)
  --duration S      simulated seconds instead of the scenario's duration_s (at most 3600)
  --replications N  runs per mode; replication r runs the scenario's seed + r, so
                    \`run FILE --seed <seed + r>\` reproduces replication r alone
  --help            this text

exit status: 0 ok, 1 failure, 2 bad input (one line: file:line:col: field: message)`;

function help(): number {
  out(USAGE);
  return EXIT.ok;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    // Each command loads only its own modules: a bad input is answered without initialising
    // the statistics and the report that a simulation needs (a CLI's start-up is CPU time).
    case "run":
      return (await import("./simulate")).cmdRun(rest, help);
    case "compare":
      return (await import("./simulate")).cmdCompare(rest, help);
    case "ablate":
      return (await import("./simulate")).cmdAblate(rest, help);
    case "seed-report":
      return (await import("./simulate")).cmdSeedReport(rest, help);
    case "sweep":
      return (await import("./sweep")).cmdSweep(rest, help);
    case "bench":
      return (await import("./bench")).cmdBench(rest, help);
    case "map":
      return (await import("./map")).mapCommand(rest);
    case "fidelity":
      return (await import("./fidelity")).fidelityCommand(rest);
    case "trace":
      return (await import("./trace")).traceCommand(rest);
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

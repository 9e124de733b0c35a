/**
 * `pvsched-sim fidelity [--json] [--quick] [options]`: measures the real scheduler of this
 * machine (cyclictest, vCPU-like threads, a boost agent, under stress-ng or idle), simulates
 * the same configurations with sim-core, and compares them. See fidelity/README.md.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

import type { Load } from "../fidelity/cells";
import { formatReport } from "../fidelity/format";
import { runFidelity, type FidelityOptions } from "../fidelity/run";
import type { Mapping } from "../fidelity/scenarios";
import { writeScenarioFiles } from "../fidelity/scenario-files";

const USAGE = `usage: pvsched-sim fidelity [--json] [--quick] [options]

Runs real latency experiments on this machine (Linux, root, cyclictest + stress-ng + cc),
simulates the same configurations, and compares avg/p99/max, KS distance and mode ordering.

  --json               print one JSON object (rows, orderings, cells, summary)
  --quick              short cells (4 s real in 2 rounds, 4 s simulated): under 2 minutes
  --duration S         real seconds per cell (default 20; 4 with --quick)
  --rounds N           split each cell into N interleaved rounds (default 4; 2 with --quick)
  --sim-duration S     simulated seconds per cell (default: same as --duration)
  --mapping LIST       host,vm (default both): how the vCPU-like threads are simulated
  --only LIST          host-cyclictest,vcpu-like (default both experiments)
  --loads LIST         idle,busy (default both)
  --ablation           also run dynamic without the boost on timer injection (dynamic-noinject)
  --isolate            run in a new session whose autogroup has nice -20, so that other
                       sessions' SCHED_OTHER load on a shared machine weighs ~1% against ours
                       (they are slowed down while the real cells run)
  --seed N             simulation seed (default 1)
  --save FILE          also save the real measurements to FILE (gzipped if it ends in .gz)
  --real-from FILE     skip the real runs; compare against measurements saved with --save
  --out FILE           also write the JSON report to FILE
  --strict             exit 3 if, under the host mapping, real and simulated order the modes
                       in opposite directions (strict inversions only; ties pass)
  --write-scenarios DIR  write the simulated twins as scenario YAML files and exit
`;

function list<T extends string>(v: string, allowed: readonly T[], flag: string): T[] {
  const items = v
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  for (const i of items) if (!allowed.includes(i as T)) throw new Error(`${flag}: unknown value "${i}" (allowed: ${allowed.join(", ")})`);
  return items as T[];
}

export async function fidelityCommand(args: string[]): Promise<number> {
  let json = false;
  let quick = false;
  let duration: number | undefined;
  let rounds: number | undefined;
  let simDuration: number | undefined;
  let mappings: Mapping[] = ["host", "vm"];
  let experiments: string[] | undefined;
  let loads: Load[] | undefined;
  let seed = 1;
  let ablation = false;
  let isolate = false;
  let strict = false;
  let save: string | undefined;
  let realFrom: string | undefined;
  let outFile: string | undefined;
  let scenariosDir: string | undefined;
  try {
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const val = () => {
        const v = args[++i];
        if (v === undefined) throw new Error(`${a} needs a value`);
        return v;
      };
      const num = () => {
        const v = Number(val());
        if (!Number.isFinite(v) || v <= 0) throw new Error(`${a} needs a positive number`);
        return v;
      };
      switch (a) {
        case "--json":
          json = true;
          break;
        case "--quick":
          quick = true;
          break;
        case "--ablation":
          ablation = true;
          break;
        case "--isolate":
          isolate = true;
          break;
        case "--strict":
          strict = true;
          break;
        case "--duration":
          duration = num();
          break;
        case "--sim-duration":
          simDuration = num();
          break;
        case "--rounds":
          rounds = Math.floor(num());
          break;
        case "--mapping":
          mappings = list(val(), ["host", "vm"] as const, a);
          break;
        case "--only":
          experiments = list(val(), ["host-cyclictest", "vcpu-like"] as const, a);
          break;
        case "--loads":
          loads = list(val(), ["idle", "busy"] as const, a);
          break;
        case "--seed":
          seed = Math.floor(num());
          break;
        case "--save":
          save = val();
          break;
        case "--real-from":
          realFrom = val();
          break;
        case "--out":
          outFile = val();
          break;
        case "--write-scenarios":
          scenariosDir = val();
          break;
        case "-h":
        case "--help":
          process.stdout.write(USAGE);
          return 0;
        default:
          throw new Error(`unknown option ${a}`);
      }
    }
  } catch (e) {
    process.stderr.write(`pvsched-sim fidelity: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (scenariosDir) {
    const files = writeScenarioFiles(scenariosDir, duration ?? 20);
    process.stdout.write(files.map((f) => `wrote ${f}\n`).join(""));
    return 0;
  }
  let isolation: string | undefined;
  if (isolate && !realFrom) {
    if (process.env.PVSCHED_FIDELITY_ISOLATED !== "1") {
      // setsid gives the re-executed command a session, hence an autogroup, of its own.
      const r = spawnSync("setsid", ["-w", process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
        stdio: "inherit",
        env: { ...process.env, PVSCHED_FIDELITY_ISOLATED: "1" },
      });
      if (r.error) {
        process.stderr.write(`pvsched-sim fidelity: --isolate: cannot run setsid: ${r.error.message}\n`);
        return 1;
      }
      return r.status ?? 1;
    }
    try {
      writeFileSync("/proc/self/autogroup", "-20");
      isolation = readFileSync("/proc/self/autogroup", "utf8").trim();
    } catch (e) {
      process.stderr.write(
        `pvsched-sim fidelity: --isolate: cannot set the autogroup nice (${(e as Error).message}); continuing without\n`,
      );
    }
  }
  // cyclictest's -D takes whole seconds.
  const durationS = Math.max(1, Math.round(duration ?? (quick ? 4 : 20)));
  const opts: FidelityOptions = {
    quick,
    durationS,
    rounds: rounds ?? (quick ? 2 : 4),
    simDurationS: simDuration ?? durationS,
    mappings,
    experiments,
    loads,
    ablation,
    isolation,
    seed,
    realFrom,
    save,
    log: (m) => process.stderr.write(m + "\n"),
  };
  try {
    const report = await runFidelity(opts, args);
    if (outFile) writeFileSync(outFile, JSON.stringify(report, null, 2) + "\n");
    process.stdout.write(json ? JSON.stringify(report, null, 2) + "\n" : formatReport(report) + "\n");
    if (strict) {
      const bad = report.orderings.filter((o) => o.mapping === "host" && !o.comparison.agrees);
      if (bad.length) {
        process.stderr.write(
          `pvsched-sim fidelity --strict: mode ordering inverted in ${bad.length} comparison(s) under the host mapping\n`,
        );
        return 3;
      }
    }
    return 0;
  } catch (e) {
    process.stderr.write(`pvsched-sim fidelity: ${(e as Error).message}\n`);
    return 1;
  }
}

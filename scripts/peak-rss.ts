/**
 * Peak resident memory of refused and budget-stopped runs (issue 14: each must stay under 512 MB,
 * so that a hostile scenario cannot take the machine's memory before it is turned away).
 *
 *   npx tsx scripts/peak-rss.ts              # a table; exit status 1 if any run reached the limit
 *   npx tsx scripts/peak-rss.ts --json       # the same as JSON
 *   npx tsx scripts/peak-rss.ts --limit-mb 256
 *
 * Each case runs the bundled CLI (dist/cli.cjs; `npm run build` or `node scripts/build.mjs cli
 * cli-worker` first) under `/usr/bin/time -v`, whose "Maximum resident set size" covers the
 * process and its worker threads. The refused cases are test/hostile/inputs.ts; the stopped ones
 * are the largest shape sim-core accepts, cut by `max_events`. test/hostile/peak-rss.test.ts runs
 * this script.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { HOSTILE_SCENARIOS, largestShape, specialFiles } from "../test/hostile/inputs";

const ROOT = resolve(__dirname, "..");
const BIN = join(ROOT, "bin", "pvsched-sim.cjs");
const TIME = "/usr/bin/time";

interface Case {
  what: string;
  args: string[];
  /** The exit status the case should end with: 2 refused, 0 stopped by its budget. */
  exit: 0 | 2;
}

interface Measured {
  what: string;
  exit: number | null;
  expectedExit: number;
  maxRssMb: number;
  cpuS: number;
}

function cases(dir: string): Case[] {
  const write = (name: string, content: string | Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  const out: Case[] = HOSTILE_SCENARIOS.map((h) => ({ what: `refused: ${h.what}`, args: h.make(dir, write), exit: 2 as const }));
  const { fifo, zero, seedDir } = specialFiles(dir);
  out.push(
    { what: "refused: run on a FIFO", args: ["run", fifo], exit: 2 },
    { what: "refused: run on a link to /dev/zero", args: ["run", zero], exit: 2 },
    { what: "refused: seed-report --seed-dir with a link to /dev/zero", args: ["seed-report", "--seed-dir", seedDir], exit: 2 },
  );
  // Budget-stopped: 256 CPUs, 512 vCPUs, 4 352 threads, 3 modes on 2 workers, each run stopped
  // by its event budget (the scenario's max_events) long before its 20 simulated seconds.
  out.push({
    what: "stopped: 256 CPUs x 3 modes at max_events 300000",
    args: ["compare", write("largest-stopped.yaml", largestShape({ durationS: 20, extra: "max_events: 300000\n" })), "--workers", "2"],
    exit: 0,
  });
  out.push({
    what: "stopped: the same at max_events 100000 with its timeline, run --trace",
    args: [
      "run",
      write("largest-stopped-tl.yaml", largestShape({ durationS: 20, extra: "max_events: 100000\ntimeline: { max_segments: 2000 }\n" })),
      "--trace",
      join(dir, "trace.json"),
      "--workers",
      "2",
    ],
    exit: 0,
  });
  return out;
}

function measure(c: Case, dir: string): Measured {
  const stats = join(dir, "time-v.txt");
  const r = spawnSync(TIME, ["-v", "-o", stats, process.execPath, BIN, ...c.args], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
  const text = existsSync(stats) ? readFileSync(stats, "utf8") : "";
  const field = (name: string) => Number(new RegExp(`${name}: ([\\d.]+)`).exec(text)?.[1] ?? Number.NaN);
  return {
    what: c.what,
    exit: r.status,
    expectedExit: c.exit,
    maxRssMb: field("Maximum resident set size \\(kbytes\\)") / 1024,
    cpuS: field("User time \\(seconds\\)") + field("System time \\(seconds\\)"),
  };
}

function main(): number {
  const { values } = parseArgs({ options: { json: { type: "boolean" }, "limit-mb": { type: "string" } } });
  const limitMb = Number(values["limit-mb"] ?? 512);
  if (!existsSync(TIME)) {
    process.stderr.write(`peak-rss: ${TIME} is missing (Debian: apt-get install time)\n`);
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), "pvsched-peak-rss-"));
  try {
    const results = cases(dir).map((c) => measure(c, dir));
    const bad = results.filter((r) => !(r.maxRssMb < limitMb) || r.exit !== r.expectedExit);
    if (values.json) process.stdout.write(`${JSON.stringify({ limitMb, results }, null, 2)}\n`);
    else {
      for (const r of results)
        process.stdout.write(
          `${r.maxRssMb.toFixed(0).padStart(5)} MB  ${r.cpuS.toFixed(2).padStart(6)} s CPU  exit ${r.exit}  ${r.what}\n`,
        );
      process.stdout.write(
        bad.length
          ? `${bad.length} of ${results.length} over ${limitMb} MB or with the wrong exit status\n`
          : `all ${results.length} under ${limitMb} MB, each with its expected exit status\n`,
      );
    }
    return bad.length ? 1 : 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = main();

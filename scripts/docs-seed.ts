/**
 * Writes the measured parts of docs/calibration.md and of the README's results section from a
 * seed report, so that neither is edited by hand (issue 9). Usage:
 *
 *   npm run docs:seed                      # runs `pvsched-sim seed-report --json` (10 replications)
 *   npm run docs:seed -- --from report.json --commit 431e71b   # a report run earlier, on that commit
 *
 * Each generated block sits between `<!-- BEGIN generated: NAME -->` and `<!-- END generated: NAME -->`;
 * the prose around the blocks is kept. test/docs/calibration-doc.test.ts checks that the
 * calibration block matches sim-core's CALIBRATION, so a parameter cannot change without the page.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SeedReport } from "../report/seed-report";
import { CALIBRATION } from "../sim-core/index";
import { formatSeedReportText } from "../report/seed-text";
import { calibrationTable, replaceBlock, seedAssumptions } from "./docs-blocks";

const root = join(__dirname, "..");

/** The command whose output the measured blocks record (run here, or its saved --json output). */
const COMMAND = "npx pvsched-sim seed-report --json";

/** An option's value on the command line, or undefined. */
function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/**
 * The commit whose model the report measured. A report run here is HEAD's (marked `-dirty` when
 * the tree has uncommitted changes); a report read with --from says nothing of its commit, so
 * --commit must name it or the page says "unknown".
 */
function reportCommit(): string {
  if (option("--from")) return option("--commit") ?? "unknown (report read with --from, no --commit)";
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: root, encoding: "utf8" }).trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return "unknown";
  }
}

function loadReport(): SeedReport {
  const file = option("--from");
  if (file) return JSON.parse(readFileSync(file, "utf8")) as SeedReport;
  const out = execFileSync(process.execPath, [join(root, "bin/pvsched-sim.cjs"), "seed-report", "--json"], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(out) as SeedReport;
}

const f3 = (x: number | null) => (x === null ? "n/a" : x.toFixed(3));

/** The measured summary: medians, claims as k of N, the cells furthest off. */
function measured(r: SeedReport, command: string, commit: string): string {
  const lines: string[] = [];
  const defined = r.cells.filter((c) => c.log10Error !== null);
  const inS = defined.filter((c) => c.inSample).length;
  lines.push(`Measured with \`${command}\` (${r.replications} replications, commit ${commit}, ${new Date().toISOString().slice(0, 10)}):`);
  lines.push("");
  lines.push(`- median \\|log10\\| error of the means over ${defined.length} of ${r.cells.length} cells: **${f3(r.medianLog10Error)}**`);
  lines.push(`- in sample (${inS} cells a calibrated parameter was fitted on): ${f3(r.medianLog10ErrorInSample)}`);
  lines.push(`- out of sample (${defined.length - inS} cells): ${f3(r.medianLog10ErrorOutOfSample)}`);
  const maxima = r.cells.filter((c) => c.publishedInBand === true || c.publishedInBand === false);
  if (maxima.length)
    lines.push(
      `- published maxima inside the 10–90 % band of the simulated maxima: ${maxima.filter((c) => c.publishedInBand).length} of ${maxima.length}`,
    );
  lines.push(`- claims (each must hold in at least 80 % of the replications):`);
  for (const c of r.claims) lines.push(`  - ${c.holds ? "holds" : "**fails**"} in ${c.holdsIn} of ${c.of}: ${c.id}`);
  lines.push("");
  const worst = [...defined].sort((a, b) => (b.log10Error ?? 0) - (a.log10Error ?? 0)).slice(0, 12);
  lines.push("The cells furthest from the published value (|log10| error of the mean):");
  lines.push("");
  lines.push("| cell | simulated | published | error |");
  lines.push("| --- | ---: | ---: | ---: |");
  for (const c of worst) lines.push(`| \`${c.id}\` | ${fmt(c.simulated)} | ${fmt(c.published)} | ${f3(c.log10Error)} |`);
  return lines.join("\n");
}

const fmt = (x: number | null) => (x === null ? "n/a" : Math.abs(x) >= 100 ? String(Math.round(x)) : x.toFixed(1));

function main(): void {
  // Read before the report runs: the commit whose code the report measures.
  const commit = reportCommit();
  const report = loadReport();
  // One text for both pages.
  const measuredText = measured(report, COMMAND, commit);
  const seedDir = join(root, "scenarios/seed");
  const seeds = readdirSync(seedDir)
    .filter((f) => f.endsWith(".pvsched.yaml"))
    .sort()
    .map((f) => ({ file: `scenarios/seed/${f}`, text: readFileSync(join(seedDir, f), "utf8") }));

  const calPath = join(root, "docs/calibration.md");
  let cal = readFileSync(calPath, "utf8");
  // The table from the code as it is now (the report carries the same list, as it was when it ran).
  cal = replaceBlock(cal, "calibration", calibrationTable(CALIBRATION));
  cal = replaceBlock(cal, "assumptions", seedAssumptions(seeds));
  cal = replaceBlock(cal, "measured", measuredText);
  writeFileSync(calPath, cal);

  const readmePath = join(root, "README.md");
  let readme = readFileSync(readmePath, "utf8");
  readme = replaceBlock(readme, "seed-report", `\`\`\`\n${formatSeedReportText(report).trimEnd()}\n\`\`\`\n\n${measuredText}`);
  writeFileSync(readmePath, readme);
  // Biome owns the Markdown layout (it pads tables); npm run lint checks it.
  execFileSync(join(root, "node_modules/.bin/biome"), ["format", "--write", calPath, readmePath], { cwd: root, stdio: "ignore" });
  process.stdout.write(`docs/calibration.md and README.md: measured blocks rewritten (median ${f3(report.medianLog10Error)})\n`);
}

main();

// What the e2e tests expect the panel to show, computed outside the extension: the same scenarios
// run by the headless CLI (`pvsched-sim`, its own process and workers), so a test checks that the
// numbers the panel shows are the ones the simulator gives for that scenario, cell by cell, with
// the table's rows and columns named as the user must see them.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { ROOT } from "./workbench.mjs";

/** Runs the CLI with --json and returns its output. */
export function cliJson(args) {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/pvsched-sim.cjs"), ...args, "--json"], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 1 << 30,
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`pvsched-sim ${args.join(" ")}: exit ${r.status}: ${r.stderr.trim().split("\n")[0]}`);
  return JSON.parse(r.stdout);
}

/** Simulated seconds of each ablation run in the e2e workbench (its user setting). */
export const E2E_ABLATION_SECONDS = 2;
/**
 * Simulated seconds of each seed run in the e2e suite: the full report (90 s runs, 10
 * replications) takes ~3 minutes of 2 cores since the 6.5 placement model, twice (panel and CLI).
 */
export const E2E_SEED_SECONDS = 10;

/** The built-in scenario that exercises each mechanism, the one a hunk lens runs by default. */
/** report/ablation.ts's ABLATION_REPLICATIONS, read from its source (e2e runs plain Node, no TypeScript). */
export const ABLATION_REPLICATIONS = Number(
  /export const ABLATION_REPLICATIONS = (\d+);/.exec(readFileSync(join(ROOT, "report/ablation.ts"), "utf8"))?.[1] ?? Number.NaN,
);
export const EXERCISED_BY = JSON.parse(readFileSync(join(ROOT, "scenarios/lens/exercised-by.json"), "utf8"));

/**
 * The hunk ablation the lens runs (extension/ablation.ts): the mechanism's exercising scenario
 * (or `scenario`, a repository path) with its modes replaced by dynamic / dynamic without the
 * mechanism / vanilla, shortened to `seconds`, with the timeline recorded as the extension does.
 * Returns the CLI's runs of `replications` replications, replication-major.
 * @param {string} mechanism
 * @param {{ tmp: string, seconds?: number, scenario?: string, replications?: number }} o
 */
export function ablationRuns(
  mechanism,
  { tmp, seconds = E2E_ABLATION_SECONDS, scenario = EXERCISED_BY[mechanism].scenario, replications = ABLATION_REPLICATIONS },
) {
  const s = parse(readFileSync(join(ROOT, scenario), "utf8"));
  s.modes = [
    { name: "dynamic", mode: "dynamic" },
    { name: `dynamic without ${mechanism}`, mode: "dynamic", mechanisms: { [mechanism]: false } },
    { name: "vanilla", mode: "vanilla" },
  ];
  s.duration_s = seconds;
  if (s.warmup_ms !== undefined && s.warmup_ms >= seconds * 1000) s.warmup_ms = Math.floor((seconds * 1000) / 10);
  s.timeline = { ...(s.timeline ?? {}), enabled: true };
  const file = join(tmp, `ablation-${mechanism}.pvsched.yaml`);
  writeFileSync(file, stringify(s));
  // The lens runs ABLATION_REPLICATIONS replications (seed + r) and the panel shows their means.
  return cliJson(["run", file, "--replications", String(replications)]).results;
}

/**
 * A results table of the panel as data: header rows (texts) and body rows, each cell with its
 * text, class, data-value and tooltip (a mode's name carries its id there: "mode id: vanilla").
 * @param {import("playwright-core").Frame} frame
 * @param {string} testid
 */
export function tableData(frame, testid) {
  return frame.$eval(`table[data-testid="${testid}"]`, (t) => ({
    head: [...t.querySelectorAll("thead tr")].map((tr) => [...tr.querySelectorAll("th")].map((th) => (th.textContent ?? "").trim())),
    rows: [...t.querySelectorAll("tbody tr")].map((tr) =>
      [...tr.children].map((c) => ({
        text: (c.textContent ?? "").trim(),
        cls: c.getAttribute("class") ?? "",
        value: c.getAttribute("data-value"),
        title: c.getAttribute("title"),
      })),
    ),
  }));
}

/** Compares two numbers from the panel and the CLI: equal, as both come from the same doubles. */
export function sameNumber(panel, expected) {
  return panel !== null && Number(panel) === expected;
}

/** A mean computed by another summation order: equal to 1e-9 of its size. */
export function closeNumber(panel, expected) {
  return panel !== null && Math.abs(Number(panel) - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
}

/**
 * Parameter sweeps: a full factorial over scenario fields named by their YAML path, each cell run
 * in every mode of its scenario for N replications, summarised per cell by report/'s
 * compareModes (mean and 95 % interval per mode, probe and metric; paired effects against the
 * first mode).
 *
 * Every run is a pure function of (cell scenario, mode, seed), so a sweep splits into shards
 * without coordination: run k of the sweep's fixed run list belongs to shard k mod N. A shard's
 * output carries the sweep's definition and its runs' indices; merging the shards of one
 * definition gives the same summary, byte for byte, as the unsharded sweep (both build it from
 * the same reduced runs by the same function).
 *
 * Replication r of every cell runs the scenario's seed + r (runner/replications.ts): cells share
 * their random numbers as modes do, so a difference between two cells is the parameter's.
 */
import { parse as parseYaml, stringify } from "yaml";
import type { SweepView } from "../common/protocol";
import { compareModes } from "../report/effects";
import { loadScenario } from "../scenario-loader/index";
import { modeLabel, resolveModes, type RunResult, type Scenario } from "../sim-core/index";
import { type Budget, checkBudget } from "./budget";
import type { SimTask } from "./protocol";
import { replicate } from "./replications";

/** Replications per cell and mode unless asked otherwise: as many as an ablation runs. */
export const SWEEP_REPLICATIONS = 5;

/** A value a parameter takes: a YAML scalar, list or mapping. */
export type ParamValue = unknown;

export interface SweepParam {
  /** The path as the user wrote it, normalised to dots: `host.workloads.1.workers`. */
  path: string;
  values: ParamValue[];
}

/** What a sweep runs; shards of one sweep carry equal definitions. */
export interface SweepDefinition {
  /** How the scenario file was named on the command line. */
  file: string;
  /** The scenario with --seed and --duration applied, before any parameter. */
  scenario: Scenario;
  params: SweepParam[];
  replications: number;
}

export interface SweepCell {
  /** The cell's value of each parameter, in parameter order. */
  values: ParamValue[];
  scenario: Scenario;
}

/** A run as the summary needs it (a shard file holds these, not whole RunResults). */
export type SweepRun = Pick<RunResult, "scenario" | "mode" | "seed" | "simulated_ns" | "duration_ns" | "stop" | "events" | "probes">;

export interface SweepSummary extends SweepView {
  file: string;
  scenario: string;
  params: SweepParam[];
  events: number;
  /** Runs that stopped before their duration (event budget, cancellation). */
  incompleteRuns: number;
}

/** A parameter, a cell or a shard that cannot be used; the message is one line. */
export class SweepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SweepError";
  }
}

/** `host.workloads[1].workers` or `host.workloads.1.workers` -> ["host", "workloads", 1, "workers"]. */
export function parsePath(path: string): (string | number)[] {
  const segs = path
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (segs.some((s) => s === "")) throw new SweepError(`parameter path "${path}" has an empty segment`);
  return segs;
}

const kindOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "list" : typeof v);

/**
 * A copy of `s` with `path` set to `value`. Missing mappings on the way are created; a mode given
 * by its name (`modes: [vanilla, dynamic]`) becomes `{mode: <name>}` when a path goes into it, so
 * `modes.1.mechanisms.lazy_boost` switches a mechanism of the scenario's second mode.
 */
export function setPath(s: Scenario, path: string, value: ParamValue): Scenario {
  const segs = parsePath(path);
  const root = structuredClone(s) as unknown as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = root;
  for (let i = 0; i < segs.length - 1; i++) {
    const key = segs[i]!;
    let next = node[key];
    if (typeof next === "string" && segs[i - 1] === "modes") next = node[key] = { mode: next };
    else if (next === undefined) {
      if (typeof key === "number") throw new SweepError(`parameter path "${path}": ${segs.slice(0, i).join(".")} has no item ${key}`);
      next = node[key] = typeof segs[i + 1] === "number" ? [] : {};
    }
    if (typeof next !== "object" || next === null)
      throw new SweepError(`parameter path "${path}": ${segs.slice(0, i + 1).join(".")} is a ${kindOf(next)}, not a mapping or list`);
    node = next as Record<string | number, unknown>;
  }
  node[segs[segs.length - 1]!] = structuredClone(value);
  return root as unknown as Scenario;
}

/**
 * The cell's scenario, validated as a scenario file would be (the loader, its schema and rules).
 * A parameter value the scenario language rejects is an error naming the parameter.
 */
export function cellScenario(def: Pick<SweepDefinition, "scenario" | "params">, values: readonly ParamValue[]): Scenario {
  let s = def.scenario;
  def.params.forEach((p, i) => {
    s = setPath(s, p.path, values[i]);
  });
  const r = loadScenario(stringify(s));
  if (r.ok) return r.scenario;
  const e = r.errors[0]!;
  const dotted = e.path.replace(/\[(\d+)\]/g, ".$1");
  const i = def.params.findIndex((p) => dotted === p.path || dotted.startsWith(`${p.path}.`) || p.path.startsWith(`${dotted}.`));
  const where = i >= 0 ? `--param ${def.params[i]!.path}=${JSON.stringify(values[i])}` : `the cell ${cellLabel(def.params, values)}`;
  throw new SweepError(`${where}: ${e.message}`);
}

export function cellLabel(params: readonly SweepParam[], values: readonly ParamValue[]): string {
  return params.map((p, i) => `${p.path}=${JSON.stringify(values[i])}`).join(" ");
}

/** Every combination of the parameters' values, the last parameter varying fastest. */
export function sweepCells(def: SweepDefinition): SweepCell[] {
  let combos: ParamValue[][] = [[]];
  for (const p of def.params) combos = combos.flatMap((c) => p.values.map((v) => [...c, v]));
  return combos.map((values) => ({ values, scenario: cellScenario(def, values) }));
}

/** The sweep's runs in their fixed order: cell by cell, each cell replication-major over its modes. */
export function sweepTasks(cells: readonly SweepCell[], replications: number): { tasks: SimTask[]; cellOf: number[] } {
  const tasks: SimTask[] = [];
  const cellOf: number[] = [];
  cells.forEach((c, i) => {
    // A sweep reports metrics only: no timeline, no per-sample explanations.
    const one = resolveModes(c.scenario).map((mode) => ({ scenario: c.scenario, mode, timeline: false, why: false }));
    for (const t of replicate(one, replications)) {
      tasks.push(t);
      cellOf.push(i);
    }
  });
  return { tasks, cellOf };
}

/**
 * Values to sweep a number over when nobody said which (the editor's "Sweep this parameter"
 * offers them to edit): a quarter, half, the value, twice and four times it, whole numbers for a
 * whole number; from 0, the first powers of two. The scenario's rules judge each cell, so a
 * value out of a field's range is refused with the field's own message, not clipped here.
 */
export function suggestSweepValues(v: number): number[] {
  if (!Number.isFinite(v)) return [];
  if (v === 0) return [0, 1, 2, 4, 8];
  const whole = Number.isInteger(v);
  const out = [v / 4, v / 2, v, v * 2, v * 4].map((x) => (whole ? Math.round(x) : Number(x.toPrecision(6))));
  return [...new Set(out)].filter((x) => !whole || x !== 0 || v === 0);
}

/** Splits `a,b,{x: 1, y: 2},[1, 2]` at the commas outside brackets, braces and quotes. */
export function splitValues(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim());
}

/** At most this many values: each is a cell of modes × replications. */
export const MAX_SWEEP_VALUES = 12;

/** `a, b, c` as numbers, or the problem with the text (for the input box). */
export function parseSweepValues(text: string): { values: number[] } | { problem: string } {
  // Empty parts are skipped: a trailing comma in the input box is not a value.
  const parts = splitValues(text).filter((p) => p !== "");
  if (parts.length < 2) return { problem: "give at least two values, separated by commas" };
  if (parts.length > MAX_SWEEP_VALUES) return { problem: `at most ${MAX_SWEEP_VALUES} values` };
  const values: number[] = [];
  for (const p of parts) {
    let v: unknown;
    try {
      v = parseYaml(p);
    } catch {
      v = undefined; // not even YAML ("{"): not a number either
    }
    if (typeof v !== "number" || !Number.isFinite(v)) return { problem: `"${p}" is not a number` };
    values.push(v);
  }
  return { values };
}

/**
 * The sweep's cells and runs, each cell's scenario validated and checked against `budget` before
 * anything runs (issue 14); a cell over it is a SweepError naming the cell.
 */
export function planSweep(def: SweepDefinition, budget: Budget): { cells: SweepCell[]; tasks: SimTask[]; cellOf: number[] } {
  const cells = sweepCells(def);
  for (const c of cells) {
    const over = checkBudget(c.scenario, budget);
    if (over) throw new SweepError(`the cell ${cellLabel(def.params, c.values)}: ${over.message}`);
  }
  return { cells, ...sweepTasks(cells, def.replications) };
}

/** `i/N` -> shard i (0-based) of N. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index >= count || count > 100_000)
    throw new SweepError(`--shard must be i/N with 0 <= i < N <= 100000, as in 0/4 (got "${text}")`);
  return { index, count };
}

/** The indices of the runs shard `index` of `count` runs: k with k mod count = index. */
export function shardIndices(total: number, shard: { index: number; count: number }): number[] {
  const out: number[] = [];
  for (let k = shard.index; k < total; k += shard.count) out.push(k);
  return out;
}

/**
 * What the summary keeps of a run, through a JSON round trip: the unsharded sweep and a merge of
 * shard files then read the very same numbers.
 */
export function reduceRun(r: RunResult): SweepRun {
  const { scenario, mode, seed, simulated_ns, duration_ns, stop, events, probes } = r;
  return JSON.parse(JSON.stringify({ scenario, mode, seed, simulated_ns, duration_ns, stop, events, probes }));
}

/** The summary of a sweep from all its runs, in run order. */
export function summarizeSweep(
  def: SweepDefinition,
  cells: readonly SweepCell[],
  cellOf: readonly number[],
  runs: readonly SweepRun[],
): SweepSummary {
  const byCell: SweepRun[][] = cells.map(() => []);
  for (let k = 0; k < runs.length; k++) byCell[cellOf[k]!]!.push(runs[k]!);
  return {
    file: def.file,
    scenario: def.scenario.name,
    params: def.params,
    replications: def.replications,
    runs: runs.length,
    events: runs.reduce((a, r) => a + r.events, 0),
    incompleteRuns: runs.filter((r) => r.stop !== "done").length,
    cells: cells.map((c, i) => ({
      params: Object.fromEntries(def.params.map((p, j) => [p.path, c.values[j]])),
      comparison: compareModes(byCell[i]!),
    })),
  };
}

/** The mode labels a cell runs (for display). */
export function cellModes(c: SweepCell): string[] {
  return resolveModes(c.scenario).map(modeLabel);
}

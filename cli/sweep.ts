/**
 * `pvsched-sim sweep`: a full factorial over scenario fields (runner/sweep.ts), on the CLI's
 * worker pool, or one deterministic shard of it; `sweep merge` combines shard files into the
 * summary the unsharded sweep prints.
 */
import { parse as parseYaml } from "yaml";
import type { ProbeMetric } from "../report/effects";
import { DEFAULT_BUDGET } from "../runner/index";
import {
  cellLabel,
  parseShard,
  planSweep,
  reduceRun,
  shardIndices,
  splitValues,
  summarizeSweep,
  SweepError,
  SWEEP_REPLICATIONS,
  type ParamValue,
  type SweepDefinition,
  type SweepParam,
  type SweepRun,
  type SweepSummary,
} from "../runner/sweep";
import { mergeShards, shardFile } from "../runner/sweep-shard";
import { toCsv, type CsvCell } from "../common/csv";
import { FIELD_RULES, modeLabel, type Scenario } from "../sim-core/index";
import { withDuration } from "../report/ablation";
import { fieldOption, intOption, json, out, parse, progress } from "./args";
import { EXIT, InputError } from "./errors";
import { readScenario, readTextFile } from "./input";
import { runTasks } from "./pool";
import { MAX_REPLICATIONS, workers } from "./simulate";

/**
 * `path=v1,v2,...` (each value a YAML scalar, list or mapping) or `path=lo..hi/n` (n evenly
 * spaced values from lo to hi, rounded to whole numbers when lo and hi are whole and at least n - 1
 * apart).
 */
export function parseParam(text: string): SweepParam {
  const eq = text.indexOf("=");
  const path =
    eq > 0
      ? text
          .slice(0, eq)
          .trim()
          .replace(/\[(\d+)\]/g, ".$1")
      : "";
  if (!path || eq === text.length - 1) throw new InputError(`pvsched-sim: --param must be PATH=V1,V2,... or PATH=LO..HI/N (got "${text}")`);
  const rhs = text.slice(eq + 1).trim();
  const range = /^(-?[\d.]+(?:e-?\d+)?)\.\.(-?[\d.]+(?:e-?\d+)?)\/(\d+)$/.exec(rhs);
  if (range) {
    const [lo, hi, n] = [Number(range[1]), Number(range[2]), Number(range[3])];
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || n < 2 || n > 10_000)
      throw new InputError(`pvsched-sim: --param ${path}: a range needs finite ends and 2..10000 steps (got "${rhs}")`);
    // Whole numbers (a priority, a count) when the range holds n distinct ones: 1..99/8.
    const whole = Number.isInteger(lo) && Number.isInteger(hi) && Math.abs(hi - lo) >= n - 1;
    const values = Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1)).map((v) => (whole ? Math.round(v) : v));
    return { path, values };
  }
  const values: ParamValue[] = splitValues(rhs).map((v) => {
    if (v === "") throw new InputError(`pvsched-sim: --param ${path}: an empty value in "${rhs}"`);
    try {
      return parseYaml(v) as ParamValue;
    } catch (e) {
      throw new InputError(`pvsched-sim: --param ${path}: "${v}" is not a YAML value (${(e as Error).message.split("\n")[0]})`);
    }
  });
  return { path, values };
}

function definitionFrom(a: { values: Record<string, unknown>; positionals: string[] }): SweepDefinition {
  const src = readScenario(a.positionals[0]!);
  const seed = fieldOption(a.values.seed, "seed", FIELD_RULES.Scenario.seed);
  const durationS = fieldOption(a.values.duration, "duration", FIELD_RULES.Scenario.duration_s);
  const scenario: Scenario = withDuration(seed === undefined ? src.scenario : { ...src.scenario, seed }, durationS);
  const texts = (a.values.param as string[] | undefined) ?? [];
  if (texts.length === 0) throw new InputError("pvsched-sim: sweep needs at least one --param PATH=V1,V2,...");
  const params = texts.map(parseParam);
  const dup = params.find((p, i) => params.findIndex((q) => q.path === p.path) !== i);
  if (dup) throw new InputError(`pvsched-sim: --param ${dup.path} given twice`);
  const replications = intOption(a.values.replications, "replications", 1, MAX_REPLICATIONS) ?? SWEEP_REPLICATIONS;
  return { file: src.file, scenario, params, replications };
}

function plan(def: SweepDefinition) {
  try {
    return planSweep(def, DEFAULT_BUDGET);
  } catch (e) {
    if (e instanceof SweepError) throw new InputError(`pvsched-sim: ${e.message}`);
    throw e;
  }
}

const SHOWN: ProbeMetric[] = ["avg_us", "p99_us", "max_us", "glitches"];

function fmt(x: number | undefined): string {
  if (x === undefined) return "-";
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1);
}

/** One row per cell, mode and probe: each metric's mean, and the interval of the mean latency. */
export function sweepCsv(s: SweepSummary): string {
  const rows: CsvCell[][] = [[...s.params.map((p) => p.path), "mode", "probe", "metric", "replications", "mean", "ci95_lo", "ci95_hi"]];
  for (const c of s.cells)
    for (const p of c.comparison.probes)
      for (const mode of c.comparison.modes)
        for (const m of SHOWN) {
          const st = p.byMode[mode]?.[m];
          if (st)
            rows.push([
              ...s.params.map((q) => JSON.stringify(c.params[q.path])),
              mode,
              p.id,
              m,
              st.replications,
              st.mean,
              st.ci95?.[0],
              st.ci95?.[1],
            ]);
        }
  return toCsv(rows);
}

export function sweepText(s: SweepSummary): string {
  const head = [...s.params.map((p) => p.path), "mode", "probe", "avg_us [95% CI]", "p99_us", "max_us", "glitches"];
  const rows: string[][] = [];
  for (const c of s.cells)
    for (const p of c.comparison.probes)
      for (const mode of c.comparison.modes) {
        const st = p.byMode[mode];
        const avg = st?.avg_us;
        const ci = avg?.ci95 ? ` [${fmt(avg.ci95[0])}, ${fmt(avg.ci95[1])}]` : "";
        rows.push([
          ...s.params.map((q) => JSON.stringify(c.params[q.path])),
          mode,
          p.id,
          `${fmt(avg?.mean)}${ci}`,
          fmt(st?.p99_us?.mean),
          fmt(st?.max_us?.mean),
          fmt(st?.glitches?.mean),
        ]);
      }
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((x, i) => (i < s.params.length + 2 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join("  ");
  const note = s.incompleteRuns ? `\n${s.incompleteRuns} runs stopped before their duration (event budget)` : "";
  return (
    [
      `sweep of ${s.file} (${s.scenario}): ${s.cells.length} cells x modes x ${s.replications} replications = ${s.runs} runs, ${s.events} events`,
      line(head),
      ...rows.map(line),
    ].join("\n") + note
  );
}

async function print(s: SweepSummary, values: Record<string, unknown>): Promise<void> {
  if (values.csv) process.stdout.write(sweepCsv(s));
  else if (values.json) await json(s);
  else out(sweepText(s));
}

const OUTPUT = { json: { type: "boolean" }, csv: { type: "boolean" } } as const;

async function cmdMerge(args: string[], help: () => number): Promise<number> {
  const a = parse(args, OUTPUT, -1);
  if (a.values.help) return help();
  try {
    const { definition, runs } = mergeShards(a.positionals.map((name) => ({ name, data: parseJson(name) })));
    const p = plan(definition);
    if (p.tasks.length !== runs.length)
      throw new SweepError(`sweep merge: the shards hold ${runs.length} runs, their sweep has ${p.tasks.length}`);
    await print(summarizeSweep(definition, p.cells, p.cellOf, runs), a.values);
  } catch (e) {
    if (e instanceof SweepError) throw new InputError(`pvsched-sim: ${e.message}`);
    throw e;
  }
  return EXIT.ok;
}

function parseJson(name: string): unknown {
  try {
    return JSON.parse(readTextFile(name));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${name}: not JSON (${(e as Error).message.split("\n")[0]})`);
  }
}

export async function cmdSweep(args: string[], help: () => number): Promise<number> {
  if (args[0] === "merge") return cmdMerge(args.slice(1), help);
  const a = parse(
    args,
    {
      ...OUTPUT,
      param: { type: "string", multiple: true },
      seed: { type: "string" },
      duration: { type: "string" },
      replications: { type: "string" },
      shard: { type: "string" },
    },
    1,
  );
  if (a.values.help) return help();
  const def = definitionFrom(a as { values: Record<string, unknown>; positionals: string[] });
  const { cells, tasks, cellOf } = plan(def);
  let shard: { index: number; count: number } | undefined;
  try {
    shard = a.values.shard === undefined ? undefined : parseShard(String(a.values.shard));
  } catch (e) {
    throw new InputError(`pvsched-sim: ${(e as Error).message}`);
  }
  const indices = shard ? shardIndices(tasks.length, shard) : tasks.map((_, k) => k);
  const results = indices.length
    ? await runTasks(
        indices.map((k) => tasks[k]!),
        {
          workers: workers(a.values.workers),
          onProgress: progress(shard ? `sweep shard ${shard.index}/${shard.count}` : "sweep"),
          label: (t, i) =>
            `${def.file} (${cellLabel(def.params, cells[cellOf[indices[i]!]!]!.values)}, ${modeLabel(t.mode)}, seed ${t.scenario.seed ?? 1})`,
        },
      )
    : [];
  const runs: SweepRun[] = results.map(reduceRun);
  if (shard) await json(shardFile(def, shard, tasks.length, indices, runs));
  else await print(summarizeSweep(def, cells, cellOf, runs), a.values);
  return EXIT.ok;
}

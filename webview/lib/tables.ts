/**
 * Table models built from a ResultsPayload. The DOM renderer (../views/table.ts) and the CSV export
 * both read these, so what the user sees and what they export are the same numbers.
 */
import type { ProbeResult, RunResult, ExitReason } from "../../sim-core/results";
import type { PublishedCell, ResultsPayload } from "../../common/protocol";
import { toCsv, type CsvCell } from "../../common/csv";
import { fmtDelta, fmtUs } from "./format";
import type { ModeComparison, ProbeMetric } from "../../report/effects";
import type { Effect, ReplicatedStat } from "../../report/intervals";
import { ERROR_DEFINITION, log10Error, median } from "../../report/seed-report";
import { baselineMode, modeTitle } from "../../common/modes";

/** "delta": a signed difference against the baseline mode, in the column's unit. */
export type CellKind = "label" | "sim" | "pub" | "err" | "text" | "delta";

export interface Cell {
  text: string;
  kind: CellKind;
  /** The number behind the text (sim/pub/err cells), for data-value and CSV. */
  value?: number;
  /** Extra CSS class, e.g. "good"/"bad" on a claim; "faint" on a delta inside the noise. */
  tone?: "good" | "bad" | "faint";
  title?: string;
  /** A row label equal to the one above it (the renderer shows it once; CSV keeps it). */
  repeat?: boolean;
}

/** A column header; `title` is its tooltip (a mode's id, what a delta subtracts). */
export interface HeadCell {
  text: string;
  span?: number;
  title?: string;
}

export interface TableModel {
  id: string;
  title: string;
  testid?: string;
  /** Header rows (more than one for grouped columns). */
  head: HeadCell[][];
  rows: Cell[][];
  note?: string;
}

const label = (text: string): Cell => ({ text, kind: "label" });
const sim = (v: number | undefined, fmt: (v: number) => string = fmtUs): Cell =>
  v === undefined || !Number.isFinite(v) ? { text: "—", kind: "text" } : { text: fmt(v), kind: "sim", value: v };

/** "−93% vs vanilla"; undefined change (a zero baseline) reads "vs vanilla: baseline 0". */
export function relChange(value: number, base: number, baseName: string): string {
  if (base === 0) return value === 0 ? `same as ${baseName}` : `vs ${baseName}: baseline 0`;
  const pct = ((value - base) / Math.abs(base)) * 100;
  const r = Math.round(pct);
  return r === 0 ? `same as ${baseName} (±0%)` : `${r > 0 ? "+" : "−"}${Math.abs(r)}% vs ${baseName}`;
}

/** Modes in the order they first appear among the runs. */
export function modesOf(runs: readonly RunResult[]): string[] {
  const out: string[] = [];
  for (const r of runs) if (!out.includes(r.mode)) out.push(r.mode);
  return out;
}

/** Scenario names in the order they first appear. */
export function scenariosOf(runs: readonly RunResult[]): string[] {
  const out: string[] = [];
  for (const r of runs) if (!out.includes(r.scenario)) out.push(r.scenario);
  return out;
}

interface ProbeKey {
  scenario: string;
  probe: string;
  kind: ProbeResult["kind"];
}

/** Every (scenario, probe) pair in first-seen order, each with the probe per mode. */
export function probeGrid(runs: readonly RunResult[], filter: (p: ProbeResult) => boolean) {
  const keys: ProbeKey[] = [];
  const cells = new Map<string, Map<string, ProbeResult>>();
  for (const r of runs) {
    for (const p of r.probes ?? []) {
      if (!filter(p)) continue;
      const k = JSON.stringify([r.scenario, p.id]);
      let m = cells.get(k);
      if (!m) {
        m = new Map();
        cells.set(k, m);
        keys.push({ scenario: r.scenario, probe: p.id, kind: p.kind });
      }
      if (!m.has(r.mode)) m.set(r.mode, p);
    }
  }
  return { keys, get: (k: ProbeKey, mode: string) => cells.get(JSON.stringify([k.scenario, k.probe]))?.get(mode) };
}

export const LATENCY_STATS = [
  ["avg", "avg_us"],
  ["p99", "p99_us"],
  ["max", "max_us"],
] as const;

/** "±0.3": half the width of a 95 % interval. */
function halfWidth(ci: readonly [number, number] | null | undefined, fmt: (v: number) => string): string {
  return ci ? ` \u00b1${fmt((ci[1] - ci[0]) / 2)}` : "";
}

/** A replicated value: the mean, ± half its 95 % interval, with the interval and band in the tooltip. */
function replicatedCell(st: ReplicatedStat | undefined, fmt: (v: number) => string = fmtUs): Cell {
  if (!st || !Number.isFinite(st.mean)) return { text: "\u2014", kind: "text" };
  const parts = [`mean of ${st.replications} replications`];
  if (st.ci95) parts.push(`95 % interval [${fmt(st.ci95[0])}, ${fmt(st.ci95[1])}]`);
  if (st.band10_90) parts.push(`10-90 % band [${fmt(st.band10_90[0])}, ${fmt(st.band10_90[1])}]`);
  return { text: fmt(st.mean) + halfWidth(st.ci95, fmt), kind: "sim", value: st.mean, title: parts.join("; ") };
}

/** A paired effect against the baseline, relative to the baseline's mean, or "no significant effect". */
export function effectWords(e: Effect | undefined, base: number | undefined, baseName: string): string {
  if (!e?.significant || !e.ci95 || base === undefined) return `vs ${baseName}: no significant effect`;
  const pct = (d: number) =>
    base === 0 ? "n/a" : `${d > 0 ? "+" : d < 0 ? "\u2212" : "\u00b1"}${Math.abs(Math.round((d / Math.abs(base)) * 100))}%`;
  return `vs ${baseName}: ${pct(e.mean)} [${pct(e.ci95[0])}, ${pct(e.ci95[1])}]`;
}

/** Header rows for per-mode value columns, each mode but the baseline followed by its delta column. */
function modeHead(labels: HeadCell[], modes: readonly string[], base: string | undefined, unit: string): HeadCell[][] {
  const groups: HeadCell[] = [{ text: "", span: labels.length }];
  const units: HeadCell[] = [...labels];
  for (const m of modes) {
    const name = modeTitle(m);
    groups.push({ text: name, span: m === base ? 1 : 2, title: `mode id: ${m}` });
    units.push({ text: unit, title: `${name}, ${unit}` });
    if (m !== base) units.push({ text: `\u0394 ${unit}`, title: `${name} \u2212 ${modeTitle(base!)}, ${unit}` });
  }
  return [groups, units];
}

/**
 * The main results table: per probe, avg/p99/max rows; per mode a column in µs, and after each
 * mode but the baseline (vanilla when it ran, else the first mode) its difference from the
 * baseline. With replications (the host's `comparison`), a value is the mean ± half its 95 %
 * interval, and a difference is the paired effect ± half its interval, faint when the interval
 * includes zero ("no significant effect").
 */
export function summaryTable(runs: readonly RunResult[], comparison?: ModeComparison): TableModel {
  const modes = modesOf(runs);
  const base = baselineMode(modes);
  const multi = scenariosOf(runs).length > 1;
  const grid = probeGrid(runs, (p) => p.kind !== "audio");
  const replicated = comparison !== undefined && comparison.replications > 1 && !multi ? comparison : undefined;
  // The host compares against vanilla; a result compared against another mode (a history entry
  // from before that rule) gives the difference of the means, without a paired interval (the
  // interval needs the Student-t code, which the panel does not bundle: see common/modes.ts).
  const paired = replicated?.baseline === base;
  const rows: Cell[][] = [];
  for (const k of grid.keys) {
    const cmp = replicated?.probes.find((p) => p.id === k.probe);
    for (const [name, field] of LATENCY_STATS) {
      // Several scenarios (the seed report): the scenario names the probe's row rather than taking
      // a column of its own, which a 500 px panel cannot spare.
      const row: Cell[] = [label(multi ? `${k.scenario} \u00b7 ${k.probe}` : k.probe), label(name)];
      const ref = base === undefined ? undefined : grid.get(k, base)?.latency?.[field];
      for (const m of modes) {
        if (replicated) {
          const c = replicatedCell(cmp?.byMode[m]?.[field as ProbeMetric]);
          row.push(c);
          if (m === base) continue;
          const baseMean = cmp?.byMode[base!]?.[field as ProbeMetric]?.mean;
          if (!paired) {
            const d = c.value !== undefined && baseMean !== undefined ? c.value - baseMean : undefined;
            row.push(
              d !== undefined && Number.isFinite(d)
                ? {
                    text: fmtDelta(d),
                    kind: "delta",
                    value: d,
                    title: `difference of the means; no paired interval (compared against ${modeTitle(replicated.baseline)})`,
                  }
                : { text: "\u2014", kind: "text" },
            );
            continue;
          }
          const e = cmp?.effects[m]?.[field as ProbeMetric] ?? undefined;
          const words = effectWords(e, baseMean, modeTitle(base!));
          if (c.value !== undefined) c.title = `${c.title}; ${words}`;
          row.push(
            e && Number.isFinite(e.mean)
              ? {
                  text: fmtDelta(e.mean) + halfWidth(e.ci95, fmtUs),
                  kind: "delta",
                  value: e.mean,
                  tone: e.significant ? undefined : "faint",
                  title: words,
                }
              : { text: "\u2014", kind: "text" },
          );
          continue;
        }
        const c = sim(grid.get(k, m)?.latency?.[field]);
        row.push(c);
        if (m === base) continue;
        if (c.value === undefined || ref === undefined || !Number.isFinite(ref)) {
          row.push({ text: "\u2014", kind: "text" });
          continue;
        }
        // The relative change as a tooltip on both the value and its difference.
        c.title = relChange(c.value, ref, modeTitle(base!));
        row.push({ text: fmtDelta(c.value - ref), kind: "delta", value: c.value - ref, title: c.title });
      }
      rows.push(row);
    }
  }
  const labels: HeadCell[] = [{ text: multi ? "scenario \u00b7 probe" : "probe" }, { text: "stat" }];
  const head = modeHead(labels, modes, base, "\u00b5s");
  const t: TableModel = { id: "latency", title: "Latency (\u00b5s)", testid: "results-table", head, rows };
  if (replicated)
    t.note =
      `Means of ${replicated.replications} replications \u00b1 half their 95 % interval (replication r ran the scenario's seed + r). ` +
      `\u0394 is the difference from ${modeTitle(base!)}, paired by seed; it is faint where its interval includes zero (no significant effect).`;
  return t;
}

/** Audio glitches: per audio probe, glitches and callbacks; per mode a count, and its difference from the baseline. */
export function audioTable(runs: readonly RunResult[]): TableModel | undefined {
  const modes = modesOf(runs);
  const base = baselineMode(modes);
  const multi = scenariosOf(runs).length > 1;
  const grid = probeGrid(runs, (p) => p.kind === "audio");
  if (!grid.keys.length) return undefined;
  const rows: Cell[][] = [];
  const intFmt = (v: number) => Math.round(v).toLocaleString("en-US");
  for (const k of grid.keys) {
    for (const [name, field] of [
      ["glitches", "glitches"],
      ["callbacks", "callbacks"],
    ] as const) {
      const row: Cell[] = [label(multi ? `${k.scenario} \u00b7 ${k.probe}` : k.probe), label(name)];
      const ref = base === undefined ? undefined : grid.get(k, base)?.[field];
      for (const m of modes) {
        const c = sim(grid.get(k, m)?.[field], intFmt);
        row.push(c);
        if (m === base) continue;
        if (c.value === undefined || ref === undefined || !Number.isFinite(ref)) row.push({ text: "\u2014", kind: "text" });
        else
          row.push({
            text: fmtDelta(c.value - ref, intFmt),
            kind: "delta",
            value: c.value - ref,
            title: relChange(c.value, ref, modeTitle(base!)),
          });
      }
      rows.push(row);
    }
  }
  const labels: HeadCell[] = [{ text: multi ? "scenario \u00b7 audio probe" : "audio probe" }, { text: "stat" }];
  return { id: "audio", title: "Audio glitches (count)", testid: "audio-table", head: modeHead(labels, modes, base, "count"), rows };
}

const EXIT_REASONS: ExitReason[] = ["hlt", "timer", "external_interrupt", "ipi", "msr_unboost", "msr_other", "preemption"];

/**
 * Per-vCPU counters of one run, pivoted to fit a narrow panel: one row per counter (with its
 * unit), one column per vCPU. A run has a handful of vCPUs and nineteen counters.
 */
export function vcpuTable(run: RunResult): TableModel {
  const ms = (ns: number) => ns / 1e6;
  const f2 = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
  const int = (v: number) => Math.round(v).toLocaleString("en-US");
  type V = NonNullable<RunResult["vcpus"]>[number];
  const counters: [string, string, (v: V) => number | undefined, (x: number) => string][] = [
    ["boosts", "count", (v) => v.boosts, int],
    ["boosts on inject", "count", (v) => v.boosts_by?.inject, int],
    ["boosts on block", "count", (v) => v.boosts_by?.block, int],
    ["boosts at exit", "count", (v) => v.boosts_by?.exit, int],
    ["unboosts", "count", (v) => v.unboosts, int],
    ["boosted", "ms", (v) => ms(v.boosted_ns), f2],
    ["longest boost", "\u00b5s", (v) => (v.max_boost_ns === undefined ? undefined : v.max_boost_ns / 1e3), f2],
    ["throttles", "count", (v) => v.throttles, int],
    ["steal", "ms", (v) => ms(v.steal_ns), f2],
    ["runtime", "ms", (v) => ms(v.host_runtime_ns), f2],
    ...EXIT_REASONS.map((r): [string, string, (v: V) => number | undefined, (x: number) => string] => [
      `exits: ${r}`,
      "count",
      (v) => v.exits?.[r] ?? 0,
      int,
    ]),
    ["halt-poll ok", "count", (v) => v.halt_poll_success, int],
    ["halt-poll fail", "count", (v) => v.halt_poll_fail, int],
  ];
  const vcpus = run.vcpus ?? [];
  const rows: Cell[][] = counters.map(([name, unit, get, fmt]) => [label(name), label(unit), ...vcpus.map((v) => sim(get(v), fmt))]);
  const head = [[{ text: "counter" }, { text: "unit" }, ...vcpus.map((v) => ({ text: `${v.vm}/vcpu${v.vcpu}` }))]];
  return { id: `vcpus-${run.scenario}-${run.mode}`, title: `${run.scenario} \u00b7 ${modeTitle(run.mode)} \u00b7 vCPUs`, head, rows };
}

/** Per-CPU host counters of one run. */
export function cpuTable(run: RunResult): TableModel {
  const ms = (ns: number) => ns / 1e6;
  const f2 = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
  const int = (v: number) => Math.round(v).toLocaleString("en-US");
  const rows: Cell[][] = (run.cpus ?? []).map((c) => [
    label(`CPU ${c.cpu}`),
    sim(ms(c.rt_ns), f2),
    sim(ms(c.fair_ns), f2),
    sim(ms(c.idle_ns), f2),
    sim(c.context_switches, int),
    sim(c.rt_throttled, int),
  ]);
  const head = [
    [
      { text: "CPU" },
      { text: "rt ms" },
      { text: "fair ms" },
      { text: "idle ms" },
      { text: "switches count" },
      { text: "rt throttled count" },
    ],
  ];
  return { id: `cpus-${run.scenario}-${run.mode}`, title: `${run.scenario} · ${modeTitle(run.mode)} · host CPUs`, head, rows };
}

/** Every thread's CPU time and wait (run_delay) in one run. */
export function threadTable(run: RunResult): TableModel {
  const ms = (ns: number) => ns / 1e6;
  const f2 = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
  const rows: Cell[][] = (run.threads ?? []).map((t) => [
    label(t.name),
    label(t.side),
    label(t.policy),
    sim(ms(t.runtime_ns), f2),
    sim(ms(t.wait_ns), f2),
  ]);
  const head = [[{ text: "thread" }, { text: "side" }, { text: "policy" }, { text: "runtime ms" }, { text: "wait ms" }]];
  return { id: `threads-${run.scenario}-${run.mode}`, title: `${run.scenario} · ${modeTitle(run.mode)} · threads`, head, rows };
}

/** Row label of a published cell: which published table line it belongs to. */
export function cellRowKey(c: PublishedCell): string {
  return c.table === "audio"
    ? ["audio", c.buffer ?? "", c.load].join(" · ")
    : [c.load, c.side ?? "", c.stat ?? "", c.interval !== undefined ? `-i ${c.interval}` : ""].filter(Boolean).join(" · ");
}

/** A mode's name as a row label, with its id in the tooltip. */
const modeLabel = (m: string): Cell => ({ text: modeTitle(m), kind: "label", title: `mode id: ${m}` });

/**
 * The seed report, pivoted so that it fits a narrow panel: one row per published line (load,
 * side, stat, interval / buffer) and mode, with simulated, published and |log10(sim/pub)|. One
 * table per unit: cyclictest latency in µs, audio glitches as counts. The note (median errors)
 * goes on the last table and covers every cell.
 */
export function seedTables(cells: readonly PublishedCell[]): TableModel[] {
  const kinds = [
    {
      table: "cyclictest",
      id: "seed",
      testid: "seed-table",
      title: "Seed report: cyclictest latency (\u00b5s), simulated beside published",
      unit: "\u00b5s",
    },
    {
      table: "audio",
      id: "seed-audio",
      testid: "seed-audio-table",
      title: "Seed report: audio glitches (count), simulated beside published",
      unit: "count",
    },
  ] as const;
  const out: TableModel[] = [];
  for (const k of kinds) {
    const own = cells.filter((c) => c.table === k.table);
    if (!own.length) continue;
    const fmt = k.table === "audio" ? (v: number) => Math.round(v).toLocaleString("en-US") : fmtUs;
    const rowKeys: string[] = [];
    for (const c of own) if (!rowKeys.includes(cellRowKey(c))) rowKeys.push(cellRowKey(c));
    const rows = rowKeys.flatMap((key) =>
      own
        .filter((c) => cellRowKey(c) === key)
        .map((c, i): Cell[] => [{ ...label(key), repeat: i > 0 }, modeLabel(c.mode), ...seedCells(c, fmt)]),
    );
    const head = [[{ text: "published row" }, { text: "mode" }, { text: `sim ${k.unit}` }, { text: `pub ${k.unit}` }, { text: "|log10|" }]];
    out.push({ id: k.id, title: k.title, testid: k.testid, head, rows });
  }
  const last = out.at(-1);
  if (last) last.note = seedNote(cells);
  return out;
}

/** Simulated (mean ± half its interval with replications), published, and the error between them. */
function seedCells(c: PublishedCell, fmt: (v: number) => string): Cell[] {
  const s = sim(c.simulated, fmt);
  if (s.value !== undefined && c.replications !== undefined && c.replications > 1) {
    s.text += halfWidth(c.ci95, fmt);
    const parts = [`mean of ${c.replications} replications`];
    if (c.ci95) parts.push(`95 % interval [${fmt(c.ci95[0])}, ${fmt(c.ci95[1])}]`);
    if (c.band10_90) {
      parts.push(`10-90 % band of the maxima [${fmt(c.band10_90[0])}, ${fmt(c.band10_90[1])}]`);
      parts.push(`published ${c.publishedInBand ? "inside" : "outside"} the band`);
      s.tone = c.publishedInBand ? "good" : "bad";
    }
    s.title = parts.join("; ");
  }
  const e = c.simulated === undefined ? null : log10Error(c.simulated, c.published);
  return [
    s,
    { text: fmt(c.published), kind: "pub", value: c.published },
    e === null
      ? { text: "\u2014", kind: "text", title: "no simulated value" }
      : {
          text: e.toFixed(2),
          kind: "err",
          value: e,
          tone: e <= 1 ? "good" : "bad",
          title: e <= 1 ? "same order of magnitude" : "off by more than 10\u00d7",
        },
  ];
}

/** The seed tables' note: median errors over every cell (and in / out of sample), replications, the error's definition. */
function seedNote(cells: readonly PublishedCell[]): string {
  const cellErr = (c: PublishedCell) => (c.simulated === undefined ? null : log10Error(c.simulated, c.published));
  const errs = cells.flatMap((c) => cellErr(c) ?? []);
  const med = median(errs);
  // The same medians over the cells a calibrated parameter was fitted on, and over the rest.
  const split = (inSample: boolean) => cells.filter((c) => !!c.inSample === inSample).flatMap((c) => cellErr(c) ?? []);
  const reps = Math.max(0, ...cells.map((c) => c.replications ?? 0));
  const fmtMed = (xs: number[]) => `${median(xs)?.toFixed(2) ?? "n/a"} over ${xs.length}`;
  return (
    (med !== null ? `Median |log10| error ${med.toFixed(2)} over ${errs.length} cells. ` : "") +
    (cells.some((c) => c.inSample !== undefined) ? `In sample ${fmtMed(split(true))}, out of sample ${fmtMed(split(false))}. ` : "") +
    (reps > 1
      ? `Means of ${reps} replications \u00b1 half their 95 % interval; a maximum is green when the published one lies in the 10-90 % band of the simulated maxima. `
      : "") +
    `Error: ${ERROR_DEFINITION}. 0 is exact, 1 is ten times off. ${modeTitle("dynamic")} is the cover letter's "patches" column in the audio table.`
  );
}

/** All tables of a payload, in display order (used by the CSV export). */
export function allTables(p: ResultsPayload): TableModel[] {
  const out: TableModel[] = [summaryTable(p.runs, p.comparison)];
  const a = audioTable(p.runs);
  if (a) out.push(a);
  if (p.cells?.length) out.push(...seedTables(p.cells));
  for (const r of p.runs) if (r.vcpus?.length) out.push(vcpuTable(r));
  for (const r of p.runs) if (r.cpus?.length) out.push(cpuTable(r));
  for (const r of p.runs) if (r.threads?.length) out.push(threadTable(r));
  return out;
}

/** Header rows as CSV rows, repeating a spanned header over its columns so every column is named. */
function headRows(t: TableModel): CsvCell[][] {
  return t.head.map((hr) => hr.flatMap((h) => Array.from({ length: h.span ?? 1 }, () => h.text)));
}

/** Tables as CSV: each table is a title line, its header rows and its rows, separated by a blank line. */
export function tablesToCsv(tables: readonly TableModel[]): string {
  const rows: CsvCell[][] = [];
  tables.forEach((t, i) => {
    if (i > 0) rows.push([]);
    rows.push([t.title]);
    rows.push(...headRows(t));
    for (const r of t.rows) rows.push(r.map((c) => (c.value !== undefined ? c.value : c.kind === "text" && c.text === "—" ? "" : c.text)));
  });
  return toCsv(rows);
}

/**
 * Table models built from a ResultsPayload. The DOM renderer (../views/table.ts) and the CSV export
 * both read these, so what the user sees and what they export are the same numbers.
 */
import type { ProbeResult, RunResult, ExitReason } from "../../sim-core/results";
import type { PublishedCell, ResultsPayload } from "../../common/protocol";
import { toCsv, type CsvCell } from "../../common/csv";
import { fmtUs } from "./format";
import type { ModeComparison, ProbeMetric } from "../../report/effects";
import type { Effect, ReplicatedStat } from "../../report/intervals";
import { ERROR_DEFINITION, log10Error, median } from "../../report/seed-report";

export type CellKind = "label" | "sim" | "pub" | "err" | "text";

export interface Cell {
  text: string;
  kind: CellKind;
  /** The number behind the text (sim/pub/err cells), for data-value and CSV. */
  value?: number;
  /** Extra CSS class, e.g. "good"/"bad" on a claim. */
  tone?: "good" | "bad";
  title?: string;
}

export interface TableModel {
  id: string;
  title: string;
  testid?: string;
  /** Header rows (more than one for grouped columns). */
  head: { text: string; span?: number }[][];
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

/**
 * The main results table: per probe, avg/p99/max rows; one column per mode. With replications
 * (the host's `comparison`), each cell is the mean ± half its 95 % interval, and its tooltip gives
 * the paired effect against the first mode, or "no significant effect".
 */
export function summaryTable(runs: readonly RunResult[], comparison?: ModeComparison): TableModel {
  const modes = modesOf(runs);
  const multi = scenariosOf(runs).length > 1;
  const grid = probeGrid(runs, (p) => p.kind !== "audio");
  const replicated = comparison !== undefined && comparison.replications > 1 && !multi ? comparison : undefined;
  const rows: Cell[][] = [];
  for (const k of grid.keys) {
    const cmp = replicated?.probes.find((p) => p.id === k.probe);
    for (const [name, field] of LATENCY_STATS) {
      const row: Cell[] = [];
      if (multi) row.push(label(k.scenario));
      row.push(label(k.probe), label(name));
      const ref = grid.get(k, modes[0]!)?.latency?.[field];
      modes.forEach((m, i) => {
        if (replicated) {
          const c = replicatedCell(cmp?.byMode[m]?.[field as ProbeMetric]);
          if (m !== replicated.baseline && c.value !== undefined)
            c.title = `${c.title}; ${effectWords(cmp?.effects[m]?.[field as ProbeMetric], cmp?.byMode[replicated.baseline]?.[field as ProbeMetric]?.mean, replicated.baseline)}`;
          row.push(c);
          return;
        }
        const c = sim(grid.get(k, m)?.latency?.[field]);
        // The change against the first mode (the baseline, usually vanilla), as a tooltip.
        if (i > 0 && c.value !== undefined && ref !== undefined) c.title = relChange(c.value, ref, modes[0]!);
        row.push(c);
      });
      rows.push(row);
    }
  }
  const head = [[...(multi ? [{ text: "scenario" }] : []), { text: "probe" }, { text: "stat (µs)" }, ...modes.map((m) => ({ text: m }))]];
  const t: TableModel = { id: "latency", title: "Latency (µs)", testid: "results-table", head, rows };
  if (replicated)
    t.note =
      `Means of ${replicated.replications} replications ± half their 95 % interval (replication r ran the scenario's seed + r). ` +
      `Effects against ${replicated.baseline} are paired by seed and shown only where their interval excludes zero.`;
  return t;
}

/** Audio glitches: per audio probe, glitches and callbacks; one column per mode. */
export function audioTable(runs: readonly RunResult[]): TableModel | undefined {
  const modes = modesOf(runs);
  const multi = scenariosOf(runs).length > 1;
  const grid = probeGrid(runs, (p) => p.kind === "audio");
  if (!grid.keys.length) return undefined;
  const rows: Cell[][] = [];
  const intFmt = (v: number) => Math.round(v).toLocaleString("en-US");
  for (const k of grid.keys) {
    const g: Cell[] = [];
    const c: Cell[] = [];
    if (multi) {
      g.push(label(k.scenario));
      c.push(label(k.scenario));
    }
    g.push(label(k.probe), label("glitches"));
    c.push(label(k.probe), label("callbacks"));
    for (const m of modes) {
      const p = grid.get(k, m);
      g.push(sim(p?.glitches, intFmt));
      c.push(sim(p?.callbacks, intFmt));
    }
    rows.push(g, c);
  }
  const head = [[...(multi ? [{ text: "scenario" }] : []), { text: "audio probe" }, { text: "count" }, ...modes.map((m) => ({ text: m }))]];
  return { id: "audio", title: "Audio glitches", testid: "audio-table", head, rows };
}

const EXIT_REASONS: ExitReason[] = ["hlt", "timer", "external_interrupt", "ipi", "msr_unboost", "msr_other", "preemption"];

/** Per-vCPU counters of one run. */
export function vcpuTable(run: RunResult): TableModel {
  const ms = (ns: number) => ns / 1e6;
  const f2 = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
  const int = (v: number) => Math.round(v).toLocaleString("en-US");
  const rows: Cell[][] = (run.vcpus ?? []).map((v) => [
    label(`${v.vm}/vcpu${v.vcpu}`),
    sim(v.boosts, int),
    sim(v.boosts_by?.inject, int),
    sim(v.boosts_by?.block, int),
    sim(v.boosts_by?.exit, int),
    sim(v.unboosts, int),
    sim(ms(v.boosted_ns), f2),
    sim(v.max_boost_ns === undefined ? undefined : v.max_boost_ns / 1e3, f2),
    sim(v.throttles, int),
    sim(ms(v.steal_ns), f2),
    sim(ms(v.host_runtime_ns), f2),
    ...EXIT_REASONS.map((r) => sim(v.exits?.[r] ?? 0, int)),
    sim(v.halt_poll_success, int),
    sim(v.halt_poll_fail, int),
  ]);
  const head = [
    [
      { text: "vCPU" },
      { text: "boosts" },
      { text: "on inject" },
      { text: "on block" },
      { text: "at exit" },
      { text: "unboosts" },
      { text: "boosted ms" },
      { text: "longest boost µs" },
      { text: "throttles" },
      { text: "steal ms" },
      { text: "runtime ms" },
      ...EXIT_REASONS.map((r) => ({ text: `exits: ${r}` })),
      { text: "poll ok" },
      { text: "poll fail" },
    ],
  ];
  return { id: `vcpus-${run.scenario}-${run.mode}`, title: `${run.scenario} · ${run.mode}`, head, rows };
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
    [{ text: "CPU" }, { text: "rt ms" }, { text: "fair ms" }, { text: "idle ms" }, { text: "switches" }, { text: "rt throttled" }],
  ];
  return { id: `cpus-${run.scenario}-${run.mode}`, title: `${run.scenario} · ${run.mode} · host CPUs`, head, rows };
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
  return { id: `threads-${run.scenario}-${run.mode}`, title: `${run.scenario} · ${run.mode} · threads`, head, rows };
}

/** Row label of a published cell: which published table line it belongs to. */
export function cellRowKey(c: PublishedCell): string {
  return c.table === "audio"
    ? ["audio", c.buffer ?? "", c.load].join(" · ")
    : [c.load, c.side ?? "", c.stat ?? "", c.interval !== undefined ? `-i ${c.interval}` : ""].filter(Boolean).join(" · ");
}

/**
 * The seed report: one row per published line (load, side, stat, interval / buffer), and for each
 * mode three columns: simulated, published, |log10(sim/pub)|.
 */
export function seedTable(cells: readonly PublishedCell[]): TableModel {
  const modes: string[] = [];
  for (const c of cells) if (!modes.includes(c.mode)) modes.push(c.mode);
  const rowKeys: string[] = [];
  const byKey = new Map<string, Map<string, PublishedCell>>();
  for (const c of cells) {
    const k = cellRowKey(c);
    if (!byKey.has(k)) {
      byKey.set(k, new Map());
      rowKeys.push(k);
    }
    byKey.get(k)!.set(c.mode, c);
  }
  const rows: Cell[][] = rowKeys.map((k) => {
    const row: Cell[] = [label(k)];
    for (const m of modes) {
      const c = byKey.get(k)!.get(m);
      if (!c) {
        row.push({ text: "", kind: "text" }, { text: "", kind: "text" }, { text: "", kind: "text" });
        continue;
      }
      const fmt = c.table === "audio" ? (v: number) => Math.round(v).toLocaleString("en-US") : fmtUs;
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
      row.push(s);
      row.push({ text: fmt(c.published), kind: "pub", value: c.published });
      const e = c.simulated === undefined ? null : log10Error(c.simulated, c.published);
      row.push(
        e === null
          ? { text: "—", kind: "text", title: "no simulated value" }
          : {
              text: e.toFixed(2),
              kind: "err",
              value: e,
              tone: e <= 1 ? "good" : "bad",
              title: e <= 1 ? "same order of magnitude" : "off by more than 10×",
            },
      );
    }
    return row;
  });
  const head = [
    [{ text: "" }, ...modes.map((m) => ({ text: m, span: 3 }))],
    [{ text: "row" }, ...modes.flatMap(() => [{ text: "sim" }, { text: "pub" }, { text: "|log10|" }])],
  ];
  const errs = rows
    .flat()
    .filter((c) => c.kind === "err" && c.value !== undefined)
    .map((c) => c.value!);
  const med = median(errs);
  // The same medians over the cells a calibrated parameter was fitted on, and over the rest.
  const cellErr = (c: PublishedCell) => (c.simulated === undefined ? null : log10Error(c.simulated, c.published));
  const split = (inSample: boolean) => cells.filter((c) => !!c.inSample === inSample).flatMap((c) => cellErr(c) ?? []);
  const reps = Math.max(0, ...cells.map((c) => c.replications ?? 0));
  const fmtMed = (xs: number[]) => `${median(xs)?.toFixed(2) ?? "n/a"} over ${xs.length}`;
  return {
    id: "seed",
    title: "Seed report: simulated beside published",
    testid: "seed-table",
    head,
    rows,
    note:
      (med !== null ? `Median |log10| error ${med.toFixed(2)} over ${errs.length} cells. ` : "") +
      (cells.some((c) => c.inSample !== undefined) ? `In sample ${fmtMed(split(true))}, out of sample ${fmtMed(split(false))}. ` : "") +
      (reps > 1
        ? `Means of ${reps} replications ± half their 95 % interval; a maximum is green when the published one lies in the 10-90 % band of the simulated maxima. `
        : "") +
      `Error: ${ERROR_DEFINITION}. 0 is exact, 1 is ten times off.`,
  };
}

/** All tables of a payload, in display order (used by the CSV export). */
export function allTables(p: ResultsPayload): TableModel[] {
  const out: TableModel[] = [summaryTable(p.runs, p.comparison)];
  const a = audioTable(p.runs);
  if (a) out.push(a);
  if (p.cells?.length) out.push(seedTable(p.cells));
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

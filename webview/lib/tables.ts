/**
 * Table models built from a ResultsPayload. The DOM renderer (../views/table.ts) and the CSV export
 * both read these, so what the user sees and what they export are the same numbers.
 */
import type { ProbeResult, RunResult, ExitReason } from "../../sim-core/results";
import type { PublishedCell, ResultsPayload } from "../../common/protocol";
import { toCsv, type CsvCell } from "../../common/csv";
import { fmtUs } from "./format";
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

/** The main results table: per probe, avg/p99/max rows; one column per mode. */
export function summaryTable(runs: readonly RunResult[]): TableModel {
  const modes = modesOf(runs);
  const multi = scenariosOf(runs).length > 1;
  const grid = probeGrid(runs, (p) => p.kind !== "audio");
  const rows: Cell[][] = [];
  for (const k of grid.keys) {
    for (const [name, field] of LATENCY_STATS) {
      const row: Cell[] = [];
      if (multi) row.push(label(k.scenario));
      row.push(label(k.probe), label(name));
      const ref = grid.get(k, modes[0]!)?.latency?.[field];
      modes.forEach((m, i) => {
        const c = sim(grid.get(k, m)?.latency?.[field]);
        // The change against the first mode (the baseline, usually vanilla), as a tooltip.
        if (i > 0 && c.value !== undefined && ref !== undefined) c.title = relChange(c.value, ref, modes[0]!);
        row.push(c);
      });
      rows.push(row);
    }
  }
  const head = [[...(multi ? [{ text: "scenario" }] : []), { text: "probe" }, { text: "stat (µs)" }, ...modes.map((m) => ({ text: m }))]];
  return { id: "latency", title: "Latency (µs)", testid: "results-table", head, rows };
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
      row.push(sim(c.simulated, fmt));
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
  return {
    id: "seed",
    title: "Seed report: simulated beside published",
    testid: "seed-table",
    head,
    rows,
    note:
      (med !== null ? `Median |log10| error ${med.toFixed(2)} over ${errs.length} cells. ` : "") +
      `Error: ${ERROR_DEFINITION}. 0 is exact, 1 is ten times off.`,
  };
}

/** All tables of a payload, in display order (used by the CSV export). */
export function allTables(p: ResultsPayload): TableModel[] {
  const out: TableModel[] = [summaryTable(p.runs)];
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

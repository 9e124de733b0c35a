/**
 * Runs the fidelity check: every cell for real, then its simulated twin(s), then the
 * comparison. The real measurements can be saved and re-used (`--save` / `--real-from`) so
 * that the simulated side can be re-run against the same real data.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { release } from "node:os";

import { simulate, type ProbeResult, type RunResult } from "../sim-core";
import { fidelityCells, type Cell, type Load } from "./cells";
import { makeRow, orderings, summarizeRows, type OrderingRow, type Row, type Summary2 } from "./compare";
import { buildBinaries, checkPrerequisites, cpuCount, readLoadAvg, runRealCell, type RealEnv } from "./real";
import { cellScenario, type Mapping } from "./scenarios";
import { summarize } from "../report/stats";
import { proposeCalibrations, type Calibration } from "./calibrate";
import { ksSamplesVsBinned, ratio, withinFactor } from "./stats";

export interface FidelityOptions {
  quick: boolean;
  /** Real seconds per cell (split over `rounds`). */
  durationS: number;
  /**
   * The real cells run in this many interleaved rounds of durationS/rounds seconds each, so
   * that every mode sees the same slice of the machine's background load (other users of a
   * shared machine change it over minutes).
   */
  rounds: number;
  /** Simulated seconds per cell. */
  simDurationS: number;
  mappings: Mapping[];
  experiments?: string[];
  loads?: Load[];
  /** Add the dynamic-noinject ablation cells. */
  ablation?: boolean;
  /** Set by --isolate: our autogroup as /proc/self/autogroup reports it. */
  isolation?: string;
  seed: number;
  /** Re-use saved real measurements instead of measuring. */
  realFrom?: string;
  /** Save the real measurements here. */
  save?: string;
  log: (msg: string) => void;
}

/** Real data of one cell as saved: samples as value->count maps rounded to 0.1 us. */
interface SavedCell {
  key: string;
  env: RealEnv;
  notes: string[];
  vcpu?: Record<string, unknown>;
  samples: Record<string, [number, number][]>;
}

interface SavedReal {
  format: "pvsched-fidelity-real/1";
  machine: Machine;
  duration_s: number;
  cells: SavedCell[];
}

export interface Machine {
  cpus: number;
  kernel: string;
  loadavg_start: number[];
  loadavg_end?: number[];
}

export interface CellReport {
  key: string;
  env: RealEnv;
  notes: string[];
  vcpu?: Record<string, unknown>;
  sim: { mapping: Mapping; stop?: string; events?: number; wall_ms?: number; error?: string; unsupported?: string }[];
}

export interface FidelityReport {
  tool: "pvsched-sim fidelity";
  command: string;
  machine: Machine;
  options: {
    quick: boolean;
    isolation?: string;
    duration_s: number;
    rounds: number;
    sim_duration_s: number;
    mappings: Mapping[];
    seed: number;
    real_from?: string;
  };
  cells: CellReport[];
  rows: Row[];
  orderings: OrderingRow[];
  /** Proposed calibrations from the real data (see fidelity/CALIBRATION.md). */
  calibrations: Calibration[];
  summary: Summary2 & { wall_s: number; steal_pct_max: number; loadavg1_range: [number, number]; background_busy_pct_mean: number };
}

function pack(sorted: Float64Array): [number, number][] {
  const m = new Map<number, number>();
  for (const x of sorted) {
    const k = Math.round(x * 10) / 10;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m.entries()].sort((a, b) => a[0] - b[0]);
}

function unpack(p: [number, number][]): Float64Array {
  const n = p.reduce((s, [, c]) => s + c, 0);
  const out = new Float64Array(n);
  let i = 0;
  for (const [v, c] of p) for (let j = 0; j < c; j++) out[i++] = v;
  return out;
}

function concatSorted(parts: Float64Array[]): Float64Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Float64Array(n);
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out.sort();
}

/** Rounds of one cell as one: durations add up, shares are time-weighted, load is the mean. */
function mergeEnv(envs: RealEnv[]): RealEnv {
  const d = envs.reduce((s, e) => s + e.duration_s, 0);
  const w = (f: (e: RealEnv) => number) => envs.reduce((s, e) => s + f(e) * e.duration_s, 0) / d;
  return {
    duration_s: d,
    loadavg_before: [0, 1, 2].map((k) => envs.reduce((s, e) => s + (e.loadavg_before[k] ?? NaN), 0) / envs.length),
    steal_pct: w((e) => e.steal_pct),
    busy_pct: w((e) => e.busy_pct),
    background_busy_pct: envs.reduce((s, e) => s + (e.background_busy_pct ?? NaN), 0) / envs.length,
    started_at: envs[0]!.started_at,
  };
}

/**
 * vcpu_like's per-round summaries as one: counters add up, `*_avg_*` fields are averaged over
 * the rounds, `*_max_*` fields take the maximum; nested objects (the agent's) likewise.
 */
export function mergeCounters(xs: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(xs[0] ?? {})) {
    const vals = xs.map((x) => x[k]);
    const v0 = vals[0];
    if (typeof v0 === "number" && vals.every((v) => typeof v === "number")) {
      const nums = vals as number[];
      if (/_max(_|$)/.test(k)) out[k] = Math.max(...nums);
      else if (/_avg(_|$)/.test(k) || /^(period_us|run_us|threads)$/.test(k)) out[k] = nums.reduce((a, b) => a + b, 0) / nums.length;
      else out[k] = nums.reduce((a, b) => a + b, 0);
    } else if (v0 && typeof v0 === "object" && vals.every((v) => v && typeof v === "object")) {
      out[k] = mergeCounters(vals as Record<string, unknown>[]);
    } else {
      out[k] = v0;
    }
  }
  return out;
}

function findProbe(r: RunResult, id: string): ProbeResult | undefined {
  return r.probes.find((p) => p.id === id) ?? r.probes.find((p) => p.id.endsWith(`/${id}`));
}

export async function runFidelity(o: FidelityOptions, argv: string[]): Promise<FidelityReport> {
  const t0 = Date.now();
  let machine: Machine;
  let realCells: SavedCell[];
  let cells: Cell[];
  let durationS = o.durationS;

  if (o.realFrom) {
    const raw = readFileSync(o.realFrom);
    const saved = JSON.parse((o.realFrom.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8")) as SavedReal;
    if (saved.format !== "pvsched-fidelity-real/1") throw new Error(`${o.realFrom}: not a saved fidelity measurement`);
    machine = saved.machine;
    durationS = saved.duration_s;
    cells = fidelityCells(machine.cpus, { experiments: o.experiments, loads: o.loads, ablation: o.ablation });
    const have = new Set(saved.cells.map((c) => c.key));
    cells = cells.filter((c) => have.has(c.key));
    realCells = cells.map((c) => saved.cells.find((s) => s.key === c.key)!);
  } else {
    const pre = checkPrerequisites();
    if (!pre.ok) throw new Error(`fidelity: the real side cannot run here:\n  - ${pre.problems.join("\n  - ")}`);
    const bins = buildBinaries();
    machine = { cpus: cpuCount(), kernel: release(), loadavg_start: readLoadAvg() };
    cells = fidelityCells(machine.cpus, { experiments: o.experiments, loads: o.loads, ablation: o.ablation });
    realCells = [];
    const per = Math.max(1, Math.round(durationS / o.rounds));
    durationS = per * o.rounds;
    const acc = cells.map(() => ({
      samples: {} as Record<string, Float64Array[]>,
      envs: [] as RealEnv[],
      notes: [] as string[],
      vcpu: [] as Record<string, unknown>[],
    }));
    for (let round = 0; round < o.rounds; round++) {
      for (const [i, cell] of cells.entries()) {
        o.log(`[round ${round + 1}/${o.rounds}, ${i + 1}/${cells.length}] real ${cell.key} (${per} s) ...`);
        const r = await runRealCell(cell, { bins, durationS: per });
        const a = acc[i];
        for (const [k, v] of Object.entries(r.samples)) {
          a!.samples[k] ??= [];
          a!.samples[k].push(v);
        }
        a!.envs.push(r.env);
        a!.notes.push(...r.notes);
        if (r.vcpu) a!.vcpu.push(r.vcpu);
      }
    }
    for (const [i, cell] of cells.entries()) {
      const a = acc[i];
      const samples: Record<string, [number, number][]> = {};
      for (const [k, parts] of Object.entries(a!.samples)) samples[k] = pack(concatSorted(parts));
      realCells.push({
        key: cell.key,
        env: mergeEnv(a!.envs),
        notes: a!.notes,
        vcpu: a!.vcpu.length ? mergeCounters(a!.vcpu) : undefined,
        samples,
      });
    }
    machine.loadavg_end = readLoadAvg();
    if (o.save) {
      const saved: SavedReal = { format: "pvsched-fidelity-real/1", machine, duration_s: durationS, cells: realCells };
      const text = JSON.stringify(saved);
      writeFileSync(o.save, o.save.endsWith(".gz") ? gzipSync(text) : text);
      o.log(`real measurements saved to ${o.save}`);
    }
  }

  const rows: Row[] = [];
  const realOf = new Map<Row, Float64Array>();
  /** The twin (and its probe) each simulated row came from, to simulate it again calibrated. */
  const twinOf = new Map<Row, { plan: ReturnType<typeof cellScenario>; simId: string }>();
  const cellReports: CellReport[] = [];
  for (const [i, cell] of cells.entries()) {
    const real = realCells[i];
    const rep: CellReport = { key: cell.key, env: real!.env, notes: real!.notes, vcpu: real!.vcpu, sim: [] };
    cellReports.push(rep);
    const realSorted: Record<string, Float64Array> = {};
    for (const [k, v] of Object.entries(real!.samples)) realSorted[k] = unpack(v);
    for (const mapping of o.mappings) {
      // The vm mapping only changes the vCPU-like threads; cyclictest-only cells are the same.
      if (mapping === "vm" && !cell.vcpu) continue;
      const plan = cellScenario(cell, o.simDurationS, mapping, o.seed);
      let result: RunResult | undefined;
      const simRep: CellReport["sim"][number] = { mapping };
      rep.sim.push(simRep);
      if (plan.unsupported) {
        simRep.unsupported = plan.unsupported;
      } else {
        o.log(`sim ${cell.key} [${mapping}] (${o.simDurationS} s simulated) ...`);
        const w0 = Date.now();
        try {
          result = simulate(plan.scenario, plan.mode);
          simRep.stop = result.stop;
          simRep.events = result.events;
        } catch (e) {
          simRep.error = (e as Error).message;
        }
        simRep.wall_ms = Date.now() - w0;
      }
      for (const [realId, simId] of Object.entries(plan.probes)) {
        const rs = realSorted[realId];
        if (!rs) continue;
        // With the vm mapping the host cyclictest rows duplicate the host mapping's unless
        // the vCPU-like threads are what differs; keep both, they are different scenarios.
        const probe = result ? findProbe(result, simId) : undefined;
        let note: string | undefined;
        if (plan.unsupported) note = "not simulated: " + plan.unsupported;
        else if (simRep.error) note = "simulation failed: " + simRep.error;
        else if (!probe) note = `sim-core returned no probe "${simId}"`;
        else if (probe.latency.count === 0) note = "sim-core probe has no samples";
        const row = makeRow(
          {
            cell: cell.key,
            experiment: cell.experiment,
            load: cell.load,
            mode: cell.mode,
            probe: realId,
            mapping,
            real: summarize(rs),
          },
          rs,
          probe?.latency ?? null,
          note,
        );
        rows.push(row);
        realOf.set(row, rs);
        if (probe && probe.latency.count > 0) twinOf.set(row, { plan, simId });
      }
    }
  }
  const ords = orderings(rows);
  const calibrations = calibrate(cells, realCells, rows);
  const delivery = calibrations.find((c) => c.params)?.params;
  if (delivery) {
    // The same twins simulated again with this machine's fitted timer-delivery delay
    // (host.timer_delivery): simulator output, per machine, fitted on the FIFO cyclictest rows
    // only (in_sample), so every other row is out of sample.
    const again = new Map<object, RunResult>();
    for (const row of rows) {
      const twin = twinOf.get(row);
      if (!twin || !row.sim) continue;
      let r = again.get(twin.plan);
      if (!r) {
        const sc = twin.plan.scenario;
        r = simulate(
          {
            ...sc,
            host: {
              ...sc.host,
              timer_delivery: { lognormal_median_us: delivery.lognormal_median_us, lognormal_gsd: delivery.lognormal_gsd },
            },
          },
          twin.plan.mode,
        );
        again.set(twin.plan, r);
      }
      const probe = findProbe(r, twin.simId);
      if (!probe || probe.latency.count === 0) continue;
      const l = probe.latency;
      const rp = ratio(l.p99_us, row.real.p99_us);
      row.what_if = {
        avg_us: l.avg_us,
        p99_us: l.p99_us,
        ratio_avg: ratio(l.avg_us, row.real.avg_us),
        ratio_p99: rp,
        ks: ksSamplesVsBinned(realOf.get(row)!, l.histogram),
        p99_within_2x: withinFactor(rp, 2),
        in_sample: row.experiment === "host-cyclictest" && row.mode === "fifo",
      };
    }
  }
  const s = summarizeRows(rows, ords);
  const loads1 = cellReports.map((c) => c.env.loadavg_before[0]).filter((x): x is number => Number.isFinite(x));
  return {
    tool: "pvsched-sim fidelity",
    command: ["pvsched-sim", "fidelity", ...argv].join(" "),
    machine,
    options: {
      quick: o.quick,
      ...(o.isolation ? { isolation: o.isolation } : {}),
      duration_s: durationS,
      rounds: o.rounds,
      sim_duration_s: o.simDurationS,
      mappings: o.mappings,
      seed: o.seed,
      ...(o.realFrom ? { real_from: o.realFrom } : {}),
    },
    cells: cellReports,
    rows,
    orderings: ords,
    calibrations,
    summary: {
      ...s,
      wall_s: (Date.now() - t0) / 1000,
      steal_pct_max: Math.max(0, ...cellReports.map((c) => c.env.steal_pct)),
      loadavg1_range: [Math.min(...loads1), Math.max(...loads1)],
      background_busy_pct_mean: cellReports.reduce((a, c) => a + (c.env.background_busy_pct ?? NaN), 0) / cellReports.length,
    },
  };
}

function calibrate(cells: Cell[], real: SavedCell[], rows: Row[]): Calibration[] {
  const get = (key: string, probe: string) => {
    const i = cells.findIndex((c) => c.key === key);
    const p = i >= 0 ? real[i]!.samples[probe] : undefined;
    return p ? unpack(p) : undefined;
  };
  const fifoIdle = get("host-cyclictest/idle/fifo", "cyclictest");
  const fifoBusy = get("host-cyclictest/busy/fifo", "cyclictest");
  const fifo = concatSorted([fifoIdle, fifoBusy].filter((x): x is Float64Array => !!x));
  if (fifo.length === 0) return [];
  const simFifo = rows.filter((r) => r.experiment === "host-cyclictest" && r.mode === "fifo" && r.sim).map((r) => r.sim!.p50_us);
  let calls = 0;
  let ns = 0;
  for (const c of real) {
    const a = (c.vcpu as { agent?: { self_boost_calls?: number; self_boost_avg_ns?: number } } | undefined)?.agent;
    if (a?.self_boost_calls) {
      calls += a.self_boost_calls;
      ns += a.self_boost_calls * (a.self_boost_avg_ns ?? 0);
    }
  }
  return proposeCalibrations({
    fifo,
    fifoLoads: [fifoIdle ? "idle" : "", fifoBusy ? "busy" : ""].filter(Boolean).join("+"),
    fifoIdle,
    otherIdle: get("host-cyclictest/idle/other", "cyclictest"),
    simFifoFloorUs: simFifo.length ? Math.min(...simFifo) : 0,
    selfBoost: calls ? { calls, avg_ns: ns / calls } : undefined,
    modelSlackUs: 50,
  });
}

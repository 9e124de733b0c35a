/**
 * Traces in and out of `pvsched-sim`:
 *   run <scenario> --trace out.json     (cli/main.ts) writes each run's timeline as a Perfetto /
 *                                        Chrome trace-event JSON file (trace/perfetto.ts);
 *   trace import <file> ...              reads a real `trace-cmd report` or `perf script` text,
 *                                        computes the simulator's probes from it (trace/probes.ts)
 *                                        and compares them with a scenario's simulation.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { parseArgs } from "node:util";
import { resolveModes, simulate, type ModeName, type RunResult } from "../sim-core/index";
import { NO_TRACE_EVENTS, parseTrace } from "../trace/ftrace";
import { traceEventChunks, type TraceWindow } from "../trace/perfetto";
import { escapeControls } from "../common/escape";
import { compareDistributions, runDelay, simulatedWakeups, vcpuThreads, wakeupLatency } from "../trace/probes";
import { summarize } from "../report/stats";
import { EXIT, InputError } from "./errors";
import { decodeText, readScenario } from "./input";
import { readRegularFile } from "./read-file";
import { gunzipSync } from "node:zlib";

/** The file for one run: `out.json` for a single run, `out.<mode>.json` for several. */
export function traceFileFor(path: string, run: RunResult, runs: number): string {
  if (runs === 1) return path;
  const mode = run.mode.replace(/[^A-Za-z0-9_.-]+/g, "-");
  const dot = path.lastIndexOf(".");
  return dot > path.lastIndexOf("/") ? `${path.slice(0, dot)}.${mode}${path.slice(dot)}` : `${path}.${mode}`;
}

/** `--trace-window FROM_MS:TO_MS` in simulated milliseconds. */
export function parseTraceWindow(v: string | undefined): TraceWindow | undefined {
  if (v === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(v);
  if (!m || !(Number(m[2]) > Number(m[1])))
    throw new InputError(`pvsched-sim: --trace-window must be FROM_MS:TO_MS with FROM_MS < TO_MS (got "${escapeControls(v)}")`);
  return { from: Math.round(Number(m[1]) * 1e6), to: Math.round(Number(m[2]) * 1e6) };
}

/** Streams each run's trace (or the window of it) to its file; returns the files written. */
export function writeTraces(path: string, results: RunResult[], win?: TraceWindow): string[] {
  return results.map((r) => {
    if (!r.timeline) throw new Error(`run ${r.mode} has no timeline`);
    const file = traceFileFor(path, r, results.length);
    let fd: number;
    try {
      fd = openSync(file, "w");
    } catch (e) {
      throw new InputError(`pvsched-sim: --trace ${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    try {
      for (const chunk of traceEventChunks(r, r.timeline, win)) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
    return file;
  });
}

const USAGE = `usage: pvsched-sim trace import <trace.txt> [--task NAME] [--scenario S.yaml [--mode M] [--probe ID] [--seed N]] [--json]

  Reads \`trace-cmd report\` (or \`perf script\`) text of sched_switch, sched_wakeup, kvm_exit,
  kvm_entry, kvm_vcpu_wakeup, hrtimer_start and hrtimer_expire_entry, and computes:
    - the wake-up latency of the task named by --task (default cyclictest): timer expiry to the
      sched_switch that runs it;
    - the run delay of each vCPU thread (the tasks current at kvm_* events) and its steal time.
  With --scenario, simulates it (mode --mode, default the first; probe --probe, default the
  first) and prints the two latency distributions side by side with their KS distance.`;

const MAX_TRACE_BYTES = 512 * 1024 * 1024;

function readTrace(file: string): string {
  const r = readRegularFile(file, MAX_TRACE_BYTES, "trace file");
  if (!(r instanceof Uint8Array)) {
    if ("problem" in r) throw new InputError(`${file}: ${r.problem}`);
    throw new InputError(`${file}:1:1: trace too large: ${r.tooLarge} bytes (limit ${MAX_TRACE_BYTES})`);
  }
  let bytes: Uint8Array = r;
  // A gzipped report (as the test fixtures are kept).
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_TRACE_BYTES });
    } catch (e) {
      throw new InputError(`${file}:1:1: bad gzip data (${(e as Error).message.split("\n")[0]})`);
    }
  }
  return decodeText(file, bytes);
}

const fmt = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(2)) : "n/a");

export async function traceCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "help") {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (sub !== "import") throw new InputError(`pvsched-sim trace: unknown subcommand "${sub}" (see pvsched-sim trace --help)`);
  let a: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    a = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        task: { type: "string" },
        scenario: { type: "string" },
        mode: { type: "string" },
        probe: { type: "string" },
        seed: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean" },
      },
    });
  } catch (e) {
    throw new InputError(`pvsched-sim trace import: ${(e as Error).message.split("\n")[0]}`);
  }
  if (a.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (a.positionals.length !== 1) throw new InputError("pvsched-sim trace import: expected one trace file (see --help)");
  const file = a.positionals[0] ?? "";
  const parsed = parseTrace(readTrace(file));
  if (parsed.events.length === 0) throw new InputError(`${file}:1:1: ${NO_TRACE_EVENTS}`);
  const task = (a.values.task as string | undefined) ?? "cyclictest";
  const wake = wakeupLatency(parsed.events, task);
  const vcpus = runDelay(parsed.events, vcpuThreads(parsed.events));
  // Not empty: refused above.
  const span = parsed.events[parsed.events.length - 1]!.ts - parsed.events[0]!.ts;
  const out: Record<string, unknown> = {
    file,
    format: parsed.format,
    events: parsed.events.length,
    skipped: parsed.skipped.length,
    span_ns: span,
    wakeup: { task, pids: wake.pids, unmatched_timers: wake.unmatched, latency_us: summarize(wake.sorted_us) },
    vcpus: vcpus.map((v) => ({
      pid: v.pid,
      comm: v.comm,
      run_delay_us: summarize(v.sorted_us),
      steal_ns: v.steal_ns,
      steal_share: span > 0 ? v.steal_ns / span : 0,
    })),
  };
  if (a.values.scenario) {
    const s0 = readScenario(a.values.scenario as string).scenario;
    const seed = a.values.seed === undefined ? undefined : Number(a.values.seed);
    if (seed !== undefined && !Number.isInteger(seed))
      throw new InputError(`pvsched-sim trace import: --seed must be a whole number (got "${a.values.seed}")`);
    const s = seed === undefined ? s0 : { ...s0, seed };
    const modes = resolveModes(s);
    const want = a.values.mode as string | undefined;
    const mode =
      want === undefined
        ? modes[0]
        : (modes.find((m) => (m.name ?? m.mode) === want) ??
          (["vanilla", "dynamic", "static"].includes(want) ? { mode: want as ModeName } : undefined));
    if (!mode) throw new InputError(`pvsched-sim trace import: unknown mode "${want}"`);
    const r = simulate(s, mode, { timeline: true });
    const pid = (a.values.probe as string | undefined) ?? r.probes[0]?.id;
    const k = r.probes.findIndex((p) => p.id === pid);
    if (k < 0)
      throw new InputError(
        `pvsched-sim trace import: the scenario has no probe "${pid}" (it has: ${r.probes.map((p) => p.id).join(", ")})`,
      );
    out.comparison = { scenario: s.name, mode: r.mode, probe: pid, ...compareDistributions(wake.sorted_us, simulatedWakeups(r, k)) };
  }
  if (a.values.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  else {
    const w = out.wakeup as { latency_us: ReturnType<typeof summarize> };
    const lines = [
      `${file}: ${parsed.format}, ${parsed.events.length} events over ${(span / 1e9).toFixed(3)} s${parsed.skipped.length ? ` (${parsed.skipped.length} unreadable lines skipped)` : ""}`,
      `wake-up latency of ${task} (pids ${wake.pids.join(", ") || "none"}): n=${w.latency_us.count} min ${fmt(w.latency_us.min_us)} p50 ${fmt(w.latency_us.p50_us)} p90 ${fmt(w.latency_us.p90_us)} p99 ${fmt(w.latency_us.p99_us)} max ${fmt(w.latency_us.max_us)} us`,
    ];
    for (const v of vcpus)
      lines.push(
        `vCPU thread ${v.comm} (${v.pid}): ${v.sorted_us.length} waits, p50 ${fmt(summarize(v.sorted_us).p50_us)} p99 ${fmt(summarize(v.sorted_us).p99_us)} us, steal ${(v.steal_ns / 1e6).toFixed(3)} ms`,
      );
    if (!vcpus.length) lines.push("vCPU threads: none (no kvm_entry/kvm_exit/kvm_vcpu_wakeup events)");
    const c = out.comparison as (ReturnType<typeof compareDistributions> & { probe: string; mode: string; scenario: string }) | undefined;
    if (c) {
      lines.push(`compared with ${c.scenario} · ${c.mode} · ${c.probe}:`, "          count     p50     p90     p99     max (us)");
      for (const [label, x] of [
        ["real", c.real],
        ["simulated", c.simulated],
      ] as const)
        lines.push(
          `${label.padEnd(9)} ${String(x.count).padStart(6)} ${fmt(x.p50_us).padStart(7)} ${fmt(x.p90_us).padStart(7)} ${fmt(x.p99_us).padStart(7)} ${fmt(x.max_us).padStart(7)}`,
        );
      lines.push(`KS distance ${c.ks.toFixed(3)}`);
    }
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  return EXIT.ok;
}

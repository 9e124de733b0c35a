/**
 * Compare with a Real Trace: a `trace-cmd report` / `perf script` recording's wake-up latency of a
 * task beside the simulated probe of the scenario in the editor, in the panel (tables and the
 * Distributions tab side by side), with their Kolmogorov-Smirnov distance (issue 15 §5; the CLI's
 * `pvsched-sim trace import --scenario` computes the same numbers).
 */
import * as vscode from "vscode";
import { gunzipBounded, isGzip } from "../../patch/gzip";
import { NO_TRACE_EVENTS, parseTrace } from "../../trace/ftrace";
import { ksSamples } from "../../report/stats";
import { realTraceRun, simulatedWakeups, wakeupLatency } from "../../trace/probes";
import { resolveModes } from "../../sim-core/index";
import type { Ctx } from "../ctx";
import { asUri, scenarioDocument } from "./scenario";

/**
 * The largest trace read on the extension host (issue 14: every parse there is bounded). The
 * parser is linear; 32 MiB of `trace-cmd report` text is about a million events.
 */
export const MAX_TRACE_BYTES = 32 * 1024 * 1024;

export interface TraceArgs {
  /** The trace file (plain or gzipped text); absent: an open dialog asks. */
  trace?: string;
  /** The scenario; absent: the active scenario editor. */
  scenario?: string;
  /** The traced task's comm (default cyclictest, as the CLI). */
  task?: string;
}

export const compareTrace = (ctx: Ctx) => async (args?: TraceArgs) => {
  const doc = await scenarioDocument(ctx, args?.scenario);
  if (!doc) return undefined;
  let traceUri = args?.trace ? asUri(args.trace) : undefined;
  if (!traceUri) {
    const picked = await vscode.window.showOpenDialog({
      title: "A real trace: trace-cmd report or perf script text",
      canSelectMany: false,
      openLabel: "Compare",
    });
    traceUri = picked?.[0];
  }
  if (!traceUri) return undefined;
  const name = vscode.workspace.asRelativePath(traceUri);
  const st = await vscode.workspace.fs.stat(traceUri);
  if (st.type !== vscode.FileType.File) throw new Error(`${name} is not a file`);
  if (st.size > MAX_TRACE_BYTES) throw new Error(`${name} is ${st.size} bytes (limit ${MAX_TRACE_BYTES}); cut the trace shorter`);
  let bytes = await vscode.workspace.fs.readFile(traceUri);
  // A gzipped report (as test/fixtures/traces keeps them), inflated no further than the limit.
  if (isGzip(bytes)) {
    const g = gunzipBounded(bytes, MAX_TRACE_BYTES);
    if (!g.ok) throw new Error(`${name}:1:1: ${g.reason}`);
    bytes = g.bytes;
  }
  const parsed = parseTrace(new TextDecoder().decode(bytes));
  if (parsed.events.length === 0) throw new Error(`${name}:1:1: ${NO_TRACE_EVENTS}`);
  const task = args?.task ?? "cyclictest";
  const wake = wakeupLatency(parsed.events, task);
  if (wake.sorted_us.length === 0) throw new Error(`${name}: no wake-up of a task named ${task} in the trace`);

  const s = ctx.parseOrComplain(doc.getText(), vscode.workspace.asRelativePath(doc.uri));
  if (!s) return undefined;
  const mode = resolveModes(s)[0]!;
  ctx.panel.show(true);
  const runs = await ctx.runner.run(`${s.name} beside ${name}`, [{ scenario: s, mode, timeline: true }]);
  const sim = runs?.[0];
  if (!sim) return undefined;
  const probe = sim.probes[0];
  if (!probe) throw new Error(`${s.name} has no latency probe to compare with`);
  const simUs = simulatedWakeups(sim, 0);
  const span = parsed.events[parsed.events.length - 1]!.ts - parsed.events[0]!.ts;
  const real = realTraceRun(sim, probe.id, wake.sorted_us, span, parsed.events.length);
  const ks = ksSamples(wake.sorted_us, simUs);
  const note = `${name}: wake-up latency of ${task} (${wake.sorted_us.length} samples) beside ${s.name} · ${sim.mode} · ${probe.id} (${simUs.length} samples): Kolmogorov-Smirnov distance ${ks.toFixed(3)}`;
  ctx.publish({
    title: `${name} beside ${s.name}`,
    source: { kind: "compare", uri: traceUri.toString() },
    runs: [real, sim],
    notes: [note],
    scenarioText: doc.getText(),
  });
  return { ks, real: wake.sorted_us.length, simulated: simUs.length };
};

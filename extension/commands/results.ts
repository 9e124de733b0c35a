/**
 * The results panel: Show Results, Export Results, Cancel Run, and what the panel itself asks for
 * (re-run edited text, save an export, cancel).
 */
import * as vscode from "vscode";
import type { HostToWebview, ResultsPayload, WebviewToHost } from "../../common/protocol";
import type { MechanismId } from "../../sim-core/index";
import type { Ctx } from "../ctx";
import { payloadCsv } from "../export";
import { resultsFileName, resultsFileText } from "../history-model";
import { safeFileName } from "../../common/escape";
import type { PanelHandlers } from "../panel";
import { timelineTasks, withTimelines } from "../timeline-demand";
import { runAblation } from "./hunk";
import { asUri, runScenarioText } from "./scenario";

export const showResults = (ctx: Ctx) => async (arg?: { mechanism?: MechanismId }) => {
  const p = arg?.mechanism ? ctx.ablations.get(arg.mechanism) : undefined;
  if (p) ctx.panel.showResults(p);
  else ctx.panel.show(false);
  return ctx.panel.current ? "shown" : undefined;
};

export const cancelRun = (ctx: Ctx) => () => ctx.runner.cancel();

export const exportResults = (ctx: Ctx) => async (arg?: { format?: "json" | "csv"; uri?: string }) => {
  // After a reload the panel has nothing yet: the newest run of the history is the last result.
  const payload = ctx.panel.lastPayload ?? (await ctx.history.latest());
  if (!payload) {
    void ctx.info("PV Sched: nothing to export yet; run a scenario first.");
    return undefined;
  }
  let format = arg?.format;
  if (!format) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: "JSON", description: "every run with its full results", format: "json" as const },
        { label: "CSV", description: "one row per mode and latency probe", format: "csv" as const },
        { label: "SVG (charts)", description: "from the results panel's export buttons", format: undefined },
      ],
      { title: "Export results" },
    );
    if (!pick) return undefined;
    if (!pick.format) {
      ctx.panel.show(false);
      void ctx.info("PV Sched: use the export buttons above each chart in the results panel for SVG.");
      return undefined;
    }
    format = pick.format;
  }
  // The timelines' typed arrays go out as lists (JSON has no typed arrays).
  const content = format === "json" ? resultsFileText(payload) : payloadCsv(payload);
  // JSON is a results file: it reopens in the results editor.
  const name = format === "json" ? resultsFileName(payload.title) : safeFileName(payload.title.slice(0, 60), format);
  let target = asUri(arg?.uri);
  if (!target) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      title: "Export results",
    });
  }
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(content));
  ctx.log(`exported ${format} to ${target.toString()}`);
  return target.toString();
};

/** The user edited the scenario in the panel and asked to run it again. */
async function rerun(ctx: Ctx, text: string, last: ResultsPayload | undefined): Promise<void> {
  if (last?.source.kind === "seed") {
    ctx.panel.post({ type: "error", message: "The seed report runs the built-in scenarios; edit a scenario file to run your own." });
    return;
  }
  if (!ctx.requireTrust("Running edited scenario text")) {
    ctx.panel.post({ type: "error", message: "Restricted Mode: running scenarios is disabled in this workspace." });
    return;
  }
  try {
    if (last?.source.kind === "hunk" && last.source.mechanism) {
      const mech = last.source.mechanism as MechanismId;
      const s = ctx.parseOrComplain(text, "panel editor");
      if (!s) return;
      const { runs: _runs, ...rest } = last;
      await runAblation(ctx, mech, s, { ...rest, scenarioText: text }, `${mech}: with/without (edited)`);
      return;
    }
    await runScenarioText(ctx, text, "panel editor", last?.source.uri);
  } catch (e) {
    ctx.reportError(e);
  }
}

/** The panel exported a file (CSV, JSON or SVG made in the webview): ask where to save it. */
async function saveExport(ctx: Ctx, m: Extract<WebviewToHost, { type: "export" }>): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const filters: Record<string, string[]> = { csv: { CSV: ["csv"] }, json: { JSON: ["json"] }, svg: { SVG: ["svg"] } }[m.format] as never;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, m.suggestedName) : undefined,
    filters,
    title: `Export results as ${m.format.toUpperCase()}`,
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(m.content));
  ctx.log(`exported ${m.format} to ${target.toString()}`);
  void ctx.info(`PV Sched: exported ${vscode.workspace.asRelativePath(target)}`);
}

/**
 * A results view's Timeline tab opened on runs made without their timelines: the same runs again
 * with the recorder on (timeline-demand.ts), through the runner like any run (progress, cancel).
 */
async function recordTimelines(ctx: Ctx, p: ResultsPayload | undefined): Promise<HostToWebview | undefined> {
  if (!p) return undefined;
  const tasks = timelineTasks(p);
  if (typeof tasks === "string") return { type: "error", message: `No timeline can be recorded: ${tasks}.` };
  if (!ctx.requireTrust("Recording a timeline")) {
    return {
      type: "error",
      message: "Restricted Mode: running scenarios, and so recording their timelines, is disabled in this workspace.",
    };
  }
  const runs = await ctx.runner.run(`${p.title}: timeline`, tasks);
  if (!runs) return undefined;
  return { type: "results", payload: withTimelines(p, runs) };
}

/** What the results panel calls back into. */
export function panelHandlers(ctx: Ctx): PanelHandlers {
  return {
    initialMessages: () => [],
    onTimeline: (p) => recordTimelines(ctx, p),
    onCancel: () => void ctx.runner.cancel(),
    onExport: (m) => void saveExport(ctx, m),
    onRerun: (text, last) => void rerun(ctx, text, last),
  };
}

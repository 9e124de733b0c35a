/** Running scenario files: Run Scenario and Compare Modes, and the run the panel's Re-run starts. */
import * as vscode from "vscode";
import { modeLabel, resolveModes, type ModeSpec, type RunResult, type Scenario } from "../../sim-core/index";
import type { Ctx } from "../ctx";
import { isScenarioDocument } from "../language/scenario-language";
import type { SimTask } from "../../runner/index";

/** A command argument (a Uri, a URI string, or an object with a `uri`) as a Uri. */
export function asUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === "string") {
    try {
      return vscode.Uri.parse(arg, true);
    } catch {
      return undefined;
    }
  }
  if (arg && typeof arg === "object" && "uri" in arg) return asUri((arg as { uri: unknown }).uri);
  return undefined;
}

/**
 * One task per mode. The timeline is recorded only if the scenario asks for it (timeline.enabled)
 * or the caller does; otherwise the panel records it when its Timeline tab opens
 * (timeline-demand.ts).
 */
export function tasksFor(s: Scenario, modes: ModeSpec[], timeline?: boolean): SimTask[] {
  return modes.map((mode) => ({ scenario: s, mode, timeline: timeline ?? s.timeline?.enabled ?? false }));
}

/** Runs scenario text under its modes (or `modes(s)`) and shows the results; undefined if it did not run. */
export async function runScenarioText(
  ctx: Ctx,
  text: string,
  name: string,
  uri: string | undefined,
  modes?: (s: Scenario) => ModeSpec[],
): Promise<RunResult[] | undefined> {
  const s = ctx.parseOrComplain(text, name);
  if (!s) return undefined;
  const specs = modes ? modes(s) : resolveModes(s);
  ctx.panel.show(true);
  const tasks = tasksFor(s, specs);
  const runs = await ctx.runner.run(`${s.name} (${specs.length} modes)`, tasks);
  if (!runs) return undefined;
  const onDemand = tasks.every((t) => !t.timeline);
  ctx.publish({
    title: s.name,
    source: { kind: "scenario", uri },
    runs,
    scenarioText: text,
    ...(onDemand ? { timelineOnDemand: { modes: specs } } : {}),
  });
  return runs;
}

/** Vanilla, dynamic and static, plus any other modes the scenario lists (e.g. ablations). */
function compareSpecs(s: Scenario): ModeSpec[] {
  const base: ModeSpec[] = [{ mode: "vanilla" }, { mode: "dynamic" }, { mode: "static" }];
  const seen = new Set(base.map(modeLabel));
  for (const m of resolveModes(s)) if (!seen.has(modeLabel(m))) seen.add(modeLabel(m)), base.push(m);
  return base;
}

/** The scenario a command acts on: `arg` (a Uri or URI string), else the active scenario editor. */
export async function scenarioDocument(ctx: Ctx, arg: unknown): Promise<vscode.TextDocument | undefined> {
  const uri = asUri(arg);
  if (uri) return vscode.workspace.openTextDocument(uri);
  const ed = vscode.window.activeTextEditor;
  if (ed && isScenarioDocument(ed.document)) return ed.document;
  void ctx.error("PV Sched: open a scenario file (*.pvsched.yaml) first.");
  return undefined;
}

function runFromDocument(ctx: Ctx, compare: boolean) {
  return async (arg?: unknown) => {
    const doc = await scenarioDocument(ctx, arg);
    if (!doc) return undefined;
    if (doc.uri.scheme !== "untitled" && !ctx.requireTrust("Running a scenario from the workspace")) return undefined;
    try {
      return await runScenarioText(
        ctx,
        doc.getText(),
        vscode.workspace.asRelativePath(doc.uri),
        doc.uri.toString(),
        compare ? compareSpecs : undefined,
      );
    } catch (e) {
      ctx.reportError(e);
      return undefined;
    }
  };
}

export const runScenario = (ctx: Ctx) => runFromDocument(ctx, false);
export const compareModes = (ctx: Ctx) => runFromDocument(ctx, true);

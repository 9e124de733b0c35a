/**
 * Sweep this parameter: the scenario's runs over several values of one number in it (the code
 * action on a number in a scenario file, or the palette with the cursor on one), each value × mode
 * replicated, shown in the panel's Sweep tab as the metric against the value with 95 % intervals.
 */
import * as vscode from "vscode";
import { DEFAULT_BUDGET } from "../../runner/index";
import {
  parseSweepValues,
  planSweep,
  reduceRun,
  summarizeSweep,
  suggestSweepValues,
  SWEEP_REPLICATIONS,
  SweepError,
  type SweepDefinition,
} from "../../runner/sweep";
import { numberAt } from "../../scenario-loader/index";
import { withDuration } from "../../report/ablation";
import type { Ctx } from "../ctx";
import { isScenarioDocument } from "../language/scenario-language";
import { dottedPath, type SweepArgs } from "../language/sweep-action";
import { asUri } from "./scenario";

function argsAtCursor(): SweepArgs | undefined {
  const ed = vscode.window.activeTextEditor;
  if (!ed || !isScenarioDocument(ed.document)) return undefined;
  const n = numberAt(ed.document.getText(), ed.document.offsetAt(ed.selection.active));
  return n && { uri: ed.document.uri.toString(), path: dottedPath(n.path), value: n.value };
}

export const sweepParameter = (ctx: Ctx) => async (arg?: SweepArgs) => {
  const a = arg?.path ? arg : argsAtCursor();
  if (!a) {
    void ctx.error("PV Sched: put the cursor on a number in a scenario file (*.pvsched.yaml) to sweep it.");
    return undefined;
  }
  const uri = asUri(a.uri);
  if (!uri) throw new Error(`not a document URI: ${a.uri}`);
  const doc = await vscode.workspace.openTextDocument(uri);
  const input = a.values
    ? a.values.join(",")
    : await vscode.window.showInputBox({
        title: `Sweep ${a.path}`,
        prompt: `Values of ${a.path} (now ${a.value}), separated by commas; each runs every mode ${SWEEP_REPLICATIONS} times`,
        value: suggestSweepValues(a.value).join(", "),
        validateInput: (t) => {
          const r = parseSweepValues(t);
          return "problem" in r ? r.problem : undefined;
        },
      });
  if (input === undefined) return undefined;
  const parsed = parseSweepValues(input);
  if ("problem" in parsed) throw new Error(`sweep ${a.path}: ${parsed.problem}`);
  const s = ctx.parseOrComplain(doc.getText(), vscode.workspace.asRelativePath(uri));
  if (!s) return undefined;
  const durationS = ctx.config("pvsched.sweep.durationSeconds");
  const def: SweepDefinition = {
    file: vscode.workspace.asRelativePath(uri),
    scenario: withDuration(s, durationS > 0 ? durationS : undefined),
    params: [{ path: a.path, values: parsed.values }],
    replications: SWEEP_REPLICATIONS,
  };
  let plan: ReturnType<typeof planSweep>;
  try {
    plan = planSweep(def, DEFAULT_BUDGET);
  } catch (e) {
    if (e instanceof SweepError) throw new Error(`sweep: ${e.message}`);
    throw e;
  }
  ctx.panel.show(true);
  const title = `Sweep ${a.path} (${parsed.values.length} values)`;
  const runs = await ctx.runner.run(title, plan.tasks);
  if (!runs) return undefined;
  const summary = summarizeSweep(def, plan.cells, plan.cellOf, runs.map(reduceRun));
  ctx.publish({
    title: `${s.name}: ${a.path} swept over ${parsed.values.join(", ")}`,
    source: { kind: "sweep", uri: uri.toString() },
    runs: [],
    sweep: summary,
    scenarioText: doc.getText(),
  });
  return summary;
};

/** Patch hunks: Simulate with/without a hunk's mechanism (the ablation), and Map this hunk. */
import * as vscode from "vscode";
import type { ResultsPayload } from "../../common/protocol";
import { LOADER_LIMITS } from "../../scenario-loader/index";
import { MECHANISMS, type MechanismId, type Scenario } from "../../sim-core/index";
import { hunkAblationResult, hunkAblationTasks } from "../ablation";
import type { Ctx } from "../ctx";
import { addOverrideRule, hunkAt, OVERRIDE_FILE, ruleForHunk, type HunkArgs } from "../patch-lens";
import { seedScenario } from "../../runner/seed-pipeline";
import { builtInSeeds, DEFAULT_ABLATION_SCENARIO, SEED_DIR } from "../seed";
import { pathInFolder } from "../settings";

/**
 * The scenario the ablation runs: `pvsched.ablation.scenario` (trusted workspaces only; a path
 * inside the workspace folder, at most the loader's size), else the built-in busy seed scenario.
 */
async function ablationBase(ctx: Ctx): Promise<{ text: string; name: string; scenario?: Scenario }> {
  const custom = vscode.workspace.isTrusted ? ctx.config("pvsched.ablation.scenario") : "";
  if (custom) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (!folder) throw new Error("pvsched.ablation.scenario needs an open workspace folder (the path is relative to it)");
    const p = pathInFolder(custom);
    if ("problem" in p) throw new Error(`pvsched.ablation.scenario: ${p.problem}`);
    const uri = vscode.Uri.joinPath(folder, p.path);
    const st = await vscode.workspace.fs.stat(uri);
    if (st.type !== vscode.FileType.File) throw new Error(`pvsched.ablation.scenario: ${p.path} is not a file`);
    // UTF-8 takes at most 3 bytes per UTF-16 unit of the BMP: refuse an oversized file unread.
    if (st.size > LOADER_LIMITS.maxChars * 3)
      throw new Error(`pvsched.ablation.scenario: ${p.path} is ${st.size} bytes (limit ${LOADER_LIMITS.maxChars} characters)`);
    return { text: new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), name: p.path };
  }
  // The seed set is parsed once per activation (runner/seed-pipeline).
  const s = seedScenario(builtInSeeds(), DEFAULT_ABLATION_SCENARIO);
  if (!s) throw new Error(`the built-in seed scenario ${SEED_DIR}/${DEFAULT_ABLATION_SCENARIO} is missing from this build`);
  return s;
}

/** Runs the ablation of `mechanism` on `s` and shows it; the lens summary, or undefined if it did not run. */
export async function runAblation(
  ctx: Ctx,
  mechanism: MechanismId,
  s: Scenario,
  payload: Omit<ResultsPayload, "runs" | "comparison">,
  title: string,
) {
  const ablation = { mechanism, durationS: ctx.config("pvsched.ablation.durationSeconds") };
  const runs = await ctx.runner.run(title, hunkAblationTasks(s, ablation));
  if (!runs) return undefined;
  const { payload: full, summary } = hunkAblationResult(runs, ablation, payload);
  ctx.ablations.set(mechanism, full);
  ctx.effects.set(mechanism, summary);
  ctx.onEffectsChanged();
  ctx.publish(full);
  return summary;
}

export const simulateHunk = (ctx: Ctx) => async (args?: HunkArgs) => {
  if (!args?.mechanism) throw new Error("no mechanism given for the hunk");
  const mechanism = args.mechanism;
  const info = MECHANISMS.find((m) => m.id === mechanism);
  if (!info) throw new Error(`unknown mechanism ${mechanism}`);
  const base = await ablationBase(ctx);
  const s = base.scenario ?? ctx.parseOrComplain(base.text, base.name);
  if (!s) return undefined;
  ctx.panel.show(true);
  return runAblation(
    ctx,
    mechanism,
    s,
    {
      title: `Patch ${info.patch} \u00b7 ${info.label}: with / without (${s.name})`,
      source: { kind: "hunk", uri: args.uri, mechanism },
      scenarioText: base.text,
    },
    `Patch ${info.patch} \u00b7 ${info.label}: with/without`,
  );
};

export const mapHunk = (ctx: Ctx) => async (args: HunkArgs | undefined, chosen?: string) => {
  if (!args) return undefined;
  if (!ctx.requireTrust(`Writing ${OVERRIDE_FILE}`)) return undefined;
  const uri = vscode.Uri.parse(args.uri);
  const doc = await vscode.workspace.openTextDocument(uri);
  const h = hunkAt(ctx.patchIndex, doc, args.line);
  if (!h) throw new Error(`no hunk at line ${args.line + 1}`);
  let mech = chosen as MechanismId | undefined;
  if (!mech) {
    const pick = await vscode.window.showQuickPick(
      MECHANISMS.map((m) => ({ label: `Patch ${m.patch} \u00b7 ${m.label}`, description: m.id, detail: m.summary, id: m.id })),
      { title: `Map hunk of ${h.file}${h.funcContext ? ` (${h.funcContext})` : ""} to a mechanism`, matchOnDetail: true },
    );
    mech = pick?.id;
  }
  if (!mech) return undefined;
  if (!MECHANISMS.some((m) => m.id === mech)) throw new Error(`unknown mechanism ${mech}`);
  const folder = vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error("open a folder to keep a hunk map (it lives in .vscode/ of the workspace)");
  const parsed = ctx.patchIndex.get(doc).parsed;
  const added = parsed.patches.flatMap((p) => p.files.flatMap((f) => f.hunks)).find((x) => x.line === h.line)?.identifiersAdded ?? [];
  const file = await addOverrideRule(folder.uri, ruleForHunk(h, added, mech));
  await ctx.hunkMaps.reload();
  void ctx.info(`PV Sched: mapped the hunk to ${mech} in ${vscode.workspace.asRelativePath(file)}.`);
  return file.toString();
};

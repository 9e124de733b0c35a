/** Patch hunks: Simulate with/without a hunk's mechanism (the ablation), and Map this hunk. */
import * as vscode from "vscode";
import type { ResultsPayload } from "../../common/protocol";
import { LOADER_LIMITS } from "../../scenario-loader/index";
import { MECHANISMS, type InterimResult, type MechanismId, type RunResult, type Scenario } from "../../sim-core/index";
import { FIRST_ANSWER } from "../../runner/index";
import { AblationProgress, hunkAblationResult, hunkAblationTasks } from "../ablation";
import type { Ctx } from "../ctx";
import type { RunOutcome } from "../runner";
import { addOverrideRule, hunkAt, OVERRIDE_FILE, ruleForHunk, type HunkArgs } from "../patch-lens";
import { builtInScenarioText, EXERCISED_BY, timesFired } from "../exercise";
import { pathInFolder } from "../settings";

/**
 * The scenario the ablation runs: `scenarioPath` (a built-in scenario a lens offers), else
 * `pvsched.ablation.scenario` (trusted workspaces only; a path inside the workspace folder, at
 * most the loader's size), else the built-in scenario that exercises the mechanism.
 */
async function ablationBase(ctx: Ctx, mechanism: MechanismId, scenarioPath?: string): Promise<{ text: string; name: string }> {
  const custom = !scenarioPath && vscode.workspace.isTrusted ? ctx.config("pvsched.ablation.scenario") : "";
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
  const path = scenarioPath ?? EXERCISED_BY[mechanism].scenario;
  const text = builtInScenarioText(path);
  if (text === undefined) throw new Error(`the built-in scenario ${path} is missing from this build`);
  return { text, name: path };
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
  const tasks = hunkAblationTasks(s, ablation);
  const shown = provisionalView(ctx, new AblationProgress(tasks, mechanism), (runs, note) =>
    hunkAblationResult(runs, ablation, { ...payload, notes: [note] }),
  );
  // Cancelled, superseded or failed: the lens goes back to what it said before this run.
  const before = ctx.effects.get(mechanism);
  const restore = () => {
    if (!shown.shownAny) return;
    if (before === undefined) ctx.effects.delete(mechanism);
    else ctx.effects.set(mechanism, before);
    ctx.onEffectsChanged();
  };
  let runs: RunResult[] | undefined;
  try {
    runs = await ctx.runner.run(title, tasks, shown.listen);
  } catch (e) {
    restore();
    throw e;
  } finally {
    shown.stop();
  }
  if (!runs) {
    restore();
    return undefined;
  }
  const { payload: full, summary: effect } = hunkAblationResult(runs, ablation, payload);
  // The counters decide whether the scenario exercised the mechanism at all.
  const fired = timesFired(runs, mechanism);
  const summary = fired === 0 ? `not exercised in this scenario (${s.name})` : effect;
  ctx.ablations.set(mechanism, full);
  ctx.effects.set(mechanism, summary);
  if (fired === 0) ctx.notExercised.set(mechanism, s.name);
  else ctx.notExercised.delete(mechanism);
  ctx.onEffectsChanged();
  ctx.publish(full);
  return summary;
}

/** Wall-clock ms between two provisional updates of the panel (the first shows at once). */
const REFINE_EVERY_MS = 250;
/**
 * Wall-clock ms between two lens refreshes while an ablation refines (the first goes out at once).
 * VS Code asks a CodeLens provider again only once its change events have paused for a debounce
 * of at least 250 ms (the sliding average of the provider's last six durations, editor
 * codelensController), and every event restarts that wait: refreshed at the panel's 250 ms, the
 * lens waited 770 ms for its first provisional text on a warm click (measured in the workbench).
 * The provider reads the latest text when it is asked, so fewer refreshes lose nothing.
 */
const LENS_REFRESH_MS = 1000;

/**
 * Shows an ablation's provisional answer while its runs go on (issue 13): the lens text and the
 * panel (not the history), first as soon as replication 1's runs with and without the mechanism
 * have reached their first checkpoint, then at most every REFINE_EVERY_MS as they go on.
 */
function provisionalView(
  ctx: Ctx,
  progress: AblationProgress,
  panelPayload: (runs: RunResult[], note: string) => { payload: ResultsPayload },
) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = Number.NEGATIVE_INFINITY;
  let lensRefreshed = Number.NEGATIVE_INFINITY;
  let stopped = false;
  const view = {
    shownAny: false,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    listen: {
      interim: FIRST_ANSWER,
      onInterim: (i: number, r: InterimResult) => {
        progress.interim(i, r);
        schedule();
      },
      onResult: (i: number, r: RunResult) => {
        progress.result(i, r);
        schedule();
      },
      // Cancelled or failed after a provisional answer: the panel keeps the numbers it showed,
      // no longer said to be refined. (Superseded: a newer batch's results are on show.)
      onEnded: (outcome: RunOutcome) => {
        view.stop();
        if (!view.shownAny || (outcome !== "cancelled" && outcome !== "failed")) return;
        const s = progress.stopped(outcome);
        if (s) ctx.panel.showResults(panelPayload(s.runs, s.note).payload);
      },
    },
  };
  const show = () => {
    timer = undefined;
    if (stopped) return;
    const p = progress.provisional();
    if (!p) return;
    last = performance.now();
    view.shownAny = true;
    ctx.effects.set(progress.mechanism, p.summary);
    if (last - lensRefreshed >= LENS_REFRESH_MS) {
      lensRefreshed = last;
      ctx.onEffectsChanged();
    }
    ctx.panel.showResults(panelPayload(p.runs, p.note).payload);
  };
  const schedule = () => {
    if (timer !== undefined || stopped) return;
    timer = setTimeout(show, Math.max(0, last + REFINE_EVERY_MS - performance.now()));
  };
  return view;
}

export const simulateHunk = (ctx: Ctx) => async (args?: HunkArgs) => {
  if (!args?.mechanism) throw new Error("no mechanism given for the hunk");
  const mechanism = args.mechanism;
  const info = MECHANISMS.find((m) => m.id === mechanism);
  if (!info) throw new Error(`unknown mechanism ${mechanism}`);
  const base = await ablationBase(ctx, mechanism, args.scenario);
  const s = ctx.parseOrComplain(base.text, base.name);
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
  const h = await hunkAt(ctx.patchIndex, doc, args.line);
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
  const file = await addOverrideRule(folder.uri, ruleForHunk(h, h.identifiersAdded, mech));
  await ctx.hunkMaps.reload();
  void ctx.info(`PV Sched: mapped the hunk to ${mech} in ${vscode.workspace.asRelativePath(file)}.`);
  return file.toString();
};

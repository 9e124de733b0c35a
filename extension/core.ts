/**
 * Activation shared by the Node entry (`extension.ts`) and the browser entry (`web.ts`). Only the
 * simulation worker differs between them; everything here uses the portable VS Code API
 * (`workspace.fs`, no Node modules) so that it runs in VS Code for the Web too.
 *
 * The pieces: ctx.ts (the context that owns disposables, output, panel, runner and state),
 * commands/ (one factory per command, one file per feature), language/ (diagnostics, completion,
 * hover), patch-lens.ts and scenario-lens.ts (CodeLens), settings.ts (typed settings from
 * package.json).
 *
 * Workspace trust (Restricted Mode): diagnostics, completion, hover and lenses stay on. Running a
 * scenario from the workspace, re-running edited text from the panel, reading the workspace's hunk
 * map override and writing it ("Map this hunk…") are disabled. Built-in scenarios (the seed tables
 * and the default ablation scenario) still run: they come from the extension, not the workspace.
 */
import * as vscode from "vscode";
import type { MechanismId } from "../sim-core/index";
import { registerCommands } from "./commands/index";
import { panelHandlers } from "./commands/results";
import { Ctx } from "./ctx";
import { registerScenarioLanguage, SCENARIO_SELECTOR } from "./language/scenario-language";
import type { RunHistory } from "./history";
import { PANEL_VIEW_TYPE, type ResultsPanel } from "./panel";
import { RESULTS_EDITOR_VIEW_TYPE, ResultsFileEditor } from "./results-editor";
import { HunkMaps, type LensMode, OVERRIDE_FILE, PATCH_SELECTOR, PatchHoverProvider, PatchIndex, PatchLensProvider } from "./patch-lens";
import type { Platform, Runner } from "./runner";
import { ScenarioLensProvider } from "./scenario-lens";
import { PatchJobs } from "../runner/patch-jobs";
import { loadScenario } from "../scenario-loader/index";
import { warmUpTasks } from "./ablation";
import { builtInScenarioText, EXERCISED_BY } from "./exercise";

export { DEFAULT_ABLATION_SCENARIO, SEED_DIR, SEED_SCENARIOS } from "./seed";
export { TEMPLATES } from "./commands/new-scenario";

/** What activate() returns: used by the extension-host tests. */
export interface PvSchedApi {
  panel: ResultsPanel;
  runner: Runner;
  diagnostics: vscode.DiagnosticCollection;
  /** Last lens summary per mechanism. */
  effects: ReadonlyMap<MechanismId, string>;
  /** Mechanisms the last ablation did not fire, with the scenario's name. */
  notExercised: ReadonlyMap<MechanismId, string>;
  platform: Platform["kind"];
  history: RunHistory;
  status: vscode.StatusBarItem;
  resultsEditor: ResultsFileEditor;
}

/** The lenses on patches and scenarios, and the hunk maps behind them. */
function registerLenses(ctx: Ctx): void {
  const maps = new HunkMaps(
    (s) => ctx.log(s),
    (text) => void ctx.warn(text),
  );
  const jobs = new PatchJobs(() => ctx.platform.workers());
  const index = new PatchIndex(maps, jobs);
  const stateOf = (m: MechanismId) => ({ effect: ctx.effects.get(m), notExercisedIn: ctx.notExercised.get(m) });
  // A patch with mapped hunks is open: its reader may click one soon, so compile the workers now,
  // on the scenario of the first mechanism the simulator has (steal time, say, has none).
  const warmUp = (mapped: readonly MechanismId[]) =>
    ctx.runner.warmUp(() => {
      const m = mapped.find((x) => EXERCISED_BY[x] !== undefined);
      if (!m) return undefined;
      const path = EXERCISED_BY[m].scenario;
      const text = builtInScenarioText(path);
      const r = text === undefined ? undefined : loadScenario(text, path);
      return r?.ok ? warmUpTasks(r.scenario, m) : undefined;
    });
  const lenses = new PatchLensProvider(index, stateOf, () => ctx.config("pvsched.lens.enabled") as LensMode, warmUp);
  ctx.hunkMaps = maps;
  ctx.patchIndex = index;
  ctx.onEffectsChanged = () => lenses.refresh();
  ctx.push(
    maps,
    lenses,
    { dispose: () => void jobs.dispose() },
    vscode.languages.registerCodeLensProvider(PATCH_SELECTOR, lenses),
    vscode.languages.registerHoverProvider(PATCH_SELECTOR, new PatchHoverProvider(index, stateOf)),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration("pvsched.lens.enabled") && lenses.refresh()),
    vscode.languages.registerCodeLensProvider(SCENARIO_SELECTOR, new ScenarioLensProvider()),
    maps.onDidChange(() => {
      index.clear();
      lenses.refresh();
    }),
    vscode.workspace.onDidCloseTextDocument((d) => index.forget(d.uri)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void maps.reload()),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void maps.reload()),
  );
  const watcher = vscode.workspace.createFileSystemWatcher(`**/${OVERRIDE_FILE}`);
  ctx.push(
    watcher,
    watcher.onDidChange(() => void maps.reload()),
    watcher.onDidCreate(() => void maps.reload()),
    watcher.onDidDelete(() => void maps.reload()),
  );
  void maps.reload();
}

export function activateCommon(ext: vscode.ExtensionContext, platform: Platform): PvSchedApi {
  const ctx = new Ctx(ext, platform, panelHandlers);
  ctx.log(`activating (${platform.kind} extension host, VS Code ${vscode.version}, trusted: ${vscode.workspace.isTrusted})`);
  console.log(`[pvsched] activated in the ${platform.kind} extension host`);

  const diagnostics = registerScenarioLanguage(ext);
  ctx.push(
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (p: vscode.WebviewPanel) => ctx.panel.attach(p),
    }),
  );
  const resultsEditor = new ResultsFileEditor(ext.extensionUri, panelHandlers(ctx), (s) => ctx.log(s));
  ctx.push(
    vscode.window.registerCustomEditorProvider(RESULTS_EDITOR_VIEW_TYPE, resultsEditor, {
      webviewOptions: { retainContextWhenHidden: true },
    }),
    vscode.window.createTreeView("pvsched.history", { treeDataProvider: ctx.history, canSelectMany: true }),
  );
  registerLenses(ctx);
  registerCommands(ctx);
  return {
    panel: ctx.panel,
    runner: ctx.runner,
    diagnostics,
    effects: ctx.effects,
    notExercised: ctx.notExercised,
    platform: platform.kind,
    history: ctx.history,
    status: ctx.status,
    resultsEditor,
  };
}

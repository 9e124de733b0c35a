/**
 * Activation shared by the Node entry (`extension.ts`) and the browser entry (`web.ts`). Only the
 * simulation worker differs between them; everything here uses the portable VS Code API
 * (`workspace.fs`, no Node modules) so that it runs in VS Code for the Web too.
 *
 * Workspace trust (Restricted Mode): diagnostics, completion, hover and lenses stay on. Running a
 * scenario from the workspace, re-running edited text from the panel, reading the workspace's hunk
 * map override and writing it ("Map this hunk…") are disabled. Built-in scenarios (the seed tables
 * and the default ablation scenario) still run: they come from the extension, not the workspace.
 */
import * as vscode from "vscode";
import { loadScenario } from "../scenario-loader/index";
import { MECHANISMS, resolveModes, type MechanismId, type ModeSpec, type Scenario } from "../sim-core/index";
import type { RunResult } from "../sim-core/results";
import type { PublishedCell, ResultsPayload, WebviewToHost } from "../common/protocol";
import { buildSeedReport, SEED_FILES, type PublishedTables } from "../report/seed-report";
import published from "../reference/published.json";
import templatesJson from "../snippets/pvsched-scenario.json";
import { ablationModes, ablationScenario, summarizeAblation } from "./ablation";
import { registerScenarioLanguage, isScenarioDocument, LANGUAGE_ID, SCENARIO_SELECTOR } from "./language/scenario-language";
import { PANEL_VIEW_TYPE, ResultsPanel } from "./panel";
import {
  addOverrideRule,
  HunkMaps,
  hunkAt,
  OVERRIDE_FILE,
  PATCH_SELECTOR,
  PatchIndex,
  PatchLensProvider,
  ruleForHunk,
  type HunkArgs,
} from "./patch-lens";
import { Runner, type Platform } from "./runner";
import { ScenarioLensProvider } from "./scenario-lens";
import type { SimTask } from "./sim/protocol";
import { payloadCsv } from "./export";

/** The built-in seed scenarios (scenarios/seed/), compiled into the bundle by extension/build-config.mjs. */
declare const __PVSCHED_SEED_SCENARIOS__: Record<string, string> | undefined;
export const SEED_SCENARIOS: Record<string, string> =
  typeof __PVSCHED_SEED_SCENARIOS__ === "object" && __PVSCHED_SEED_SCENARIOS__ ? __PVSCHED_SEED_SCENARIOS__ : {};
export const SEED_DIR = "scenarios/seed";
/** The scenario the hunk lenses' ablation runs by default: the cover letter's busy -i 500 row. */
export const DEFAULT_ABLATION_SCENARIO = "cyclictest-busy-500.pvsched.yaml";

function seedText(file: string): string {
  const t = SEED_SCENARIOS[file];
  if (t === undefined) throw new Error(`the built-in seed scenario ${SEED_DIR}/${file} is missing from this build`);
  return t;
}

interface Template {
  prefix: string;
  description: string;
  body: string[];
}
/** Whole-scenario snippets (the ones with a top-level `name:`), offered by "New Scenario from Template". */
export const TEMPLATES: Record<string, Template> = Object.fromEntries(
  Object.entries(templatesJson as unknown as Record<string, Template>).filter(([, t]) => t.body.some((l) => /^name\s*:/.test(l))),
);

/** What activate() returns: used by the extension-host tests. */
export interface PvSchedApi {
  panel: ResultsPanel;
  runner: Runner;
  diagnostics: vscode.DiagnosticCollection;
  /** Last lens summary per mechanism. */
  effects: ReadonlyMap<MechanismId, string>;
  platform: Platform["kind"];
}

function config() {
  return vscode.workspace.getConfiguration("pvsched");
}

async function readText(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

function asUri(arg: unknown): vscode.Uri | undefined {
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

export function activateCommon(ctx: vscode.ExtensionContext, platform: Platform): PvSchedApi {
  const out = vscode.window.createOutputChannel("PV Sched");
  const log = (s: string) => out.appendLine(`[${new Date().toISOString()}] ${s}`);
  ctx.subscriptions.push(out);
  log(`activating (${platform.kind} extension host, VS Code ${vscode.version}, trusted: ${vscode.workspace.isTrusted})`);
  console.log(`[pvsched] activated in the ${platform.kind} extension host`);

  const diagnostics = registerScenarioLanguage(ctx);
  const effects = new Map<MechanismId, string>();
  const ablations = new Map<MechanismId, ResultsPayload>();

  // ----- panel and runner ---------------------------------------------------------------------
  let panel!: ResultsPanel;
  const runner = new Runner(platform, log, (percent, label) => panel?.post({ type: "progress", percent, label }));
  panel = new ResultsPanel(
    ctx.extensionUri,
    {
      initialMessages: () => [],
      onCancel: () => void runner.cancel(),
      onExport: (m) => void saveExport(m),
      onRerun: (text, last) => void rerun(text, last),
    },
    log,
  );
  ctx.subscriptions.push({ dispose: () => panel.dispose() });
  ctx.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (p: vscode.WebviewPanel) => panel.attach(p),
    }),
  );

  const requireTrust = (what: string): boolean => {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window
      .showWarningMessage(`PV Sched: ${what} is disabled in Restricted Mode. Trust this workspace to enable it.`, "Manage Workspace Trust")
      .then((c) => c && vscode.commands.executeCommand("workbench.trust.manage"));
    return false;
  };

  const reportError = (e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    log(`error: ${msg}`);
    panel.post({ type: "error", message: msg });
    void vscode.window.showErrorMessage(`PV Sched: ${msg}`);
  };

  // ----- scenarios ----------------------------------------------------------------------------
  /** Loads scenario text; on errors shows the first one and returns undefined. */
  const parseOrComplain = (text: string, name: string): Scenario | undefined => {
    const r = loadScenario(text, name);
    if (r.ok) return r.scenario;
    const first = r.errors[0];
    const where = first ? `${name}:${first.line}:${first.column}: ` : "";
    panel.post({ type: "error", message: `${where}${first?.message ?? "invalid scenario"}`, line: first?.line, column: first?.column });
    void vscode.window.showErrorMessage(`PV Sched: the scenario has ${r.errors.length} error(s). ${where}${first?.message ?? ""}`);
    return undefined;
  };

  const scenarioDocument = async (arg: unknown): Promise<vscode.TextDocument | undefined> => {
    const uri = asUri(arg);
    if (uri) return vscode.workspace.openTextDocument(uri);
    const ed = vscode.window.activeTextEditor;
    if (ed && isScenarioDocument(ed.document)) return ed.document;
    void vscode.window.showErrorMessage("PV Sched: open a scenario file (*.pvsched.yaml) first.");
    return undefined;
  };

  const tasksFor = (s: Scenario, modes: ModeSpec[], timeline?: boolean): SimTask[] =>
    modes.map((mode) => ({ scenario: s, mode, timeline: timeline ?? s.timeline?.enabled ?? true }));

  const runScenarioText = async (text: string, name: string, uri: string | undefined, modes?: (s: Scenario) => ModeSpec[]) => {
    const s = parseOrComplain(text, name);
    if (!s) return undefined;
    const specs = modes ? modes(s) : resolveModes(s);
    panel.show(true);
    const runs = await runner.run(`${s.name} (${specs.length} modes)`, tasksFor(s, specs));
    if (!runs) return undefined;
    panel.showResults({ title: s.name, source: { kind: "scenario", uri }, runs, scenarioText: text });
    return runs;
  };

  /** Vanilla, dynamic and static, plus any other modes the scenario lists (e.g. ablations). */
  const compareSpecs = (s: Scenario): ModeSpec[] => {
    const base: ModeSpec[] = [{ mode: "vanilla" }, { mode: "dynamic" }, { mode: "static" }];
    const label = (m: ModeSpec) => m.name ?? m.mode;
    const seen = new Set(base.map(label));
    for (const m of resolveModes(s)) if (!seen.has(label(m))) seen.add(label(m)), base.push(m);
    return base;
  };

  const runFromDocument = async (arg: unknown, compare: boolean) => {
    const doc = await scenarioDocument(arg);
    if (!doc) return undefined;
    if (doc.uri.scheme !== "untitled" && !requireTrust("Running a scenario from the workspace")) return undefined;
    try {
      return await runScenarioText(
        doc.getText(),
        vscode.workspace.asRelativePath(doc.uri),
        doc.uri.toString(),
        compare ? compareSpecs : undefined,
      );
    } catch (e) {
      reportError(e);
      return undefined;
    }
  };

  // ----- the hunk ablation ------------------------------------------------------------------------
  const ablationBase = async (): Promise<{ text: string; name: string }> => {
    const custom = vscode.workspace.isTrusted ? config().get<string>("ablation.scenario", "") : "";
    if (custom) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const uri = /^[a-z][a-z0-9+.-]*:/i.test(custom)
        ? vscode.Uri.parse(custom)
        : folder
          ? vscode.Uri.joinPath(folder, custom)
          : vscode.Uri.file(custom);
      return { text: await readText(uri), name: custom };
    }
    return { text: seedText(DEFAULT_ABLATION_SCENARIO), name: `${SEED_DIR}/${DEFAULT_ABLATION_SCENARIO}` };
  };

  const simulateHunk = async (mechanism: MechanismId, sourceUri?: string): Promise<string | undefined> => {
    const info = MECHANISMS.find((m) => m.id === mechanism);
    if (!info) throw new Error(`unknown mechanism ${mechanism}`);
    const base = await ablationBase();
    const s = parseOrComplain(base.text, base.name);
    if (!s) return undefined;
    const seconds = config().get<number>("ablation.durationSeconds", 10);
    const scenario = ablationScenario(s, mechanism, seconds);
    panel.show(true);
    const runs = await runner.run(
      `Patch ${info.patch} \u00b7 ${info.label}: with/without`,
      tasksFor(scenario, ablationModes(mechanism), true),
    );
    if (!runs) return undefined;
    const payload: ResultsPayload = {
      title: `Patch ${info.patch} \u00b7 ${info.label}: with / without (${s.name})`,
      source: { kind: "hunk", uri: sourceUri, mechanism },
      runs,
      scenarioText: base.text,
    };
    ablations.set(mechanism, payload);
    const summary = summarizeAblation(runs, mechanism) ?? "no latency samples";
    effects.set(mechanism, summary);
    lenses.refresh();
    panel.showResults(payload);
    return summary;
  };

  // ----- the seed report --------------------------------------------------------------------------
  const reproduceSeed = async () => {
    const loaded: { file: string; text: string; scenario: Scenario }[] = [];
    for (const file of SEED_FILES) {
      const text = seedText(file);
      const r = loadScenario(text, file);
      if (!r.ok) throw new Error(`${SEED_DIR}/${file}:${r.errors[0]!.line}:${r.errors[0]!.column}: ${r.errors[0]!.message}`);
      let scenario = r.scenario;
      const seconds = config().get<number>("seed.durationSeconds", 0);
      if (seconds > 0) scenario = { ...scenario, duration_s: seconds };
      loaded.push({ file, text, scenario });
    }
    const tasks: SimTask[] = [];
    const owner: string[] = [];
    for (const l of loaded) {
      for (const mode of resolveModes(l.scenario)) {
        tasks.push({ scenario: l.scenario, mode, timeline: false });
        owner.push(l.file);
      }
    }
    panel.show(true);
    const t0 = Date.now();
    const runs = await runner.run(`Reproducing the seed tables (${tasks.length} runs)`, tasks);
    if (!runs) return undefined;
    const report = buildSeedReport(
      runs.map((result, i) => ({ file: owner[i]!, result })),
      published as unknown as PublishedTables,
      { wallMs: Date.now() - t0 },
    );
    const cells: PublishedCell[] = [];
    for (const c of report.cells) {
      if (c.published === null) continue;
      const cell: PublishedCell =
        c.table === "cyclictest"
          ? { table: "cyclictest", load: c.load, interval: c.interval, side: c.side, stat: c.stat, mode: c.mode, published: c.published }
          : { table: "audio", load: c.load, buffer: c.buffer, stat: "glitches", mode: c.mode, published: c.published };
      if (c.simulated !== null) cell.simulated = c.simulated;
      cells.push(cell);
    }
    const payload: ResultsPayload = {
      title: "Seed results: simulated beside the cover letter",
      source: { kind: "seed" },
      runs,
      cells,
      claims: report.claims.map((c) => ({ id: c.id, text: `${c.text} (${c.detail})`, holds: c.holds })),
    };
    panel.showResults(payload);
    const held = report.claims.filter((c) => c.holds).length;
    log(`seed report: ${held}/${report.claims.length} claims hold; median log10 error ${report.medianLog10Error?.toFixed(2) ?? "n/a"}`);
    return payload;
  };

  // ----- panel callbacks ------------------------------------------------------------------------
  const rerun = async (text: string, last: ResultsPayload | undefined) => {
    if (last?.source.kind === "seed") {
      panel.post({ type: "error", message: "The seed report runs the built-in scenarios; edit a scenario file to run your own." });
      return;
    }
    if (!requireTrust("Running edited scenario text")) {
      panel.post({ type: "error", message: "Restricted Mode: running scenarios is disabled in this workspace." });
      return;
    }
    try {
      if (last?.source.kind === "hunk" && last.source.mechanism) {
        const mech = last.source.mechanism as MechanismId;
        const s = parseOrComplain(text, "panel editor");
        if (!s) return;
        const seconds = config().get<number>("ablation.durationSeconds", 10);
        const runs = await runner.run(
          `${mech}: with/without (edited)`,
          tasksFor(ablationScenario(s, mech, seconds), ablationModes(mech), true),
        );
        if (!runs) return;
        const payload: ResultsPayload = { ...last, runs, scenarioText: text };
        ablations.set(mech, payload);
        effects.set(mech, summarizeAblation(runs, mech) ?? "no latency samples");
        lenses.refresh();
        panel.showResults(payload);
        return;
      }
      await runScenarioText(text, "panel editor", last?.source.uri);
    } catch (e) {
      reportError(e);
    }
  };

  const saveExport = async (m: Extract<WebviewToHost, { type: "export" }>) => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const filters: Record<string, string[]> = { csv: { CSV: ["csv"] }, json: { JSON: ["json"] }, svg: { SVG: ["svg"] } }[m.format] as never;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, m.suggestedName) : undefined,
      filters,
      title: `Export results as ${m.format.toUpperCase()}`,
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(m.content));
    log(`exported ${m.format} to ${target.toString()}`);
    void vscode.window.showInformationMessage(`PV Sched: exported ${vscode.workspace.asRelativePath(target)}`);
  };

  // ----- lenses -----------------------------------------------------------------------------------
  const maps = new HunkMaps(log);
  const index = new PatchIndex(maps);
  const lenses = new PatchLensProvider(index, (m) => effects.get(m));
  const scenarioLenses = new ScenarioLensProvider();
  ctx.subscriptions.push(
    maps,
    lenses,
    vscode.languages.registerCodeLensProvider(PATCH_SELECTOR, lenses),
    vscode.languages.registerCodeLensProvider(SCENARIO_SELECTOR, scenarioLenses),
    maps.onDidChange(() => {
      index.clear();
      lenses.refresh();
    }),
    vscode.workspace.onDidCloseTextDocument((d) => index.forget(d.uri)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void maps.reload()),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void maps.reload()),
  );
  const watcher = vscode.workspace.createFileSystemWatcher(`**/${OVERRIDE_FILE}`);
  ctx.subscriptions.push(
    watcher,
    watcher.onDidChange(() => void maps.reload()),
    watcher.onDidCreate(() => void maps.reload()),
    watcher.onDidDelete(() => void maps.reload()),
  );
  void maps.reload();

  const mapHunk = async (args: HunkArgs | undefined, chosen?: string) => {
    if (!args) return undefined;
    if (!requireTrust(`Writing ${OVERRIDE_FILE}`)) return undefined;
    const uri = vscode.Uri.parse(args.uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    const h = hunkAt(index, doc, args.line);
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
    const parsed = index.get(doc).parsed;
    const added = parsed.patches.flatMap((p) => p.files.flatMap((f) => f.hunks)).find((x) => x.line === h.line)?.identifiersAdded ?? [];
    const file = await addOverrideRule(folder.uri, ruleForHunk(h, added, mech));
    await maps.reload();
    void vscode.window.showInformationMessage(`PV Sched: mapped the hunk to ${mech} in ${vscode.workspace.asRelativePath(file)}.`);
    return file.toString();
  };

  // ----- commands ---------------------------------------------------------------------------------
  const guard =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R | undefined> => {
      try {
        return await f(...a);
      } catch (e) {
        reportError(e);
        return undefined;
      }
    };

  const exportResults = async (arg?: { format?: "json" | "csv"; uri?: string }) => {
    const payload = panel.lastPayload;
    if (!payload) {
      void vscode.window.showInformationMessage("PV Sched: nothing to export yet; run a scenario first.");
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
        panel.show(false);
        void vscode.window.showInformationMessage("PV Sched: use the export buttons above each chart in the results panel for SVG.");
        return undefined;
      }
      format = pick.format;
    }
    const content = format === "json" ? JSON.stringify(payload, null, 2) + "\n" : payloadCsv(payload);
    const name = `${
      payload.title
        .replace(/[^A-Za-z0-9_.-]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 60) || "results"
    }.${format}`;
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
    log(`exported ${format} to ${target.toString()}`);
    return target.toString();
  };

  const newScenario = async (key?: string) => {
    let t = key ? TEMPLATES[key] : undefined;
    if (!t) {
      const pick = await vscode.window.showQuickPick(
        Object.entries(TEMPLATES).map(([k, v]) => ({ label: k, description: v.prefix, detail: v.description, key: k })),
        { title: "New scenario from template", matchOnDescription: true, matchOnDetail: true },
      );
      if (!pick) return undefined;
      t = TEMPLATES[pick.key];
    }
    const doc = await vscode.workspace.openTextDocument({ language: LANGUAGE_ID, content: "" });
    const editor = await vscode.window.showTextDocument(doc);
    await editor.insertSnippet(new vscode.SnippetString(t!.body.join("\n") + "\n"));
    return doc.uri.toString();
  };

  const showResults = async (arg?: { mechanism?: MechanismId }) => {
    const p = arg?.mechanism ? ablations.get(arg.mechanism) : undefined;
    if (p) panel.showResults(p);
    else panel.show(false);
    return panel.current ? "shown" : undefined;
  };

  ctx.subscriptions.push(
    vscode.commands.registerCommand("pvsched.runScenario", (arg?: unknown) => runFromDocument(arg, false)),
    vscode.commands.registerCommand("pvsched.compareModes", (arg?: unknown) => runFromDocument(arg, true)),
    vscode.commands.registerCommand("pvsched.reproduceSeed", guard(reproduceSeed)),
    vscode.commands.registerCommand("pvsched.newScenario", guard(newScenario)),
    vscode.commands.registerCommand("pvsched.showResults", guard(showResults)),
    vscode.commands.registerCommand("pvsched.exportResults", guard(exportResults)),
    vscode.commands.registerCommand(
      "pvsched.simulateHunk",
      guard(async (args?: HunkArgs) => {
        if (!args?.mechanism) throw new Error("no mechanism given for the hunk");
        return simulateHunk(args.mechanism, args.uri);
      }),
    ),
    vscode.commands.registerCommand("pvsched.mapHunk", guard(mapHunk)),
    vscode.commands.registerCommand("pvsched.cancelRun", () => runner.cancel()),
  );

  return { panel, runner, diagnostics, effects, platform: platform.kind };
}

export type { RunResult };

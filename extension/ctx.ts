/**
 * The extension's context, shaped like rust-analyzer's client: one object that owns what lives as
 * long as the extension (the disposables, the output channel, the results panel, the runner, the
 * state the lenses show) and the few services every feature needs (typed settings, notifications,
 * the trust gate, scenario parsing). Command factories (commands/) receive it; nothing else holds
 * VS Code state.
 */
import * as vscode from "vscode";
import { escapeNotification } from "../common/escape";
import type { ResultsPayload } from "../common/protocol";
import { loadScenario } from "../scenario-loader/index";
import type { MechanismId, Scenario } from "../sim-core/index";
import { RunHistory } from "./history";
import { type PanelHandlers, ResultsPanel } from "./panel";
import type { HunkMaps, PatchIndex } from "./patch-lens";
import { type Platform, type RunOutcome, Runner } from "./runner";
import { checkSetting, type SettingKey, type SettingValue } from "./settings";

export class Ctx {
  readonly output: vscode.LogOutputChannel;
  readonly runner: Runner;
  readonly panel: ResultsPanel;
  /** Every result shown, kept across reloads (the "PV Sched" view). */
  readonly history: RunHistory;
  /** "PV Sched: <run> 42 %" while something runs; "Cancelled" for a moment after a cancel. */
  readonly status: vscode.StatusBarItem;
  private statusTimer: ReturnType<typeof setTimeout> | undefined;
  /** Last lens summary per mechanism (what the hunk lenses show after an ablation). */
  readonly effects = new Map<MechanismId, string>();
  /** Mechanisms whose last ablation never fired them, with the scenario's name. */
  readonly notExercised = new Map<MechanismId, string>();
  /** The last ablation's results per mechanism (a lens's effect reopens them). */
  readonly ablations = new Map<MechanismId, ResultsPayload>();
  /** Setting problems already reported, so a bad value warns once, not on every read. */
  private readonly warned = new Set<string>();
  /** Called after an ablation changed `effects` (the patch lenses refresh). */
  onEffectsChanged: () => void = () => {};
  /** The hunk maps and the parsed patches behind the lenses (set when the lenses register). */
  hunkMaps!: HunkMaps;
  patchIndex!: PatchIndex;

  constructor(
    readonly ext: vscode.ExtensionContext,
    readonly platform: Platform,
    panelHandlers: (ctx: Ctx) => PanelHandlers,
  ) {
    this.output = vscode.window.createOutputChannel("PV Sched", { log: true });
    this.push(this.output);
    this.status = vscode.window.createStatusBarItem("pvsched.run", vscode.StatusBarAlignment.Left, 10);
    this.status.name = "PV Sched run";
    this.push(this.status, { dispose: () => clearTimeout(this.statusTimer) });
    this.runner = new Runner(platform, (s) => this.log(s), {
      progress: (percent, label) => {
        this.panel?.post({ type: "progress", percent, label });
        this.setStatus(`$(sync~spin) PV Sched: ${label}${percent > 0 ? ` ${percent}%` : ""}`, "Cancel the run");
      },
      started: () => void vscode.commands.executeCommand("setContext", "pvsched.running", true),
      ended: (title, outcome, running) => this.runEnded(title, outcome, running),
      whenBusy: (running, next) => this.whenBusy(running, next),
    });
    this.panel = new ResultsPanel(ext.extensionUri, panelHandlers(this), (s) => this.log(s));
    this.push({ dispose: () => this.panel.dispose() });
    this.history = new RunHistory(vscode.Uri.joinPath(ext.storageUri ?? ext.globalStorageUri, "history"), (s) => this.log(s));
    this.push(this.history);
    // After a reload the newest results are what the panel shows and Export writes.
    void this.history.latest().then((p) => {
      if (!p) return;
      this.panel.restore(p);
      void vscode.commands.executeCommand("setContext", "pvsched.hasResults", true);
    });
  }

  /** Shows results in the panel and records them in the history. */
  publish(payload: ResultsPayload): void {
    this.panel.showResults(payload);
    void vscode.commands.executeCommand("setContext", "pvsched.hasResults", true);
    void this.history.add(payload).catch(() => undefined);
  }

  private setStatus(text: string, tooltip: string, hideAfterMs?: number): void {
    clearTimeout(this.statusTimer);
    this.status.text = text;
    this.status.tooltip = tooltip;
    this.status.command = hideAfterMs ? undefined : "pvsched.cancelRun";
    this.status.show();
    if (hideAfterMs) this.statusTimer = setTimeout(() => this.status.hide(), hideAfterMs);
  }

  private runEnded(title: string, outcome: RunOutcome, running: number): void {
    this.panel.post({ type: "ended", outcome, label: title });
    if (running > 0) return;
    void vscode.commands.executeCommand("setContext", "pvsched.running", false);
    if (outcome === "cancelled") this.setStatus("$(circle-slash) PV Sched: Cancelled", `${title}: cancelled`, 5000);
    else {
      clearTimeout(this.statusTimer);
      this.status.hide();
    }
  }

  /** A run asked for while others run: `pvsched.run.whenBusy` decides, or the user does. */
  private async whenBusy(running: readonly string[], next: string): Promise<"queue" | "cancel" | undefined> {
    const policy = this.config("pvsched.run.whenBusy");
    if (policy === "queue" || policy === "cancel") {
      this.log(`${next}: ${policy === "queue" ? "queued behind" : "cancelling"} ${running.join(", ")} (pvsched.run.whenBusy)`);
      return policy;
    }
    const QUEUE = "Run After It";
    const CANCEL = "Cancel It and Run";
    const pick = await vscode.window.showWarningMessage(
      escapeNotification(`PV Sched: "${running[running.length - 1]}" is still running. Run "${next}" after it, or cancel it?`),
      { modal: true, detail: "The setting pvsched.run.whenBusy can make this choice for you." },
      QUEUE,
      CANCEL,
    );
    return pick === QUEUE ? "queue" : pick === CANCEL ? "cancel" : undefined;
  }

  push(...d: vscode.Disposable[]): void {
    this.ext.subscriptions.push(...d);
  }

  /** A line in the output channel (bound: it is passed around as a callback). */
  readonly log = (s: string): void => {
    this.output.info(s);
  };

  /**
   * A setting, typed by its key in package.json, with the manifest's default and bounds applied;
   * a value of the wrong type or out of range gives the default and one warning.
   */
  config<K extends SettingKey>(key: K, scope?: vscode.Uri): SettingValue<K> {
    const raw = vscode.workspace.getConfiguration(undefined, scope).get<unknown>(key);
    const { value, problem } = checkSetting(key, raw);
    if (problem && !this.warned.has(problem)) {
      this.warned.add(problem);
      this.log(`setting refused: ${problem}`);
      this.warn(`PV Sched: ${problem}.`);
    }
    return value;
  }

  // Notifications: every text is escaped, so a YAML key or a map rule quoted in it cannot become
  // a command link (issue 14).
  error(text: string, ...items: string[]): Thenable<string | undefined> {
    return vscode.window.showErrorMessage(escapeNotification(text), ...items);
  }
  warn(text: string, ...items: string[]): Thenable<string | undefined> {
    return vscode.window.showWarningMessage(escapeNotification(text), ...items);
  }
  info(text: string, ...items: string[]): Thenable<string | undefined> {
    return vscode.window.showInformationMessage(escapeNotification(text), ...items);
  }

  /** True in a trusted workspace; else explains that `what` is disabled in Restricted Mode. */
  requireTrust(what: string): boolean {
    if (vscode.workspace.isTrusted) return true;
    void this.warn(`PV Sched: ${what} is disabled in Restricted Mode. Trust this workspace to enable it.`, "Manage Workspace Trust").then(
      (c) => c && vscode.commands.executeCommand("workbench.trust.manage"),
    );
    return false;
  }

  reportError(e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    this.log(`error: ${msg}`);
    this.panel.post({ type: "error", message: msg });
    void this.error(`PV Sched: ${msg}`);
  }

  /** Loads scenario text; on errors shows the first one (panel and notification) and returns undefined. */
  parseOrComplain(text: string, name: string): Scenario | undefined {
    const r = loadScenario(text, name);
    if (r.ok) return r.scenario;
    const first = r.errors[0];
    const where = first ? `${name}:${first.line}:${first.column}: ` : "";
    this.panel.post({
      type: "error",
      message: `${where}${first?.message ?? "invalid scenario"}`,
      line: first?.line,
      column: first?.column,
    });
    void this.error(`PV Sched: the scenario has ${r.errors.length} error(s). ${where}${first?.message ?? ""}`);
    return undefined;
  }
}

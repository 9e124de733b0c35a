/**
 * The results webview beside the editor. The UI itself is the webview bundle
 * (`dist/webview/main.js` + `main.css`, built from `webview/`); this file owns the panel, its HTML
 * and CSP, and the message channel. Every message from the webview is untrusted input: it is
 * checked with `isWebviewToHost` before anything reads it.
 */
import * as vscode from "vscode";
import { makeNonce, panelHtmlString } from "./panel-html";
import { fitForPanel } from "./panel-fit";
import { isWebviewToHost, type HostToWebview, type ResultsPayload, type WebviewToHost } from "../common/protocol";

export const PANEL_VIEW_TYPE = "pvsched.results";
export const PANEL_TITLE = "PV Sched Results";

export interface PanelHandlers {
  /** The user edited the scenario in the panel's editor and asked to run it again. */
  onRerun(scenarioText: string, payload: ResultsPayload | undefined): void;
  onCancel(): void;
  /** The webview produced an export file. */
  onExport(m: Extract<WebviewToHost, { type: "export" }>): void;
  /**
   * The view's Timeline tab opened on results recorded without timelines: record them. Resolves
   * to what that view should show (the results with their timelines, or an error), or undefined.
   */
  onTimeline(payload: ResultsPayload | undefined): Promise<HostToWebview | undefined>;
  /** Extra first messages for a freshly loaded webview (for example the schema). */
  initialMessages(): HostToWebview[];
}

/** The panel's HTML for this webview (see panel-html.ts for the CSP). */
export function panelHtml(webview: vscode.Webview, distWebview: vscode.Uri, nonce = makeNonce()): string {
  return panelHtmlString({
    cspSource: webview.cspSource,
    nonce,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(distWebview, "main.js")).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(distWebview, "main.css")).toString(),
    baseUri: webview.asWebviewUri(distWebview).toString(),
    title: PANEL_TITLE,
  });
}

/**
 * One webview showing the results UI: the results panel, or a results file opened in the custom
 * editor. Messages posted before the UI said "ready" wait (only the newest progress is kept);
 * every incoming message is checked before a handler sees it.
 */
export class ResultsView {
  private ready = false;
  private queue: HostToWebview[] = [];
  /** The payload this view shows (sent again when the UI reloads). */
  last: ResultsPayload | undefined;
  /** Messages received and refused (for tests and the log). */
  rejected = 0;

  constructor(
    readonly panel: vscode.WebviewPanel,
    distWebview: vscode.Uri,
    private readonly handlers: PanelHandlers,
    private readonly log: (s: string) => void,
  ) {
    panel.webview.options = { enableScripts: true, localResourceRoots: [distWebview] };
    panel.webview.html = panelHtml(panel.webview, distWebview);
    panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m));
  }

  receive(m: unknown): void {
    if (!isWebviewToHost(m)) {
      this.rejected++;
      this.log(`webview: refused a malformed message (${describe(m)})`);
      return;
    }
    switch (m.type) {
      case "ready": {
        this.ready = true;
        const first = [...this.handlers.initialMessages()];
        if (this.last && !this.queue.some((q) => q.type === "results")) first.push({ type: "results", payload: this.last });
        for (const q of [...first, ...this.queue]) this.send(q);
        this.queue = [];
        break;
      }
      case "rerun":
        this.handlers.onRerun(m.scenarioText, this.last);
        break;
      case "cancel":
        this.handlers.onCancel();
        break;
      case "export":
        this.handlers.onExport(m);
        break;
      case "timeline": {
        const asked = this.last;
        void this.handlers.onTimeline(asked).then(
          // Results that replaced these meanwhile are not overwritten with the old ones.
          (reply) => {
            if (reply && this.last === asked) this.post(reply);
          },
          (e: unknown) => this.log(`timeline: ${e instanceof Error ? e.message : String(e)}`),
        );
        break;
      }
    }
  }

  post(m: HostToWebview): void {
    if (m.type === "results") this.last = m.payload;
    if (!this.ready) {
      // Only the newest progress matters; results and errors are kept in order.
      if (m.type === "progress") this.queue = this.queue.filter((q) => q.type !== "progress");
      this.queue.push(m);
      return;
    }
    this.send(m);
  }

  /**
   * Posts a message; results go as `fitForPanel` makes them (the largest timelines downsampled, with
   * a note, when too big). Should posting still fail, the results go again without any timeline
   * and with a note that says why, so the panel never stays without them.
   */
  private send(m: HostToWebview): void {
    const out: HostToWebview = m.type === "results" ? { type: "results", payload: fitForPanel(m.payload) } : m;
    const failed = (e: unknown) => {
      const why = e instanceof Error ? e.message : String(e);
      this.log(`webview: posting ${m.type} failed: ${why}`);
      if (out.type !== "results" || !out.payload.runs.some((r) => r.timeline)) return;
      const note = `The timelines of these results are not shown: sending them to the panel failed (${why}).`;
      const bare = {
        ...out.payload,
        runs: out.payload.runs.map(({ timeline: _t, ...r }) => r),
        notes: [...(out.payload.notes ?? []), note],
      };
      void Promise.resolve(this.panel.webview.postMessage({ type: "results", payload: bare })).catch(() => undefined);
    };
    try {
      void Promise.resolve(this.panel.webview.postMessage(out)).then(undefined, failed);
    } catch (e) {
      failed(e);
    }
  }
}

/** The results panel beside the editor: one at a time, reopened with its last results. */
export class ResultsPanel {
  private view: ResultsView | undefined;
  private last: ResultsPayload | undefined;
  private readonly distWebview: vscode.Uri;
  private refusedBefore = 0;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly handlers: PanelHandlers,
    private readonly log: (s: string) => void,
  ) {
    this.distWebview = vscode.Uri.joinPath(extensionUri, "dist", "webview");
  }

  get current(): vscode.WebviewPanel | undefined {
    return this.view?.panel;
  }

  /** What the panel shows (with the timelines it recorded on demand), or showed last. */
  get lastPayload(): ResultsPayload | undefined {
    return this.view?.last ?? this.last;
  }

  /** Messages the panel refused, over every panel this session opened. */
  get rejected(): number {
    return this.refusedBefore + (this.view?.rejected ?? 0);
  }

  /** The results to show when the panel (re)opens, without opening it (e.g. restored from history). */
  restore(payload: ResultsPayload): void {
    if (this.last) return;
    this.last = payload;
    if (this.view && !this.view.last) this.view.post({ type: "results", payload });
  }

  /** Opens (or reveals) the panel beside the active editor. */
  show(preserveFocus = true): vscode.WebviewPanel {
    if (this.view) {
      this.view.panel.reveal(vscode.ViewColumn.Beside, preserveFocus);
      return this.view.panel;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      PANEL_TITLE,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [this.distWebview],
      },
    );
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, "media", "icon.png");
    this.attach(panel);
    return panel;
  }

  /** Used by the serializer to take over a panel restored after a reload. */
  attach(panel: vscode.WebviewPanel): void {
    const view = new ResultsView(panel, this.distWebview, this.handlers, this.log);
    view.last = this.last;
    this.view = view;
    panel.onDidDispose(() => {
      if (this.view !== view) return;
      this.refusedBefore += view.rejected;
      this.view = undefined;
    });
  }

  /** For the tests: a message as if the webview had sent it. */
  receive(m: unknown): void {
    this.view?.receive(m);
  }

  post(m: HostToWebview): void {
    if (m.type === "results") this.last = m.payload;
    this.view?.post(m);
  }

  showResults(payload: ResultsPayload): void {
    this.last = payload;
    this.show(true);
    this.post({ type: "results", payload });
  }

  dispose(): void {
    this.view?.panel.dispose();
  }
}

function describe(m: unknown): string {
  if (typeof m !== "object" || m === null) return typeof m;
  const t = (m as { type?: unknown }).type;
  return typeof t === "string" ? `type ${JSON.stringify(t.slice(0, 40))}` : "no type";
}

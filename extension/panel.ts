/**
 * The results webview beside the editor. The UI itself is the webview bundle
 * (`dist/webview/main.js` + `main.css`, built from `webview/`); this file owns the panel, its HTML
 * and CSP, and the message channel. Every message from the webview is untrusted input: it is
 * checked with `isWebviewToHost` before anything reads it.
 */
import * as vscode from "vscode";
import { makeNonce, panelHtmlString } from "./panel-html";
import { isWebviewToHost, type HostToWebview, type ResultsPayload, type WebviewToHost } from "../common/protocol";

export const PANEL_VIEW_TYPE = "pvsched.results";
export const PANEL_TITLE = "PV Sched Results";

export interface PanelHandlers {
  /** The user edited the scenario in the panel's editor and asked to run it again. */
  onRerun(scenarioText: string, payload: ResultsPayload | undefined): void;
  onCancel(): void;
  /** The webview produced an export file. */
  onExport(m: Extract<WebviewToHost, { type: "export" }>): void;
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

export class ResultsPanel {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private queue: HostToWebview[] = [];
  private last: ResultsPayload | undefined;
  private readonly distWebview: vscode.Uri;
  /** Messages received and refused (for tests and the log). */
  rejected = 0;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly handlers: PanelHandlers,
    private readonly log: (s: string) => void,
  ) {
    this.distWebview = vscode.Uri.joinPath(extensionUri, "dist", "webview");
  }

  get current(): vscode.WebviewPanel | undefined {
    return this.panel;
  }

  get lastPayload(): ResultsPayload | undefined {
    return this.last;
  }

  /** Opens (or reveals) the panel beside the active editor. */
  show(preserveFocus = true): vscode.WebviewPanel {
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, preserveFocus);
      return this.panel;
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
    this.panel = panel;
    this.ready = false;
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.distWebview] };
    panel.webview.html = panelHtml(panel.webview, this.distWebview);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
      this.queue = [];
    });
    panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m));
  }

  private receive(m: unknown): void {
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
        for (const q of [...first, ...this.queue]) void this.panel?.webview.postMessage(q);
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
    }
  }

  post(m: HostToWebview): void {
    if (m.type === "results") this.last = m.payload;
    if (!this.panel) return;
    if (!this.ready) {
      // Only the newest progress matters; results and errors are kept in order.
      if (m.type === "progress") this.queue = this.queue.filter((q) => q.type !== "progress");
      this.queue.push(m);
      return;
    }
    void this.panel.webview.postMessage(m);
  }

  showResults(payload: ResultsPayload): void {
    this.last = payload;
    this.show(true);
    this.post({ type: "results", payload });
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

function describe(m: unknown): string {
  if (typeof m !== "object" || m === null) return typeof m;
  const t = (m as { type?: unknown }).type;
  return typeof t === "string" ? `type ${JSON.stringify(t.slice(0, 40))}` : "no type";
}

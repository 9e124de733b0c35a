/**
 * `*.pvsched-results.json` (an Export, or a file of the run history) opens in the results UI as a
 * read-only custom editor. The file is checked like any results payload; a damaged one shows its
 * problem in the UI's error banner. Re-running from its Scenario tab runs in the results panel.
 */
import * as vscode from "vscode";
import type { PanelHandlers } from "./panel";
import { ResultsView } from "./panel";
import { parseResultsFile } from "./history-model";

export const RESULTS_EDITOR_VIEW_TYPE = "pvsched.resultsFile";

export class ResultsFileEditor implements vscode.CustomReadonlyEditorProvider {
  /** Open views by file (for the tests). */
  readonly views = new Map<string, ResultsView>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly handlers: PanelHandlers,
    private readonly log: (s: string) => void,
  ) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(doc: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const view = new ResultsView(panel, vscode.Uri.joinPath(this.extensionUri, "dist", "webview"), this.handlers, this.log);
    const key = doc.uri.toString();
    this.views.set(key, view);
    panel.onDidDispose(() => this.views.get(key) === view && this.views.delete(key));
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(doc.uri));
    } catch (e) {
      view.post({
        type: "error",
        message: `cannot read ${vscode.workspace.asRelativePath(doc.uri)}: ${e instanceof Error ? e.message : e}`,
      });
      return;
    }
    const r = parseResultsFile(text);
    if ("problem" in r) {
      view.post({ type: "error", message: `${vscode.workspace.asRelativePath(doc.uri)}: ${r.problem}` });
      return;
    }
    view.post({ type: "results", payload: r.payload });
  }
}

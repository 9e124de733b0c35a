/** CodeLens on scenario files: "▶ Run" and "Compare modes" above the scenario's `name:` line. */
import * as vscode from "vscode";
import { commandId } from "./commands/ids";
import { MODE_NAMES } from "../common/modes";

export class ScenarioLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    // Anchor on the `name:` key when there is one at the top level, else on the first line.
    let line = 0;
    for (let i = 0; i < Math.min(doc.lineCount, 200); i++) {
      if (/^name\s*:/.test(doc.lineAt(i).text)) {
        line = i;
        break;
      }
    }
    const range = new vscode.Range(line, 0, line, 0);
    const uri = doc.uri.toString();
    return [
      new vscode.CodeLens(range, {
        title: "\u25b6 Run",
        command: commandId("runScenario"),
        arguments: [uri],
        tooltip: "Run the scenario's modes",
      }),
      new vscode.CodeLens(range, {
        title: "Compare modes",
        command: commandId("compareModes"),
        arguments: [uri],
        tooltip: `Run ${MODE_NAMES.vanilla}, ${MODE_NAMES.dynamic} and ${MODE_NAMES.static} side by side`,
      }),
    ];
  }
}

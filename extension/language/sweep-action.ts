/**
 * "Sweep this parameter…" on a number in a scenario file (issue 13): a code action (Ctrl+. on the
 * number) that runs the pvsched.sweepParameter command with the number's YAML path.
 */
import * as vscode from "vscode";
import { numberAt } from "../../scenario-loader/index";
import { commandId } from "../commands/ids";

/** What the code action passes: the document, the number's YAML path and its value. */
export interface SweepArgs {
  uri: string;
  path: string;
  value: number;
  /** The values to run, without asking (tests, other extensions); absent: an input box asks. */
  values?: number[];
}

/** The path as `pvsched-sim sweep --param` writes it: keys and list indices joined by dots. */
export const dottedPath = (path: readonly (string | number)[]) => path.map(String).join(".");

export class SweepCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.Refactor];

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection): vscode.CodeAction[] {
    const n = numberAt(doc.getText(), doc.offsetAt(range.start));
    if (!n) return [];
    const args: SweepArgs = { uri: doc.uri.toString(), path: dottedPath(n.path), value: n.value };
    const a = new vscode.CodeAction(`Sweep this parameter (${args.path})…`, vscode.CodeActionKind.Refactor);
    a.command = { command: commandId("sweepParameter"), title: a.title, arguments: [args] };
    return [a];
  }
}

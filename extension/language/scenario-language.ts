/**
 * The scenario language in VS Code's own editor, with no other extension needed: diagnostics from
 * the scenario loader (yaml + precompiled ajv + sim-core's limits), completion and hover from the
 * scenario JSON Schema. Read-only features: they work in Restricted Mode too.
 */
import * as vscode from "vscode";
import { completionsAt, hoverAt, loadScenario, SCENARIO_SCHEMA, type ScenarioError } from "../../scenario-loader/index";
import { SweepCodeActions } from "./sweep-action";

export const LANGUAGE_ID = "pvsched-scenario";
export const SCENARIO_SELECTOR: vscode.DocumentSelector = [
  { language: LANGUAGE_ID },
  // Scheme-agnostic: `file`, `vscode-remote`, `vscode-test-web`, untitled...
  { pattern: "**/*.pvsched.yaml" },
];

const schema = SCENARIO_SCHEMA;

export function isScenarioDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === LANGUAGE_ID || doc.uri.path.endsWith(".pvsched.yaml");
}

export function toDiagnostic(doc: vscode.TextDocument, e: ScenarioError): vscode.Diagnostic {
  const start = doc.positionAt(e.offset);
  const end = doc.positionAt(e.offset + Math.max(0, e.length));
  const d = new vscode.Diagnostic(
    new vscode.Range(start, end),
    e.message,
    e.severity === "warning" ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error,
  );
  d.source = "pvsched";
  if (e.path) d.code = e.path;
  return d;
}

/** Diagnostics of one document: errors when it does not load, else the loader's warnings. */
export function scenarioDiagnostics(doc: vscode.TextDocument): vscode.Diagnostic[] {
  const r = loadScenario(doc.getText(), doc.uri.path);
  const errs = r.ok ? r.warnings : r.errors;
  return errs.map((e) => toDiagnostic(doc, e));
}

export function registerScenarioLanguage(ctx: vscode.ExtensionContext): vscode.DiagnosticCollection {
  const collection = vscode.languages.createDiagnosticCollection("pvsched");
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const refresh = (doc: vscode.TextDocument, delayMs: number) => {
    if (!isScenarioDocument(doc)) return;
    const key = doc.uri.toString();
    const t = timers.get(key);
    if (t) clearTimeout(t);
    const run = () => {
      timers.delete(key);
      if (doc.isClosed) return;
      collection.set(doc.uri, scenarioDiagnostics(doc));
    };
    if (delayMs <= 0) run();
    else timers.set(key, setTimeout(run, delayMs));
  };

  ctx.subscriptions.push(
    collection,
    vscode.workspace.onDidOpenTextDocument((d) => refresh(d, 0)),
    // A short debounce: validation is fast (a few ms), this only avoids work on every keystroke.
    vscode.workspace.onDidChangeTextDocument((e) => refresh(e.document, 150)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      collection.delete(d.uri);
      const t = timers.get(d.uri.toString());
      if (t) clearTimeout(t);
    }),
    vscode.languages.registerCompletionItemProvider(SCENARIO_SELECTOR, new ScenarioCompletion(), ":", " ", "-"),
    vscode.languages.registerHoverProvider(SCENARIO_SELECTOR, new ScenarioHover()),
    vscode.languages.registerCodeActionsProvider(SCENARIO_SELECTOR, new SweepCodeActions(), {
      providedCodeActionKinds: SweepCodeActions.kinds,
    }),
    {
      dispose: () =>
        timers.forEach((t) => {
          clearTimeout(t);
        }),
    },
  );
  for (const d of vscode.workspace.textDocuments) refresh(d, 0);
  return collection;
}

class ScenarioCompletion implements vscode.CompletionItemProvider {
  provideCompletionItems(doc: vscode.TextDocument, pos: vscode.Position): vscode.CompletionItem[] {
    const text = doc.getText();
    const offset = doc.offsetAt(pos);
    const r = completionsAt(text, offset, schema);
    const range = new vscode.Range(doc.positionAt(r.replace[0]), doc.positionAt(r.replace[1]));
    const indent = /^\s*(?:-\s+)*/.exec(doc.lineAt(pos.line).text)?.[0].length ?? 0;
    const pad = " ".repeat(indent + 2);
    const eol = doc.eol === vscode.EndOfLine.CRLF ? "\r\n" : "\n";
    return r.entries.map((e, i) => {
      const item = new vscode.CompletionItem(
        e.label,
        e.kind === "property" ? vscode.CompletionItemKind.Property : vscode.CompletionItemKind.EnumMember,
      );
      item.detail = e.detail;
      if (e.documentation) item.documentation = new vscode.MarkdownString(e.documentation);
      item.range = range;
      item.sortText = String(i).padStart(4, "0");
      if (e.block === "object") item.insertText = new vscode.SnippetString(`${e.label}:${eol}${pad}$0`);
      else if (e.block === "array") item.insertText = new vscode.SnippetString(`${e.label}:${eol}${pad}- $0`);
      else item.insertText = e.insertText;
      return item;
    });
  }
}

class ScenarioHover implements vscode.HoverProvider {
  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const h = hoverAt(doc.getText(), doc.offsetAt(pos), schema);
    if (!h) return undefined;
    return new vscode.Hover(
      new vscode.MarkdownString(h.markdown),
      new vscode.Range(doc.positionAt(h.range[0]), doc.positionAt(h.range[1])),
    );
  }
}

/**
 * The editor bundle: Monaco for the scenario's YAML. Diagnostics, completion and hover come from
 * the same code as in VS Code's own editor (scenario-loader: loadScenario, completionsAt, hoverAt,
 * reading the schema through scenario-loader/schema-nav.ts), so both editors show the same
 * problems with the same severities and codes. monaco-yaml stays for what the loader does not
 * do (YAML folding, outline, selection ranges) with its own schema features off. Under the webview's CSP, workers cannot be loaded straight from the
 * extension's folder, so each worker script is fetched and started from a blob: URL (VS Code's
 * webview guide describes this: only data:/blob: workers are supported).
 */
// Only the editor features the scenario editor uses (edcore.main would add the diff editor, inline
// completions, sticky scroll, colour picker, links... about half of Monaco): typing, selection and
// clipboard, find, folding, hover, completion with snippets, comments, markers (F8), the
// context menu, word highlights and smart select.
import "monaco-editor/esm/vs/editor/browser/coreCommands";
import "monaco-editor/esm/vs/editor/browser/widget/codeEditor/codeEditorWidget";
import "monaco-editor/esm/vs/editor/contrib/bracketMatching/browser/bracketMatching";
import "monaco-editor/esm/vs/editor/contrib/clipboard/browser/clipboard";
import "monaco-editor/esm/vs/editor/contrib/comment/browser/comment";
import "monaco-editor/esm/vs/editor/contrib/contextmenu/browser/contextmenu";
import "monaco-editor/esm/vs/editor/contrib/cursorUndo/browser/cursorUndo";
import "monaco-editor/esm/vs/editor/contrib/find/browser/findController";
import "monaco-editor/esm/vs/editor/contrib/folding/browser/folding";
import "monaco-editor/esm/vs/editor/contrib/gotoError/browser/gotoError";
import "monaco-editor/esm/vs/editor/contrib/hover/browser/hoverContribution";
import "monaco-editor/esm/vs/editor/contrib/indentation/browser/indentation";
import "monaco-editor/esm/vs/editor/contrib/linesOperations/browser/linesOperations";
import "monaco-editor/esm/vs/editor/contrib/multicursor/browser/multicursor";
import "monaco-editor/esm/vs/editor/contrib/smartSelect/browser/smartSelect";
import "monaco-editor/esm/vs/editor/contrib/snippet/browser/snippetController2";
import "monaco-editor/esm/vs/editor/contrib/suggest/browser/suggestController";
import "monaco-editor/esm/vs/editor/contrib/tokenization/browser/tokenization";
import "monaco-editor/esm/vs/editor/contrib/wordHighlighter/browser/wordHighlighter";
import "monaco-editor/esm/vs/editor/contrib/wordOperations/browser/wordOperations";
import "monaco-editor/esm/vs/editor/contrib/readOnlyMessage/browser/contribution";
import "monaco-editor/esm/vs/editor/common/standaloneStrings";
import "monaco-editor/esm/vs/base/browser/ui/codicons/codiconStyles";
import * as monaco from "monaco-editor/esm/vs/editor/editor.api";
import "monaco-editor/esm/vs/basic-languages/yaml/yaml.contribution";
import { configureMonacoYaml, type MonacoYamlOptions } from "monaco-yaml";
import { completionsAt, hoverAt, loadScenario, SCENARIO_SCHEMA } from "../../scenario-loader/index";
import type { EditorApi, MonacoBridge } from "./api";

const MODEL_URI = "inmemory://pvsched/scenario.pvsched.yaml";

let base = "";
const workerBlobs = new Map<string, Promise<string>>();

async function workerUrl(file: string): Promise<string> {
  let p = workerBlobs.get(file);
  if (!p) {
    p = fetch(base + file)
      .then((r) => {
        if (!r.ok) throw new Error(`${file}: HTTP ${r.status}`);
        return r.blob();
      })
      .then((b) => URL.createObjectURL(new Blob([b], { type: "text/javascript" })));
    workerBlobs.set(file, p);
  }
  return p;
}

(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  async getWorker(_id: string, label: string) {
    const file = label === "yaml" ? "yaml.worker.js" : "editor.worker.js";
    return new Worker(await workerUrl(file), { name: label });
  },
};

/** Monaco's colours from the VS Code theme variables, so the editor matches the workbench. */
function applyTheme(): void {
  const cls = document.body.classList;
  const baseTheme: monaco.editor.BuiltinTheme = cls.contains("vscode-high-contrast-light")
    ? "hc-light"
    : cls.contains("vscode-high-contrast")
      ? "hc-black"
      : cls.contains("vscode-light")
        ? "vs"
        : "vs-dark";
  const css = getComputedStyle(document.documentElement);
  const colors: Record<string, string> = {};
  const map: [string, string][] = [
    ["editor.background", "--vscode-editor-background"],
    ["editor.foreground", "--vscode-editor-foreground"],
    ["editorLineNumber.foreground", "--vscode-editorLineNumber-foreground"],
    ["editorCursor.foreground", "--vscode-editorCursor-foreground"],
    ["editor.selectionBackground", "--vscode-editor-selectionBackground"],
    ["editorWidget.background", "--vscode-editorWidget-background"],
  ];
  for (const [k, v] of map) {
    const c = css.getPropertyValue(v).trim();
    if (/^#[0-9a-f]{3,8}$/i.test(c)) colors[k] = c;
  }
  monaco.editor.defineTheme("pvsched", { base: baseTheme, inherit: true, rules: [], colors });
  monaco.editor.setTheme("pvsched");
}

let configured = false;

/** monaco-yaml without its schema walker: validation, completion and hover are the loader's. */
const YAML_OPTIONS: MonacoYamlOptions = {
  enableSchemaRequest: false,
  validate: false,
  completion: false,
  hover: false,
  // The worker is bundled without prettier (see no-prettier.ts).
  format: { enable: false },
  schemas: [],
};

/** Markers from the loader, as VS Code's editor shows them (source pvsched, code = field path). */
function validate(model: monaco.editor.ITextModel): void {
  const r = loadScenario(model.getValue());
  const problems = r.ok ? r.warnings : r.errors;
  monaco.editor.setModelMarkers(
    model,
    "pvsched",
    problems.map((e) => {
      const a = model.getPositionAt(e.offset);
      const b = model.getPositionAt(e.offset + Math.max(0, e.length));
      return {
        severity: e.severity === "warning" ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Error,
        message: e.message,
        source: "pvsched",
        code: e.path || undefined,
        startLineNumber: a.lineNumber,
        startColumn: a.column,
        endLineNumber: b.lineNumber,
        endColumn: b.column,
      };
    }),
  );
}

/** Completion and hover from scenario-loader/assist.ts, the ones VS Code's editor uses. */
function registerAssist(): void {
  monaco.languages.registerCompletionItemProvider("yaml", {
    triggerCharacters: [":", " ", "-"],
    provideCompletionItems(model, position) {
      const r = completionsAt(model.getValue(), model.getOffsetAt(position), SCENARIO_SCHEMA);
      const a = model.getPositionAt(r.replace[0]);
      const b = model.getPositionAt(r.replace[1]);
      const range = new monaco.Range(a.lineNumber, a.column, b.lineNumber, b.column);
      const indent = /^\s*(?:-\s+)*/.exec(model.getLineContent(position.lineNumber))?.[0].length ?? 0;
      const pad = " ".repeat(indent + 2);
      const eol = model.getEOL();
      return {
        suggestions: r.entries.map((e, i) => ({
          label: e.label,
          kind: e.kind === "property" ? monaco.languages.CompletionItemKind.Property : monaco.languages.CompletionItemKind.EnumMember,
          detail: e.detail,
          documentation: e.documentation ? { value: e.documentation } : undefined,
          range,
          sortText: String(i).padStart(4, "0"),
          insertText:
            e.block === "object" ? `${e.label}:${eol}${pad}$0` : e.block === "array" ? `${e.label}:${eol}${pad}- $0` : e.insertText,
          insertTextRules: e.block ? monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet : undefined,
        })),
      };
    },
  });
  monaco.languages.registerHoverProvider("yaml", {
    provideHover(model, position) {
      const h = hoverAt(model.getValue(), model.getOffsetAt(position), SCENARIO_SCHEMA);
      if (!h) return undefined;
      const a = model.getPositionAt(h.range[0]);
      const b = model.getPositionAt(h.range[1]);
      return { contents: [{ value: h.markdown }], range: new monaco.Range(a.lineNumber, a.column, b.lineNumber, b.column) };
    },
  });
}

const bridge: MonacoBridge = {
  async create(container, opts) {
    base = opts.base;
    if (!configured) {
      configured = true;
      configureMonacoYaml(monaco, YAML_OPTIONS);
      registerAssist();
    }
    applyTheme();
    new MutationObserver(applyTheme).observe(document.body, { attributes: true, attributeFilter: ["class"] });
    const uri = monaco.Uri.parse(MODEL_URI);
    const model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(opts.text, "yaml", uri);
    model.setValue(opts.text);
    validate(model);
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The same short debounce as VS Code's editor (extension/language/scenario-language.ts).
    model.onDidChangeContent(() => {
      clearTimeout(timer);
      timer = setTimeout(() => validate(model), 150);
    });
    const editor = monaco.editor.create(container, {
      model,
      automaticLayout: true,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      fontSize: 13,
      tabSize: 2,
      insertSpaces: true,
      quickSuggestions: { other: true, comments: false, strings: true },
      ariaLabel: "Scenario YAML",
    });
    const api: EditorApi = {
      getValue: () => model.getValue(),
      setValue: (t) => {
        if (t !== model.getValue()) model.setValue(t);
      },
      setError(message, line, column) {
        if (!message || !line) {
          monaco.editor.setModelMarkers(model, "pvsched-host", []);
          return;
        }
        const ln = Math.min(Math.max(1, line), model.getLineCount());
        const col = Math.min(Math.max(1, column ?? 1), model.getLineMaxColumn(ln));
        monaco.editor.setModelMarkers(model, "pvsched-host", [
          {
            severity: monaco.MarkerSeverity.Error,
            message,
            startLineNumber: ln,
            startColumn: col,
            endLineNumber: ln,
            endColumn: model.getLineMaxColumn(ln),
          },
        ]);
        editor.revealLineInCenter(ln);
        editor.setPosition({ lineNumber: ln, column: col });
      },
      onChange: (fn) => {
        model.onDidChangeContent(fn);
      },
      dispose: () => editor.dispose(),
    };
    return api;
  },
};

window.pvschedMonaco = bridge;
document.dispatchEvent(new CustomEvent("pvsched-monaco-ready"));

/**
 * The editor bundle: Monaco with monaco-yaml, validating and completing the scenario against the
 * schema the host sends. Under the webview's CSP, workers cannot be loaded straight from the
 * extension's folder, so each worker script is fetched and started from a blob: URL (VS Code's
 * webview guide describes this: only data:/blob: workers are supported).
 */
import "monaco-editor/esm/vs/editor/edcore.main";
import * as monaco from "monaco-editor/esm/vs/editor/editor.api";
import "monaco-editor/esm/vs/basic-languages/yaml/yaml.contribution";
import { configureMonacoYaml, type JSONSchema, type MonacoYaml, type MonacoYamlOptions } from "monaco-yaml";
import type { EditorApi, MonacoBridge } from "./api";

const SCHEMA_URI = "inmemory://pvsched/scenario.schema.json";
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

let yaml: MonacoYaml | undefined;

function yamlOptions(schema: unknown): MonacoYamlOptions {
  return {
    enableSchemaRequest: false,
    validate: true,
    completion: true,
    hover: true,
    hoverSchemaSource: false,
    // The worker is bundled without prettier (see no-prettier.ts).
    format: { enable: false },
    schemas: schema && typeof schema === "object" ? [{ uri: SCHEMA_URI, fileMatch: ["*"], schema: schema as JSONSchema }] : [],
  };
}

const bridge: MonacoBridge = {
  async create(container, opts) {
    base = opts.base;
    if (!yaml) yaml = configureMonacoYaml(monaco, yamlOptions(opts.schema));
    else yaml.update(yamlOptions(opts.schema));
    applyTheme();
    new MutationObserver(applyTheme).observe(document.body, { attributes: true, attributeFilter: ["class"] });
    const uri = monaco.Uri.parse(MODEL_URI);
    const model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(opts.text, "yaml", uri);
    model.setValue(opts.text);
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
      setSchema: (s) => yaml?.update(yamlOptions(s)),
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

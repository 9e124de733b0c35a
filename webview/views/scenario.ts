/**
 * Scenario tab: the scenario's YAML in Monaco (the loader's diagnostics, completion and hover), and a Re-run button. The editor
 * bundle is loaded on first use; if it cannot load (CSP, missing file), a plain textarea takes its
 * place and validation is left to the host, which answers a re-run with an `error` message.
 */
import { h, on, replace } from "../dom";
import type { EditorApi } from "../monaco/api";
import type { Boot } from "../boot";

export interface ScenarioPanel {
  element: HTMLElement;
  /** Called when the tab is shown. */
  activate(): void;
  /** New text from the host; kept out if the user has unsent edits. */
  setText(text: string | undefined): void;
  showError(message?: string, line?: number, column?: number): void;
}

export function createScenarioPanel(boot: Boot, rerun: (text: string) => void): ScenarioPanel {
  let text: string | undefined;
  let hostText: string | undefined;
  let editor: EditorApi | undefined;
  let textarea: HTMLTextAreaElement | undefined;
  let loading = false;
  let pendingError: [string | undefined, number | undefined, number | undefined] | undefined;

  const status = h("span", { class: "editor-status", "aria-live": "polite" });
  const btn = h("vscode-button", { "data-testid": "rerun" }, "Re-run");
  const host = h("div", { class: "editor-host", "data-testid": "scenario-editor" });
  const element = h("div", { class: "scenario" }, h("div", { class: "scenario-toolbar" }, btn, status), host);

  const current = () => (editor ? editor.getValue() : textarea ? textarea.value : (text ?? ""));
  const dirty = () => current() !== (hostText ?? "");

  on(btn, "click", () => {
    const t = current();
    if (!t.trim()) {
      status.textContent = "The scenario is empty.";
      return;
    }
    status.textContent = "Re-running…";
    rerun(t);
  });

  const useTextarea = (why: string) => {
    textarea = h("textarea", { class: "fallback-editor", spellcheck: "false", "aria-label": "Scenario YAML" }) as HTMLTextAreaElement;
    textarea.value = text ?? "";
    replace(host, textarea);
    status.textContent = `Plain text editor (${why}); the host validates on Re-run.`;
  };

  const loadEditor = async () => {
    if (editor || textarea || loading) return;
    if (text === undefined) {
      replace(
        host,
        h("p", { class: "empty" }, "These results came without a scenario text (for example a patch ablation of a built-in scenario)."),
      );
      return;
    }
    loading = true;
    replace(host, h("p", { class: "empty" }, "Loading the editor…"));
    try {
      const bridge = await boot.loadMonaco();
      const box = h("div", { class: "monaco-box" });
      replace(host, box);
      editor = await bridge.create(box, { text, base: boot.base });
      editor.onChange(() => {
        status.textContent = dirty() ? "Edited: Re-run to simulate it." : "";
      });
      if (pendingError) editor.setError(...pendingError);
      status.textContent = "";
    } catch (e) {
      useTextarea(e instanceof Error ? e.message : String(e));
    } finally {
      loading = false;
    }
  };

  return {
    element,
    activate: () => void loadEditor(),
    setText(t) {
      if (status.textContent === "Re-running…") status.textContent = "";
      if (t === undefined) return;
      if ((editor || textarea) && dirty() && t !== current()) {
        status.textContent = "New results arrived; your unsent edits are kept.";
        hostText = t;
        return;
      }
      text = t;
      hostText = t;
      if (editor) editor.setValue(t);
      else if (textarea) textarea.value = t;
      if (editor || textarea) status.textContent = "";
    },
    showError(message, line, column) {
      pendingError = [message, line, column];
      editor?.setError(message, line, column);
      if (message) status.textContent = "The host reported an error (see above).";
    },
  };
}

/** New Scenario from Template: the whole-scenario snippets of snippets/pvsched-scenario.json. */
import * as vscode from "vscode";
import templatesJson from "../../snippets/pvsched-scenario.json";
import type { Ctx } from "../ctx";
import { LANGUAGE_ID } from "../language/scenario-language";

interface Template {
  prefix: string;
  description: string;
  body: string[];
}

/** Whole-scenario snippets (the ones with a top-level `name:`), offered by "New Scenario from Template". */
export const TEMPLATES: Record<string, Template> = Object.fromEntries(
  Object.entries(templatesJson as unknown as Record<string, Template>).filter(([, t]) => t.body.some((l) => /^name\s*:/.test(l))),
);

export const newScenario = (_ctx: Ctx) => async (key?: string) => {
  let t = key ? TEMPLATES[key] : undefined;
  if (!t) {
    const pick = await vscode.window.showQuickPick(
      Object.entries(TEMPLATES).map(([k, v]) => ({ label: k, description: v.prefix, detail: v.description, key: k })),
      { title: "New scenario from template", matchOnDescription: true, matchOnDetail: true },
    );
    if (!pick) return undefined;
    t = TEMPLATES[pick.key];
  }
  if (!t) return undefined;
  const doc = await vscode.workspace.openTextDocument({ language: LANGUAGE_ID, content: "" });
  const editor = await vscode.window.showTextDocument(doc);
  await editor.insertSnippet(new vscode.SnippetString(t.body.join("\n") + "\n"));
  return doc.uri.toString();
};

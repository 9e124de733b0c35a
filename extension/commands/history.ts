/** The run history's commands: open an entry, compare two, export one (the "PV Sched" view). */
import * as vscode from "vscode";
import type { Ctx } from "../ctx";
import { comparePayloads, entryDescription, resultsFileName, type HistoryEntry } from "../history-model";
import { asUri } from "./scenario";

async function entryOf(ctx: Ctx, arg: unknown): Promise<HistoryEntry> {
  const e = await ctx.history.find(arg);
  if (!e) throw new Error("that run is no longer in the history");
  return e;
}

/** Shows an entry's results in the panel (not recorded again). */
export const openRun = (ctx: Ctx) => async (arg: unknown) => {
  const e = await entryOf(ctx, arg);
  ctx.panel.showResults(await ctx.history.load(e));
  return e.id;
};

/**
 * Compares an entry with another: the second one given, the second of a multi-selection in the
 * view, or one picked from the history.
 */
export const compareRuns = (ctx: Ctx) => async (arg: unknown, other?: unknown) => {
  const a = await entryOf(ctx, arg);
  let bArg = other;
  if (Array.isArray(other)) bArg = other.find((x) => (x as HistoryEntry | undefined)?.id !== a.id);
  let b = bArg ? await ctx.history.find(bArg) : undefined;
  if (!b) {
    const others = (await ctx.history.list()).filter((e) => e.id !== a.id);
    if (!others.length) {
      void ctx.info("PV Sched: the history has no other run to compare with.");
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      others.map((e) => ({ label: e.title, description: entryDescription(e), e })),
      { title: `Compare "${a.title}" with…` },
    );
    b = pick?.e;
  }
  if (!b) return undefined;
  const payload = comparePayloads(await ctx.history.load(a), await ctx.history.load(b));
  ctx.publish(payload);
  return payload.title;
};

/** Copies an entry's results file to a place the user picks (or `target`). */
export const exportRun = (ctx: Ctx) => async (arg: unknown, target?: unknown) => {
  const e = await entryOf(ctx, arg);
  let to = asUri(target);
  if (!to) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    to = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, resultsFileName(e.title)) : undefined,
      filters: { "PV Sched results": ["pvsched-results.json"] },
      title: "Export run",
    });
  }
  if (!to) return undefined;
  await vscode.workspace.fs.copy(ctx.history.fileOf(e), to, { overwrite: true });
  ctx.log(`exported history entry ${e.id} to ${to.toString()}`);
  return to.toString();
};

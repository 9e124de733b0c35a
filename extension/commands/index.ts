/**
 * The command table: one factory per command, one file per feature. A factory takes the context
 * and returns the command's body; registerCommands registers each under its id (commands/ids.ts).
 * Every body runs behind the same guard: an error becomes a log line, a panel message and one
 * escaped notification, never an unhandled rejection.
 */
import * as vscode from "vscode";
import type { Ctx } from "../ctx";
import { compareRuns, exportRun, openRun } from "./history";
import { mapHunk, simulateHunk } from "./hunk";
import { type CommandName, commandId } from "./ids";
import { newScenario } from "./new-scenario";
import { cancelRun, exportResults, showResults } from "./results";
import { openSample } from "./samples";
import { compareModes, runScenario } from "./scenario";
import { reproduceSeed } from "./seed";
import { sweepParameter } from "./sweep";
import { compareTrace } from "./trace";

// biome-ignore lint/suspicious/noExplicitAny: a command's arguments come from VS Code untyped.
export type CommandFactory = (ctx: Ctx) => (...args: any[]) => unknown;

export const COMMANDS: Record<CommandName, CommandFactory> = {
  runScenario,
  compareModes,
  reproduceSeed,
  newScenario,
  showResults,
  exportResults,
  simulateHunk,
  mapHunk,
  cancelRun,
  openRun,
  compareRuns,
  exportRun,
  openSample,
  sweepParameter,
  compareTrace,
};

export function registerCommands(ctx: Ctx): void {
  for (const [name, factory] of Object.entries(COMMANDS) as [CommandName, CommandFactory][]) {
    const body = factory(ctx);
    ctx.push(
      vscode.commands.registerCommand(commandId(name), async (...args: unknown[]) => {
        try {
          return await body(...args);
        } catch (e) {
          ctx.reportError(e);
          return undefined;
        }
      }),
    );
  }
}

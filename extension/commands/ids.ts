/**
 * The extension's command ids, in one place. package.json's `contributes.commands` must list the
 * same ids (test/extension/manifest.test.ts checks both ways), the command table
 * (commands/index.ts) must have a factory for each (the type checks it), and lenses and menus name
 * them through commandId().
 */
export const COMMAND_NAMES = [
  "runScenario",
  "compareModes",
  "reproduceSeed",
  "newScenario",
  "showResults",
  "exportResults",
  "simulateHunk",
  "mapHunk",
  "cancelRun",
  "openRun",
  "compareRuns",
  "exportRun",
  "openSample",
  "sweepParameter",
  "compareTrace",
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

export const COMMAND_PREFIX = "pvsched.";

export function commandId(name: CommandName): string {
  return `${COMMAND_PREFIX}${name}`;
}

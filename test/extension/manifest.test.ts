/**
 * package.json against the code: command ids (one list, commands/ids.ts) and settings (typed from
 * the manifest).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import manifest from "../../package.json";
import { COMMAND_NAMES, commandId } from "../../extension/commands/ids";
import { SETTING_KEYS } from "../../extension/settings";

test("package.json contributes exactly the commands of commands/ids.ts, and menus name only those", () => {
  const declared = manifest.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(declared, COMMAND_NAMES.map(commandId).sort());
  const inMenus = Object.values(manifest.contributes.menus).flatMap((items) => items.map((i) => i.command));
  for (const id of inMenus) assert.ok(declared.includes(id), `menu names an unknown command ${id}`);
});

test("the typed settings are package.json's", () => {
  assert.deepEqual(SETTING_KEYS.sort(), Object.keys(manifest.contributes.configuration.properties).sort());
});

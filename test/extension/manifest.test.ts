/**
 * package.json against the code: command ids (one list, commands/ids.ts), settings (typed from the
 * manifest, bounded like the simulator) and the settings rules of extension/settings.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import manifest from "../../package.json";
import { COMMAND_NAMES, commandId } from "../../extension/commands/ids";
import { checkSetting, pathInFolder, SETTING_KEYS } from "../../extension/settings";
import { LIMITS } from "../../sim-core/index";

test("package.json contributes exactly the commands of commands/ids.ts, and menus name only those", () => {
  const declared = manifest.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(declared, COMMAND_NAMES.map(commandId).sort());
  const inMenus = Object.values(manifest.contributes.menus).flatMap((items) => items.map((i) => i.command));
  for (const id of inMenus) assert.ok(declared.includes(id), `menu names an unknown command ${id}`);
});

test("duration settings are bounded by the simulator's limit and restricted in untrusted workspaces", () => {
  const props = manifest.contributes.configuration.properties;
  const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
  for (const key of ["pvsched.ablation.durationSeconds", "pvsched.seed.durationSeconds"] as const) {
    assert.equal(props[key].maximum, LIMITS.duration_s, key);
    assert.ok(restricted.includes(key), `${key} is a restricted setting`);
  }
  assert.ok(restricted.includes("pvsched.ablation.scenario"));
  assert.deepEqual(SETTING_KEYS.sort(), Object.keys(props).sort());
});

test("checkSetting: out of range or wrong type gives the manifest's default and says why", () => {
  assert.deepEqual(checkSetting("pvsched.ablation.durationSeconds", 30), { value: 30 });
  assert.deepEqual(checkSetting("pvsched.ablation.durationSeconds", undefined), { value: 10 });
  const huge = checkSetting("pvsched.ablation.durationSeconds", 1e300);
  assert.equal(huge.value, 10);
  assert.equal(huge.problem, "pvsched.ablation.durationSeconds: 1e+300 is above the maximum 3600; using the default 10");
  assert.equal(
    checkSetting("pvsched.seed.durationSeconds", -1).problem,
    "pvsched.seed.durationSeconds: -1 is below the minimum 0; using the default 0",
  );
  assert.equal(checkSetting("pvsched.seed.durationSeconds", "90").value, 0);
  assert.equal(checkSetting("pvsched.ablation.scenario", 7).value, "");
  assert.deepEqual(checkSetting("pvsched.run.whenBusy", "queue"), { value: "queue" });
  assert.equal(
    checkSetting("pvsched.run.whenBusy", "kill").problem,
    'pvsched.run.whenBusy: "kill" is not one of ask, queue, cancel; using the default "ask"',
  );
});

test("pathInFolder: a scenario path from settings stays inside the workspace folder", () => {
  assert.deepEqual(pathInFolder("scenarios/a.pvsched.yaml"), { path: "scenarios/a.pvsched.yaml" });
  assert.deepEqual(pathInFolder("./x/../a.yaml"), { path: "a.yaml" });
  for (const bad of ["../secret.yaml", "a/../../b", "/etc/passwd", "file:///etc/passwd", "vscode-remote://x/y", "C:\\x.yaml", "", "."])
    assert.ok("problem" in pathInFolder(bad), bad);
});

test("engines.vscode is the API version the code compiles against (@types/vscode), so tsc enforces the floor", () => {
  // The lowest @types/vscode the extension compiles with is 1.74 (LogOutputChannel, 1.74); vsce
  // refuses a package whose @types/vscode is newer than engines.vscode.
  assert.equal(manifest.engines.vscode, `^${manifest.devDependencies["@types/vscode"]}`);
});

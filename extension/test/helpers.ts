/** Helpers shared by the extension-host tests (see suite.ts). */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import manifest from "../../package.json";
import type { PvSchedApi } from "../core";

export const EXTENSION_ID = "pvsched-lab.pvsched-lab";

/** The command ids package.json contributes (test/extension/manifest.test.ts ties them to commands/ids.ts). */
export const COMMANDS = manifest.contributes.commands.map((c) => c.command);

export async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, timeoutMs = 30000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs `f` with the user setting `pvsched.<key>` set to `value`, then removes it. */
export async function withSetting<T>(key: string, value: unknown, f: () => Thenable<T>): Promise<T> {
  const cfg = vscode.workspace.getConfiguration("pvsched");
  await cfg.update(key, value, vscode.ConfigurationTarget.Global);
  try {
    return await f();
  } finally {
    await cfg.update(key, undefined, vscode.ConfigurationTarget.Global);
  }
}

export async function api(): Promise<PvSchedApi> {
  const ext = vscode.extensions.getExtension<PvSchedApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
  return ext.activate();
}

const SAMPLE_PATCH = "0004-kvm-x86-boost-vcpu-threads-on-latency-sensitive-path.patch";

/** Patch 4 of the sample series: from the open workspace (examples/), else beside the extension's sources. */
export async function samplePatch(): Promise<vscode.Uri> {
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    for (const rel of [`pvsched-series/${SAMPLE_PATCH}`, `examples/pvsched-series/${SAMPLE_PATCH}`]) {
      const u = vscode.Uri.joinPath(f.uri, rel);
      if (
        await vscode.workspace.fs.stat(u).then(
          () => true,
          () => false,
        )
      )
        return u;
    }
  }
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, "extension installed");
  return vscode.Uri.joinPath(ext.extensionUri, "examples", "pvsched-series", SAMPLE_PATCH);
}

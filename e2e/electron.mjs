#!/usr/bin/env node
// `npm run test:electron`: the extension-host mocha suite (dist/test/suite.cjs) in desktop VS Code,
// through @vscode/test-electron. It needs VS Code itself, which test-electron downloads from the
// VS Code update server into .vscode-test/, or an installed one named by VSCODE_EXECUTABLE.
//
// On the project's CI machines the update server is unreachable, so this script says so and
// skips (exit 0); `npm run test:e2e` runs the same suite in code-server there. On Linux without a
// display, run it under `xvfb-run -a npm run test:electron`.
//
//   VSCODE_EXECUTABLE=/path/to/code npm run test:electron     use an installed VS Code
//   VSCODE_VERSION=1.100.3 npm run test:electron              version to download (default 1.100.3,
//                                                              the same VS Code as code-server 4.100.3)
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { ROOT } from "./lib/workbench.mjs";

const suite = join(ROOT, "dist/test/suite.cjs");
const UPDATE_SERVER = "https://update.code.visualstudio.com/api/releases/stable";

async function reachable(url) {
  try {
    const r = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(8000) });
    return r.status < 500;
  } catch {
    return false;
  }
}

const b = spawnSync("npm", ["run", "-s", "build"], { cwd: ROOT, stdio: "inherit" });
if (b.status !== 0) process.exit(b.status ?? 1);
if (!existsSync(suite)) {
  console.log(`SKIP test:electron: ${suite} was not built`);
  process.exit(0);
}
const executable = process.env.VSCODE_EXECUTABLE;
if (!executable && !(await reachable(UPDATE_SERVER))) {
  console.log(
    "SKIP test:electron: the VS Code update server is unreachable from this machine, so " +
      "@vscode/test-electron cannot download VS Code. Set VSCODE_EXECUTABLE to an installed VS Code, " +
      "or use `npm run test:e2e` (the same suite in code-server).",
  );
  process.exit(0);
}

const { runTests } = await import("@vscode/test-electron");
const tmp = mkdtempSync(join(tmpdir(), "pvsched-electron-"));
const ws = join(tmp, "workspace");
cpSync(join(ROOT, "examples"), ws, { recursive: true });
try {
  await runTests({
    ...(executable ? { vscodeExecutablePath: executable } : { version: process.env.VSCODE_VERSION ?? "1.100.3" }),
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: suite,
    launchArgs: [
      ws,
      "--disable-extensions",
      "--skip-welcome",
      "--skip-release-notes",
      "--disable-workspace-trust",
      "--user-data-dir",
      join(tmp, "user-data"),
    ],
  });
  console.log("test:electron: extension-host suite passed");
} catch (e) {
  console.error(`test:electron: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

/**
 * Node entry (desktop VS Code, code-server, remote hosts): simulations run in a worker_threads
 * Worker (`dist/sim-worker.cjs`), so the extension host's thread stays free.
 */
import * as os from "node:os";
import * as path from "node:path";
import type * as vscode from "vscode";
import { activateCommon, type PvSchedApi } from "./core";
import { nodeWorkerFactory } from "./sim/node-factory";
import { workerCount } from "./sim/parallel";

export function activate(ctx: vscode.ExtensionContext): PvSchedApi {
  const workerFile = path.join(ctx.extensionPath, "dist", "sim-worker.cjs");
  return activateCommon(ctx, {
    kind: "node",
    workerFactory: () => nodeWorkerFactory(workerFile),
    parallel: () => workerCount(os.availableParallelism?.() ?? os.cpus().length),
  });
}

export function deactivate(): void {
  // Workers are terminated through the subscriptions (panel, runner) that activate registered.
}

/**
 * Node entry (desktop VS Code, code-server, remote hosts): simulations run on runner/'s pool of
 * worker_threads workers (`dist/sim-worker.cjs`), and the hunk lenses' parsing in one more worker
 * of the same kind, so the extension host's thread stays free.
 */
import * as os from "node:os";
import * as path from "node:path";
import type * as vscode from "vscode";
import { poolSize, SimPool } from "../runner/index";
import { nodeWorkerFactory } from "../runner/node";
import { activateCommon, type PvSchedApi } from "./core";

export function activate(ctx: vscode.ExtensionContext): PvSchedApi {
  const workerFile = path.join(ctx.extensionPath, "dist", "sim-worker.cjs");
  let pool: SimPool | undefined;
  ctx.subscriptions.push({ dispose: () => void pool?.dispose() });
  const workers = nodeWorkerFactory(workerFile);
  return activateCommon(ctx, {
    kind: "node",
    pool: () => (pool ??= new SimPool(workers, { size: poolSize(os.availableParallelism?.() ?? os.cpus().length) })),
    workers: () => workers,
  });
}

export function deactivate(): void {
  // The pool's workers are terminated through the subscription that activate registered.
}

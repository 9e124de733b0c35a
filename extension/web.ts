/**
 * Browser entry (VS Code for the Web): the extension host is itself a Web Worker; simulations run
 * in a nested Web Worker (`dist/web/sim-worker.js`). Where a worker cannot be started, runs fall
 * back to the extension host's own thread (results still arrive, but cannot be interrupted).
 */
import * as vscode from "vscode";
import { activateCommon, type PvSchedApi } from "./core";
import { inThreadFactory, webWorkerFactory } from "./sim/web-factory";
import { workerCount } from "./sim/parallel";
import type { WorkerFactory } from "./sim/pool";

export function activate(ctx: vscode.ExtensionContext): PvSchedApi {
  const url = vscode.Uri.joinPath(ctx.extensionUri, "dist", "web", "sim-worker.js").toString(true);
  let warned = false;
  const factory = (): WorkerFactory => {
    if (typeof Worker === "undefined") return inThreadFactory();
    const web = webWorkerFactory(url);
    return (onMessage, onError) => {
      try {
        return web(onMessage, onError);
      } catch (e) {
        if (!warned) {
          warned = true;
          console.warn(`[pvsched] cannot start a Web Worker (${String(e)}); running simulations in the extension host`);
        }
        return inThreadFactory()(onMessage, onError);
      }
    };
  };
  return activateCommon(ctx, {
    kind: "web",
    workerFactory: factory,
    parallel: () => workerCount(typeof navigator !== "undefined" ? navigator.hardwareConcurrency ?? 2 : 2),
  });
}

export function deactivate(): void {}

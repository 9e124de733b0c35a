/**
 * Browser entry (VS Code for the Web): the extension host is itself a Web Worker; simulations run
 * in a nested Web Worker (`dist/web/sim-worker.js`).
 *
 * Where the extension is served over http(s) (vscode.dev), the worker starts from its URL. Where it
 * is a remote extension (code-server, a remote web host), VS Code refuses worker URLs of remote
 * extensions, so the script is read through `workspace.fs` and started from a blob: URL. If no
 * worker can be started at all, runs fall back to the extension host's own thread (results still
 * arrive, but a run cannot be interrupted, only discarded).
 */
import * as vscode from "vscode";
import { activateCommon, type PvSchedApi } from "./core";
import { poolSize, SimPool, type WorkerFactory } from "../runner/index";
import { inThreadFactory, webWorkerFactory } from "../runner/web";

function canStart(url: string): boolean {
  try {
    new Worker(url).terminate();
    return true;
  } catch {
    return false;
  }
}

export function activate(ctx: vscode.ExtensionContext): PvSchedApi {
  const scriptUri = vscode.Uri.joinPath(ctx.extensionUri, "dist", "web", "sim-worker.js");
  let chosen: Promise<SimPool> | undefined;
  let factory: Promise<WorkerFactory> | undefined;
  const cores = typeof navigator !== "undefined" ? (navigator.hardwareConcurrency ?? 2) : 2;
  ctx.subscriptions.push({ dispose: () => void chosen?.then((p) => p.dispose()) });

  // One choice of worker for the simulations and the lens worker that parses patches.
  const workers = () => (factory ??= chooseFactory());
  const choose = async (): Promise<SimPool> => {
    const f = await workers();
    // In the extension host's own thread runs cannot overlap: one at a time.
    return new SimPool(f, { size: f === inThread ? 1 : poolSize(cores) });
  };
  const inThread = inThreadFactory();
  const chooseFactory = async (): Promise<WorkerFactory> => {
    if (typeof Worker === "undefined") return inThread;
    const direct = scriptUri.toString(true);
    if (canStart(direct)) {
      console.log("[pvsched] simulations run in a Web Worker");
      return webWorkerFactory(direct);
    }
    try {
      const bytes = await vscode.workspace.fs.readFile(scriptUri);
      const blobUrl = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "text/javascript" }));
      if (canStart(blobUrl)) {
        console.log("[pvsched] simulations run in a Web Worker (started from a blob: URL)");
        return webWorkerFactory(blobUrl);
      }
    } catch {
      // fall through to the in-thread runner
    }
    console.warn("[pvsched] cannot start a Web Worker here; running simulations in the extension host");
    return inThread;
  };

  return activateCommon(ctx, { kind: "web", pool: () => (chosen ??= choose()), workers });
}

export function deactivate(): void {}

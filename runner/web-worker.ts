/** Entry of the Web Worker that runs simulations in VS Code for the Web (dist/web/sim-worker.js). */
import { handleMessage } from "./execute";
import type { FromWorker, ToWorker } from "./protocol";

const scope = self as unknown as { onmessage: ((e: MessageEvent<ToWorker>) => void) | null; postMessage(m: FromWorker): void };
scope.onmessage = (e) => handleMessage(e.data, (r) => scope.postMessage(r));

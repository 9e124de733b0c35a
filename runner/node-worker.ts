/** Entry of the Node simulation worker (bundled to dist/sim-worker.cjs and dist/cli-worker.cjs). */
import { parentPort } from "node:worker_threads";
import { handleMessage } from "./execute";
import type { FromWorker, ToWorker } from "./protocol";

const port = parentPort;
if (!port) throw new Error("the simulation worker must run inside a worker_threads Worker");
port.on("message", (m: ToWorker) => handleMessage(m, (r: FromWorker) => port.postMessage(r)));

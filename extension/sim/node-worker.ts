/** Entry of the Node simulation worker (bundled to dist/sim-worker.cjs). */
import { parentPort } from "node:worker_threads";
import { handleMessage } from "./worker-core";
import type { FromWorker, ToWorker } from "./protocol";

const port = parentPort;
if (!port) throw new Error("sim-worker must run inside a worker_threads Worker");
port.on("message", (m: ToWorker) => handleMessage(m, (r: FromWorker) => port.postMessage(r)));

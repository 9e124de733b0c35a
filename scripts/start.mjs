#!/usr/bin/env node
// `npm start`: builds the extension, then runs a real VS Code workbench (code-server 4.100.3) on
// 127.0.0.1 with the extension loaded from this folder and examples/ open, and prints the URL.
// Runs in the foreground until Ctrl-C.
//
//   PORT=9000 npm start          another port (default 8080; a free one is picked if it is taken)
//   npm start -- --no-build      skip `npm run build`
//   npm start -- --folder DIR    open DIR instead of examples/
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ROOT, CACHE, ensureInstalled, startServer, workbenchUrl } from "../e2e/lib/workbench.mjs";

const { values } = parseArgs({
  options: { "no-build": { type: "boolean", default: false }, folder: { type: "string" } },
});
const folder = resolve(values.folder ?? join(ROOT, "examples"));

try {
  ensureInstalled();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
if (!existsSync(folder)) {
  console.error(`folder to open does not exist: ${folder}`);
  process.exit(1);
}
if (!values["no-build"]) {
  console.log("building the extension (npm run build)…");
  const b = spawnSync("npm", ["run", "-s", "build"], { cwd: ROOT, stdio: "inherit" });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

const wanted = Number(process.env.PORT ?? 8080);
// A persistent profile, so a newcomer's layout and open editors survive restarts.
const server = await startServer({
  port: wanted,
  userDataDir: join(CACHE, "start/user-data"),
  extensionsDir: join(CACHE, "start/extensions"),
  stdio: "inherit",
});
if (server.port !== wanted) console.log(`port ${wanted} is taken; using ${server.port}`);
const url = workbenchUrl({ port: server.port, folder, extensionDevelopmentPath: ROOT });
console.log(`
Paravirt Scheduling Lab is running in VS Code (code-server 4.100.3) with the extension from ${ROOT}
and ${folder} open. Open this URL in a browser (Ctrl-C here to stop):

  ${url}
`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
server.proc.once("exit", (code) => {
  if (!stopping) {
    console.error(`code-server exited (${code})`);
    process.exit(code ?? 1);
  }
});

// Starts the real VS Code workbench (code-server 4.100.3, installed by scripts/install-workbench.sh)
// with an extension loaded from its source folder, for `npm start` and the e2e suite.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync, createWriteStream } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CACHE = join(ROOT, ".cache");
export const CODE_SERVER = join(CACHE, "workbench/node_modules/.bin/code-server");

/**
 * User settings for a quiet, offline workbench: no Welcome page (it steals focus from quick open),
 * no tips, telemetry, update or gallery checks, no workspace-trust prompt, no git scanning.
 */
export const USER_SETTINGS = {
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "security.workspace.trust.enabled": false,
  "git.enabled": false,
  "git.autoRepositoryDetection": false,
  "npm.autoDetect": "off",
  "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
};

/**
 * Makes sure the workbench is there: on a fresh clone, `npm start` and `npm test` install it
 * themselves (scripts/install-workbench.sh: Debian's Chromium and code-server into .cache/),
 * so the README's two commands work as they are.
 */
export function ensureInstalled(chromium = "/usr/bin/chromium") {
  if (existsSync(CODE_SERVER) && existsSync(chromium)) return;
  console.log("the workbench is not installed yet: running scripts/install-workbench.sh (a few minutes, once)");
  const r = spawnSync("bash", [join(ROOT, "scripts/install-workbench.sh")], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0 || !existsSync(CODE_SERVER)) {
    throw new Error(
      `installing the workbench failed (exit ${r.status}); see the output above, or run \`bash scripts/install-workbench.sh\``,
    );
  }
}

function portFree(port) {
  return new Promise((res) => {
    const s = createServer();
    s.once("error", () => res(false));
    s.listen(port, "127.0.0.1", () => s.close(() => res(true)));
  });
}

/** `preferred` if it is free, else a free port the OS picks. */
export async function pickPort(preferred) {
  if (preferred && (await portFree(preferred))) return preferred;
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (s.address());
      s.close(() => res(port));
    });
  });
}

/**
 * The workbench URL. code-server's web client reads a `payload` of [key, value] pairs; the
 * remote authority of files served by code-server is literally `remote`.
 */
/** @param {{ port: number, folder: string, extensionDevelopmentPath?: string, extensionTestsPath?: string }} o */
export function workbenchUrl({ port, folder, extensionDevelopmentPath, extensionTestsPath }) {
  const payload = [];
  if (extensionDevelopmentPath) payload.push(["extensionDevelopmentPath", `vscode-remote://remote${extensionDevelopmentPath}`]);
  if (extensionTestsPath) payload.push(["extensionTestsPath", `vscode-remote://remote${extensionTestsPath}`]);
  let url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`;
  if (payload.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

/** code-server's environment: config and data under .cache/xdg, no marketplace. */
function serverEnv() {
  const xdg = join(CACHE, "xdg");
  return {
    ...process.env,
    // Keep code-server's config.yaml and data out of $HOME.
    XDG_CONFIG_HOME: join(xdg, "config"),
    XDG_DATA_HOME: join(xdg, "data"),
    XDG_CACHE_HOME: join(xdg, "cache"),
    // An empty gallery: no requests to the marketplace (unreachable here) from the workbench.
    EXTENSIONS_GALLERY: '{"serviceUrl":""}',
  };
}

/**
 * Installs a .vsix into an extensions folder the way a user does (`code-server
 * --install-extension`), so the workbench runs what ships, not the source folder.
 * @param {{ vsix: string, extensionsDir: string, userDataDir: string }} o
 */
export function installVsix({ vsix, extensionsDir, userDataDir }) {
  mkdirSync(extensionsDir, { recursive: true });
  const r = spawnSync(
    CODE_SERVER,
    ["--install-extension", vsix, "--extensions-dir", extensionsDir, "--user-data-dir", userDataDir, "--force"],
    { env: serverEnv(), encoding: "utf8", timeout: 180_000 },
  );
  if (r.status !== 0) throw new Error(`installing ${vsix} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split("\n")[0]}`);
  return r.stdout.trim();
}

/**
 * Starts code-server and resolves once /healthz answers.
 * @param {{port?: number, userDataDir: string, extensionsDir?: string, logFile?: string,
 *          stdio?: 'inherit'|'log', settings?: object}} o
 * @returns {Promise<{port: number, proc: import('node:child_process').ChildProcess, stop: () => Promise<void>}>}
 */
export async function startServer(o) {
  if (!existsSync(CODE_SERVER))
    throw new Error(`code-server is not installed (${CODE_SERVER} missing): run \`bash scripts/install-workbench.sh\``);
  const port = await pickPort(o.port);
  const userDataDir = o.userDataDir;
  const extensionsDir = o.extensionsDir ?? join(userDataDir, "..", "extensions");
  mkdirSync(join(userDataDir, "User"), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, "User/settings.json"), JSON.stringify({ ...USER_SETTINGS, ...(o.settings ?? {}) }, null, 2));

  const env = serverEnv();
  const args = [
    "--auth",
    "none",
    "--bind-addr",
    `127.0.0.1:${port}`,
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-workspace-trust",
    "--disable-getting-started-override",
    "--user-data-dir",
    userDataDir,
    "--extensions-dir",
    extensionsDir,
  ];
  const proc = spawn(CODE_SERVER, args, {
    env,
    stdio: o.stdio === "inherit" ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
    // Own process group, so stop() also ends the extension host and other children.
    detached: true,
  });
  if (o.stdio !== "inherit") {
    const log = createWriteStream(o.logFile ?? join(userDataDir, "..", "code-server.log"));
    proc.stdout?.pipe(log);
    proc.stderr?.pipe(log);
  }
  let exited = null;
  proc.once("exit", (code, sig) => (exited = { code, sig }));

  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-(proc.pid ?? 0), "SIGTERM");
    } catch {
      /* already gone */
    }
    const t = setTimeout(() => {
      try {
        process.kill(-(proc.pid ?? 0), "SIGKILL");
      } catch {
        /* gone */
      }
    }, 5000);
    await new Promise((r) => (exited ? r(undefined) : proc.once("exit", r)));
    clearTimeout(t);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}); see its log`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error("code-server did not answer /healthz within 60 s");
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { port, proc, stop };
}

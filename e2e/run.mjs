#!/usr/bin/env node
// `npm run test:e2e`: the extension in a real VS Code workbench (code-server 4.100.3), driven from
// Debian's headless Chromium with playwright-core, in a fresh temporary copy of examples/.
//
// Prints PASS/FAIL per test and closes with "N passed, N failed"; exits non-zero on any failure.
// Screenshots (PNG) go to e2e/screenshots/.
//
// By default the workbench runs the packaged extension: `npm run package` builds
// dist/pvsched-lab.vsix and code-server installs it into a clean extensions folder, as a user
// would. The extension-host mocha suite still loads from the source folder (its test bundle is
// not shipped).
//
// Environment:
//   E2E_SOURCE=1              load the extension from the source folder instead of the .vsix
//   E2E_SKIP_BUILD=1          do not build or package first (use the existing dist/)
//   E2E_ONLY=word[,word]      run only the tests whose id or name contains one of the words
//   E2E_EXTENSION_DIR=DIR     load another extension folder (default: this repository)
//   E2E_EXAMPLES=DIR          copy another sample workspace (default: examples/)
//   E2E_KEEP=1                keep the temporary workspace and profile for inspection
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { ROOT, ensureInstalled, installVsix, startServer, workbenchUrl } from "./lib/workbench.mjs";
import { waitForWorkbench, resetLayout } from "./lib/ui.mjs";
import { TESTS } from "./tests.mjs";
import { PRODUCT_TESTS } from "./tests-product.mjs";
import { MEASURE_TESTS } from "./tests-measure.mjs";
import { ROBUSTNESS_TESTS } from "./tests-robustness.mjs";
import { E2E_ABLATION_SECONDS, E2E_SEED_SECONDS } from "./lib/expect.mjs";

// The extension-host suite opens a second window: it runs last.
const ALL = [
  ...TESTS.filter((t) => !t.ownPage),
  ...PRODUCT_TESTS,
  ...MEASURE_TESTS,
  ...ROBUSTNESS_TESTS,
  ...TESTS.filter((t) => t.ownPage),
];

const t0 = Date.now();
const since = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const log = (...a) => console.log(`[e2e ${since()}]`, ...a);

const EXT_DIR = resolve(process.env.E2E_EXTENSION_DIR ?? ROOT);
const EXAMPLES = resolve(process.env.E2E_EXAMPLES ?? join(ROOT, "examples"));
const SHOTS = join(ROOT, "e2e/screenshots");
const CHROMIUM = process.env.E2E_CHROMIUM ?? "/usr/bin/chromium";
const only = (process.env.E2E_ONLY ?? "")
  .split(",")
  .map((s) => s.trim().toLowerCase())
  .filter(Boolean);

// Everything that must be cleaned up, in reverse order, on any exit path.
const cleanups = [];
let cleaning = null;
function cleanup() {
  // One pass even when a signal handler and the main flow both ask for it.
  cleaning ??= (async () => {
    while (cleanups.length) {
      const f = cleanups.pop();
      try {
        await f();
      } catch (e) {
        log("cleanup:", e instanceof Error ? e.message : e);
      }
    }
  })();
  return cleaning;
}
let interrupted = false;
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, async () => {
    if (interrupted) return;
    interrupted = true;
    log(`${sig}: stopping code-server and Chromium`);
    await cleanup();
    process.exit(130);
  });
}

async function main() {
  ensureInstalled(CHROMIUM);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run \`bash scripts/install-workbench.sh\``);
  if (!existsSync(EXAMPLES)) throw new Error(`sample workspace ${EXAMPLES} not found`);

  const fromVsix = !process.env.E2E_SOURCE && EXT_DIR === ROOT;
  if (!process.env.E2E_SKIP_BUILD && EXT_DIR === ROOT) {
    // `npm run package` builds first (vscode:prepublish).
    const script = fromVsix ? "package" : "build";
    log(`npm run ${script}`);
    const b = spawnSync("npm", ["run", "-s", script], { cwd: ROOT, stdio: "inherit" });
    if (b.status !== 0) throw new Error(`npm run ${script} failed (${b.status})`);
  }
  const vsix = join(ROOT, "dist/pvsched-lab.vsix");
  if (fromVsix && !existsSync(vsix)) throw new Error(`${vsix} missing: run \`npm run package\``);
  const main = JSON.parse(readFileSync(join(EXT_DIR, "package.json"), "utf8")).main;
  if (!main || !existsSync(join(EXT_DIR, main))) throw new Error(`extension entry ${main} missing in ${EXT_DIR}: build it first`);

  mkdirSync(SHOTS, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), "pvsched-e2e-"));
  cleanups.push(() => (process.env.E2E_KEEP ? log(`kept ${tmp}`) : rmSync(tmp, { recursive: true, force: true })));
  const ws = join(tmp, "workspace");
  cpSync(EXAMPLES, ws, { recursive: true });

  const ctx = { ws, tmp, shots: SHOTS, extDir: EXT_DIR, log, state: {} };
  const selected = ALL.filter((t) => !only.length || only.some((w) => t.id.includes(w) || t.name.toLowerCase().includes(w)));
  // Tests may add files to the workspace before the workbench opens it (e.g. a broken scenario).
  for (const t of selected) t.prepare?.(ctx);

  const serverLog = join(tmp, "code-server.log");
  const extensionsDir = join(tmp, "extensions");
  if (fromVsix) {
    installVsix({ vsix, extensionsDir, userDataDir: join(tmp, "user-data") });
    log(`installed ${vsix.slice(ROOT.length + 1)} (${(statSync(vsix).size / 1024).toFixed(0)} KiB) into a clean extensions folder`);
  }
  ctx.fromVsix = fromVsix;
  const server = await startServer({
    userDataDir: join(tmp, "user-data"),
    extensionsDir,
    logFile: serverLog,
    // Short ablations and seed runs: the panel's numbers are checked against the CLI's runs of
    // the same length.
    // A run a failed test left behind must not stop the next test on the "run after it?" dialog.
    settings: {
      "pvsched.ablation.durationSeconds": E2E_ABLATION_SECONDS,
      "pvsched.seed.durationSeconds": E2E_SEED_SECONDS,
      "pvsched.run.whenBusy": "cancel",
    },
  });
  cleanups.push(() => server.stop());
  log(`code-server on 127.0.0.1:${server.port}`);
  ctx.port = server.port;
  ctx.serverLog = serverLog;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Our own handler closes the browser *and* code-server (playwright's would exit first).
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  cleanups.push(() => browser.close());
  ctx.browser = browser;
  // A fresh, isolated profile (playwright gives every context its own temporary user-data-dir).
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  ctx.page = page;
  const consoleLines = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleLines.push(m.text().slice(0, 400));
  });
  page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));

  const url = workbenchUrl({ port: server.port, folder: ws, extensionDevelopmentPath: fromVsix ? undefined : EXT_DIR });
  ctx.url = url;
  // The page's "load" waits for every script; under load that can take long. The DOM is enough.
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: 120_000 });
  await waitForWorkbench(page, 180_000);
  log("workbench up");

  let passed = 0,
    failed = 0,
    skipped = 0;
  for (const t of selected) {
    if (interrupted) break;
    const skip = t.skip?.(ctx);
    if (skip) {
      console.log(`SKIP ${t.name}: ${skip}`);
      skipped++;
      continue;
    }
    const s = Date.now();
    const ui = t.ownPage ? null : page;
    try {
      if (ui) await resetLayout(ui);
      let timer;
      await Promise.race([
        t.run(ctx),
        new Promise((_, rej) => {
          timer = setTimeout(() => rej(new Error(`timed out after ${t.timeout / 1000}s`)), t.timeout);
        }),
      ]).finally(() => clearTimeout(timer));
      passed++;
      console.log(`PASS ${t.name} (${((Date.now() - s) / 1000).toFixed(1)}s)`);
    } catch (e) {
      if (interrupted) break;
      failed++;
      const shot = join(SHOTS, `FAILED-${t.id}.png`);
      if (!t.ownPage) await page.screenshot({ path: shot }).catch(() => {});
      console.log(
        `FAIL ${t.name} (${((Date.now() - s) / 1000).toFixed(1)}s): ${String(e instanceof Error ? e.message : e).split("\n")[0]}`,
      );
      if (!t.ownPage) console.log(`     screenshot: ${shot.slice(ROOT.length + 1)}`);
    }
  }
  if (failed) {
    if (consoleLines.length) log(`workbench console errors (last 10):\n  ${consoleLines.slice(-10).join("\n  ")}`);
    const sl = readFileSync(serverLog, "utf8").trim().split("\n").slice(-15).join("\n  ");
    log(`code-server log (last 15 lines):\n  ${sl}`);
  }
  log(`done in ${since()}; screenshots in e2e/screenshots/`);
  return { passed, failed, skipped };
}

let result;
try {
  result = await main();
} catch (e) {
  if (!interrupted) console.log(`FAIL e2e setup: ${e instanceof Error ? e.message : e}`);
  result = { passed: 0, failed: 1, skipped: 0 };
}
await cleanup();
if (interrupted) process.exit(130);
console.log(`${result.passed} passed, ${result.failed} failed${result.skipped ? `, ${result.skipped} skipped` : ""}`);
process.exit(result.failed ? 1 : 0);

// What the webview's checks in Chromium (shoot.mjs, narrow.mjs) start from: the fixture payloads
// of test/webview/fixtures written as JSON, the screenshots folder, the two servers of serve.mjs
// (the page and the bundle on separate origins, under the panel's CSP) and Debian's Chromium.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { readFileSync, mkdirSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startServers } from "./serve.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** Where the fixture payloads are written (build output, not committed). */
export const fixDir = join(root, "dist/webview-dev/fixtures");
/** Where the screenshots go (committed: the README and docs show them). */
export const shots = join(root, "docs/screenshots");

/**
 * The servers, the browser and one panel page in `theme`, ready for a results message; page
 * errors and CSP violations collect in `problems`. `close()` stops the browser and the servers.
 */
export async function openPanel(theme, viewport) {
  const problems = [];
  const srv = await startServers();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
  const page = await browser.newPage({ viewport });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" || /Content Security Policy|Refused to/.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
  });
  await page.goto(`${srv.pageUrl}?theme=${theme}`);
  await page.waitForFunction(() => (window.__posted ?? []).some((m) => m.type === "ready"));
  const close = async () => {
    await browser.close();
    srv.close();
  };
  return { srv, page, problems, close };
}

/** Writes the fixtures, starts the servers and the browser; the caller closes both. */
export async function startHarness() {
  execFileSync(process.execPath, ["--import", "tsx", join(root, "test/webview/fixtures/write.ts"), fixDir], {
    cwd: root,
    stdio: "inherit",
  });
  mkdirSync(shots, { recursive: true });
  const srv = await startServers();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
  /** A fixture payload by name ("scenario", "seed", "ablation", "hostile", "real"). */
  const fixture = (name) => JSON.parse(readFileSync(join(fixDir, `${name}.json`), "utf8"));
  return { srv, browser, fixture };
}

// Small helpers for driving the VS Code workbench DOM with playwright-core.
// Selectors are VS Code 1.100's (code-server 4.100.3); keep them here, in one place.

import { cpus, loadavg } from "node:os";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until the workbench and its explorer are up (the extension host starts with them). */
export async function waitForWorkbench(page, timeout = 90_000) {
  await page.waitForSelector(".monaco-workbench", { timeout });
  await page.waitForSelector(".explorer-folders-view .monaco-list-row", { timeout });
}

/** Focuses the editor area, then closes any quick input, so the next key press goes where it should. */
export async function dismissQuickInput(page) {
  for (let i = 0; i < 3; i++) {
    if (
      !(await page
        .locator(".quick-input-widget")
        .isVisible()
        .catch(() => false))
    )
      return;
    await page.keyboard.press("Escape");
    await sleep(150);
  }
}

/**
 * Opens the command palette (F1), types `label`, and runs the entry whose label is exactly
 * `label` (e.g. "PV Sched: Reproduce Seed Results"). Fails if the palette does not list it.
 */
export async function runCommand(page, label, timeout = 20_000) {
  const input = page.locator(".quick-input-widget input");
  // F1 pressed while a webview has the focus reaches the workbench through the webview's key
  // forwarding, and the palette it opens can close again as the focus settles (seen once in CI,
  // at load 6: `fill` waited 30 s for an input that had gone). Open it again then, twice at most.
  for (let attempt = 1; ; attempt++) {
    await dismissQuickInput(page);
    await page.keyboard.press("F1");
    try {
      await input.waitFor({ state: "visible", timeout });
      await input.fill(`>${label}`, { timeout: 5_000 });
      break;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
  const row = page.locator(".quick-input-list .monaco-list-row", {
    has: page.locator(".monaco-icon-label .label-name", { hasText: exactText(label) }),
  });
  try {
    await row.first().waitFor({ state: "visible", timeout });
  } catch {
    const shown = await page
      .locator(".quick-input-list .monaco-list-row")
      .allInnerTexts()
      .catch(() => []);
    await page.keyboard.press("Escape");
    throw new Error(`command palette has no entry "${label}" (it shows: ${JSON.stringify(shown.slice(0, 5))})`);
  }
  await row.first().click();
}

/** Opens a workspace file through quick open (Ctrl+P) by its file name, and waits for its tab. */
export async function openFile(page, fileName, timeout = 30_000) {
  await dismissQuickInput(page);
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout });
  await input.fill(fileName);
  const row = page.locator(".quick-input-list .monaco-list-row", {
    has: page.locator(".label-name", { hasText: exactText(fileName) }),
  });
  await row.first().waitFor({ state: "visible", timeout });
  await row.first().click();
  await activeTab(page, fileName).waitFor({ state: "visible", timeout });
  await page.locator(".editor-group-container.active .monaco-editor .view-lines").first().waitFor({ timeout });
}

/** The active tab of some editor group whose label is `name`. */
export function activeTab(page, name) {
  return page.locator(`.tabs-container .tab.active[aria-label^="${cssString(name)}"]`);
}

/** Closes every editor and editor group, and the panel, so each test starts from an empty layout. */
export async function resetLayout(page) {
  await dismissQuickInput(page);
  await runCommand(page, "View: Close All Editor Groups");
  await sleep(300);
  // A dirty editor would ask to save; none is expected, but don't hang on it.
  const dontSave = page.locator(".monaco-dialog-box .monaco-button", { hasText: "Don't Save" });
  if (await dontSave.isVisible().catch(() => false)) await dontSave.click();
  await page
    .waitForFunction(() => !document.querySelector(".tabs-container .tab"), null, { timeout: 10_000 })
    .catch(() => {
      throw new Error("could not close the editors left by the previous test");
    });
  // Old toasts would hide the next test's own error notifications (and cover the screenshots).
  await runCommand(page, "Notifications: Clear All Notifications").catch(() => {});
  if (
    await page
      .locator(".part.panel")
      .isVisible()
      .catch(() => false)
  ) {
    await runCommand(page, "View: Hide Panel").catch(() => {});
  }
}

/**
 * Finds the (nested) frame that holds `selector`. Webviews are `iframe.webview` → `#active-frame`;
 * with more than one panel open, a frame locator would be ambiguous, so search every frame.
 * `check` (optional) runs in that frame and must return true before the frame is accepted.
 */
/**
 * @param {import("playwright-core").Page} page
 * @param {string} selector
 * @param {{ timeout?: number, check?: (f: import("playwright-core").Frame) => Promise<true | string>, failOnError?: RegExp }} [opts]
 */
export async function waitForFrameWith(page, selector, { timeout = 60_000, check, failOnError } = {}) {
  const deadline = Date.now() + timeout;
  let last = "";
  while (Date.now() < deadline) {
    if (failOnError) {
      const errs = (await errorNotifications(page)).filter((m) => failOnError.test(m));
      if (errs.length) throw new Error(`error notification while waiting for ${selector}: ${JSON.stringify(errs[0])}`);
    }
    for (const f of page.frames()) {
      if (f === page.mainFrame()) continue;
      try {
        if (!(await f.$(selector))) continue;
        if (!check) return f;
        const r = await check(f);
        if (r === true) return f;
        last = String(r);
      } catch {
        /* frame navigated or went away: keep looking */
      }
    }
    await sleep(250);
  }
  throw new Error(
    last
      ? `a webview shows ${selector}, but within ${timeout / 1000}s it never passed the check: ${last}`
      : `no webview frame with ${selector} within ${timeout / 1000}s`,
  );
}

/** Texts of the error notifications currently shown as toasts. */
export async function errorNotifications(page) {
  return page
    .evaluate(() =>
      [...document.querySelectorAll(".notifications-toasts .notification-list-item")]
        .filter((n) => n.querySelector(".codicon-error"))
        .map((n) => (n.querySelector(".notification-list-item-message")?.textContent ?? "").trim()),
    )
    .catch(() => []);
}

function exactText(s) {
  return new RegExp(`^\\s*${s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`);
}

function cssString(s) {
  return s.replace(/["\\]/g, "\\$&");
}

/** Runs a scenario file of the workspace with the palette and waits for its results table. */
export async function runScenarioFile(page, file, renders) {
  await openFile(page, file);
  await runCommand(page, "PV Sched: Run Scenario");
  return waitForFrameWith(page, 'table[data-testid="results-table"]', {
    timeout: 120_000,
    failOnError: /PV Sched/,
    check: async (f) => {
      const n = Number((await f.getAttribute("#results", "data-renders")) ?? 0);
      return n > renders || `renders ${n}`;
    },
  });
}

/**
 * Opens a file by absolute path, as a user opens a file that is not in the workspace: quick open
 * (Ctrl+P) takes an absolute path and offers that file.
 */
export async function openAbsolute(page, path, tabName) {
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: 20_000 });
  await input.fill(path);
  const row = page.locator(".quick-input-list .monaco-list-row", { has: page.locator(".label-name", { hasText: tabName }) });
  await row.first().click({ timeout: 30_000 });
  await page.locator(`.tabs-container .tab.active[aria-label^="${tabName}"]`).waitFor({ timeout: 30_000 });
}

/**
 * Another command, answered by the extension host: its quick pick must show within 1 s (scaled
 * by load / cores while the shared machine is oversubscribed, as in the CLI tests). Issue 14: the
 * host stays responsive after a hostile input.
 */
export async function expectCommandAnswers(ctx) {
  const { page } = ctx;
  const load = loadavg()[0] ?? 0;
  const allowMs = 1000 * Math.max(1, load / cpus().length);
  await runCommand(page, "PV Sched: New Scenario from Template");
  const t0 = Date.now();
  await page
    .locator(".quick-input-widget .quick-input-title", { hasText: "New scenario from template" })
    .waitFor({ state: "visible", timeout: 60_000 });
  const ms = Date.now() - t0;
  await page.keyboard.press("Escape");
  ctx.log(`"New Scenario from Template" answered in ${ms} ms (allowed ${allowMs.toFixed(0)} ms at load ${load.toFixed(1)})`);
  if (ms > allowMs) throw new Error(`the extension host took ${ms} ms to answer a command (allowed ${allowMs.toFixed(0)} ms)`);
}

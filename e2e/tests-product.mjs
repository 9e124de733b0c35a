// The e2e tests of issue 11 (the extension as a product): results that stay, lenses wherever a
// patch is read, the walkthrough. Same contract as tests.mjs: `prepare` before the workbench opens,
// `run` throws on failure, screenshots into ctx.shots.
import { copyFileSync, cpSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openAbsolute, openFile, runCommand, runScenarioFile, sleep, waitForFrameWith, waitForWorkbench } from "./lib/ui.mjs";
import { installVsix, ROOT, startServer, workbenchUrl } from "./lib/workbench.mjs";

export const TINY = (name) =>
  `name: ${name}\nduration_s: 0.2\nhost:\n  cpus: 1\n  workloads:\n    - kind: cyclictest\n      id: host-cyclictest\n      interval_us: 1000\nmodes: [vanilla]\n`;
const LONG =
  "name: e2e long run\nduration_s: 3600\nhost:\n  cpus: 2\n  workloads:\n    - kind: stress\n      workers: 2\n    - kind: cyclictest\n      id: host-cyclictest\n      interval_us: 500\nmodes: [vanilla]\n";

/** The labels of the tabs of every editor group. */
function tabLabels(page) {
  return page.$$eval(".tabs-container .tab", (ts) => ts.map((t) => t.getAttribute("aria-label") ?? ""));
}

/** Every results file the history wrote under the profile's workspace storage. */
function historyFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".pvsched-results.json") && d.endsWith("history")) out.push(p);
    }
  };
  walk(dir);
  return out.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
}

/** A guest cyclictest whose vCPU shares one host CPU with a CFS hog (test/sim/why.test.ts has the same cause). */
const BEHIND_HOG =
  "name: e2e why late\nseed: 7\nduration_s: 0.5\nhost:\n  cpus: 1\n  noise: false\n  workloads:\n    - { kind: stress, id: hog, workers: 1 }\n" +
  "vms:\n  - name: vm0\n    vcpus: 1\n    workloads:\n      - { kind: cyclictest, id: ct, interval_us: 1000, policy: fifo, priority: 90 }\n" +
  "      - { kind: stress, id: guesthog, workers: 1 }\nmodes: [vanilla]\n";

export const PRODUCT_TESTS = [
  {
    id: "why",
    name: "results: a histogram tail bin's click and Why late's Jump to worst (keyboard) show the sample and its chain on the timeline",
    timeout: 240_000,
    prepare(ctx) {
      writeFileSync(join(ctx.ws, "scenarios", "e2e-why.pvsched.yaml"), BEHIND_HOG);
      writeFileSync(join(ctx.ws, "scenarios", "e2e-why-timeline.pvsched.yaml"), BEHIND_HOG.replace("e2e why late", "e2e why timeline"));
      writeFileSync(join(ctx.ws, "scenarios", "e2e-why-jump.pvsched.yaml"), BEHIND_HOG.replace("e2e why late", "e2e why jump"));
    },
    async run(ctx) {
      const { page } = ctx;
      const shown = await runScenarioFile(page, "e2e-why-timeline.pvsched.yaml", 0);
      // Run Scenario ships no timeline (issue 13): the Timeline tab says it is being recorded and
      // asks the host, which runs the same runs again with the recorder on.
      await shown.locator('vscode-tab-header[data-tab="timeline"]').click();
      await shown.locator('[data-testid="timeline-pending"]').waitFor({ state: "visible", timeout: 30_000 });
      await shown.locator(".tl-plot").waitFor({ state: "visible", timeout: 60_000 });
      ctx.log(`why: the Timeline tab recorded the timeline: ${await shown.locator(".tl-range").textContent()}`);
      // Another run, shown on the Summary tab: its timeline is not there until asked for (on the
      // Timeline tab, new results ask for theirs at once).
      await shown.locator('vscode-tab-header[data-tab="summary"]').click();
      const renders = Number((await shown.getAttribute("#results", "data-renders")) ?? 0);
      const frame = await runScenarioFile(page, "e2e-why.pvsched.yaml", renders);
      // A click on a bin of the histogram's tail opens the timeline on that bin's worst sample.
      await frame.locator('vscode-tab-header[data-tab="dist"]').click();
      // The tail's bins lead to their samples once the host has recorded the timeline, which the
      // tab's button asks for.
      const record = frame.locator('vscode-button[data-testid="record-timeline"]');
      await record.waitFor({ state: "visible", timeout: 30_000 });
      await record.click();
      const bin = frame.locator("svg.chart rect.chart-target").first();
      await bin.waitFor({ state: "attached", timeout: 60_000 });
      const label = (await bin.getAttribute("aria-label")) ?? "";
      await bin.click();
      const binWhy = frame.locator('[data-testid="timeline-why"]');
      await binWhy.waitFor({ state: "visible", timeout: 30_000 });
      const binText = (await binWhy.textContent()) ?? "";
      if (!/timer expired at/.test(binText) || !/preempted on CPU 0 by hog\.0 \(CFS/.test(binText) || !/ran at \+/.test(binText))
        throw new Error(`the tail bin's chain does not name the hog: ${binText.slice(0, 400)}`);
      ctx.log(`why: tail bin "${label}" -> timeline at ${await frame.locator(".tl-range").textContent()}`);
      await page.screenshot({ path: join(ctx.shots, "why-late-tail-bin.png") });
      // Back to the whole run, so that the jump below must move the view again. The range is
      // redrawn on the next frame: wait for it, or `whole` may still read the tail bin's window
      // (the same as the worst sample's when the bin clicked is the worst one).
      const atBin = (await frame.locator(".tl-range").textContent()) ?? "";
      await frame.locator(".tl-plot").press("Home");
      await frame.waitForFunction((w) => document.querySelector(".tl-range")?.textContent !== w, atBin, { timeout: 30_000 });
      const whole = (await frame.locator(".tl-range").textContent()) ?? "";
      await frame.locator('vscode-tab-header[data-tab="why"]').click();
      const table = frame.locator('[data-testid="why-table"]').first();
      await table.waitFor({ state: "visible", timeout: 30_000 });
      // The row's parts add up to its total (the sum is the panel's, the parts the simulator's).
      const row = await table
        .locator("tbody tr")
        .first()
        .locator("td")
        .evaluateAll((tds) => tds.map((t) => Number(t.getAttribute("data-value"))));
      const parts = row.slice(0, -2);
      const total = row[row.length - 2] ?? Number.NaN;
      if (!(total > 0) || Math.abs(parts.reduce((a, b) => a + b, 0) - total) > 1e-6 * total)
        throw new Error(`why table: parts ${JSON.stringify(parts)} do not add up to ${total}`);
      const jump = frame.locator('vscode-button[data-testid="why-jump"]').first();
      await jump.focus();
      await page.keyboard.press("Enter");
      const why = frame.locator('[data-testid="timeline-why"]');
      await why.waitFor({ state: "visible", timeout: 30_000 });
      await frame.waitForFunction((w) => document.querySelector(".tl-range")?.textContent !== w, whole, { timeout: 30_000 });
      const text = (await why.textContent()) ?? "";
      if (!/timer expired at/.test(text) || !/preempted on CPU 0 by hog\.0 \(CFS/.test(text) || !/ran at \+/.test(text))
        throw new Error(`the timeline's chain does not name the hog: ${text.slice(0, 400)}`);
      const range = (await frame.locator(".tl-range").textContent()) ?? "";
      ctx.log(`why: timeline at ${range}; chain: ${text.slice(0, 160)}…`);
      await page.screenshot({ path: join(ctx.shots, "why-late-jump.png") });

      // Jump to worst on results not recorded yet: the jump records the timeline, then lands.
      await frame.locator('vscode-tab-header[data-tab="why"]').click();
      const before = Number((await frame.getAttribute("#results", "data-renders")) ?? 0);
      const third = await runScenarioFile(page, "e2e-why-jump.pvsched.yaml", before);
      const early = third.locator('vscode-button[data-testid="why-jump"]').first();
      await early.waitFor({ state: "visible", timeout: 30_000 });
      await early.click();
      const landed = third.locator('[data-testid="timeline-why"]');
      await landed.waitFor({ state: "visible", timeout: 60_000 });
      const chain = (await landed.textContent()) ?? "";
      if (!/timer expired at/.test(chain) || !/ran at \+/.test(chain))
        throw new Error(`the jump before the timeline was recorded did not land on its sample: ${chain.slice(0, 400)}`);
      ctx.log(`why: jump before recording -> timeline at ${await third.locator(".tl-range").textContent()}`);
    },
  },
  {
    id: "pinned",
    name: "results: the panel survives a click in the explorer",
    timeout: 240_000,
    prepare(ctx) {
      writeFileSync(join(ctx.ws, "scenarios", "e2e-tiny.pvsched.yaml"), TINY("e2e tiny"));
    },
    async run(ctx) {
      const { page } = ctx;
      await runScenarioFile(page, "e2e-tiny.pvsched.yaml", 0);
      // Focus the panel's group, then one click on a file in the explorer: a preview editor
      // there would be replaced by the file.
      await page
        .locator(".tabs-container .tab", { hasText: /PV Sched Results/ })
        .first()
        .click();
      await runCommand(page, "View: Show Explorer");
      const row = page.locator(".explorer-folders-view .monaco-list-row", { hasText: "pvsched-series.mbox" });
      await row.first().click();
      await sleep(1500);
      const tabs = await tabLabels(page);
      if (!tabs.some((t) => /^PV Sched Results/.test(t))) throw new Error(`the results panel closed: tabs ${JSON.stringify(tabs)}`);
      if (!tabs.some((t) => t.startsWith("pvsched-series.mbox")))
        throw new Error(`the explorer click opened nothing: ${JSON.stringify(tabs)}`);
      await page.screenshot({ path: join(ctx.shots, "panel-survives-explorer-click.png") });
    },
  },
  {
    id: "cancel",
    name: "results: Cancel clears the progress banner and says Cancelled",
    timeout: 240_000,
    prepare(ctx) {
      writeFileSync(join(ctx.ws, "scenarios", "e2e-long.pvsched.yaml"), LONG);
    },
    async run(ctx) {
      const { page } = ctx;
      await openFile(page, "e2e-long.pvsched.yaml");
      await runCommand(page, "PV Sched: Run Scenario");
      const frame = await waitForFrameWith(page, '[data-testid="progress"]:not([hidden])', { timeout: 60_000 });
      await sleep(1000);
      await frame.click('[data-testid="cancel"]');
      await frame.waitForSelector('[data-testid="progress"][hidden]', { state: "attached", timeout: 30_000 }).catch(() => {
        throw new Error("the panel's progress banner stayed after Cancel");
      });
      const notice = (await frame.textContent('[data-testid="notice"]')) ?? "";
      if (!/^Cancelled: e2e long run/.test(notice.trim())) throw new Error(`the panel says ${JSON.stringify(notice)} after Cancel`);
      const status = page.locator(".statusbar-item", { hasText: /PV Sched: Cancelled/ });
      await status
        .first()
        .waitFor({ state: "visible", timeout: 5000 })
        .catch(() => {
          throw new Error("the status bar does not say Cancelled");
        });
      // The progress notification is gone too.
      await page
        .waitForFunction(
          () => ![...document.querySelectorAll(".notification-list-item-message")].some((n) => /e2e long run/.test(n.textContent ?? "")),
          null,
          {
            timeout: 10_000,
          },
        )
        .catch(() => {
          throw new Error("the progress notification stayed after Cancel");
        });
      await page.screenshot({ path: join(ctx.shots, "cancelled.png") });
    },
  },
  {
    id: "history",
    name: "results: the PV Sched view lists the runs, and an exported results file reopens",
    timeout: 240_000,
    prepare(ctx) {
      writeFileSync(join(ctx.ws, "scenarios", "e2e-first.pvsched.yaml"), TINY("e2e first"));
      writeFileSync(join(ctx.ws, "scenarios", "e2e-second.pvsched.yaml"), TINY("e2e second"));
    },
    async run(ctx) {
      const { page } = ctx;
      const first = await runScenarioFile(page, "e2e-first.pvsched.yaml", 0);
      const renders = Number((await first.getAttribute("#results", "data-renders")) ?? 0);
      await runScenarioFile(page, "e2e-second.pvsched.yaml", renders);
      await runCommand(page, "View: Show PV Sched");
      const rows = page.locator('.pane-body .monaco-list-row[role="treeitem"]', { hasText: /e2e/ });
      await rows
        .nth(1)
        .waitFor({ state: "visible", timeout: 20_000 })
        .catch(async () => {
          throw new Error(`the history view lists ${await rows.count()} run(s), want 2 or more`);
        });
      const labels = await rows.allInnerTexts();
      if (!/e2e second/.test(labels[0] ?? "")) throw new Error(`newest first: ${JSON.stringify(labels)}`);
      await page.screenshot({ path: join(ctx.shots, "history-view.png") });

      // The history keeps each run as a results file, the Export format: one copied into the
      // workspace opens in the results editor.
      const [newest] = historyFiles(join(ctx.tmp, "user-data"));
      if (!newest) throw new Error("no results file in the history's storage");
      const exported = join(ctx.tmp, "outside", "exported.pvsched-results.json");
      mkdirSync(join(ctx.tmp, "outside"), { recursive: true });
      copyFileSync(newest, exported);
      // Only the file's editor may show results now: the panel goes first.
      await runCommand(page, "View: Close All Editor Groups");
      await openAbsolute(page, exported, "exported.pvsched-results.json");
      await waitForFrameWith(page, 'h1[data-testid="title"]', {
        timeout: 60_000,
        check: async (f) => ((await f.textContent('h1[data-testid="title"]')) === "e2e second" ? true : "title not yet the file's"),
      });
      await sleep(500);
      await page.screenshot({ path: join(ctx.shots, "results-file-reopened.png") });
    },
  },
  {
    id: "reload",
    name: "results: after a window reload the panel shows the last results again",
    timeout: 300_000,
    prepare(ctx) {
      writeFileSync(join(ctx.ws, "scenarios", "e2e-before-reload.pvsched.yaml"), TINY("e2e before reload"));
    },
    async run(ctx) {
      const { page } = ctx;
      await runScenarioFile(page, "e2e-before-reload.pvsched.yaml", 0);
      await sleep(1500); // the history writes its file
      await runCommand(page, "Developer: Reload Window");
      await sleep(3000);
      // Not waitForWorkbench: the side bar may show the PV Sched view instead of the explorer.
      await page.waitForSelector(".monaco-workbench", { timeout: 180_000 });
      // The panel comes back (serializer) and shows the newest results of the history, not
      // "Waiting for results".
      await waitForFrameWith(page, 'h1[data-testid="title"]', {
        timeout: 120_000,
        check: async (f) => {
          const t = await f.textContent('h1[data-testid="title"]');
          return t === "e2e before reload" || `title ${JSON.stringify(t)}`;
        },
      });
      await page.screenshot({ path: join(ctx.shots, "restored-after-reload.png") });
      // The webview could restore its own copy; Export is the host's: it must have the results too.
      await runCommand(page, "PV Sched: Export Results");
      const json = page.locator(".quick-input-list .monaco-list-row", { hasText: /^\s*JSON/ });
      await json
        .first()
        .waitFor({ state: "visible", timeout: 15_000 })
        .catch(async () => {
          const toasts = await page.$$eval(".notification-list-item-message", (n) => n.map((x) => x.textContent));
          throw new Error(`Export after a reload offers no format (notifications: ${JSON.stringify(toasts)})`);
        });
      await page.keyboard.press("Escape");
    },
  },
  {
    id: "outside",
    name: "patch: a .diff outside the workspace gets lenses",
    timeout: 180_000,
    prepare(ctx) {
      const src = join(ctx.ws, "pvsched-series", "0004-kvm-x86-boost-vcpu-threads-on-latency-sensitive-path.patch");
      mkdirSync(join(ctx.tmp, "outside"), { recursive: true });
      ctx.state.outside = join(ctx.tmp, "outside", "boost.diff");
      cpSync(src, ctx.state.outside);
    },
    async run(ctx) {
      const { page } = ctx;
      await openAbsolute(page, ctx.state.outside, "boost.diff");
      const lens = page.locator(".editor-group-container.active .codelens-decoration > :is(a, span)", { hasText: /^Patch 4 · / });
      await lens.first().waitFor({ state: "visible", timeout: 60_000 });
      await page.screenshot({ path: join(ctx.shots, "diff-outside-workspace.png") });
    },
  },
  {
    id: "patch5",
    name: "patch: patch 5's lens runs the scenario that exercises it",
    // Five replications of three modes: minutes on a loaded 2-core machine.
    timeout: 600_000,
    async run(ctx) {
      const { page } = ctx;
      await openFile(page, "0005-kvm-x86-upper-bound-for-preemption-based-boost-durat.patch");
      // The patch's first hunk is shared memory (patch 1's struct); the Simulate lens wanted is
      // the one on the line whose label is patch 5's mechanism.
      const sim = page
        .locator(".editor-group-container.active .codelens-decoration", {
          has: page.locator(":is(a, span)", { hasText: /^Patch 5 · Preempt-disabled boost cap/ }),
        })
        .locator("a", { hasText: /Simulate/ });
      await sim.first().waitFor({ state: "visible", timeout: 120_000 });
      const t0 = Date.now();
      await sim.first().click();
      const frame = await waitForFrameWith(page, ".source", {
        timeout: 480_000,
        failOnError: /PV Sched/,
        check: async (f) => (/ablation of preempt_throttle/.test((await f.textContent(".source")) ?? "") ? true : "not yet patch 5's"),
      });
      const title = (await frame.textContent('h1[data-testid="title"]')) ?? "";
      if (!/buggy guest/.test(title)) throw new Error(`patch 5 ran ${JSON.stringify(title)}, not its exercising scenario`);
      const lens = page.locator(".editor-group-container.active .codelens-decoration > :is(a, span)", {
        hasText: /no significant effect|not exercised|[−+±]\d/,
      });
      await lens.first().waitFor({ state: "visible", timeout: 30_000 });
      const text = (await lens.first().textContent())?.trim();
      ctx.log(`patch 5 lens after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(text)}`);
      if (/not exercised/.test(text ?? "")) throw new Error(`patch 5's own scenario did not exercise it: ${text}`);
      await page.screenshot({ path: join(ctx.shots, "patch5-lens.png") });
    },
  },
  {
    id: "walkthrough",
    name: "walkthrough: Get Started opens the sample patch",
    timeout: 180_000,
    async run(ctx) {
      const { page } = ctx;
      await runCommand(page, "Welcome: Open Walkthrough...");
      const input = page.locator(".quick-input-widget input");
      await input.fill("Paravirt");
      const row = page.locator(".quick-input-list .monaco-list-row", { hasText: /Get Started with Paravirt Scheduling Lab/ });
      await row.first().click({ timeout: 20_000 });
      const button = page.locator(":is(a, button)", { hasText: /^\s*Open Sample Patch\s*$/ });
      await button.first().waitFor({ state: "visible", timeout: 30_000 });
      await page.screenshot({ path: join(ctx.shots, "walkthrough.png") });
      await button.first().click();
      await page
        .locator('.tabs-container .tab[aria-label^="0004-kvm-x86-boost-vcpu-threads-on-latency-sensitive-path.patch"]')
        .first()
        .waitFor({ timeout: 30_000 });
      await page
        .locator(".codelens-decoration > :is(a, span)", { hasText: /^Patch 4 · / })
        .first()
        .waitFor({ timeout: 60_000 });
      await page.screenshot({ path: join(ctx.shots, "walkthrough-sample.png") });
    },
  },
  {
    id: "web",
    name: "web entry: the packaged extension in the browser's web worker extension host runs a scenario",
    timeout: 420_000,
    ownPage: true,
    skip: (ctx) => (ctx.fromVsix ? null : "needs the packaged .vsix (not E2E_SOURCE)"),
    async run(ctx) {
      // A second code-server whose settings put the extension in the web worker extension host
      // (remote.extensionKind: web): the browser entry (dist/web/extension.js) is what runs.
      const dir = join(ctx.tmp, "web");
      const userDataDir = join(dir, "user-data");
      const extensionsDir = join(dir, "extensions");
      installVsix({ vsix: join(ROOT, "dist/pvsched-lab.vsix"), extensionsDir, userDataDir });
      const server = await startServer({
        userDataDir,
        extensionsDir,
        logFile: join(dir, "code-server.log"),
        settings: { "remote.extensionKind": { "pvsched-lab.pvsched-lab": ["web"] } },
      });
      const context = await ctx.browser.newContext({ viewport: { width: 1600, height: 1000 } });
      try {
        const page = await context.newPage();
        const hostKinds = [];
        page.on("console", (m) => {
          const k = /\[pvsched\] activated in the (\w+) extension host/.exec(m.text());
          if (k) hostKinds.push(k[1]);
        });
        await page.goto(workbenchUrl({ port: server.port, folder: ctx.ws }), { waitUntil: "domcontentloaded", timeout: 120_000 });
        await waitForWorkbench(page, 180_000);
        await openFile(page, "rogue-guest.pvsched.yaml");
        await runCommand(page, "PV Sched: Run Scenario");
        const frame = await waitForFrameWith(page, 'table[data-testid="results-table"]', { timeout: 240_000, failOnError: /PV Sched/ });
        const title = await frame.textContent('h1[data-testid="title"]');
        if (title !== "rogue guest") throw new Error(`the web host's panel shows ${JSON.stringify(title)}`);
        // The workbench relays the web worker host's console: the browser entry announced itself.
        if (!hostKinds.includes("web")) throw new Error(`no activation in the web extension host (seen: ${JSON.stringify(hostKinds)})`);
        await page.screenshot({ path: join(ctx.shots, "web-extension-host.png") });
      } finally {
        await context.close().catch(() => {});
        await server.stop();
      }
    },
  },
];

/** Extension-host tests of results that stay: pinned panel, history, results files, cancel, busy runs. */
import * as assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { api, until, withSetting } from "./helpers";

const tiny = (name: string, seconds = 0.05) =>
  `name: ${name}\nduration_s: ${seconds}\nhost:\n  cpus: 1\n  workloads:\n    - kind: cyclictest\n      id: host-cyclictest\n      interval_us: 1000\nmodes: [vanilla]\n`;
const LONG =
  "name: long\nduration_s: 3600\nhost:\n  cpus: 4\n  workloads:\n    - kind: stress\n      workers: 4\n    - kind: cyclictest\n      id: host-cyclictest\n      interval_us: 500\nmodes: [vanilla]\n";

async function scenarioDoc(text: string): Promise<vscode.Uri> {
  return (await vscode.workspace.openTextDocument({ language: "pvsched-scenario", content: text })).uri;
}

function panelTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith("pvsched.results"));
}

export function defineResultsTests(): void {
  suite("Results that stay", () => {
    test("the results panel opens pinned, not as a preview", async () => {
      const a = await api();
      a.panel.dispose();
      await vscode.commands.executeCommand("pvsched.runScenario", await scenarioDoc(tiny("pinned")));
      const tab = await until("the panel's tab", () => panelTab());
      assert.equal(tab.isPreview, false, "the panel's tab is a preview: one click in the explorer would close it");
    });

    test("every result goes into the history, which reopens, compares and exports it", async () => {
      const a = await api();
      const before = (await a.history.list()).length;
      await vscode.commands.executeCommand("pvsched.runScenario", await scenarioDoc(tiny("hist-one")));
      await vscode.commands.executeCommand("pvsched.runScenario", await scenarioDoc(tiny("hist-two")));
      const list = await until("two new history entries", async () => {
        const l = await a.history.list();
        return l.length >= Math.min(before + 2, 20) && l[0]?.title === "hist-two" ? l : undefined;
      });
      const [two, one] = list;
      assert.equal(one?.title, "hist-one");
      // The view shows them, newest first.
      const children = await a.history.getChildren();
      assert.deepEqual(
        children.slice(0, 2).map((e) => a.history.getTreeItem(e).label),
        ["hist-two", "hist-one"],
      );

      assert.equal(await vscode.commands.executeCommand("pvsched.openRun", one!.id), one!.id);
      assert.equal(a.panel.lastPayload?.title, "hist-one");

      const title = await vscode.commands.executeCommand<string>("pvsched.compareRuns", one!.id, two!.id);
      assert.match(title, /A: hist-one .* B: hist-two/);
      assert.deepEqual(
        a.panel.lastPayload?.runs.map((r) => r.mode),
        ["A: vanilla", "B: vanilla"],
      );

      const target = vscode.Uri.file(path.join(os.tmpdir(), `pvsched-test-${process.pid}.pvsched-results.json`));
      assert.equal(await vscode.commands.executeCommand("pvsched.exportRun", one!.id, target.toString()), target.toString());
      const json = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(target)));
      assert.equal(json.title, "hist-one");
      assert.equal(json.runs[0].scenario, "hist-one");

      // The exported file opens in the read-only results editor, not as JSON text.
      await vscode.commands.executeCommand("vscode.open", target);
      await until("the results editor on the file", () => a.resultsEditor.views.get(target.toString()));
      const view = a.resultsEditor.views.get(target.toString())!;
      await until("the file's results in the view", () => view.last);
      assert.equal(view.last?.title, "hist-one");
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
      assert.ok(tab?.input instanceof vscode.TabInputCustom, `the file opened as ${tab?.input?.constructor.name}`);
      assert.equal((tab.input as vscode.TabInputCustom).viewType, "pvsched.resultsFile");
      await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
      await vscode.workspace.fs.delete(target);
    });

    test("a scenario run ships no timeline; asked by the panel, the host records it: the same numbers, with timelines", async () => {
      const a = await api();
      await vscode.commands.executeCommand("pvsched.runScenario", await scenarioDoc(tiny("on-demand", 0.2)));
      const first = await until("the run's results", () => (a.panel.lastPayload?.title === "on-demand" ? a.panel.lastPayload : undefined));
      assert.deepEqual(first.timelineOnDemand, { modes: [{ mode: "vanilla" }] });
      assert.ok(
        first.runs.every((r) => r.timeline === undefined),
        "a timeline was shipped",
      );
      // What the Timeline tab sends when it opens.
      a.panel.receive({ type: "timeline" });
      const second = await until("the recorded timelines", () => {
        const p = a.panel.lastPayload;
        return p?.title === "on-demand" && p.runs.every((r) => r.timeline) ? p : undefined;
      });
      assert.equal(second.timelineOnDemand, undefined);
      assert.deepEqual(
        second.runs.map((r) => [r.mode, r.seed, r.events, r.probes.map((x) => x.latency)]),
        first.runs.map((r) => [r.mode, r.seed, r.events, r.probes.map((x) => x.latency)]),
      );
      assert.equal(second.notes, undefined, "the numbers did not move");
    });

    test("a cancelled run clears the running state and says Cancelled", async () => {
      const a = await api();
      const pending = vscode.commands.executeCommand("pvsched.runScenario", await scenarioDoc(LONG));
      await until("the run to start", () => a.runner.busy || undefined);
      assert.match(a.status.text, /PV Sched: long/);
      await vscode.commands.executeCommand("pvsched.cancelRun");
      assert.equal(await pending, undefined);
      assert.deepEqual(a.runner.running, []);
      assert.match(a.status.text, /Cancelled/);
    });

    test("whenBusy=cancel: a second run cancels the first, which says so, and runs", async () => {
      const a = await api();
      await withSetting("run.whenBusy", "cancel", async () => {
        const first = vscode.commands.executeCommand("pvsched.runScenario", await scenarioDoc(LONG));
        await until("the first run to start", () => a.runner.busy || undefined);
        const second = await vscode.commands.executeCommand<unknown[]>("pvsched.runScenario", await scenarioDoc(tiny("second")));
        assert.equal(await first, undefined, "the first run was cancelled");
        assert.equal(second?.length, 1, "the second run ran");
      });
    });

    test("whenBusy=queue: a second run waits for the first and both give results", async () => {
      const a = await api();
      await withSetting("run.whenBusy", "queue", async () => {
        // Long enough (300 simulated s, about a second or two) to be seen running before it ends:
        // 1 s finished between two polls on an idle machine.
        const first = vscode.commands.executeCommand<unknown[]>("pvsched.runScenario", await scenarioDoc(tiny("first", 300)));
        await until("the first run to start", () => a.runner.running.length > 0 || undefined);
        const second = vscode.commands.executeCommand<unknown[]>("pvsched.runScenario", await scenarioDoc(tiny("queued")));
        const [r1, r2] = await Promise.all([first, second]);
        assert.equal(r1?.length, 1, "the first run was not killed");
        assert.equal(r2?.length, 1, "the queued run ran");
        assert.equal(a.panel.lastPayload?.title, "queued");
        // Both results landed, in the order the runs were asked for: the queued one is the newest.
        await until("both runs in the history, the queued one newest", async () => {
          const [newest, before] = await a.history.list();
          return newest?.title === "queued" && before?.title === "first" ? true : undefined;
        });
      });
    });
  });
}

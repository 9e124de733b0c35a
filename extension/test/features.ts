/** Extension-host tests of the main features: language, lenses, runs, panel, export. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as vscode from "vscode";
import { api, COMMANDS, samplePatch, until, withSetting } from "./helpers";

export function defineTests(): void {
  suite("PV Sched extension", () => {
    test("activates and registers every command", async () => {
      const a = await api();
      assert.ok(a.panel && a.runner, "activate() returns the API");
      const all = await vscode.commands.getCommands(true);
      for (const c of COMMANDS) assert.ok(all.includes(c), `command ${c} is registered`);
    });

    test("diagnostics on a broken scenario have the exact range", async () => {
      await api();
      // Line 3 (0-based 2): `  cpus: 0` — the value 0 breaks `minimum: 1`.
      const text = "name: broken\nhost:\n  cpus: 0\n";
      const doc = await vscode.workspace.openTextDocument({ language: "pvsched-scenario", content: text });
      await vscode.window.showTextDocument(doc);
      const diags = await until("diagnostics", () => {
        const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === "pvsched");
        return d.length ? d : undefined;
      });
      const d = diags.find((x) => /cpus/.test(x.message));
      assert.ok(d, `a diagnostic names host.cpus: ${diags.map((x) => x.message).join(" | ")}`);
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
      assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [2, 8, 2, 9]);
    });

    test("an unknown key is flagged on the key itself", async () => {
      const text = "name: typo\nhost:\n  cpus: 4\n  cpuz: 4\n";
      const doc = await vscode.workspace.openTextDocument({ language: "pvsched-scenario", content: text });
      const diags = await until("diagnostics", () => {
        const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === "pvsched");
        return d.length ? d : undefined;
      });
      const d = diags.find((x) => /cpuz/.test(x.message));
      assert.ok(d, diags.map((x) => x.message).join(" | "));
      assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.character], [3, 2, 6]);
    });

    test("completion offers schema properties and enum values", async () => {
      const doc = await vscode.workspace.openTextDocument({
        language: "pvsched-scenario",
        content: "name: c\nhost:\n  cpus: 4\n  sched:\n    fair: \n",
      });
      const keys = await vscode.commands.executeCommand<vscode.CompletionList>(
        "vscode.executeCompletionItemProvider",
        doc.uri,
        new vscode.Position(2, 2),
      );
      const vals = await vscode.commands.executeCommand<vscode.CompletionList>(
        "vscode.executeCompletionItemProvider",
        doc.uri,
        new vscode.Position(4, 10),
      );
      const labels = (l: vscode.CompletionList) => l.items.map((i) => (typeof i.label === "string" ? i.label : i.label.label));
      assert.ok(labels(keys).includes("kvm"), `host keys: ${labels(keys).join(",")}`);
      assert.ok(labels(vals).includes("eevdf") && labels(vals).includes("cfs"), `fair values: ${labels(vals).join(",")}`);
    });

    test("hover shows the schema description", async () => {
      const doc = await vscode.workspace.openTextDocument({ language: "pvsched-scenario", content: "name: h\nhost:\n  cpus: 4\n" });
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        "vscode.executeHoverProvider",
        doc.uri,
        new vscode.Position(2, 3),
      );
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === "string" ? c : c.value))).join("\n");
      assert.match(text, /Number of host CPUs/);
    });

    test("Sweep this parameter: a code action on a number; the sweep's cells reach the panel", async () => {
      const a = await api();
      const text = [
        "name: sweep-test",
        "seed: 3",
        "duration_s: 0.2",
        "host:",
        "  cpus: 2",
        "  workloads:",
        "    - { kind: stress, workers: 2 }",
        "    - { kind: cyclictest, id: ct, interval_us: 1000 }",
        "modes: [vanilla, static]",
        "",
      ].join("\n");
      const doc = await vscode.workspace.openTextDocument({ language: "pvsched-scenario", content: text });
      // On the 2 of `workers: 2` (line 6).
      const at = new vscode.Position(6, text.split("\n")[6]!.indexOf("2"));
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        "vscode.executeCodeActionProvider",
        doc.uri,
        new vscode.Range(at, at),
      );
      const sweep = actions.find((x) => x.command?.command === "pvsched.sweepParameter");
      assert.ok(sweep, `actions: ${actions.map((x) => x.title).join(" | ")}`);
      assert.equal(sweep.title, "Sweep this parameter (host.workloads.0.workers)…");
      assert.deepEqual(sweep.command?.arguments?.[0], { uri: doc.uri.toString(), path: "host.workloads.0.workers", value: 2 });
      const none = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        "vscode.executeCodeActionProvider",
        doc.uri,
        new vscode.Range(new vscode.Position(0, 1), new vscode.Position(0, 1)),
      );
      assert.ok(!none.some((x) => x.command?.command === "pvsched.sweepParameter"), "no sweep on a key");

      await withSetting("sweep.durationSeconds", 0, () =>
        vscode.commands.executeCommand("pvsched.sweepParameter", { ...sweep.command!.arguments![0], values: [1, 3] }),
      );
      const payload = a.panel.lastPayload;
      assert.equal(payload?.source.kind, "sweep");
      assert.deepEqual(
        payload?.sweep?.cells.map((c) => c.params["host.workloads.0.workers"]),
        [1, 3],
      );
      for (const c of payload!.sweep!.cells) {
        assert.deepEqual(c.comparison.modes, ["vanilla", "static"]);
        assert.equal(c.comparison.replications, 5);
        assert.ok(
          c.comparison.probes.some((p) => p.id === "ct" && p.byMode.vanilla?.avg_us?.ci95),
          "the probe's mean has an interval",
        );
      }
    });

    test("Compare with a Real Trace: a recording beside the scenario's probe, with the KS distance", async () => {
      const a = await api();
      // The real trace-cmd recording of test/fixtures/traces (the suite runs from dist/test/).
      const gz = path.join(__dirname, "..", "..", "test", "fixtures", "traces", "cyclictest-busy.report.txt.gz");
      const traceUri = vscode.Uri.file(path.join(os.tmpdir(), `pvsched-trace-${process.pid}.txt`));
      await vscode.workspace.fs.writeFile(traceUri, zlib.gunzipSync(fs.readFileSync(gz)));
      const scenario = [
        "name: trace-compare",
        "seed: 1",
        "duration_s: 0.5",
        "host:",
        "  cpus: 2",
        "  workloads:",
        "    - { kind: stress, workers: 2 }",
        "    - { kind: cyclictest, id: ct, interval_us: 1000, policy: fifo, priority: 80 }",
        "modes: [vanilla]",
        "",
      ].join("\n");
      const doc = await vscode.workspace.openTextDocument({ language: "pvsched-scenario", content: scenario });
      const r = await vscode.commands.executeCommand<{ ks: number; real: number; simulated: number }>("pvsched.compareTrace", {
        trace: traceUri.toString(),
        scenario: doc.uri.toString(),
      });
      // cyclictest -l 2000 in the recording; 0.5 s at 1 ms in the scenario, after its warm-up.
      assert.ok(r && r.real === 2000 && r.simulated >= 300, JSON.stringify(r));
      assert.ok(r.ks > 0 && r.ks <= 1, `KS distance ${r.ks}`);
      const payload = a.panel.lastPayload;
      assert.deepEqual(
        payload?.runs.map((x) => x.mode),
        ["real trace", "vanilla"],
      );
      assert.deepEqual(
        payload?.runs.map((x) => x.probes[0]?.id),
        ["ct", "ct"],
        "one probe id: the panel draws the two side by side",
      );
      assert.equal(payload?.runs[0]?.probes[0]?.latency?.count, r.real);
      assert.match(payload?.notes?.[0] ?? "", /Kolmogorov-Smirnov distance [01]\.\d{3}/);
    });

    test("lenses on the sample patch name the mechanism and offer the ablation", async () => {
      await api();
      const uri = await samplePatch();
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const lenses = await until("lenses", async () => {
        const l = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri);
        return l?.length ? l : undefined;
      });
      const titles = lenses.map((l) => l.command?.title ?? "");
      assert.ok(
        titles.some((t) => /^Patch 4 · Boost on interrupt injection$/.test(t)),
        titles.join(" | "),
      );
      assert.ok(titles.includes("\u25b6 Simulate with/without"), titles.join(" | "));
      const sim = lenses.find((l) => l.command?.command === "pvsched.simulateHunk");
      assert.equal(sim?.command?.arguments?.[0]?.mechanism, "boost_on_inject");
    });

    test("Simulate with/without runs the ablation and the lens then shows the effect", async () => {
      const a = await api();
      const cfg = vscode.workspace.getConfiguration("pvsched");
      await cfg.update("ablation.durationSeconds", 0.3, vscode.ConfigurationTarget.Global);
      try {
        const uri = await samplePatch();
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri);
        const sim = lenses.find((l) => l.command?.command === "pvsched.simulateHunk");
        assert.ok(sim?.command?.arguments, "a Simulate lens");
        const summary = await vscode.commands.executeCommand<string>("pvsched.simulateHunk", ...sim.command.arguments);
        assert.ok(typeof summary === "string" && summary.length > 0, `summary: ${summary}`);
        assert.match(
          summary,
          /(guest|host) (max|avg) [\u2212+±][\d.]+% \[|(guest|host): no significant effect \(5 replications\)|no latency samples/,
        );
        // Patch 4's lens runs the scenario that exercises boost_on_inject (scenarios/lens/exercised-by.json).
        assert.match(a.panel.lastPayload?.title ?? "", /NMI boost/);
        assert.equal(a.effects.get("boost_on_inject"), summary);
        const after = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri);
        assert.ok(
          after.some((l) => l.command?.title === summary),
          "the lens shows the effect",
        );
        const payload = a.panel.lastPayload;
        assert.equal(payload?.source.kind, "hunk");
        // Five replications of the three modes, replication after replication.
        assert.deepEqual(
          payload?.runs.map((r) => r.mode),
          Array.from({ length: 5 }, () => ["dynamic", "dynamic without boost_on_inject", "vanilla"]).flat(),
        );
        assert.equal(payload?.comparison?.replications, 5);
      } finally {
        await cfg.update("ablation.durationSeconds", undefined, vscode.ConfigurationTarget.Global);
      }
    });

    test("a hunk ablation cancelled after its first answer keeps those numbers, no longer said to be refining", async function () {
      this.timeout(180_000);
      const a = await api();
      const cfg = vscode.workspace.getConfiguration("pvsched");
      await cfg.update("ablation.durationSeconds", 600, vscode.ConfigurationTarget.Global);
      try {
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", await samplePatch());
        const sim = lenses.find((l) => l.command?.command === "pvsched.simulateHunk");
        assert.ok(sim?.command?.arguments, "a Simulate lens");
        const before = a.effects.get("boost_on_inject");
        const pending = vscode.commands.executeCommand<string | undefined>("pvsched.simulateHunk", ...sim.command.arguments);
        await until(
          "a provisional answer",
          () => (a.panel.lastPayload?.notes?.some((n) => n.startsWith("Provisional")) ? true : undefined),
          150_000,
        );
        await vscode.commands.executeCommand("pvsched.cancelRun");
        assert.equal(await pending, undefined, "a cancelled ablation returns no summary");
        const notes = a.panel.lastPayload?.notes ?? [];
        assert.ok(
          notes.some((n) => /^Cancelled before the end: \d+ of 15 runs finished/.test(n)),
          notes.join(" | "),
        );
        assert.ok(!notes.some((n) => n.startsWith("Provisional")), notes.join(" | "));
        assert.ok(
          a.panel.lastPayload?.runs.some((r) => r.stop === "running"),
          "the partial runs are still shown",
        );
        assert.equal(a.effects.get("boost_on_inject"), before, "the lens goes back to what it said before");
      } finally {
        await cfg.update("ablation.durationSeconds", undefined, vscode.ConfigurationTarget.Global);
      }
    });

    test("cancelling a run stops it and frees the runner", async () => {
      const a = await api();
      const text =
        "name: long\nduration_s: 3600\nhost:\n  cpus: 4\n  workloads:\n    - kind: stress\n      workers: 4\n    - kind: cyclictest\n      id: host-cyclictest\n      interval_us: 500\nmodes: [vanilla]\n";
      const doc = await vscode.workspace.openTextDocument({ language: "pvsched-scenario", content: text });
      const pending = vscode.commands.executeCommand("pvsched.runScenario", doc.uri);
      await until("the run to start", () => a.runner.busy || undefined);
      await new Promise((r) => setTimeout(r, 500));
      await vscode.commands.executeCommand("pvsched.cancelRun");
      assert.equal(await pending, undefined, "a cancelled run returns no results");
      assert.ok(!a.runner.busy);
      const t = a.runner.lastCancel;
      assert.ok(t, "the cancellation was timed");
      console.log(`    cancel: run stopped after ${t.stoppedMs.toFixed(1)} ms, worker exited after ${t.exitedMs.toFixed(1)} ms`);
      assert.ok(t.stoppedMs < 1000, `stopped after ${t.stoppedMs} ms`);
    });

    test("Reproduce Seed Results runs the built-in seed scenarios and puts the published numbers beside", async () => {
      const a = await api();
      const cfg = vscode.workspace.getConfiguration("pvsched");
      await cfg.update("seed.durationSeconds", 0.2, vscode.ConfigurationTarget.Global);
      try {
        const payload = await vscode.commands.executeCommand<{
          cells: { published: number; simulated?: number }[];
          claims: unknown[];
          runs: unknown[];
        }>("pvsched.reproduceSeed");
        assert.ok(payload, "the seed report ran");
        assert.ok(payload.runs.length >= 10, `${payload.runs.length} runs`);
        assert.ok(payload.cells.length > 0 && payload.cells.every((c) => typeof c.published === "number"));
        assert.ok(
          payload.cells.some((c) => typeof c.simulated === "number"),
          "some cells have simulated numbers",
        );
        assert.ok(payload.claims.length > 0);
        assert.equal(a.panel.lastPayload?.source.kind, "seed");
      } finally {
        await cfg.update("seed.durationSeconds", undefined, vscode.ConfigurationTarget.Global);
      }
    });

    test("New Scenario from Template opens a valid scenario", async () => {
      await api();
      const uri = await vscode.commands.executeCommand<string>("pvsched.newScenario", "Objection: rogue guest that never unboosts");
      assert.ok(uri, "a document was opened");
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri)!;
      assert.equal(doc.languageId, "pvsched-scenario");
      assert.match(doc.getText(), /^name: rogue-guest$/m);
      assert.match(doc.getText(), /never_unboost: true/);
      // Give the debounced validation time to run, then expect no errors.
      await new Promise((r) => setTimeout(r, 600));
      const errors = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
      assert.deepEqual(
        errors.map((e) => e.message),
        [],
      );
      await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
    });

    test("a patch over the lens size limit gets one lens saying so, and no parse on the host (issue 14)", async () => {
      await api();
      const hunk = "--- a/arch/x86/kvm/lapic.c\n+++ b/arch/x86/kvm/lapic.c\n@@ -1 +1,2 @@\n x\n+\tkvm_vcpu_kick_boost(vcpu);\n";
      // 4.2 MiB of hunks: over LENS_MAX_CHARS (4 MiB); the same text at 0.1 MiB gets its lenses.
      for (const [mib, large] of [
        [4.2, true],
        [0.1, false],
      ] as const) {
        const uri = vscode.Uri.file(path.join(os.tmpdir(), `pvsched-large-${process.pid}-${mib}.patch`));
        await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(hunk.repeat(Math.ceil((mib * 1024 * 1024) / hunk.length))));
        const doc = await vscode.workspace.openTextDocument(uri);
        const lenses = await until("lenses", async () => {
          const l = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri);
          return l?.length ? l : undefined;
        });
        const titles = lenses.map((l) => l.command?.title ?? "");
        if (large) {
          assert.equal(lenses.length, 1, titles.slice(0, 3).join(" | "));
          assert.match(titles[0]!, /^PV Sched: too large for hunk lenses \(4\.2 MiB, limit 4\.0 MiB\); run pvsched-sim map on it$/);
        } else
          assert.ok(
            titles.some((t) => /^Patch 4 · /.test(t)),
            titles.slice(0, 3).join(" | "),
          );
        assert.ok(doc.lineCount > 1);
        await vscode.workspace.fs.delete(uri);
      }
    });

    test("scenario files get Run and Compare modes lenses", async () => {
      const doc = await vscode.workspace.openTextDocument({ language: "pvsched-scenario", content: "name: l\nhost:\n  cpus: 1\n" });
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", doc.uri);
      assert.deepEqual(
        lenses.map((l) => l.command?.title),
        ["\u25b6 Run", "Compare modes"],
      );
    });

    test("running a scenario goes through the worker and shows the panel beside", async () => {
      const a = await api();
      const text =
        "name: tiny\nduration_s: 0.05\nhost:\n  cpus: 1\n  workloads:\n    - kind: cyclictest\n      id: host-cyclictest\n      interval_us: 1000\nmodes: [vanilla]\n";
      const doc = await vscode.workspace.openTextDocument({ language: "pvsched-scenario", content: text });
      await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
      const runs = await vscode.commands.executeCommand<{ mode: string; scenario: string }[]>("pvsched.runScenario", doc.uri);
      assert.ok(runs, "the run returned results");
      assert.equal(runs.length, 1);
      assert.equal(runs[0]!.scenario, "tiny");
      assert.equal(runs[0]!.mode, "vanilla");
      const panel = a.panel.current;
      assert.ok(panel, "the results panel is open");
      assert.match(panel.title, /^PV Sched/);
      assert.ok(panel.webview.html.includes("Content-Security-Policy"), "the panel has a CSP");
      assert.ok(!panel.webview.html.includes("unsafe-eval"), "no unsafe-eval");
    });

    test("the webview's malformed messages are refused", async () => {
      const a = await api();
      await vscode.commands.executeCommand("pvsched.showResults");
      assert.ok(a.panel.current, "panel open");
      // Messages from the webview arrive through the panel's handler; feed it a forged one.
      const before = a.panel.rejected;
      (a.panel as unknown as { receive(m: unknown): void }).receive({
        type: "export",
        format: "exe",
        content: "x",
        suggestedName: "../../evil",
      });
      assert.equal(a.panel.rejected, before + 1);
    });

    test("export writes the last results as JSON", async () => {
      const a = await api();
      assert.ok(a.panel.lastPayload, "a previous test ran a scenario");
      // A file of its own in the OS temp folder: the test runs with or without a workspace folder.
      const target = vscode.Uri.file(path.join(os.tmpdir(), `pvsched-test-export-${process.pid}.json`));
      const written = await vscode.commands.executeCommand<string>("pvsched.exportResults", { format: "json", uri: target.toString() });
      assert.equal(written, target.toString());
      const json = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(target)));
      assert.equal(json.runs[0].scenario, "tiny");
      assert.equal(json.runs[0].mode, "vanilla");
      await vscode.workspace.fs.delete(target);
    });
  });
}

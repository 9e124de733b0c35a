/** Workspace trust: what Restricted Mode disables, and what stays on (the manifest's promise). */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { MECHANISMS } from "../../sim-core/index";
import { api, samplePatch, until } from "./helpers";

export function defineTrustTests(): void {
  const folder = () => vscode.workspace.workspaceFolders?.[0]?.uri;
  const TINY =
    "name: ws-tiny\nduration_s: 0.05\nhost:\n  cpus: 1\n  workloads:\n    - kind: cyclictest\n      id: host-cyclictest\n      interval_us: 1000\nmodes: [vanilla]\n";
  /** A small scenario file written into the workspace folder for the test (removed after). */
  async function withWorkspaceScenario(f: (uri: vscode.Uri) => Promise<void>): Promise<boolean> {
    const dir = folder();
    if (!dir) return false;
    const uri = vscode.Uri.joinPath(dir, ".pvsched-trust-test.pvsched.yaml");
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(TINY));
    try {
      await f(uri);
    } finally {
      await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
    }
    return true;
  }

  if (vscode.workspace.isTrusted) {
    suite("Trusted workspace", () => {
      test("an unmapped hunk offers Map this hunk…, which writes a rule that then maps it", async function () {
        const dir = folder();
        if (!dir) return this.skip();
        const mapFile = vscode.Uri.joinPath(dir, ".vscode", "pvsched-hunk-map.json");
        if (
          await vscode.workspace.fs.stat(mapFile).then(
            () => true,
            () => false,
          )
        )
          return this.skip(); // never touch a real one
        const vscodeDir = vscode.Uri.joinPath(dir, ".vscode");
        const hadVscodeDir = await vscode.workspace.fs.stat(vscodeDir).then(
          () => true,
          () => false,
        );
        const patch = vscode.Uri.joinPath(dir, ".pvsched-unmapped-test.patch");
        const text = [
          "diff --git a/drivers/misc/frobnicator.c b/drivers/misc/frobnicator.c",
          "--- a/drivers/misc/frobnicator.c",
          "+++ b/drivers/misc/frobnicator.c",
          "@@ -10,2 +10,3 @@ static int frob_probe(struct device *dev)",
          " \tint ret;",
          "+\tfrob_wake_boost(dev);",
          " \treturn 0;",
          "",
        ].join("\n");
        await vscode.workspace.fs.writeFile(patch, new TextEncoder().encode(text));
        // No hunk of this patch is mapped: the default (auto) shows no lenses on it; "on" offers Map.
        const cfg = vscode.workspace.getConfiguration("pvsched");
        await cfg.update("lens.enabled", "on", vscode.ConfigurationTarget.Global);
        try {
          // The lens command reads the open document's model.
          await vscode.workspace.openTextDocument(patch);
          const before = await until("lenses", async () => {
            const l = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", patch);
            return l?.length ? l : undefined;
          });
          const map = before.find((l) => l.command?.command === "pvsched.mapHunk");
          assert.equal(map?.command?.title, "Map this hunk\u2026");
          const written = await vscode.commands.executeCommand<string>("pvsched.mapHunk", ...map!.command!.arguments!, "lazy_boost");
          const lazy = MECHANISMS.find((m) => m.id === "lazy_boost")!;
          const lazyBoostLens = `Patch ${lazy.patch} \u00b7 ${lazy.label}`;
          assert.equal(written, mapFile.toString());
          const rules = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(mapFile))).rules;
          assert.deepEqual(rules[0].files, ["drivers/misc/frobnicator.c"]);
          assert.equal(rules[0].mechanism, "lazy_boost");
          const after = await until("the new mapping", async () => {
            const l = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", patch);
            return l?.some((x) => x.command?.title === lazyBoostLens) ? l : undefined;
          });
          assert.ok(after.some((l) => l.command?.command === "pvsched.simulateHunk"));
        } finally {
          await cfg.update("lens.enabled", undefined, vscode.ConfigurationTarget.Global);
          await vscode.workspace.fs.delete(patch).then(undefined, () => undefined);
          await vscode.workspace.fs.delete(mapFile).then(undefined, () => undefined);
          if (!hadVscodeDir) await vscode.workspace.fs.delete(vscodeDir).then(undefined, () => undefined);
        }
      });

      test("pvsched.ablation.scenario must stay inside the workspace folder (issue 14)", async () => {
        const a = await api();
        const cfg = vscode.workspace.getConfiguration("pvsched");
        await cfg.update("ablation.scenario", "../../../../etc/passwd", vscode.ConfigurationTarget.Global);
        try {
          const before = a.panel.lastPayload;
          const uri = await samplePatch();
          const r = await vscode.commands.executeCommand("pvsched.simulateHunk", {
            uri: uri.toString(),
            line: 0,
            mechanism: "boost_on_inject",
          });
          assert.equal(r, undefined, "no ablation ran");
          assert.ok(!a.runner.busy);
          assert.equal(a.panel.lastPayload, before, "no results replaced");
        } finally {
          await cfg.update("ablation.scenario", undefined, vscode.ConfigurationTarget.Global);
        }
      });

      test("a scenario file from the workspace runs", async function () {
        const ran = await withWorkspaceScenario(async (uri) => {
          const runs = await vscode.commands.executeCommand<{ scenario: string }[]>("pvsched.runScenario", uri);
          assert.equal(runs?.[0]?.scenario, "ws-tiny");
        });
        if (!ran) this.skip();
      });
    });
    return;
  }
  suite("Restricted Mode", () => {
    test("running a scenario file from the workspace is refused", async function () {
      const a = await api();
      const ran = await withWorkspaceScenario(async (uri) => {
        const before = a.panel.lastPayload;
        const r = await vscode.commands.executeCommand("pvsched.runScenario", uri);
        assert.equal(r, undefined);
        assert.ok(!a.runner.busy, "no run started");
        assert.equal(a.panel.lastPayload, before, "no results replaced");
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri);
        assert.equal(lenses.length, 2, "the Run/Compare lenses stay (they explain the restriction when clicked)");
      });
      if (!ran) this.skip();
    });

    test("diagnostics stay on", async () => {
      const doc = await vscode.workspace.openTextDocument({ language: "pvsched-scenario", content: "name: r\nhost:\n  cpus: -1\n" });
      const d = await until("diagnostics", () => {
        const x = vscode.languages.getDiagnostics(doc.uri);
        return x.length ? x : undefined;
      });
      assert.ok(d.some((x) => /cpus/.test(x.message)));
    });

    test("Map this hunk does not write the workspace's hunk map", async () => {
      const f = folder();
      const uri = await samplePatch();
      const doc = await vscode.workspace.openTextDocument(uri);
      const line = doc
        .getText()
        .split("\n")
        .findIndex((l) => l.startsWith("@@"));
      const r = await vscode.commands.executeCommand("pvsched.mapHunk", { uri: uri.toString(), line }, "lazy_boost");
      assert.equal(r, undefined);
      if (f) await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.joinPath(f, ".vscode/pvsched-hunk-map.json"))));
    });
  });
}

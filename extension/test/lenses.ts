/** Extension-host tests of the hunk lenses wherever a patch is read, the lens setting, the hover, "not exercised". */
import * as assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { api, samplePatch, until, withSetting } from "./helpers";

async function lensTitles(uri: vscode.Uri): Promise<string[]> {
  const l = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri);
  return (l ?? []).map((x) => x.command?.title ?? "");
}

/** A copy of a sample patch in the OS temp folder (outside any workspace), with another extension. */
async function copyOutside(name: string, ext: string): Promise<vscode.Uri> {
  const src = vscode.Uri.joinPath(await samplePatch(), "..", name);
  const dst = vscode.Uri.file(path.join(os.tmpdir(), `pvsched-lens-${process.pid}-${name.replace(/\.patch$/, "")}${ext}`));
  await vscode.workspace.fs.writeFile(dst, await vscode.workspace.fs.readFile(src));
  return dst;
}

const PATCH4 = "0004-kvm-x86-boost-vcpu-threads-on-latency-sensitive-path.patch";
const PATCH5 = "0005-kvm-x86-upper-bound-for-preemption-based-boost-durat.patch";

export function defineLensTests(): void {
  suite("Lenses wherever a patch is read", () => {
    for (const ext of [".diff", ".mbox", ".eml"]) {
      test(`a ${ext} outside the workspace opens in the diff language and gets the mechanism lenses`, async () => {
        await api();
        const uri = await copyOutside(PATCH4, ext);
        try {
          const doc = await vscode.workspace.openTextDocument(uri);
          assert.equal(doc.languageId, "diff");
          const titles = await until("lenses", async () => {
            const t = await lensTitles(uri);
            return t.length ? t : undefined;
          });
          assert.ok(
            titles.some((t) => /^Patch 4 · /.test(t)),
            titles.join(" | "),
          );
        } finally {
          await vscode.workspace.fs.delete(uri);
        }
      });
    }

    test("pvsched.lens.enabled: auto hides lenses on a diff of nothing the series does; on shows Map; off shows none", async () => {
      await api();
      const text = "--- a/README\n+++ b/README\n@@ -1 +1 @@\n-hello\n+hello, world\n";
      const other = await vscode.workspace.openTextDocument({ language: "diff", content: text });
      assert.deepEqual(await lensTitles(other.uri), []);
      await withSetting("lens.enabled", "on", async () => {
        assert.deepEqual(await lensTitles(other.uri), ["Map this hunk\u2026"]);
      });
      const p4 = await samplePatch();
      assert.ok((await lensTitles(p4)).length > 0, "auto: the sample patch has lenses");
      await withSetting("lens.enabled", "off", async () => {
        assert.deepEqual(await lensTitles(p4), []);
      });
    });

    test("a patch with mapped hunks warms the simulation workers, once per session", async function () {
      this.timeout(180_000);
      const a = await api();
      assert.ok((await lensTitles(await samplePatch())).some((t) => /^Patch \d · /.test(t)));
      // Started by the lenses of this patch or of an earlier test's; a click may have cut it short.
      const end = await until("the warm-up to end", () => (a.runner.warmUpState === "running" ? undefined : a.runner.warmUpState), 170_000);
      assert.ok(end === "done" || end === "cancelled", `warm-up ${end}`);
      const p5 = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(await samplePatch(), "..", PATCH5));
      assert.ok((await lensTitles(p5.uri)).length > 0, "patch 5 has lenses");
      assert.equal(a.runner.warmUpState, end, "a second patch does not warm the workers again");
    });

    test("the hover on a hunk's @@ line names the mechanism, the reason and the last result", async () => {
      const uri = await samplePatch();
      const doc = await vscode.workspace.openTextDocument(uri);
      const line = doc
        .getText()
        .split("\n")
        .findIndex((l) => l.startsWith("@@ ") && l.includes("kvm_vcpu_set_sched"));
      assert.ok(line > 0, "the sample has the kvm_vcpu_set_sched hunk");
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", uri, new vscode.Position(line, 3));
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === "string" ? c : c.value))).join("\n");
      assert.match(text, /Patch 4/);
      assert.match(text, /boost\\?_on\\?_inject|boost_on_inject/);
      assert.match(text, /Why this hunk/);
      assert.match(text, /Last result/);
      // Not on other lines.
      const none = await vscode.commands.executeCommand<vscode.Hover[]>(
        "vscode.executeHoverProvider",
        uri,
        new vscode.Position(line + 1, 1),
      );
      assert.ok(!none.some((h) => h.contents.some((c) => /Why this hunk/.test(typeof c === "string" ? c : c.value))));
    });

    test("patch 5 in a scenario that never fires it: the lens says 'not exercised' and offers the scenario that does", async function () {
      const a = await api();
      const dir = vscode.workspace.workspaceFolders?.[0]?.uri;
      if (!dir || !vscode.workspace.isTrusted) return this.skip();
      // A tiny guest that never disables preemption for long: patch 5's cap has nothing to cap.
      const file = vscode.Uri.joinPath(dir, ".pvsched-lens-test.pvsched.yaml");
      const text =
        "name: quiet guest\nduration_s: 0.3\nhost:\n  cpus: 2\nvms:\n  - name: vm0\n    vcpus: 1\n    workloads:\n      - { kind: cyclictest, id: guest-cyclictest, interval_us: 1000 }\nmodes: [dynamic]\n";
      await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(text));
      const patch5 = vscode.Uri.joinPath(await samplePatch(), "..", PATCH5);
      await vscode.workspace.openTextDocument(patch5);
      try {
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", patch5);
        const sim = lenses.find(
          (l) => l.command?.command === "pvsched.simulateHunk" && l.command.arguments?.[0]?.mechanism === "preempt_throttle",
        );
        assert.ok(sim?.command?.arguments, `a Simulate lens for preempt_throttle: ${lenses.map((l) => l.command?.title).join(" | ")}`);
        const summary = await withSetting("ablation.scenario", ".pvsched-lens-test.pvsched.yaml", () =>
          withSetting("ablation.durationSeconds", 0.3, () =>
            vscode.commands.executeCommand<string>("pvsched.simulateHunk", ...sim.command!.arguments!),
          ),
        );
        assert.equal(summary, "not exercised in this scenario (quiet guest)");
        const after = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", patch5);
        const offer = after.find((l) => l.command?.title === "\u25b6 Simulate in buggy-guest");
        assert.ok(offer, `an offer of the exercising scenario: ${after.map((l) => l.command?.title).join(" | ")}`);
        // Taking the offer runs the built-in scenario, which exercises the cap.
        const again = await withSetting("ablation.durationSeconds", 0.3, () =>
          vscode.commands.executeCommand<string>("pvsched.simulateHunk", ...offer.command!.arguments!),
        );
        assert.ok(again && !/not exercised/.test(again), `after the offer: ${again}`);
        assert.equal(a.notExercised.has("preempt_throttle"), false);
      } finally {
        await vscode.workspace.fs.delete(file).then(undefined, () => undefined);
      }
    });
  });
}

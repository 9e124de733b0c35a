import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { build } from "esbuild";
import { parsePatchText, decodeMimeWords } from "../../patch/parse";
import { mapPatch, suggestRule, functionName } from "../../patch/mapper";

const root = join(__dirname, "..", "..");

test("patch/ bundles for the browser with no Node built-ins", async () => {
  for (const entry of ["patch/parse.ts", "patch/mapper.ts"]) {
    // platform "browser" makes any import of a Node built-in (fs, path, ...) a build error.
    const r = await build({
      entryPoints: [join(root, entry)],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      logLevel: "silent",
    });
    assert.equal(r.errors.length, 0);
    const js = r.outputFiles[0].text;
    assert.ok(!/require\(["']node:/.test(js) && !/from ["']node:/.test(js), entry);
  }
});

test("MIME encoded words in From and Subject are decoded", () => {
  assert.equal(decodeMimeWords("=?UTF-8?q?Ren=C3=A9_Dupont?= <r@example.invalid>"), "René Dupont <r@example.invalid>");
  assert.equal(decodeMimeWords("=?utf-8?b?w6lsw6hWZQ==?="), "élèVe");
  assert.equal(decodeMimeWords("=?UTF-8?q?a?= =?UTF-8?q?b?="), "ab");
  assert.equal(decodeMimeWords("=?x-unknown?q?abc?="), "=?x-unknown?q?abc?=");
  const r = parsePatchText(
    [
      "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001",
      "From: =?UTF-8?q?Sender_S=C3=A9?= <s@example.invalid>",
      "Subject: [PATCH 2/2] =?UTF-8?q?caf=C3=A9?=: fix",
      "",
      "From: Real Author <a@example.invalid>",
      "",
      "body",
      "---",
    ].join("\n"),
  );
  assert.equal(r.patches[0].subject, "café: fix");
  assert.equal(r.patches[0].index, 2);
  assert.equal(r.patches[0].author, "Real Author <a@example.invalid>", "in-body From: wins");
});

test("suggestRule builds a rule that maps the hunk it came from", () => {
  const diff = [
    "--- a/drivers/misc/thing.c",
    "+++ b/drivers/misc/thing.c",
    "@@ -10 +10,3 @@ static int thing_probe(struct device *dev)",
    " x",
    "+\tthing_boost_vcpu(dev, i);",
    "+\tif (THING_MAX_BOOST) i++;",
    "",
  ].join("\n");
  const parsed = parsePatchText(diff);
  const p = parsed.patches[0];
  const f = p.files[0];
  const h = f.hunks[0];
  assert.equal(mapPatch(parsed)[0].mechanism, null);
  const rule = suggestRule(p, f, h, "boost_on_inject");
  assert.deepEqual(rule, {
    mechanism: "boost_on_inject",
    files: ["drivers/misc/thing.c"],
    functions: ["thing_probe"],
    identifiers: ["thing_boost_vcpu", "THING_MAX_BOOST"],
  });
  const m = mapPatch(parsed, { rules: [rule] })[0];
  assert.equal(m.mechanism, "boost_on_inject");
  assert.equal(m.rule?.source, "override");
  assert.equal(functionName("struct kvm_vcpu_arch {"), "kvm_vcpu_arch");
  assert.equal(functionName(""), null);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { build } from "esbuild";
import { parsePatchText, decodeMimeWords } from "../../patch/parse";

const root = join(__dirname, "..", "..");

test("patch/ bundles for the browser with no Node built-ins", async () => {
  for (const entry of ["patch/parse.ts", "patch/mapper.ts", "patch/gzip.ts"]) {
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

/**
 * Patch shapes the fuzzer found slow (test/hostile/slow-inputs.ts), parsed at sizes the old code
 * took minutes on: the answers are checked here, the CPU time by `npm run bench:inputs`.
 * test/patch/ covers the parser's structure and a 50 MB mbox.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePatchText } from "../../patch/parse";
import { foldedFrom, foldedSubject } from "../hostile/slow-inputs";

test("a mail with a few folded Subject lines parses, and quickly", () => {
  const t =
    "From: A <a@example.invalid>\nSubject: [RFC PATCH v2\n 3/8] kvm: x86: a subject\n folded twice\n\nbody\n---\ndiff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n";
  const r = parsePatchText(t);
  assert.equal(r.patches.length, 1);
  assert.equal(r.patches[0]!.index, 3);
  assert.match(r.patches[0]!.subject, /^kvm: x86: a subject folded twice$/);
});

// Found by `npm run fuzz -- --seed 5 --only 15`: each continuation line used to rebuild the whole
// subject and split it again, about cubic in the number of lines (CPU here: 2500 lines 0.05 s,
// 5000 0.8 s, 10000 6.6-8.7 s; the fuzzer's 20000-line input 13 s). 40000 lines would take minutes
// that way, and milliseconds now. Their speed is measured by `npm run bench:inputs`, not asserted
// here: a CPU bound fails on a loaded machine (and node:test cannot time out synchronous code).
test("a Subject folded over 40000 continuation lines parses to one patch", () => {
  const r = parsePatchText(foldedSubject(40_000));
  assert.equal(r.patches.length, 1);
  assert.equal(r.patches[0]!.index, 3);
});

test("a From folded over 40000 continuation lines parses, and unfolds", () => {
  assert.equal(parsePatchText(foldedFrom(40_000)).patches[0]!.author, "A" + " B".repeat(40_000));
});

test("encoded words split across folded Subject lines are decoded as one value", () => {
  const t =
    "From: A <a@example.invalid>\nSubject: [PATCH 2/5] =?UTF-8?q?Ren=C3=A9?=\n =?UTF-8?q?_x?= done\n\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n";
  const p = parsePatchText(t).patches[0];
  assert.equal(p!.subject, "René x done");
  assert.equal(p!.index, 2);
  assert.equal(p!.total, 5);
});

/**
 * Bounded parse time for patch shapes the fuzzer found slow. test/patch/ covers the parser's
 * structure and a 50 MB mbox; these are small inputs that take long.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePatchText } from "../../patch/parse";

function cpuMs(f: () => void): number {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

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
// 5000 0.8 s, 10000 6.6-8.7 s; the fuzzer's 20000-line, 660 KB input 13 s). Now 5000 lines take
// under 10 ms.
test("a Subject folded over 5000 continuation lines (160 KB) parses in < 250 ms of CPU", () => {
  const t =
    "From: A <a@example.invalid>\nSubject: [RFC PATCH v2\n" +
    " 3/8] kvm: x86: a subject folded\n".repeat(5000) +
    "\nbody\n---\ndiff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n";
  let n = 0;
  const ms = cpuMs(() => (n = parsePatchText(t).patches.length));
  assert.equal(n, 1);
  assert.ok(ms < 250, `${ms.toFixed(0)} ms CPU`);
});

test("a From folded over 20000 continuation lines parses in < 250 ms of CPU, and unfolds", () => {
  const t = "From: A\n" + " B\n".repeat(20000) + "Subject: [PATCH 1/1] x\n\nbody\n---\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n";
  let author = "";
  const ms = cpuMs(() => (author = parsePatchText(t).patches[0]!.author));
  assert.equal(author, "A" + " B".repeat(20000));
  assert.ok(ms < 250, `${ms.toFixed(0)} ms CPU`);
});

test("encoded words split across folded Subject lines are decoded as one value", () => {
  const t =
    "From: A <a@example.invalid>\nSubject: [PATCH 2/5] =?UTF-8?q?Ren=C3=A9?=\n =?UTF-8?q?_x?= done\n\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n";
  const p = parsePatchText(t).patches[0];
  assert.equal(p!.subject, "René x done");
  assert.equal(p!.index, 2);
  assert.equal(p!.total, 5);
});

/**
 * Hostile inputs for the patch side (issue 14): each is generated here (the large ones are never
 * committed) and given to the real CLI, `pvsched-sim map`, which must answer within 2 s of CPU
 * with exit 0 (a valid if odd document) or exit 2 and one line on stderr, never a hang, a crash
 * or a stack trace. CPU time is the child's user + sys from /usr/bin/time, as in
 * test/hostile/child.ts: on a shared machine wall time measures the neighbours.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "fflate";
import { buildCli, cli, LIMIT_MS, scratch } from "./child";

const scr = scratch("pvsched-hostile-");
const file = scr.file;
const map = (args: string[]) => cli(scr.dir, ["map", ...args], { timeoutMs: 60_000 });

before(buildCli);
after(scr.done);

/** Answered: exit 0, or exit 2 with exactly one line; no stack trace; within the CPU limit. */
function assertAnswered(r: ReturnType<typeof map>, what: string, exit?: 0 | 2) {
  assert.ok(r.code === 0 || r.code === 2, `${what}: exit ${r.code}; ${r.err.slice(0, 300)}`);
  if (exit !== undefined) assert.equal(r.code, exit, `${what}: ${r.err.slice(0, 300)}`);
  if (r.code === 2) assert.equal(r.err.split("\n").filter(Boolean).length, 1, `${what}: ${r.err.slice(0, 300)}`);
  assert.doesNotMatch(r.err, /\n\s+at /, `${what}: no stack trace`);
  if (!Number.isNaN(r.cpuMs)) assert.ok(r.cpuMs < LIMIT_MS, `${what}: ${r.cpuMs.toFixed(0)} ms of CPU`);
}

const DIFF = "--- a/arch/x86/kvm/lapic.c\n+++ b/arch/x86/kvm/lapic.c\n@@ -1 +1,2 @@\n x\n+\tkvm_vcpu_kick_boost(vcpu);\n";
const MB = 1024 * 1024;

const SUBJECTS: [string, string][] = [
  ["1 MB of digits in a bracket", `[PATCH ${"1".repeat(MB)}]`],
  ["1 MB of digits and slashes", `[PATCH ${"12/".repeat(MB / 3)}]`],
  ["1 MB of opening brackets", "[".repeat(MB)],
  ["1 MB of reply markers", "Re: ".repeat(MB / 4)],
  ["1 MB of encoded words", "=?utf-8?q?a?= ".repeat(MB / 14)],
  ["1 MB unterminated encoded word", `=?utf-8?q?${"a".repeat(MB)}`],
];

for (const [what, subject] of SUBJECTS) {
  test(`map: a mail whose subject is ${what} is answered`, () => {
    const r = map([file("subject.patch", `From: a <a@example.org>\nSubject: ${subject} x\n\n${DIFF}`)]);
    if (subject.startsWith("Re: ")) {
      // A reply: skipped, so the file holds no patch.
      assertAnswered(r, what, 2);
      assert.match(r.err, /no patch found/);
      return;
    }
    assertAnswered(r, what, 0);
    assert.match(r.out, /boost_on_inject/);
  });
}

test("map: a subject folded over 50 000 lines (1 MB) is answered", () => {
  const r = map([
    file("folded.patch", `From: a <a@example.org>\nSubject: [PATCH 1/2]\n${" 12345678901234567890\n".repeat(50_000)}\n${DIFF}`),
  ]);
  assertAnswered(r, "folded subject", 0);
});

test("map --map: a ReDoS pattern (a+)+$ on long function contexts runs in linear time (re2js)", () => {
  const m = file("redos.json", JSON.stringify({ rules: [{ mechanism: "switches", files: ["**"], functions: ["/(a+)+$/"] }] }));
  for (const n of [34, 100_000]) {
    const ctx = `static int ${"a".repeat(n)}!(void)`;
    const p = file("redos.patch", `--- a/x.c\n+++ b/x.c\n@@ -1 +1,2 @@ ${ctx}\n x\n+\ty();\n`);
    const r = map([p, "--map", m]);
    assertAnswered(r, `function context of ${n} a's`, 0);
    assert.match(r.out, /unmapped/);
  }
});

test("map --map: patterns re2 cannot run in linear time are refused with one line", () => {
  const m = file("backref.json", JSON.stringify({ rules: [{ mechanism: "switches", files: ["**"], functions: ["/(a+)\\1/"] }] }));
  const r = map([file("x.patch", DIFF), "--map", m]);
  assertAnswered(r, "backreference", 2);
  assert.match(r.err, /backref\.json:1: invalid hunk map: \/rules\/0\/functions\/0: bad regex \(re2 syntax/);
});

test("map: a gzip bomb (70 MB inflated from 70 KB) is refused from the inflated size", () => {
  const bomb = gzipSync(new Uint8Array(70 * MB).fill(0x61), { level: 9 });
  assert.ok(bomb.length < 200_000);
  const r = map([file("bomb.mbox.gz", bomb)]);
  assertAnswered(r, "gzip bomb", 2);
  assert.match(r.err, /bomb\.mbox\.gz:1: gzip data inflates to more than the 67108864-byte limit/);
});

test("map: corrupt gzip data is refused with one line", () => {
  const good = gzipSync(new TextEncoder().encode(DIFF.repeat(1000)));
  const corrupt = good.slice(0, 40);
  const r = map([file("corrupt.gz", corrupt)]);
  assertAnswered(r, "corrupt gzip", 2);
});

test("map: a gzip'd patch maps like the plain one", () => {
  const r = map([file("ok.patch.gz", gzipSync(new TextEncoder().encode(DIFF)))]);
  assertAnswered(r, "gzip'd patch", 0);
  assert.match(r.out, /boost_on_inject/);
});

const MIME: [string, () => string][] = [
  [
    "a quoted-printable body of one 2 MB soft-broken line",
    () =>
      `From: a\nSubject: [PATCH] x\nContent-Transfer-Encoding: quoted-printable\n\n${"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\n".repeat((2 * MB) / 73)}\n${DIFF}`,
  ],
  [
    "a base64 body of 2 MB of garbage",
    () => `From: a\nSubject: [PATCH] x\nContent-Transfer-Encoding: base64\n\n${"!@#$%^&*()=\n".repeat((2 * MB) / 12)}`,
  ],
  [
    "100 000 empty multipart parts",
    () => `From: a\nSubject: [PATCH] x\nContent-Type: multipart/mixed; boundary=b\n\n${"--b\n\n".repeat(100_000)}--b--\n`,
  ],
  [
    "multipart nested 1000 deep",
    () =>
      `From: a\nSubject: [PATCH] x\nContent-Type: multipart/mixed; boundary=b0\n\n${Array.from({ length: 1000 }, (_, i) => `--b${i}\nContent-Type: multipart/mixed; boundary=b${i + 1}\n\n`).join("")}${DIFF}`,
  ],
  ["a multipart mail without a boundary", () => `From: a\nSubject: [PATCH] x\nContent-Type: multipart/mixed\n\n${DIFF}`],
  ["a 1 MB hunk function context", () => `--- a/x.c\n+++ b/x.c\n@@ -1 +1,2 @@ static int ${"f(".repeat(MB / 2)}\n x\n+\ty();\n`],
  ["a 1 MB added line of members and calls", () => `--- a/x.c\n+++ b/x.c\n@@ -1 +1,2 @@\n x\n+${"a->b.c(".repeat(MB / 7)}\n`],
  ["a 1 MB struct member line", () => `--- a/x.h\n+++ b/x.h\n@@ -1 +1,2 @@ struct s {\n x\n+\tint ${" ".repeat(MB)}b${" ".repeat(MB)};\n`],
  [
    "10 000 replies",
    () =>
      Array.from({ length: 10_000 }, () => `From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: a\nSubject: Re: [PATCH] x\n\n> ${DIFF}`).join(""),
  ],
];

for (const [what, make] of MIME) {
  test(`map: ${what} is answered`, () => assertAnswered(map([file("mime.mbox", make())]), what));
}

test("map --map: a hunk map over MAX_HUNK_MAP_BYTES is refused unread", () => {
  const big = file("big-map.json", `{"rules": [], "pad": "${"x".repeat(5 * MB)}"}`);
  const r = map([file("x.patch", DIFF), "--map", big]);
  assertAnswered(r, "5 MB hunk map", 2);
  assert.match(r.err, /big-map\.json:1: file is \d+ bytes, over the 4194304-byte limit$/m);
});

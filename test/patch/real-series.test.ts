/**
 * Issue 10's "What it must show", on real mails (test/fixtures/real/) against labels written by
 * reading each hunk's code. Prints the accuracy table per series (found, right, unmapped).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SERIES,
  accuracy,
  asAttachment,
  asQuotedPrintable,
  gzip,
  labels,
  mails,
  mapBytes,
  mapText,
  mbox,
  renumbered,
  type Accuracy,
} from "./real-series.helpers";

const row = (name: string, a: Accuracy, total: number) =>
  `${name.padEnd(34)} ${a.found}/${total} found, ${a.right} right, ${a.unmapped} unmapped`;

test("accuracy per real series (the table)", (t) => {
  const lines: string[] = [];
  const result: Record<string, Accuracy> = {};
  for (const s of SERIES) {
    const a = accuracy(mapText(mbox(mails(s))).hunks, labels(s));
    result[s] = a;
    lines.push(row(s, a, labels(s).length));
  }
  for (const l of lines) t.diagnostic(l);
  assert.equal(result.v1!.found, 67);
  assert.ok(result.v1!.right >= 62, result.v1!.wrong.join("\n"));
  assert.equal(result.v2!.found, 30);
  assert.ok(result.v2!.right >= 27, `v2 ${result.v2!.right}/30 (90 % is 27)\n${result.v2!.wrong.join("\n")}`);
  const y2019 = {
    found: result["ready-boost-2019"]!.found + result["pv-sched-yield-2019"]!.found,
    right: result["ready-boost-2019"]!.right + result["pv-sched-yield-2019"]!.right,
  };
  assert.equal(y2019.found, 16);
  assert.ok(y2019.right >= 15, `2019 series ${y2019.right}/16 (90 % is 14.4)`);
  const unrelated = mapText(mbox(mails("unrelated-hwmon-pwm-fan"))).hunks;
  assert.equal(unrelated.length, 9);
  assert.deepEqual(
    unrelated.filter((h) => h.mechanism !== null).map((h) => `${h.file}: ${h.mechanism} (${h.reason})`),
    [],
    "an unrelated driver series yields only unmapped",
  );
});

test("v1 in the forms mail comes in: CRLF, gzip, quoted-printable, a base64 attachment: every hunk found, >= 62 right", (t) => {
  const v1 = mails("v1");
  const want = labels("v1");
  const forms: [string, () => ReturnType<typeof mapText>][] = [
    ["plain mbox", () => mapText(mbox(v1))],
    ["CRLF", () => mapText(mbox(v1).replace(/\n/g, "\r\n"))],
    ["gzip'd mbox", () => mapBytes(gzip(mbox(v1)))],
    ["quoted-printable", () => mapText(mbox(v1.map(asQuotedPrintable)))],
    ["multipart, diff as base64 attachment", () => mapText(mbox(v1.map(asAttachment)))],
  ];
  const lines: string[] = [];
  for (const [name, run] of forms) {
    const { hunks } = run();
    const a = accuracy(hunks, want);
    lines.push(row(`v1 ${name}`, a, want.length));
    assert.equal(a.found, 67, `${name}: ${a.wrong.slice(0, 5).join("\n")}`);
    assert.ok(a.right >= 62, `${name}: ${a.right}\n${a.wrong.join("\n")}`);
  }
  for (const l of lines) t.diagnostic(l);
});

test("the encoded forms report hunks at the document lines their encoded text is on", () => {
  const plain = mapText(mbox(mails("v1"))).hunks;
  const qp = mapText(mbox(mails("v1").map(asQuotedPrintable)));
  const text = mbox(mails("v1").map(asQuotedPrintable)).split("\n");
  // Every quoted-printable hunk line points at its (QP-encoded) @@ header line in the mbox.
  qp.hunks.forEach((h, i) => {
    assert.ok(text[h.line]!.startsWith(`@@ -${plain[i]!.oldStart}`), `${h.file}: line ${h.line + 1} is "${text[h.line]}"`);
    assert.ok(h.endLine >= h.line);
  });
  const att = mapText(mbox(mails("v1").map(asAttachment)));
  const attText = mbox(mails("v1").map(asAttachment)).split("\n");
  // base64 lines map to the encoded line the hunk's bytes start in: inside the attachment.
  for (const h of att.hunks) assert.match(attText[h.line]!, /^[A-Za-z0-9+/=]+$/, `line ${h.line + 1}`);
});

test("adversarial: v1 with neutral subjects, renumbered inside a longer series, keeps its accuracy", () => {
  const before = [...mails("unrelated-hwmon-pwm-fan"), ...mails("ready-boost-2019"), ...mails("pv-sched-yield-2019")];
  const v1 = mails("v1").slice(1); // without the cover letter
  const after = mails("v2");
  const total = before.length + v1.length + after.length;
  const all = [...before, ...v1, ...after].map((m, i) => renumbered(m, i + 1, total));
  const { parsed, hunks } = mapText(mbox(all));
  assert.ok(parsed.patches.every((p) => p.subject === "misc: update" && p.total === total));
  const start = 9 + 7 + 9;
  const a = accuracy(hunks.slice(start, start + 67), labels("v1"));
  assert.equal(a.found, 67);
  assert.ok(a.right >= 62, `${a.right}\n${a.wrong.join("\n")}`);
  const plain = mapText(mbox(mails("v1"))).hunks.map((h) => h.mechanism);
  assert.deepEqual(
    hunks.slice(start, start + 67).map((h) => h.mechanism),
    plain,
    "subjects and numbers change nothing",
  );
});

test("a lore thread mbox: every patch of v1 and v2 mapped, the replies (one quoted-printable) skipped", () => {
  const v1 = mails("v1");
  const v2 = mails("v2");
  const replies = ["replies/tglx-re-v1-8.eml", "replies/vineeth-re-v2-5-qp.eml", "replies/pbonzini-re-queue-head.eml"].map((f) =>
    mails(f.split("/")[0]!).find((m) =>
      m.includes(f.includes("tglx") ? "87zfybml5w.ffs@tglx" : f.includes("vineeth") ? "CAO7JXPh" : "5ffaea5b"),
    ),
  ) as string[];
  assert.equal(replies.filter(Boolean).length, 3);
  const thread = mbox([...v1.slice(0, 8), replies[0]!, v1[8]!, ...v2.slice(0, 4), replies[1]!, v2[4]!, replies[2]!]);
  const { parsed, hunks } = mapText(thread);
  assert.equal(parsed.repliesSkipped, 3);
  assert.deepEqual(
    parsed.diagnostics.filter((d) => d.severity !== "info"),
    [],
  );
  assert.equal(hunks.length, 67 + 30);
  assert.ok(
    hunks.every((h) => h.messageId.endsWith("@bitbyteword.org")),
    "only the patches' hunks",
  );
  const a1 = accuracy(hunks.slice(0, 67), labels("v1"));
  const a2 = accuracy(hunks.slice(67), labels("v2"));
  assert.equal(a1.found + a2.found, 97);
  assert.ok(a1.right >= 62 && a2.right >= 27);
});

test("a broken mail in a thread is reported and skipped without losing the others", () => {
  const v1 = mails("v1");
  // Cut patch 4/8 inside its last hunk, as a mangled archive copy would be.
  const cut = v1[4]!.slice(0, v1[4]!.indexOf("+\t\tkvm_vcpu_set_sched(vcpu, true);"));
  const { parsed, hunks } = mapText(mbox([...v1.slice(0, 4), cut, ...v1.slice(5)]));
  const broken = parsed.diagnostics.filter((d) => d.code === "broken-message");
  assert.equal(broken.length, 1);
  assert.equal(broken[0]!.severity, "warning");
  assert.match(broken[0]!.message, /mail <20231214024727\.3503870-5-vineeth@bitbyteword\.org> skipped: truncated hunk/);
  assert.equal(hunks.length, 67 - 8);
  assert.ok(!hunks.some((h) => h.messageId.startsWith("20231214024727.3503870-5-")));
  assert.equal(parsed.diagnostics.filter((d) => d.severity === "error").length, 0);
});

test("every label names a hunk the parser finds at the same @@ numbers, in order", () => {
  for (const s of SERIES) {
    const hunks = mapText(mbox(mails(s))).hunks;
    const want = labels(s);
    assert.equal(hunks.length, want.length, s);
    for (const [i, l] of want.entries())
      assert.deepEqual(
        [hunks[i]!.file, hunks[i]!.oldStart, hunks[i]!.newStart],
        [l.file, l.oldStart, l.newStart],
        `${s} ${l.mail}#${l.index}`,
      );
  }
});

/**
 * Property tests (fast-check) for the patch parser and mapper: no input makes them throw, every
 * reported position lies inside the document, and CRLF and LF give the same structure.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { checkPatchText, collectIdentifiers, countHunks, decodePatchBytes, parsePatchText, type ParseResult } from "../../patch/parse";
import { mapPatch, compileHunkMap } from "../../patch/mapper";

const root = join(__dirname, "..", "..");
const samples: string[] = [
  ...readdirSync(join(root, "examples/pvsched-series")).map((f) => readFileSync(join(root, "examples/pvsched-series", f), "utf8")),
  ...readdirSync(join(__dirname, "fixtures")).map((f) => readFileSync(join(__dirname, "fixtures", f), "utf8")),
];
const compiled = compileHunkMap(null);
const RUNS = Number(process.env.PVSCHED_PROPERTY_RUNS ?? 300);

/** Lines a patch is made of, to build plausible garbage. */
const lineArb = fc.oneof(
  fc.constantFrom(
    "diff --git a/x.c b/x.c",
    "--- a/x.c",
    "+++ b/x.c",
    "--- /dev/null",
    "+++ /dev/null",
    "@@ -1,3 +1,4 @@ f(void)",
    "@@ -1 +1 @@",
    "@@ -0,0 +1,2 @@",
    "@@@ -1 -1 +1 @@@",
    "@@ -x @@",
    " context",
    "-removed",
    "+added kvm_vcpu_kick_boost(v);",
    "",
    "-- ",
    "2.43.0",
    "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001",
    "From: A <a@b>",
    "Subject: [RFC PATCH 3/8] kvm: x86: vcpu boosting/unboosting framework",
    "Date: today",
    "Message-ID: <1.a@b>",
    "commit 0123456789abcdef",
    "GIT binary patch",
    "literal 3",
    "KcmZQzWC8#H2LJ>B",
    "Binary files a/x and b/x differ",
    "\\ No newline at end of file",
    "new file mode 100644",
    "rename from a",
    "rename to b",
    "index 1..2 100644",
    "diff -u a b",
    " \tfoo",
    '+"str" /* c */ x',
    "---",
    " 3 files changed",
  ),
  fc.string({ maxLength: 40 }),
);
const docArb = fc.tuple(fc.array(lineArb, { maxLength: 60 }), fc.constantFrom("\n", "\r\n")).map(([ls, eol]) => ls.join(eol));

/** Mutations of real samples: delete, duplicate, insert, swap lines; cut anywhere; edit a char. */
const mutatedArb = fc
  .tuple(
    fc.constantFrom(...samples),
    fc.array(fc.tuple(fc.constantFrom("del", "dup", "ins", "swap", "cut", "edit"), fc.nat(), fc.nat(), lineArb), {
      minLength: 1,
      maxLength: 6,
    }),
  )
  .map(([s, muts]) => {
    let ls = s.split("\n");
    for (const [kind, a, b, extra] of muts) {
      if (ls.length === 0) break;
      const i = a % ls.length;
      if (kind === "del") ls.splice(i, 1 + (b % 5));
      else if (kind === "dup") ls.splice(i, 0, ls[i]!);
      else if (kind === "ins") ls.splice(i, 0, extra);
      else if (kind === "swap") {
        const j = (i + 1) % ls.length;
        [ls[i], ls[j]] = [ls[j]!, ls[i]!];
      } else if (kind === "cut")
        ls = ls
          .join("\n")
          .slice(0, b % (ls.join("\n").length + 1))
          .split("\n");
      else if (kind === "edit" && ls[i]!.length) {
        const k = b % ls[i]!.length;
        ls[i] = ls[i]!.slice(0, k) + "0@-+ \n"[b % 6] + ls[i]!.slice(k + 1);
      }
    }
    return ls.join("\n");
  });

function checkInvariants(r: ParseResult, text: string) {
  if (r.refused) {
    assert.equal(r.patches.length, 0);
    return;
  }
  const n = r.lineCount;
  const docLines = text.split("\n");
  assert.ok(n >= 1 && n <= docLines.length);
  let prevEnd = -1;
  for (const p of r.patches) {
    assert.ok(p.line > prevEnd || p.line === 0, "patches in order");
    assert.ok(0 <= p.line && p.line <= p.endLine && p.endLine < n, `patch ${p.line}-${p.endLine} in ${n}`);
    prevEnd = p.endLine;
    for (const f of p.files) {
      assert.ok(p.line <= f.line && f.line <= f.endLine && f.endLine <= p.endLine, "file inside patch");
      for (const h of f.hunks) {
        assert.ok(f.line <= h.line && h.line <= h.endLine && h.endLine <= f.endLine, "hunk inside file");
        assert.ok(h.endLine < n);
        assert.ok(docLines[h.line]!.startsWith("@@"), "hunk line is its header");
        assert.ok(h.addedCount <= h.newCount && h.removedCount <= h.oldCount);
        assert.ok(h.added.length <= h.addedCount && h.removed.length <= h.removedCount);
        if (!h.truncated) assert.ok(h.endLine - h.line >= Math.max(h.oldCount, h.newCount));
      }
    }
  }
  for (const d of r.diagnostics) assert.ok(d.line >= 0 && d.line < n, `diagnostic line ${d.line} in ${n}`);
  const mapped = mapPatch(r, compiled);
  assert.equal(mapped.length, countHunks(r));
  for (const m of mapped) assert.ok(m.line <= m.endLine && m.endLine < n);
}

/** Structure without line text (CR-free by construction) for the CRLF comparison. */
const shape = (r: ParseResult) =>
  JSON.stringify({
    refused: r.refused,
    n: r.lineCount,
    d: r.diagnostics.map((d) => [d.line, d.code]),
    p: r.patches.map((p) => [
      p.subject,
      p.index,
      p.line,
      p.endLine,
      p.files.map((f) => [
        f.oldPath,
        f.newPath,
        f.binary,
        f.line,
        f.endLine,
        f.hunks.map((h) => [
          h.line,
          h.endLine,
          h.oldStart,
          h.oldCount,
          h.newStart,
          h.newCount,
          h.funcContext,
          h.added,
          h.removed,
          h.identifiersAdded,
          h.code,
          h.truncated,
        ]),
      ]),
    ]),
  });

test("the parser never throws on arbitrary strings and stays inside the document", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 3000 }), (s) => checkInvariants(parsePatchText(s), s)),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(fc.fullUnicodeString({ maxLength: 500 }), (s) => checkInvariants(parsePatchText(s), s)),
    { numRuns: RUNS },
  );
});

test("the parser never throws on patch-like line soup", () => {
  fc.assert(
    fc.property(docArb, (s) => checkInvariants(parsePatchText(s), s)),
    { numRuns: RUNS * 3 },
  );
});

test("the parser never throws on mutated sample patches", () => {
  fc.assert(
    fc.property(mutatedArb, (s) => checkInvariants(parsePatchText(s), s)),
    { numRuns: RUNS * 2 },
  );
});

test("CRLF and LF give the same structure", () => {
  const noCr = (s: string) => !s.includes("\r");
  fc.assert(
    fc.property(
      fc
        .oneof(
          mutatedArb,
          docArb.map((s) => s.replace(/\r/g, "")),
        )
        .filter(noCr),
      (s) => {
        assert.equal(shape(parsePatchText(s.replace(/\n/g, "\r\n"))), shape(parsePatchText(s)));
      },
    ),
    { numRuns: RUNS * 2 },
  );
});

test("checkPatchText reports exactly parsePatchText's diagnostics, refusal and line count", () => {
  // Small caps too: what a dropped mail gives back to the hunk and file budgets shows there.
  const limitsArb = fc.option(fc.record({ maxHunks: fc.nat(6), maxFiles: fc.nat(6), maxPatches: fc.nat(4), maxDiagnostics: fc.nat(6) }), {
    nil: undefined,
  });
  fc.assert(
    fc.property(fc.oneof(docArb, mutatedArb, fc.string({ maxLength: 500 })), limitsArb, (s, limits) => {
      const full = parsePatchText(s, { ...limits, maxRetainedLines: 0 });
      assert.deepEqual(checkPatchText(s, limits), { diagnostics: full.diagnostics, refused: full.refused, lineCount: full.lineCount });
    }),
    { numRuns: RUNS * 3 },
  );
});

test("decodePatchBytes never throws; decoded text holds no NUL", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), (b) => {
      const d = decodePatchBytes(b);
      if (d.ok) {
        assert.ok(!d.text.includes("\0"));
        checkInvariants(parsePatchText(d.text), d.text);
      } else assert.ok(d.reason.length > 0 && d.line >= 0);
    }),
    { numRuns: RUNS },
  );
});

test("collectIdentifiers finds exactly the matches of /\\b[A-Za-z_][A-Za-z0-9_]*\\b/ (its hand-written scanner)", () => {
  // An alphabet that forms no C keyword and no literal or comment, so the regex is the whole spec.
  const ch = fc.constantFrom(..."abxAB_019 \t(),;+-.é😀\u00a0".split(""), "😀");
  fc.assert(
    fc.property(
      fc.array(ch, { maxLength: 40 }).map((a) => a.join("")),
      (line) => {
        const expected = [...new Set(line.match(/\b[A-Za-z_][A-Za-z0-9_]*\b/g) ?? [])];
        const got: string[] = [];
        collectIdentifiers(line, new Set(), got, 256);
        assert.deepEqual(got, expected, JSON.stringify(line));
      },
    ),
    { numRuns: 2000, seed: 7 },
  );
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, mkdirSync, openSync, ftruncateSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mapCommand } from "../../cli/map";
import type { MappedHunk } from "../../patch/mapper";

const root = join(__dirname, "..", "..");
const seriesDir = join(root, "examples/pvsched-series");
const series = readdirSync(seriesDir)
  .filter((f) => f.endsWith(".patch"))
  .sort()
  .map((f) => join(seriesDir, f));
const tmp = mkdtempSync(join(tmpdir(), "pvsched-map-"));

/** Run mapCommand in-process with stdout/stderr captured. */
async function run(args: string[]) {
  let out = "";
  let err = "";
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  (process.stdout as any).write = (s: string | Uint8Array) => {
    out += String(s);
    return true;
  };
  (process.stderr as any).write = (s: string | Uint8Array) => {
    err += String(s);
    return true;
  };
  try {
    const code = await mapCommand(args);
    return { code, out, err };
  } finally {
    (process.stdout as any).write = ow;
    (process.stderr as any).write = ew;
  }
}

test("map --json: every hunk with its @@ numbers, Message-ID, scores and reason", async () => {
  const r = await run([...series, "--json"]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, "");
  // What `map --json` prints per hunk: the mapped hunk without its code facts, and its file.
  const arr = JSON.parse(r.out) as (Omit<MappedHunk, "code"> & { source: string })[];
  assert.equal(arr.length, 48);
  assert.ok(arr.every((h) => h.endLine >= h.line && h.source.endsWith(".patch") && h.patchSubject.length > 0 && h.reason.length > 0));
  // The apic_timer_expired hunk of patch 4: its header is "@@ -1905,3 +1905,4 @@".
  const timer = arr.find((h) => h.file === "arch/x86/kvm/lapic.c" && h.oldStart === 1905);
  assert.deepEqual([timer?.oldLines, timer?.newStart, timer?.newLines, timer?.mechanism], [3, 1905, 4, "boost_on_inject"]);
  assert.ok((timer?.scores.boost_on_inject ?? 0) > 0);
  assert.equal(timer?.messageId, "", "git format-patch files carry no Message-ID");
});

test("map (text): one line per hunk with mechanism, file, 1-based line range and function", async () => {
  const r = await run([series[4]!]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\[4\/8\] kvm: x86: boost vcpu threads on latency sensitive paths/);
  assert.match(r.out, /boost_on_inject +arch\/x86\/kvm\/lapic\.c:\d+-\d+ +static void apic_timer_expired/);
  assert.match(r.out, /(\d+) of \1 hunk\(s\) mapped/);
});

test("map: unmapped hunks are printed as unmapped", async () => {
  const f = join(tmp, "doc.diff");
  writeFileSync(f, "--- a/README\n+++ b/README\n@@ -1 +1,2 @@\n x\n+y\n");
  const r = await run([f]);
  assert.equal(r.code, 0);
  assert.match(r.out, /unmapped +README:3-5/);
  assert.match(r.out, /0 of 1 hunk\(s\) mapped/);
});

test("map: a CRLF mbox maps like the LF one", async () => {
  const f = join(tmp, "crlf.mbox");
  writeFileSync(f, readFileSync(join(root, "examples/pvsched-series.mbox"), "utf8").replace(/\n/g, "\r\n"));
  const a = await run([f, "--json"]);
  const b = await run([join(root, "examples/pvsched-series.mbox"), "--json"]);
  assert.equal(a.code, 0, a.err);
  const strip = (s: string) => (JSON.parse(s) as { source: string }[]).map(({ source: _s, ...h }) => h);
  assert.deepEqual(strip(a.out), strip(b.out));
});

test("map: a latin1 patch is mapped with a warning", async () => {
  const f = join(tmp, "latin1.patch");
  writeFileSync(
    f,
    Buffer.from(
      "--- a/arch/x86/kvm/lapic.c\n+++ b/arch/x86/kvm/lapic.c\n@@ -1 +1,2 @@\n x\n+\tkvm_vcpu_kick_boost(vcpu); /* d\xe9j\xe0 */\n",
      "latin1",
    ),
  );
  const r = await run([f]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /latin1\.patch:5: warning: input is not valid UTF-8/);
  assert.match(r.out, /boost_on_inject/);
});

test("map --map override: its rules come first", async () => {
  const m = join(tmp, "override.json");
  writeFileSync(m, JSON.stringify({ rules: [{ mechanism: "switches", files: ["arch/x86/kvm/lapic.c"] }] }));
  const r = await run([series[4]!, "--json", "--map", m]);
  assert.equal(r.code, 0, r.err);
  const arr = JSON.parse(r.out) as { file: string; mechanism: string; funcContext?: string }[];
  assert.ok(arr.filter((h) => h.file === "arch/x86/kvm/lapic.c").every((h) => h.mechanism === "switches"));
  // Patch 4 boosts on injection, and before blocking in kvm_vcpu_block().
  assert.ok(
    arr
      .filter((h) => h.file !== "arch/x86/kvm/lapic.c")
      .every((h) => h.mechanism === (h.funcContext?.includes("kvm_vcpu_block") ? "boost_on_block" : "boost_on_inject")),
  );
});

/** Every bad-input class: exit 2, exactly one line `file:line: reason` on stderr, nothing on stdout, < 2 s. */
const badInputs: [string, () => string[], RegExp][] = [
  ["missing file", () => [join(tmp, "nope.patch")], /nope\.patch:1: no such file$/],
  ["directory", () => [tmp], /:1: is a directory/],
  [
    "binary file",
    () => {
      const f = join(tmp, "blob.patch");
      writeFileSync(f, Buffer.from([0x2b, 0x0a, 0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]));
      return [f];
    },
    /blob\.patch:2: binary file \(NUL byte/,
  ],
  [
    "over-size file",
    () => {
      const f = join(tmp, "huge.mbox");
      const fd = openSync(f, "w");
      ftruncateSync(fd, 65 * 1024 * 1024); // sparse: refused from its size, never read
      closeSync(fd);
      return [f];
    },
    /huge\.mbox:1: file is 68157440 bytes, over the 67108864-byte limit/,
  ],
  [
    "non-UTF-8, not text",
    () => {
      const f = join(tmp, "garbage.patch");
      writeFileSync(f, Buffer.from([0x2b, 0xff, 0xfe, 0x0a, 0x2b, 0x02, 0x03, 0x0a]));
      return [f];
    },
    /garbage\.patch:2: not UTF-8 and not text/,
  ],
  [
    "truncated hunk",
    () => {
      const f = join(tmp, "trunc.patch");
      writeFileSync(f, "--- a/x.c\n+++ b/x.c\n@@ -1,5 +1,6 @@\n a\n-b\n+c\n");
      return [f];
    },
    /trunc\.patch:3: truncated hunk/,
  ],
  [
    "bad hunk header",
    () => {
      const f = join(tmp, "badhdr.patch");
      writeFileSync(f, "--- a/x.c\n+++ b/x.c\n@@ -1,2 +x @@\n a\n");
      return [f];
    },
    /badhdr\.patch:3: hunk header does not parse/,
  ],
  [
    "not a patch",
    () => {
      const f = join(tmp, "notes.txt");
      writeFileSync(f, "just some notes\n");
      return [f];
    },
    /notes\.txt:1: no patch found/,
  ],
  [
    "invalid override map",
    () => {
      const m = join(tmp, "badmap.json");
      writeFileSync(m, JSON.stringify({ rules: [{ mechanism: "warp_drive", files: ["*"] }] }));
      return [series[1]!, "--map", m];
    },
    /badmap\.json:1: invalid hunk map: \/rules\/0\/mechanism/,
  ],
  [
    "CRLF truncated hunk",
    () => {
      const f = join(tmp, "trunc-crlf.patch");
      writeFileSync(f, "From: a <a@b>\r\nSubject: [PATCH] x\r\n\r\n--- a/x.c\r\n+++ b/x.c\r\n@@ -1,5 +1,6 @@\r\n a\r\n");
      return [f];
    },
    /trunc-crlf\.patch:6: truncated hunk/,
  ],
];

for (const [name, make, re] of badInputs) {
  test(`map: bad input (${name}) -> exit 2, one line on stderr`, async () => {
    const r = await run(make());
    assert.equal(r.code, 2);
    assert.equal(r.out, "");
    assert.equal(r.err.split("\n").filter(Boolean).length, 1, r.err);
    assert.match(r.err.trimEnd(), re);
    assert.ok(!/\n\s+at /.test(r.err), "no stack trace");
  });
}

test("map: usage errors exit 2", async () => {
  assert.equal((await run([])).code, 2);
  assert.equal((await run(["--frobnicate", series[0]!])).code, 2);
  assert.equal((await run([series[0]!, "--map"])).code, 2);
  const h = await run(["--help"]);
  assert.equal(h.code, 0);
  assert.match(h.out, /usage: pvsched-sim map/);
});

test("map --lenient: maps what parses and reports errors as warnings", async () => {
  const f = join(tmp, "partial.patch");
  mkdirSync(join(tmp, "sub"), { recursive: true });
  writeFileSync(
    f,
    "--- a/arch/x86/kvm/lapic.c\n+++ b/arch/x86/kvm/lapic.c\n@@ -1 +1,2 @@\n x\n+\tkvm_vcpu_kick_boost(vcpu);\n@@ -9,4 +10,4 @@\n y\n",
  );
  const r = await run([f, "--lenient"]);
  assert.equal(r.code, 0);
  assert.match(r.err, /partial\.patch:6: error: truncated hunk/);
  assert.match(r.out, /boost_on_inject/);
});

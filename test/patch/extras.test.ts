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
    const js = r.outputFiles[0]!.text;
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
  assert.equal(r.patches[0]!.subject, "café: fix");
  assert.equal(r.patches[0]!.index, 2);
  assert.equal(r.patches[0]!.author, "Real Author <a@example.invalid>", "in-body From: wins");
});

test("kernel-parameters.txt: a hunk sits in the entry of the parameter above its first change, and an added entry defines it", () => {
  const doc = (body: string) =>
    parsePatchText(`--- a/Documentation/admin-guide/kernel-parameters.txt\n+++ b/Documentation/admin-guide/kernel-parameters.txt\n${body}`)
      .patches[0]!.files[0]!.hunks[0]!.code;
  const edit = doc(
    "@@ -10,4 +10,5 @@\n \tkvm-intel.ple_gap=\t[KVM,Intel]\n \t\t\tpause loop exiting gap\n+\t\t\tmore text\n \n \tnopv=\t[X86]\n",
  );
  assert.deepEqual(edit.scope, { kind: "kparam", name: "ple_gap" });
  assert.deepEqual(edit.defines, []);
  const added = doc(
    "@@ -10,2 +10,4 @@\n \t\t\tend of the previous entry\n+\tnopvspin\t[X86,KVM]\n+\t\t\tDisables the PV qspinlock slow path.\n \n",
  );
  assert.deepEqual(added.scope, { kind: "kparam", name: "nopvspin" });
  assert.deepEqual(added.defines, ["nopvspin"]);
  const changed = doc("@@ -10,2 +10,2 @@\n-\tnopvspin\t[X86,KVM]\n+\tnopvspin\t[X86,XEN,KVM]\n \t\t\tDisables\n");
  assert.deepEqual(changed.scope, { kind: "kparam", name: "nopvspin" });
  const c = parsePatchText("--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,3 @@ int f(void)\n \tfoo();\n+\tbar();\n \treturn 0;\n").patches[0]!.files[0]!
    .hunks[0]!.code;
  assert.deepEqual(c.scope, { kind: "function", name: "f" }, "C files keep their function scope");
});

test("a hunk's functions: bodies and prototypes it adds, not macros, variables, types or enum constants", () => {
  const code = parsePatchText(
    [
      "--- a/x.c",
      "+++ b/x.c",
      "@@ -1,1 +1,16 @@",
      " ",
      "+#define PV_FEAT 3",
      "+#define pv_stub() do {} while (0)",
      "+static bool pv_enabled = true;",
      "+module_param(pv_window_ns, ulong, 0644);",
      "+struct pv_state {",
      "+\tu64 preempted;",
      "+};",
      "+enum pv_kind {",
      "+\tPV_KIND_A,",
      "+};",
      "+int pv_init(struct kvm_vcpu *vcpu);",
      "+static void pv_update(struct kvm_vcpu *vcpu, u64 preempted)",
      "+{",
      "+\tpv_init(vcpu);",
      "+}",
    ].join("\n"),
  ).patches[0]!.files[0]!.hunks[0]!.code;
  assert.deepEqual(code.functions, ["pv_init", "pv_update"]);
  for (const d of ["PV_FEAT", "pv_stub", "pv_enabled", "pv_window_ns", "pv_state", "PV_KIND_A", "pv_init", "pv_update"])
    assert.ok(code.defines.includes(d), d);
});

test("a hunk's members: which added lines assign them, and which name a designated initializer sets", () => {
  const code = parsePatchText(
    [
      "--- a/x.c",
      "+++ b/x.c",
      "@@ -1,1 +1,14 @@",
      " ",
      "+\tif (READ_ONCE(target->ready))",
      "+\t\tkvm_vcpu_yield_to(target);",
      "+\tWRITE_ONCE(vcpu->preempted, true);",
      "+\tsmp_store_release(&vcpu->arch.st.flag, 1);",
      "+\tvcpu->stat.exits++;",
      "+\tvcpu->mode = OUTSIDE;",
      "+\tif (vcpu->halted == 1)",
      "+\t\tvcpu->count |= 2;",
      "+\t\t.func  = wrs_insn,",
      "+\t.ext_ptr = &vcpu_sbi_ext_pvlock,",
      "+\t.mask = INSN_MASK_WRS | 3,",
      "+\t.handler = h }",
      "+\tx = y.z;",
    ].join("\n"),
  ).patches[0]!.files[0]!.hunks[0]!.code;
  assert.deepEqual(code.written, ["vcpu.preempted", "st.flag", "stat.exits", "vcpu.mode", "vcpu.count"]);
  for (const m of ["target.ready", "vcpu.halted", "y.z"]) assert.ok(code.members.includes(m) && !code.written.includes(m), m);
  assert.deepEqual(code.initializes, ["wrs_insn", "vcpu_sbi_ext_pvlock", "h"]);
});

test("a hunk's guarded members: unchanged lines that assign state under a condition the hunk adds", () => {
  const codeOf = (lines: string[]) =>
    parsePatchText(["--- a/x.c", "+++ b/x.c", "@@ -1,9 +1,9 @@ static void f(struct kvm_vcpu *vcpu)", ...lines].join("\n")).patches[0]!
      .files[0]!.hunks[0]!.code;
  // Set 10's kvm_sched_out: the block's writes are context lines; what follows the block is not guarded.
  const block = codeOf([
    " {",
    "-\tif (current->on_rq) {",
    "+\tif (current->on_rq && vcpu->wants_to_run) {",
    " \t\tWRITE_ONCE(vcpu->preempted, true);",
    " \t\tif (x) { y = 1; }",
    " \t\tvcpu->ready = true;",
    " \t}",
    " \tvcpu->after = 1;",
  ]);
  assert.deepEqual(block.guarded, ["vcpu.preempted", "vcpu.ready"]);
  assert.ok(!block.written.includes("vcpu.ready"), "context lines are not the hunk's own writes");
  // Without braces the condition decides one statement.
  assert.deepEqual(codeOf(["+\tif (a)", " \t\tvcpu->ready = true;", " \tvcpu->other = 1;"]).guarded, ["vcpu.ready"]);
  // A condition whose statement is added itself guards nothing unchanged; nor does a plain added line.
  assert.deepEqual(codeOf(["+\tif (a)", "+\t\tb();", " \tvcpu->ready = true;"]).guarded, []);
  assert.deepEqual(codeOf(["+\tb();", " \tvcpu->ready = true;"]).guarded, []);
});

test("a function line cut at diff -p's 40 characters still names the function the hunk is in", () => {
  const scopeOf = (context: string) =>
    parsePatchText(["--- a/x.c", "+++ b/x.c", `@@ -1,1 +1,2 @@ ${context}`, " a;", "+b;"].join("\n")).patches[0]!.files[0]!.hunks[0]!.code
      .scope;
  // Set 10's stable backport (quilt): `static void kvm_steal_time_set_preempted` is 40 characters.
  assert.deepEqual(scopeOf("static void kvm_steal_time_set_preempted"), { kind: "function", name: "kvm_steal_time_set_preempted" });
  assert.deepEqual(scopeOf("static int vcpu_run(struct kvm_vcpu *vcp"), { kind: "function", name: "vcpu_run" });
  // Shorter, it was not cut: a declaration without parameters is no function line.
  assert.equal(scopeOf("static void kvm_steal_time_set_preempt"), null);
  // A cut initializer or variable reads the same as a cut struct-returning function: left alone.
  assert.equal(scopeOf("struct kvm_stats_debugfs_item debugfs_en"), null);
});

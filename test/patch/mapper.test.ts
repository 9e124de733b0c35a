/**
 * The classifier's rules, each on a small hand-written hunk whose right answer follows from the
 * rule (the real series' accuracy is in real-series.test.ts). Workspace map validation and
 * override rules, including user regexes under re2js.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import Ajv from "ajv";
import { parsePatchText } from "../../patch/parse";
import {
  mapPatch,
  parseHunkMapText,
  validateHunkMap,
  KNOWN_MECHANISMS,
  suggestRule,
  functionName,
  type HunkMapFile,
} from "../../patch/mapper";
import { CATALOGUE, globMatch } from "../../patch/catalogue";
import { THRESHOLD } from "../../patch/classify";
import { MECHANISMS } from "../../sim-core/pvsched/registry";
import schema from "../../patch/hunk-map.schema.json";

/** A one-hunk mail: `lines` are the hunk body (with their +/-/space prefix). */
function mail(subject: string, path: string, context: string, lines: string[], index = 0): string {
  const old = lines.filter((l) => !l.startsWith("+")).length;
  const neu = lines.filter((l) => !l.startsWith("-")).length;
  return [
    `From 000000000000000000000000000000000000000${index} Mon Sep 17 00:00:00 2001`,
    `Subject: ${subject}`,
    "",
    `--- a/${path}`,
    `+++ b/${path}`,
    `@@ -10,${old} +10,${neu} @@${context ? ` ${context}` : ""}`,
    ...lines,
    "",
  ].join("\n");
}
const map1 = (text: string, m?: HunkMapFile) => mapPatch(parsePatchText(text), m)[0];

test("the catalogue holds sim-core's nine mechanisms with their labels and patch numbers, then the upstream ones", () => {
  for (const m of MECHANISMS) {
    const e = CATALOGUE.find((c) => c.id === m.id);
    assert.ok(e, m.id);
    assert.equal(e.label, m.label);
    assert.equal(e.patch, m.patch);
    assert.equal(e.simulated, true);
  }
  for (const id of ["directed_yield", "pv_sched_yield", "ready_boost", "pv_spinlock", "steal_time", "pvsched_framework"]) {
    assert.equal(CATALOGUE.find((c) => c.id === id)?.simulated, false, id);
  }
  const enumIds = (schema as any).definitions.rule.properties.mechanism.enum as string[];
  assert.deepEqual([...enumIds].sort(), [...KNOWN_MECHANISMS].sort());
});

test("a hunk maps from the code it adds: a call of the mechanism's function in a delivery path", () => {
  const h = map1(
    mail("[PATCH] x", "arch/x86/kvm/lapic.c", "static void apic_timer_expired(struct kvm_lapic *apic)", [
      " \tx;",
      "-\tkvm_vcpu_kick(vcpu);",
      "+\tkvm_vcpu_kick_boost(vcpu);",
    ]),
  );
  assert.equal(h.mechanism, "boost_on_inject");
  assert.equal(h.via, "code");
  assert.equal(h.simulated, true);
  assert.match(h.reason, /calls kvm_vcpu_kick_boost/);
  assert.deepEqual([h.oldStart, h.oldLines, h.newStart, h.newLines], [10, 2, 10, 2]);
});

test("the subject never maps alone, and a hook function alone does not map", () => {
  const subjectOnly = map1(
    mail("[PATCH 4/8] kvm: x86: boost vcpu threads on latency sensitive paths", "drivers/misc/a.c", "", [" x", "+\tfrob(y);"]),
  );
  assert.equal(subjectOnly.mechanism, null);
  assert.match(subjectOnly.reason, /^unmapped: no code of a known mechanism/);
  const hookOnly = map1(
    mail("[PATCH] x", "arch/x86/kvm/x86.c", "static int vcpu_enter_guest(struct kvm_vcpu *vcpu)", [" x", "+\tfrob(vcpu);"]),
  );
  assert.equal(hookOnly.mechanism, null, "sitting in vcpu_enter_guest is not lazy_boost");
});

test("a weak piece of evidence stays under the threshold, with the reason", () => {
  // vcpu_is_preempted (weight 1) used once: 0.7 < THRESHOLD.
  const h = map1(mail("[PATCH] x", "kernel/x.c", "", [" x", "+\tif (vcpu_is_preempted(cpu)) y();"]));
  assert.ok(THRESHOLD > 0.9);
  assert.equal(h.mechanism, null);
  assert.match(h.reason, /best steal_time scores 0\.9 < 1\.5 \(calls vcpu_is_preempted\)/);
  assert.equal(h.scores.steal_time, 0.9);
});

test("the enclosing function comes from the @@ line, corrected by context lines; a struct type in the parameters is not it", () => {
  const struct = map1(
    mail("[PATCH] x", "include/linux/kvm_host.h", "struct kvm_vcpu {", [
      " \tbool preempted;",
      "+\tbool ready;",
      " \tstruct kvm_vcpu_arch arch;",
    ]),
  );
  assert.equal(struct.scope, "kvm_vcpu");
  assert.equal(struct.mechanism, "ready_boost", struct.reason);
  const param = parsePatchText(
    mail("[PATCH] x", "a.c", "static int __apic_accept_irq(struct kvm_lapic *apic, int delivery_mode,", [" x", "+y;"]),
  );
  assert.equal(param.patches[0].files[0].hunks[0].code.scope?.name, "__apic_accept_irq");
  // The @@ line names the function before; the context shows the hunk is in the next one.
  const moved = parsePatchText(
    mail("[PATCH] x", "a.c", "int kvm_s390_handle_wait(struct kvm_vcpu *vcpu)", [
      " ",
      " void kvm_s390_vcpu_wakeup(struct kvm_vcpu *vcpu)",
      " {",
      "+\tkvm_vcpu_wake_up(vcpu);",
    ]),
  );
  assert.equal(moved.patches[0].files[0].hunks[0].code.scope?.name, "kvm_s390_vcpu_wakeup");
  // A closing brace in the context ends the function: the change is at file level.
  const after = parsePatchText(
    mail("[PATCH] x", "a.c", "bool kvm_vcpu_wake_up(struct kvm_vcpu *vcpu)", [" }", " EXPORT_SYMBOL_GPL(kvm_vcpu_wake_up);", "+int x;"]),
  );
  assert.equal(after.patches[0].files[0].hunks[0].code.scope, null);
  // A field added inside struct kvm_vcpu_arch is a member of it.
  const member = parsePatchText(mail("[PATCH] x", "a.h", "struct kvm_vcpu_arch {", [" \tint a;", "+\tbool preempt_disabled;"]));
  assert.deepEqual(member.patches[0].files[0].hunks[0].code.members, ["kvm_vcpu_arch.preempt_disabled"]);
});

test("a name another patch defines and this hunk only calls counts less than the hook it sits in", () => {
  const two =
    mail("[PATCH 1/2] a", "kernel/sched/core.c", "", [" x", "+void pv_sched_boost_vcpu_lazy(void)", "+{", "+}"], 1) +
    mail(
      "[PATCH 2/2] b",
      "kernel/softirq.c",
      "asmlinkage __visible void __softirq_entry __do_softirq(void)",
      [" x", "+\tpv_sched_boost_vcpu_lazy();"],
      2,
    );
  const [def, use] = mapPatch(parsePatchText(two));
  assert.equal(def.mechanism, "guest_sched_boost");
  assert.equal(use.mechanism, "guest_irq_boost", use.reason);
  assert.match(use.reason, /hooks __do_softirq/);
  assert.ok(use.scores.guest_sched_boost < 1, JSON.stringify(use.scores));
});

test("equal scores: a subject word of one mechanism breaks the tie, else catalogue order (subject never decides alone)", () => {
  // KVM_HC_KICK_CPU (pv_spinlock, 3) and KVM_HC_SCHED_YIELD (pv_sched_yield, 3), both used: a tie.
  const body = [" x", "+\tcase KVM_HC_KICK_CPU: case KVM_HC_SCHED_YIELD: ret = 0;"];
  const neutral = map1(mail("[PATCH] misc", "arch/x86/kvm/x86.c", "", body));
  assert.equal(neutral.scores.pv_spinlock, neutral.scores.pv_sched_yield);
  const first =
    CATALOGUE.findIndex((e) => e.id === "pv_sched_yield") < CATALOGUE.findIndex((e) => e.id === "pv_spinlock")
      ? "pv_sched_yield"
      : "pv_spinlock";
  assert.equal(neutral.mechanism, first);
  assert.equal(map1(mail("[PATCH] x86: pv spinlock kick fix", "arch/x86/kvm/x86.c", "", body)).mechanism, "pv_spinlock");
  assert.equal(map1(mail("[PATCH] x86: sched yield fix", "arch/x86/kvm/x86.c", "", body)).mechanism, "pv_sched_yield");
});

test("within a patch: a Kconfig option takes the mechanism of the hunks it guards, an #include-only hunk that of its file", () => {
  const text = [
    "From 0000000000000000000000000000000000000001 Mon Sep 17 00:00:00 2001",
    "Subject: [PATCH] neutral",
    "",
    "--- a/arch/x86/kvm/Kconfig",
    "+++ b/arch/x86/kvm/Kconfig",
    "@@ -1,1 +1,3 @@",
    " x",
    "+config FOO_BOOST",
    '+\tbool "foo"',
    "--- a/virt/kvm/kvm_main.c",
    "+++ b/virt/kvm/kvm_main.c",
    "@@ -1,1 +1,2 @@",
    " x",
    "+#include <linux/sched.h>",
    "@@ -20,1 +21,3 @@",
    " x",
    "+#ifdef CONFIG_FOO_BOOST",
    "+\tkvm_pv_kick_cpu_op(kvm, a0, a1);",
    "",
  ].join("\n");
  const [kconfig, include, code] = mapPatch(parsePatchText(text));
  assert.equal(code.mechanism, "pv_spinlock");
  assert.equal(kconfig.mechanism, "pv_spinlock");
  assert.equal(kconfig.via, "symbol");
  assert.match(kconfig.reason, /defines FOO_BOOST/);
  assert.equal(include.mechanism, "pv_spinlock");
  assert.equal(include.via, "patch");
});

test("globs of the catalogue: * matches any run, without regexes", () => {
  assert.ok(globMatch("KVM_FEATURE_*YIELD*", "KVM_FEATURE_PV_SHED_YIELD"));
  assert.ok(!globMatch("KVM_FEATURE_*YIELD*", "KVM_HC_SCHED_YIELD"));
  assert.ok(globMatch("*pvsched*", "kvm_vcpu_pvsched_notify"));
  assert.ok(!globMatch("PVSCHED_*", "XPVSCHED_A"));
  assert.ok(globMatch("a*b*a", "aba") && !globMatch("a*b*a", "ab"));
});

test("workspace maps: schema and validateHunkMap agree on bad maps; user regexes must be re2 (linear)", () => {
  const validate = new Ajv({ allErrors: true }).compile(schema);
  const good = {
    rules: [{ mechanism: "switches", files: ["virt/kvm/*.c"], identifiers: ["kvm_pv_sched*"], functions: ["/^static long kvm_vm_ioctl/"] }],
  };
  assert.ok(validate(good), JSON.stringify(validate.errors));
  assert.deepEqual(validateHunkMap(good), []);
  const bad: unknown[] = [
    [],
    { rules: {} },
    { rules: [{ mechanism: "nope", files: ["*"] }] },
    { rules: [{ mechanism: "switches" }] },
    { rules: [{ mechanism: "switches", files: [] }] },
    { rules: [{ mechanism: "switches", files: ["*"], identifiers: ["not an ident"] }] },
    { rules: [{ mechanism: "switches", files: ["*"], colour: "red" }] },
    { extends: "all", rules: [] },
    { rules: [{ mechanism: "switches", files: ["*"], patch: -1 }] },
  ];
  for (const b of bad) {
    assert.equal(validate(b), false, JSON.stringify(b));
    assert.ok(validateHunkMap(b).length > 0, JSON.stringify(b));
  }
  // Backreferences and lookaround need backtracking: refused, with the reason.
  assert.match(validateHunkMap({ rules: [{ mechanism: "switches", files: ["*"], functions: ["/(a)\\1/"] }] })[0].message, /re2 syntax/);
  assert.match(validateHunkMap({ rules: [{ mechanism: "switches", files: ["*"], subjects: ["(?=x)"] }] })[0].message, /re2 syntax/);
  assert.match(parseHunkMapText("{ not json").errors[0].message, /not valid JSON/);
});

test("workspace rules: identifiers, functions (names and re2 regexes) and files; subjects only order rules that matched", () => {
  const text = mail("[PATCH] drivers: frob", "drivers/misc/frob.c", "static int frob_probe(struct device *dev)", [
    " x",
    "+\tfrob_wake_boost(dev);",
  ]);
  const rule = (extra: object) => ({ mechanism: "lazy_boost", files: ["drivers/misc/*.c"], ...extra });
  assert.equal(map1(text, { rules: [rule({ identifiers: ["frob_wake_boost"] })] }).mechanism, "lazy_boost");
  assert.equal(map1(text, { rules: [rule({ identifiers: ["frob_*"] })] }).mechanism, "lazy_boost");
  assert.equal(map1(text, { rules: [rule({ functions: ["frob_probe"] })] }).mechanism, "lazy_boost");
  assert.equal(map1(text, { rules: [rule({ functions: ["/FROB_PROBE/i"] })] }).mechanism, "lazy_boost");
  assert.equal(map1(text, { rules: [rule({})] }).mechanism, "lazy_boost", "a rule with files only matches on the file");
  assert.equal(
    map1(text, { rules: [rule({ identifiers: ["absent"], subjects: ["frob"] })] }).mechanism,
    null,
    "a subject alone does not match",
  );
  const both = map1(text, {
    rules: [
      rule({ identifiers: ["frob_wake_boost"] }),
      { ...rule({ identifiers: ["frob_wake_boost"], subjects: ["frob"] }), mechanism: "switches" },
    ],
  });
  assert.equal(both.mechanism, "switches", "the subject orders two rules that matched on code");
  assert.deepEqual(both.rule, { source: "override", index: 1 });
  // extends: none drops the catalogue.
  const kick = mail("[PATCH] x", "arch/x86/kvm/lapic.c", "", [" x", "+\tkvm_vcpu_kick_boost(vcpu);"]);
  assert.equal(map1(kick, { rules: [] }).mechanism, "boost_on_inject");
  assert.equal(map1(kick, { extends: "none", rules: [] }).mechanism, null);
});

test("a ReDoS pattern in a workspace map runs in linear time under re2js", () => {
  const fn = `int ${"a".repeat(5000)}!(void)`;
  const text = mail("[PATCH] x", "a.c", fn, [" x", "+y;"]);
  const c0 = process.cpuUsage();
  const h = map1(text, { rules: [{ mechanism: "switches", files: ["a.c"], functions: ["/(a+)+$/"] }] });
  const ms = (process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1000;
  assert.equal(h.mechanism, null, "no match ($ is not after the a's)");
  // Backtracking takes 2^5000 steps here; linear matching takes milliseconds. Far from the bound.
  assert.ok(ms < 2000, `${ms} ms`);
});

test("suggestRule (Map this hunk…) keys on defined/called names and the function, never the subject", () => {
  const text = mail("[PATCH 3/8] kvm: something", "drivers/misc/thing.c", "static int thing_probe(struct device *dev)", [
    " x",
    "+\tthing_boost_vcpu(dev, i);",
    "+\tif (THING_MAX_BOOST) ret++;",
  ]);
  const parsed = parsePatchText(text);
  const h = parsed.patches[0].files[0].hunks[0];
  const rule = suggestRule("drivers/misc/thing.c", h, "boost_on_inject");
  assert.deepEqual(rule, {
    mechanism: "boost_on_inject",
    files: ["drivers/misc/thing.c"],
    identifiers: ["thing_boost_vcpu", "THING_MAX_BOOST"],
    functions: ["thing_probe"],
  });
  assert.equal(map1(text).mechanism, null);
  const m = map1(text, { rules: [rule] });
  assert.equal(m.mechanism, "boost_on_inject");
  assert.equal(functionName("static int foo(struct x *y)"), "foo");
  assert.equal(functionName("struct kvm_vcpu_arch {"), "kvm_vcpu_arch");
  assert.equal(functionName(""), null);
});

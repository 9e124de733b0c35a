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
import { REDOS_MAP, redosMail } from "../hostile/slow-inputs";

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
const map1 = (text: string, m?: HunkMapFile) => mapPatch(parsePatchText(text), m)[0]!;

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
  assert.equal(param.patches[0]!.files[0]!.hunks[0]!.code.scope?.name, "__apic_accept_irq");
  // The @@ line names the function before; the context shows the hunk is in the next one.
  const moved = parsePatchText(
    mail("[PATCH] x", "a.c", "int kvm_s390_handle_wait(struct kvm_vcpu *vcpu)", [
      " ",
      " void kvm_s390_vcpu_wakeup(struct kvm_vcpu *vcpu)",
      " {",
      "+\tkvm_vcpu_wake_up(vcpu);",
    ]),
  );
  assert.equal(moved.patches[0]!.files[0]!.hunks[0]!.code.scope?.name, "kvm_s390_vcpu_wakeup");
  // A closing brace in the context ends the function: the change is at file level.
  const after = parsePatchText(
    mail("[PATCH] x", "a.c", "bool kvm_vcpu_wake_up(struct kvm_vcpu *vcpu)", [" }", " EXPORT_SYMBOL_GPL(kvm_vcpu_wake_up);", "+int x;"]),
  );
  assert.equal(after.patches[0]!.files[0]!.hunks[0]!.code.scope, null);
  // A field added inside struct kvm_vcpu_arch is a member of it.
  const member = parsePatchText(mail("[PATCH] x", "a.h", "struct kvm_vcpu_arch {", [" \tint a;", "+\tbool preempt_disabled;"]));
  assert.deepEqual(member.patches[0]!.files[0]!.hunks[0]!.code.members, ["kvm_vcpu_arch.preempt_disabled"]);
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
  assert.equal(def!.mechanism, "guest_sched_boost");
  assert.equal(use!.mechanism, "guest_irq_boost", use!.reason);
  assert.match(use!.reason, /hooks __do_softirq/);
  assert.ok(use!.scores.guest_sched_boost! < 1, JSON.stringify(use!.scores));
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
  assert.equal(code!.mechanism, "pv_spinlock");
  assert.equal(kconfig!.mechanism, "pv_spinlock");
  assert.equal(kconfig!.via, "symbol");
  assert.match(kconfig!.reason, /defines FOO_BOOST/);
  assert.equal(include!.mechanism, "pv_spinlock");
  assert.equal(include!.via, "patch");
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
  assert.match(validateHunkMap({ rules: [{ mechanism: "switches", files: ["*"], functions: ["/(a)\\1/"] }] })[0]!.message, /re2 syntax/);
  assert.match(validateHunkMap({ rules: [{ mechanism: "switches", files: ["*"], subjects: ["(?=x)"] }] })[0]!.message, /re2 syntax/);
  assert.match(parseHunkMapText("{ not json").errors[0]!.message, /not valid JSON/);
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
  // Backtracking would take 2^5000 steps here (the test would never end); linear matching takes
  // milliseconds (`npm run bench:inputs` measures it).
  const h = map1(redosMail(), REDOS_MAP);
  assert.equal(h.mechanism, null, "no match ($ is not after the a's)");
});

test("suggestRule (Map this hunk…) keys on defined/called names and the function, never the subject", () => {
  const text = mail("[PATCH 3/8] kvm: something", "drivers/misc/thing.c", "static int thing_probe(struct device *dev)", [
    " x",
    "+\tthing_boost_vcpu(dev, i);",
    "+\tif (THING_MAX_BOOST) ret++;",
  ]);
  const parsed = parsePatchText(text);
  const h = parsed.patches[0]!.files[0]!.hunks[0]!;
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

test("validateHunkMap points at the bad key with a JSON pointer and says what is wrong", () => {
  assert.deepEqual(validateHunkMap(null), [{ path: "", message: "a hunk map must be a JSON object" }]);
  assert.deepEqual(validateHunkMap({ rules: [], colour: 1 }), [{ path: "/colour", message: 'unknown key "colour"' }]);
  assert.deepEqual(validateHunkMap({ rules: {} }), [{ path: "/rules", message: "rules must be an array" }]);
  assert.deepEqual(validateHunkMap({ extends: "all", rules: [] }), [{ path: "/extends", message: 'extends must be "default" or "none"' }]);
  assert.deepEqual(validateHunkMap({ extends: "none", rules: [] }), []);
  assert.deepEqual(validateHunkMap({ rules: [7] }), [{ path: "/rules/0", message: "a rule must be an object" }]);
  const one = (rule: object) => validateHunkMap({ rules: [{ mechanism: "switches", files: ["*.c"], ...rule }] });
  assert.deepEqual(one({ colour: "red" }), [{ path: "/rules/0/colour", message: 'unknown key "colour"' }]);
  assert.deepEqual(one({ patch: 1.5 }), [{ path: "/rules/0/patch", message: "patch must be a non-negative integer" }]);
  assert.deepEqual(one({ patch: 0, note: "n", subjects: ["boost"], identifiers: ["a_b*"], functions: ["f"] }), []);
  assert.deepEqual(one({ note: 3 }), [{ path: "/rules/0/note", message: "note must be a string" }]);
  assert.deepEqual(one({ files: undefined }), [{ path: "/rules/0/files", message: "files is required" }]);
  assert.deepEqual(one({ files: [] }), [{ path: "/rules/0/files", message: "files must be a non-empty array of strings" }]);
  assert.deepEqual(one({ identifiers: "x" }), [{ path: "/rules/0/identifiers", message: "identifiers must be an array of strings" }]);
  assert.deepEqual(one({ identifiers: [] }), [], "an optional list may be empty");
  assert.deepEqual(one({ identifiers: ["ok", ""] }), [{ path: "/rules/0/identifiers/1", message: "must be a non-empty string" }]);
  assert.deepEqual(one({ identifiers: ["a b"] }), [
    { path: "/rules/0/identifiers/0", message: "not a C identifier (optionally ending in *)" },
  ]);
  assert.deepEqual(one({ identifiers: ["x*y"] }).length, 1, "a * only at the end");
  assert.deepEqual(one({ identifiers: ["9x"] }).length, 1, "not starting with a digit");
  // picomatch refuses a glob over 64 KiB.
  assert.match(one({ files: ["a".repeat(70_000)] })[0]?.message ?? "", /^bad glob: /);
  assert.equal(one({ functions: ["/(a)\\1/"] })[0]?.path, "/rules/0/functions/0");
  assert.equal(one({ mechanism: 3 })[0]?.path, "/rules/0/mechanism");
  assert.deepEqual(parseHunkMapText('{"rules": []}'), { map: { rules: [] }, errors: [] });
  assert.deepEqual(parseHunkMapText('{"rules": 1}').map, null);
});

test("workspace rules score as documented: identifier 8, function 4, subject 2, patch 1, file alone 0.5", () => {
  const text = mail(
    "[PATCH 3/8] drivers: frob",
    "drivers/misc/frob.c",
    "static int frob_probe(struct device *dev)",
    [" x", "+\tfrob_wake_boost(dev);"],
    3,
  );
  const score = (extra: object) =>
    map1(text, { extends: "none", rules: [{ mechanism: "lazy_boost", files: ["drivers/**"], note: "mine", ...extra }] });
  assert.equal(score({}).score, 0.5);
  assert.equal(score({ identifiers: ["frob_wake_boost"] }).score, 8);
  assert.equal(score({ identifiers: ["frob_*"], functions: ["frob_probe"] }).score, 12);
  assert.equal(score({ functions: ["/frob_probe/"], subjects: ["FROB"] }).score, 6);
  assert.equal(score({ functions: ["frob_probe"], patch: 3 }).score, 5);
  assert.equal(score({ functions: ["frob_probe"], patch: 4 }).score, 4, "another patch number adds nothing");
  assert.equal(score({ subjects: ["frob"], patch: 3 }).score, 3.5, "a rule with files only, ordered by subject and patch");
  assert.equal(score({ functions: ["/^frob$/"] }).mechanism, null, "a regex on the whole function context");
  const h = score({ identifiers: ["frob_wake_boost"] });
  assert.equal(h.reason, "workspace rule #0 (mine)");
  assert.deepEqual([h.via, h.rule, h.patchIndex, h.scope], ["override", { source: "override", index: 0 }, 3, "frob_probe"]);
  assert.equal(h.funcContext, "static int frob_probe(struct device *dev)");
  assert.deepEqual([h.line, h.endLine], [5, 7]);
  const none = score({ identifiers: ["absent"] });
  assert.equal(none.reason, "unmapped: no workspace rule matches (the map has extends: none)");
  assert.deepEqual([none.via, none.rule, none.score], ["none", null, 0]);
  // A rule matches a deleted file by its old path.
  const del = ["--- a/drivers/old.c", "+++ /dev/null", "@@ -1,1 +0,0 @@", "-\tfrob();", ""].join("\n");
  const gone = mapPatch(parsePatchText(`Subject: [PATCH] x\n\n${del}`), {
    rules: [{ mechanism: "switches", files: ["drivers/old.c"] }],
  })[0]!;
  assert.equal(gone.mechanism, "switches");
});

test("a workspace rule may name an upstream mechanism: mapped, not simulated", () => {
  const text = mail("[PATCH] x", "a.c", "", [" x", "+\ty();"]);
  const h = map1(text, { rules: [{ mechanism: "directed_yield", files: ["a.c"] }] });
  assert.deepEqual([h.mechanism, h.simulated], ["directed_yield", false]);
});

test("mapPatch polls every 64 hunks (POLL_HUNKS) and stops when the poll throws", () => {
  const hunk = (i: number) => [`@@ -${10 * i + 1},1 +${10 * i + 1},2 @@`, " x", "+\ty();"];
  const many = ["Subject: [PATCH] x", "", "--- a/a.c", "+++ b/a.c", ...Array.from({ length: 130 }, (_, i) => hunk(i)).flat(), ""].join(
    "\n",
  );
  const parsed = parsePatchText(many);
  assert.equal(parsed.patches[0]!.files[0]!.hunks.length, 130);
  let polls = 0;
  assert.equal(mapPatch(parsed, null, () => void polls++).length, 130);
  assert.equal(polls, 3, "at hunks 0, 64 and 128");
  assert.throws(
    () =>
      mapPatch(parsed, null, () => {
        throw new Error("cancelled");
      }),
    /cancelled/,
  );
  assert.throws(
    () => mapPatch(parsed, { rules: [{ mechanism: "nope", files: ["*"] }] } as HunkMapFile),
    /^Error: invalid hunk map: \/rules\/0\/mechanism: mechanism must be one of /,
  );
});

test("functionName and suggestRule: the name before the parenthesis, distinctive identifiers only", () => {
  assert.equal(functionName("(void)"), null);
  assert.equal(functionName(`int ${"x".repeat(300)} f(void)`), "f");
  assert.equal(functionName("union u {"), "u");
  assert.equal(functionName("enum e {"), "e");
  assert.equal(functionName("  struct s {"), "s");
  assert.equal(functionName("static int x;"), null);
  const h = {
    identifiersAdded: ["vcpu", "abc", "kvm_one", "kvm_two", "kvm_three", "kvm_four"],
    code: { defines: ["kvm_one"], calls: ["kvm_two", "kvm_one"], scope: { kind: "struct", name: "kvm_arch" } },
    funcContext: "static int outer(void)",
  } as unknown as Parameters<typeof suggestRule>[1];
  assert.deepEqual(suggestRule("a.c", h, "switches"), {
    mechanism: "switches",
    files: ["a.c"],
    identifiers: ["kvm_one", "kvm_two", "kvm_three"],
    functions: ["outer"],
  });
  assert.deepEqual(suggestRule("a.c", h, "switches", 5).identifiers, ["kvm_one", "kvm_two", "kvm_three", "kvm_four"]);
  const bare = { identifiersAdded: ["ret", "i"], code: { defines: [], calls: [], scope: null }, funcContext: "" } as unknown as Parameters<
    typeof suggestRule
  >[1];
  assert.deepEqual(suggestRule("b.c", bare, "switches"), { mechanism: "switches", files: ["b.c"] });
});

test("workspace rules, the finer points: flags, dot files, prefixes, several globs, ties go to the first rule", () => {
  const text = mail("[PATCH] drivers: frob", "drivers/.misc/frob.c", "static int frob_probe(struct device *dev)", [
    " x",
    "+\tfrx_wake(dev);",
  ]);
  const m = (rules: HunkMapFile["rules"]) => map1(text, { extends: "none", rules });
  const r = (extra: object) => ({ mechanism: "lazy_boost", files: ["drivers/**"], ...extra });
  assert.equal(m([r({})]).mechanism, "lazy_boost", "a glob matches a dot directory (dot: true)");
  assert.equal(m([r({ functions: ["/FROB_PROBE/"] })]).mechanism, null, "without the i flag the regex is case-sensitive");
  assert.equal(m([r({ identifiers: ["frob_*"] })]).mechanism, null, "the whole prefix, not its first letter");
  assert.equal(m([r({ identifiers: ["frx_wake", "frob_*"] })]).score, 8, "an exact name and a prefix are both code criteria");
  assert.equal(m([{ ...r({}), files: ["nomatch/*", "drivers/**"] }]).mechanism, "lazy_boost", "any of the globs");
  const tie = m([r({ identifiers: ["frx_wake"] }), { ...r({ identifiers: ["frx_wake"] }), mechanism: "switches" }]);
  assert.deepEqual([tie.mechanism, tie.rule?.index], ["lazy_boost", 0]);
  assert.deepEqual(m([r({})]).code, { defines: [], calls: ["frx_wake"], scope: { kind: "function", name: "frob_probe" } });
});

test("functionName and suggestRule, the finer points", () => {
  assert.equal(functionName("static int foo (void)"), "foo");
  assert.equal(functionName("static const struct kvm_x_ops ops = {"), null, "a variable of a struct type is no scope");
  assert.equal(functionName("struct  s {"), "s");
  const hunk = (identifiersAdded: string[], scope: object | null, funcContext = "static int outer(void)") =>
    ({ identifiersAdded, code: { defines: [], calls: [], scope }, funcContext }) as unknown as Parameters<typeof suggestRule>[1];
  // The catalogue's generic names of four letters or more are never keys; shorter ones fall to the length.
  assert.equal(suggestRule("a.c", hunk(["vcpu", "arch", "data", "current", "state"], null), "switches").identifiers, undefined);
  assert.deepEqual(suggestRule("a.c", hunk(["kvmx"], null), "switches").identifiers, ["kvmx"], "four letters are enough");
  assert.deepEqual(
    suggestRule("a.c", hunk([], { kind: "function", name: "inner" }), "switches").functions,
    ["inner"],
    "the scope the hunk is in",
  );
});

test("validateHunkMap accepts $schema and extends: default; a rule's lists and names are exact", () => {
  assert.deepEqual(validateHunkMap({ $schema: "./hunk-map.schema.json", extends: "default", rules: [] }), []);
  const one = (rule: object) => validateHunkMap({ rules: [{ mechanism: "switches", files: ["*.c"], ...rule }] });
  assert.deepEqual(one({ identifiers: [7] }), [{ path: "/rules/0/identifiers/0", message: "must be a non-empty string" }]);
  assert.match(one({ mechanism: "nope" })[0]?.message ?? "", /^mechanism must be one of shared_memory, setscheduler_irq, /);
  const text = mail("[PATCH] x", "a.c", "static int frob_probe(void)", [" x", "+\tfrx_wake();"]);
  const m = (extra: object) => map1(text, { extends: "none", rules: [{ mechanism: "switches", files: ["a.c"], ...extra }] });
  assert.equal(m({ identifiers: ["frx_wak"] }).mechanism, null, "a name without * is matched whole");
  assert.equal(m({ functions: ["other_probe"] }).mechanism, null, "a function name that is not the hunk's");
  assert.equal(m({ functions: ["other_probe", "/frob/"] }).mechanism, "switches", "names and regexes side by side");
});

test("a host handler that kicks a vCPU and yields to it is the PV spinlock kick; the ready test before the yield is not the boost", () => {
  const handler = (extra: string[]) =>
    map1(
      mail("[PATCH] x", "arch/foo/kvm/hcall.c", "", [
        "+static int foo_hcall_wake(struct kvm_vcpu *vcpu, struct kvm_vcpu *target)",
        "+{",
        ...extra,
        "+\tif (READ_ONCE(target->ready))",
        "+\t\tkvm_vcpu_yield_to(target);",
        "+\treturn 0;",
        "+}",
      ]),
    );
  const kick = handler(["+\tkvm_vcpu_kick(target);"]);
  assert.equal(kick.mechanism, "pv_spinlock");
  assert.match(kick.reason, /kvm_vcpu_kick with kvm_vcpu_yield_to/);
  // Without the kick: a yield to a ready target, directed yield's code; the read flag stays below it.
  const yieldOnly = handler([]);
  assert.equal(yieldOnly.mechanism, "directed_yield");
  assert.ok((yieldOnly.scores.ready_boost ?? 0) < yieldOnly.score, JSON.stringify(yieldOnly.scores));
});

/**
 * patch/classify.ts on hand-built hunks and a two-mechanism test catalogue, so that each rule's
 * arithmetic is checked exactly (the values follow from the weights, not from running the code).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { emptyPatch, type Hunk, type Patch } from "../../patch/parse";
import type { HunkCode } from "../../patch/code";
import { hunk } from "./hunk.helpers";
import type { CatalogueEntry } from "../../patch/catalogue";
import { SeriesDefinitions, decide, scoreHunk, THRESHOLD, ROLE, DEPENDENCY, type Classification } from "../../patch/classify";
import { propagate } from "../../patch/propagate";

const A: CatalogueEntry = {
  id: "alpha",
  label: "A",
  patch: null,
  simulated: false,
  summary: "",
  identifiers: { a_id: 2, a_low: 1 },
  patterns: [["pat_*", 2]],
  members: { "x.m": 2, "*.g": 1 },
  hooks: { hook_a: 1.5 },
  combos: [{ all: ["c1", "c2"], weight: 3 }],
  paths: [
    ["dir/**", 1],
    ["only/file.c", 0.5],
  ],
  subjectWords: ["alpha"],
};
const B: CatalogueEntry = {
  id: "beta",
  label: "B",
  patch: null,
  simulated: false,
  summary: "",
  identifiers: { b_id: 2 },
  hooks: { hook_b: 2 },
  subjectWords: ["beta"],
};
const CAT = [A, B];

const patch = (...hunks: Hunk[]): Patch => ({
  ...emptyPatch(0),
  files: [{ oldPath: "f", newPath: "f", path: "f", line: 0, endLine: 0, binary: false, hunks }],
});
const none = new SeriesDefinitions([]);
const score = (h: Hunk, path = "x.c", defs = none, i = 0) => {
  const s = scoreHunk(h, path, i, defs, CAT);
  return { total: [...s.total], c: decide(s, "", CAT) };
};
const close = (a: number, b: number, what = "") => assert.ok(Math.abs(a - b) < 1e-9, `${what} ${a} != ${b}`);

test("roles: define 1.0, call 0.9, member 0.9, use 0.7, removed 0.35; names on both sides count as edited around", () => {
  close(score(hunk({ ids: ["a_id"], defines: ["a_id"] })).total[0]!, 2 * ROLE.define);
  close(score(hunk({ ids: ["a_id"], calls: ["a_id"] })).total[0]!, 2 * ROLE.call);
  close(score(hunk({ ids: ["a_id"] })).total[0]!, 2 * ROLE.use);
  close(score(hunk({ members: ["x.m"] })).total[0]!, 2 * ROLE.member);
  close(score(hunk({ members: ["y.g"] })).total[0]!, 1 * ROLE.member);
  assert.equal(score(hunk({ members: ["y.h"] })).total[0], 0);
  close(score(hunk({ removed: ["a_id"] })).total[0]!, 2 * ROLE.removed);
  close(score(hunk({ removed: ["x.m"] })).total[0]!, 2 * ROLE.removed);
  const edited = score(hunk({ ids: ["a_id"], calls: ["a_id"], removed: ["a_id"] }));
  close(edited.total[0]!, 2 * ROLE.removed);
  assert.match(edited.c.reason, /edits around a_id/);
  // A member both touched and removed counts once, as touched.
  close(score(hunk({ members: ["x.m"], removed: ["x.m"] })).total[0]!, 2 * ROLE.member);
  assert.deepEqual([ROLE.define, ROLE.call, ROLE.member, ROLE.use, ROLE.removed], [1, 0.9, 0.9, 0.7, 0.35]);
});

test("patterns, combos (all names needed) and paths", () => {
  close(score(hunk({ ids: ["pat_x"] })).total[0]!, 2 * ROLE.use);
  close(score(hunk({ ids: ["pat_x"] })).total[0]!, 2 * ROLE.use); // from the pattern cache
  assert.equal(score(hunk({ ids: ["xpat_x"] })).total[0], 0);
  close(score(hunk({ ids: ["c1", "c2"] })).total[0]!, 3);
  assert.equal(score(hunk({ ids: ["c1"] })).total[0], 0);
  close(score(hunk(), "dir/sub/y.c").total[0]!, 1);
  close(score(hunk(), "only/file.c").total[0]!, 0.5);
  assert.equal(score(hunk(), "dirx/y.c").total[0], 0);
  assert.match(score(hunk({ ids: ["c1", "c2"] })).c.reason, /^c1 with c2 \(score 3\)$/);
});

test("hooks count only for a function scope and only with catalogue code in the hunk", () => {
  const scope = { kind: "function" as const, name: "hook_a" };
  assert.equal(score(hunk({ scope })).total[0], 0, "no code: no hook");
  close(score(hunk({ scope, ids: ["b_id"], calls: ["b_id"] })).total[0]!, 1.5);
  assert.equal(score(hunk({ scope: { kind: "struct", name: "hook_a" }, ids: ["b_id"] })).total[0], 0);
  assert.match(score(hunk({ scope, ids: ["a_low", "a_id"] })).c.reason, /hooks hook_a|uses a_id/);
});

test("dependencies: another patch's name counts DEPENDENCY when the hunk has its own evidence, in full when it has none", () => {
  const def = hunk({ ids: ["b_id"], defines: ["b_id"] });
  const use = hunk({ ids: ["b_id", "a_id"], calls: ["b_id", "a_id"] });
  const defs = new SeriesDefinitions([patch(def), patch(use)]);
  const mixed = scoreHunk(use, "x.c", 1, defs, CAT);
  close(mixed.total[1]!, 2 * ROLE.call * DEPENDENCY);
  close(mixed.total[0]!, 2 * ROLE.call);
  const onlyDep = hunk({ ids: ["b_id"], calls: ["b_id"] });
  const s = scoreHunk(onlyDep, "x.c", 1, new SeriesDefinitions([patch(def), patch(onlyDep)]), CAT);
  close(s.total[1]!, 2 * ROLE.call);
  // Same patch: not a dependency.
  close(scoreHunk(use, "x.c", 0, new SeriesDefinitions([patch(def, use)]), CAT).total[1]!, 2 * ROLE.call);
  const defB = hunk({ ids: ["b_id", "a_low"], defines: ["b_id", "a_low"] });
  const r = decide(scoreHunk(hunk({ ids: ["b_id", "a_id"] }), "x.c", 1, new SeriesDefinitions([patch(defB), patch()]), CAT), "", CAT);
  assert.equal(r.mechanism, null);
  assert.match(r.reason, /^unmapped: best alpha scores 1\.4 < 1\.5 \(uses a_id\)$/);
  assert.equal(DEPENDENCY, 0.35);
});

test("decide: the threshold is inclusive, scores are rounded, reasons name the evidence", () => {
  assert.equal(THRESHOLD, 1.5);
  const at = decide({ total: [1.5, 0], bestVerb: [1, 6], bestName: ["a_id", ""], bestValue: [1.5, 0], anyCode: true }, "", CAT);
  assert.equal(at.mechanism, "alpha");
  assert.equal(at.reason, "calls a_id (score 1.5)");
  assert.equal(at.via, "code");
  const below = decide({ total: [1.49, 0], bestVerb: [18, 6], bestName: ["a_id", ""], bestValue: [1.49, 0], anyCode: true }, "", CAT);
  assert.equal(below.mechanism, null);
  assert.equal(below.reason, "unmapped: best alpha scores 1.49 < 1.5 (uses a_id (from another patch))");
  assert.equal(below.score, 0);
  assert.equal(below.via, "none");
  const empty = decide({ total: [0, 0], bestVerb: [6, 6], bestName: ["", ""], bestValue: [0, 0], anyCode: false }, "alpha beta", CAT);
  assert.equal(empty.mechanism, null, "a subject never maps alone");
  assert.deepEqual(empty.scores, {});
  assert.match(empty.reason, /^unmapped: no code of a known mechanism/);
  const r = decide({ total: [2.3456, 1.004], bestVerb: [0, 3], bestName: ["a_id", "x.m"], bestValue: [2, 1], anyCode: true }, "", CAT);
  assert.deepEqual(r.scores, { alpha: 2.35, beta: 1 });
  assert.equal(r.score, 2.35);
  assert.equal(r.reason, "defines a_id (score 2.35)");
});

test("decide: equal scores go to the mechanism a subject word names, else to catalogue order; a higher score always wins", () => {
  const tie = (subject: string, a = 2, b = 2) =>
    decide({ total: [a, b], bestVerb: [0, 0], bestName: ["a_id", "b_id"], bestValue: [a, b], anyCode: true }, subject, CAT).mechanism;
  assert.equal(tie(""), "alpha");
  assert.equal(tie("fix BETA thing"), "beta");
  assert.equal(tie("alpha and beta"), "alpha");
  assert.equal(tie("beta", 2, 2 + 1e-12), "beta", "within 1e-9 is a tie");
  assert.equal(tie("alpha", 2, 2.01), "beta", "a subject word does not beat a higher score");
  assert.equal(tie("beta", 2.01, 2), "alpha");
  assert.equal(tie("", 0, 2), "beta");
});

const cls = (
  mechanism: string | null,
  via: Classification["via"] = mechanism ? "code" : "none",
  scores: Record<string, number> = {},
): Classification => ({
  mechanism,
  score: mechanism ? 2 : 0,
  scores,
  reason: mechanism ? "x" : "unmapped: y",
  via,
});

test("propagate: a hunk defining a symbol (or CONFIG_ symbol) takes the mechanism of the hunks using it", () => {
  const kconfig = { hunk: hunk({ defines: ["FOO"], codeLines: 2 }), file: "Kconfig", c: cls(null) };
  const users = [
    { hunk: hunk({ ids: ["CONFIG_FOO"] }), file: "a.c", c: cls("beta") },
    { hunk: hunk({ ids: ["CONFIG_FOO"] }), file: "b.c", c: cls("beta") },
    { hunk: hunk({ ids: ["other"] }), file: "c.c", c: cls("alpha") },
    { hunk: hunk({ ids: ["other"] }), file: "d.c", c: cls("alpha") },
    { hunk: hunk({ ids: ["other"] }), file: "e.c", c: cls("alpha") },
  ];
  propagate([kconfig, ...users]);
  assert.equal(kconfig.c.mechanism, "beta");
  assert.equal(kconfig.c.via, "symbol");
  assert.equal(kconfig.c.reason, "defines FOO, which 2 hunk(s) of this patch use for beta");
  const plain = { hunk: hunk({ defines: ["BAR"] }), file: "x.h", c: cls(null) };
  propagate([plain, { hunk: hunk({ ids: ["BAR"] }), file: "a.c", c: cls("alpha") }]);
  assert.equal(plain.c.mechanism, "alpha");
});

test("propagate: #include-only hunks follow their file; weak hunks follow the patch; hunks without evidence stay unmapped", () => {
  const include = { hunk: hunk({ includeLines: 2, codeLines: 0 }), file: "a.c", c: cls(null) };
  const weak = { hunk: hunk({ ids: ["a_low"] }), file: "z.c", c: cls(null, "none", { alpha: 0.7 }) };
  const nothing = { hunk: hunk({ ids: ["zzz"] }), file: "z.c", c: cls(null) };
  const mapped = [
    { hunk: hunk(), file: "a.c", c: cls("alpha") },
    { hunk: hunk(), file: "b.c", c: cls("beta") },
    { hunk: hunk(), file: "c.c", c: cls("beta") },
  ];
  propagate([include, weak, nothing, ...mapped]);
  assert.equal(include.c.mechanism, "alpha", "same file first");
  assert.equal(include.c.via, "patch");
  assert.equal(include.c.reason, "only #includes; the patch's other hunks implement alpha");
  assert.equal(weak.c.mechanism, "beta", "the patch's prevailing mechanism");
  assert.match(weak.c.reason, /^weak own evidence \(y\); the patch's other hunks implement beta$/);
  assert.equal(nothing.c.mechanism, null);
});

test("propagate: a tie between the patch's mechanisms, or a single mapped hunk of another mechanism, propagates nothing", () => {
  const weak = { hunk: hunk({ ids: ["a_low"] }), file: "z.c", c: cls(null, "none", { alpha: 0.7 }) };
  propagate([weak, { hunk: hunk(), file: "a.c", c: cls("alpha") }, { hunk: hunk(), file: "b.c", c: cls("beta") }]);
  assert.equal(weak.c.mechanism, null);
  const other = { hunk: hunk({ ids: ["b_low"] }), file: "z.c", c: cls(null, "none", { beta: 0.5 }) };
  propagate([other, { hunk: hunk(), file: "a.c", c: cls("alpha") }]);
  assert.equal(other.c.mechanism, null, "one mapped hunk of another mechanism is not enough");
  const same = { hunk: hunk({ ids: ["a_low"] }), file: "z.c", c: cls(null, "none", { alpha: 0.5 }) };
  propagate([same, { hunk: hunk(), file: "a.c", c: cls("alpha") }]);
  assert.equal(same.c.mechanism, "alpha");
  // Propagated hunks do not propagate further, and nothing happens without mapped hunks.
  const lone = { hunk: hunk({ includeLines: 1, codeLines: 0 }), file: "a.c", c: cls(null) };
  propagate([lone, { hunk: hunk(), file: "a.c", c: cls("alpha", "patch") }]);
  assert.equal(lone.c.mechanism, null);
});

test("hooks: a call to a function another hunk of the document defines opens the hook, as catalogue code does", () => {
  const scope = { kind: "function" as const, name: "hook_a" };
  const caller = hunk({ scope, ids: ["own_fn"], calls: ["own_fn"] });
  const defs = new SeriesDefinitions([patch(hunk({ defines: ["own_fn"] })), patch(caller)]);
  close(scoreHunk(caller, "x.c", 1, defs, CAT).total[0]!, 1.5);
  assert.match(decide(scoreHunk(caller, "x.c", 1, defs, CAT), "", CAT).reason, /^hooks hook_a \(score 1\.5\)$/);
  assert.equal(score(caller).total[0], 0, "a name nobody in the document defines is no series code");
  const selfDefined = hunk({ scope, ids: ["own_fn"], calls: ["own_fn"], defines: ["own_fn"] });
  assert.equal(scoreHunk(selfDefined, "x.c", 0, new SeriesDefinitions([patch(selfDefined)]), CAT).total[0], 0, "its own definition is not");
  const used = hunk({ scope, ids: ["own_fn"] });
  assert.equal(scoreHunk(used, "x.c", 1, defs, CAT).total[0], 0, "a use that is no call is not");
});

test("dependencies: a member another patch declares counts DEPENDENCY when the hunk has its own evidence", () => {
  const decl = hunk({ scope: { kind: "struct", name: "s" }, members: ["s.m"] });
  const user = hunk({ members: ["x.m"], ids: ["b_id"] });
  const defs = new SeriesDefinitions([patch(decl), patch(user)]);
  const s = scoreHunk(user, "x.c", 1, defs, CAT);
  close(s.total[0]!, 2 * ROLE.member * DEPENDENCY);
  close(s.total[1]!, 2 * ROLE.use);
  assert.match(decide(s, "", CAT).reason, /uses b_id/);
  const alone = hunk({ members: ["x.m"] });
  close(scoreHunk(alone, "x.c", 1, new SeriesDefinitions([patch(decl), patch(alone)]), CAT).total[0]!, 2 * ROLE.member);
  close(scoreHunk(user, "x.c", 0, new SeriesDefinitions([patch(decl, user)]), CAT).total[0]!, 2 * ROLE.member, "same patch");
  // A member touched (not declared) in a function by another patch is no declaration.
  const toucher = hunk({ scope: { kind: "function", name: "f" }, members: ["y.m"] });
  close(scoreHunk(user, "x.c", 1, new SeriesDefinitions([patch(toucher), patch(user)]), CAT).total[0]!, 2 * ROLE.member);
});

test("propagate: a hunk calling a function that mapped hunks of its patch define takes their mechanism", () => {
  const caller = { hunk: hunk({ ids: ["helper", "zz"], calls: ["helper", "zz"] }), file: "a.c", c: cls(null, "none", { beta: 1 }) };
  const provider = { hunk: hunk({ defines: ["helper"] }), file: "b.c", c: cls("alpha") };
  const others = [
    { hunk: hunk(), file: "c.c", c: cls("beta") },
    { hunk: hunk(), file: "d.c", c: cls("beta") },
  ];
  propagate([caller, provider, ...others], CAT);
  assert.equal(caller.c.mechanism, "alpha", "the callee's mechanism, not the patch's prevailing one");
  assert.equal(caller.c.via, "symbol");
  assert.equal(caller.c.reason, "calls helper, which 1 hunk(s) of this patch define for alpha");
  assert.equal(caller.c.caller, true, "marked a caller: what it defines carries nothing across the series");
  const user = { hunk: hunk({ ids: ["helper"] }), file: "a.c", c: cls(null) };
  propagate([user, { hunk: hunk({ defines: ["helper"] }), file: "b.c", c: cls("alpha") }], CAT);
  assert.equal(user.c.mechanism, null, "a use that is no call does not follow");
});

test("propagate: a struct hunk declaring a member takes the mechanism of the hunks using it", () => {
  const decl = { hunk: hunk({ scope: { kind: "struct", name: "s" }, members: ["s.fld"] }), file: "a.h", c: cls(null) };
  const users = [{ hunk: hunk({ ids: ["fld"] }), file: "a.c", c: cls("beta") }];
  propagate([decl, ...users], CAT);
  assert.equal(decl.c.mechanism, "beta");
  assert.equal(decl.c.reason, "defines fld, which 1 hunk(s) of this patch use for beta");
  const touch = { hunk: hunk({ scope: { kind: "function", name: "f" }, members: ["s.fld"] }), file: "a.c", c: cls(null) };
  propagate([touch, ...users], CAT);
  assert.equal(touch.c.mechanism, null, "touching a member in a function declares nothing");
});

test("propagate: a hunk without evidence in a function the patch's mechanism hooks takes it; elsewhere it stays unmapped", () => {
  const inHook = () => ({ hunk: hunk({ scope: { kind: "function", name: "hook_a" } }), file: "z.c", c: cls(null) });
  const a = inHook();
  propagate([a, { hunk: hunk(), file: "a.c", c: cls("alpha") }], CAT);
  assert.equal(a.c.mechanism, "alpha");
  assert.equal(a.c.via, "patch");
  assert.equal(a.c.reason, "sits in hook_a, which alpha hooks; the patch's other hunks implement alpha");
  const b = inHook();
  propagate([b, { hunk: hunk(), file: "a.c", c: cls("beta") }, { hunk: hunk(), file: "b.c", c: cls("beta") }], CAT);
  assert.equal(b.c.mechanism, null, "beta does not hook hook_a");
  const other = { hunk: hunk({ scope: { kind: "function", name: "not_a_hook" } }), file: "z.c", c: cls(null) };
  propagate([other, { hunk: hunk(), file: "a.c", c: cls("alpha") }, { hunk: hunk(), file: "b.c", c: cls("alpha") }], CAT);
  assert.equal(other.c.mechanism, null);
  const struct = { hunk: hunk({ scope: { kind: "struct", name: "hook_a" } }), file: "z.c", c: cls(null) };
  propagate([struct, { hunk: hunk(), file: "a.c", c: cls("alpha") }], CAT);
  assert.equal(struct.c.mechanism, null, "a struct of that name is no hook");
});

// A mechanism whose own functions the catalogue names (weight 3: only its code; 2: specific).
const C: CatalogueEntry = { id: "gamma", label: "C", patch: null, simulated: false, summary: "", identifiers: { own_fn: 3, half_fn: 2 } };
const CAT3 = [A, B, C];
const score3 = (h: Hunk, defs = none) => {
  const s = scoreHunk(h, "x.c", 0, defs, CAT3);
  return { total: [...s.total], c: decide(s, "", CAT3) };
};

test("inside a mechanism's own function: half the name's weight, even with no catalogue name in the hunk", () => {
  const inside = (name: string, c: Partial<HunkCode> & { ids?: string[] } = {}) =>
    score3(hunk({ scope: { kind: "function", name }, ids: ["vcpu", "target"], ...c }));
  const own = inside("own_fn");
  close(own.total[2]!, 3 * ROLE.inside);
  assert.equal(own.c.mechanism, "gamma");
  assert.equal(own.c.reason, "inside own_fn (score 1.5)");
  const half = inside("half_fn");
  close(half.total[2]!, 2 * ROLE.inside);
  assert.equal(half.c.mechanism, null, "a weight-2 name alone does not map");
  assert.equal(inside("elsewhere").c.mechanism, null);
  assert.equal(score3(hunk({ scope: { kind: "struct", name: "own_fn" } })).total[2], 0, "a struct of that name is not the function");
  close(inside("own_fn", { defines: ["own_fn"], ids: ["own_fn"] }).total[2]!, 3 * ROLE.define, "the definition counts once, as defined");
  assert.equal(ROLE.inside, 0.5);
});

test("inside: not when the added lines name another mechanism's code or call a function the series defines", () => {
  const scope = { kind: "function" as const, name: "own_fn" };
  const other = score3(hunk({ scope, ids: ["b_id"], calls: ["b_id"] }));
  assert.equal(other.total[2], 0, "a beta call added inside gamma's function is beta's");
  assert.equal(other.c.mechanism, "beta");
  const def = hunk({ defines: ["new_helper"] });
  const caller = hunk({ scope, ids: ["new_helper"], calls: ["new_helper"] });
  assert.equal(score3(caller, new SeriesDefinitions([patch(def), patch(caller)])).total[2], 0, "the series hooking its own code in");
  close(score3(caller).total[2]!, 3 * ROLE.inside, "the same call to a function nobody here defines");
  close(score3(hunk({ scope, ids: ["a_low"], removed: ["a_low"] })).total[2]!, 3 * ROLE.inside, "edited-around names are not added code");
});

test("inside: not when the added lines install a function the series defines (an ops slot set to it)", () => {
  // pcpu_is_idle (set 9): `pv_ops.lock.pcpu_is_idle = PV_CALLEE_SAVE(__kvm_pcpu_is_idle)` added in
  // kvm_spinlock_init installs the series' function; it is not a change to the init function.
  const scope = { kind: "function" as const, name: "own_fn" };
  const fn = hunk({ defines: ["new_op"], functions: ["new_op"], ids: ["new_op"] });
  const install = hunk({ scope, ids: ["pv_ops", "new_slot", "PV_CALLEE_SAVE", "new_op"], calls: ["PV_CALLEE_SAVE"] });
  const defs = new SeriesDefinitions([patch(fn, install)]);
  assert.equal(score3(install, defs).total[2], 0, "the series' function installed in place");
  close(score3(install).total[2]!, 3 * ROLE.inside, "the same lines naming a function nobody here defines");
  // A constant or variable of the series is no function: a fix using it inside stays the mechanism's.
  const flag = hunk({ defines: ["NEW_FLAG"], ids: ["NEW_FLAG"] });
  const uses = hunk({ scope, ids: ["NEW_FLAG"] });
  close(score3(uses, new SeriesDefinitions([patch(flag, uses)])).total[2]!, 3 * ROLE.inside);
});

test("inside a kernel parameter's entry of kernel-parameters.txt", () => {
  const s = score3(hunk({ scope: { kind: "kparam", name: "own_fn" } }));
  close(s.total[2]!, 3 * ROLE.inside);
  assert.equal(s.c.mechanism, "gamma");
});

test("propagate: a hunk naming a struct member its patch declares takes the mechanism of the mapped hunks using it", () => {
  const decl = { hunk: hunk({ scope: { kind: "struct", name: "stat" }, members: ["stat.yields"] }), file: "a.h", c: cls(null) };
  const user = { hunk: hunk({ ids: ["yields", "vcpu"], members: ["stat.yields"] }), file: "a.c", c: cls("beta") };
  const listing = {
    hunk: hunk({ scope: { kind: "initializer", name: "entries" }, ids: ["VCPU_STAT", "yields"], calls: ["VCPU_STAT"] }),
    file: "b.c",
    c: cls(null),
  };
  propagate([decl, user, listing], CAT);
  assert.equal(listing.c.mechanism, "beta");
  assert.equal(listing.c.via, "symbol");
  assert.equal(listing.c.reason, "uses yields, a member this patch declares and 1 hunk(s) of it use for beta");
  const fnRef = { hunk: hunk({ ids: ["ops", "helper"] }), file: "c.c", c: cls(null) };
  propagate(
    [
      fnRef,
      { hunk: hunk({ defines: ["helper"], ids: ["helper"] }), file: "d.c", c: cls("alpha") },
      { hunk: hunk({ ids: ["helper"] }), file: "e.c", c: cls("alpha") },
    ],
    CAT,
  );
  assert.equal(fnRef.c.mechanism, null, "a function of the patch only referenced is no member");
  const notOwn = { hunk: hunk({ ids: ["yields"] }), file: "b.c", c: cls(null) };
  propagate([notOwn, { hunk: hunk({ ids: ["yields"], members: ["stat.yields"] }), file: "a.c", c: cls("beta") }], CAT);
  assert.equal(notOwn.c.mechanism, null, "a member no hunk of this patch declares");
});

test("propagate: a hunk setting a designated initializer to a function its patch maps takes that mechanism", () => {
  const fn = { hunk: hunk({ ids: ["wrs_insn", "a_id"], defines: ["wrs_insn"], functions: ["wrs_insn"] }), file: "a.c", c: cls("alpha") };
  const table = { hunk: hunk({ ids: ["wrs_insn", "MASK"], initializes: ["wrs_insn"] }), file: "a.c", c: cls(null) };
  const named = { hunk: hunk({ ids: ["wrs_insn"] }), file: "a.c", c: cls(null) };
  propagate([fn, table, named], CAT);
  assert.equal(table.c.mechanism, "alpha");
  assert.match(table.c.reason, /sets a field to wrs_insn/);
  assert.equal(named.c.mechanism, null);
});

test("readBy: a member only read next to a call of a reading mechanism's code counts DEPENDENCY; written, it counts in full", () => {
  const R: CatalogueEntry = { ...B, id: "reader", identifiers: { yield_fn: 2 }, hooks: {} };
  const F: CatalogueEntry = { ...A, id: "flag", identifiers: {}, members: { "t.ready": 3 }, readBy: ["reader"], combos: [], paths: [] };
  const cat = [F, R];
  const sc = (h: Hunk) => scoreHunk(h, "x.c", 0, none, cat).total.slice(0, 2);
  const read = hunk({ ids: ["yield_fn", "t", "ready"], calls: ["yield_fn"], members: ["t.ready"] });
  const [flagRead, reader] = sc(read);
  close(flagRead!, 3 * ROLE.member * DEPENDENCY, "read");
  close(reader!, 2 * ROLE.call);
  assert.equal(decide(scoreHunk(read, "x.c", 0, none, cat), "", cat).mechanism, "reader");
  close(
    sc(hunk({ ids: ["yield_fn", "t", "ready"], calls: ["yield_fn"], members: ["t.ready"], written: ["t.ready"] }))[0]!,
    3 * ROLE.member,
    "written",
  );
  close(sc(hunk({ ids: ["t", "ready"], members: ["t.ready"] }))[0]!, 3 * ROLE.member, "no reader call");
});

test("a new condition over unchanged writes of a mechanism's member: half its role, mapping only with a second cue, and a guard", () => {
  const fn = (name: string) => ({ kind: "function" as const, name });
  // x.m (weight 2) written under the condition, in alpha's hook: 2 × member × guards + hook.
  const hooked = score(hunk({ guarded: ["x.m"], ids: ["flag"], scope: fn("hook_a") }));
  close(hooked.total[0]!, 2 * ROLE.member * ROLE.guards + 1.5);
  assert.equal(hooked.c.mechanism, "alpha");
  assert.equal(hooked.c.guard, true);
  assert.match(hooked.c.reason, /hooks hook_a/);
  // Alone it is below the threshold: a condition is weaker evidence than the writes themselves.
  const alone = score(hunk({ guarded: ["x.m"], ids: ["flag"] }));
  close(alone.total[0]!, 2 * ROLE.member * ROLE.guards);
  assert.equal(alone.c.mechanism, null);
  // A hunk whose own lines name the mechanism is that mechanism's code, not only its guard.
  const own = score(hunk({ guarded: ["x.m"], ids: ["a_id"], calls: ["a_id"], scope: fn("hook_a") }));
  assert.equal(own.c.mechanism, "alpha");
  assert.equal(own.c.guard, undefined);
  // A member the added lines touch as well counts once, as theirs.
  close(score(hunk({ guarded: ["x.m"], members: ["x.m"], written: ["x.m"] })).total[0]!, 2 * ROLE.member);
});

test("propagate: a guard lends its names to no other hunk of its patch", () => {
  const guard: Classification = { ...cls("alpha"), guard: true };
  const flagDef = { hunk: hunk({ defines: ["flag"], ids: ["flag"] }), file: "a.h", c: cls(null) };
  const rest = [{ hunk: hunk({ ids: ["flag"] }), file: "a.c", c: guard }, flagDef];
  propagate(rest, CAT);
  assert.equal(flagDef.c.mechanism, null);
  // The same hunk mapped on its own code does lend them.
  const flagDef2 = { hunk: hunk({ defines: ["flag"], ids: ["flag"] }), file: "a.h", c: cls(null) };
  propagate([{ hunk: hunk({ ids: ["flag"] }), file: "a.c", c: cls("alpha") }, flagDef2], CAT);
  assert.equal(flagDef2.c.mechanism, "alpha");
});

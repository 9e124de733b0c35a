/**
 * Action words (patch/classify.ts ACTION_WORD, PARAVIRT_AREA_CUE): a mechanism named inside
 * another architecture's or hypervisor's identifiers, counted below whole catalogue names and only
 * with a second cue. Hand-built hunks and a one-mechanism test catalogue; the expected values
 * follow from the constants, not from running the code.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { hunk } from "./hunk.helpers";
import type { CatalogueEntry } from "../../patch/catalogue";
import { ACTION_WORD, PARAVIRT_AREA_CUE, ROLE, SeriesDefinitions, THRESHOLD, decide, scoreHunk } from "../../patch/classify";
import { emptyPatch } from "../../patch/parse";

const Y: CatalogueEntry = {
  id: "yielder",
  label: "Y",
  patch: null,
  simulated: false,
  summary: "",
  identifiers: { whole_yield_name: 3 },
  actionWords: ["yield"],
};
const CAT = [Y];
const none = new SeriesDefinitions([]);
const score = (h: ReturnType<typeof hunk>, path: string, defs = none) => {
  const s = scoreHunk(h, path, 0, defs, CAT);
  return { total: s.total[0], c: decide(s, "", CAT) };
};
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

test("a called name holding an action word maps only in a paravirt area: smp_yield_cpu in arch/s390/kvm/", () => {
  const h = hunk({ ids: ["smp_yield_cpu"], calls: ["smp_yield_cpu"] });
  const kvm = score(h, "arch/s390/kvm/diag.c");
  close(kvm.total!, ACTION_WORD * ROLE.call + PARAVIRT_AREA_CUE);
  assert.equal(kvm.c.mechanism, "yielder");
  assert.match(kvm.c.reason, /"yield" in smp_yield_cpu/);
  // The same call in a driver: the word alone never reaches the threshold.
  const driver = score(h, "drivers/net/foo.c");
  close(driver.total!, ACTION_WORD * ROLE.call);
  assert.ok(driver.total! < THRESHOLD);
  assert.equal(driver.c.mechanism, null);
});

test("action words count once per mechanism, however many names hold them, and only as whole words", () => {
  const many = hunk({
    ids: ["a_yield", "b_yield", "c_yield"],
    defines: ["a_yield"],
    calls: ["b_yield", "c_yield"],
  });
  close(score(many, "drivers/x.c").total!, ACTION_WORD * ROLE.define);
  // `yielded`, `noyield`: not the word.
  assert.equal(score(hunk({ ids: ["yielded_x"], calls: ["yielded_x", "noyield"] }), "virt/kvm/kvm_main.c").total, 0);
  // Used, not defined or called (a variable): no action.
  assert.equal(score(hunk({ ids: ["yield_here"] }), "virt/kvm/kvm_main.c").total, 0);
});

test("a counter of the action is not the action: yield_count_of, yield_stats", () => {
  const h = hunk({ ids: ["yield_count_of", "yield_stats"], calls: ["yield_count_of", "yield_stats"] });
  assert.equal(score(h, "arch/powerpc/include/asm/paravirt.h").total, 0);
});

test("catalogue names score in full, not again as action words; another patch's called names are its evidence", () => {
  const h = hunk({ ids: ["whole_yield_name"], calls: ["whole_yield_name"] });
  close(score(h, "arch/x86/kvm/x86.c").total!, 3 * ROLE.call);
  const other = {
    ...emptyPatch(1),
    files: [{ oldPath: "f", newPath: "f", path: "f", line: 0, endLine: 0, binary: false, hunks: [hunk({ defines: ["ser_yield"] })] }],
  };
  const defs = new SeriesDefinitions([emptyPatch(0), other]);
  assert.equal(score(hunk({ ids: ["ser_yield"], calls: ["ser_yield"] }), "arch/x86/kvm/x86.c", defs).total, 0);
});

test("a mechanism of one side gets the area cue only there: a host's yield maps, a guest paravirt header's does not", () => {
  const host: CatalogueEntry = { ...Y, actionAreas: ["arch/*/kvm/*"] };
  const s = (path: string) => {
    const r = scoreHunk(hunk({ ids: ["yield_to_any"], defines: ["yield_to_any"] }), path, 0, none, [host]);
    return { total: r.total[0], c: decide(r, "", [host]) };
  };
  close(s("arch/s390/kvm/diag.c").total!, ACTION_WORD * ROLE.define + PARAVIRT_AREA_CUE);
  // arch/*/include/asm/paravirt* is in PARAVIRT_AREAS, but not in this mechanism's areas.
  close(s("arch/powerpc/include/asm/paravirt.h").total!, ACTION_WORD * ROLE.define);
  assert.equal(s("arch/powerpc/include/asm/paravirt.h").c.mechanism, null);
  // Without actionAreas, PARAVIRT_AREAS: the guest header gets the cue.
  close(
    score(hunk({ ids: ["yield_to_any"], defines: ["yield_to_any"] }), "arch/powerpc/include/asm/paravirt.h").total!,
    ACTION_WORD * ROLE.define + PARAVIRT_AREA_CUE,
  );
});

test("the function a hunk edits counts as called when it holds the action word: arm64's kvm_update_stolen_time", () => {
  const fn = (name: string) => ({ kind: "function" as const, name });
  // A fix inside a yield function of KVM host code, naming nothing else: the word + the area cue.
  const inside = score(hunk({ ids: ["base", "offset"], scope: fn("vcpu_yield_somewhere") }), "virt/kvm/kvm_main.c");
  close(inside.total!, ACTION_WORD * ROLE.call + PARAVIRT_AREA_CUE);
  assert.equal(inside.c.mechanism, "yielder");
  assert.match(inside.c.reason, /enclosing vcpu_yield_somewhere/);
  // Outside the mechanism's areas the word stays weak: the scheduler's own do_sched_yield.
  assert.equal(score(hunk({ ids: ["rq"], scope: fn("do_sched_yield") }), "kernel/sched/core.c").c.mechanism, null);
  // As for the inside rule: not when the hunk calls a function the series defines (a helper it
  // hooks in), nor when it defines the function itself (then the definition counts, once).
  const defs = new SeriesDefinitions([
    {
      ...emptyPatch(0),
      files: [
        {
          oldPath: "h",
          newPath: "h",
          path: "h",
          line: 0,
          endLine: 0,
          binary: false,
          hunks: [hunk({ defines: ["helper"], functions: ["helper"] })],
        },
      ],
    },
  ]);
  const calling = score(hunk({ ids: ["helper"], calls: ["helper"], scope: fn("vcpu_yield_somewhere") }), "virt/kvm/kvm_main.c", defs);
  assert.equal(calling.total, 0);
  close(
    score(
      hunk({ ids: ["vcpu_yield_somewhere"], defines: ["vcpu_yield_somewhere"], scope: fn("vcpu_yield_somewhere") }),
      "virt/kvm/kvm_main.c",
    ).total!,
    ACTION_WORD * ROLE.define + PARAVIRT_AREA_CUE,
  );
});

test("an enclosing name speaks for no mechanism when the added lines name another's code", () => {
  const Z: CatalogueEntry = { id: "other", label: "Z", patch: null, simulated: false, summary: "", identifiers: { other_fn: 1 } };
  const h = hunk({ ids: ["other_fn"], calls: ["other_fn"], scope: { kind: "function", name: "vcpu_yield_somewhere" } });
  const s = scoreHunk(h, "virt/kvm/kvm_main.c", 0, none, [Y, Z]);
  assert.equal(s.total[0], 0, "a switch check of another mechanism added inside a yield function is that mechanism's");
  close(s.total[1]!, 1 * ROLE.call);
});

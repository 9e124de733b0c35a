/**
 * patch/series.ts on hand-built hunks: which patches form a series, and how an unmapped hunk is
 * linked across its series' patches by the names they define and use. The expected mechanisms
 * follow from the links written here, not from running the code.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Classification } from "../../patch/classify";
import { propagateSeries, seriesOfPatches, type SeriesItem } from "../../patch/series";
import { hunk } from "./hunk.helpers";

const mapped = (mechanism: string): Classification => ({ mechanism, score: 3, scores: { [mechanism]: 3 }, reason: "code", via: "code" });
const unmapped = (): Classification => ({ mechanism: null, score: 0, scores: {}, reason: "unmapped", via: "none" });
const item = (patch: number, c: Classification, code: Parameters<typeof hunk>[0]): SeriesItem => ({ hunk: hunk(code), patch, c });
/** Two patches of one series. */
const ONE_SERIES = [0, 0];

test("series: consecutive patches n/m with the same m and rising n; unnumbered patches stand alone", () => {
  const p = (index: number | null, total: number | null) => ({ index, total });
  assert.deepEqual(seriesOfPatches([p(0, 3), p(1, 3), p(2, 3), p(3, 3)]), [0, 0, 0, 0]);
  // A second posting of the same shape starts again at 1; another total is another series.
  assert.deepEqual(seriesOfPatches([p(1, 2), p(2, 2), p(1, 2), p(2, 2), p(1, 4)]), [0, 0, 1, 1, 2]);
  assert.deepEqual(seriesOfPatches([p(null, null), p(null, null), p(1, 2)]), [0, 1, 2]);
});

test("a hunk using a constant that a mapped hunk of another patch defines takes its mechanism", () => {
  const def = item(0, mapped("steal_time"), { defines: ["FEAT_X"], ids: ["FEAT_X"] });
  const user = item(1, unmapped(), { ids: ["FEAT_X", "BIT"], calls: ["BIT"] });
  propagateSeries([def, user], ONE_SERIES);
  assert.equal(user.c.mechanism, "steal_time");
  assert.equal(user.c.via, "symbol");
  assert.match(user.c.reason, /FEAT_X/);
});

test("a hunk defining what mapped hunks of another patch use, or a prototype of a mapped function, takes theirs", () => {
  const abi = item(0, unmapped(), { defines: ["pv_state"], ids: ["pv_state"] });
  const proto = item(0, unmapped(), { defines: ["pv_init"], functions: ["pv_init"], ids: ["pv_init"] });
  const body = item(1, mapped("steal_time"), { defines: ["pv_init"], functions: ["pv_init"], ids: ["pv_init", "pv_state"] });
  propagateSeries([abi, proto, body], ONE_SERIES);
  assert.equal(abi.c.mechanism, "steal_time");
  assert.equal(proto.c.mechanism, "steal_time");
});

test("a function named without a call (an ops table entry) is a reference, not a link", () => {
  const fn = item(0, mapped("pv_spinlock"), { defines: ["f_wait"], functions: ["f_wait"], ids: ["f_wait"] });
  const table = item(1, unmapped(), { ids: ["f_wait", "ops"] });
  const caller = item(1, unmapped(), { ids: ["f_wait"], calls: ["f_wait"] });
  propagateSeries([fn, table, caller], ONE_SERIES);
  assert.equal(table.c.mechanism, null);
  assert.equal(caller.c.mechanism, "pv_spinlock");
});

test("links are followed in rounds to a fixed point: a chain of plumbing takes the mechanism of its end", () => {
  // uapi constant <- vm.c uses it and FEAT_X <- FEAT_X defined by a mapped hunk
  const attr = item(0, unmapped(), { defines: ["VM_ATTR"], ids: ["VM_ATTR"] });
  const vm = item(0, unmapped(), { ids: ["VM_ATTR", "FEAT_X"] });
  const feat = item(1, mapped("steal_time"), { defines: ["FEAT_X"], ids: ["FEAT_X"] });
  const other = item(1, unmapped(), { ids: ["VM_ATTR"] });
  propagateSeries([attr, vm, feat, other], ONE_SERIES);
  assert.deepEqual(
    [attr, vm, other].map((x) => x.c.mechanism),
    ["steal_time", "steal_time", "steal_time"],
  );
});

test("a tie between mechanisms decides nothing; other series are not linked; mapped hunks keep theirs", () => {
  const a = item(0, mapped("alpha"), { defines: ["A1"], ids: ["A1"] });
  const b = item(0, mapped("beta"), { defines: ["B1"], ids: ["B1"] });
  const both = item(1, unmapped(), { ids: ["A1", "B1"] });
  const own = item(1, mapped("gamma"), { ids: ["A1"] });
  propagateSeries([a, b, both, own], ONE_SERIES);
  assert.equal(both.c.mechanism, null);
  assert.equal(own.c.mechanism, "gamma");
  const def = item(0, mapped("steal_time"), { defines: ["FEAT_X"], ids: ["FEAT_X"] });
  const elsewhere = item(1, unmapped(), { ids: ["FEAT_X"] });
  propagateSeries([def, elsewhere], [0, 1]);
  assert.equal(elsewhere.c.mechanism, null);
});

test("a posting of one patch is left to patch/propagate.ts (its own rules within a patch)", () => {
  const def = item(0, mapped("steal_time"), { defines: ["FEAT_X"], ids: ["FEAT_X"] });
  const user = item(0, unmapped(), { ids: ["FEAT_X"] });
  propagateSeries([def, user], [0]);
  assert.equal(user.c.mechanism, null);
});

test("one hunk's answer counts once however far its links reach: two own-code hunks outweigh one echoed twice", () => {
  // alpha: A mapped on its own code; L1 and L2 take it from A (they use A_X), so they carry A.
  // beta: B and C mapped on their own code; K1 and K2 take it from them.
  // T uses what L1, L2, K1, K2 define: one hunk (A) against two (B, C), not two links against two.
  const a = item(0, mapped("alpha"), { defines: ["A_X"], ids: ["A_X"] });
  const l1 = item(1, unmapped(), { defines: ["N1"], ids: ["N1", "A_X"] });
  const l2 = item(1, unmapped(), { defines: ["N2"], ids: ["N2", "A_X"] });
  const b = item(0, mapped("beta"), { defines: ["B_Q"], ids: ["B_Q"] });
  const c = item(0, mapped("beta"), { defines: ["C_R"], ids: ["C_R"] });
  const k1 = item(1, unmapped(), { defines: ["P1"], ids: ["P1", "B_Q"] });
  const k2 = item(1, unmapped(), { defines: ["P2"], ids: ["P2", "C_R"] });
  const t = item(2, unmapped(), { ids: ["N1", "N2", "P1", "P2"] });
  propagateSeries([a, b, c, l1, l2, k1, k2, t], [0, 0, 0]);
  assert.deepEqual(
    [l1, l2, k1, k2].map((x) => x.c.mechanism),
    ["alpha", "alpha", "beta", "beta"],
  );
  assert.equal(t.c.mechanism, "beta");
  assert.match(t.c.reason, /to 2 hunk\(s\)/);
});

test("a function placed in a designated initializer of another patch (`.func = fn`) is a link", () => {
  const fn = item(0, mapped("directed_yield"), { defines: ["wrs_insn"], functions: ["wrs_insn"], ids: ["wrs_insn"] });
  const table = item(1, unmapped(), { ids: ["wrs_insn", "INSN_MASK_WRS"], initializes: ["wrs_insn"] });
  propagateSeries([fn, table], ONE_SERIES);
  assert.equal(table.c.mechanism, "directed_yield");
});

test("calling is not transitive: a caller of a linked helper, and what that helper defines, take nothing", () => {
  // set 8's shape: a mapped teardown function, a helper that calls it (and other teardown),
  // suspend code that calls the helper, and an init hunk that registers an ops struct the
  // helper's hunk defines.
  const teardown = item(0, mapped("steal_time"), { defines: ["st_disable"], functions: ["st_disable"], ids: ["st_disable"] });
  const helper = item(1, unmapped(), {
    defines: ["cpu_offline", "pv_syscore_ops"],
    functions: ["cpu_offline"],
    ids: ["cpu_offline", "pv_syscore_ops", "st_disable", "apf_disable"],
    calls: ["st_disable", "apf_disable"],
  });
  const suspend = item(1, unmapped(), { ids: ["cpu_offline"], calls: ["cpu_offline"] });
  const register = item(1, unmapped(), { ids: ["register_syscore_ops", "pv_syscore_ops"], calls: ["register_syscore_ops"] });
  propagateSeries([teardown, helper, suspend, register], ONE_SERIES);
  // The direct caller of the mechanism's function takes it, as a caller.
  assert.equal(helper.c.mechanism, "steal_time");
  assert.equal(helper.c.caller, true);
  assert.match(helper.c.reason, /calls st_disable/);
  // Two calls away, and the names the caller defines, carry nothing.
  assert.equal(suspend.c.mechanism, null);
  assert.equal(register.c.mechanism, null);
});

test("a caller linked later through data is the mechanism's own code, and passes it on", () => {
  // A helper that calls the mechanism's function and reads a member the series declares for it:
  // first linked by the call, then by the member once its declaration is mapped.
  const fn = item(0, mapped("directed_yield"), { defines: ["ipi_clear"], functions: ["ipi_clear"], ids: ["ipi_clear", "ipi_sender"] });
  const field = item(0, unmapped(), { defines: ["ipi_sender"], ids: ["ipi_sender"] });
  const helper = item(1, unmapped(), {
    defines: ["ipi_on_eoi"],
    functions: ["ipi_on_eoi"],
    ids: ["ipi_on_eoi", "ipi_clear", "ipi_sender"],
    calls: ["ipi_clear"],
  });
  const eoi = item(1, unmapped(), { ids: ["ipi_on_eoi"], calls: ["ipi_on_eoi"] });
  propagateSeries([fn, field, helper, eoi], ONE_SERIES);
  assert.equal(helper.c.mechanism, "directed_yield");
  assert.equal(helper.c.caller, undefined);
  assert.equal(eoi.c.mechanism, "directed_yield");
});

test("a caller still passes on the names it uses (the id of the table slot hooking a handler in)", () => {
  const handler = item(0, mapped("pv_spinlock"), { defines: ["kick_ext"], functions: ["kick_ext"], ids: ["kick_ext"] });
  const slot = item(1, unmapped(), { ids: ["EXT_KICK", "kick_ext"], calls: ["kick_ext"] });
  const uapi = item(1, unmapped(), { defines: ["EXT_KICK"], ids: ["EXT_KICK"] });
  propagateSeries([handler, slot, uapi], ONE_SERIES);
  assert.equal(slot.c.mechanism, "pv_spinlock");
  assert.equal(uapi.c.mechanism, "pv_spinlock");
});

test("a hunk its patch mapped as a caller passes on nothing it defines across the series", () => {
  const fn = item(0, mapped("steal_time"), { defines: ["st_disable"], functions: ["st_disable"], ids: ["st_disable"] });
  const helper = item(
    0,
    { ...mapped("steal_time"), via: "symbol", caller: true },
    {
      defines: ["cpu_offline"],
      functions: ["cpu_offline"],
      ids: ["cpu_offline", "st_disable"],
      calls: ["st_disable"],
    },
  );
  const suspend = item(1, unmapped(), { ids: ["cpu_offline"], calls: ["cpu_offline"] });
  propagateSeries([fn, helper, suspend], ONE_SERIES);
  assert.equal(suspend.c.mechanism, null);
});

test("a guard (mapped on the writes its new condition gates) links nothing: its names are the condition's inputs", () => {
  // Set 10: kvm_sched_out now tests wants_to_run before marking the vCPU ready; the run-ioctl
  // hunks of another patch that declare and set wants_to_run are not the ready boost.
  const guard = item(1, { ...mapped("ready_boost"), guard: true }, { ids: ["wants_to_run", "on_rq"] });
  const decl = item(0, unmapped(), { defines: ["wants_to_run"], ids: ["wants_to_run"] });
  const user = item(0, unmapped(), { ids: ["wants_to_run"] });
  propagateSeries([decl, user, guard], ONE_SERIES);
  assert.equal(decl.c.mechanism, null);
  assert.equal(user.c.mechanism, null);
  // Mapped on its own code, the same hunk would carry its mechanism to both.
  const own = item(1, mapped("ready_boost"), { ids: ["wants_to_run", "on_rq"] });
  const decl2 = item(0, unmapped(), { defines: ["wants_to_run"], ids: ["wants_to_run"] });
  propagateSeries([decl2, own], ONE_SERIES);
  assert.equal(decl2.c.mechanism, "ready_boost");
});

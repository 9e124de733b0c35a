/**
 * The series' modules one hook at a time on a stub vCPU (test/sim/pv-stub.ts): what each
 * mechanism's counter counts (the lenses' "not exercised here" reads them, issue 11), the
 * statistics of a boost, and the paths no whole-run scenario takes with every mechanism on.
 * Expected values follow from the v1 patches (test/fixtures/real/v1/), not from a run.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { onIrqEntry, onIrqExit } from "../../sim-core/pvsched/guest_irq_boost";
import { onEnqueue, onSchedule, onUserReturn, preemptDisabled } from "../../sim-core/pvsched/guest_sched_boost";
import { doPvSched } from "../../sim-core/pvsched/lazy_boost";
import { exceedsPreemptDisabled, updatePreemptDisabled } from "../../sim-core/pvsched/preempt_throttle";
import { setSched } from "../../sim-core/pvsched/set_sched";
import { applyDeferredBoost, boostFromIrqContext } from "../../sim-core/pvsched/setscheduler_irq";
import { recordBoostStatus, registerSharedMemory } from "../../sim-core/pvsched/shared_memory";
import {
  VCPU_BOOST_BOOSTED,
  VCPU_BOOST_DISABLED,
  VCPU_BOOST_NORMAL,
  VCPU_REQ_BOOST,
  VCPU_REQ_NONE,
  VCPU_REQ_UNBOOST,
} from "../../sim-core/pvsched/state";
import type { Task } from "../../sim-core/sched/task";
import { cfg, stub, task } from "./pv-stub";

const MS = 1_000_000;
const policies = (s: ReturnType<typeof stub>) => s.policies.map((p) => p.policy);

// ---- patch 3: the exit hook ----------------------------------------------------------------

test("patch 3: the exit hook counts the boost-status flips it makes, not the exits it sees", () => {
  const c = cfg();
  const s = stub();
  // Three exits with the guest asking for a boost: the first boosts, the others find it met.
  s.v.pv.boostReq = VCPU_REQ_BOOST;
  for (let i = 0; i < 3; i++) doPvSched(c, s.v, false);
  // Four with an unboost request: the first unboosts, the others find it met.
  s.v.pv.boostReq = VCPU_REQ_UNBOOST;
  for (let i = 0; i < 4; i++) doPvSched(c, s.v, false);
  assert.deepEqual(policies(s), ["rr", "other"]);
  assert.equal(c.counters.lazy_boost, 2, "one boost and one unboost in seven exits");
  assert.deepEqual(s.v.pv.boostsBy, { inject: 0, block: 0, exit: 1 }, "the boost is the exit hook's");
  assert.equal(s.v.pv.unboosts, 1);
});

test("patch 3 without patch 5: a request or a pending interrupt boosts on its own; neither, no boost", () => {
  const c = cfg(["preempt_throttle"]);
  const asked = stub();
  asked.v.pv.boostReq = VCPU_REQ_BOOST;
  doPvSched(c, asked.v, false);
  assert.equal(asked.v.pv.status, VCPU_BOOST_BOOSTED, "boost_req = BOOST alone");
  const pending = stub();
  pending.gcpu.irqPending = true;
  doPvSched(c, pending.v, false);
  assert.equal(pending.v.pv.status, VCPU_BOOST_BOOSTED, "a pending interrupt alone");
  const neither = stub();
  neither.v.pv.boostReq = VCPU_REQ_UNBOOST;
  doPvSched(c, neither.v, false);
  assert.notEqual(neither.v.pv.status, VCPU_BOOST_BOOSTED);
  assert.deepEqual(policies(neither), []);
});

// ---- patch 5 -------------------------------------------------------------------------------

test("patch 5: each exit whose boost the cap vetoes counts once, as the vCPU's throttles do", () => {
  const c = cfg();
  const s = stub();
  s.v.pv.boostReq = VCPU_REQ_BOOST;
  doPvSched(c, s.v, true); // preemption disabled first seen at 0: boosted, the cap starts
  s.now(3 * MS);
  doPvSched(c, s.v, true); // 3 ms later: vetoed, unboosted
  s.now(4 * MS);
  doPvSched(c, s.v, true); // still vetoed
  assert.deepEqual(policies(s), ["rr", "other"]);
  assert.equal(c.counters.preempt_throttle, 2);
  assert.equal(s.v.pv.throttles, 2);
  // No reason to boost: nothing to veto, nothing counted.
  s.v.pv.boostReq = VCPU_REQ_UNBOOST;
  s.now(5 * MS);
  doPvSched(c, s.v, true);
  assert.equal(c.counters.preempt_throttle, 2);
});

test("patch 5: pvsched_max_preempt_disabled_us = 0 turns the cap off", () => {
  const c = cfg([], { max_preempt_disabled_us: 0 });
  const s = stub();
  s.v.pv.boostReq = VCPU_REQ_BOOST;
  updatePreemptDisabled(s.v, true);
  s.now(1000 * MS);
  assert.equal(exceedsPreemptDisabled(c, s.v), false);
  doPvSched(c, s.v, true);
  assert.equal(s.v.pv.status, VCPU_BOOST_BOOSTED);
  assert.equal(s.v.pv.throttles, 0);
});

// ---- kvm_vcpu_set_sched() -------------------------------------------------------------------

test("set_sched: an unboost adds the boost's length to the boosted time and keeps the longest", () => {
  const c = cfg();
  const s = stub();
  const hold = (from: number, to: number) => {
    s.now(from * MS);
    setSched(c, s.v, true, "exit");
    assert.equal(s.v.task.boosted, true);
    s.now(to * MS);
    setSched(c, s.v, false, "exit");
    assert.equal(s.v.task.boosted, false);
  };
  hold(1, 3);
  assert.equal(s.v.pv.boostedNs, 2 * MS);
  assert.equal(s.v.pv.maxBoostNs, 2 * MS);
  hold(5, 6);
  assert.equal(s.v.pv.boostedNs, 3 * MS);
  assert.equal(s.v.pv.maxBoostNs, 2 * MS, "a shorter boost leaves the longest");
  hold(7, 10);
  assert.equal(s.v.pv.boostedNs, 6 * MS);
  assert.equal(s.v.pv.maxBoostNs, 3 * MS);
  assert.equal(s.v.pv.unboosts, 3);
});

test("patch 6: a disabled vCPU's boost is refused and counted; its unboost still goes through", () => {
  const c = cfg();
  const s = stub();
  setSched(c, s.v, true, "inject");
  assert.equal(c.counters.switches, 0, "an enabled vCPU's boost is not patch 6's business");
  // The VM is switched off while its vCPU is boosted (KVM_SET_PV_SCHED_ENABLED, 0).
  s.setVmPvEnabled(false);
  // `(!kvm_vcpu_sched_enabled(vcpu) && boost) || __can_ignore_set_sched()`: only a boost is refused.
  setSched(c, s.v, false, "exit");
  assert.deepEqual(policies(s), ["rr", "other"]);
  assert.equal(s.v.pv.status, VCPU_BOOST_DISABLED);
  assert.equal(c.counters.switches, 0);
  setSched(c, s.v, true, "inject");
  setSched(c, s.v, true, "block");
  assert.deepEqual(policies(s), ["rr", "other"], "boosts refused");
  assert.equal(c.counters.switches, 2);
  assert.equal(s.v.pv.boosts, 1);
});

test("without patch 6 the global key does not exist: the exit hook boosts with kvm_pv_sched off", () => {
  const c = cfg(["switches"], { global_enabled: false });
  const s = stub();
  s.v.pv.boostReq = VCPU_REQ_BOOST;
  doPvSched(c, s.v, false);
  assert.deepEqual(policies(s), ["rr"]);
  assert.equal(s.v.pv.status, VCPU_BOOST_BOOSTED);
});

// ---- patch 2 -------------------------------------------------------------------------------

test("without patch 2 the hrtimer's boost waits for the vCPU thread to run, once", () => {
  const c = cfg(["setscheduler_irq"]);
  const s = stub();
  assert.equal(boostFromIrqContext(c, s.v), 0, "no scheduler work in hard interrupt context");
  assert.deepEqual(policies(s), []);
  assert.equal(applyDeferredBoost(c, s.v), 1500, "sched_setscheduler() when the thread runs");
  assert.deepEqual(policies(s), ["rr"]);
  assert.deepEqual(s.v.pv.boostsBy, { inject: 1, block: 0, exit: 0 });
  assert.equal(c.counters.setscheduler_irq, 0);
  // Unboosted at an exit; the thread runs again with no new timer: nothing left to apply.
  s.v.pv.boostReq = VCPU_REQ_UNBOOST;
  doPvSched(c, s.v, false);
  assert.equal(applyDeferredBoost(c, s.v), 0);
  assert.deepEqual(policies(s), ["rr", "other"]);
});

test("with patch 2 the hrtimer's boost applies in interrupt context, and counts there", () => {
  const c = cfg();
  const s = stub();
  assert.equal(boostFromIrqContext(c, s.v), 1500);
  assert.deepEqual(policies(s), ["rr"]);
  assert.equal(c.counters.setscheduler_irq, 1);
  boostFromIrqContext(c, s.v);
  assert.equal(c.counters.setscheduler_irq, 1, "already boosted: ignored, not counted");
  assert.equal(applyDeferredBoost(c, s.v), 0, "nothing deferred");
});

// ---- patch 1 -------------------------------------------------------------------------------

test("patch 1: the guest's MSR write registers its area, one exit, and the next entry shows NORMAL", () => {
  const c = cfg();
  const s = stub();
  s.v.pv.registered = false;
  registerSharedMemory(c, s.v);
  assert.equal(s.v.pv.registered, true);
  assert.equal(s.v.exits.msr_other, 1);
  assert.equal(c.counters.shared_memory, 1);
  // kvm_set_vcpu_boosted(vcpu, false) raises KVM_REQ_VCPU_BOOST_UPDATE.
  recordBoostStatus(s.v);
  assert.equal(s.v.pv.guestStatus, VCPU_BOOST_NORMAL);
  const off = stub();
  off.v.pv.registered = false;
  const c0 = cfg(["shared_memory"]);
  registerSharedMemory(c0, off.v);
  assert.equal(off.v.pv.registered, false);
  assert.equal(off.v.exits.msr_other, 0);
  assert.equal(c0.counters.shared_memory, 0);
});

// ---- patch 7 -------------------------------------------------------------------------------

test("patch 7: each boost request and each unboost the guest scheduler writes counts once", () => {
  const c = cfg();
  const s = stub();
  onSchedule(c, s.v, task({ isRt: true }) as Task);
  onSchedule(c, s.v, task({}) as Task);
  onSchedule(c, s.v, null);
  assert.equal(c.counters.guest_sched_boost, 2, "the idle task writes nothing");
  assert.equal(s.v.pv.boostReq, VCPU_REQ_UNBOOST);
  onEnqueue(c, s.v, task({}) as Task);
  assert.equal(s.v.pv.boostReq, VCPU_REQ_UNBOOST, "a fair task's enqueue asks nothing");
  onEnqueue(c, s.v, task({ isRt: true }) as Task);
  assert.equal(s.v.pv.boostReq, VCPU_REQ_BOOST, "an RT task's enqueue asks for a boost");
  assert.equal(c.counters.guest_sched_boost, 3);
  onUserReturn(c, s.v, task({ isRt: true }) as Task);
  assert.equal(c.counters.guest_sched_boost, 3);
  onUserReturn(c, s.v, task({}) as Task);
  assert.equal(c.counters.guest_sched_boost, 4);
});

test("without patch 7 the guest scheduler writes nothing and shows no preempt_disabled", () => {
  const c = cfg(["guest_sched_boost"]);
  const s = stub();
  onEnqueue(c, s.v, task({ isRt: true }) as Task);
  onSchedule(c, s.v, task({ isRt: true }) as Task);
  s.v.pv.guestStatus = VCPU_BOOST_BOOSTED;
  onUserReturn(c, s.v, task({}) as Task);
  assert.equal(s.v.pv.boostReq, VCPU_REQ_NONE);
  assert.deepEqual(s.exits, []);
  assert.equal(c.counters.guest_sched_boost, 0);
  s.gcpu.curr = null; // the idle loop: preempt_count() != 0, but nobody writes schedinfo
  assert.equal(preemptDisabled(c, s.v), false);
});

// ---- patch 8 and the synchronous unboost ------------------------------------------------------

test("patch 8: the irq entry's request and the exit's unboost count once each; a deferred exit not", () => {
  const c = cfg();
  const s = stub();
  s.v.pv.guestStatus = VCPU_BOOST_BOOSTED;
  s.gcpu.curr = task({});
  onIrqEntry(c, s.v);
  assert.equal(c.counters.guest_irq_boost, 1);
  s.gcpu.needResched = true;
  onIrqExit(c, s.v);
  assert.equal(c.counters.guest_irq_boost, 1, "a reschedule is due: the scheduler decides");
  s.gcpu.needResched = false;
  onIrqExit(c, s.v);
  assert.equal(c.counters.guest_irq_boost, 2);
  assert.deepEqual(s.exits, ["msr_unboost"]);
  assert.equal(c.counters.sync_unboost, 1, "one synchronous unboost, one MSR exit");
});

test("without patch 8 an interrupt neither asks for a boost nor unboosts", () => {
  const c = cfg(["guest_irq_boost"]);
  const s = stub();
  s.v.pv.guestStatus = VCPU_BOOST_BOOSTED;
  s.gcpu.curr = task({});
  onIrqEntry(c, s.v);
  onIrqExit(c, s.v);
  assert.equal(s.v.pv.boostReq, VCPU_REQ_NONE);
  assert.deepEqual(s.exits, []);
  assert.equal(c.counters.guest_irq_boost, 0);
  assert.equal(c.counters.sync_unboost, 0);
});

/**
 * The v1 series as posted (kvm list, Dec 2023, Message-IDs 20231214024727.3503870-2..9), one
 * test per behaviour where the posted code differs from a cleaned-up reading of the cover
 * letter. The decision logic is tested on a stub vCPU (exact), the consequences on small runs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ModeSpec, type Scenario, simulate } from "../../sim-core/index";
import { onIrqEntry, onIrqExit } from "../../sim-core/pvsched/guest_irq_boost";
import { onSchedule, onUserReturn, preemptDisabled } from "../../sim-core/pvsched/guest_sched_boost";
import { doPvSched } from "../../sim-core/pvsched/lazy_boost";
import { exceedsPreemptDisabled, updatePreemptDisabled } from "../../sim-core/pvsched/preempt_throttle";
import { setSched } from "../../sim-core/pvsched/set_sched";
import { VCPU_BOOST_BOOSTED, VCPU_REQ_BOOST, VCPU_REQ_UNBOOST } from "../../sim-core/pvsched/state";
import type { MechanismId } from "../../sim-core/scenario";
import type { Task } from "../../sim-core/sched/task";
import { cfg, stub, task } from "./pv-stub";

// ---- patch 3: the exit hook --------------------------------------------------------------

test("patch 3: every full exit re-evaluates: boost on a request or a pending interrupt, else unboost", () => {
  const c = cfg();
  const s = stub();
  s.v.pv.boostReq = VCPU_REQ_BOOST;
  doPvSched(c, s.v, false);
  assert.equal(s.v.pv.status, VCPU_BOOST_BOOSTED);
  s.v.pv.boostReq = VCPU_REQ_UNBOOST;
  s.gcpu.irqPending = true;
  doPvSched(c, s.v, false);
  assert.equal(s.v.pv.status, VCPU_BOOST_BOOSTED, "a pending interrupt keeps the boost");
  s.gcpu.irqPending = false;
  doPvSched(c, s.v, false);
  assert.notEqual(s.v.pv.status, VCPU_BOOST_BOOSTED, "no reason left: unboosted at the exit");
  assert.deepEqual(
    s.policies.map((p) => p.policy),
    ["rr", "other"],
  );
});

test("patch 3: the host never clears boost_req; the guest's last request stands at every exit", () => {
  const c = cfg();
  const s = stub();
  s.v.pv.boostReq = VCPU_REQ_BOOST;
  for (let i = 0; i < 5; i++) doPvSched(c, s.v, false);
  assert.equal(s.v.pv.boostReq, VCPU_REQ_BOOST);
  assert.equal(s.v.pv.status, VCPU_BOOST_BOOSTED);
  assert.equal(s.policies.length, 1, "boosted once, then the request is ignored as already met");
});

test("patch 3 without patch 5: preemption disabled alone is a reason to boost", () => {
  const s = stub();
  doPvSched(cfg(["preempt_throttle"]), s.v, true);
  assert.equal(s.v.pv.status, VCPU_BOOST_BOOSTED);
  const t = stub();
  doPvSched(cfg(), t.v, true);
  assert.notEqual(t.v.pv.status, VCPU_BOOST_BOOSTED, "with patch 5, preempt_disabled only times the cap");
});

// ---- patch 5 -----------------------------------------------------------------------------

test("patch 5: the cap counts from when the host first sees preemption disabled at an exit", () => {
  const c = cfg();
  const s = stub();
  s.now(1_000_000);
  updatePreemptDisabled(s.v, true);
  s.now(3_000_000);
  updatePreemptDisabled(s.v, true); // seen again: the timestamp does not move
  s.now(3_999_999);
  assert.equal(exceedsPreemptDisabled(c, s.v), false);
  s.now(4_000_000);
  assert.equal(exceedsPreemptDisabled(c, s.v), true, "3 ms after it was first seen");
  updatePreemptDisabled(s.v, false);
  assert.equal(exceedsPreemptDisabled(c, s.v), false);
});

test("patch 5: while the cap is exceeded every boost reason is refused at exits, a pending interrupt included", () => {
  const c = cfg();
  const s = stub();
  s.v.pv.boostReq = VCPU_REQ_BOOST;
  s.now(0);
  doPvSched(c, s.v, true);
  assert.equal(s.v.pv.status, VCPU_BOOST_BOOSTED);
  s.now(3_500_000);
  s.gcpu.irqPending = true;
  doPvSched(c, s.v, true);
  assert.notEqual(s.v.pv.status, VCPU_BOOST_BOOSTED);
  assert.equal(s.v.pv.throttles, 1);
});

test("the guest idle loop counts as preempt-disabled; a user task does not; an irq does", () => {
  const c = cfg();
  const s = stub();
  s.gcpu.curr = null;
  assert.equal(preemptDisabled(c, s.v), true);
  s.gcpu.curr = task({});
  assert.equal(preemptDisabled(c, s.v), false);
  s.gcpu.inIrq = true;
  assert.equal(preemptDisabled(c, s.v), true);
  s.gcpu.inIrq = false;
  s.gcpu.curr = task({ preemptDisabled: true });
  assert.equal(preemptDisabled(c, s.v), true);
});

// ---- patch 7 -----------------------------------------------------------------------------

test("patch 7: __schedule asks for a boost for an RT task and unboosts lazily for a fair one, never synchronously", () => {
  const c = cfg();
  const s = stub();
  s.v.pv.guestStatus = VCPU_BOOST_BOOSTED;
  onSchedule(c, s.v, task({ isRt: true }) as Task);
  assert.equal(s.v.pv.boostReq, VCPU_REQ_BOOST);
  onSchedule(c, s.v, task({}) as Task);
  assert.equal(s.v.pv.boostReq, VCPU_REQ_UNBOOST);
  onSchedule(c, s.v, null);
  assert.equal(s.v.pv.boostReq, VCPU_REQ_UNBOOST, "the idle task writes nothing");
  assert.deepEqual(s.exits, [], "preempt_count() is never 0 in __schedule");
});

test("patch 7: the return to user mode unboosts synchronously, only when the guest sees itself boosted, never for RT", () => {
  const c = cfg();
  const s = stub();
  onUserReturn(c, s.v, task({}) as Task);
  assert.deepEqual(s.exits, [], "not boosted (as the guest sees it): lazy only");
  s.v.pv.guestStatus = VCPU_BOOST_BOOSTED;
  onUserReturn(c, s.v, task({ isRt: true }) as Task);
  assert.deepEqual(s.exits, []);
  onUserReturn(c, s.v, task({}) as Task);
  assert.deepEqual(s.exits, ["msr_unboost"]);
  const lazy = stub();
  lazy.v.pv.guestStatus = VCPU_BOOST_BOOSTED;
  onUserReturn(cfg(["sync_unboost"]), lazy.v, task({}) as Task);
  assert.deepEqual(lazy.exits, [], "without the synchronous unboost the request waits");
  assert.equal(lazy.v.pv.boostReq, VCPU_REQ_UNBOOST);
});

// ---- patch 8 -----------------------------------------------------------------------------

test("patch 8: irq entry writes BOOST unconditionally; the exit unboosts unless a reschedule is due or current is RT", () => {
  const c = cfg();
  const s = stub();
  s.v.pv.guestStatus = VCPU_BOOST_BOOSTED;
  s.v.pv.boostReq = VCPU_REQ_UNBOOST;
  onIrqEntry(c, s.v);
  assert.equal(s.v.pv.boostReq, VCPU_REQ_BOOST, "even when the guest already sees itself boosted");
  s.gcpu.needResched = true;
  s.gcpu.curr = task({});
  onIrqExit(c, s.v);
  assert.equal(s.v.pv.boostReq, VCPU_REQ_BOOST, "a reschedule is due: the scheduler decides");
  s.gcpu.needResched = false;
  s.gcpu.curr = task({ isRt: true });
  onIrqExit(c, s.v);
  assert.equal(s.v.pv.boostReq, VCPU_REQ_BOOST, "the interrupted task is RT");
  s.gcpu.curr = task({ preemptDisabled: true });
  onIrqExit(c, s.v);
  assert.equal(s.v.pv.boostReq, VCPU_REQ_UNBOOST);
  assert.deepEqual(s.exits, [], "returning into a preempt-disabled section: lazy");
  s.gcpu.curr = null;
  onIrqExit(c, s.v);
  assert.deepEqual(s.exits, [], "returning into the idle loop: lazy");
  s.gcpu.curr = task({});
  onIrqExit(c, s.v);
  assert.deepEqual(s.exits, ["msr_unboost"], "returning into a preemptible user task: synchronous");
});

// ---- the unboost keeps the thread's nice ---------------------------------------------------

test("the unboost keeps the vCPU thread's nice (_sched_setscheduler fills it from static_prio)", () => {
  const c = cfg();
  const s = stub(19);
  setSched(c, s.v, true, "exit");
  setSched(c, s.v, false, "exit");
  assert.deepEqual(s.policies, [
    { policy: "rr", prio: 8, nice: 19 },
    { policy: "other", prio: 0, nice: 19 },
  ]);
});

// ---- consequences in whole runs --------------------------------------------------------------

/** A 1-CPU host with a hog and a 1-vCPU guest whose cyclictest (SCHED_OTHER) sleeps 500 us. */
function busy(extra: Partial<Scenario> = {}): Scenario {
  return {
    name: "v1",
    duration_s: 1,
    seed: 5,
    host: { cpus: 1, workloads: [{ kind: "stress", workers: 1 }] },
    vms: [{ name: "vm", vcpus: 1, workloads: [{ kind: "cyclictest", id: "ct", interval_us: 500 }] }],
    ...extra,
  };
}
const dyn = (off: MechanismId[] = []): ModeSpec => ({ mode: "dynamic", mechanisms: Object.fromEntries(off.map((id) => [id, false])) });

test("patch 4: every vCPU that blocks in HLT is boosted before it sleeps", () => {
  const d = simulate(busy(), "dynamic");
  const v = d.vcpus[0]!;
  assert.ok(v.boosts_by.block > 1000, `block boosts ${v.boosts_by.block}`);
  assert.ok(v.boosts_by.block >= v.exits.hlt * 0.9, `${v.boosts_by.block} block boosts for ${v.exits.hlt} HLT exits`);
  const off = simulate(busy(), dyn(["boost_on_block"]));
  assert.equal(off.vcpus[0]!.boosts_by.block, 0);
});

test("patch 7 in a run: each wake-up of a user task returns to user mode boosted, one MSR exit; a kernel thread never does", () => {
  const d = simulate(busy(), "dynamic");
  const v = d.vcpus[0]!;
  const samples = d.probes.find((p) => p.id === "ct")!.latency.count;
  assert.ok(v.exits.msr_unboost > samples * 0.9, `${v.exits.msr_unboost} MSR unboosts for ${samples} wake-ups`);
  const k = busy();
  k.vms![0]!.workloads = [{ kind: "cyclictest", id: "ct", interval_us: 500, kthread: true }];
  const kd = simulate(k, "dynamic");
  assert.equal(kd.vcpus[0]!.exits.msr_unboost, 0);
  assert.ok(kd.vcpus[0]!.unboosts > 1000, "a kernel thread's vCPU is unboosted lazily, at exits");
});

test("a running vCPU's preemption-timer expiry is a fastpath: no exit hook, so no boost for the pending timer", () => {
  // The guest spins (never halts) beside a host hog: its timers fire while it runs in guest
  // mode. Were they full exits, the pending timer would boost the vCPU at each one.
  const s: Scenario = {
    name: "fastpath",
    duration_s: 1,
    seed: 2,
    host: { cpus: 1, workloads: [{ kind: "stress", workers: 1 }] },
    vms: [
      {
        name: "vm",
        vcpus: 1,
        workloads: [
          { kind: "spin", cpu: 0 },
          { kind: "cyclictest", id: "ct", interval_us: 1000, cpu: 0 },
        ],
      },
    ],
  };
  const d = simulate(s, "dynamic");
  const v = d.vcpus[0]!;
  assert.ok(v.exits.timer > 100, `timer exits ${v.exits.timer}`);
  assert.ok(v.boosts_by.exit < v.exits.timer / 10, `${v.boosts_by.exit} exit boosts for ${v.exits.timer} timer exits`);
});

test("the unboost keeps nice 19: a host job keeps its share against a boosted-then-unboosted nice-19 vCPU", () => {
  const s: Scenario = {
    name: "nice",
    duration_s: 2,
    seed: 4,
    host: { cpus: 1, workloads: [{ kind: "stress", workers: 1, id: "host-hog" }] },
    vms: [{ name: "vm", vcpus: 1, vcpu_nice: 19, guest: { irq: { nmi_hz: 1000 } }, workloads: [{ kind: "stress", workers: 1 }] }],
  };
  const d = simulate(s, "dynamic");
  const hog = d.threads.find((t) => t.name === "host-hog.0")!;
  assert.ok(d.vcpus[0]!.boosts > 100, `boosts ${d.vcpus[0]!.boosts}`);
  assert.ok(hog.runtime_ns > 0.85 * d.simulated_ns, `host hog got ${(hog.runtime_ns / d.simulated_ns).toFixed(2)} of the CPU`);
});

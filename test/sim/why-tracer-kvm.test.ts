/**
 * The latency tracer (sim-core/why.ts) on a guest sample: the vCPU's state in KVM as each step
 * names it (halted in kvm_vcpu_block, halt-polling, an exit handled when the thread was
 * preempted, a switch overhead cut by an interrupt), the series' request and boost, and the lead
 * of the fair pick on the run queue that has it (vruntime for CFS, the deadline for EEVDF; none
 * across cgroups or against an RT thread). Worlds of test/sim/why-traced.ts; expected values come
 * from the construction (constant costs at their medians, blockers of known work) or, for a lead,
 * from the two entities' fields at the instant the step covers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { hog, MS, US } from "./world";
import { burst, guestTimer, HRTIMER, SWITCH, type Traced, traced, worst } from "./why-traced";
import { cfg } from "./pv-stub";
import { fmtDur } from "../../sim-core/why-chain";
import { chainText } from "../../sim-core/why-labels";
import { setSched } from "../../sim-core/pvsched/set_sched";
import { VCPU_REQ_BOOST, VCPU_REQ_UNBOOST } from "../../sim-core/pvsched/state";
import type { Vcpu } from "../../sim-core/kvm/vcpu";
import { Task } from "../../sim-core/sched/task";

const T = 2 * MS;

/** The chain of a guest FIFO thread woken on a halted vCPU, up to the host switch to the vCPU thread. */
const HALTED_HEAD =
  "timer expired at 0.002000 s → interrupt work on CPU 0 while vm/vcpu0 is halted in kvm_vcpu_block → host context switch to vm/vcpu0 on CPU 0 (with its cache refill) at +1.5 us";

test("an event in the middle of the host switch to a vCPU thread adds no step; an interrupt there splits the switch", () => {
  const base = traced(1, 1);
  guestTimer(base, [T]);
  base.w.runTo(3 * MS);
  const plain = worst(base);
  // The switch to the vCPU thread (SWITCH and its cache refill) runs from +1.5 us to the entry at +2.7 us.
  assert.ok(chainText(plain.chain).startsWith(`${HALTED_HEAD} → VM entry of vm/vcpu0 on CPU 0 at +2.7 us → `));

  const quiet = traced(1, 1);
  guestTimer(quiet, [T]);
  quiet.w.eng.at(T + 2 * US, () => {});
  quiet.w.runTo(3 * MS);
  assert.deepEqual(worst(quiet), plain);

  // A 1 us host interrupt at +2.0 us: 0.5 us of the switch paid, the rest (0.7 us) after it.
  const x = traced(1, 1);
  guestTimer(x, [T]);
  x.w.eng.at(T + 2 * US, () => x.w.host.cpus[0]!.raiseIrq(1 * US, () => {}));
  x.w.runTo(3 * MS);
  const w = worst(x);
  assert.equal(w.parts_ns.host_irq, plain.parts_ns.host_irq + 1 * US);
  assert.equal(w.parts_ns.context_switch, plain.parts_ns.context_switch);
  assert.equal(w.latency_ns, plain.latency_ns + 1 * US);
  assert.ok(
    chainText(w.chain).startsWith(
      `${HALTED_HEAD} → interrupt work on CPU 0 while vm/vcpu0 is out of guest mode at +2.0 us → host context switch to vm/vcpu0 on CPU 0 (with its cache refill) at +3.0 us → VM entry of vm/vcpu0 on CPU 0 at +3.7 us → `,
    ),
    chainText(w.chain),
  );
});

test("a halted vCPU kicked while a host FIFO thread runs: woken and runnable behind it, not preempted (the kick came)", () => {
  const x = traced(1, 1);
  burst(x.w, "blocker", T - 10 * US, 100 * US);
  guestTimer(x, [T]);
  x.w.runTo(3 * MS);
  // The blocker is done at T - 10 us + SWITCH + 100 us + HRTIMER (the LAPIC timer's host interrupt).
  const done = T - 10 * US + SWITCH + 100 * US + HRTIMER;
  const w = worst(x);
  assert.equal(w.parts_ns.host_wait, done - T - HRTIMER);
  assert.ok(
    chainText(w.chain).startsWith(
      "timer expired at 0.002000 s → interrupt work on CPU 0 while vm/vcpu0 is halted in kvm_vcpu_block → vm/vcpu0 woken, runnable on CPU 0 by blocker (FIFO 60) at +1.5 us → host context switch to vm/vcpu0 on CPU 0 (with its cache refill) at +92.7 us → ",
    ),
    chainText(w.chain),
  );
});

test("a vCPU thread preempted while KVM handles its exit: the exit named, then finished before the entry", () => {
  const x = traced(1, 1);
  const gh = hog("g-hog");
  x.w.guest!.addTask(gh, 0);
  x.w.guest!.wake(gh);
  // A host interrupt makes the vCPU exit (EXTERNAL_INTERRUPT); its handler wakes a FIFO thread,
  // which preempts the vCPU thread in the middle of handling that exit.
  const b = new Task("blocker", { burstEnd: (me) => me.cpu!.sleepCurr() }, "fifo", 60);
  b.newTask = false;
  x.w.host.addTask(b, 0, undefined);
  x.w.eng.at(T - 10 * US, () => {
    const c = x.w.host.cpus[0]!;
    c.hooks.beforeIrq?.(c);
    c.raiseIrq(1 * US, () => {
      b.remaining = 100 * US;
      x.w.host.wakeTask(b);
    });
  });
  guestTimer(x, [T]);
  x.w.runTo(3 * MS);
  const text = chainText(worst(x).chain);
  assert.ok(
    text.startsWith(
      "timer expired at 0.002000 s → vm/vcpu0 preempted on CPU 0 by blocker (FIFO 60), in KVM handling its VM exit EXTERNAL_INTERRUPT → no kick, because it is the preemption timer of a preempted vCPU (it fires only in guest mode) → host context switch to vm/vcpu0 on CPU 0 (with its cache refill) at ",
    ),
    text,
  );
  assert.match(text, / → VM exit EXTERNAL_INTERRUPT of vm\/vcpu0 on CPU 0 at \+[0-9.]+ us → VM entry of vm\/vcpu0 on CPU 0 at /);
});

const POLL = { maxNs: 200 * US, grow: 2, growStart: 100 * US, shrink: 0 };

test("a fair guest thread's slack while its vCPU halt-polls: halt-polling, then the LAPIC timer's host interrupt out of guest mode", () => {
  // Samples at 2.0, 2.1 and 2.2 ms; only the last is kept (warm-up to 2.2 ms). The second halt
  // (about 90 us) ends within halt_poll_ns: the window grows to 100 us, and the third halt
  // polls through the guest's 50 us of timer slack.
  const x = traced(1, 1, false, 2.2 * MS, { poll: POLL });
  guestTimer(x, [2 * MS, 2.1 * MS, 2.2 * MS], 10 * US, { policy: "other", prio: 0 });
  x.w.runTo(3 * MS);
  assert.equal(x.probe.result().latency.count, 1);
  const w = worst(x);
  assert.equal(w.parts_ns.exit_entry > 50 * US, true);
  assert.equal(w.parts_ns.host_irq, HRTIMER);
  assert.equal(w.parts_ns.timer + w.parts_ns.host_wait, 0);
  const text = chainText(w.chain);
  assert.ok(
    text.startsWith(
      "timer expired at 0.002200 s → vm/vcpu0 halt-polling on CPU 0 → interrupt work on CPU 0 while vm/vcpu0 is out of guest mode at +50.0 us → VM entry of vm/vcpu0 on CPU 0 at +51.5 us → guest interrupt handler on vm/vcpu0 at ",
    ),
    text,
  );
});

/** KVM's hooks of the series, doing nothing but kvm_vcpu_block()'s, which costs `blockNs`. */
function blockingHooks(v: Vcpu, blockNs: number): void {
  v.pvHooks = { onExit: () => 0, onKick: () => 0, onBlock: () => blockNs, onRun: () => 0 };
}

test("a vCPU in kvm_vcpu_block before it sleeps (the series' work there) is halted: the interrupt, then a wakeup", () => {
  // The thread runs at about 2.007 ms and sleeps 10 us later; the HLT exit, then 100 us in
  // kvm_vcpu_block: the next expiry, 2.05 ms, falls there.
  const at = 2.05 * MS;
  const x = traced(1, 1, false, at);
  blockingHooks(x.w.vcpus[0]!, 100 * US);
  guestTimer(x, [T, at]);
  let mode = "";
  x.w.eng.at(at, () => {
    mode = x.w.vcpus[0]!.mode;
  });
  x.w.runTo(3 * MS);
  assert.equal(mode, "blocking");
  assert.ok(
    chainText(worst(x).chain).startsWith(
      "timer expired at 0.002050 s → interrupt work on CPU 0 while vm/vcpu0 is halted in kvm_vcpu_block → ",
    ),
    chainText(worst(x).chain),
  );
});

test("a vCPU thread preempted in kvm_vcpu_block is not a preempted vCPU: it is woken and waits, no 'no kick'", () => {
  const at = 2.05 * MS;
  const x = traced(1, 1, false, at);
  blockingHooks(x.w.vcpus[0]!, 100 * US);
  guestTimer(x, [T, at]);
  // A FIFO thread preempts the vCPU thread in kvm_vcpu_block, 10 us before the expiry.
  burst(x.w, "blocker", at - 10 * US, 100 * US);
  let mode = "";
  x.w.eng.at(at, () => {
    mode = x.w.vcpus[0]!.mode;
  });
  x.w.runTo(3 * MS);
  assert.equal(mode, "blocking");
  const text = chainText(worst(x).chain);
  assert.ok(text.startsWith("timer expired at 0.002050 s → vm/vcpu0 woken, runnable on CPU 0 by blocker (FIFO 60) → "), text);
  assert.doesNotMatch(text, /no kick/);
});

test("the series' request pending in shared memory, then the boost while still behind a higher RT thread", () => {
  const x = traced(1, 1);
  const v = x.w.vcpus[0]!;
  const gh = hog("g-hog");
  x.w.guest!.addTask(gh, 0);
  x.w.guest!.wake(gh);
  // The guest asks for a boost (patch 1's shared memory); no exit hook runs here to see it.
  x.w.eng.at(1 * MS, () => {
    v.pv.registered = true;
    v.pv.boostReq = VCPU_REQ_BOOST;
  });
  burst(x.w, "blocker", T - 10 * US, 100 * US);
  // The host boosts the vCPU thread (SCHED_RR 8, the v1 default) 20 us after the expiry: below FIFO 60.
  x.w.eng.at(T + 20 * US, () => setSched(cfg(), v, true, "exit"));
  guestTimer(x, [T]);
  x.w.runTo(3 * MS);
  const text = chainText(worst(x).chain);
  assert.ok(
    text.startsWith(
      "timer expired at 0.002000 s → vm/vcpu0 preempted on CPU 0 by blocker (FIFO 60); boost requested in shared memory, not seen by the host yet → no kick, because it is the preemption timer of a preempted vCPU (it fires only in guest mode) → vCPU thread boosted to RR 8, still behind blocker (FIFO 60) at +20.0 us → host context switch to vm/vcpu0 on CPU 0 (with its cache refill) at ",
    ),
    text,
  );
  assert.match(text, / → VM entry of vm\/vcpu0 on CPU 0, vCPU thread boosted \(RR 8\) at /);
});

test("a request counts only in a registered vCPU's shared memory, and only a boost request", () => {
  for (const [registered, req] of [
    [true, VCPU_REQ_UNBOOST],
    [false, VCPU_REQ_BOOST],
  ] as const) {
    const x = traced(1, 1);
    const v = x.w.vcpus[0]!;
    const gh = hog("g-hog");
    x.w.guest!.addTask(gh, 0);
    x.w.guest!.wake(gh);
    v.pv.registered = registered;
    v.pv.boostReq = req;
    burst(x.w, "blocker", T - 10 * US, 100 * US);
    guestTimer(x, [T]);
    x.w.runTo(3 * MS);
    const text = chainText(worst(x).chain);
    assert.ok(
      text.startsWith(
        "timer expired at 0.002000 s → vm/vcpu0 preempted on CPU 0 by blocker (FIFO 60) → no kick, because it is the preemption timer of a preempted vCPU (it fires only in guest mode) → host context switch",
      ),
      text,
    );
  }
});

test("a boosted vCPU thread throttled (RT runtime used up) behind a CFS hog: no lead, the fair pick does not decide", () => {
  // RT throttling at 5 ms of each 10 ms period; the vCPU thread boosted at 1 ms runs its guest
  // hog as SCHED_RR 8 until the tick finds the runtime used up, and waits for the next period (10 ms).
  const x = traced(1, 1, false, 0, { sched: { rt_period_us: 10_000, rt_runtime_us: 5_000 } });
  const v = x.w.vcpus[0]!;
  const gh = hog("g-hog");
  x.w.guest!.addTask(gh, 0);
  x.w.guest!.wake(gh);
  const h = hog("h");
  x.w.host.addTask(h, 0, undefined);
  x.w.host.wakeTask(h);
  v.pv.registered = true;
  x.w.eng.at(1 * MS, () => setSched(cfg(), v, true, "exit"));
  guestTimer(x, [8 * MS]);
  x.w.runTo(30 * MS);
  const w = worst(x);
  assert.ok(w.run_ns > 10 * MS);
  assert.match(
    chainText(w.chain),
    / → vm\/vcpu0 preempted on CPU 0 by h \(CFS\), in KVM handling its VM exit EXTERNAL_INTERRUPT, vCPU thread boosted \(RR 8\) at /,
  );
});

/**
 * Records, at each instant the engine moves to (before the tracer integrates the time since the
 * last one), the waiter's lead over the runner in what the fair pick compares: the expected
 * lead of a step that starts at `t` is the one seen at the first instant after `t`.
 */
function leads(x: Traced, lead: () => number): (t: number) => number {
  const seen: [number, number][] = [];
  const f = x.w.eng.onAdvance!;
  x.w.eng.onAdvance = (t) => {
    seen.push([t, lead()]);
    f(t);
  };
  return (t) => seen.find(([s]) => s > t)![1];
}

/** The first step of `chain` whose text matches `re`. */
function stepOf(w: { chain: { t_ns: number; text: string }[] }, re: RegExp): { t_ns: number; text: string } {
  const s = w.chain.find((l) => re.test(l.text));
  assert.ok(s, `no step ${re} in ${chainText(w.chain as never)}`);
  return s;
}

test("guest wait behind a guest fair task: the guest's fair class (EEVDF on a CFS host) and the thread's own deadline lead", () => {
  const x = traced(1, 1, false, 0, { guestSched: { fair: "eevdf" } });
  const gh = hog("g-hog");
  x.w.guest!.addTask(gh, 0);
  x.w.guest!.wake(gh);
  const ct = guestTimer(x, [T, 6 * MS], 10 * US, { policy: "other", prio: 0 });
  const lead = leads(x, () => ct.se.deadline - gh.se.deadline);
  x.w.runTo(10 * MS);
  const w = worst(x);
  assert.ok(w.parts_ns.guest_wait > 0);
  const s = stepOf(w, /guest run queue/);
  const d = lead(s.t_ns);
  assert.equal(
    s.text,
    `runnable on vm/vcpu0's guest run queue behind g-hog (EEVDF, deadline ${d >= 0 ? "later" : "earlier"} by ${fmtDur(Math.abs(d))}) at +${fmtDur(s.t_ns - w.wake_ns)}`,
  );
});

test("host wait behind a host CFS hog (guest EEVDF): the host's class, the vCPU thread's vruntime lead", () => {
  const x = traced(1, 1, false, 0, { guestSched: { fair: "eevdf" } });
  const gh = hog("g-hog");
  x.w.guest!.addTask(gh, 0);
  x.w.guest!.wake(gh);
  const h = hog("h");
  x.w.host.addTask(h, 0, undefined);
  x.w.host.wakeTask(h);
  const vt = x.w.vcpus[0]!.task;
  guestTimer(x, [T]);
  const lead = leads(x, () => vt.se.vruntime - h.se.vruntime);
  x.w.runTo(30 * MS);
  const w = worst(x);
  const s = stepOf(w, /preempted on CPU 0 by h/);
  const d = lead(s.t_ns);
  // CFS runs the smaller vruntime: the waiting vCPU thread's is ahead.
  assert.ok(d > 0);
  assert.equal(s.text, `vm/vcpu0 preempted on CPU 0 by h (CFS, vruntime ahead by ${fmtDur(d)})`);
});

test("host wait behind a CFS hog in another cgroup: no lead, the two vruntimes are on different run queues", () => {
  const x = traced(1, 1, false, 0, { cgroups: [{ name: "bg" }] });
  const gh = hog("g-hog");
  x.w.guest!.addTask(gh, 0);
  x.w.guest!.wake(gh);
  // The hog in cgroup bg, the vCPU thread in the root group: the fair pick compares bg's group
  // entity with the vCPU thread, not the hog's vruntime.
  const h = hog("h");
  x.w.host.addTask(h, 0, "bg");
  x.w.host.wakeTask(h);
  guestTimer(x, [T]);
  x.w.runTo(30 * MS);
  const w = worst(x);
  assert.notEqual(h.se.cfsRq, x.w.vcpus[0]!.task.se.cfsRq);
  const s = stepOf(w, /^vm\/vcpu0 .* on CPU 0 by h \(/);
  assert.ok(/ on CPU 0 by h \(CFS\)( at \+.*)?$/.test(s.text), s.text);
});

test("host wait behind a host EEVDF hog: the deadline lead, not the vruntime's", () => {
  const x = traced(1, 1, false, 0, { sched: { fair: "eevdf" } });
  const h = hog("h");
  x.w.host.addTask(h, 0, undefined);
  x.w.host.wakeTask(h);
  // Nice 5: the vCPU thread's slice is longer in virtual time than the hog's, so the two leads differ.
  x.w.vcpus[0]!.setHostPolicy("other", 0, 5);
  const vt = x.w.vcpus[0]!.task;
  guestTimer(x, [T]);
  const lead = leads(x, () => vt.se.deadline - h.se.deadline);
  const vruntimeLead = leads(x, () => vt.se.vruntime - h.se.vruntime);
  x.w.runTo(30 * MS);
  const w = worst(x);
  const s = stepOf(w, /^vm\/vcpu0 .* on CPU 0 by h \(/);
  const d = lead(s.t_ns);
  assert.notEqual(fmtDur(Math.abs(d)), fmtDur(Math.abs(vruntimeLead(s.t_ns))));
  assert.ok(s.text.endsWith(` on CPU 0 by h (EEVDF, deadline ${d >= 0 ? "later" : "earlier"} by ${fmtDur(Math.abs(d))})`), s.text);
});

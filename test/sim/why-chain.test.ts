/**
 * The causal chain as text (sim-core/why-chain.ts), from hand-written steps: each part with the
 * facts its comment names (who ran instead and by how much the fair pick favoured it, the vCPU's
 * state in KVM, the boost), the VMX exit names of arch/x86/include/uapi/asm/vmx.h, durations in
 * ns, us or ms. The expected texts are written out here, not taken from a run.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type ChainContext,
  chainSteps,
  F_BOOSTED,
  F_FASTPATH,
  F_HALTED,
  F_IDLE_EXIT,
  F_IN_EXIT,
  F_IN_GUEST,
  F_MODE_ENTER,
  F_MODE_POLL,
  F_NO_KICK,
  F_REQ,
  fmtDur,
  type Step,
} from "../../sim-core/why-chain";
import { P_EXIT_ENTRY, P_GUEST_IRQ, P_GUEST_WAIT, P_HOST_IRQ, P_HOST_WAIT, P_SWITCH, P_TIMER } from "../../sim-core/why-parts";
import { POLICY_FIFO, policyCode } from "../../sim-core/timeline-codes";

const OTHER = policyCode("other");
const BATCH = policyCode("batch");

/** A step with nobody in front of it; `over` sets what a case is about. */
function step(part: number, over: Partial<Step> = {}): Step {
  return {
    t: 1000,
    part,
    who: "",
    whoPolicy: 0,
    whoPrio: 0,
    lead: Number.NaN,
    fair: "cfs",
    flags: 0,
    exit: "hlt",
    cpu: 0,
    vcpuPolicy: 0,
    vcpuPrio: 0,
    ...over,
  };
}

const hostCtx: ChainContext = { wake: 1000, run: 5000, cpu: 0, task: "ct.0", vcpu: null, cut: false, irq: false };
const guestCtx: ChainContext = { ...hostCtx, cpu: 1, vcpu: "vm/vcpu0" };

/** The text of one step, as its chain's second link (the first is the expiry). */
const text = (s: Step, c: ChainContext = guestCtx, prev?: Step) => {
  const steps = prev ? [prev, s] : [s];
  return chainSteps(steps, c)[steps.length]!.text;
};

test("a duration in ns below 1 us, in us with one decimal below 1 ms, else in ms with two", () => {
  assert.equal(fmtDur(0), "0 ns");
  assert.equal(fmtDur(999), "999 ns");
  assert.equal(fmtDur(12.4), "12 ns");
  assert.equal(fmtDur(-999), "-999 ns");
  assert.equal(fmtDur(1000), "1.0 us");
  assert.equal(fmtDur(-1000), "-1.0 us");
  assert.equal(fmtDur(1549), "1.5 us");
  assert.equal(fmtDur(999_900), "999.9 us");
  assert.equal(fmtDur(1_000_000), "1.00 ms");
  assert.equal(fmtDur(-2_500_000), "-2.50 ms");
  assert.equal(fmtDur(12_345_678), "12.35 ms");
});

test("a chain runs from the expiry (in seconds) through each step (at + its offset) to the first instruction", () => {
  const steps = [
    step(P_HOST_WAIT, { t: 1_234_567_890, who: "hog.0", whoPolicy: OTHER, whoPrio: 20 }),
    step(P_SWITCH, { t: 1_234_617_890 }),
  ];
  const c = { ...hostCtx, wake: 1_234_567_890, run: 1_234_619_390 };
  assert.deepEqual(chainSteps(steps, c), [
    { t_ns: 1_234_567_890, part: "host_wait", text: "timer expired at 1.234568 s" },
    { t_ns: 1_234_567_890, part: "host_wait", text: "ct.0 runnable on CPU 0, behind hog.0 (CFS)" },
    { t_ns: 1_234_617_890, part: "context_switch", text: "context switch to ct.0 on CPU 0 at +50.0 us" },
    { t_ns: 1_234_619_390, part: "ran", text: "ran at +51.5 us (CPU 0)" },
  ]);
});

test("a chain without steps, a device's period interrupt, a cut chain, and where a guest sample ran", () => {
  assert.deepEqual(chainSteps([], hostCtx), [
    { t_ns: 1000, part: "timer", text: "timer expired at 0.000001 s" },
    { t_ns: 5000, part: "ran", text: "ran at +4.0 us (CPU 0)" },
  ]);
  const c = chainSteps([step(P_GUEST_IRQ)], { ...guestCtx, irq: true, cut: true });
  assert.deepEqual(c, [
    { t_ns: 1000, part: "guest_irq", text: "period interrupt raised at 0.000001 s" },
    { t_ns: 1000, part: "guest_irq", text: "guest interrupt handler on vm/vcpu0" },
    { t_ns: 5000, part: "ran", text: "… (more steps than kept)" },
    { t_ns: 5000, part: "ran", text: "ran at +4.0 us (vm/vcpu0, CPU 1)" },
  ]);
});

test("who ran instead: its policy, and the lead the fair pick compared (vruntime for CFS, the deadline for EEVDF)", () => {
  const w = (over: Partial<Step>) => text(step(P_HOST_WAIT, { who: "hog.0", whoPolicy: OTHER, whoPrio: 20, ...over }), hostCtx);
  assert.equal(w({ lead: 1500 }), "ct.0 runnable on CPU 0, behind hog.0 (CFS, vruntime ahead by 1.5 us)");
  assert.equal(w({ lead: 0 }), "ct.0 runnable on CPU 0, behind hog.0 (CFS, vruntime ahead by 0 ns)");
  assert.equal(w({ lead: -2000 }), "ct.0 runnable on CPU 0, behind hog.0 (CFS, vruntime behind by 2.0 us)");
  assert.equal(w({ fair: "eevdf", lead: 3_000_000 }), "ct.0 runnable on CPU 0, behind hog.0 (EEVDF, deadline later by 3.00 ms)");
  assert.equal(w({ fair: "eevdf", lead: 0 }), "ct.0 runnable on CPU 0, behind hog.0 (EEVDF, deadline later by 0 ns)");
  assert.equal(w({ fair: "eevdf", lead: -500 }), "ct.0 runnable on CPU 0, behind hog.0 (EEVDF, deadline earlier by 500 ns)");
  assert.equal(w({ whoPrio: 25 }), "ct.0 runnable on CPU 0, behind hog.0 (CFS nice 5)");
  assert.equal(w({ whoPolicy: BATCH, whoPrio: 20 }), "ct.0 runnable on CPU 0, behind hog.0 (BATCH)");
  assert.equal(w({ whoPolicy: POLICY_FIFO, whoPrio: 50 }), "ct.0 runnable on CPU 0, behind hog.0 (FIFO 50)");
  assert.equal(w({ who: "" }), "ct.0 runnable on CPU 0, behind nothing (a reschedule pending)");
});

test("a host thread's parts: the timer, interrupt work or an idle exit, the wait, the switch", () => {
  assert.equal(text(step(P_TIMER), hostCtx), "hrtimer not fired yet on CPU 0 (timer slack, interrupt delivery)");
  assert.equal(text(step(P_HOST_IRQ, { cpu: 2 }), hostCtx), "interrupt work on CPU 2");
  assert.equal(text(step(P_HOST_IRQ, { cpu: 2, flags: F_IDLE_EXIT }), hostCtx), "CPU 2 leaving its idle state (cpuidle exit latency)");
  assert.equal(text(step(P_SWITCH, { cpu: 3 }), hostCtx), "context switch to ct.0 on CPU 3");
});

test("a guest thread's timer: halted in kvm_vcpu_block or not, from a timer or a device interrupt", () => {
  const irq = { ...guestCtx, irq: true };
  assert.equal(
    text(step(P_TIMER, { flags: F_HALTED })),
    "vm/vcpu0 halted in kvm_vcpu_block: the host hrtimer of its LAPIC timer has not fired yet",
  );
  assert.equal(text(step(P_TIMER, { flags: F_HALTED }), irq), "vm/vcpu0 halted in kvm_vcpu_block, the interrupt not delivered yet");
  assert.equal(text(step(P_TIMER)), "guest hrtimer not due yet (timer slack)");
  assert.equal(text(step(P_TIMER), irq), "interrupt not delivered yet");
  assert.equal(text(step(P_HOST_IRQ, { flags: F_HALTED })), "interrupt work on CPU 0 while vm/vcpu0 is halted in kvm_vcpu_block");
  assert.equal(text(step(P_HOST_IRQ)), "interrupt work on CPU 0 while vm/vcpu0 is out of guest mode");
  assert.equal(text(step(P_HOST_IRQ, { flags: F_IDLE_EXIT, cpu: 1 })), "CPU 1 leaving its idle state (cpuidle exit latency)");
});

test("a vCPU thread waiting on the host: woken or preempted, in an exit, boosted, with a request the host has not seen", () => {
  const hw = (flags: number, over: Partial<Step> = {}) =>
    text(step(P_HOST_WAIT, { who: "hog.0", whoPolicy: OTHER, whoPrio: 20, vcpuPolicy: POLICY_FIFO, vcpuPrio: 1, flags, ...over }));
  assert.equal(hw(0), "vm/vcpu0 woken, runnable on CPU 0 by hog.0 (CFS)");
  assert.equal(hw(F_NO_KICK), "vm/vcpu0 preempted on CPU 0 by hog.0 (CFS)");
  assert.equal(
    hw(F_NO_KICK | F_IN_EXIT, { exit: "msr_unboost" }),
    "vm/vcpu0 preempted on CPU 0 by hog.0 (CFS), in KVM handling its VM exit MSR_WRITE (unboost)",
  );
  assert.equal(hw(F_BOOSTED), "vm/vcpu0 woken, runnable on CPU 0 by hog.0 (CFS), vCPU thread boosted (FIFO 1)");
  assert.equal(hw(F_REQ), "vm/vcpu0 woken, runnable on CPU 0 by hog.0 (CFS); boost requested in shared memory, not seen by the host yet");
  // Boosted: the request has been seen.
  assert.equal(hw(F_REQ | F_BOOSTED), "vm/vcpu0 woken, runnable on CPU 0 by hog.0 (CFS), vCPU thread boosted (FIFO 1)");
});

test("a boost that comes while the vCPU thread waits behind the same thread is told as that change", () => {
  const base = { who: "hog.0", whoPolicy: OTHER, whoPrio: 20, vcpuPolicy: POLICY_FIFO, vcpuPrio: 1 };
  const before = step(P_HOST_WAIT, { ...base, flags: F_REQ });
  const after = step(P_HOST_WAIT, { ...base, t: 3000, flags: F_REQ | F_BOOSTED });
  assert.equal(text(after, guestCtx, before), "vCPU thread boosted to FIFO 1, still behind hog.0 (CFS) at +2.0 us");
  const plain = "vm/vcpu0 woken, runnable on CPU 0 by hog.0 (CFS), vCPU thread boosted (FIFO 1) at +2.0 us";
  // Not after another part, another thread, or a step that was boosted already.
  assert.equal(text(after, guestCtx, { ...before, part: P_EXIT_ENTRY }), plain);
  assert.equal(text(after, guestCtx, { ...before, who: "hog.1" }), plain);
  assert.equal(text(after, guestCtx, { ...before, flags: F_BOOSTED }), plain);
  assert.equal(
    text({ ...after, flags: F_REQ }, guestCtx, before),
    "vm/vcpu0 woken, runnable on CPU 0 by hog.0 (CFS); boost requested in shared memory, not seen by the host yet at +2.0 us",
  );
});

test("no kick is explained once, at the first preempted step", () => {
  const a = step(P_HOST_WAIT, { who: "hog.0", whoPolicy: OTHER, whoPrio: 20, flags: F_NO_KICK, t: 2000 });
  const b = { ...a, who: "hog.1", t: 3000 };
  const c = chainSteps([step(P_TIMER), a, b], guestCtx);
  const why = "no kick, because it is the preemption timer of a preempted vCPU (it fires only in guest mode)";
  assert.deepEqual(
    c.map((l) => [l.t_ns, l.part, l.text]),
    [
      [1000, "timer", "timer expired at 0.000001 s"],
      [1000, "timer", "guest hrtimer not due yet (timer slack)"],
      [2000, "host_wait", "vm/vcpu0 preempted on CPU 0 by hog.0 (CFS) at +1.0 us"],
      [2000, "host_wait", why],
      [3000, "host_wait", "vm/vcpu0 preempted on CPU 0 by hog.1 (CFS) at +2.0 us"],
      [5000, "ran", "ran at +4.0 us (vm/vcpu0, CPU 1)"],
    ],
  );
  // A device interrupt's sample: no preemption timer, the injection waits for the next entry.
  const d = chainSteps([step(P_GUEST_IRQ), a], { ...guestCtx, irq: true });
  assert.deepEqual(
    d.filter((l) => l.text.startsWith("no kick")).map((l) => l.text),
    ["no kick, because the vCPU is preempted, not halted: the interrupt is injected at its next VM entry"],
  );
});

test("VM exits and entries: the fastpath, an entry, halt-polling, a full exit by its VMX name", () => {
  const ee = (flags: number, exit: Step["exit"] = "hlt") =>
    text(step(P_EXIT_ENTRY, { flags, exit, cpu: 1, vcpuPolicy: POLICY_FIFO, vcpuPrio: 1 }));
  assert.equal(ee(F_FASTPATH | F_IN_GUEST, "timer"), "fastpath VM exit (PREEMPTION_TIMER) on vm/vcpu0");
  // The fastpath is told as such whatever the mode says.
  assert.equal(ee(F_FASTPATH | F_MODE_ENTER | F_MODE_POLL, "timer"), "fastpath VM exit (PREEMPTION_TIMER) on vm/vcpu0");
  assert.equal(ee(F_MODE_ENTER), "VM entry of vm/vcpu0 on CPU 1");
  assert.equal(ee(F_MODE_ENTER | F_BOOSTED | F_MODE_POLL), "VM entry of vm/vcpu0 on CPU 1, vCPU thread boosted (FIFO 1)");
  assert.equal(ee(F_MODE_POLL), "vm/vcpu0 halt-polling on CPU 1");
  assert.equal(ee(0), "VM exit HLT of vm/vcpu0 on CPU 1");
  assert.equal(
    ee(F_REQ | F_BOOSTED, "msr_other"),
    "VM exit MSR_WRITE of vm/vcpu0 on CPU 1, boost request seen, vCPU thread boosted (FIFO 1)",
  );
  const names: [Step["exit"], string][] = [
    ["hlt", "HLT"],
    ["timer", "PREEMPTION_TIMER"],
    ["external_interrupt", "EXTERNAL_INTERRUPT"],
    ["ipi", "EXTERNAL_INTERRUPT (kick IPI)"],
    ["msr_unboost", "MSR_WRITE (unboost)"],
    ["msr_other", "MSR_WRITE"],
    ["preemption", "none (descheduled from guest mode)"],
  ];
  for (const [exit, name] of names) assert.equal(ee(0, exit), `VM exit ${name} of vm/vcpu0 on CPU 1`);
});

test("in the guest: the interrupt handler, the run-queue wait, and which switch it is", () => {
  assert.equal(text(step(P_GUEST_IRQ)), "guest interrupt handler on vm/vcpu0");
  assert.equal(
    text(step(P_GUEST_WAIT, { who: "rtjob.0", whoPolicy: POLICY_FIFO, whoPrio: 50 })),
    "runnable on vm/vcpu0's guest run queue behind rtjob.0 (FIFO 50)",
  );
  assert.equal(
    text(step(P_GUEST_WAIT, { who: "job.0", whoPolicy: OTHER, whoPrio: 20, fair: "eevdf", lead: -1000 })),
    "runnable on vm/vcpu0's guest run queue behind job.0 (EEVDF, deadline earlier by 1.0 us)",
  );
  assert.equal(text(step(P_SWITCH, { flags: F_IN_GUEST })), "guest context switch to ct.0 on vm/vcpu0");
  assert.equal(text(step(P_SWITCH, { cpu: 1 })), "host context switch to vm/vcpu0 on CPU 1 (with its cache refill)");
  assert.equal(text(step(99)), "?");
});

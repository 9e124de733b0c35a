/**
 * The vCPU's exits one at a time (sim-core/kvm/vcpu.ts) against vcpu_enter_guest() and the
 * interrupt delivery of Linux 6.5 (arch/x86/kvm): a kicked interrupt makes a running vCPU exit
 * (an IPI exit for an IPI, an external-interrupt exit otherwise) and is injected at the next
 * entry; a posted one reaches guest code without an exit; a timer expiring in guest mode is the
 * VMX preemption timer's fastpath exit, which re-enters without leaving the run loop. Times
 * follow from the constant costs of the test world: exit 400 ns, entry 250 ns, +700 ns for an
 * injection without APICv (COST_DEFAULTS).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { COST_DEFAULTS, KVM_DEFAULTS } from "../../sim-core/params";
import { IRQ_FAST } from "../../sim-core/sched/cpu";
import { Rq } from "../../sim-core/sched/rq";
import { fifoVcpuBesideHostHog, guestHog, hog, MS, US, world } from "./world";

const NO_POLL = { maxNs: 0, grow: 2, growStart: 10_000, shrink: 0 };

/** A guest hog on vCPU 0 (host CPU 0), 5 ms in: the vCPU is in guest mode, between host ticks. */
function busyGuest(kvm: Partial<typeof KVM_DEFAULTS> = {}) {
  const { w, v, g } = guestHog(5 * MS, kvm, NO_POLL);
  assert.equal(v.mode, "guest");
  const exits = () => ({ ...v.exits });
  return { w, v, g, exits };
}

test("a kicked device interrupt: an external-interrupt exit, then an entry that injects it", () => {
  const { w, v, g, exits } = busyGuest();
  const before = exits();
  const t0 = w.eng.now;
  let handled = -1;
  g.deliver(0, "device", 2 * US, () => {
    handled = w.eng.now;
  });
  assert.equal(v.mode, "exit");
  assert.equal(v.lastExit, "external_interrupt");
  assert.deepEqual(exits(), { ...before, external_interrupt: before.external_interrupt + 1 });
  // The guest has not taken it: it is pending across the exit, to be injected at the entry.
  assert.equal(v.gcpu.irqPending, true);
  const exitNs = KVM_DEFAULTS.exit_ns;
  w.runTo(t0 + exitNs - 1);
  assert.equal(v.mode, "exit");
  w.runTo(t0 + exitNs);
  assert.equal(v.mode, "enter");
  // Back in guest code after the entry: 250 ns plus the injection's 700 ns without APICv.
  const inGuest = t0 + exitNs + KVM_DEFAULTS.entry_ns + COST_DEFAULTS.inject_without_apicv.median_ns;
  w.runTo(inGuest - 1);
  assert.equal(v.mode, "enter", "the entry pays for the injection");
  w.runTo(inGuest);
  assert.equal(v.mode, "guest");
  // The handler runs its 2 us from there, not from the delivery.
  w.runTo(inGuest + 2 * US);
  assert.equal(handled, inGuest + 2 * US);
});

test("an IPI without posting exits as an IPI exit; with IPI virtualization it is posted: no exit", () => {
  const plain = busyGuest();
  const before = plain.exits();
  plain.g.deliver(0, "ipi", 2 * US, () => {});
  assert.equal(plain.v.lastExit, "ipi");
  assert.deepEqual(plain.exits(), { ...before, ipi: before.ipi + 1 });
  const ipiv = busyGuest({ ipi_virtualization: true });
  const b2 = ipiv.exits();
  ipiv.g.deliver(0, "ipi", 2 * US, () => {});
  assert.equal(ipiv.v.mode, "guest", "posted: guest code goes on");
  assert.deepEqual(ipiv.exits(), b2);
  // A device interrupt is not posted by IPI virtualization alone.
  ipiv.g.deliver(0, "device", 2 * US, () => {});
  assert.equal(ipiv.v.mode, "exit");
});

test("posted interrupts: a device interrupt reaches a running vCPU without an exit, and the entry after the next exit pays no injection", () => {
  const { w, v, g, exits } = busyGuest({ posted_interrupts: true });
  const before = exits();
  g.deliver(0, "device", 2 * US, () => {});
  assert.equal(v.mode, "guest");
  assert.deepEqual(exits(), before);
  // An exit with an interrupt pending: the entry is 250 ns only (the PIR is synced, no window).
  g.deliver(0, "device", 2 * US, () => {});
  const t0 = w.eng.now;
  v.exit("msr_other");
  assert.equal(v.mode, "exit");
  w.runTo(t0 + KVM_DEFAULTS.exit_ns + KVM_DEFAULTS.entry_ns - 1);
  assert.equal(v.mode, "enter");
  w.runTo(t0 + KVM_DEFAULTS.exit_ns + KVM_DEFAULTS.entry_ns);
  assert.equal(v.mode, "guest");
});

test("the guest's timer in guest mode is a fastpath exit: counted, no full exit, the vCPU stays in guest mode", () => {
  const { v, g, exits } = busyGuest();
  const before = exits();
  g.deliver(0, "timer", 2 * US, () => {});
  assert.equal(v.mode, "guest");
  assert.equal(v.lastExit, "timer");
  assert.deepEqual(exits(), { ...before, timer: before.timer + 1 });
});

test("an exit asked for outside guest mode does nothing", () => {
  const { w, v, exits } = busyGuest();
  v.exit("msr_other");
  const during = exits();
  const t = w.eng.now;
  // Still exiting: a second exit is not taken.
  v.exit("msr_other");
  v.exit("hlt");
  assert.deepEqual(exits(), during);
  assert.equal(v.lastExit, "msr_other");
  w.runTo(t + KVM_DEFAULTS.exit_ns + KVM_DEFAULTS.entry_ns);
  assert.equal(v.mode, "guest", "the single exit re-entered after 400 + 250 ns");
});

test("an exit's handler work is spent before the entry; a vCPU that never ran is not reported preempted", () => {
  const { w, v } = busyGuest();
  const t0 = w.eng.now;
  // The MSR write's handler takes 1 us on top of the exit.
  v.exit("msr_other", 1000);
  w.runTo(t0 + KVM_DEFAULTS.exit_ns + 1000 - 1);
  assert.equal(v.mode, "exit");
  w.runTo(t0 + KVM_DEFAULTS.exit_ns + 1000);
  assert.equal(v.mode, "enter");
  // kvm_steal_time's preempted flag starts clear.
  const fresh = world(1, 1, {}, NO_POLL).vcpus[0]!;
  assert.equal(fresh.preempted, false);
});

test("steal time's preempted flag: not set for a vCPU preempted during its entry (vcpu_enter_guest() cleared at_instruction_boundary)", () => {
  const w = world(1, 1, {}, NO_POLL);
  const v = fifoVcpuBesideHostHog(w);
  const t0 = w.eng.now;
  v.exit("external_interrupt");
  // The exit is handled; the entry has begun when the thread drops to SCHED_OTHER.
  w.runTo(t0 + KVM_DEFAULTS.exit_ns);
  assert.equal(v.mode, "enter");
  v.setHostPolicy("other", 0, 0);
  w.runTo(t0 + KVM_DEFAULTS.exit_ns + 10 * US);
  assert.notEqual(v.runningOn, w.host.cpus[0], "the vCPU thread waits");
  assert.equal(v.preempted, false);
});

/**
 * vCPU 0 runs a guest hog (in guest mode on host CPU 0), vCPU 1 has halted and blocked (host CPU
 * 1); then the code on vCPU 0 sends vCPU 1 an IPI, whose kick costs `kickNs` in the sender's
 * context (patch 4's boost, stubbed). Returns the sender's vCPU and its guest CPU after the send.
 */
function ipiFromRunningVcpu(kickNs: number, kvm: Partial<typeof KVM_DEFAULTS> = {}, from: "vcpu0" | "halted vcpu1" | "nothing" = "vcpu0") {
  const w = world(2, 2, {}, NO_POLL, kvm);
  const g = w.guest!;
  const [v0, v1] = [w.vcpus[0]!, w.vcpus[1]!];
  const gh = hog("g-hog");
  g.addTask(gh, 0);
  g.wake(gh);
  w.runTo(5 * MS);
  assert.equal(v0.mode, "guest");
  assert.equal(v1.mode, "blocked");
  let kicks = 0;
  v1.pvHooks = {
    onExit: () => 0,
    onKick: () => {
      kicks++;
      return kickNs;
    },
    onBlock: () => 0,
    onRun: () => 0,
  };
  const before = { ...v0.exits };
  const ex = Rq.executing;
  Rq.executing = from === "vcpu0" ? g.cpus[0]! : from === "halted vcpu1" ? g.cpus[1]! : null;
  try {
    g.rd.env.ipi(g.cpus[1]!, () => {});
  } finally {
    Rq.executing = ex;
  }
  return { v0, v1, g, before, kicks };
}

test("a guest IPI without IPI virtualization: the sender's ICR write is a fastpath exit that pays the kick's boost", () => {
  const fastMsr = COST_DEFAULTS.fastpath_tsc_deadline.median_ns;
  for (const kickNs of [0, 1500]) {
    const { v0, v1, g, before, kicks } = ipiFromRunningVcpu(kickNs);
    assert.equal(kicks, 1, "the blocked target is kicked");
    assert.equal(v1.mode, "blocked", "woken, not yet running: the kick is pending on its host CPU");
    assert.deepEqual(v0.exits, { ...before, msr_other: before.msr_other + 1 }, "one fastpath exit, no full exit");
    assert.equal(v0.mode, "guest", "a fastpath exit re-enters without leaving the run loop");
    const c = g.cpus[0]!;
    assert.equal(c.irqQ.length, 1);
    assert.equal(c.irqQ[0]!.kind, IRQ_FAST);
    assert.equal(c.irqQ[0]!.remaining, fastMsr + kickNs, `the exit (${fastMsr} ns) and the kick (${kickNs} ns)`);
  }
});

test("a guest IPI with IPI virtualization: posted, no kick, and no exit on the sender", () => {
  const { v0, g, before, kicks } = ipiFromRunningVcpu(1500, { ipi_virtualization: true });
  assert.equal(kicks, 0);
  assert.deepEqual(v0.exits, before);
  assert.equal(g.cpus[0]!.irqQ.length, 0);
});

test("a guest PMI (the NMI source) on a running vCPU: the kick's boost is spent in the vCPU's own exit, before the entry", () => {
  for (const kickNs of [0, 1500]) {
    const { w, v, g } = busyGuest();
    v.pvHooks = { onExit: () => 0, onKick: () => kickNs, onBlock: () => 0, onRun: () => 0 };
    const t0 = w.eng.now;
    assert.equal(
      g.deliver(0, "nmi", 2 * US, () => {}),
      0,
      "nobody else is charged for it",
    );
    assert.equal(v.lastExit, "external_interrupt");
    w.runTo(t0 + KVM_DEFAULTS.exit_ns + kickNs - 1);
    assert.equal(v.mode, "exit", `kick ${kickNs} ns: still in the exit`);
    w.runTo(t0 + KVM_DEFAULTS.exit_ns + kickNs);
    assert.equal(v.mode, "enter", `kick ${kickNs} ns: entering after the exit and the boost`);
  }
});

test("a guest IPI sent from no executing guest code, or from a vCPU not in guest mode, charges no one an ICR exit", () => {
  for (const from of ["nothing", "halted vcpu1"] as const) {
    const { v0, v1, g, before, kicks } = ipiFromRunningVcpu(1500, {}, from);
    assert.equal(kicks, 1, `${from}: the target is still kicked`);
    assert.deepEqual(v0.exits, before, `${from}: vCPU 0 sent nothing`);
    assert.equal(v1.exits.msr_other, 0, `${from}: the halted vCPU takes no exit`);
    assert.equal(g.cpus[0]!.irqQ.length, 0);
  }
});

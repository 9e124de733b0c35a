/**
 * Which part a pending sample is in (sim-core/why-parts.ts), from the state alone, on stand-in
 * CPUs, threads and vCPUs that carry just the fields the kernel's state names: an interrupt or
 * an idle exit queued on a CPU, the thread on a run queue or asleep, what the CPU runs, the
 * guest CPU active only while its vCPU is in guest mode (kvm/vcpu.ts VcpuMode "guest"), the
 * vCPU thread's place in KVM's run loop. The table is the file's own comments, case by case.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Cpu, IRQ_FAST, IRQ_HARD, IRQ_SOFT } from "../../sim-core/sched/cpu";
import type { Task } from "../../sim-core/sched/task";
import type { Vcpu, VcpuMode } from "../../sim-core/kvm/vcpu";
import {
  culprit,
  guestPart,
  hostCpuOf,
  hostPart,
  P_EXIT_ENTRY,
  P_GUEST_IRQ,
  P_GUEST_WAIT,
  P_HOST_IRQ,
  P_HOST_WAIT,
  P_SWITCH,
  P_TIMER,
} from "../../sim-core/why-parts";
import { PART_IDS } from "../../sim-core/why-labels";

interface FakeCpu {
  index: number;
  active: boolean;
  irqQ: { kind: number }[];
  curr: FakeTask | null;
}
interface FakeTask {
  name: string;
  cpu: FakeCpu | null;
  onRq: boolean;
}

const cpu = (index: number, irq: number[] = []): FakeCpu => ({ index, active: true, irqQ: irq.map((kind) => ({ kind })), curr: null });
const task = (name: string, c: FakeCpu | null, onRq: boolean): FakeTask => ({ name, cpu: c, onRq });
const other = task("other", null, true);

const asTask = (t: FakeTask) => t as unknown as Task;
const asCpu = (c: FakeCpu) => c as unknown as Cpu;
const name = (k: number) => PART_IDS[k];

/** A host thread on a CPU with `irq` queued, asleep or runnable, running or behind `other`. */
function hostCase(irq: number[], onRq: boolean, running: boolean): string {
  const c = cpu(0, irq);
  const t = task("ct", c, onRq);
  c.curr = running ? t : other;
  return name(hostPart(asTask(t)))!;
}

test("a host thread: interrupt work first, then its timer, the CPU's switch to it, or the wait behind another", () => {
  assert.equal(hostCase([], false, false), "timer");
  assert.equal(hostCase([], true, false), "host_wait");
  assert.equal(hostCase([], true, true), "context_switch");
  // Interrupt work or an idle exit on its CPU comes before all of them.
  for (const irq of [[IRQ_HARD], [IRQ_FAST], [IRQ_SOFT, IRQ_HARD]]) {
    assert.equal(hostCase(irq, false, false), "host_irq");
    assert.equal(hostCase(irq, true, false), "host_irq");
    assert.equal(hostCase(irq, true, true), "host_irq");
  }
});

interface GuestState {
  /** The vCPU is in guest mode (its guest CPU executes). */
  inGuest: boolean;
  /** What the guest CPU has queued (only while it executes). */
  guestIrq?: number[];
  onRq?: boolean;
  running?: boolean;
  /** The vCPU thread: running on its host CPU, runnable there, or asleep. */
  vcpuThread?: "running" | "runnable" | "asleep";
  hostIrq?: number[];
  mode?: VcpuMode;
  /** The vCPU thread is on no host CPU. */
  noHost?: boolean;
}

function guestWorld(s: GuestState) {
  const h = cpu(3, s.hostIrq ?? []);
  const g = cpu(0, s.guestIrq ?? []);
  g.active = s.inGuest;
  const t = task("ct", g, s.onRq ?? false);
  g.curr = s.running ? t : task("g-other", g, true);
  const vt = task("vm/vcpu0", s.noHost ? null : h, s.vcpuThread !== "asleep");
  h.curr = s.vcpuThread === "running" ? vt : other;
  const v = { task: vt, gcpu: g, mode: s.mode ?? "guest" };
  return { t, v, g, h, vt };
}

const guestCase = (s: GuestState) => {
  const { t, v } = guestWorld(s);
  return name(guestPart(asTask(t), v as unknown as Vcpu))!;
};

test("a guest thread while its vCPU is in guest mode: a fastpath exit, a guest interrupt, its timer, the switch, the wait", () => {
  assert.equal(guestCase({ inGuest: true, guestIrq: [IRQ_FAST], onRq: true, running: true }), "exit_entry");
  assert.equal(guestCase({ inGuest: true, guestIrq: [IRQ_HARD, IRQ_FAST] }), "guest_irq");
  assert.equal(guestCase({ inGuest: true, guestIrq: [IRQ_SOFT], onRq: true }), "guest_irq");
  assert.equal(guestCase({ inGuest: true, onRq: false }), "timer");
  assert.equal(guestCase({ inGuest: true, onRq: true, running: true }), "context_switch");
  assert.equal(guestCase({ inGuest: true, onRq: true, running: false }), "guest_wait");
  // Host interrupt work does not count while guest code executes.
  assert.equal(guestCase({ inGuest: true, onRq: true, hostIrq: [IRQ_HARD] }), "guest_wait");
});

test("a guest thread while its vCPU is out of guest mode: host interrupts, KVM's exit and entry, the host switch, the wait, the halt", () => {
  const running = { inGuest: false, vcpuThread: "running" as const, onRq: true };
  assert.equal(guestCase({ ...running, hostIrq: [IRQ_HARD] }), "host_irq");
  assert.equal(guestCase({ ...running, hostIrq: [IRQ_FAST], mode: "resume" }), "host_irq");
  // Descheduled from guest mode: the host switches back to the vCPU thread (with its refill).
  assert.equal(guestCase({ ...running, mode: "resume" }), "context_switch");
  for (const mode of ["exit", "enter", "poll", "blocking"] as const) assert.equal(guestCase({ ...running, mode }), "exit_entry", mode);
  // The guest's own state does not matter while it does not execute.
  assert.equal(guestCase({ ...running, onRq: false, guestIrq: [IRQ_HARD], mode: "exit" }), "exit_entry");
  // Runnable on the host behind another thread: host wait, whatever is queued on that CPU.
  assert.equal(guestCase({ inGuest: false, vcpuThread: "runnable", mode: "exit" }), "host_wait");
  assert.equal(guestCase({ inGuest: false, vcpuThread: "runnable", mode: "resume", hostIrq: [IRQ_HARD] }), "host_wait");
  // Halted in kvm_vcpu_block: its timer, or interrupt work on its host CPU (the one that will wake it).
  assert.equal(guestCase({ inGuest: false, vcpuThread: "asleep", mode: "blocked" }), "timer");
  assert.equal(guestCase({ inGuest: false, vcpuThread: "asleep", mode: "blocked", hostIrq: [IRQ_HARD] }), "host_irq");
  assert.equal(guestCase({ inGuest: false, vcpuThread: "asleep", mode: "blocked", hostIrq: [IRQ_FAST] }), "host_irq");
  // A vCPU thread on no host CPU, asleep: its timer.
  assert.equal(guestCase({ inGuest: false, vcpuThread: "asleep", mode: "blocked", noHost: true }), "timer");
});

test("who a sample waits behind: what runs on the host CPU (its own, or its vCPU thread's) or on the guest CPU, in a wait only", () => {
  const { t, v, g, h } = guestWorld({ inGuest: false, vcpuThread: "runnable", onRq: true });
  const T = asTask(t);
  const V = v as unknown as Vcpu;
  assert.equal(culprit(P_HOST_WAIT, T, V), asTask(other));
  assert.equal(culprit(P_GUEST_WAIT, T, V), asTask(g.curr!));
  for (const part of [P_TIMER, P_HOST_IRQ, P_EXIT_ENTRY, P_GUEST_IRQ, P_SWITCH]) assert.equal(culprit(part, T, V), null, name(part));
  // A host thread waits behind what its own CPU runs.
  const c = cpu(1);
  c.curr = other;
  const ht = task("ct", c, true);
  assert.equal(culprit(P_HOST_WAIT, asTask(ht), null), asTask(other));
  assert.equal(culprit(P_GUEST_WAIT, asTask(ht), null), asTask(other));
  // Nothing runs, or no CPU: nobody.
  c.curr = null;
  assert.equal(culprit(P_HOST_WAIT, asTask(ht), null), null);
  assert.equal(culprit(P_HOST_WAIT, asTask(task("x", null, true)), null), null);
  assert.equal(culprit(P_GUEST_WAIT, asTask(task("x", null, true)), null), null);
  const noHost = guestWorld({ inGuest: false, vcpuThread: "asleep", noHost: true });
  assert.equal(culprit(P_HOST_WAIT, asTask(noHost.t), noHost.v as unknown as Vcpu), null);
  // The host CPU named in the chain: the vCPU thread's for a guest sample, the thread's own else.
  assert.equal(hostCpuOf(T, V), asCpu(h));
  assert.equal(hostCpuOf(asTask(ht), null), asCpu(c));
});

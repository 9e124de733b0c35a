/**
 * The parts a wake-up latency is made of, and which part the simulation is in at an instant.
 * A sample's latency runs from its timer's expiry (the cyclictest deadline) to the thread's first
 * instruction; at each instant in between exactly one part applies, so the parts of a sample sum
 * to its latency (sim-core/why.ts integrates them between events).
 */
import type { Vcpu } from "./kvm/vcpu";
import { PART_IDS } from "./why-labels";
import { type Cpu, IRQ_FAST } from "./sched/cpu";
import type { Task } from "./sched/task";

export const PART_COUNT = PART_IDS.length;
/** Indices into PART_IDS (the order of LATENCY_PARTS). */
export const P_TIMER = 0;
export const P_HOST_IRQ = 1;
export const P_HOST_WAIT = 2;
export const P_EXIT_ENTRY = 3;
export const P_GUEST_IRQ = 4;
export const P_GUEST_WAIT = 5;
export const P_SWITCH = 6;

/** The part a host thread's pending sample is in now (`t` has not run since its timer expired). */
export function hostPart(t: Task): number {
  const c = t.cpu!;
  if (c.irqQ.length > 0) return P_HOST_IRQ;
  if (!t.onRq) return P_TIMER;
  return c.curr === t ? P_SWITCH : P_HOST_WAIT;
}

/** The part a guest thread's pending sample is in now; `v` is the vCPU of the thread's guest CPU. */
export function guestPart(t: Task, v: Vcpu): number {
  const g = t.cpu!;
  if (g.active) {
    if (g.irqQ.length > 0) return g.irqQ[0]!.kind === IRQ_FAST ? P_EXIT_ENTRY : P_GUEST_IRQ;
    if (!t.onRq) return P_TIMER;
    return g.curr === t ? P_SWITCH : P_GUEST_WAIT;
  }
  const vt = v.task;
  const h = vt.cpu;
  if (h && h.curr === vt) {
    if (h.irqQ.length > 0) return P_HOST_IRQ;
    return v.mode === "resume" ? P_SWITCH : P_EXIT_ENTRY;
  }
  if (vt.onRq) return P_HOST_WAIT;
  // Halted in kvm_vcpu_block: nothing has woken the vCPU thread yet.
  return h && h.irqQ.length > 0 ? P_HOST_IRQ : P_TIMER;
}

/** The thread the sample waits behind in `part`, if any: what runs on the CPU it waits for. */
export function culprit(part: number, t: Task, v: Vcpu | null): Task | null {
  if (part === P_HOST_WAIT) return (v ? v.task.cpu : t.cpu)?.curr ?? null;
  if (part === P_GUEST_WAIT) return t.cpu?.curr ?? null;
  return null;
}

/** The host CPU where the sample's thread (or vCPU thread) is, for the chain's text. */
export function hostCpuOf(t: Task, v: Vcpu | null): Cpu | null {
  return v ? v.task.cpu : t.cpu;
}

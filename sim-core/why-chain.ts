/**
 * The causal chain of a latency sample as text: the facts sim-core/why.ts recorded at each
 * change of part (who ran instead, the vCPU's state in KVM, the series' boost state), written in
 * kernel terms, from the timer's expiry to the thread's first instruction.
 */
import type { ExitReason, LatencyPart, WhyStep } from "./results";
import { policyLabel } from "./timeline-read";
import { P_EXIT_ENTRY, P_GUEST_IRQ, P_GUEST_WAIT, P_HOST_IRQ, P_HOST_WAIT, P_SWITCH, P_TIMER } from "./why-parts";
import { PART_IDS } from "./why-labels";

/** Step flags. The vCPU thread is boosted by the series (an RT policy). */
export const F_BOOSTED = 1;
/** The guest's boost request (patch 1's shared memory) is pending. */
export const F_REQ = 2;
/** The vCPU thread is halted in kvm_vcpu_block. */
export const F_HALTED = 4;
/**
 * The vCPU thread was preempted, not halted: its LAPIC timer is the VMX preemption timer, which
 * fires only in guest mode and kicks nobody; the interrupt waits for the next entry.
 */
export const F_NO_KICK = 8;
export const F_MODE_ENTER = 16;
export const F_MODE_POLL = 32;
/** A fastpath exit: KVM handles it without leaving the vcpu_run loop. */
export const F_FASTPATH = 64;
/** The vCPU thread was preempted on the host in the middle of handling a VM exit. */
export const F_IN_EXIT = 128;
/** The host CPU is leaving an idle state (its cpuidle exit latency), not handling an interrupt. */
export const F_IDLE_EXIT = 512;
/** The vCPU is in guest mode (guest code executes). */
export const F_IN_GUEST = 256;

/** What why.ts records when a sample's part (or who it waits behind, or its flags) changes. */
export interface Step {
  t: number;
  /** Index into PART_IDS. */
  part: number;
  /** The thread that runs instead ("" for none), its policy code and priority (timeline-codes.ts). */
  who: string;
  whoPolicy: number;
  whoPrio: number;
  /** Waiter minus runner of what the fair pick compares (vruntime, or EEVDF's deadline); NaN if not comparable. */
  lead: number;
  fair: "cfs" | "eevdf";
  flags: number;
  exit: ExitReason;
  /** The host CPU of the thread, or of the vCPU thread. */
  cpu: number;
  vcpuPolicy: number;
  vcpuPrio: number;
}

export interface ChainContext {
  wake: number;
  run: number;
  /** Where it ran (host CPU). */
  cpu: number;
  task: string;
  /** The vCPU thread of a guest sample, or null for a host sample. */
  vcpu: string | null;
  /** More steps happened than were kept. */
  cut: boolean;
  /** The sample counts from a device's period interrupt (audio), not a timer's expiry. */
  irq: boolean;
}

/** Exit reasons by their VMX names (arch/x86/include/uapi/asm/vmx.h). */
const EXIT_NAMES: Record<ExitReason, string> = {
  hlt: "HLT",
  timer: "PREEMPTION_TIMER",
  external_interrupt: "EXTERNAL_INTERRUPT",
  ipi: "EXTERNAL_INTERRUPT (kick IPI)",
  msr_unboost: "MSR_WRITE (unboost)",
  msr_other: "MSR_WRITE",
  preemption: "none (descheduled from guest mode)",
};

/** A duration: ns, us or ms. */
export function fmtDur(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1000) return `${Math.round(ns)} ns`;
  if (a < 1_000_000) return `${(ns / 1000).toFixed(1)} us`;
  return `${(ns / 1_000_000).toFixed(2)} ms`;
}

const fmtAt = (ns: number) => `${(ns / 1e9).toFixed(6)} s`;

function whoText(s: Step): string {
  if (!s.who) return "nothing (a reschedule pending)";
  const pol = policyLabel(s.whoPolicy, s.whoPrio, s.fair);
  let lead = "";
  if (!Number.isNaN(s.lead)) {
    lead =
      s.fair === "eevdf"
        ? `, deadline ${s.lead >= 0 ? "later" : "earlier"} by ${fmtDur(Math.abs(s.lead))}`
        : `, vruntime ${s.lead >= 0 ? "ahead" : "behind"} by ${fmtDur(Math.abs(s.lead))}`;
  }
  return `${s.who} (${pol}${lead})`;
}

const vcpuPol = (s: Step) => policyLabel(s.vcpuPolicy, s.vcpuPrio);

function describe(s: Step, prev: Step | undefined, c: ChainContext): string {
  const v = c.vcpu;
  const boosted = s.flags & F_BOOSTED ? `, vCPU thread boosted (${vcpuPol(s)})` : "";
  switch (s.part) {
    case P_TIMER:
      if (!v) return `hrtimer not fired yet on CPU ${s.cpu} (timer slack, interrupt delivery)`;
      if (s.flags & F_HALTED)
        return c.irq
          ? `${v} halted in kvm_vcpu_block, the interrupt not delivered yet`
          : `${v} halted in kvm_vcpu_block: the host hrtimer of its LAPIC timer has not fired yet`;
      return c.irq ? "interrupt not delivered yet" : "guest hrtimer not due yet (timer slack)";
    case P_HOST_IRQ:
      if (s.flags & F_IDLE_EXIT) return `CPU ${s.cpu} leaving its idle state (cpuidle exit latency)`;
      if (!v) return `interrupt work on CPU ${s.cpu}`;
      return `interrupt work on CPU ${s.cpu} while ${v} is ${s.flags & F_HALTED ? "halted in kvm_vcpu_block" : "out of guest mode"}`;
    case P_HOST_WAIT: {
      if (!v) return `${c.task} runnable on CPU ${s.cpu}, behind ${whoText(s)}`;
      if (prev && prev.part === P_HOST_WAIT && prev.who === s.who && s.flags & F_BOOSTED && !(prev.flags & F_BOOSTED)) {
        return `vCPU thread boosted to ${vcpuPol(s)}, still behind ${whoText(s)}`;
      }
      const req = s.flags & F_REQ && !(s.flags & F_BOOSTED) ? "; boost requested in shared memory, not seen by the host yet" : "";
      const inExit = s.flags & F_IN_EXIT ? `, in KVM handling its VM exit ${EXIT_NAMES[s.exit]}` : "";
      const what = s.flags & F_NO_KICK ? "preempted" : "woken, runnable";
      return `${v} ${what} on CPU ${s.cpu} by ${whoText(s)}${inExit}${boosted}${req}`;
    }
    case P_EXIT_ENTRY:
      if (s.flags & F_FASTPATH) return `fastpath VM exit (${EXIT_NAMES[s.exit]}) on ${v}`;
      if (s.flags & F_MODE_ENTER) return `VM entry of ${v} on CPU ${s.cpu}${boosted}`;
      if (s.flags & F_MODE_POLL) return `${v} halt-polling on CPU ${s.cpu}`;
      return `VM exit ${EXIT_NAMES[s.exit]} of ${v} on CPU ${s.cpu}${s.flags & F_REQ ? ", boost request seen" : ""}${boosted}`;
    case P_GUEST_IRQ:
      return `guest interrupt handler on ${v}`;
    case P_GUEST_WAIT:
      return `runnable on ${v}'s guest run queue behind ${whoText(s)}`;
    case P_SWITCH:
      if (!v) return `context switch to ${c.task} on CPU ${s.cpu}`;
      return s.flags & F_IN_GUEST
        ? `guest context switch to ${c.task} on ${v}`
        : `host context switch to ${v} on CPU ${s.cpu} (with its cache refill)`;
    default:
      return "?";
  }
}

/** The chain: the expiry, each step, and the first instruction. */
export function chainSteps(steps: readonly Step[], c: ChainContext): WhyStep[] {
  const out: WhyStep[] = [];
  const first = steps[0];
  out.push({
    t_ns: c.wake,
    part: first ? PART_IDS[first.part]! : "timer",
    text: `${c.irq ? "period interrupt raised" : "timer expired"} at ${fmtAt(c.wake)}`,
  });
  let saidNoKick = false;
  steps.forEach((s, k) => {
    const part: LatencyPart = PART_IDS[s.part]!;
    const at = k === 0 ? "" : ` at +${fmtDur(s.t - c.wake)}`;
    out.push({ t_ns: s.t, part, text: `${describe(s, steps[k - 1], c)}${at}` });
    if (s.flags & F_NO_KICK && !saidNoKick) {
      saidNoKick = true;
      out.push({
        t_ns: s.t,
        part,
        // A timer sample's LAPIC timer is the VMX preemption timer while the vCPU is loaded; a
        // device interrupt for a vCPU neither in guest mode nor halted waits for the next
        // entry (Vcpu.notify()): neither kicks, for different reasons.
        text: c.irq
          ? "no kick, because the vCPU is preempted, not halted: the interrupt is injected at its next VM entry"
          : "no kick, because it is the preemption timer of a preempted vCPU (it fires only in guest mode)",
      });
    }
  });
  if (c.cut) out.push({ t_ns: c.run, part: "ran", text: "… (more steps than kept)" });
  const where = c.vcpu ? `${c.vcpu}, CPU ${c.cpu}` : `CPU ${c.cpu}`;
  out.push({ t_ns: c.run, part: "ran", text: `ran at +${fmtDur(c.run - c.wake)} (${where})` });
  return out;
}

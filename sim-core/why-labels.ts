/**
 * The parts a wake-up latency is split into (sim-core/why-parts.ts decides which applies when),
 * named and explained for the results panel. No simulator imports: the webview bundles this.
 */
import type { LatencyPart, WhyStep } from "./results";

/** Every part, in the order a stacked bar shows them, with what it means in kernel terms. */
export const LATENCY_PARTS: readonly { id: LatencyPart; label: string; title: string }[] = [
  {
    id: "timer",
    label: "timer",
    title: "The timer has not fired yet: hrtimer slack (soft to hard expiry) and the platform's interrupt delivery delay.",
  },
  {
    id: "host_irq",
    label: "host IRQ",
    title:
      "The host CPU of the thread (or of the vCPU thread) executes interrupt work: hrtimer_interrupt, IPIs, the tick, softirqs, an idle-state exit.",
  },
  {
    id: "host_wait",
    label: "host wait",
    title:
      "The thread, or for a guest sample the vCPU thread, is runnable on a host run queue while another thread runs (run_delay, the guest's steal time).",
  },
  {
    id: "exit_entry",
    label: "VM exit/entry",
    title:
      "The vCPU is out of guest mode in KVM: exit handling (with the series' exit-time hooks), halt-polling, vcpu_enter_guest, fastpath exits.",
  },
  {
    id: "guest_irq",
    label: "guest IRQ",
    title: "The vCPU executes a guest interrupt handler (the LAPIC timer's hrtimer_interrupt, IPIs, device interrupts, softirqs, NMIs).",
  },
  {
    id: "guest_wait",
    label: "guest wait",
    title: "The thread is runnable on the guest's run queue while another guest task runs on its vCPU.",
  },
  {
    id: "context_switch",
    label: "switch",
    title: "The context switch to the thread (host or guest), including the cache refill it pays.",
  },
];

export const PART_IDS: readonly LatencyPart[] = LATENCY_PARTS.map((p) => p.id);

/** The chain in one line, links joined by arrows. */
export function chainText(chain: readonly WhyStep[]): string {
  return chain.map((s) => s.text).join(" → ");
}

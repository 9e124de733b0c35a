/**
 * The vCPU run loop's paths around the series' host hooks (sim-core/kvm/vcpu.ts), one at a time
 * with stub hooks that cost a chosen time: PvHostHooks says each hook returns the CPU time it
 * spent, charged to the context that called it. Against Linux 6.5 (arch/x86/kvm/x86.c,
 * virt/kvm/kvm_main.c) and the v1 series:
 *   - vcpu_enter_guest(): the exit hook (kvm_vcpu_do_pv_sched) runs after every full exit, and
 *     a boost deferred from interrupt context (no patch 2) is applied when the thread next runs,
 *     before the entry, or before the rest of an exit it was preempted in;
 *   - kvm_vcpu_halt(): no halt at all with an interrupt pending at HLT (vcpu_block() sees the
 *     vCPU runnable); kvm_vcpu_block() boosts before schedule() (patch 4) and does not sleep if
 *     an event arrived meanwhile (kvm_vcpu_check_block), and the halt's length adapts the window;
 *   - apic_timer_fn(): a halted vCPU's LAPIC timer is a host hrtimer, taken as a host interrupt
 *     after the platform's delivery delay; its kick boosts in hard interrupt context.
 * Times follow from the constant costs of the test world (COST_DEFAULTS): exit 400 ns, entry
 * 250 ns, +700 ns to inject an interrupt without APICv, a host context switch 1.2 us (+5 us of
 * cache refill after another thread ran 50 us or more), the host's hrtimer interrupt 1.5 us.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { IrqSource, PvHostHooks, Vcpu } from "../../sim-core/kvm/vcpu";
import { COST_DEFAULTS, KVM_DEFAULTS } from "../../sim-core/params";
import { fifoVcpuBesideHostHog, guestHog, MS, US, type World, world } from "./world";

const EXIT = KVM_DEFAULTS.exit_ns;
const ENTRY = KVM_DEFAULTS.entry_ns;
const INJECT = COST_DEFAULTS.inject_without_apicv.median_ns;
const CTX = COST_DEFAULTS.context_switch.median_ns;
const REFILL = COST_DEFAULTS.cache_refill.median_ns;
const HRTIMER = COST_DEFAULTS.hrtimer_irq.median_ns;
/** KVM's x86 halt-polling defaults: halt_poll_ns 200000, grow 2, grow_start 10000, shrink 0. */
const POLL = { maxNs: 200 * US, grow: 2, growStart: 10 * US, shrink: 0 };

interface HookCosts {
  exit?: number;
  kick?: number;
  block?: number;
  /** A boost left pending from interrupt context, applied (once) when the thread next runs. */
  deferred?: number;
}

/**
 * Stub host hooks on `v` costing `costs`; the returned log has one line per call, with the
 * time, and for onRun the thread's switch-in overhead and the work it had left.
 */
function stubHooks(w: World, v: Vcpu, costs: HookCosts) {
  const log: string[] = [];
  const runs: { at: number; ovh: number; remaining: number; mode: string }[] = [];
  let pending = costs.deferred ?? 0;
  const hooks: PvHostHooks = {
    onExit: () => {
      log.push(`exit@${w.eng.now}`);
      return costs.exit ?? 0;
    },
    onKick: (_v, source: IrqSource, hardirq) => {
      log.push(`kick ${source}${hardirq ? " hardirq" : ""}@${w.eng.now}`);
      return costs.kick ?? 0;
    },
    onBlock: () => {
      log.push(`block@${w.eng.now}`);
      return costs.block ?? 0;
    },
    onRun: () => {
      runs.push({ at: w.eng.now, ovh: v.task.ovh, remaining: v.task.remaining, mode: v.mode });
      const c = pending;
      pending = 0;
      return c;
    },
  };
  v.pvHooks = hooks;
  return { log, runs };
}

/** Runs 1 ns at a time until `v` is in `mode`; returns the time (throws after `limitNs`). */
function until(w: World, v: Vcpu, mode: string, limitNs: number): number {
  const end = w.eng.now + limitNs;
  for (let t = w.eng.now; t <= end; t++) {
    w.runTo(t);
    if (v.mode === mode) return w.eng.now;
  }
  throw new Error(`no ${mode} within ${limitNs} ns (${v.mode})`);
}

/**
 * One vCPU on one host CPU, its guest idle (blocked since boot), with stub hooks; 1 ms in, a
 * device interrupt (2 us handler) wakes it, and after the handler the guest executes HLT again.
 * Returns when that HLT exit has been handled (the vCPU is in kvm_vcpu_halt()).
 */
function haltAfterIrq(costs: HookCosts, poll = POLL) {
  const w = world(1, 1, {}, poll);
  const v = w.vcpus[0]!;
  w.runTo(1 * MS);
  assert.equal(v.mode, "blocked");
  const hooks = stubHooks(w, v, costs);
  w.guest!.deliver(0, "device", 2 * US, () => {});
  until(w, v, "exit", 20 * US);
  assert.equal(v.lastExit, "hlt");
  return { w, v, hooks, halted: w.eng.now + EXIT };
}

test("the exit hook's CPU time is spent in the exit, before the entry", () => {
  const { w, v } = guestHog(5 * MS);
  assert.equal(v.mode, "guest");
  const { log } = stubHooks(w, v, { exit: 1500 });
  const t0 = w.eng.now;
  v.exit("msr_other");
  assert.deepEqual(log, [`exit@${t0}`], "kvm_vcpu_do_pv_sched() at the exit");
  w.runTo(t0 + EXIT + 1500 - 1);
  assert.equal(v.mode, "exit");
  w.runTo(t0 + EXIT + 1500);
  assert.equal(v.mode, "enter");
});

test("a deferred boost (no patch 2) is applied when the halted vCPU's thread runs: before the entry", () => {
  const w = world(1, 1);
  const v = w.vcpus[0]!;
  w.runTo(1 * MS);
  assert.equal(v.mode, "blocked");
  const { runs } = stubHooks(w, v, { deferred: 3 * US });
  const t0 = w.eng.now;
  w.guest!.deliver(0, "device", 2 * US, () => {});
  w.runTo(t0);
  // Woken on its idle CPU at once: switched in with the context switch's overhead (no refill:
  // nothing else ran there).
  assert.deepEqual(runs, [{ at: t0, ovh: CTX, remaining: 0, mode: "blocked" }]);
  assert.equal(v.mode, "enter");
  // The switch, the boost, the entry and the injection of the pending interrupt.
  const inGuest = t0 + CTX + 3 * US + ENTRY + INJECT;
  w.runTo(inGuest - 1);
  assert.equal(v.mode, "enter");
  w.runTo(inGuest);
  assert.equal(v.mode, "guest");
});

test("a vCPU preempted while exiting finishes the exit when it runs again, after a deferred boost", () => {
  const w = world(1, 1);
  const v = fifoVcpuBesideHostHog(w);
  const { runs } = stubHooks(w, v, { deferred: 3 * US });
  const t0 = w.eng.now;
  const msrExits = v.exits.msr_other;
  // An MSR write with 1 us of handler work; 300 ns into it the thread drops to SCHED_OTHER and
  // the host hog takes the CPU.
  v.exit("msr_other", 1 * US);
  w.runTo(t0 + 300);
  v.setHostPolicy("other", 0, 0);
  w.runTo(t0 + 300);
  assert.equal(v.runningOn, null);
  assert.equal(v.mode, "exit");
  // Back after the hog's slice, the exit is where it was: 400 + 1000 - 300 ns of it left.
  while (runs.length === 0) w.runTo(w.eng.now + 1 * US);
  const back = runs[0]!;
  assert.deepEqual(back.mode, "exit");
  assert.equal(back.remaining, EXIT + 1 * US - 300);
  // The hog ran for milliseconds: the switch costs the refill too.
  assert.equal(back.ovh, CTX + REFILL);
  const entered = back.at + CTX + REFILL + 3 * US + (EXIT + 1 * US - 300);
  w.runTo(entered - 1);
  assert.equal(v.mode, "exit", "the rest of the exit and the boost before the entry");
  w.runTo(entered);
  assert.equal(v.mode, "enter");
  assert.equal(v.exits.msr_other, msrExits + 1, "one exit, finished");
});

test("kvm_vcpu_block(): the block-time boost takes its own time before schedule()", () => {
  const { w, v, hooks, halted } = haltAfterIrq({ block: 2 * US }, { ...POLL, maxNs: 0 });
  w.runTo(halted);
  assert.equal(v.mode, "blocking");
  assert.deepEqual(hooks.log.slice(-1), [`block@${halted}`]);
  w.runTo(halted + 2 * US - 1);
  assert.equal(v.mode, "blocking");
  assert.equal(w.host.cpus[0]!.curr, v.task, "still running the boost");
  w.runTo(halted + 2 * US);
  assert.equal(v.mode, "blocked");
  assert.equal(w.host.cpus[0]!.curr, null);
});

test("an interrupt pending at HLT: no halt, no poll, no block-time boost; straight back in", () => {
  const w = world(1, 1, {}, POLL);
  const v = w.vcpus[0]!;
  w.runTo(1 * MS);
  const { log } = stubHooks(w, v, { block: 2 * US });
  w.guest!.deliver(0, "device", 2 * US, () => {});
  until(w, v, "exit", 20 * US);
  assert.equal(v.lastExit, "hlt");
  const t0 = w.eng.now;
  // An open window (polling would be allowed: the vCPU thread is the CPU's only task).
  v.halt.windowNs = 10 * US;
  // During the HLT exit another interrupt arrives: it waits for the next entry.
  w.runTo(t0 + 100);
  w.guest!.deliver(0, "device", 2 * US, () => {});
  assert.equal(v.mode, "exit");
  w.runTo(t0 + EXIT);
  assert.equal(v.mode, "enter");
  assert.deepEqual([v.halt.success, v.halt.fail, v.halt.windowNs], [0, 0, 10 * US]);
  assert.ok(v.halt.polledNs === 0, "nothing polled");
  assert.equal(log.filter((l) => l.startsWith("block")).length, 0, "no kvm_vcpu_block()");
  w.runTo(t0 + EXIT + ENTRY + INJECT);
  assert.equal(v.mode, "guest");
});

test("an interrupt during the block-time boost: no sleep, and the halt (the boost's 5 us) grows the window", () => {
  const { w, v, hooks, halted } = haltAfterIrq({ block: 5 * US });
  w.runTo(halted);
  assert.equal(v.mode, "blocking");
  assert.equal(v.halt.windowNs, 0, "closed: no poll before the block");
  w.runTo(halted + 1 * US);
  w.guest!.deliver(0, "device", 2 * US, () => {});
  assert.deepEqual(hooks.log.slice(-1), [`kick device@${halted + 1 * US}`]);
  w.runTo(halted + 5 * US - 1);
  assert.equal(v.mode, "blocking");
  w.runTo(halted + 5 * US);
  assert.equal(v.mode, "enter", "kvm_vcpu_check_block() saw the interrupt");
  assert.equal(w.host.cpus[0]!.curr, v.task);
  // A 5 us halt with a closed window: grown to grow_start.
  assert.equal(v.halt.windowNs, 10 * US);
  w.runTo(halted + 5 * US + ENTRY + INJECT);
  assert.equal(v.mode, "guest");
});

test("the LAPIC timer expiring during the block-time boost is a host hrtimer interrupt: it kicks, and the vCPU does not sleep", () => {
  const { w, v, hooks, halted } = haltAfterIrq({ block: 5 * US });
  w.runTo(halted + 1 * US);
  assert.equal(v.mode, "blocking");
  const timerExits = v.exits.timer;
  w.guest!.deliver(0, "timer", 2 * US, () => {});
  // apic_timer_fn() runs at the end of the host's 1.5 us interrupt, which the boost waits for.
  const kicked = halted + 1 * US + HRTIMER;
  w.runTo(kicked);
  assert.deepEqual(hooks.log.slice(-1), [`kick timer hardirq@${kicked}`]);
  assert.equal(v.exits.timer, timerExits, "not the preemption timer's fastpath exit");
  const boosted = halted + 5 * US + HRTIMER;
  w.runTo(boosted - 1);
  assert.equal(v.mode, "blocking");
  w.runTo(boosted);
  assert.equal(v.mode, "enter");
  // The halt: the boost and the interrupt in it, 6.5 us.
  assert.equal(v.halt.windowNs, 10 * US);
  w.runTo(boosted + ENTRY + INJECT);
  assert.equal(v.mode, "guest");
});

test("a blocked vCPU's LAPIC timer: the host takes the hrtimer interrupt at expiry, or after the platform's delivery delay", () => {
  for (const delay of [0, 3 * US]) {
    const w = world(1, 1);
    const v = w.vcpus[0]!;
    w.runTo(1 * MS);
    assert.equal(v.mode, "blocked");
    const { log, runs } = stubHooks(w, v, {});
    w.host.deliveryDelay = () => delay;
    const t0 = w.eng.now;
    const cpu = w.host.cpus[0]!;
    w.guest!.deliver(0, "timer", 2 * US, () => {});
    assert.equal(cpu.inIrq, delay === 0, `${delay} ns: the interrupt in service at once only without a delay`);
    if (delay > 0) {
      w.runTo(t0 + delay - 1);
      assert.equal(cpu.inIrq, false);
      w.runTo(t0 + delay);
      assert.equal(cpu.inIrq, true);
    }
    const kicked = t0 + delay + HRTIMER;
    w.runTo(kicked);
    assert.deepEqual(log, [`kick timer hardirq@${kicked}`]);
    // The kick wakes the vCPU thread on its idle CPU there and then.
    assert.deepEqual(
      runs.map((r) => r.at),
      [kicked],
    );
    w.runTo(kicked + CTX + ENTRY + INJECT);
    assert.equal(v.mode, "guest");
  }
});

test("the LAPIC timer's kick boost is host interrupt time: the vCPU thread runs only after it", () => {
  const w = world(1, 1);
  const v = w.vcpus[0]!;
  w.runTo(1 * MS);
  const { log, runs } = stubHooks(w, v, { kick: 2 * US });
  const cpu = w.host.cpus[0]!;
  const t0 = w.eng.now;
  w.guest!.deliver(0, "timer", 2 * US, () => {});
  // A second host interrupt (1 us) arrives behind the hrtimer's.
  cpu.raiseIrq(1 * US, () => {});
  w.runTo(t0 + HRTIMER);
  assert.deepEqual(log, [`kick timer hardirq@${t0 + HRTIMER}`]);
  // Interrupt work: the hrtimer's 1.5 us, the boost's 2 us, the other interrupt's 1 us.
  const irqsDone = t0 + HRTIMER + 2 * US + 1 * US;
  w.runTo(irqsDone - 1);
  assert.equal(runs.length, 0);
  assert.equal(cpu.inIrq, true);
  w.runTo(irqsDone);
  assert.deepEqual(
    runs.map((r) => r.at),
    [irqsDone],
  );
});

test("the LAPIC timer's kick boost is charged to the hrtimer interrupt even when no other interrupt follows it", () => {
  const w = world(1, 1);
  const v = w.vcpus[0]!;
  w.runTo(1 * MS);
  const { runs } = stubHooks(w, v, { kick: 2 * US });
  const t0 = w.eng.now;
  w.guest!.deliver(0, "timer", 2 * US, () => {});
  w.runTo(t0 + HRTIMER + 2 * US);
  assert.deepEqual(
    runs.map((r) => r.at),
    [t0 + HRTIMER + 2 * US],
  );
});

test("the kick boost: a kicked interrupt calls it from process context, a posted one never", () => {
  for (const posted of [false, true]) {
    const { w, v } = guestHog(5 * MS, { posted_interrupts: posted }, { ...POLL, maxNs: 0 });
    assert.equal(v.mode, "guest");
    const { log } = stubHooks(w, v, {});
    w.guest!.deliver(0, "device", 2 * US, () => {});
    // Kicked: an external-interrupt exit, and its hook; posted: neither.
    assert.deepEqual(log, posted ? [] : [`kick device@${w.eng.now}`, `exit@${w.eng.now}`], posted ? "posted" : "kicked");
  }
});

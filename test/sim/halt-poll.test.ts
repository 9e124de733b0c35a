/**
 * KVM's adaptive halt-polling window (sim-core/kvm/halt_poll.ts) against kvm_vcpu_halt(),
 * grow_halt_poll_ns() and shrink_halt_poll_ns() of Linux 6.5 (virt/kvm/kvm_main.c). Expected
 * windows are worked out by hand from those functions:
 *   halt_ns <= window                              -> unchanged
 *   window && halt_ns > max                        -> shrink: window / shrink (0 if shrink is 0),
 *                                                     then 0 if below grow_start
 *   window < max && halt_ns < max                  -> grow: window * grow, at least grow_start
 *   max == 0                                       -> 0
 * The model clamps a grown window to max at once; the kernel clamps it at the next halt's start,
 * before it polls, so both poll for the same time.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Scenario, simulate } from "../../sim-core/index";
import { HaltPoll } from "../../sim-core/kvm/halt_poll";
import { hog, MS, world } from "./world";

const US = 1_000;
/** KVM's x86 defaults: halt_poll_ns 200000, grow 2, grow_start 10000, shrink 0. */
const DEFAULTS = { maxNs: 200 * US, grow: 2, growStart: 10 * US, shrink: 0 };

test("grow: a short halt opens the window at grow_start, then doubles it up to halt_poll_ns", () => {
  const h = new HaltPoll(DEFAULTS);
  assert.equal(h.windowNs, 0, "halt_poll_ns starts at 0");
  const seen: number[] = [];
  // Each halt is longer than the window (so the window is too small) and shorter than the max.
  for (const halt of [5, 15, 25, 45, 90, 170, 199]) {
    h.adapt(halt * US);
    seen.push(h.windowNs / US);
  }
  // 0 * 2 < 10 us -> 10; 20; 40; 80; 160; 320 -> capped at 200; a 199 us halt fits: unchanged.
  assert.deepEqual(seen, [10, 20, 40, 80, 160, 200, 200]);
});

test("a halt that fits the window leaves it as it is, whatever its length", () => {
  const h = new HaltPoll(DEFAULTS);
  h.adapt(5 * US);
  h.adapt(15 * US);
  assert.equal(h.windowNs, 20 * US);
  for (const halt of [0, 1, 19_999, 20_000]) {
    h.adapt(halt);
    assert.equal(h.windowNs, 20 * US, `after a ${halt} ns halt`);
  }
});

test("shrink: a halt longer than halt_poll_ns with shrink 0 closes the window; an open window is needed", () => {
  const h = new HaltPoll(DEFAULTS);
  for (const halt of [5, 15, 25]) h.adapt(halt * US);
  assert.equal(h.windowNs, 40 * US);
  h.adapt(200 * US + 1);
  assert.equal(h.windowNs, 0, "a long block shrinks to 0 (halt_poll_ns_shrink = 0)");
  // With a closed window a long halt neither shrinks nor grows it (halt_ns is not < max).
  h.adapt(300 * US);
  assert.equal(h.windowNs, 0);
  // A halt of exactly halt_poll_ns is neither long (> max) nor short (< max).
  h.adapt(15 * US);
  assert.equal(h.windowNs, 10 * US);
  h.adapt(200 * US);
  assert.equal(h.windowNs, 10 * US, "halt_ns == max: unchanged");
});

test("shrink by a factor: the window is divided (integer division) and dropped below grow_start", () => {
  const h = new HaltPoll({ ...DEFAULTS, shrink: 3 });
  for (const halt of [5, 15, 25, 45, 90]) h.adapt(halt * US);
  assert.equal(h.windowNs, 160 * US);
  h.adapt(500 * US);
  // 160000 / 3 = 53333.3 -> 53333.
  assert.equal(h.windowNs, 53_333);
  h.adapt(500 * US);
  // 17777, still >= 10000.
  assert.equal(h.windowNs, 17_777);
  h.adapt(500 * US);
  // 5925 < grow_start: 0.
  assert.equal(h.windowNs, 0);
  // Exactly grow_start survives a shrink (val < grow_start drops it, val == grow_start not).
  const g = new HaltPoll({ maxNs: 200 * US, grow: 2, growStart: 10 * US, shrink: 2 });
  g.windowNs = 20 * US;
  g.adapt(300 * US);
  assert.equal(g.windowNs, 10 * US);
});

test("a grow factor and a grow_start other than the defaults", () => {
  const h = new HaltPoll({ maxNs: 1000 * US, grow: 3, growStart: 7 * US, shrink: 0 });
  for (const halt of [1, 8, 22]) h.adapt(halt * US);
  // 0 -> 7 (grow_start); 7 * 3 = 21; 21 * 3 = 63.
  assert.equal(h.windowNs, 63 * US);
  // A grown window above grow_start is not raised to it: 63 * 3 = 189.
  h.adapt(100 * US);
  assert.equal(h.windowNs, 189 * US);
});

test("halt_poll_ns 0 disables polling: the window is 0 after every halt, even one left open", () => {
  const h = new HaltPoll({ ...DEFAULTS, maxNs: 0 });
  h.adapt(5 * US);
  assert.equal(h.windowNs, 0);
  // A window left from before halt_poll_ns was lowered to 0 (the module parameter is writable):
  // kvm_vcpu_halt() zeroes it whatever the halt's length.
  h.windowNs = 40 * US;
  h.adapt(1 * US);
  assert.equal(h.windowNs, 0);
});

/** One host CPU, one vCPU with KVM's default halt-polling, and a guest with nothing to run. */
function polling() {
  const w = world(1, 1, {}, DEFAULTS);
  const v = w.vcpus[0]!;
  const g = w.guest!;
  /** A device interrupt for the guest (2 us handler) now. */
  const irq = () => g.deliver(0, "device", 2 * US, () => {});
  /** Runs 1 ns at a time until the vCPU thread is in `mode`; returns the time it got there. */
  const until = (mode: string, limitNs: number) => {
    const end = w.eng.now + limitNs;
    for (let t = w.eng.now; t <= end; t++) {
      w.runTo(t);
      if (v.mode === mode) return w.eng.now;
    }
    throw new Error(`no ${mode} within ${limitNs} ns (${v.mode})`);
  };
  /**
   * A 1 ms halt (too long to grow the window), then one of under 30 us (it opens the window at
   * grow_start): returns when the next halt starts polling.
   */
  const firstPoll = () => {
    w.runTo(1 * MS);
    irq();
    w.runTo(1 * MS + 30 * US);
    irq();
    return until("poll", 20 * US);
  };
  return { w, v, irq, until, firstPoll };
}

test("run loop: a short halt grows the window, the next halt polls it out and blocks (a failed poll)", () => {
  const { w, v, irq, until } = polling();
  w.runTo(1 * MS);
  // Halted since boot with a closed window: no poll, and a 1 ms halt is too long to grow it.
  assert.equal(v.mode, "blocked");
  irq();
  w.runTo(1 * MS + 30 * US);
  assert.equal(v.halt.windowNs, 0, "the 1 ms halt (> halt_poll_ns) did not grow it");
  assert.equal(v.mode, "blocked", "halted again after the interrupt");
  irq();
  // That halt lasted < 30 us: the window opens at grow_start, and the next halt polls it.
  const pollStart = until("poll", 20 * US);
  assert.equal(v.halt.windowNs, 10 * US);
  const blocked = until("blocked", 20 * US);
  assert.equal(blocked - pollStart, 10 * US, "it polled the whole window");
  assert.deepEqual([v.halt.success, v.halt.fail, v.halt.polledNs], [0, 1, 10 * US]);
  // The next wake-up ends a halt of about 1 ms (> halt_poll_ns) with an open window: shrink to 0.
  w.runTo(2 * MS);
  irq();
  w.runTo(2 * MS + 20 * US);
  assert.equal(v.halt.windowNs, 0);
  assert.equal(v.mode, "blocked", "and the halt after it blocks at once");
  assert.equal(v.halt.fail, 1);
});

test("run loop: an interrupt during the poll ends it at once: a successful poll, no block, the window kept", () => {
  const { w, v, irq, firstPoll } = polling();
  const pollStart = firstPoll();
  w.runTo(pollStart + 3 * US);
  irq();
  assert.equal(v.mode, "enter", "straight back to the guest");
  assert.deepEqual([v.halt.success, v.halt.fail, v.halt.polledNs], [1, 0, 3 * US]);
  // The halt (3 us) fitted the window: unchanged.
  assert.equal(v.halt.windowNs, 10 * US);
});

test("run loop: a host task waking on the CPU stops the poll (need_resched); with one queued, the vCPU never polls", () => {
  const { w, v, irq, firstPoll } = polling();
  const pollStart = firstPoll();
  w.runTo(pollStart + 4 * US);
  const h = hog("host-hog");
  w.host.addTask(h, 0, undefined);
  w.host.wakeTask(h);
  assert.equal(v.mode, "blocked", "kvm_vcpu_check_block() saw the CPU wanted: it blocks");
  assert.deepEqual([v.halt.success, v.halt.fail, v.halt.polledNs], [0, 1, 4 * US]);
  w.runTo(pollStart + 10 * US);
  assert.equal(w.host.cpus[0]!.curr, h);
  // With the hog runnable beside it the vCPU thread is not the CPU's single task: no poll.
  for (let k = 0; k < 5; k++) {
    w.runTo(w.eng.now + 200 * US);
    irq();
  }
  w.runTo(w.eng.now + 200 * US);
  assert.equal(v.halt.fail, 1, "no further poll");
  assert.equal(v.halt.polledNs, 4 * US);
  assert.ok(v.exits.hlt >= 5, `it kept halting (${v.exits.hlt} HLT exits)`);
});

test("a guest timer every 100 us: the window grows past the ~80 us halts and then every halt ends in a successful poll", () => {
  const s: Scenario = {
    name: "poll hits",
    duration_s: 1,
    warmup_ms: 0,
    host: { cpus: 1, cost_model: "constant", noise: false },
    vms: [
      {
        name: "vm",
        vcpus: 1,
        workloads: [{ kind: "periodic", id: "g", period_us: 100, work: { const_us: 10 }, policy: "fifo", priority: 50 }],
      },
    ],
    modes: ["vanilla"],
  };
  const v = simulate(s, "vanilla").vcpus[0]!;
  // Windows of 10, 20, 40, 80 us fail (the halt is longer), 160 us covers it: a handful of
  // failures, then one success per period (~10,000 in 1 s).
  assert.ok(v.halt_poll_fail <= 8, `fail ${v.halt_poll_fail}`);
  assert.ok(v.halt_poll_success > 9000, `success ${v.halt_poll_success}`);
  // Polled time: at most the halts' length, ~90 us a period.
  assert.ok(v.halt_poll_ns < 0.95e9, `polled ${v.halt_poll_ns} ns`);
});

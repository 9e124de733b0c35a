/**
 * What executes on a CPU (sim-core/sched/cpu.ts) segment by segment, on a bare CPU with constant
 * costs (switch 1 us, interrupt 3 us: test/sim/cpu-bare.ts), so every expected time is a sum:
 * - an interrupt that a new one finds half done keeps only what is left (the second runs after
 *   the first's remainder, not after all of it);
 * - the switch overhead an interrupt cuts is paid after the interrupt, the rest of it only, in
 *   its own segment (before the return to user mode) or at the head of the task's segment;
 * - the wake-up latency is taken at the woken task's first instruction: the end of the switch
 *   overhead (at the switch itself when it costs nothing), once per wake-up, and when a hook
 *   stopped the CPU there, when it executes again;
 * - continueIrq(): more work of the interrupt completing now runs before the one queued
 *   behind, as the same interrupt (no second irq entry);
 * - inIrq and irqPending: a KVM fastpath item is not interrupt context, an interrupt in service
 *   is no longer pending;
 * - defer(): work asked for inside a segment's handler runs at its end, after the reschedule the
 *   handler asked for and before other events of that instant;
 * - a C-state's exit latency runs before anything on a wake-up; re-plans of an idle CPU do not
 *   enter the state again (cpuidle counts one entry per idle period).
 * Expected values are worked out by hand from the costs, never read from a run.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { IRQ_FAST, IRQ_SOFT } from "../../sim-core/sched/cpu";
import { CpuIdle } from "../../sim-core/sched/cpuidle";
import { bareCpu, COST, spinner, US, worker } from "./cpu-bare";

const noop = () => {};

test("an interrupt that a second one finds half done keeps the half left: 10 us from 100 us ends at 110 us", () => {
  const b = bareCpu();
  b.cpu.wake(spinner("h"));
  const done: [string, number][] = [];
  let left = -1;
  b.eng.at(100 * US, () => b.cpu.raiseIrq(10 * US, () => done.push(["i1", b.eng.now])));
  b.eng.at(105 * US, () => {
    b.cpu.raiseIrq(10 * US, () => done.push(["i2", b.eng.now]));
    left = b.cpu.irqQ[0]!.remaining;
  });
  b.runTo(200 * US);
  assert.equal(left, 5 * US, "5 of its 10 us ran");
  // i1: 100..110 us; i2, queued behind it: 110..120 us.
  assert.deepEqual(done, [
    ["i1", 110 * US],
    ["i2", 120 * US],
  ]);
});

test("the switch overhead an interrupt cuts is paid after it, the 0.6 us left: user mode at 4 us", () => {
  const b = bareCpu();
  const returns: number[] = [];
  b.cpu.hooks.onUserReturn = () => returns.push(b.eng.now);
  const ends: number[] = [];
  const s = worker("s", 10 * US, ends);
  b.cpu.wake(s);
  let ovhLeft = -1;
  // Switched in at 0 with 1 us of overhead; 0.4 us in, a 3 us interrupt.
  b.eng.at(400, () => {
    b.cpu.raiseIrq(COST.irq, noop);
    ovhLeft = s.ovh;
  });
  b.runTo(100 * US);
  assert.equal(ovhLeft, 600);
  // Interrupt 0.4..3.4 us, the overhead's 0.6 us to 4 us, then its 10 us of work.
  assert.deepEqual(returns, [4 * US]);
  assert.deepEqual(ends, [14 * US]);
});

test("a task segment that starts with the overhead pays the overhead first: cut 0.4 us in, no work done", () => {
  // No return-to-user hook and no wake-up sample: the overhead is the head of the task segment.
  const b = bareCpu();
  const ends: number[] = [];
  const s = worker("s", 10 * US, ends);
  b.cpu.wake(s);
  const seen: number[] = [];
  b.eng.at(400, () => {
    b.cpu.raiseIrq(COST.irq, noop);
    seen.push(s.ovh, s.remaining);
  });
  // 1.2 us after the interrupt (0.6 us of overhead, then 0.6 us of work).
  b.eng.at(4_600, () => {
    b.cpu.settle();
    seen.push(s.ovh, s.remaining, b.cpu.accountedAt);
  });
  b.runTo(100 * US);
  assert.deepEqual(seen, [600, 10 * US, 0, 10 * US - 600, 4_600]);
  assert.deepEqual(ends, [14 * US]);
});

test("the wake-up latency is taken at the first instruction, after the 1 us switch, once", () => {
  const b = bareCpu();
  const samples: [number, number][] = [];
  const s = worker("s", 10 * US);
  // Due at 0 (a timer's expiry), woken 2 us late.
  s.wakeTarget = 0;
  s.onWakeLatency = (lat, now) => samples.push([lat, now]);
  b.eng.at(2 * US, () => b.cpu.wake(s));
  // A task with a target and nothing to record it: the target is consumed all the same.
  const quiet = worker("quiet", 10 * US);
  quiet.wakeTarget = 30 * US;
  b.eng.at(30 * US, () => b.cpu.wake(quiet));
  b.runTo(100 * US);
  assert.deepEqual(samples, [[3 * US, 3 * US]]);
  assert.equal(s.wakeTarget, -1);
  assert.equal(quiet.wakeTarget, -1);
});

test("a switch that costs nothing: the woken task's first instruction is at the switch", () => {
  const b = bareCpu({}, 0);
  const samples: [number, number][] = [];
  const s = worker("s", 10 * US);
  s.wakeTarget = 0;
  s.onWakeLatency = (lat, now) => samples.push([lat, now]);
  b.eng.at(2 * US, () => b.cpu.wake(s));
  b.runTo(100 * US);
  assert.deepEqual(samples, [[2 * US, 2 * US]]);
});

test("one sample per wake-up: switched in again after a preemption, the task records nothing", () => {
  const b = bareCpu();
  const returns: string[] = [];
  b.cpu.hooks.onUserReturn = (_c, t) => returns.push(t.name);
  const samples: number[] = [];
  const s = worker("s", 20 * US);
  s.wakeTarget = 0;
  s.onWakeLatency = (lat) => samples.push(lat);
  b.cpu.wake(s);
  // An RT task preempts s 5 us in and runs 4 us of work: s is back at 5 + 1 + 4 = 10 us.
  const r = worker("r", 4 * US, [], "fifo", 50);
  b.eng.at(5 * US, () => b.cpu.wake(r));
  // A kernel thread with a wake-up target: sampled, but it never returns to user mode.
  const k = worker("k", 2 * US);
  k.kthread = true;
  k.wakeTarget = 50 * US;
  k.onWakeLatency = (lat) => samples.push(lat);
  b.eng.at(50 * US, () => b.cpu.wake(k));
  b.runTo(100 * US);
  // s: 1 us switch at 0; k, woken on the idle CPU at 50 us: 1 us switch.
  assert.deepEqual(samples, [1 * US, 1 * US]);
  assert.deepEqual(returns, ["s", "r", "s"]);
});

test("a hook that stops the CPU at the return to user mode: the sample is taken when it executes again", () => {
  // A guest's synchronous exit at exit_to_user_mode: the task's first instruction is after it.
  const b = bareCpu();
  const samples: [number, number][] = [];
  const s = worker("s", 10 * US);
  s.wakeTarget = 0;
  s.onWakeLatency = (lat, now) => samples.push([lat, now]);
  let exits = 0;
  b.cpu.hooks.onUserReturn = (cpu) => {
    exits++;
    cpu.setActive(false);
    b.eng.at(b.eng.now + 5 * US, () => cpu.setActive(true));
  };
  b.cpu.wake(s);
  b.runTo(100 * US);
  assert.equal(exits, 1);
  // Overhead 0..1 us, stopped 1..6 us: first instruction at 6 us.
  assert.deepEqual(samples, [[6 * US, 6 * US]]);
});

test("continueIrq(): the completing interrupt's more work runs before the one queued behind, as the same interrupt", () => {
  const b = bareCpu();
  b.cpu.wake(spinner("h"));
  const entries: number[] = [];
  b.cpu.hooks.onIrqEntry = () => entries.push(b.eng.now);
  const exits: number[] = [];
  b.cpu.hooks.onIrqExit = () => exits.push(b.eng.now);
  const done: [string, number][] = [];
  b.eng.at(100 * US, () =>
    b.cpu.raiseIrq(3 * US, () => {
      done.push(["i1", b.eng.now]);
      b.cpu.continueIrq(2 * US, () => done.push(["i1+", b.eng.now]));
    }),
  );
  b.eng.at(101 * US, () => b.cpu.raiseIrq(3 * US, () => done.push(["i2", b.eng.now])));
  b.runTo(200 * US);
  // i1 100..103, its continuation 103..105, then i2 105..108.
  assert.deepEqual(done, [
    ["i1", 103 * US],
    ["i1+", 105 * US],
    ["i2", 108 * US],
  ]);
  // Two interrupts entered: i1 at 100 us and i2 at 105 us; the continuation is not an entry.
  assert.deepEqual(entries, [100 * US, 105 * US]);
  // One irq exit, when the queue is empty.
  assert.deepEqual(exits, [108 * US]);
});

test("interrupt work that costs nothing, at time 0, still completes", () => {
  const b = bareCpu();
  const done: number[] = [];
  b.cpu.raiseIrq(0, () => done.push(b.eng.now));
  b.runTo(10 * US);
  assert.deepEqual(done, [0]);
});

test("inIrq and irqPending: a fastpath item is not an interrupt; an interrupt in service is not pending", () => {
  const b = bareCpu();
  b.cpu.wake(spinner("h"));
  const entries: number[] = [];
  b.cpu.hooks.onIrqEntry = (_c, kind) => entries.push(kind);
  const seen: Record<string, [boolean, boolean]> = {};
  const look = (k: string) => {
    seen[k] = [b.cpu.inIrq, b.cpu.irqPending];
  };
  b.eng.at(10 * US, () => {
    look("none");
    b.cpu.queueIrq(2 * US, noop, IRQ_FAST);
    look("fast queued");
    b.cpu.replan();
    look("fast running");
  });
  b.eng.at(20 * US, () => {
    b.cpu.queueIrq(2 * US, noop, IRQ_SOFT);
    look("soft queued");
    b.cpu.replan();
    look("soft running");
  });
  b.runTo(30 * US);
  assert.deepEqual(seen, {
    none: [false, false],
    "fast queued": [false, false],
    "fast running": [false, false],
    "soft queued": [true, true],
    "soft running": [true, false],
  });
  // Only the softirq entered interrupt context.
  assert.deepEqual(entries, [IRQ_SOFT]);
});

test("defer(): inside a segment's handler at its end, after the reschedule it asked for; outside, as an event now", () => {
  const b = bareCpu();
  b.cpu.wake(spinner("h"));
  const r = worker("r", 5 * US, [], "fifo", 50);
  const log: [string, number, string][] = [];
  const note = (what: string) => log.push([what, b.eng.now, b.cpu.curr?.name ?? "idle"]);
  b.eng.at(100 * US, () =>
    b.cpu.raiseIrq(COST.irq, () => {
      // An event at the same instant, queued first, and a wake-up that preempts h.
      b.eng.at(b.eng.now, () => note("event"));
      b.cpu.wake(r);
      b.cpu.defer(() => note("deferred"));
    }),
  );
  b.eng.at(200 * US, () => {
    b.cpu.defer(() => note("outside"));
    note("caller");
  });
  b.runTo(300 * US);
  // The handler ends at 103 us; r is switched in there, before the deferred work runs.
  assert.deepEqual(log, [
    ["deferred", 103 * US, "r"],
    ["event", 103 * US, "r"],
    ["caller", 200 * US, "h"],
    ["outside", 200 * US, "h"],
  ]);
});

test("a C-state's exit latency runs first on a wake-up; re-plans while idle do not re-enter the state", () => {
  const b = bareCpu();
  // One state that every idle period enters (residency 0); its exit costs half of 20 us.
  b.cpu.idle = new CpuIdle([{ name: "C1", exit_latency_us: 20, target_residency_us: 0 }], () => Number.POSITIVE_INFINITY, null);
  const ends: number[] = [];
  const s = worker("s", 10 * US, ends);
  b.cpu.wake(s);
  b.eng.at(50 * US, () => {
    b.cpu.replan();
    b.cpu.replan();
  });
  b.eng.at(100 * US, () => {
    s.remaining = 10 * US;
    b.cpu.wake(s);
  });
  b.runTo(200 * US);
  // Idle from 11 us (one entry); woken at 100 us: exit 100..110, switch to 111, work to 121 us,
  // then idle again (the second entry).
  assert.deepEqual(ends, [11 * US, 121 * US]);
  assert.deepEqual(b.cpu.idle.entries, [2]);
});

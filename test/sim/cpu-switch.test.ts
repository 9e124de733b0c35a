/**
 * __schedule() and the context switch on a CPU (sim-core/sched/cpu.ts), and the tick, on a bare
 * CPU with constant costs (switch 1 us, refill 10 us, tick 2 us, interrupt 3 us:
 * test/sim/cpu-bare.ts), against kernel/sched/core.c and rt.c of Linux 6.5:
 * - schedule() is not a preemption point in an interrupt or while the CPU does not execute (a
 *   guest CPU whose vCPU is out): the switch waits for the irq exit or the activation;
 * - the extra cost left for the next switch (`pendingOvh`) is added once, to the next task only;
 * - the cache refill is paid by a task with a large working set only when another task ran here
 *   at least refill_after_ns (50 us, COST_DEFAULTS) since the last switch, never from idle;
 * - avg_rt: put_prev_task_rt() counts the RT time at the switch out, set_next_task_rt() closes
 *   the non-RT stretch before an RT task starts, the tick counts the running RT task's time;
 * - the tick: nothing on an idle CPU, an interrupt of the tick's cost then the checks, with the
 *   RR slice charged with the time since the last accounting; TIMER/RCU softirqs raised with
 *   the per-tick chance (a draw below it).
 * Expected values are worked out by hand from the costs and those rules.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Rng } from "../../sim-core/rng";
import { IRQ_HARD, IRQ_SOFT } from "../../sim-core/sched/cpu";
import type { Task } from "../../sim-core/sched/task";
import { type Bare, bareCpu, COST, MS, spinner, ticks, US, worker } from "./cpu-bare";

const noop = () => {};

/** The switches of `b`'s CPU as [next, time, next's overhead then]. */
function switches(b: Bare): [string, number, number][] {
  const out: [string, number, number][] = [];
  b.cpu.hooks.onSwitch = (_c, next: Task | null) => out.push([next?.name ?? "idle", b.eng.now, next?.ovh ?? 0]);
  return out;
}

/**
 * A fair spinner `h` running from 0 and a SCHED_FIFO 50 task `r` of 5 us of work, not yet woken;
 * `ends` gets the time `r` finishes.
 */
function hogThenRtWorker() {
  const b = bareCpu();
  const sw = switches(b);
  b.cpu.wake(spinner("h"));
  const ends: number[] = [];
  const r = worker("r", 5 * US, ends, "fifo", 50);
  return { b, sw, r, ends };
}

test("schedule() in an interrupt is not a preemption point: the RT task woken at 100 us switches in at the irq exit", () => {
  const { b, sw, r, ends } = hogThenRtWorker();
  // The reschedule is asked for first (an event at 100 us), the interrupt arrives before it runs.
  b.eng.at(100 * US, () => {
    b.cpu.wake(r);
    b.cpu.raiseIrq(COST.irq, noop);
  });
  b.runTo(200 * US);
  // Interrupt 100..103 us; r: switch 103..104, work to 109 us; h back at 109 us.
  assert.deepEqual(
    sw.map(([n, t]) => [n, t]),
    [
      ["h", 0],
      ["r", 103 * US],
      ["h", 109 * US],
    ],
  );
  assert.deepEqual(ends, [109 * US]);
});

test("schedule() on a CPU that does not execute waits for it to execute: the switch is at the activation", () => {
  const { b, sw, r, ends } = hogThenRtWorker();
  b.eng.at(100 * US, () => {
    b.cpu.wake(r);
    b.cpu.setActive(false);
  });
  b.eng.at(150 * US, () => b.cpu.setActive(true));
  b.runTo(200 * US);
  assert.deepEqual(
    sw.map(([n, t]) => [n, t]),
    [
      ["h", 0],
      ["r", 150 * US],
      ["h", 156 * US],
    ],
  );
  assert.deepEqual(ends, [156 * US]);
});

test("pendingOvh is paid by the next task switched in, once: 1 us + 0.5 us, then 1 us again", () => {
  const { b, sw, r, ends } = hogThenRtWorker();
  b.eng.at(100 * US, () => {
    b.cpu.pendingOvh = 500;
    b.cpu.wake(r);
  });
  b.runTo(200 * US);
  assert.deepEqual(sw, [
    ["h", 0, COST.cs],
    ["r", 100 * US, COST.cs + 500],
    ["h", 106.5 * US, COST.cs],
  ]);
  assert.deepEqual(ends, [106.5 * US]);
});

/**
 * A large-working-set hog `a` runs from 0; an RT task preempts it at 1 ms and blocks after
 * `workNs`. Returns a's overhead when it is switched back in.
 */
function refillAfter(workNs: number): number {
  const b = bareCpu();
  const sw = switches(b);
  const a = spinner("a");
  a.largeWorkingSet = true;
  b.cpu.wake(a);
  b.eng.at(1 * MS, () => b.cpu.wake(worker("r", workNs, [], "fifo", 50)));
  b.runTo(2 * MS);
  assert.deepEqual(
    sw.map(([n, t]) => [n, t]),
    [
      ["a", 0],
      ["r", 1 * MS],
      ["a", 1 * MS + COST.cs + workNs],
    ],
  );
  // From idle at 0: the switch alone.
  assert.equal(sw[0]![2], COST.cs);
  return sw[2]![2];
}

test("the cache refill: only after another task ran at least 50 us (switch included) since the last switch", () => {
  // r ran 1 us of switch and 49 us of work: 50 us, the refill is due.
  assert.equal(refillAfter(49 * US), COST.cs + COST.refill);
  // 1 ns less: not long enough to evict a's working set.
  assert.equal(refillAfter(49 * US - 1), COST.cs);
});

test("no refill from idle, however long another task ran before the CPU went idle", () => {
  const b = bareCpu();
  const sw = switches(b);
  const big = worker("big", 1 * MS);
  big.largeWorkingSet = true;
  b.cpu.wake(big);
  const a = worker("a", 10 * US);
  a.largeWorkingSet = true;
  b.eng.at(2 * MS, () => b.cpu.wake(a));
  b.runTo(3 * MS);
  assert.deepEqual(sw, [
    ["big", 0, COST.cs],
    ["idle", 1 * MS + COST.cs, 0],
    ["a", 2 * MS, COST.cs],
    ["idle", 2 * MS + COST.cs + 10 * US, 0],
  ]);
});

test("avg_rt at the switches: an RT task's 10 ms count as RT time, the 50 ms of fair time before it do not", () => {
  const b = bareCpu();
  b.cpu.wake(spinner("h"));
  const r = worker("r", 10 * MS - COST.cs, [], "fifo", 50);
  b.eng.at(50 * MS, () => b.cpu.wake(r));
  let util = -1;
  b.eng.at(70 * MS, () => {
    util = b.cpu.rtUtil();
  });
  b.runTo(70 * MS);
  // RT ran 50..60 ms: 1024 (1 - y^(10000/1024)), y^32 = 1/2, is 195, then 10 ms of decay:
  // 195 y^(10000/1024) = 158 (PELT's 1024 us periods round it down a little).
  assert.ok(util >= 145 && util <= 165, `util_avg ${util}`);
});

test("the tick counts the running RT task's time as RT: 8 ms of RT, a tick at 4 ms, avg_rt near 159", () => {
  const b = bareCpu();
  b.cpu.wake(spinner("r", "fifo", 50));
  ticks(b, 4 * MS, 4 * MS);
  let util = -1;
  b.eng.at(8 * MS, () => {
    util = b.cpu.rtUtil();
  });
  b.runTo(8 * MS);
  // 1024 (1 - y^(8000/1024)) = 159; counting 0..4 ms as not RT would leave 1024 (1 - y^(4000/1024)) = 81.
  assert.ok(util >= 145 && util <= 165, `util_avg ${util}`);
});

test("no tick on an idle CPU; on a busy one an interrupt of the tick's cost, a host vCPU exiting first", () => {
  const b = bareCpu();
  const before: number[] = [];
  b.cpu.hooks.beforeIrq = () => before.push(b.eng.now);
  const entries: number[] = [];
  b.cpu.hooks.onIrqEntry = () => entries.push(b.eng.now);
  b.eng.at(1 * MS, () => b.cpu.tick());
  b.eng.at(2 * MS, () => b.cpu.wake(spinner("h")));
  b.eng.at(3 * MS, () => b.cpu.tick());
  b.runTo(4 * MS);
  assert.deepEqual(before, [3 * MS]);
  assert.deepEqual(entries, [3 * MS]);
  assert.equal(b.cpu.stats.context_switches, 1);
});

test("SCHED_RR: the tick charges the slice with the time since the last accounting; 100 ms, then the other", () => {
  const b = bareCpu();
  const sw = switches(b);
  b.cpu.wake(spinner("a", "rr", 10));
  b.cpu.wake(spinner("b", "rr", 10));
  ticks(b, 4 * MS, 120 * MS);
  b.runTo(120 * MS);
  // a from 0; each tick's checks run after its 2 us interrupt: at the 25th (100 ms + 2 us) a has
  // run 100.002 ms, its 100 ms slice is out, and b (same priority) takes over at once.
  assert.deepEqual(
    sw.map(([n, t]) => [n, t]),
    [
      ["a", 0],
      ["b", 100 * MS + COST.tick],
    ],
  );
});

/** A stream whose every draw is `x`. */
function constRng(x: number): Rng {
  return { float: () => x } as unknown as Rng;
}

test("the tick's softirq: raised when the draw is below the chance, not at it", () => {
  const kinds = (p: number): [number, number][] => {
    const b = bareCpu({}, COST.cs, { p, rng: constRng(0.3), cost: () => 7 * US });
    const out: [number, number][] = [];
    b.cpu.hooks.onIrqEntry = (_c, kind) => out.push([kind, b.eng.now]);
    b.cpu.wake(spinner("h"));
    ticks(b, 4 * MS, 4 * MS);
    b.runTo(5 * MS);
    return out;
  };
  // The tick's interrupt 4..4.002 ms; the softirq it raises at its end.
  assert.deepEqual(kinds(0.5), [
    [IRQ_HARD, 4 * MS],
    [IRQ_SOFT, 4 * MS + COST.tick],
  ]);
  assert.deepEqual(kinds(0.3), [[IRQ_HARD, 4 * MS]]);
});

test("need_resched waits for preempt_enable(): not at the wake-up, not at an irq exit, at the enable", () => {
  const b = bareCpu();
  const sw = switches(b);
  const h = spinner("h");
  b.cpu.wake(h);
  b.eng.at(50 * US, () => {
    h.preemptDisabled = true;
  });
  b.eng.at(100 * US, () => b.cpu.wake(worker("r", 5 * US, [], "fifo", 50)));
  b.eng.at(110 * US, () => b.cpu.raiseIrq(COST.irq, noop));
  b.eng.at(150 * US, () => {
    h.preemptDisabled = false;
    b.cpu.replan();
  });
  b.runTo(200 * US);
  assert.deepEqual(
    sw.map(([n, t]) => [n, t]),
    [
      ["h", 0],
      ["r", 150 * US],
      ["h", 156 * US],
    ],
  );
});

test("setActive() with the state the CPU has already changes nothing: its task clock runs on", () => {
  const b = bareCpu();
  const clock: number[] = [];
  b.eng.at(10 * MS, () => b.cpu.setActive(true));
  b.eng.at(20 * MS, () => {
    clock.push(b.cpu.clockTask());
    b.cpu.setActive(false);
  });
  b.eng.at(25 * MS, () => b.cpu.setActive(false));
  b.eng.at(30 * MS, () => b.cpu.setActive(true));
  b.eng.at(40 * MS, () => clock.push(b.cpu.clockTask()));
  b.runTo(40 * MS);
  // Executing 0..20 and 30..40 ms.
  assert.deepEqual(clock, [20 * MS, 30 * MS]);
});

test("onIdle (a guest's HLT): once per idle step, not while an interrupt, a task or an exit intervenes", () => {
  const b = bareCpu();
  const idle: number[] = [];
  b.cpu.hooks.onIdle = () => idle.push(b.eng.now);
  // s runs 0..11 us, then the CPU is idle: the hook runs at the end of that segment.
  b.cpu.wake(worker("s", 10 * US));
  // Two re-plans in one step: one HLT.
  b.eng.at(50 * US, () => {
    b.cpu.replan();
    b.cpu.replan();
  });
  // An interrupt arrives in the same step: HLT once it is handled (80..83 us).
  b.eng.at(80 * US, () => {
    b.cpu.replan();
    b.cpu.raiseIrq(COST.irq, noop);
  });
  // A handler that re-plans the idle CPU itself: still one HLT, at its end (100..103 us), before
  // an event it queued for that instant (noted as a negative time).
  b.eng.at(100 * US, () =>
    b.cpu.raiseIrq(COST.irq, () => {
      b.eng.at(b.eng.now, () => idle.push(-b.eng.now));
      b.cpu.replan();
    }),
  );
  // The CPU stops executing in the same step (a vCPU exit): HLT when it executes again.
  b.eng.at(120 * US, () => {
    b.cpu.replan();
    b.cpu.setActive(false);
  });
  b.eng.at(130 * US, () => b.cpu.setActive(true));
  // A task is woken and switched in within the step: no HLT.
  const t = worker("t", 5 * US);
  b.eng.at(160 * US, () => {
    b.cpu.replan();
    b.cpu.wake(t);
    b.cpu.schedule();
  });
  b.runTo(200 * US);
  // t: 160..166 us, then idle again.
  assert.deepEqual(idle, [11 * US, 50 * US, 83 * US, 103 * US, -103 * US, 130 * US, 166 * US]);
});

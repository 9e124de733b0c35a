/**
 * The cost models (sim-core/costs.ts, sim-core/kvm/costs.ts) one call at a time: which default
 * each cost draws from, what a scenario's median and the cost scale do to it, the extra an
 * injection costs without APICv, the fastpath exits, and the log-normal draw's own statistics.
 * Expected values follow from the medians in params.ts and from the log-normal distribution
 * (P(X > median * gsd) = P(Z > 1) = 15.87 %), never from a run of the same code.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { costDraw, cpuCosts, kvmCosts, scaled, tickSoftirqs, withMedian } from "../../sim-core/costs";
import { type Scenario, simulate } from "../../sim-core/index";
import { postedDelivery } from "../../sim-core/kvm/costs";
import { Engine } from "../../sim-core/engine";
import { spawnKworkers } from "../../sim-core/noise";
import { COST_DEFAULTS, NOISE_DEFAULTS } from "../../sim-core/params";
import { Rng, Streams } from "../../sim-core/rng";
import type { Task } from "../../sim-core/sched/task";
import type { Kernel } from "../../sim-core/workloads/kernel";

const draws = (f: () => number, n: number) => Array.from({ length: n }, f);

test("costDraw: no stream, or a spread of 1 or less, gives the rounded median every time", () => {
  const c = { median_ns: 1234.6, gsd: 2, cap_ns: 5000 };
  assert.deepEqual(draws(costDraw(null, c), 3), [1235, 1235, 1235]);
  const rng = new Rng(1, "t");
  assert.deepEqual(draws(costDraw(rng, { ...c, gsd: 1 }), 3), [1235, 1235, 1235]);
  assert.deepEqual(draws(costDraw(rng, { ...c, gsd: 0.5 }), 3), [1235, 1235, 1235]);
});

test("costDraw: log-normal draws around the median, 15.9 % above median x gsd, integers, capped", () => {
  const n = 20_000;
  const xs = draws(costDraw(new Rng(7, "cost"), { median_ns: 1000, gsd: 2 }), n);
  assert.ok(
    xs.every((x) => Number.isInteger(x)),
    "whole nanoseconds",
  );
  const sorted = [...xs].sort((a, b) => a - b);
  const median = sorted[n / 2]!;
  assert.ok(Math.abs(median - 1000) < 30, `median ${median}`);
  const above = xs.filter((x) => x > 2000).length / n;
  assert.ok(Math.abs(above - 0.1587) < 0.01, `P(X > median * gsd) = ${above}`);
  const below = xs.filter((x) => x < 500).length / n;
  assert.ok(Math.abs(below - 0.1587) < 0.01, `P(X < median / gsd) = ${below}`);
  // A cap at median x gsd^2 (2 sigma, 2.3 % above): nothing beyond it, and ~2.3 % exactly at it.
  const capped = draws(costDraw(new Rng(7, "cost"), { median_ns: 1000, gsd: 2, cap_ns: 4000 }), n);
  assert.equal(Math.max(...capped), 4000);
  const atCap = capped.filter((x) => x === 4000).length / n;
  assert.ok(Math.abs(atCap - 0.0228) < 0.005, `at the cap ${atCap}`);
});

test("withMedian and scaled: a new median keeps the spread and scales the cap with it", () => {
  const c = { median_ns: 2000, gsd: 1.5, cap_ns: 8000 };
  assert.equal(withMedian(c, 2000), c, "the same median is the same cost");
  assert.deepEqual(withMedian(c, 3000), { median_ns: 3000, gsd: 1.5, cap_ns: 12_000 });
  assert.deepEqual(withMedian({ median_ns: 2000, gsd: 1.5 }, 500), { median_ns: 500, gsd: 1.5, cap_ns: undefined });
  // A zero median cannot be scaled from: the cap goes to 0 with it rather than to infinity.
  assert.deepEqual(withMedian({ median_ns: 0, gsd: 1.5, cap_ns: 100 }, 700), { median_ns: 700, gsd: 1.5, cap_ns: 0 });
  assert.equal(scaled(c, 1), c);
  assert.deepEqual(scaled(c, 2.5), { median_ns: 5000, gsd: 1.5, cap_ns: 20_000 });
});

test("cpuCosts: the scenario's switch and tick medians, the timer irq and IPI scaled, the refill not", () => {
  const m = cpuCosts(null, 1700, 2100, 3);
  assert.equal(m.contextSwitch(), 1700);
  assert.equal(m.tick(), 2100);
  assert.equal(m.timerIrq(), Math.round(COST_DEFAULTS.hrtimer_irq.median_ns * 3));
  assert.equal(m.ipi(), Math.round(COST_DEFAULTS.hrtimer_irq.median_ns * 3));
  assert.equal(m.refill(), COST_DEFAULTS.cache_refill.median_ns, "memory-bound: not scaled");
});

test("tickSoftirqs: softirq_hz per second of ticks as a chance per tick, capped at 1; no stream, no noise", () => {
  assert.equal(tickSoftirqs(null, null, 4_000_000, 1), null);
  const decide = new Rng(1, "d");
  const s = tickSoftirqs(decide, null, 4_000_000, 2)!;
  // 30 softirqs/s at HZ=250 (4 ms ticks): 30 * 0.004 = 0.12 per tick.
  assert.ok(Math.abs(s.p - NOISE_DEFAULTS.softirq_hz * 0.004) < 1e-12, `p ${s.p}`);
  assert.equal(s.rng, decide);
  assert.equal(s.cost(), NOISE_DEFAULTS.softirq.median_ns * 2);
  assert.equal(tickSoftirqs(decide, null, 1e9, 1)!.p, 1, "a 1 s tick: at most one softirq per tick");
});

test("kvmCosts: exit, entry and setscheduler medians; +inject without posted interrupts; the two fastpath exits", () => {
  const p = { exit_ns: 500, entry_ns: 300, setscheduler_ns: 1500, posted_interrupts: false, ipi_virtualization: false };
  const k = kvmCosts(null, p, 2);
  assert.equal(k.exitNs("hlt"), 500);
  assert.equal(k.entryNs(false), 300);
  assert.equal(k.entryNs(true), 300 + COST_DEFAULTS.inject_without_apicv.median_ns * 2);
  assert.equal(k.setscheduler(), 1500);
  assert.equal(k.fastpathNs("timer"), COST_DEFAULTS.fastpath_preemption_timer.median_ns * 2);
  assert.equal(k.fastpathNs("msr_other"), COST_DEFAULTS.fastpath_tsc_deadline.median_ns * 2);
  assert.equal(k.fastpathNs("ipi"), 500, "any other exit costs a full exit");
  assert.equal(k.postedInterrupts, false);
  assert.equal(k.ipiVirtualization, false);
  const pi = kvmCosts(null, { ...p, posted_interrupts: true, ipi_virtualization: true }, 1);
  assert.equal(pi.entryNs(true), 300, "posted: no interrupt-window injection at entry");
  assert.equal(pi.postedInterrupts, true);
  assert.equal(pi.ipiVirtualization, true);
});

test("postedDelivery: device interrupts with posted interrupts; IPIs with posted interrupts or IPI virtualization", () => {
  const base = kvmCosts(null, { exit_ns: 1, entry_ns: 1, setscheduler_ns: 1, posted_interrupts: false, ipi_virtualization: false }, 1);
  const rows: [boolean, boolean, string, boolean][] = [];
  for (const pi of [false, true])
    for (const ipiv of [false, true])
      for (const source of ["timer", "ipi", "device", "nmi"] as const)
        rows.push([pi, ipiv, source, postedDelivery({ ...base, postedInterrupts: pi, ipiVirtualization: ipiv }, source)]);
  const posted = rows.filter((r) => r[3]).map((r) => `${r[0] ? "pi" : "-"}/${r[1] ? "ipiv" : "-"}/${r[2]}`);
  assert.deepEqual(posted, ["-/ipiv/ipi", "pi/-/ipi", "pi/-/device", "pi/ipiv/ipi", "pi/ipiv/device"]);
});

test("kworker noise: bursts of LN(10 us, 2.5) capped at 60 us, about 1/s, and twice as long at cost_scale 2", () => {
  const runtime = (scale: number) => {
    const s: Scenario = {
      name: "kworker",
      duration_s: 200,
      seed: 5,
      host: { cpus: 1, cost_scale: scale, workloads: [] },
      modes: ["vanilla"],
    };
    const k = simulate(s, "vanilla").threads.filter((t) => t.name.startsWith("kworker/"));
    assert.equal(k.length, 1);
    return k[0]!.runtime_ns;
  };
  const one = runtime(1);
  // ~200 bursts; the capped log-normal's mean is ~14.5 us (median x exp(ln(2.5)^2 / 2) = 15.2
  // uncapped): ~3 ms. Every burst at the 60 us cap would be 12 ms.
  assert.ok(one > 1.5e6 && one < 6e6, `kworker runtime ${one} ns in 200 s`);
  // The same draws (the kworker's own stream) scaled: median and cap both x 2.
  const ratio = runtime(2) / one;
  assert.ok(Math.abs(ratio - 2) < 0.03, `ratio ${ratio}`);
});

/** A guest kernel that records what spawnKworkers() does: the threads and their wake-ups. */
function kworkerKernel(costScale: number) {
  const streams = new Streams(3);
  const spawned: { t: Task; cpu: number | undefined }[] = [];
  const wakes: (() => void)[] = [];
  const k = {
    side: "guest",
    eng: new Engine(),
    costScale,
    stream: (n: string) => streams.get(n),
    spawn: (t: Task, cpu: number | undefined) => spawned.push({ t, cpu }),
    firstSleep: (_t: Task, _soft: number, onWake: () => void) => wakes.push(onWake),
    wake: () => {},
  } as unknown as Kernel;
  /** `n` bursts of kworker `i`: each wake-up draws the next. */
  const bursts = (i: number, n: number) =>
    draws(() => {
      wakes[i]!();
      return spawned[i]!.t.remaining;
    }, n);
  return { k, spawned, bursts };
}

test("spawnKworkers: one pinned kernel thread per CPU, its bursts LN(10 us, 2.5) x cost_scale, never past the 60 us cap", () => {
  const cap = NOISE_DEFAULTS.kworker.cap_ns!;
  const one = kworkerKernel(1);
  spawnKworkers(one.k, 2, 1e9, "vm/");
  // Kernel threads: they never return to user mode (no synchronous unboost there).
  assert.deepEqual(
    one.spawned.map(({ t, cpu }) => [t.name, cpu, t.kthread]),
    [
      ["vm/kworker/0.0", 0, true],
      ["vm/kworker/1.0", 1, true],
    ],
  );
  // LN(10 us, 2.5) puts P(Z > ln 6 / ln 2.5 = 1.955) = 2.53 % of the bursts past 60 us: all
  // of them cut to exactly the cap.
  const b1 = one.bursts(0, 20_000);
  assert.equal(Math.max(...b1), cap);
  const atCap = b1.filter((b) => b === cap).length / b1.length;
  assert.ok(Math.abs(atCap - 0.0253) < 0.005, `at the cap ${atCap}`);
  // cost_scale 2: the same draws, median and cap doubled.
  const two = kworkerKernel(2);
  spawnKworkers(two.k, 2, 1e9, "vm/");
  const b2 = two.bursts(0, 20_000);
  assert.equal(Math.max(...b2), 2 * cap);
  assert.ok(
    b2.every((b, j) => Math.abs(b - 2 * b1[j]!) <= 1),
    "each burst twice as long (to the rounding)",
  );
});

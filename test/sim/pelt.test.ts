/**
 * PELT (kernel/sched/pelt.c) known answers: y^32 = 1/2 over 1024 us periods, an always-running
 * entity converges to full utilisation, 32 ms of sleep halve it, a 50 % duty cycle settles at
 * half, and the load average is weight times the runnable fraction.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decayLoad, LOAD_AVG_MAX, SchedAvg } from "../../sim-core/sched/pelt";

const MS = 1_000_000;

test("decay_load: 32 periods halve a value, 64 quarter it, and past 63 half-lives nothing is left", () => {
  // The table's y^0 is 2^32 - 1, so an exact half comes out one less, as in the kernel.
  assert.equal(decayLoad(1 << 20, 32), (1 << 19) - 1);
  assert.equal(decayLoad(1 << 20, 64), (1 << 18) - 1);
  // y^1 = 2^(-1/32) = 0.97857
  assert.equal(decayLoad(100_000, 1), 97_857);
  assert.equal(decayLoad(LOAD_AVG_MAX, 32 * 64), 0);
});

test("an always-running nice-0 entity reaches full util and load; 32 ms asleep halve them", () => {
  const a = new SchedAvg();
  let now = 0;
  for (; now < 2000 * MS; now += 100_000) a.update(now, 1, 1, true, 1024);
  assert.ok(a.utilAvg >= 1000 && a.utilAvg <= 1024, `util ${a.utilAvg}`);
  assert.ok(a.loadAvg >= 1000 && a.loadAvg <= 1024, `load ${a.loadAvg}`);
  const full = a.utilAvg;
  a.update(now + 32 * 1024 * 1024, 0, 0, false, 1024);
  assert.ok(Math.abs(a.utilAvg - full / 2) <= 16, `after 32 periods asleep: ${a.utilAvg} of ${full}`);
});

test("a 50 % duty cycle (1 ms on, 1 ms off) settles near 512; load scales with the weight", () => {
  const a = new SchedAvg();
  const b = new SchedAvg();
  for (let now = 0; now < 3000 * MS; now += 100_000) {
    const on = Math.floor(now / MS) % 2 === 0;
    a.update(now, on ? 1 : 0, on ? 1 : 0, on, 1024);
    b.update(now, on ? 1 : 0, on ? 1 : 0, on, 335);
  }
  assert.ok(Math.abs(a.utilAvg - 512) < 40, `util ${a.utilAvg}`);
  assert.ok(Math.abs(a.loadAvg - 512) < 40, `load ${a.loadAvg}`);
  assert.ok(Math.abs(b.loadAvg - 335 / 2) < 15, `nice-5 load ${b.loadAvg}`);
});

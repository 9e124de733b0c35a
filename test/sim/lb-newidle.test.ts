/**
 * newidle_balance() and update_newidle_cost() of Linux 6.5 (kernel/sched/fair.c), called
 * directly on a host whose balancer inputs are stated (lb-fixture.ts): no balance with a wakeup
 * pending (idle_stamp not even set), none unless rd->overload, none while avg_idle <
 * max_newidle_lb_cost (strictly), one task pulled otherwise; the balance's cost raises
 * max_newidle_lb_cost (stamping last_decay_max_lb_cost) and max_idle_balance_cost, a task
 * already queued counts as pulled, and a pull clears idle_stamp. The CPU time of the balance
 * (tunables' newidleBalanceNs) is paid by what runs next. update_newidle_cost(sd, 0) from
 * rebalance_domains() decays the maximum by 253/256 once more than HZ jiffies have passed since
 * the last decay, and sets max_idle_balance_cost = max(sysctl_sched_migration_cost, that).
 * rq_clock in ns, jiffies 4 ms (HZ 250).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { newidleBalance, rebalanceDomains } from "../../sim-core/sched/lb";
import { CPU_IDLE, MIGRATION_COST_NS } from "../../sim-core/sched/topology";
import { avg, frozen, order, queued } from "./lb-fixture";
import { hog, world } from "./world";

/** CPU 0 runs three hogs (overloaded), CPU 1 is going idle; rd->overload as last seen. */
function goingIdle() {
  const a = Array.from({ length: 3 }, (_, i) => hog(`a${i}`));
  const f = frozen([a, []]);
  const [c0, c1] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0]];
  avg(c0, 3072, 1024, 3072);
  avg(c1, 0, 0, 0);
  const q = queued(c0, a);
  order(c0, ...q);
  f.rd.overload = true;
  f.rd.maxNewidleLbCost[1] = 10_000;
  f.rd.lastDecayMaxLbCost[1] = f.rd.jiffies;
  f.rd.avgIdle[1] = 10_000;
  const cost = c1.tun.newidleBalanceNs;
  return { ...f, c0, c1, q, cost, ovh0: c1.pendingOvh };
}

test("newidle_balance(): avg_idle equal to max_newidle_lb_cost balances and pulls one task; the pull clears idle_stamp", () => {
  const s = goingIdle();
  assert.equal(newidleBalance(s.rd, s.c1), 1);
  assert.equal(s.q[0]!.cpu, s.c1, "one task, though (3 - 0) >> 1 = 1 anyway");
  assert.equal(s.c0.nrRunning, 2);
  assert.equal(s.rd.idleStamp[1], -1);
  assert.equal(s.c1.pendingOvh, s.ovh0 + s.cost, "the balance's CPU time");
});

test("newidle_balance(): avg_idle below max_newidle_lb_cost, or no rd->overload: no balance, idle_stamp = now", () => {
  const s = goingIdle();
  s.rd.avgIdle[1] = 9_999;
  assert.equal(newidleBalance(s.rd, s.c1), 0);
  assert.equal(s.c0.nrRunning, 3);
  assert.equal(s.rd.idleStamp[1], s.w.eng.now);
  assert.equal(s.rd.maxNewidleLbCost[1], 10_000, "no balance, no cost");
  assert.equal(s.c1.pendingOvh, s.ovh0);
  const o = goingIdle();
  o.rd.overload = false;
  assert.equal(newidleBalance(o.rd, o.c1), 0);
  assert.equal(o.c0.nrRunning, 3);
  assert.equal(o.rd.idleStamp[1], o.w.eng.now);
});

test("newidle_balance(): a wakeup pending on this CPU: return at once, idle_stamp not set", () => {
  const s = goingIdle();
  s.c1.ttwuPending = 1;
  assert.equal(newidleBalance(s.rd, s.c1), 0);
  assert.equal(s.rd.idleStamp[1], -1);
  assert.equal(s.c0.nrRunning, 3);
});

test("newidle_balance(): the cost raises max_newidle_lb_cost (stamped now) and max_idle_balance_cost", () => {
  const s = goingIdle();
  s.rd.maxNewidleLbCost[1] = s.cost - 1;
  s.rd.lastDecayMaxLbCost[1] = s.rd.jiffies - 3;
  s.rd.avgIdle[1] = s.cost;
  s.rd.maxIdleBalanceCost[1] = s.cost - 1;
  assert.equal(newidleBalance(s.rd, s.c1), 1);
  assert.equal(s.rd.maxNewidleLbCost[1], s.cost);
  assert.equal(s.rd.lastDecayMaxLbCost[1], s.rd.jiffies);
  assert.equal(s.rd.maxIdleBalanceCost[1], s.cost, "curr_cost > max_idle_balance_cost");
  // A cost not above either maximum changes neither (and no decay within HZ).
  const t = goingIdle();
  t.rd.maxIdleBalanceCost[1] = t.cost;
  newidleBalance(t.rd, t.c1);
  assert.equal(t.rd.maxNewidleLbCost[1], 10_000);
  assert.equal(t.rd.maxIdleBalanceCost[1], t.cost);
  // The default max_idle_balance_cost (sysctl_sched_migration_cost) is above the cost: kept.
  const v = goingIdle();
  newidleBalance(v.rd, v.c1);
  assert.equal(v.rd.maxIdleBalanceCost[1], MIGRATION_COST_NS);
  // A cost equal to the maximum is not above it: the decay branch runs (HZ + 1 jiffies since).
  const u = goingIdle();
  u.rd.maxNewidleLbCost[1] = u.cost;
  u.rd.lastDecayMaxLbCost[1] = u.rd.jiffies - 251;
  newidleBalance(u.rd, u.c1);
  assert.equal(u.rd.maxNewidleLbCost[1], Math.floor((u.cost * 253) / 256));
  assert.equal(u.rd.lastDecayMaxLbCost[1], u.rd.jiffies);
});

test("newidle_balance(): nothing to pull leaves idle_stamp set and costs the idle CPU nothing; a queued task counts as pulled", () => {
  // CPU 0 has one task: nothing to pull, though rd->overload (stale) lets the balance run.
  const f = frozen([[hog("a")], []]);
  const [c0, c1] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0]];
  avg(c0, 1024, 1000, 1000);
  f.rd.overload = true;
  const ovh = c1.pendingOvh;
  assert.equal(newidleBalance(f.rd, c1), 0);
  assert.equal(f.rd.idleStamp[1], f.w.eng.now);
  assert.equal(c1.pendingOvh, ovh);
  assert.equal(f.rd.overload, false, "the balance saw no CPU with two tasks");
  // this_rq->cfs.h_nr_running && !pulled_task: pulled_task = 1 (CPU 0 has a fair task).
  f.rd.overload = true;
  const ovh0 = c0.pendingOvh;
  assert.equal(newidleBalance(f.rd, c0), 1);
  assert.equal(f.rd.idleStamp[0], -1);
  assert.equal(c0.pendingOvh, ovh0 + c0.tun.newidleBalanceNs);
});

test("update_newidle_cost(sd, 0): decays by 253/256 only after more than HZ jiffies, then max_idle_balance_cost = max(500 us, it)", () => {
  const run = (cost: number, sinceDecay: number, idleCost: number) => {
    const f = frozen([[], []]);
    const [, c1] = f.cpus as [(typeof f.cpus)[0], (typeof f.cpus)[0]];
    const j = f.rd.jiffies;
    f.rd.maxNewidleLbCost[1] = cost;
    f.rd.lastDecayMaxLbCost[1] = j - sinceDecay;
    f.rd.maxIdleBalanceCost[1] = idleCost;
    f.rd.nextBalance[1] = j + 1000;
    f.rd.lastBalance[1] = j;
    rebalanceDomains(f.rd, c1, CPU_IDLE);
    return [f.rd.maxNewidleLbCost[1], f.rd.lastDecayMaxLbCost[1]! - j, f.rd.maxIdleBalanceCost[1]];
  };
  // HZ = 250: time_after(jiffies, last + HZ) needs 251 jiffies.
  assert.deepEqual(run(1_000_000, 251, 700_000), [988_281, 0, 988_281]);
  assert.deepEqual(run(1_000_000, 250, 700_000), [1_000_000, -250, 700_000]);
  assert.deepEqual(run(100_000, 251, 700_000), [98_828, 0, MIGRATION_COST_NS]);
});

test("add_nr_running(): a CPU reaching two runnable tasks sets rd->overload at once, not at the next balance", () => {
  const w = world(2);
  const rd = w.host.rd;
  const [a, b] = [hog("a"), hog("b")];
  w.host.addTask(a, 0, undefined);
  w.host.addTask(b, 0, undefined);
  rd.overload = false;
  w.host.wakeTask(a);
  assert.equal(rd.overload, false, "one runnable task");
  w.host.wakeTask(b);
  assert.equal(rd.overload, true, "the second one");
  // __sched_setscheduler() of a queued task dequeues and enqueues it: 2 -> 1 -> 2 sets it again.
  rd.overload = false;
  const waiting = w.host.cpus[0]!.curr === a ? b : a;
  w.host.cpus[0]!.setPolicy(waiting, "other", 0, 5);
  assert.equal(rd.overload, true, "a policy change of a queued task");
});

test("newidle_balance(): going idle brings next_balance forward to the idle interval, balanced or not; never back", () => {
  for (const overload of [false, true]) {
    const s = goingIdle();
    s.rd.overload = overload;
    const j = s.rd.jiffies;
    s.rd.lastBalance[1] = j;
    s.rd.nextBalance[1] = j + 100;
    newidleBalance(s.rd, s.c1);
    // 2 CPUs: balance_interval 2 ms, 1 jiffy at HZ 250 (msecs_to_jiffies() rounds up).
    assert.equal(s.rd.nextBalance[1], j + 1, `overload ${overload}`);
  }
  const s = goingIdle();
  s.rd.nextBalance[1] = s.rd.jiffies;
  s.rd.lastBalance[1] = s.rd.jiffies;
  newidleBalance(s.rd, s.c1);
  assert.equal(s.rd.nextBalance[1], s.rd.jiffies, "an earlier next_balance stays");
});

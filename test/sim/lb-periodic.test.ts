/**
 * The periodic and nohz idle balance of Linux 6.5 (kernel/sched/fair.c), on a host whose balancer
 * inputs are stated (lb-fixture.ts), HZ 250 (4 ms jiffies): rebalance_domains() balances when
 * jiffies >= last_balance + get_sd_balance_interval() (balance_interval ms, times busy_factor 16
 * and less one jiffy on a busy CPU, a CPU running only SCHED_IDLE tasks not busy, clamped to
 * [1, HZ * nr_cpus / 10]), recomputes busy after a pull, and sets next_balance = last_balance +
 * interval; trigger_load_balance() runs it once next_balance is due; nohz_balancer_kick() kicks
 * the first idle CPU of the nohz mask (not this one, not one already kicked) once
 * nohz.next_balance is due, when this CPU has two tasks, or a fair task on reduced capacity, or
 * the LLC has another busy CPU, and moves nohz.next_balance to jiffies + 1; _nohz_idle_balance()
 * balances each idle nohz CPU that is due, from the one after the kicked CPU round to itself,
 * stops when the kicked CPU has work (need_resched), and sets nohz.next_balance to the earliest
 * rq->next_balance it saw.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { nohzIdleBalance, rebalanceDomains, triggerLoadBalance } from "../../sim-core/sched/lb";
import type { Task } from "../../sim-core/sched/task";
import { CPU_IDLE, CPU_NOT_IDLE } from "../../sim-core/sched/topology";
import { avg, frozen, type Frozen, order, queued } from "./lb-fixture";
import { hog } from "./world";

/** Four CPUs (min_interval 4 ms, max_interval 8, max_load_balance_interval 100 jiffies). */
function four(layout: Task[][]) {
  const f = frozen(layout);
  for (const [i, c] of f.cpus.entries()) avg(c, 1024 * (layout[i]?.length ?? 0), layout[i]?.length ? 1000 : 0, 1000);
  return { ...f, j: f.rd.jiffies };
}

test("get_sd_balance_interval(): a busy CPU waits balance_interval * 16 ms less one jiffy; it balances when exactly due", () => {
  // CPU 0 runs one hog; nothing to pull: out_balanced doubles 4 -> 8, next interval 8 * 16 ms =
  // 32 jiffies - 1.
  const s = four([[hog("a")], [], [], []]);
  s.rd.lastBalance[0] = s.j - 15;
  rebalanceDomains(s.rd, s.cpus[0]!, CPU_NOT_IDLE);
  assert.equal(s.rd.lastBalance[0], s.j, "16 - 1 = 15 jiffies: due");
  assert.equal(s.rd.balanceInterval[0], 8);
  assert.equal(s.rd.nextBalance[0], s.j + 31);
  // One jiffy short: no balance, next_balance = last_balance + 15.
  const t = four([[hog("a")], [], [], []]);
  t.rd.lastBalance[0] = t.j - 14;
  rebalanceDomains(t.rd, t.cpus[0]!, CPU_NOT_IDLE);
  assert.equal(t.rd.lastBalance[0], t.j - 14);
  assert.equal(t.rd.balanceInterval[0], 4);
  assert.equal(t.rd.nextBalance[0], t.j + 1);
});

test("get_sd_balance_interval(): an idle CPU waits balance_interval ms (msecs_to_jiffies rounds up), at least 1 jiffy", () => {
  // Idle CPU 1: 4 ms = 1 jiffy; balanced (CPU 0's one task is not to be pulled): 8 ms = 2.
  const s = four([[hog("a")], [], [], []]);
  s.rd.lastBalance[1] = s.j - 1;
  rebalanceDomains(s.rd, s.cpus[1]!, CPU_IDLE);
  assert.equal(s.rd.lastBalance[1], s.j);
  assert.equal(s.rd.nextBalance[1], s.j + 2);
  // balance_interval 5 ms: 2 jiffies (5 / 4 rounded up); busy, 80 ms = 20 jiffies - 1.
  const t = four([[hog("a")], [], [], []]);
  t.rd.balanceInterval[1] = 5;
  t.rd.balanceInterval[0] = 5;
  t.rd.lastBalance[1] = t.j;
  t.rd.lastBalance[0] = t.j;
  rebalanceDomains(t.rd, t.cpus[1]!, CPU_IDLE);
  rebalanceDomains(t.rd, t.cpus[0]!, CPU_NOT_IDLE);
  assert.equal(t.rd.nextBalance[1], t.j + 2);
  assert.equal(t.rd.nextBalance[0], t.j + 19);
});

test("get_sd_balance_interval(): clamped to max_load_balance_interval = HZ * 4 CPUs / 10 = 100 jiffies", () => {
  const s = four([[hog("a")], [], [], []]);
  s.rd.balanceInterval[0] = 512;
  s.rd.lastBalance[0] = s.j - 100;
  rebalanceDomains(s.rd, s.cpus[0]!, CPU_NOT_IDLE);
  assert.equal(s.rd.lastBalance[0], s.j, "8192 ms clamped to 100 jiffies: due");
  assert.equal(s.rd.balanceInterval[0], 512, "not below max_interval: not doubled");
  assert.equal(s.rd.nextBalance[0], s.j + 100);
});

test("rebalance_domains(): a CPU running only SCHED_IDLE tasks is not busy; after a pull the CPU is busy again", () => {
  const s = four([[hog("i", "idle")], [], [], []]);
  s.rd.lastBalance[0] = s.j - 1;
  rebalanceDomains(s.rd, s.cpus[0]!, CPU_NOT_IDLE);
  assert.equal(s.rd.lastBalance[0], s.j, "1 jiffy (not 15): due");
  assert.equal(s.rd.nextBalance[0], s.j + 2, "8 ms, no busy_factor");
  // Idle CPU 1 pulls one of CPU 0's three hogs: then busy, 4 * 16 ms = 16 jiffies - 1.
  const a = [hog("a"), hog("b"), hog("c")];
  const t = four([a, [], [], []]);
  avg(t.cpus[0]!, 3072, 1024, 3072);
  order(t.cpus[0]!, ...queued(t.cpus[0]!, a));
  t.rd.lastBalance[1] = t.j - 1;
  rebalanceDomains(t.rd, t.cpus[1]!, CPU_IDLE);
  assert.equal(t.cpus[1]!.nrRunning, 1);
  assert.equal(t.rd.nextBalance[1], t.j + 15);
  // Pulling a SCHED_IDLE task leaves it not busy (sched_idle_cpu()): 4 ms = 1 jiffy.
  const b = [hog("i", "idle"), hog("k", "idle"), hog("l", "idle")];
  const u = four([b, [], [], []]);
  avg(u.cpus[0]!, 9, 1024, 3072);
  u.rd.lastBalance[1] = u.j - 1;
  rebalanceDomains(u.rd, u.cpus[1]!, CPU_IDLE);
  assert.equal(u.cpus[1]!.nrRunning, 1);
  assert.equal(u.rd.nextBalance[1], u.j + 1);
});

test("trigger_load_balance(): the periodic balance runs once jiffies >= rq->next_balance, as busy or idle", () => {
  const s = four([[hog("a")], [], [], []]);
  s.rd.nohzNextBalance = s.j + 1000;
  s.rd.lastBalance[0] = s.j - 15;
  s.rd.nextBalance[0] = s.j + 1;
  triggerLoadBalance(s.rd, s.cpus[0]!);
  assert.equal(s.rd.lastBalance[0], s.j - 15, "not due yet");
  s.rd.nextBalance[0] = s.j;
  triggerLoadBalance(s.rd, s.cpus[0]!);
  assert.equal(s.rd.lastBalance[0], s.j);
  assert.equal(s.rd.nextBalance[0], s.j + 31, "busy: CPU_NOT_IDLE");
  s.rd.lastBalance[2] = s.j - 1;
  s.rd.nextBalance[2] = s.j;
  triggerLoadBalance(s.rd, s.cpus[2]!);
  assert.equal(s.rd.nextBalance[2], s.j + 2, "idle: CPU_IDLE, 8 ms");
  assert.equal(s.rd.nohzIdle[2], true, "an idle tick does not kick (nor leave the nohz mask)");
});

/** Records the nohz kick IPIs (by CPU) instead of sending them. */
function kicks(f: Frozen): number[] {
  const sent: number[] = [];
  f.rd.env.ipi = (c) => void sent.push(c.index);
  for (const c of f.cpus) f.rd.nextBalance[c.index] = f.rd.jiffies + 1000;
  f.rd.nohzNextBalance = f.rd.jiffies;
  return sent;
}

test("nohz_balancer_kick(): two tasks here kick the first idle nohz CPU and move nohz.next_balance to jiffies + 1", () => {
  const f = frozen([[hog("a"), hog("b")], [], []]);
  const sent = kicks(f);
  assert.equal(f.rd.nohzCount, 2);
  triggerLoadBalance(f.rd, f.cpus[0]!);
  assert.deepEqual(sent, [1]);
  assert.equal(f.rd.nohzKicked[1], true);
  assert.equal(f.rd.nohzNextBalance, f.rd.jiffies + 1);
  // Already kicked: no second IPI (and not to another CPU), but next_balance moves.
  f.rd.nohzNextBalance = f.rd.jiffies;
  triggerLoadBalance(f.rd, f.cpus[0]!);
  assert.deepEqual(sent, [1]);
  assert.equal(f.rd.nohzNextBalance, f.rd.jiffies + 1);
  // Not yet due: nothing.
  f.rd.nohzKicked[1] = false;
  triggerLoadBalance(f.rd, f.cpus[0]!);
  assert.deepEqual(sent, [1]);
});

test("nohz_balancer_kick(): one task kicks only with reduced capacity (avg_rt 149, not 148) or another busy CPU", () => {
  const one = (rt: number, busy1: boolean) => {
    const f = frozen([[hog("a")], busy1 ? [hog("b")] : [], []]);
    avg(f.cpus[0]!, 1024, 1000, 1000, rt);
    const sent = kicks(f);
    triggerLoadBalance(f.rd, f.cpus[0]!);
    return [sent, f.rd.nohzNextBalance - f.rd.jiffies];
  };
  assert.deepEqual(one(0, false), [[], 0], "nr_busy_cpus 1");
  assert.deepEqual(one(148, false), [[], 0]);
  assert.deepEqual(one(149, false), [[1], 1]);
  assert.deepEqual(one(0, true), [[2], 1], "nr_busy_cpus 2: CPU 2, the idle one");
  // Reduced capacity kicks only for a fair task (cfs.h_nr_running >= 1): an RT hog alone does not.
  const f = frozen([[hog("r", "fifo", 10)], [], []]);
  avg(f.cpus[0]!, 0, 0, 0, 200);
  const sent = kicks(f);
  triggerLoadBalance(f.rd, f.cpus[0]!);
  assert.deepEqual(sent, []);
});

test("nohz_balancer_kick(): the tick leaves the nohz mask; no kick when none is tickless; the kicked CPU must be idle", () => {
  const f = frozen([
    [hog("a"), hog("b")],
    [hog("c"), hog("d")],
  ]);
  const sent = kicks(f);
  f.rd.nohzEnterIdle(f.cpus[0]!);
  assert.equal(f.rd.nohzCount, 1);
  triggerLoadBalance(f.rd, f.cpus[0]!);
  assert.equal(f.rd.nohzIdle[0], false, "nohz_balance_exit_idle()");
  assert.equal(f.rd.nohzCount, 0);
  assert.deepEqual(sent, []);
  assert.equal(f.rd.nohzNextBalance, f.rd.jiffies, "nohz.nr_cpus 0: returns before the kick");
  // CPU 1 in the mask but a wakeup is pending there (not idle_cpu()): CPU 2 is kicked.
  const g = frozen([[hog("a"), hog("b")], [], []]);
  const gs = kicks(g);
  g.cpus[1]!.ttwuPending = 1;
  triggerLoadBalance(g.rd, g.cpus[0]!);
  assert.deepEqual(gs, [2]);
});

/** Three CPUs: CPU 0 runs two hogs (one waiting, `q`), CPUs 1 and 2 idle in the nohz mask. */
function ilb() {
  const a = [hog("a"), hog("b")];
  const f = frozen([a, [], []]);
  avg(f.cpus[0]!, 2048, 1024, 2048);
  const [q] = queued(f.cpus[0]!, a) as [Task];
  const j = f.rd.jiffies;
  for (const c of f.cpus) f.rd.nextBalance[c.index] = j;
  for (const c of f.cpus) f.rd.lastBalance[c.index] = j - 10;
  return { ...f, q, j };
}

test("_nohz_idle_balance(): from the CPU after the kicked one round to itself, each due idle CPU balances", () => {
  // Kicked CPU 1: CPU 2 balances first and takes the waiting task; CPU 1 then finds nothing.
  // next_balance: CPU 2 busy now, 3 ms * 16 = 12 jiffies - 1; CPU 1 balanced, 6 ms = 2 jiffies.
  const s = ilb();
  s.rd.nohzKicked[1] = true;
  nohzIdleBalance(s.rd, s.cpus[1]!);
  assert.equal(s.rd.nohzKicked[1], false);
  assert.equal(s.q.cpu, s.cpus[2]);
  assert.equal(s.rd.nextBalance[2], s.j + 11);
  assert.equal(s.rd.nextBalance[1], s.j + 2);
  assert.equal(s.rd.nohzNextBalance, s.j + 2, "the earliest");
  // CPU 2 not due (next_balance j + 5): CPU 1 takes it; nohz.next_balance = min(j + 5, j + 11).
  const t = ilb();
  t.rd.nextBalance[2] = t.j + 5;
  nohzIdleBalance(t.rd, t.cpus[1]!);
  assert.equal(t.q.cpu, t.cpus[1]);
  assert.equal(t.rd.nohzNextBalance, t.j + 5);
  // CPU 2 idle but out of the nohz mask: skipped.
  const u = ilb();
  u.rd.nohzExitIdle(u.cpus[2]!);
  nohzIdleBalance(u.rd, u.cpus[1]!);
  assert.equal(u.q.cpu, u.cpus[1]);
});

test("_nohz_idle_balance(): nothing when the kicked CPU is no longer idle or has need_resched set", () => {
  const s = ilb();
  s.rd.nohzKicked[1] = true;
  s.cpus[1]!.ttwuPending = 1;
  s.rd.nohzNextBalance = 7;
  nohzIdleBalance(s.rd, s.cpus[1]!);
  assert.equal(s.rd.nohzKicked[1], false, "the kick is consumed");
  assert.equal(s.q.cpu, s.cpus[0]);
  assert.equal(s.rd.nohzNextBalance, 7);
  const t = ilb();
  t.cpus[1]!.needResched = true;
  t.rd.nohzNextBalance = 7;
  nohzIdleBalance(t.rd, t.cpus[1]!);
  assert.equal(t.q.cpu, t.cpus[0]);
  assert.equal(t.rd.nohzNextBalance, 7, "abort: nohz.next_balance untouched");
});

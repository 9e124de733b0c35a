/**
 * try_to_wake_up() of Linux 6.5 on one root domain: select_task_rq() (select_task_rq_fair() with
 * wake_affine() and select_idle_sibling(), or select_task_rq_rt()), set_task_cpu(), and
 * ttwu_queue(): a wakeup for an idle CPU other than the waker's goes on that CPU's wake list
 * with an IPI (TTWU_QUEUE), otherwise the task is activated at once, and a remote wakeup that
 * must preempt sends a reschedule IPI (resched_curr() in rq.ts).
 */
import { SCHED_CAPACITY_SCALE } from "./pelt";
import type { Cpu } from "./cpu";
import { findLowestRq, taskWokenRt } from "./rt_push";
import type { Task } from "./task";
import { IMBALANCE_PCT, type RootDomain } from "./topology";

/** try_to_wake_up(): `waker` is the CPU the wakeup runs on (null: none, e.g. at boot). */
export function tryToWakeUp(rd: RootDomain, t: Task, waker: Cpu | null): void {
  if (t.onRq || t.wakePending) return;
  const prev = t.cpu ?? rd.cpus[0]!;
  const thisCpu = waker && waker.rd === rd ? waker : prev;
  const target = selectTaskRq(rd, t, prev, thisCpu);
  if (target !== prev) rd.setTaskCpu(t, prev, target);
  else t.cpu = target;
  // ttwu_queue_wakelist(): the idle target activates the task itself, from the IPI.
  if (rd.tun.features.TTWU_QUEUE && target !== thisCpu && target.nrRunning === 0) {
    t.wakePending = true;
    target.ttwuPending++;
    rd.wakeList[target.index]!.push(t);
    rd.env.ipi(target, rd.ttwuFns[target.index]!);
    return;
  }
  activateTask(rd, target, t);
}

/** ttwu_do_activate(): enqueue, check_preempt_curr(), task_woken, and the idle-time average. */
export function activateTask(rd: RootDomain, c: Cpu, t: Task): void {
  rd.env.beforeActivate(c, t);
  c.wake(t);
  if (t.isRt) taskWokenRt(rd, c, t);
  const i = c.index;
  const stamp = rd.idleStamp[i]!;
  if (stamp >= 0) {
    // update_avg(&rq->avg_idle, idle time), capped at twice the newidle balance cost. The
    // kernel's s64 division truncates toward zero (kernel/sched/sched.h update_avg()).
    const delta = rd.eng.now - stamp;
    let avg = rd.avgIdle[i]! + Math.trunc((delta - rd.avgIdle[i]!) / 8);
    const max = 2 * rd.maxIdleBalanceCost[i]!;
    if (avg > max) avg = max;
    rd.avgIdle[i] = avg;
    rd.idleStamp[i] = -1;
  }
}

/** select_task_rq(): a pinned task stays where it is allowed; otherwise its class decides. */
export function selectTaskRq(rd: RootDomain, t: Task, prev: Cpu, thisCpu: Cpu): Cpu {
  if (t.pin >= 0) return rd.cpus[t.pin]!;
  return t.isRt ? selectTaskRqRt(rd, t, prev, thisCpu) : selectTaskRqFair(rd, t, prev, thisCpu);
}

// ---- the fair class ------------------------------------------------------------------------

/** record_wakee(): the waker's flips, decayed once a second. */
function recordWakee(rd: RootDomain, current: Task, p: Task): void {
  const j = rd.jiffies;
  if (j > current.wakeeFlipDecayTs + rd.hz) {
    current.wakeeFlips >>= 1;
    current.wakeeFlipDecayTs = j;
  }
  if (current.lastWakee !== p) {
    current.lastWakee = p;
    current.wakeeFlips++;
  }
}

/** wake_wide(): a waker of many wakees (M:N) spreads rather than pulls them to itself. */
function wakeWide(rd: RootDomain, current: Task | null, p: Task): boolean {
  let master = current ? current.wakeeFlips : 0;
  let slave = p.wakeeFlips;
  const factor = rd.n;
  if (master < slave) {
    const x = master;
    master = slave;
    slave = x;
  }
  return !(slave < factor || master < slave * factor);
}

/**
 * select_task_rq_fair() for a wakeup (WF_TTWU): the waker's CPU is an affine target when both it
 * and the previous CPU are in the MC domain (always here), so wake_affine() chooses between them
 * and select_idle_sibling() looks for an idle CPU around the choice.
 */
function selectTaskRqFair(rd: RootDomain, p: Task, prev: Cpu, thisCpu: Cpu): Cpu {
  const current = thisCpu.curr;
  if (current) recordWakee(rd, current, p);
  let newCpu = prev;
  const wantAffine = !wakeWide(rd, current, p);
  if (wantAffine && thisCpu !== prev) newCpu = wakeAffine(rd, p, thisCpu, prev);
  return selectIdleSibling(rd, p, prev, newCpu);
}

/** wake_affine(): the waker's CPU if it will run the task sooner, else the previous one. */
function wakeAffine(rd: RootDomain, p: Task, thisCpu: Cpu, prev: Cpu): Cpu {
  const f = rd.tun.features;
  let target: Cpu | null = null;
  if (f.WA_IDLE) target = wakeAffineIdle(rd, thisCpu, prev);
  if (f.WA_WEIGHT && target === null) target = wakeAffineWeight(rd, p, thisCpu, prev);
  return target === thisCpu ? thisCpu : prev;
}

/** wake_affine_idle(): an idle waker's CPU (an interrupt woke the task) or an idle previous one. */
function wakeAffineIdle(rd: RootDomain, thisCpu: Cpu, prev: Cpu): Cpu | null {
  if (rd.availableIdleCpu(thisCpu)) return rd.availableIdleCpu(prev) ? prev : thisCpu;
  if (rd.availableIdleCpu(prev)) return prev;
  return null;
}

/** wake_affine_weight(): compare the CPUs' loads with the task moved, biased to stay (WA_BIAS). */
function wakeAffineWeight(rd: RootDomain, p: Task, thisCpu: Cpu, prev: Cpu): Cpu | null {
  const taskLoad = prev.fair.taskHLoad(p);
  let thisEff = thisCpu.fair.loadAvg + taskLoad;
  let prevEff = prev.fair.loadAvg - taskLoad;
  if (rd.tun.features.WA_BIAS) {
    thisEff *= 100;
    // sd->imbalance_pct is an unsigned int: (117 - 100) / 2 is 8 in C, a bias of 108.
    prevEff *= 100 + Math.trunc((IMBALANCE_PCT - 100) / 2);
  }
  thisEff *= rd.capacityOf(prev);
  prevEff *= rd.capacityOf(thisCpu);
  return thisEff < prevEff ? thisCpu : null;
}

/** An idle CPU for a fair task: available_idle_cpu() || sched_idle_cpu(). */
function idleFor(rd: RootDomain, c: Cpu): boolean {
  return rd.availableIdleCpu(c) || rd.schedIdleCpu(c);
}

/**
 * select_idle_sibling(): the target if idle, else the previous CPU, else the task's recently
 * used CPU, else an idle CPU of the LLC (select_idle_cpu()), else the target. (The per-CPU
 * kthread stacking rule needs a waking kthread in task context, which the model has not.)
 */
function selectIdleSibling(rd: RootDomain, p: Task, prev: Cpu, target: Cpu): Cpu {
  if (idleFor(rd, target)) return target;
  if (prev !== target && idleFor(rd, prev)) return prev;
  const recent = p.recentUsedCpu;
  p.recentUsedCpu = prev.index;
  if (recent >= 0 && recent !== prev.index && recent !== target.index) {
    const r = rd.cpus[recent]!;
    if (idleFor(rd, r)) return r;
  }
  return selectIdleCpu(rd, target) ?? target;
}

/**
 * select_idle_cpu(): scan the LLC from the target's next CPU, at most nr_idle_scan CPUs
 * (SIS_UTIL: the budget the last periodic balance left, 0 on an LLC above ~85 % busy).
 */
function selectIdleCpu(rd: RootDomain, target: Cpu): Cpu | null {
  let nr = Number.MAX_SAFE_INTEGER;
  if (rd.tun.features.SIS_UTIL) {
    nr = rd.nrIdleScan + 1;
    if (nr === 1) return null;
  }
  const n = rd.n;
  for (let k = 1; k <= n; k++) {
    const c = rd.cpus[(target.index + k) % n]!;
    if (--nr === 0) return null;
    if (idleFor(rd, c)) return c;
  }
  return null;
}

/** update_idle_cpu_scan(): the scan budget falls with the LLC's utilisation, to 0 at ~85 %. */
export function updateIdleCpuScan(rd: RootDomain, sumUtil: number): void {
  if (!rd.tun.features.SIS_UTIL) return;
  const x = Math.floor(sumUtil / rd.n);
  const tmp = Math.min(Math.floor((x * x * IMBALANCE_PCT * IMBALANCE_PCT) / (10000 * SCHED_CAPACITY_SCALE)), SCHED_CAPACITY_SCALE);
  rd.nrIdleScan = Math.floor(((SCHED_CAPACITY_SCALE - tmp) * rd.n) / SCHED_CAPACITY_SCALE);
}

// ---- the RT class -----------------------------------------------------------------------------

/**
 * select_task_rq_rt(): stay on the previous CPU unless an RT task of equal or higher priority
 * (or a pinned one) runs there; then the lowest-priority CPU (find_lowest_rq()) if the task would
 * run there at once.
 */
function selectTaskRqRt(rd: RootDomain, p: Task, prev: Cpu, thisCpu: Cpu): Cpu {
  const curr = prev.curr;
  const test = !!curr?.isRt && (curr.pin >= 0 || curr.rtPrio >= p.rtPrio);
  if (!test) return prev;
  const target = findLowestRq(rd, p, prev, thisCpu);
  if (target && p.rtPrio > target.rt.topPrio()) return target;
  return prev;
}

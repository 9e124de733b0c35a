/**
 * Load balancing of Linux 6.5 (kernel/sched/fair.c) for one MC domain whose groups are single
 * CPUs: the periodic balance from the tick (rebalance_domains(), sd->balance_interval times
 * busy_factor on a busy CPU), newidle balance (gated by avg_idle against max_newidle_lb_cost and
 * the root domain's overload flag), and nohz idle balance (a busy CPU's tick kicks an idle CPU,
 * which balances for every CPU whose tick is stopped). load_balance() follows find_busiest_group()
 * with its group classification and calculate_imbalance() on PELT load and utilisation,
 * find_busiest_queue() and detach_tasks() with can_migrate_task()/task_hot().
 *
 * Not modelled: active balance (the stopper moving a running task; needed only when the one
 * movable task runs), and the pinned-task redo over other source CPUs; newidle balance stops
 * after one task, as on CONFIG_PREEMPTION kernels.
 */
import type { Cpu } from "./cpu";
import { SCHED_CAPACITY_SCALE } from "./pelt";
import type { Task } from "./task";
import {
  BUSY_FACTOR,
  CACHE_NICE_TRIES,
  CPU_IDLE,
  CPU_NEWLY_IDLE,
  CPU_NOT_IDLE,
  IMBALANCE_PCT,
  MAX_PINNED_INTERVAL,
  MIGRATION_COST_NS,
  NR_MIGRATE,
  type RootDomain,
} from "./topology";
import { updateIdleCpuScan } from "./wake";

/** group_type, in pulling priority. */
const HAS_SPARE = 0;
const FULLY_BUSY = 1;
const MISFIT = 2;
const OVERLOADED = 5;

/** migration_type. */
const MIGRATE_LOAD = 0;
const MIGRATE_UTIL = 1;
const MIGRATE_TASK = 2;

/** sg_lb_stats of a one-CPU group. */
interface SgStats {
  load: number;
  util: number;
  runnable: number;
  hNr: number;
  nr: number;
  idleCpus: number;
  capacity: number;
  type: number;
  avgLoad: number;
  misfitLoad: number;
}

const newStats = (): SgStats => ({
  load: 0,
  util: 0,
  runnable: 0,
  hNr: 0,
  nr: 0,
  idleCpus: 0,
  capacity: SCHED_CAPACITY_SCALE,
  type: HAS_SPARE,
  avgLoad: 0,
  misfitLoad: 0,
});

/** One balancing pass's state (lb_env), reused. */
class LbEnv {
  dst!: Cpu;
  idle = CPU_NOT_IDLE;
  imbalance = 0;
  migrationType = MIGRATE_LOAD;
  allPinned = false;
  loop = 0;
  loopMax = 0;
  readonly stats: SgStats[];
  totalLoad = 0;
  totalCapacity = 0;
  constructor(n: number) {
    this.stats = Array.from({ length: n }, newStats);
  }
}
const envs = new WeakMap<RootDomain, LbEnv>();
function envOf(rd: RootDomain): LbEnv {
  let e = envs.get(rd);
  if (!e) {
    e = new LbEnv(rd.n);
    envs.set(rd, e);
  }
  return e;
}

/** group_has_capacity(). */
function hasCapacity(s: SgStats): boolean {
  if (s.nr < 1) return true;
  if (s.capacity * IMBALANCE_PCT < s.runnable * 100) return false;
  return s.capacity * 100 > s.util * IMBALANCE_PCT;
}

/** group_is_overloaded(). */
function isOverloaded(s: SgStats): boolean {
  if (s.nr <= 1) return false;
  if (s.capacity * 100 < s.util * IMBALANCE_PCT) return true;
  return s.capacity * IMBALANCE_PCT < s.runnable * 100;
}

/** update_sg_lb_stats() for CPU `c`'s group. Returns whether it had two runnable tasks. */
function updateSgStats(rd: RootDomain, env: LbEnv, c: Cpu, s: SgStats): boolean {
  // A busy CPU's averages are as fresh as its last tick; an idle CPU's blocked load is brought
  // up to date (what the nohz stats kick does for tickless CPUs; the local CPU's own
  // update_blocked_averages() is done by the caller).
  if (c.curr === null) c.fair.syncLoad();
  s.load = c.fair.loadAvg;
  s.util = c.fair.utilAvg;
  s.runnable = c.fair.runnableAvg;
  s.hNr = c.fair.nrRunning;
  s.nr = c.nrRunning;
  s.idleCpus = 0;
  s.misfitLoad = 0;
  s.avgLoad = 0;
  s.capacity = rd.capacityOf(c);
  if (s.nr === 0 && rd.idleCpu(c)) s.idleCpus = 1;
  else if (c !== env.dst && env.idle !== CPU_NOT_IDLE && s.hNr === 1 && rd.reducedCapacity(c)) s.misfitLoad = s.load;
  // group_classify()
  if (isOverloaded(s)) s.type = OVERLOADED;
  else if (s.misfitLoad) s.type = MISFIT;
  else if (!hasCapacity(s)) s.type = FULLY_BUSY;
  else s.type = HAS_SPARE;
  if (s.type === OVERLOADED) s.avgLoad = (s.load * SCHED_CAPACITY_SCALE) / s.capacity;
  return s.nr > 1;
}

/** update_sd_pick_busiest(). `b` null: none yet (idle_cpus = UINT_MAX, has_spare). */
function pickBusiest(s: SgStats, b: SgStats | null): boolean {
  if (!s.hNr) return false;
  if (!b) return true;
  if (s.type !== b.type) return s.type > b.type;
  switch (s.type) {
    case OVERLOADED:
      return s.avgLoad > b.avgLoad;
    case MISFIT:
      return s.misfitLoad >= b.misfitLoad;
    case FULLY_BUSY:
      return s.avgLoad >= b.avgLoad;
    default:
      if (s.idleCpus > b.idleCpus) return false;
      return !(s.idleCpus === b.idleCpus && s.nr <= b.nr);
  }
}

/** find_busiest_group() with calculate_imbalance(): the busiest CPU, or null when balanced. */
function findBusiestGroup(rd: RootDomain, env: LbEnv): Cpu | null {
  const n = rd.n;
  let busiest: Cpu | null = null;
  let bs: SgStats | null = null;
  let overload = false;
  let sumUtil = 0;
  env.totalLoad = 0;
  env.totalCapacity = 0;
  const local = env.stats[env.dst.index]!;
  // The groups in the domain's order: the local one first.
  for (let k = 0; k < n; k++) {
    const c = rd.cpus[(env.dst.index + k) % n]!;
    const s = env.stats[c.index]!;
    if (updateSgStats(rd, env, c, s)) overload = true;
    if (c !== env.dst && pickBusiest(s, bs)) {
      busiest = c;
      bs = s;
    }
    env.totalLoad += s.load;
    env.totalCapacity += s.capacity;
    sumUtil += s.util;
  }
  rd.overload = overload;
  if (env.idle !== CPU_NEWLY_IDLE) updateIdleCpuScan(rd, sumUtil);
  if (!busiest || !bs) return null;
  if (bs.type !== MISFIT) {
    if (local.type > bs.type) return null;
    if (local.type === OVERLOADED) {
      if (local.avgLoad >= bs.avgLoad) return null;
      const avg = (env.totalLoad * SCHED_CAPACITY_SCALE) / env.totalCapacity;
      if (local.avgLoad >= avg) return null;
      if (100 * bs.avgLoad <= IMBALANCE_PCT * local.avgLoad) return null;
    }
    if (bs.type !== OVERLOADED) {
      // Not overloaded: a busy CPU leaves it to an idle one, and one task has nothing to pull.
      if (env.idle === CPU_NOT_IDLE) return null;
      if (bs.hNr === 1) return null;
    }
  }
  calculateImbalance(env, local, bs);
  return env.imbalance > 0 ? busiest : null;
}

/** calculate_imbalance() for one-CPU groups in a domain that shares the LLC. */
function calculateImbalance(env: LbEnv, local: SgStats, b: SgStats): void {
  if (b.type === MISFIT) {
    env.migrationType = MIGRATE_LOAD;
    env.imbalance = b.misfitLoad;
    return;
  }
  if (local.type === HAS_SPARE) {
    // Spread the tasks evenly (busiest->group_weight == 1): half the difference.
    env.migrationType = MIGRATE_TASK;
    env.imbalance = Math.max(0, b.nr - local.nr) >> 1;
    return;
  }
  let avg = 0;
  if (local.type < OVERLOADED) {
    local.avgLoad = (local.load * SCHED_CAPACITY_SCALE) / local.capacity;
    if (local.avgLoad >= b.avgLoad) {
      env.imbalance = 0;
      return;
    }
  }
  avg = (env.totalLoad * SCHED_CAPACITY_SCALE) / env.totalCapacity;
  if (local.avgLoad >= avg) {
    env.imbalance = 0;
    return;
  }
  env.migrationType = MIGRATE_LOAD;
  env.imbalance = Math.floor(Math.min((b.avgLoad - avg) * b.capacity, (avg - local.avgLoad) * local.capacity) / SCHED_CAPACITY_SCALE);
}

/** task_hot(): recently run (sysctl_sched_migration_cost), or a buddy when dst has work. */
function taskHot(rd: RootDomain, env: LbEnv, src: Cpu, p: Task): boolean {
  if (p.isRt || p.policy === "idle") return false;
  const rq = p.se.cfsRq;
  if (rd.tun.features.CACHE_HOT_BUDDY && env.dst.nrRunning > 0 && rq && (rq.next === p.se || rq.last === p.se)) return true;
  return src.clockTask() - p.se.execStart < MIGRATION_COST_NS;
}

/** can_migrate_task(). */
function canMigrateTask(rd: RootDomain, env: LbEnv, src: Cpu, p: Task): boolean {
  if (p.pin >= 0 && p.pin !== env.dst.index) return false;
  env.allPinned = false;
  if (p === src.curr) return false;
  const hot = taskHot(rd, env, src, p);
  return !hot || rd.nrBalanceFailed[env.dst.index]! > CACHE_NICE_TRIES;
}

/**
 * detach_tasks() and attach_tasks(): from the least recently run end of the source's task
 * list, the tasks that may move and fit the imbalance. Returns how many moved.
 */
function detachTasks(rd: RootDomain, env: LbEnv, src: Cpu): number {
  if (src.nrRunning <= 1) {
    env.allPinned = false;
    return 0;
  }
  if (env.imbalance <= 0) return 0;
  const fair = src.fair;
  const failed = rd.nrBalanceFailed[env.dst.index]!;
  let moved = 0;
  while (fair.tasksTail) {
    if (env.idle !== CPU_NOT_IDLE && src.nrRunning <= 1) break;
    env.loop++;
    // Seen about every task (or, all pinned so far, a whole batch of sysctl_sched_nr_migrate).
    if ((env.loop > env.loopMax && !env.allPinned) || env.loop > NR_MIGRATE) break;
    const p: Task = fair.tasksTail;
    if (!canMigrateTask(rd, env, src, p)) {
      fair.taskToFront(p);
      continue;
    }
    if (env.migrationType === MIGRATE_LOAD) {
      const load = Math.max(fair.taskHLoad(p), 1);
      if (Math.floor(load / 2 ** failed) > env.imbalance) {
        fair.taskToFront(p);
        continue;
      }
      env.imbalance -= load;
    } else if (env.migrationType === MIGRATE_UTIL) {
      const util = p.se.avg.utilAvg;
      if (util > env.imbalance) {
        fair.taskToFront(p);
        continue;
      }
      env.imbalance -= util;
    } else env.imbalance--;
    rd.moveQueued(src, env.dst, p);
    env.dst.checkPreempt(p);
    env.dst.replan();
    moved++;
    // CONFIG_PREEMPTION: newidle balance stops after one task.
    if (env.idle === CPU_NEWLY_IDLE) break;
    if (env.imbalance <= 0) break;
  }
  return moved;
}

/** find_busiest_queue(): with one-CPU groups, the group's CPU unless it has nothing to give. */
function busiestQueue(rd: RootDomain, env: LbEnv, c: Cpu): Cpu | null {
  const nr = c.fair.nrRunning;
  if (!nr) return null;
  if (env.migrationType === MIGRATE_LOAD) {
    if (nr === 1 && c.fair.loadAvg > env.imbalance && !rd.reducedCapacity(c)) return null;
  } else if (env.migrationType === MIGRATE_UTIL && nr <= 1) return null;
  return c;
}

/** should_we_balance(): a newly idle CPU with work or a wakeup coming does not. */
function shouldWeBalance(env: LbEnv): boolean {
  if (env.idle === CPU_NEWLY_IDLE) return env.dst.nrRunning === 0 && env.dst.ttwuPending === 0;
  // One-CPU groups: every CPU balances its own group.
  return true;
}

/** load_balance(): returns the number of tasks pulled to `dst`. */
export function loadBalance(rd: RootDomain, dst: Cpu, idle: number): number {
  const env = envOf(rd);
  // update_blocked_averages(this_cpu), as newidle_balance() and run_rebalance_domains() do.
  dst.fair.syncLoad();
  const i = dst.index;
  env.dst = dst;
  env.idle = idle;
  env.imbalance = 0;
  env.loop = 0;
  env.allPinned = false;
  let moved = 0;
  const group = shouldWeBalance(env) ? findBusiestGroup(rd, env) : null;
  const busiest = group ? busiestQueue(rd, env, group) : null;
  if (busiest) {
    env.allPinned = true;
    let allPinned = false;
    if (busiest.nrRunning > 1) {
      env.loopMax = Math.min(NR_MIGRATE, busiest.nrRunning);
      moved = detachTasks(rd, env, busiest);
      // All its tasks are pinned elsewhere (the redo over other sources is not modelled).
      allPinned = env.allPinned;
    }
    if (!allPinned) {
      if (!moved) {
        // Failures count only for the periodic balance.
        if (idle !== CPU_NEWLY_IDLE) rd.nrBalanceFailed[i]!++;
      } else rd.nrBalanceFailed[i] = 0;
      // We were unbalanced: balance again soon.
      rd.balanceInterval[i] = rd.minInterval;
      return moved;
    }
  }
  // out_balanced / out_all_pinned: back off.
  rd.nrBalanceFailed[i] = 0;
  if (idle !== CPU_NEWLY_IDLE) {
    const bi = rd.balanceInterval[i]!;
    if ((env.allPinned && bi < MAX_PINNED_INTERVAL) || bi < rd.maxInterval) rd.balanceInterval[i] = bi * 2;
  }
  return 0;
}

/** get_sd_balance_interval(), in jiffies. */
function balanceInterval(rd: RootDomain, i: number, busy: boolean): number {
  let interval = rd.msToJiffies(rd.balanceInterval[i]! * (busy ? BUSY_FACTOR : 1));
  if (busy) interval -= 1;
  return Math.min(Math.max(interval, 1), rd.maxLbInterval);
}

/** update_newidle_cost(): the domain's most expensive newidle balance, decaying ~1 %/s. */
function updateNewidleCost(rd: RootDomain, i: number, cost: number): boolean {
  const j = rd.jiffies;
  if (cost > rd.maxNewidleLbCost[i]!) {
    rd.maxNewidleLbCost[i] = cost;
    rd.lastDecayMaxLbCost[i] = j;
  } else if (j > rd.lastDecayMaxLbCost[i]! + rd.hz) {
    rd.maxNewidleLbCost[i] = Math.floor((rd.maxNewidleLbCost[i]! * 253) / 256);
    rd.lastDecayMaxLbCost[i] = j;
    return true;
  }
  return false;
}

/** rebalance_domains() for CPU `c` (its one domain). */
export function rebalanceDomains(rd: RootDomain, c: Cpu, idle: number): void {
  const i = c.index;
  let busy = idle !== CPU_IDLE && !rd.schedIdleCpu(c);
  if (updateNewidleCost(rd, i, 0)) rd.maxIdleBalanceCost[i] = Math.max(MIGRATION_COST_NS, rd.maxNewidleLbCost[i]!);
  let interval = balanceInterval(rd, i, busy);
  const j = rd.jiffies;
  if (j >= rd.lastBalance[i]! + interval) {
    if (loadBalance(rd, c, idle)) {
      idle = rd.idleCpu(c) ? CPU_IDLE : CPU_NOT_IDLE;
      busy = idle !== CPU_IDLE && !rd.schedIdleCpu(c);
    }
    rd.lastBalance[i] = j;
    interval = balanceInterval(rd, i, busy);
  }
  rd.nextBalance[i] = rd.lastBalance[i]! + interval;
}

/** trigger_load_balance() from the tick: the periodic balance when due, and nohz_balancer_kick(). */
export function triggerLoadBalance(rd: RootDomain, c: Cpu): void {
  const idle = rd.idleCpu(c);
  if (rd.jiffies >= rd.nextBalance[c.index]!) rebalanceDomains(rd, c, idle ? CPU_IDLE : CPU_NOT_IDLE);
  if (!idle) nohzBalancerKick(rd, c);
}

/**
 * nohz_balancer_kick(): at a busy tick, once nohz.next_balance has passed, kick an idle CPU to
 * balance for the idle ones when this CPU has two tasks, runs a task with reduced capacity, or
 * another CPU of the LLC is busy too.
 */
function nohzBalancerKick(rd: RootDomain, c: Cpu): void {
  rd.nohzExitIdle(c);
  if (rd.nohzCount === 0) return;
  const j = rd.jiffies;
  if (j < rd.nohzNextBalance) return;
  const kick = c.nrRunning >= 2 || (c.fair.nrRunning >= 1 && rd.reducedCapacity(c)) || rd.nrBusyCpus > 1;
  if (!kick) return;
  // kick_ilb(): the first idle CPU of the nohz set.
  rd.nohzNextBalance = j + 1;
  for (const ilb of rd.cpus) {
    if (ilb === c || !rd.nohzIdle[ilb.index] || !rd.idleCpu(ilb)) continue;
    if (rd.nohzKicked[ilb.index]) return;
    rd.nohzKicked[ilb.index] = true;
    rd.env.ipi(ilb, rd.nohzFns[ilb.index]!);
    return;
  }
}

/**
 * The kicked CPU's SCHED_SOFTIRQ (nohz_idle_balance()): if it is still idle, balance every
 * idle nohz CPU that is due, starting after itself and ending with itself.
 */
export function nohzIdleBalance(rd: RootDomain, ilb: Cpu): void {
  rd.nohzKicked[ilb.index] = false;
  if (!rd.idleCpu(ilb)) return;
  const n = rd.n;
  const j = rd.jiffies;
  let next = j + 60 * rd.hz;
  for (let k = 1; k <= n; k++) {
    const c = rd.cpus[(ilb.index + k) % n]!;
    if (!rd.nohzIdle[c.index] || !rd.idleCpu(c)) continue;
    // This CPU got work meanwhile: leave the rest to the next kick.
    if (ilb.needResched) return;
    if (j >= rd.nextBalance[c.index]!) rebalanceDomains(rd, c, CPU_IDLE);
    if (rd.nextBalance[c.index]! < next) next = rd.nextBalance[c.index]!;
  }
  rd.nohzNextBalance = next;
}

/**
 * newidle_balance(): before going idle, pull a task unless no CPU is overloaded or this CPU's
 * idle periods are too short to pay for it (avg_idle < max_newidle_lb_cost). The balance costs
 * the tunables' newidleBalanceNs of CPU time, paid by the task it pulls (if any).
 */
export function newidleBalance(rd: RootDomain, c: Cpu): number {
  const i = c.index;
  if (c.ttwuPending) return 0;
  rd.idleStamp[i] = rd.eng.now;
  // update_next_balance(sd, &next_balance), on both paths below: a CPU going idle has its next
  // periodic balance brought forward to the domain's idle interval (at most a second away).
  const next = Math.min(rd.jiffies + rd.hz, rd.lastBalance[i]! + balanceInterval(rd, i, false));
  if (rd.nextBalance[i]! > next) rd.nextBalance[i] = next;
  if (!rd.overload || rd.avgIdle[i]! < rd.maxNewidleLbCost[i]!) return 0;
  const cost = c.tun.newidleBalanceNs;
  let pulled = loadBalance(rd, c, CPU_NEWLY_IDLE);
  updateNewidleCost(rd, i, cost);
  if (cost > rd.maxIdleBalanceCost[i]!) rd.maxIdleBalanceCost[i] = cost;
  if (c.fair.nrRunning && !pulled) pulled = 1;
  if (pulled) {
    rd.idleStamp[i] = -1;
    c.pendingOvh += cost;
  }
  return pulled;
}

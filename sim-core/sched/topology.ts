/**
 * The CPUs of one kernel (the host's, or one guest's vCPUs) as Linux 6.5 sees a small machine:
 * one root domain (kernel/sched/topology.c) with a single MC sched domain that spans every CPU
 * and shares one LLC, each CPU its own sched group (no SMT). This holds what those structures
 * hold: the root domain's overload flag and RT overload set, sd_llc_shared's SIS_UTIL scan
 * budget and busy count, the nohz idle set, and per CPU the sched_domain's balancing state and
 * the rq's balancing fields. Wake placement (wake.ts), load balancing (lb.ts) and RT push/pull
 * (rt_push.ts) work on it.
 *
 * The kernel is told apart by its environment: the host reads no vcpu_is_preempted() and sends
 * IPIs as host interrupts; a guest reads its vCPUs' steal-time flag and sends IPIs through KVM.
 */
import type { Engine } from "../engine";
import { IMBALANCE_PCT, MIGRATION_COST_NS, type SchedTunables } from "../params";
import type { Rng } from "../rng";
import type { Cpu } from "./cpu";
import { FairClass } from "./fair";
import { newidleBalance, nohzIdleBalance, triggerLoadBalance } from "./lb";
import { rtPolicyChanged, pullRtTask, pushRtTasks, rtoPushWork } from "./rt_push";
import type { Task } from "./task";
import { activateTask } from "./wake";

/** What differs between the host and a guest. */
export interface SmpEnv {
  /** vcpu_is_preempted(): the vCPU behind `cpu` was preempted on the host (false on the host). */
  vcpuIsPreempted(cpu: Cpu): boolean;
  /** An IPI to `cpu` whose handler runs `fn` in its interrupt context. */
  ipi(cpu: Cpu, fn: () => void): void;
  /** Just before a woken task is enqueued on `cpu` (KVM ends a halt-poll; patch 7's hook). */
  beforeActivate(cpu: Cpu, t: Task): void;
}

/** cpu_idle_type. */
export const CPU_IDLE = 0;
export const CPU_NOT_IDLE = 1;
export const CPU_NEWLY_IDLE = 2;

export {
  BUSY_FACTOR,
  CACHE_NICE_TRIES,
  IMBALANCE_PCT,
  MAX_PINNED_INTERVAL,
  MIGRATION_COST_NS,
  NR_MIGRATE,
} from "../params";

export class RootDomain {
  readonly n: number;
  readonly eng: Engine;
  readonly tickNs: number;
  /** HZ: jiffies per second. */
  readonly hz: number;
  /** max_load_balance_interval (update_max_interval(): HZ * nr_cpus / 10), in jiffies. */
  readonly maxLbInterval: number;

  // ---- the MC sched_domain of each CPU (sd_init(): min_interval = span weight in ms) ----------
  readonly minInterval: number;
  readonly maxInterval: number;
  readonly balanceInterval: number[];
  /** sd->last_balance, in jiffies. */
  readonly lastBalance: number[];
  readonly nrBalanceFailed: number[];
  readonly maxNewidleLbCost: number[];
  readonly lastDecayMaxLbCost: number[];

  // ---- rq fields ---------------------------------------------------------------------------
  /** rq->next_balance, in jiffies. */
  readonly nextBalance: number[];
  /** rq->avg_idle and rq->idle_stamp (-1: none), ns. */
  readonly avgIdle: number[];
  readonly idleStamp: number[];
  readonly maxIdleBalanceCost: number[];

  // ---- shared ------------------------------------------------------------------------------
  /** sd_llc_shared->nr_idle_scan: SIS_UTIL's scan budget, 0 until the first periodic balance. */
  nrIdleScan = 0;
  /** root_domain->overload: some CPU had two runnable tasks (as last seen). */
  overload = false;
  /** nohz.idle_cpus_mask, nohz.nr_cpus and nohz.next_balance (jiffies). */
  readonly nohzIdle: boolean[];
  nohzCount = 0;
  nohzNextBalance = 0;
  /** A NOHZ_BALANCE_KICK is on its way to this CPU. */
  readonly nohzKicked: boolean[];
  /** The RT_PUSH_IPI chain: rd->rto_cpu, rto_loop, rto_loop_next. */
  rtoCpu = -1;
  rtoLoop = 0;
  rtoLoopNext = 0;
  /** distribute_cpu_mask_prev, per CPU (cpumask_any_and_distribute()). */
  readonly distributePrev: number[];
  /** Wakeups queued for each CPU's IPI (TTWU_QUEUE's wake list). */
  readonly wakeList: Task[][];
  /** Threads placed on each CPU at creation (fork placement counts them). */
  readonly placed: number[];

  // Per-CPU IPI handlers, bound once (IPIs are frequent).
  readonly ttwuFns: (() => void)[] = [];
  readonly nohzFns: (() => void)[] = [];
  readonly rtoFns: (() => void)[] = [];
  readonly noop = () => {};

  constructor(
    readonly cpus: Cpu[],
    readonly tun: SchedTunables,
    readonly env: SmpEnv,
  ) {
    const n = cpus.length;
    this.n = n;
    this.eng = cpus[0]!.eng;
    this.tickNs = tun.tickNs;
    const hz = Math.round(1e9 / tun.tickNs);
    this.hz = hz;
    this.maxLbInterval = Math.floor((hz * n) / 10);
    this.minInterval = n;
    this.maxInterval = 2 * n;
    const fill = (v: number) => cpus.map(() => v);
    this.balanceInterval = fill(n);
    this.lastBalance = fill(0);
    this.nrBalanceFailed = fill(0);
    this.maxNewidleLbCost = fill(0);
    this.lastDecayMaxLbCost = fill(0);
    this.nextBalance = fill(0);
    this.avgIdle = fill(2 * MIGRATION_COST_NS);
    this.idleStamp = fill(-1);
    this.maxIdleBalanceCost = fill(MIGRATION_COST_NS);
    // Every CPU starts idle with its tick stopped; a busy one leaves the set at its first tick.
    this.nohzIdle = cpus.map(() => true);
    this.nohzCount = n;
    this.nohzKicked = cpus.map(() => false);
    this.distributePrev = fill(0);
    this.wakeList = cpus.map(() => []);
    this.placed = fill(0);
    for (const c of cpus) {
      c.rd = this;
      const cpu = c;
      this.ttwuFns.push(() => this.ttwuPending(cpu));
      this.nohzFns.push(() => nohzIdleBalance(this, cpu));
      this.rtoFns.push(() => rtoPushWork(this, cpu));
    }
  }

  get jiffies(): number {
    return Math.floor(this.eng.now / this.tickNs);
  }

  /** msecs_to_jiffies(), rounding up. */
  msToJiffies(ms: number): number {
    return Math.ceil((ms * 1e6) / this.tickNs);
  }

  // ---- idle, capacity ----------------------------------------------------------------------

  /** idle_cpu(): the idle task runs, nothing is queued, no wakeup is on its way. */
  idleCpu(c: Cpu): boolean {
    return c.curr === null && c.nrRunning === 0 && c.ttwuPending === 0;
  }

  /** available_idle_cpu(): idle, and (in a guest) its vCPU not preempted on the host. */
  availableIdleCpu(c: Cpu): boolean {
    return this.idleCpu(c) && !this.env.vcpuIsPreempted(c);
  }

  /** sched_idle_cpu(): only SCHED_IDLE tasks are runnable. */
  schedIdleCpu(c: Cpu): boolean {
    const nr = c.nrRunning;
    return nr > 0 && nr === c.fair.root.idleNr && nr === c.fair.nrRunning;
  }

  /** capacity_of() after scale_rt_capacity(): what RT time leaves to the fair class. */
  capacityOf(c: Cpu): number {
    const used = c.rtUtil();
    return used >= 1024 ? 1 : 1024 - used;
  }

  /** check_cpu_capacity(): RT (or irq) pressure takes a noticeable part of the CPU. */
  reducedCapacity(c: Cpu): boolean {
    return this.capacityOf(c) * IMBALANCE_PCT < 1024 * 100;
  }

  // ---- moving tasks ------------------------------------------------------------------------

  /**
   * Where a new thread starts: its pinned CPU, else (fork balancing, simplified to what is known
   * before anything runs) the CPU with the fewest threads created on it so far, ties broken by
   * the kernel's fork-placement stream (which is why two seeds can give a probe other neighbours).
   */
  forkCpu(rng: Rng, pin: number): Cpu {
    let idx = pin;
    if (idx < 0) {
      const least = Math.min(...this.placed);
      const ties = this.placed.flatMap((n, i) => (n === least ? [i] : []));
      idx = ties[Math.floor(rng.float() * ties.length)]!;
    }
    this.placed[idx]!++;
    return this.cpus[idx]!;
  }

  /**
   * set_task_cpu() for a task that is not queued: its vruntime is made relative to the new
   * runqueue (migrate_task_rq_fair() of 6.5) and its load leaves the old one; a migrated task is
   * no longer cache-hot (ENQUEUE_MIGRATED clears exec_start).
   */
  setTaskCpu(t: Task, from: Cpu, to: Cpu): void {
    if (from !== to && !t.isRt) {
      FairClass.renormalize(t, from.fair.rqFor(t.tg), to.fair.rqFor(t.tg));
      from.fair.migrateOut(t);
      t.se.execStart = 0;
    }
    t.cpu = to;
  }

  /**
   * detach_task() + attach_task() of a queued task: its vruntime relative to the old runqueue's
   * min_vruntime before the dequeue moves that minimum, as dequeue_entity() does.
   */
  moveQueued(src: Cpu, dst: Cpu, t: Task): void {
    src.settle();
    dst.settle();
    const rel = t.isRt ? 0 : t.se.vruntime - src.fair.rqFor(t.tg).minVruntime;
    // It has been waiting since then, wherever it waits (run_delay).
    const since = t.runnableSince;
    src.dequeue(t);
    if (!t.isRt) {
      src.fair.migrateOut(t);
      t.se.vruntime = rel + dst.fair.rqFor(t.tg).minVruntime;
    }
    t.cpu = dst;
    dst.enqueue(t, false);
    t.runnableSince = since;
    src.replan();
  }

  // ---- IPIs ----------------------------------------------------------------------------

  /** resched_curr() of a CPU other than the one executing: smp_send_reschedule(). */
  sendReschedIpi(c: Cpu): void {
    this.env.ipi(c, this.noop);
  }

  /** sched_ttwu_pending(): the IPI handler activates the wakeups queued for this CPU. */
  private ttwuPending(c: Cpu): void {
    const list = this.wakeList[c.index]!;
    for (let i = 0; i < list.length; i++) {
      const t = list[i]!;
      t.wakePending = false;
      c.ttwuPending--;
      activateTask(this, c, t);
    }
    list.length = 0;
  }

  // ---- the scheduler's calls -----------------------------------------------------------

  /**
   * put_prev_task_balance() in __schedule(): a previous RT task that left may let this CPU
   * pull RT work (balance_rt()); a runqueue with nothing to run pulls fair work
   * (newidle_balance(), from pick_next_task_fair() or balance_fair()).
   */
  balance(c: Cpu, prev: Task | null): void {
    if (prev?.isRt && !prev.onRq && c.rt.topPrio() < prev.rtPrio) pullRtTask(this, c);
    if (c.nrRunning === 0) newidleBalance(this, c);
  }

  /** The balance callbacks after __schedule(): push waiting RT tasks when an RT task was picked. */
  afterSchedule(c: Cpu, next: Task | null): void {
    if (next?.isRt) pushRtTasks(this, c);
    // A CPU going idle stops its tick (nohz_balance_enter_idle()) on the host at once; a guest
    // CPU does it from its tick (guest.ts).
    if (!next && c.nohzAtIdle) this.nohzEnterIdle(c);
  }

  /** scheduler_tick(): trigger_load_balance(). */
  tick(c: Cpu): void {
    triggerLoadBalance(this, c);
  }

  /** check_class_changed() after __sched_setscheduler(): RT push/pull. */
  policyChanged(c: Cpu, t: Task, wasRt: boolean, oldPrio: number): void {
    rtPolicyChanged(this, c, t, wasRt, oldPrio);
  }

  // ---- nohz ----------------------------------------------------------------------------

  /** nohz_balance_enter_idle(): this CPU's tick stops; idle load balancing covers it. */
  nohzEnterIdle(c: Cpu): void {
    if (this.nohzIdle[c.index]) return;
    this.nohzIdle[c.index] = true;
    this.nohzCount++;
  }

  /** nohz_balance_exit_idle(): at the first busy tick. */
  nohzExitIdle(c: Cpu): void {
    if (!this.nohzIdle[c.index]) return;
    this.nohzIdle[c.index] = false;
    this.nohzCount--;
  }

  /** sd_llc_shared->nr_busy_cpus: the CPUs that are not nohz-idle. */
  get nrBusyCpus(): number {
    return this.n - this.nohzCount;
  }
}

/**
 * The host: its CPUs, cgroups, wake placement, load balancing, the tick, the RT period timer,
 * and host hrtimers. Host threads and vCPU threads are scheduled here.
 */
import type { Engine } from "./engine";
import type { Dist, HostConfig } from "./scenario";
import type { Rng, Streams } from "./rng";
import { resolveSched, sharesFromCpuWeight, type SchedTunables } from "./params";
import { Cpu } from "./sched/cpu";
import { FairClass, TaskGroup } from "./sched/fair";
import type { Task } from "./sched/task";

/** sysctl_sched_migration_cost (500 us): a task that ran more recently is cache-hot and stays. */
const MIGRATION_COST_NS = 500_000;

/** Cost of the host hrtimer interrupt that wakes a sleeper (hrtimer_interrupt + try_to_wake_up). ESTIMATE. */
const HOST_TIMER_IRQ_NS = 1_000;

export class Host {
  readonly cpus: Cpu[];
  readonly tun: SchedTunables;
  readonly groups = new Map<string, TaskGroup>();
  readonly tasks: Task[] = [];
  private readonly timerDelivery: Dist | undefined;
  private readonly placeRng: Rng;
  private readonly deliveryRng: Rng;
  /** Threads placed on each CPU at creation (fork balancing counts them). */
  private readonly placed: number[];

  constructor(
    readonly eng: Engine,
    cfg: HostConfig,
    streams: Streams,
  ) {
    this.placeRng = streams.get("host/fork-placement");
    this.deliveryRng = streams.get("host/timer-delivery");
    this.tun = resolveSched(cfg.sched, cfg.cpus);
    this.cpus = [];
    for (let i = 0; i < cfg.cpus; i++) {
      const cpu = new Cpu(eng, i, `cpu${i}`, this.tun, true);
      cpu.hooks.idleBalance = (c) => this.idleBalance(c);
      this.cpus.push(cpu);
    }
    this.placed = this.cpus.map(() => 0);
    this.timerDelivery = cfg.timer_delivery;
    for (const g of cfg.cgroups ?? []) this.groups.set(g.name, new TaskGroup(g.name, g.shares ?? sharesFromCpuWeight(g.weight ?? 100)));
  }

  /** Starts the periodic machinery: ticks, the RT period timer, the balancer. */
  start(until: number): void {
    const tick = this.tun.tickNs;
    const tickAll = () => {
      for (const c of this.cpus) c.tick();
      if (this.eng.now + tick <= until) this.eng.after(tick, tickAll);
    };
    this.eng.at(tick, tickAll);
    const period = this.tun.rtPeriodNs;
    const rtp = () => {
      for (const c of this.cpus) c.rtPeriod();
      if (this.eng.now + period <= until) this.eng.after(period, rtp);
    };
    this.eng.at(period, rtp);
    const bal = this.tun.balanceNs;
    if (this.cpus.length > 1 && bal > 0) {
      const lb = () => {
        this.periodicBalance();
        if (this.eng.now + bal <= until) this.eng.after(bal, lb);
      };
      this.eng.at(bal, lb);
    }
  }

  /**
   * A new host thread. Unless pinned it goes where fork balancing would put it: the CPU with
   * the fewest threads so far, ties broken by the run's seeded generator (which is why two
   * seeds of one scenario can place a latency probe beside different neighbours).
   */
  addTask(t: Task, pin: number | undefined, cgroup: string | undefined): void {
    if (cgroup !== undefined) {
      t.cgroup = cgroup;
      t.tg = this.groups.get(cgroup) ?? null;
    }
    t.pin = pin ?? -1;
    let idx = t.pin;
    if (idx < 0) {
      const least = Math.min(...this.placed);
      const ties = this.placed.flatMap((n, i) => (n === least ? [i] : []));
      idx = ties[Math.floor(this.placeRng.float() * ties.length)];
    }
    this.placed[idx]++;
    t.cpu = this.cpus[idx];
    this.tasks.push(t);
  }

  // ---- wake placement ----------------------------------------------------------------------

  private isIdle(c: Cpu): boolean {
    return c.curr === null && c.nrRunning === 0;
  }

  /** A rank of what a CPU runs: lower is easier to preempt (cpupri's idea). */
  private rank(c: Cpu): number {
    const cur = c.curr;
    if (!cur && c.nrRunning === 0) return -2;
    if (!cur?.isRt) return -1;
    return cur.rtPrio;
  }

  /** select_task_rq(): RT goes where it can run now; fair prefers an idle CPU, else stays. */
  selectCpu(t: Task): Cpu {
    const prev = t.cpu ?? this.cpus[0];
    if (t.pin >= 0) return this.cpus[t.pin];
    if (t.isRt) {
      if (this.rank(prev) < t.rtPrio && !prev.rt.throttled) return prev;
      let best = prev;
      let bestRank = this.rank(prev);
      for (const c of this.cpus) {
        const r = this.rank(c);
        if (r < bestRank && !c.rt.throttled) {
          best = c;
          bestRank = r;
        }
      }
      return bestRank < t.rtPrio ? best : prev;
    }
    if (this.isIdle(prev)) return prev;
    const n = this.cpus.length;
    for (let k = 1; k < n; k++) {
      const c = this.cpus[(prev.index + k) % n];
      if (this.isIdle(c)) return c;
    }
    return prev;
  }

  /** Moves a non-running task's fair vruntime base when it changes CPU. */
  private migrate(t: Task, from: Cpu, to: Cpu): void {
    if (from === to || t.isRt) return;
    FairClass.renormalize(t, from.fair.rqFor(t.tg), to.fair.rqFor(t.tg));
  }

  /** try_to_wake_up() for a host thread. */
  wakeTask(t: Task): void {
    if (t.onRq) return;
    const from = t.cpu ?? this.cpus[0];
    const to = this.selectCpu(t);
    this.migrate(t, from, to);
    this.onWakeOn?.(to, t);
    to.wake(t);
  }

  /** Called before a task is enqueued on a CPU (KVM stops halt-polling there). */
  onWakeOn: ((cpu: Cpu, t: Task) => void) | null = null;

  /** A host hrtimer for `t`: it fires at `hard` as an interrupt on the CPU where t slept. */
  hrtimer(t: Task, hard: number, fire: () => void): void {
    // A thread that sleeps has been through its fork placement already.
    t.newTask = false;
    // A thread sleeps on one timer at a time: its callback is bound once and reused.
    t.timerFire = fire;
    if (!t.timerCb) t.timerCb = () => this.timerIrq(t.cpu ?? this.cpus[0], t.timerFire!);
    this.eng.at(hard + this.deliveryDelay(), t.timerCb);
  }

  /** One draw of the platform's timer-interrupt delivery delay (0 unless configured). */
  deliveryDelay(): number {
    return this.timerDelivery ? this.deliveryRng.ns(this.timerDelivery) : 0;
  }

  /** hrtimer_interrupt() on `c` running `fire` (a wakeup); a vCPU in guest mode exits first. */
  timerIrq(c: Cpu, fire: () => void): void {
    c.hooks.beforeIrq?.(c);
    c.raiseIrq(HOST_TIMER_IRQ_NS, fire);
  }

  // ---- load balancing ----------------------------------------------------------------------

  /** can_migrate_task(): not running, not pinned, and (for the balancer) not cache-hot. */
  private canMigrate(t: Task, src: Cpu, hotCheck: boolean): boolean {
    if (t === src.curr || t.pin >= 0) return false;
    return !hotCheck || this.eng.now - t.lastRanAt >= MIGRATION_COST_NS;
  }

  /** A queued, not running, movable task of `src` that may run on `dst`. */
  private movable(src: Cpu, dst: Cpu, hotCheck: boolean): Task | null {
    let best: Task | null = null;
    for (const t of src.rt.q) {
      if (this.canMigrate(t, src, false) && (!best || t.rtPrio > best.rtPrio)) best = t;
    }
    if (best) return best;
    void dst;
    const scan = (q: { task: Task | null; my: unknown }[]): Task | null => {
      for (const se of q) {
        if (se.task) {
          if (this.canMigrate(se.task, src, hotCheck)) return se.task;
        } else if (se.my) {
          const r = scan((se.my as { q: { task: Task | null; my: unknown }[] }).q);
          if (r) return r;
        }
      }
      return null;
    };
    return scan(src.fair.root.q);
  }

  /**
   * Moves a queued task (detach_task/attach_task). Its vruntime is made relative to the old
   * runqueue's min_vruntime *before* the dequeue moves that minimum, as dequeue_entity() does.
   */
  private moveQueued(src: Cpu, dst: Cpu, t: Task): void {
    src.settle();
    const rel = t.isRt ? 0 : t.se.vruntime - src.fair.rqFor(t.tg).minVruntime;
    src.dequeue(t);
    if (!t.isRt) t.se.vruntime = rel + dst.fair.rqFor(t.tg).minVruntime;
    dst.enqueue(t, false);
    src.replan();
  }

  /** The balancer's move: the destination may have to preempt what it runs. */
  private pull(src: Cpu, dst: Cpu, t: Task): void {
    this.moveQueued(src, dst, t);
    dst.checkPreempt(t);
    dst.replan();
  }

  /** newidle balance: an idle CPU pulls one waiting task from the busiest CPU. */
  private idleBalance(dst: Cpu): void {
    let src: Cpu | null = null;
    for (const c of this.cpus) {
      if (c === dst || c.nrRunning < 2) continue;
      if (!src || c.nrRunning > src.nrRunning) src = c;
    }
    if (!src) return;
    const t = this.movable(src, dst, false);
    // dst is inside schedule(): enqueue only, it picks right after.
    if (t) this.moveQueued(src, dst, t);
  }

  /**
   * The periodic balancer, simplified to counts: a CPU with at least two fewer runnable tasks
   * than the busiest pulls one; a waiting RT task moves to a CPU where it can run now (push_rt).
   */
  private periodicBalance(): void {
    for (const src of this.cpus) {
      for (const t of src.rt.q) {
        if (t === src.curr || t.pin >= 0) continue;
        let best: Cpu | null = null;
        let bestRank = t.rtPrio;
        for (const c of this.cpus) {
          if (c === src || c.rt.throttled) continue;
          const r = this.rank(c);
          if (r < bestRank) {
            best = c;
            bestRank = r;
          }
        }
        if (best) {
          this.pull(src, best, t);
          break;
        }
      }
    }
    let busiest: Cpu | null = null;
    for (const c of this.cpus) if (!busiest || c.nrRunning > busiest.nrRunning) busiest = c;
    if (!busiest) return;
    for (const dst of this.cpus) {
      if (busiest.nrRunning - dst.nrRunning < 2) continue;
      const t = this.movable(busiest, dst, true);
      if (t) this.pull(busiest, dst, t);
      break;
    }
  }
}

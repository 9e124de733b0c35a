/**
 * The host: its CPUs and their root domain (wake placement, load balancing, RT push/pull, in
 * sim-core/sched/), cgroups, the tick, the RT period timer, and host hrtimers. Host threads and
 * vCPU threads are scheduled here.
 */
import type { Engine } from "./engine";
import type { Dist, HostConfig } from "./scenario";
import type { Rng, Streams } from "./rng";
import { resolveSched, sharesFromCpuWeight, type SchedTunables } from "./params";
import { cpuCosts, tickSoftirqs } from "./costs";
import { Cpu } from "./sched/cpu";
import { CpuIdle } from "./sched/cpuidle";
import { TaskGroup } from "./sched/fair";
import { Rq } from "./sched/rq";
import type { Task } from "./sched/task";
import { RootDomain } from "./sched/topology";
import { tryToWakeUp } from "./sched/wake";

export class Host {
  readonly cpus: Cpu[];
  readonly rd: RootDomain;
  readonly tun: SchedTunables;
  readonly groups = new Map<string, TaskGroup>();
  readonly tasks: Task[] = [];
  private readonly timerDelivery: Dist | undefined;
  private readonly placeRng: Rng;
  private readonly deliveryRng: Rng;

  constructor(
    readonly eng: Engine,
    cfg: HostConfig,
    streams: Streams,
  ) {
    this.placeRng = streams.get("host/fork-placement");
    this.deliveryRng = streams.get("host/timer-delivery");
    const scale = cfg.cost_scale ?? 1;
    this.tun = resolveSched(cfg.sched, cfg.cpus, scale);
    this.cpus = [];
    const constant = cfg.cost_model === "constant";
    const noise = cfg.noise ?? true;
    for (let i = 0; i < cfg.cpus; i++) {
      const rng = constant ? null : streams.get(`host/cpu${i}/cost`);
      const costs = cpuCosts(rng, this.tun.ctxSwitchNs, this.tun.tickCostNs, scale);
      const soft = tickSoftirqs(noise ? streams.get(`host/cpu${i}/softirq`) : null, rng, this.tun.tickNs, scale);
      const cpu = new Cpu(eng, i, `cpu${i}`, this.tun, true, costs, soft);
      if (cfg.cpuidle_states?.length) {
        cpu.idle = new CpuIdle(cfg.cpuidle_states, () => this.qosLatencyUs, constant ? null : streams.get(`host/cpu${i}/cpuidle`));
      }
      this.cpus.push(cpu);
    }
    this.rd = new RootDomain(this.cpus, this.tun, {
      vcpuIsPreempted: () => false,
      ipi: (c, fn) => {
        // A vCPU in guest mode on that CPU exits for it.
        c.hooks.beforeIrq?.(c);
        c.raiseIrq(c.costs.ipi(), fn);
      },
      beforeActivate: (c, t) => this.onWakeOn?.(c, t),
    });
    this.timerDelivery = cfg.timer_delivery;
    for (const g of cfg.cgroups ?? []) this.groups.set(g.name, new TaskGroup(g.name, g.shares ?? sharesFromCpuWeight(g.weight ?? 100)));
  }

  /** Starts the periodic machinery: ticks (which run the balancer) and the RT period timer. */
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
  }

  /** A new host thread, on its pinned CPU or where fork placement puts it. */
  addTask(t: Task, pin: number | undefined, cgroup: string | undefined): void {
    if (cgroup !== undefined) {
      t.cgroup = cgroup;
      t.tg = this.groups.get(cgroup) ?? null;
    }
    t.pin = pin ?? -1;
    t.cpu = this.rd.forkCpu(this.placeRng, t.pin);
    t.recentUsedCpu = t.cpu.index;
    this.tasks.push(t);
  }

  /**
   * try_to_wake_up() for a host thread, from the host CPU whose code runs now (for guest code,
   * KVM on behalf of a vCPU: the CPU its thread runs on).
   */
  wakeTask(t: Task): void {
    let ex = Rq.executing;
    if (ex && ex.rd !== this.rd) ex = ex.hostCpu ? ex.hostCpu() : null;
    tryToWakeUp(this.rd, t, ex as Cpu | null);
  }

  /** The PM QoS CPU latency limit in us (/dev/cpu_dma_latency); Infinity when nobody holds it. */
  qosLatencyUs = Number.POSITIVE_INFINITY;

  /** A process opens /dev/cpu_dma_latency and writes `us` (held for the whole run). */
  holdCpuDmaLatency(us: number): void {
    this.qosLatencyUs = Math.min(this.qosLatencyUs, us);
  }

  /** Called before a task is enqueued on a CPU (KVM stops halt-polling there). */
  onWakeOn: ((cpu: Cpu, t: Task) => void) | null = null;

  /** A host hrtimer for `t`: it fires at `hard` as an interrupt on the CPU where t slept. */
  hrtimer(t: Task, hard: number, fire: () => void): void {
    // A thread that sleeps has been through its fork placement already.
    t.newTask = false;
    // A thread sleeps on one timer at a time: its callback is bound once and reused.
    t.timerFire = fire;
    if (!t.timerCb) t.timerCb = () => this.timerIrq(t.cpu ?? this.cpus[0]!, t.timerFire!);
    this.eng.at(hard + this.deliveryDelay(), t.timerCb);
  }

  /** One draw of the platform's timer-interrupt delivery delay (0 unless configured). */
  deliveryDelay(): number {
    return this.timerDelivery ? this.deliveryRng.ns(this.timerDelivery) : 0;
  }

  /** hrtimer_interrupt() on `c` running `fire` (a wakeup); a vCPU in guest mode exits first. */
  timerIrq(c: Cpu, fire: () => void): void {
    c.hooks.beforeIrq?.(c);
    c.raiseIrq(c.costs.timerIrq(), fire);
  }
}

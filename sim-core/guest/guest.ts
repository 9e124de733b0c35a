/**
 * The guest kernel of one VM: a scheduler per vCPU (the same classes as the host's), hrtimers
 * on each vCPU's LAPIC timer, the guest tick (NOHZ idle), interrupt handlers, softirqs and NMIs.
 * Guest time is wall time (kvmclock); guest execution happens only while a vCPU is in guest
 * mode, and the guest's task clock excludes steal (paravirt steal accounting).
 *
 * The vCPUs form the guest's root domain (sim-core/sched/topology.ts): tasks without a `cpu` are
 * placed at fork and at every wakeup, balanced by the guest's balancer, and RT tasks pushed and
 * pulled, as on the host; what differs is that vcpu_is_preempted() reads each vCPU's steal-time
 * flag, and that an IPI to another vCPU is a guest interrupt that KVM delivers.
 */
import { type Engine, type EvHandle, NO_EVENT } from "../engine";
import type { Rng, Streams } from "../rng";
import type { Dist, VmConfig } from "../scenario";
import { GUEST_IRQ_DEFAULTS, resolveSched, type SchedTunables } from "../params";
import { cpuCosts, tickSoftirqs } from "../costs";
import { Cpu, IRQ_HARD, IRQ_NMI, IRQ_SOFT } from "../sched/cpu";
import { Rq } from "../sched/rq";
import type { Task } from "../sched/task";
import { RootDomain } from "../sched/topology";
import { tryToWakeUp } from "../sched/wake";
import type { IrqSource, Vcpu } from "../kvm/vcpu";

/** The guest side of the series (patches 7 and 8), as the guest kernel calls it. */
export interface GuestPvHooks {
  onSchedule(v: Vcpu, next: Task | null): void;
  onEnqueue(v: Vcpu, t: Task): void;
  onUserReturn(v: Vcpu, t: Task): void;
  onIrqEntry(v: Vcpu): void;
  onIrqExit(v: Vcpu): void;
}

const noop = () => {};

interface GTimer {
  soft: number;
  hard: number;
  /** Arming order: timerqueue_add() puts a timer after those of the same hard expiry. */
  seq: number;
  fn: () => void;
}

export interface GuestIrqTiming {
  timer_handler: Dist;
  softirq: Dist;
  nmi_hz: number;
  nmi_handler: Dist;
  device_irq_hz: number;
  device_irq_handler: Dist;
}

/** The guest's default handler durations on hardware `scale` times slower than a desktop core. */
function scaledIrqDefaults(scale: number): GuestIrqTiming {
  const d = GUEST_IRQ_DEFAULTS;
  const s = (x: { lognormal_median_us: number; lognormal_gsd: number }) => ({ ...x, lognormal_median_us: x.lognormal_median_us * scale });
  return {
    timer_handler: s(d.timer_handler),
    softirq: s(d.softirq),
    nmi_hz: d.nmi_hz,
    nmi_handler: s(d.nmi_handler),
    device_irq_hz: d.device_irq_hz,
    device_irq_handler: s(d.device_irq_handler),
  };
}

export class Guest {
  readonly cpus: Cpu[] = [];
  readonly rd: RootDomain;
  readonly vcpus: Vcpu[] = [];
  readonly tun: SchedTunables;
  readonly irq: GuestIrqTiming;
  readonly nohz: boolean;
  private readonly timers: GTimer[][] = [];
  private timerSeq = 0;
  private readonly lapicAt: number[] = [];
  private readonly lapicEv: EvHandle[] = [];
  private readonly tickOn: boolean[] = [];
  /** The guest side of the series (patches 7 and 8), when the guest kernel has it. */
  private pv: GuestPvHooks | null = null;
  // Per-vCPU callbacks bound once (the interrupt path is the hottest code of a run).
  private readonly lapicFns: (() => void)[] = [];
  private readonly expireFns: (() => void)[] = [];
  private readonly placeRng: Rng;
  /** Per-vCPU streams: handler durations, NMI arrivals; one stream for the VM's device. */
  private readonly irqRng: Rng[] = [];
  private readonly nmiRng: Rng[] = [];
  private readonly deviceRng: Rng;

  constructor(
    readonly eng: Engine,
    streams: Streams,
    readonly cfg: VmConfig,
    opts: { constantCosts: boolean; noise: boolean; costScale: number },
  ) {
    this.tun = resolveSched(cfg.guest?.sched, cfg.vcpus, opts.costScale);
    this.irq = { ...scaledIrqDefaults(opts.costScale), ...(cfg.guest?.irq ?? {}) };
    this.nohz = cfg.guest?.nohz_idle ?? true;
    this.deviceRng = streams.get(`${cfg.name}/device-irq`);
    this.placeRng = streams.get(`${cfg.name}/fork-placement`);
    for (let i = 0; i < cfg.vcpus; i++) {
      this.irqRng.push(streams.get(`${cfg.name}/vcpu${i}/irq`));
      this.nmiRng.push(streams.get(`${cfg.name}/vcpu${i}/nmi`));
      const rng = opts.constantCosts ? null : streams.get(`${cfg.name}/vcpu${i}/cost`);
      const soft = tickSoftirqs(opts.noise ? streams.get(`${cfg.name}/vcpu${i}/softirq`) : null, rng, this.tun.tickNs, opts.costScale);
      const costs = cpuCosts(rng, this.tun.ctxSwitchNs, this.tun.tickCostNs, opts.costScale);
      const c = new Cpu(eng, i, `${cfg.name}/cpu${i}`, this.tun, false, costs, soft);
      // The guest tick stops at the first tick that finds the CPU idle (tickFire).
      c.nohzAtIdle = false;
      c.hostCpu = () => this.vcpus[i]?.runningOn ?? null;
      this.cpus.push(c);
      this.timers.push([]);
      this.lapicAt.push(Infinity);
      this.lapicEv.push(NO_EVENT);
      this.tickOn.push(false);
      this.lapicFns.push(() => this.lapicFire(i));
      this.expireFns.push(() => this.expire(i));
    }
    this.rd = new RootDomain(this.cpus, this.tun, {
      vcpuIsPreempted: (c) => this.vcpus[c.index]!.preempted,
      ipi: (c, fn) => this.sendIpi(c.index, fn),
      beforeActivate: (c, t) => this.beforeActivate(c, t),
    });
  }

  attach(v: Vcpu): void {
    this.vcpus.push(v);
    // Its steal time is this guest CPU's (the PELT clock runs without it).
    this.cpus[v.index]!.stealTask = v.task;
  }

  /**
   * Installs the guest side of the series on every vCPU: the scheduler's and the interrupt
   * entry/exit paths write the shared area (state changes only; an unboost may exit).
   */
  setPv(pv: GuestPvHooks): void {
    this.pv = pv;
    this.cpus.forEach((c, i) => {
      const v = this.vcpus[i]!;
      c.hooks.onSwitch = (_cpu, next) => pv.onSchedule(v, next);
      c.hooks.onIrqEntry = () => pv.onIrqEntry(v);
      c.hooks.onIrqExit = () => pv.onIrqExit(v);
      c.hooks.onUserReturn = (_cpu, t) => pv.onUserReturn(v, t);
    });
  }

  /** Starts per-vCPU interrupt sources (NMIs, device interrupts). */
  start(until: number): void {
    if (this.irq.nmi_hz > 0) {
      const mean = 1e9 / this.irq.nmi_hz;
      for (let i = 0; i < this.cpus.length; i++) {
        const rng = this.nmiRng[i]!;
        const next = () => {
          this.deliver(i, "nmi", rng.ns(this.irq.nmi_handler), () => {});
          const dt = Math.max(1, Math.round(rng.exp(mean)));
          if (this.eng.now + dt <= until) this.eng.after(dt, next);
        };
        this.eng.at(Math.round(rng.exp(mean)), next);
      }
    }
    if (this.irq.device_irq_hz > 0) {
      const mean = 1e9 / this.irq.device_irq_hz;
      const rng = this.deviceRng;
      const next = () => {
        this.deliver(0, "device", rng.ns(this.irq.device_irq_handler), () => this.softirq(0));
        const dt = Math.max(1, Math.round(rng.exp(mean)));
        if (this.eng.now + dt <= until) this.eng.after(dt, next);
      };
      this.eng.at(Math.round(rng.exp(mean)), next);
    }
    if (!this.nohz) for (let i = 0; i < this.cpus.length; i++) this.startTick(i, false);
    // The guest's own RT bandwidth timer (sched_rt_period_timer). Its interrupt is not modelled:
    // it only refills the budget.
    const period = this.tun.rtPeriodNs;
    if (this.tun.rtRuntimeNs >= 0) {
      const rtp = () => {
        for (const c of this.cpus) c.rtPeriod();
        if (this.eng.now + period <= until) this.eng.after(period, rtp);
      };
      this.eng.at(period, rtp);
    }
  }

  // ---- tasks ------------------------------------------------------------------------------

  readonly tasks: Task[] = [];

  /** A guest task: pinned to its `cpu`, or placed by fork placement and then at each wakeup. */
  addTask(t: Task, vcpu: number | undefined): void {
    this.tasks.push(t);
    t.pin = vcpu ?? -1;
    t.cpu = this.rd.forkCpu(this.placeRng, t.pin);
    t.recentUsedCpu = t.cpu.index;
  }

  /**
   * The vCPU a task's device interrupt is delivered to: the task's own if it is pinned, else
   * vCPU 0 (x86 gives a device vector one CPU of its affinity mask; the model takes the first).
   */
  irqVcpu(t: Task): number {
    return Math.max(t.pin, 0);
  }

  private inGuest(i: number): boolean {
    return this.cpus[i]!.active;
  }

  /** The guest CPU whose code runs now, if it is one of this guest's. */
  private executing(): Cpu | null {
    const ex = Rq.executing;
    return ex && ex.rd === this.rd ? (ex as Cpu) : null;
  }

  /** try_to_wake_up() from the vCPU whose code runs now (a timer's or a device's handler). */
  wake(t: Task): void {
    tryToWakeUp(this.rd, t, this.executing());
  }

  /**
   * ttwu_do_activate()'s guest side, before the enqueue: the CPU's tick restarts if it had
   * stopped, and patch 7's enqueue_task() hook writes the executing vCPU's shared area (for a
   * remote enqueue that is the waker's).
   */
  private beforeActivate(c: Cpu, t: Task): void {
    if (!this.tickOn[c.index]) this.startTick(c.index, this.inGuest(c.index));
    const ex = this.executing() ?? c;
    this.pv?.onEnqueue(this.vcpus[ex.index]!, t);
  }

  /** clock_nanosleep(TIMER_ABSTIME) of the running task `t`, with its timer slack. */
  sleepUntil(t: Task, soft: number, onWake: () => void): void {
    const c = t.cpu!;
    // A thread that sleeps has been through its fork placement already.
    t.newTask = false;
    const slack = t.isRt ? 0 : this.tun.timerSlackNs;
    if (c.curr === t) c.sleepCurr();
    this.arm(c.index, soft, soft + slack, onWake, this.inGuest(c.index));
  }

  /** The task blocks with no timer (someone else wakes it). */
  block(t: Task): void {
    t.newTask = false;
    const c = t.cpu!;
    if (c.curr === t) c.sleepCurr();
  }

  // ---- hrtimers on the LAPIC timer ---------------------------------------------------------

  private arm(i: number, soft: number, hard: number, fn: () => void, fromGuest: boolean): void {
    this.timers[i]!.push({ soft, hard, seq: this.timerSeq++, fn });
    this.reprogram(i, fromGuest);
  }

  /**
   * Programs the LAPIC (TSC-deadline) timer for the earliest hard expiry. Writing the MSR from
   * the guest is a fastpath exit: counted, and its cost spent on the vCPU, but KVM re-enters
   * without going through the scheduling points of a full exit.
   */
  private reprogram(i: number, fromGuest: boolean): void {
    let min = Infinity;
    for (const tm of this.timers[i]!) if (tm.hard < min) min = tm.hard;
    if (min === this.lapicAt[i]) return;
    this.eng.cancel(this.lapicEv[i]!);
    this.lapicAt[i] = min;
    this.lapicEv[i] = min === Infinity ? NO_EVENT : this.eng.at(min, this.lapicFns[i]!);
    if (fromGuest && min !== Infinity) this.vcpus[i]!.fastExit("msr_other");
  }

  private lapicFire(i: number): void {
    this.lapicEv[i] = NO_EVENT;
    this.lapicAt[i] = Infinity;
    this.deliver(i, "timer", this.irqRng[i]!.ns(this.irq.timer_handler), this.expireFns[i]!);
  }

  /**
   * hrtimer_interrupt() / __hrtimer_run_queues(): walk the timerqueue, which is ordered by hard
   * expiry (then arming order), running timers until the first whose soft expiry is still ahead.
   * A timer whose soft expiry has passed therefore waits behind an earlier-hard one that is not
   * due yet, as in the kernel.
   */
  private expire(i: number): void {
    const now = this.eng.now;
    const list = this.timers[i]!;
    // Few timers per vCPU (the tick, a sleeper or two): a scan for the queue's head is cheaper
    // than keeping a tree, and a callback may arm new timers meanwhile.
    for (;;) {
      let k = -1;
      for (let j = 0; j < list.length; j++) {
        const tm = list[j]!;
        if (k < 0 || tm.hard < list[k]!.hard || (tm.hard === list[k]!.hard && tm.seq < list[k]!.seq)) k = j;
      }
      if (k < 0 || list[k]!.soft > now) break;
      const tm = list[k]!;
      list[k] = list[list.length - 1]!;
      list.pop();
      tm.fn();
    }
    this.reprogram(i, true);
  }

  /**
   * An interrupt for vCPU i: its handler is queued on the guest CPU and KVM delivers it. A timer
   * that expires in guest mode is a fastpath exit, which comes before its handler.
   *
   * Otherwise the handler is queued first, so that an exit the delivery causes sees it pending
   * (the series' exit-time re-evaluation boosts for it). When that exit is a kick out of guest
   * mode (no posted delivery), the handler must not start before it: KVM injects the interrupt
   * at the next entry (which pays for the injection), and only then does the guest take it.
   */
  deliver(i: number, source: IrqSource, handlerNs: number, fn: () => void): number {
    const kind = source === "nmi" ? IRQ_NMI : IRQ_HARD;
    const v = this.vcpus[i]!;
    const c = this.cpus[i]!;
    if (source === "timer") {
      v.notify(source);
      c.raiseIrq(handlerNs, fn, kind);
      return 0;
    }
    if (v.kicksOutOfGuest(source)) c.queueIrq(handlerNs, fn, kind);
    else c.raiseIrq(handlerNs, fn, kind);
    return v.notify(source);
  }

  /**
   * The guest sends an IPI to vCPU i from the guest CPU whose code runs now. Without IPI
   * virtualization the sender's write to the x2APIC ICR exits, and KVM handles it in the fastpath
   * (handle_fastpath_set_msr_irqoff(), since 5.8, as it does the TSC-deadline write): the sender
   * pays that exit, and inside it the delivery to vCPU i, with patch 4's boost when the delivery
   * kicks. A PMI (the NMI source) on a running vCPU pays its boost in its own exit
   * (Vcpu.notify()); device interrupts, and NMIs for a vCPU not in guest mode, have no sender in
   * the model (the host side that raises them is not simulated), so their kick's boost is not
   * charged.
   */
  private sendIpi(i: number, fn: () => void): void {
    // An IPI's handler (interrupt entry and exit around an enqueue) is drawn as the timer
    // handler: ESTIMATE, no separate measurement.
    const kickNs = this.deliver(i, "ipi", this.irqRng[i]!.ns(this.irq.timer_handler), fn);
    const sender = this.executing();
    if (!sender?.active) return;
    const sv = this.vcpus[sender.index]!;
    if (!sv.costs.ipiVirtualization) sv.fastExit("msr_other", kickNs);
  }

  /** A softirq raised by a handler runs right after it, still in interrupt context. */
  softirq(i: number): void {
    this.cpus[i]!.raiseIrq(this.irqRng[i]!.ns(this.irq.softirq), noop, IRQ_SOFT);
  }

  // ---- the guest tick --------------------------------------------------------------------------

  private startTick(i: number, fromGuest: boolean): void {
    this.tickOn[i] = true;
    const tick = this.tun.tickNs;
    const next = (Math.floor(this.eng.now / tick) + 1) * tick;
    this.arm(i, next, next, () => this.tickFire(i), fromGuest);
  }

  private tickFire(i: number): void {
    const c = this.cpus[i]!;
    c.tickChecks();
    c.maybeTickSoftirq();
    if (this.nohz && !c.curr && c.nrRunning === 0) {
      this.tickOn[i] = false;
      // nohz_balance_enter_idle(): idle load balancing covers this CPU now.
      this.rd.nohzEnterIdle(c);
      return;
    }
    const tick = this.tun.tickNs;
    const next = (Math.floor(this.eng.now / tick) + 1) * tick;
    this.timers[i]!.push({ soft: next, hard: next, seq: this.timerSeq++, fn: () => this.tickFire(i) });
  }
}

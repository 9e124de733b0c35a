/**
 * A KVM vCPU: a host thread that runs guest code. Seen from the host it is a Task whose
 * Program cycles through entry, guest mode, exits, halt-polling and blocking; seen from the
 * guest it is a CPU that only executes while that thread is in guest mode on some host CPU.
 *
 * The run loop follows vcpu_enter_guest() and kvm_vcpu_halt() of Linux 6.5 (arch/x86/kvm/x86.c,
 * virt/kvm/kvm_main.c): a full exit runs the exit-time hooks (the series' kvm_vcpu_do_pv_sched)
 * before the exit is handled; a fastpath exit (a TSC-deadline write, a preemption-timer expiry)
 * re-enters without them.
 */
import { type Engine, TIME_ZERO } from "../engine";
import type { Host } from "../host";
import type { ExitReason } from "../results";
import type { Policy } from "../scenario";
import { type Cpu, IRQ_FAST } from "../sched/cpu";
import { type Program, Task } from "../sched/task";
import { newPvVcpuState, type PvVcpuState } from "../pvsched/state";
import { type KvmCostModel, postedDelivery } from "./costs";
import { HaltPoll, type HaltPollParams } from "./halt_poll";

/** Where the vCPU thread is in its run loop. */
export type VcpuMode =
  /** Executing guest code: the guest CPU is active. */
  | "guest"
  /** Handling a VM exit (host CPU time). */
  | "exit"
  /** vcpu_enter_guest up to guest code. */
  | "enter"
  /** Halt-polling after a HLT exit. */
  | "poll"
  /** In kvm_vcpu_block, about to sleep (the series boosts here). */
  | "blocking"
  /** Blocked in kvm_vcpu_block after a HLT. */
  | "blocked"
  /** Descheduled from guest mode (or not started): needs an entry when it next runs. */
  | "resume";

export type IrqSource = "timer" | "ipi" | "device" | "nmi";

/**
 * The host side of the series, as KVM calls it (implemented in pvsched/). Each returns the CPU
 * time it spent, charged to the context that called it.
 */
export interface PvHostHooks {
  /** kvm_vcpu_do_pv_sched(), after every full exit. */
  onExit(v: Vcpu): number;
  /** kvm_vcpu_kick_boost() at an interrupt delivery; `hardirq`: from host interrupt context. */
  onKick(v: Vcpu, source: IrqSource, hardirq: boolean): number;
  /** kvm_vcpu_block(), before schedule(). */
  onBlock(v: Vcpu): number;
  /** The vCPU thread runs again (a boost deferred from interrupt context). */
  onRun(v: Vcpu): number;
}

/** What the timeline recorder is told (implemented in timeline.ts); calls only, no effect on the run. */
export interface VcpuMarks {
  exit(v: Vcpu, reason: ExitReason, cpu: number): void;
  inject(v: Vcpu, source: IrqSource, kicked: boolean): void;
  /** The host side of the series ran: boosts, unboosts and throttles since the last call. */
  pv(v: Vcpu): void;
  halt(v: Vcpu): void;
  kick(v: Vcpu): void;
}

export class Vcpu implements Program {
  readonly task: Task;
  mode: VcpuMode = "resume";
  readonly halt: HaltPoll;
  readonly pv: PvVcpuState = newPvVcpuState();
  pvHooks: PvHostHooks | null = null;
  marks: VcpuMarks | null = null;
  readonly exits: Record<ExitReason, number> = {
    hlt: 0,
    timer: 0,
    external_interrupt: 0,
    ipi: 0,
    msr_unboost: 0,
    msr_other: 0,
    preemption: 0,
  };
  /** The reason of the latest VM exit (the latency explanation of sim-core/why.ts names it). */
  lastExit: ExitReason = "preemption";
  private afterExit: (() => void) | null = null;
  /**
   * The steal-time area's `preempted` flag, which the guest's vcpu_is_preempted() reads: set when
   * the thread is switched out while runnable after an exit caused by a host interrupt
   * (kvm_steal_time_set_preempted() needs at_instruction_boundary), cleared at the next entry
   * (record_steal_time()).
   */
  preempted = false;
  private atInstructionBoundary = false;
  // Bound once: these run on every halt and wakeup.
  private readonly haltLoopFn = () => this.haltLoop();
  private readonly kickFn = () => {
    this.marks?.kick(this);
    this.host.wakeTask(this.task);
  };
  private readonly timerFireFn = () => this.lapicTimerFn();
  private readonly timerKickFn = () => this.lapicTimerKick();
  /** The host CPU whose hrtimer interrupt runs apic_timer_fn() (where the thread last ran). */
  private timerCpu: Cpu | null = null;
  private readonly timerIrqFn = () => {
    this.timerCpu = this.task.cpu!;
    this.host.timerIrq(this.timerCpu, this.timerFireFn);
  };
  private haltStart = TIME_ZERO;
  private pollStart = TIME_ZERO;

  constructor(
    readonly eng: Engine,
    readonly host: Host,
    readonly vmName: string,
    readonly index: number,
    /** The guest's view of this vCPU. */
    readonly gcpu: Cpu,
    readonly costs: KvmCostModel,
    haltPoll: HaltPollParams,
    /** Per-VM switch of patch 6 and the rogue-guest flag, read by pvsched. */
    readonly vmPvEnabled: boolean,
    readonly neverUnboost: boolean,
    nice: number,
  ) {
    this.task = new Task(`${vmName}/vcpu${index}`, this, "other", 0, nice);
    // A guest's kernel and workload do not fit the cache beside a host hog.
    this.task.largeWorkingSet = true;
    this.halt = new HaltPoll(haltPoll);
    gcpu.hooks.onIdle = () => this.guestIdle();
  }

  /** The host CPU this vCPU thread is running on, or null. */
  get runningOn(): Cpu | null {
    const c = this.task.cpu;
    return c && c.curr === this.task ? c : null;
  }

  /** sched_setscheduler() on the vCPU thread, wherever it is. */
  setHostPolicy(policy: Policy, prio: number, nice: number): void {
    const c = this.task.cpu;
    if (c) c.setPolicy(this.task, policy, prio, nice);
    else {
      this.task.policy = policy;
      this.task.rtPrio = prio;
      this.task.nice = nice;
    }
  }

  // ---- Program ---------------------------------------------------------------------------------

  switchIn(_t: Task): void {
    const deferred = this.pvHooks ? this.pvHooks.onRun(this) : 0;
    this.marks?.pv(this);
    if (this.mode === "blocked") {
      this.halt.adapt(this.eng.now - this.haltStart);
      this.enter(deferred);
    } else if (this.mode === "resume") this.enter(deferred);
    else this.task.remaining += deferred;
  }

  switchOut(t: Task): void {
    if (t.onRq && (this.mode === "guest" || this.atInstructionBoundary)) this.preempted = true;
    if (this.mode === "guest") {
      // Descheduled from guest mode without a modelled exit (the host CPUs' beforeSchedule
      // hook normally makes the vCPU exit first): count it and charge the exit to whoever runs.
      this.gcpu.setActive(false);
      this.exits.preemption++;
      this.lastExit = "preemption";
      this.marks?.exit(this, "preemption", t.cpu?.index ?? -1);
      this.mode = "resume";
      if (t.cpu) t.cpu.pendingOvh += this.costs.exitNs("preemption");
    } else if (this.mode === "poll") {
      this.halt.fail++;
      this.halt.polledNs += this.eng.now - this.pollStart;
      this.mode = "resume";
    }
  }

  burstEnd(t: Task): void {
    switch (this.mode) {
      case "enter":
        this.onEntryRequests?.(this);
        this.mode = "guest";
        t.remaining = Number.POSITIVE_INFINITY;
        this.gcpu.setActive(true);
        return;
      case "exit": {
        const f = this.afterExit;
        this.afterExit = null;
        if (f) f();
        else this.enter(0);
        return;
      }
      case "poll":
        // The window ran out with no interrupt: block.
        this.halt.fail++;
        this.halt.polledNs += this.eng.now - this.pollStart;
        this.block();
        return;
      case "blocking":
        this.sleep();
        return;
      default:
        t.remaining = Number.POSITIVE_INFINITY;
    }
  }

  // ---- the run loop ------------------------------------------------------------------------

  /** vcpu_enter_guest() up to guest code; `extraNs` of work first (a deferred boost). */
  private enter(extraNs: number): void {
    this.atInstructionBoundary = false;
    this.preempted = false;
    this.mode = "enter";
    this.task.remaining = this.costs.entryNs(this.gcpu.irqPending) + extraNs;
  }

  /** Called at the end of entry, just before guest code runs: KVM's pending requests. */
  onEntryRequests: ((v: Vcpu) => void) | null = null;

  /**
   * A full VM exit: the guest stops, the host runs the exit-time hooks (the series'), handles
   * `reason` (`extraNs` of handler work on top of the exit itself), then continues with `cont`
   * (default: re-enter the guest). `replan`: false when the caller re-plans the host CPU itself.
   */
  exit(reason: ExitReason, extraNs = 0, cont?: () => void, replan = true): void {
    const hc = this.runningOn;
    if (this.mode !== "guest" || !hc) return;
    hc.settle();
    this.gcpu.setActive(false);
    this.mode = "exit";
    // VMX sets it only for an exit on a host interrupt (a kick's IPI is one).
    this.atInstructionBoundary = reason === "external_interrupt" || reason === "ipi";
    this.exits[reason]++;
    this.lastExit = reason;
    this.marks?.exit(this, reason, hc.index);
    this.task.remaining = this.costs.exitNs(reason) + extraNs;
    this.afterExit = cont ?? null;
    if (this.pvHooks) this.task.remaining += this.pvHooks.onExit(this);
    this.marks?.pv(this);
    if (replan) hc.replan();
  }

  /**
   * A fastpath exit (EXIT_FASTPATH_REENTER_GUEST): the exit, KVM's fastpath handler and the
   * re-entry, spent as guest-CPU time without leaving the vcpu_run loop, so no exit-time hook
   * runs and the host scheduler is not consulted.
   */
  fastExit(reason: ExitReason, handlerNs = 0): void {
    this.exits[reason]++;
    this.lastExit = reason;
    this.marks?.exit(this, reason, this.task.cpu?.index ?? -1);
    this.gcpu.raiseIrq(this.costs.fastpathNs(reason) + handlerNs, noop, IRQ_FAST);
  }

  /** The guest has nothing to run: it executes HLT. */
  private guestIdle(): void {
    if (this.mode !== "guest") return;
    this.exit("hlt", 0, this.haltLoopFn);
  }

  /** kvm_vcpu_halt(): poll if allowed and useful, else block. */
  private haltLoop(): void {
    const now = this.eng.now;
    this.haltStart = now;
    if (this.gcpu.irqPending) {
      this.halt.adapt(0);
      this.enter(0);
      return;
    }
    const hc = this.task.cpu!;
    // kvm_vcpu_can_poll(): only while this is the CPU's single runnable task.
    if (this.halt.windowNs > 0 && hc.nrRunning === 1) {
      this.mode = "poll";
      this.pollStart = now;
      this.task.remaining = this.halt.windowNs;
      return;
    }
    this.block();
  }

  /** kvm_vcpu_block(): the series' boost (patch 4), then schedule() out. */
  private block(): void {
    const cost = this.pvHooks ? this.pvHooks.onBlock(this) : 0;
    this.marks?.pv(this);
    if (cost > 0) {
      this.mode = "blocking";
      this.task.remaining = cost;
      return;
    }
    this.sleep();
  }

  /** schedule() out, unless an event arrived meanwhile (kvm_vcpu_check_block). */
  private sleep(): void {
    if (this.gcpu.irqPending) {
      this.halt.adapt(this.eng.now - this.haltStart);
      this.enter(0);
      return;
    }
    this.marks?.halt(this);
    this.mode = "blocked";
    this.task.cpu!.sleepCurr();
  }

  /** Another task became runnable on the CPU where this vCPU polls: polling stops, it blocks. */
  stopPolling(): void {
    const hc = this.runningOn;
    if (this.mode !== "poll" || !hc) return;
    hc.settle();
    this.halt.fail++;
    this.halt.polledNs += this.eng.now - this.pollStart;
    this.block();
    hc.replan();
  }

  /** A host interrupt (or a reschedule) on the CPU running this vCPU in guest mode. */
  hostInterrupt(replan = true): void {
    if (this.mode === "guest") this.exit("external_interrupt", 0, undefined, replan);
  }

  /** The polling loop saw an event (kvm_vcpu_check_block): stop polling and enter. */
  private pollHit(): void {
    const hc = this.runningOn!;
    hc.settle();
    this.halt.success++;
    this.halt.polledNs += this.eng.now - this.pollStart;
    this.halt.adapt(this.eng.now - this.haltStart);
    this.enter(0);
    hc.replan();
  }

  /**
   * apic_timer_fn(): the software LAPIC timer (armed for a halted vCPU) fired in host hard
   * interrupt context: apic_timer_expired(from_timer_fn = true) kicks, with the series' boost.
   */
  private lapicTimerFn(): void {
    this.marks?.inject(this, "timer", true);
    const cost = this.pvHooks ? this.pvHooks.onKick(this, "timer", true) : 0;
    this.marks?.pv(this);
    // The boost is set, then the vCPU kicked, both inside the hrtimer interrupt: its time is
    // more of that interrupt, and the kick comes at its end.
    if (cost > 0) this.timerCpu!.continueIrq(cost, this.timerKickFn);
    else this.lapicTimerKick();
  }

  private lapicTimerKick(): void {
    if (this.mode === "poll") this.pollHit();
    else if (this.mode === "blocked" || this.mode === "blocking") this.kickFn();
  }

  /** Delivering an interrupt from `source` now makes this vCPU exit guest mode (a kick, not a post). */
  kicksOutOfGuest(source: IrqSource): boolean {
    return this.mode === "guest" && this.runningOn !== null && source !== "timer" && !postedDelivery(this.costs, source);
  }

  /**
   * An interrupt for the guest. Its handler has been queued on the guest CPU by the caller;
   * this is the KVM side of its delivery. Returns the CPU time the delivery took in the
   * sender's context beyond the delivery itself: the boost of patch 4's kick (a timer is
   * delivered by its own hrtimer interrupt, which pays for its boost there, and a PMI on a
   * running vCPU by the vCPU itself).
   */
  notify(source: IrqSource): number {
    if (source === "timer") {
      this.timerExpired();
      return 0;
    }
    const posted = postedDelivery(this.costs, source);
    this.marks?.inject(this, source, !posted);
    const cost = !posted && this.pvHooks ? this.pvHooks.onKick(this, source, false) : 0;
    this.marks?.pv(this);
    switch (this.mode) {
      case "guest":
        // A posted interrupt reaches guest code without an exit; otherwise the kick's IPI
        // makes the vCPU exit.
        if (!posted) {
          // A guest PMI (the NMI source) comes from the host's perf overflow on this very CPU,
          // and KVM delivers it on the vCPU's own way back in (KVM_REQ_PMI,
          // kvm_pmu_deliver_pmi() -> __apic_accept_irq()): the kick's boost is the vCPU
          // thread's own time in that exit.
          const own = source === "nmi" ? cost : 0;
          this.exit(source === "ipi" ? "ipi" : "external_interrupt", own);
          return cost - own;
        }
        break;
      case "poll":
        this.pollHit();
        break;
      case "blocked":
      case "blocking":
        // kvm_vcpu_kick() or, for a posted interrupt, the PI wakeup handler's kvm_vcpu_wake_up().
        this.kickFn();
        break;
      default:
        // Exiting, entering or descheduled: the interrupt is injected at the next entry.
        break;
    }
    return cost;
  }

  /**
   * The guest's LAPIC timer expired. In guest mode it is the VMX preemption timer: a fastpath
   * exit that injects the interrupt and re-enters (no kick, no boost). Halted (polling or
   * blocked), it is a host hrtimer: its interrupt kicks (patch 4 boosts there). Descheduled, the
   * preemption timer only fires once the vCPU is back in guest mode: the interrupt waits.
   */
  private timerExpired(): void {
    switch (this.mode) {
      case "guest":
        this.fastExit("timer");
        return;
      case "poll":
      case "blocked":
      case "blocking": {
        const d = this.host.deliveryDelay();
        if (d > 0) this.eng.after(d, this.timerIrqFn);
        else this.timerIrqFn();
        return;
      }
      default:
        return;
    }
  }
}

const noop = () => {};

/**
 * KVM's side of the host scheduler: a host interrupt on a CPU running a vCPU in guest mode makes
 * it exit (the external-interrupt exit), and a wakeup on a CPU where a vCPU halt-polls ends the
 * poll (kvm_vcpu_check_block() sees the CPU wanted elsewhere through need_resched).
 */
export function installKvmHostHooks(host: Host): void {
  for (const c of host.cpus) {
    c.hooks.beforeIrq = (cpu) => {
      const t = cpu.curr;
      if (t && t.prog instanceof Vcpu) t.prog.hostInterrupt();
    };
  }
  host.onWakeOn = (cpu, t) => {
    const cur = cpu.curr;
    if (cur && cur !== t && cur.prog instanceof Vcpu) cur.prog.stopPolling();
  };
}

/**
 * A KVM vCPU: a host thread that runs guest code. Seen from the host it is a Task whose
 * Program cycles through entry, guest mode, exits, halt-polling and blocking; seen from the
 * guest it is a CPU that only executes while that thread is in guest mode on some host CPU.
 */
import type { Engine } from "../engine";
import type { ExitReason } from "../results";
import type { Policy } from "../scenario";
import type { Host } from "../host";
import type { Cpu } from "../sched/cpu";
import { Task, type Program } from "../sched/task";
import { HaltPoll, type HaltPollParams } from "./halt_poll";
import { newPvVcpuState, type PvVcpuState } from "../pvsched/state";

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
  /** Blocked in kvm_vcpu_block after a HLT. */
  | "blocked"
  /** Descheduled from guest mode (or not started): needs an entry when it next runs. */
  | "resume";

export type IrqSource = "timer" | "ipi" | "device" | "nmi";

export interface KvmCosts {
  exitNs: number;
  entryNs: number;
  postedInterrupts: boolean;
  ipiVirtualization: boolean;
}

/** The host side of the series, as the vCPU calls it (implemented in pvsched/). */
export interface PvHostHooks {
  onVmExit(v: Vcpu): void;
  onInject(v: Vcpu, source: IrqSource): void;
  onSwitchIn(v: Vcpu): void;
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
  private afterExit: (() => void) | null = null;
  // Bound once: these run on every halt and wakeup.
  private readonly haltLoopFn = () => this.haltLoop();
  private readonly kickFn = () => {
    this.marks?.kick(this);
    this.host.wakeTask(this.task);
  };
  private readonly timerKickFn = () => this.host.timerIrq(this.task.cpu!, this.kickFn);
  private haltStart = 0;
  private pollStart = 0;

  constructor(
    readonly eng: Engine,
    readonly host: Host,
    readonly vmName: string,
    readonly index: number,
    /** The guest's view of this vCPU. */
    readonly gcpu: Cpu,
    readonly costs: KvmCosts,
    haltPoll: HaltPollParams,
    /** Per-VM switch of patch 6 and the rogue-guest flag, read by pvsched. */
    readonly vmPvEnabled: boolean,
    readonly neverUnboost: boolean,
    nice: number,
  ) {
    this.task = new Task(`${vmName}/vcpu${index}`, this, "other", 0, nice);
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

  switchIn(t: Task): void {
    if (this.mode === "blocked") {
      this.halt.adapt(this.eng.now - this.haltStart);
      this.enter();
    } else if (this.mode === "resume") this.enter();
    this.pvHooks?.onSwitchIn(this);
    this.marks?.pv(this);
    void t;
  }

  switchOut(t: Task): void {
    if (this.mode === "guest") {
      // Descheduled from guest mode: a host interrupt made it exit first.
      this.gcpu.setActive(false);
      this.exits.preemption++;
      this.marks?.exit(this, "preemption", t.cpu?.index ?? -1);
      this.mode = "resume";
      if (t.cpu) t.cpu.pendingOvh += this.costs.exitNs;
    } else if (this.mode === "poll") {
      this.halt.fail++;
      this.halt.polledNs += this.eng.now - this.pollStart;
      this.mode = "resume";
    }
  }

  burstEnd(t: Task): void {
    switch (this.mode) {
      case "enter":
        this.mode = "guest";
        t.remaining = Infinity;
        this.gcpu.setActive(true);
        return;
      case "exit": {
        const f = this.afterExit;
        this.afterExit = null;
        if (f) f();
        else this.enter();
        return;
      }
      case "poll":
        // The window ran out with no interrupt: block.
        this.halt.fail++;
        this.halt.polledNs += this.eng.now - this.pollStart;
        this.block();
        return;
      default:
        t.remaining = Infinity;
    }
  }

  // ---- the run loop ------------------------------------------------------------------------

  private enter(): void {
    this.mode = "enter";
    this.task.remaining = this.costs.entryNs;
  }

  /**
   * A VM exit: the guest stops, the host handles `reason` (`extraNs` of handler work, on top of
   * the exit itself), runs the series' exit-time checks, then continues with `cont` (default:
   * re-enter the guest).
   */
  exit(reason: ExitReason, extraNs = 0, cont?: () => void): void {
    const hc = this.runningOn;
    if (this.mode !== "guest" || !hc) return;
    hc.settle();
    this.gcpu.setActive(false);
    this.mode = "exit";
    this.exits[reason]++;
    this.marks?.exit(this, reason, hc.index);
    this.task.remaining = this.costs.exitNs + extraNs;
    this.afterExit = cont ?? null;
    this.pvHooks?.onVmExit(this);
    this.marks?.pv(this);
    hc.replan();
  }

  /** More handler work for the exit in progress (e.g. a setscheduler call). */
  addExitCost(ns: number): void {
    if (this.mode === "exit") this.task.remaining += ns;
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
    if (this.gcpu.irqQ.length > 0) {
      this.halt.adapt(0);
      this.enter();
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

  private block(): void {
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
  }

  /** A host interrupt on the CPU running this vCPU in guest mode: an external-interrupt exit. */
  hostInterrupt(): void {
    if (this.mode === "guest") this.exit("external_interrupt");
  }

  /**
   * An interrupt for the guest. Its handler has been queued on the guest CPU by the caller;
   * this is the KVM side: exit or post for a running vCPU, end polling, or kick a blocked one.
   */
  notify(source: IrqSource): void {
    const kicked = source !== "timer" || this.mode === "blocked";
    // The LAPIC timer of a running or preempted vCPU is the VMX preemption timer, which does
    // not go through kvm_vcpu_kick(); a blocked vCPU's timer is a host hrtimer that does.
    this.marks?.inject(this, source, kicked);
    if (kicked) this.pvHooks?.onInject(this, source);
    this.marks?.pv(this);
    switch (this.mode) {
      case "guest": {
        const posted = (source === "device" && this.costs.postedInterrupts) || (source === "ipi" && this.costs.ipiVirtualization);
        if (!posted) this.exit(source === "timer" ? "timer" : source === "ipi" ? "ipi" : "external_interrupt");
        return;
      }
      case "poll": {
        const hc = this.runningOn!;
        hc.settle();
        this.halt.success++;
        this.halt.polledNs += this.eng.now - this.pollStart;
        this.halt.adapt(this.eng.now - this.haltStart);
        this.enter();
        hc.replan();
        return;
      }
      case "blocked":
        // A blocked vCPU's LAPIC timer is a host hrtimer: its interrupt does the kick.
        if (source === "timer") {
          const d = this.host.deliveryDelay();
          if (d > 0) this.eng.after(d, this.timerKickFn);
          else this.timerKickFn();
        } else this.kickFn();
        return;
      default:
        // Exiting, entering or descheduled: the interrupt is injected at the next entry.
        return;
    }
  }
}

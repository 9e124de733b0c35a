/**
 * One CPU's runqueue and what executes on it: a host CPU, or a guest's vCPU seen from inside
 * the guest. The same code schedules both; a guest CPU only executes while its vCPU thread is
 * in guest mode on some host CPU (`active`), which is the whole of double scheduling.
 *
 * Execution is a sequence of segments: interrupt work first (hardirq, softirq, the tick), then
 * the running task's context-switch overhead, then its work. Any change (a wakeup, a preemption,
 * an interrupt, the vCPU being descheduled) accounts the segment in progress and re-plans.
 */
import type { CpuCostModel } from "../costs";
import { type Engine, type EvHandle, NO_EVENT, TIME_ZERO } from "../engine";
import { COST_DEFAULTS, type SchedTunables } from "../params";
import type { Rng } from "../rng";
import type { CpuIdle } from "./cpuidle";
import { Rq } from "./rq";
import type { Task } from "./task";

const noop = () => {};

/** What an item of interrupt-level work is. */
export const IRQ_HARD = 0;
export const IRQ_SOFT = 1;
export const IRQ_NMI = 2;
/** Not an interrupt: guest time spent in a KVM fastpath exit (it is not irq context). */
export const IRQ_FAST = 3;
export type IrqKind = typeof IRQ_HARD | typeof IRQ_SOFT | typeof IRQ_NMI | typeof IRQ_FAST;

export interface IrqWork {
  remaining: number;
  done: () => void;
  kind: IrqKind;
  /** It has started executing (it is in service, no longer pending). */
  begun: boolean;
}

export interface CpuHooks {
  /** Nothing to run (a guest executes HLT here). Called from an event, never re-entrantly. */
  onIdle?(cpu: Cpu): void;
  /** Interrupt work (not a fastpath exit) starts executing. Must only change state, not re-plan. */
  onIrqEntry?(cpu: Cpu, kind: IrqKind): void;
  /** The last pending interrupt work finished (irq exit). */
  onIrqExit?(cpu: Cpu): void;
  /**
   * A task switched in is about to run its own code again (exit_to_user_mode_prepare for a
   * user task). May make this CPU inactive (a guest's synchronous MSR exit).
   */
  onUserReturn?(cpu: Cpu, t: Task): void;
  /** schedule() is about to pick (a vCPU in guest mode on this host CPU must exit first). */
  beforeSchedule?(cpu: Cpu): void;
  /** A host interrupt is about to be handled (a vCPU in guest mode must exit first). */
  beforeIrq?(cpu: Cpu): void;
  /** A context switch happened (prev may be null: idle). */
  onSwitch?(cpu: Cpu, next: Task | null): void;
  /** Run segment boundaries, for the timeline. */
  onSegment?(cpu: Cpu, start: number, end: number, t: Task | null): void;
}

const SEG_NONE = 0;
const SEG_IRQ = 1;
const SEG_OVH = 2;
const SEG_TASK = 3;
const SEG_IDLE = 4;

export class Cpu extends Rq {
  readonly irqQ: IrqWork[] = [];
  hooks: CpuHooks = {};

  private seg = SEG_NONE;
  private segStart = TIME_ZERO;
  private segEnd = -1;
  private segEv: EvHandle = NO_EVENT;
  private schedEv: EvHandle = NO_EVENT;
  private idleEv: EvHandle = NO_EVENT;
  /** Extra cost paid by the next task switched in (e.g. the exit of a descheduled vCPU). */
  pendingOvh = 0;
  // Bound once: events are the hot path, and a closure per event is garbage.
  private readonly scheduleFn = () => this.schedule();
  private readonly tickDoneFn = () => {
    this.tickChecks();
    this.maybeTickSoftirq();
  };
  private readonly idleFireFn = () => this.idleFire();
  private readonly segDoneFn = () => this.segDone();

  /** When the task running now was switched in (for the refill cost of the next switch). */
  private prevStintStart = TIME_ZERO;

  constructor(
    eng: Engine,
    index: number,
    label: string,
    tun: SchedTunables,
    active: boolean,
    /** What this CPU's kernel paths cost (draws from the CPU's own stream). */
    readonly costs: CpuCostModel,
    /** Softirqs raised by a tick: the chance per tick and the stream that decides (null: none). */
    private readonly tickSoftirq: { p: number; rng: Rng; cost: () => number } | null = null,
  ) {
    super(eng, index, label, tun, active);
  }

  /**
   * When the segment in progress was last accounted: a task segment pays the switch overhead
   * left (`curr.ovh`) from here on before its work (the latency attribution of sim-core/why.ts
   * splits the two).
   */
  get accountedAt(): number {
    return this.segStart;
  }

  protected onClassSegment(start: number, end: number, t: Task | null): void {
    this.hooks.onSegment?.(this, start, end, t);
  }

  // ---- segments ------------------------------------------------------------------------

  /** Accounts the progress of the segment in progress up to now. */
  protected progress(): void {
    const now = this.eng.now;
    const el = now - this.segStart;
    if (el > 0) {
      if (this.seg === SEG_IRQ) this.irqQ[0]!.remaining -= el;
      else if (this.seg === SEG_OVH) this.curr!.ovh -= el;
      else if (this.seg === SEG_TASK) {
        // A task segment may start with the switch overhead (see replan): pay that first.
        const c = this.curr!;
        let e = el;
        if (c.ovh > 0) {
          const d = Math.min(c.ovh, e);
          c.ovh -= d;
          e -= d;
        }
        if (c.remaining !== Infinity) c.remaining -= e;
      }
    }
    this.segStart = now;
  }

  /**
   * The running task has preemption disabled and is still runnable: need_resched waits for its
   * preempt_enable() (a task that blocks schedules whatever its preempt count).
   */
  private preemptionOff(): boolean {
    const c = this.curr;
    return !!c?.preemptDisabled && c.onRq;
  }

  /** Accounts progress before an outside change to this CPU's queues (balancer). */
  settle(): void {
    this.progress();
  }

  /** Re-plans what executes next and (re)schedules the segment's end. */
  replan(): void {
    this.progress();
    const now = this.eng.now;
    let seg = SEG_NONE;
    let end = -1;
    if (this.active) {
      if (this.irqQ.length > 0) {
        const w = this.irqQ[0]!;
        if (!w.begun) {
          w.begun = true;
          if (w.kind !== IRQ_FAST) this.hooks.onIrqEntry?.(this, w.kind);
        }
        seg = SEG_IRQ;
        end = now + w.remaining;
      } else if (this.needResched && !this.preemptionOff()) {
        if (this.schedEv === NO_EVENT && !this.inSegDone) this.schedEv = this.eng.at(now, this.scheduleFn);
      } else if (this.curr) {
        const c = this.curr;
        if (c.pendingUserReturn || (c.ovh > 0 && c.wakeTarget >= 0)) {
          // The overhead ends at a moment someone measures, or where the task returns to its
          // own code (a hook runs there): its own segment.
          seg = SEG_OVH;
          end = now + Math.max(0, c.ovh);
        } else {
          if (c.wakeTarget >= 0) this.recordWake(c);
          seg = SEG_TASK;
          end = c.remaining === Infinity ? -1 : now + c.ovh + c.remaining;
        }
      } else {
        seg = SEG_IDLE;
        if (this.seg !== SEG_IDLE && this.idle) this.idle.enter(now);
        if (this.hooks.onIdle && this.idleEv === NO_EVENT && !this.idleDeferred) {
          if (this.inSegDone) {
            this.idleDeferred = true;
            this.deferred.push(this.idleFireFn);
          } else this.idleEv = this.eng.at(now, this.idleFireFn);
        }
      }
    }
    if (seg === this.seg && end === this.segEnd && (end < 0 || this.segEv !== NO_EVENT)) return;
    if (this.segEv !== NO_EVENT) {
      this.eng.cancel(this.segEv);
      this.segEv = NO_EVENT;
    }
    this.seg = seg;
    this.segEnd = end;
    if (end >= 0) this.segEv = this.eng.at(end, this.segDoneFn);
  }

  /** The woken task executes its first instruction: its wake-up latency is known. */
  private recordWake(c: Task): void {
    const target = c.wakeTarget;
    c.wakeTarget = -1;
    c.onWakeLatency?.(this.eng.now - target, this.eng.now);
  }

  private idleFire(): void {
    this.idleEv = NO_EVENT;
    this.idleDeferred = false;
    if (this.active && !this.curr && this.irqQ.length === 0 && !this.needResched) this.hooks.onIdle!(this);
  }

  /** Inside segDone's handlers: a reschedule they ask for is done at its end (no event). */
  private inSegDone = false;
  /** Work asked for during segDone, run when it ends (instead of as events at the same time). */
  private deferred: (() => void)[] = [];
  /** The other of two lists that swap each segDone (no array made per segment). */
  private deferredSpare: (() => void)[] = [];
  private idleDeferred = false;

  /**
   * Runs `fn` once the current step on this CPU is over: at the end of its segment handler if
   * one is running, else as an event now. Used for work that must not run inside a context
   * switch or an interrupt handler (a guest's boost re-evaluation, executing HLT).
   */
  defer(fn: () => void): void {
    if (this.inSegDone) this.deferred.push(fn);
    else this.eng.at(this.eng.now, fn);
  }

  private segDone(): void {
    const ex = Rq.executing;
    Rq.executing = this;
    this.segEv = NO_EVENT;
    this.inSegDone = true;
    this.progress();
    const seg = this.seg;
    this.seg = SEG_NONE;
    this.segEnd = -1;
    if (seg === SEG_IRQ) {
      const w = this.irqQ.shift()!;
      const done = w.done;
      this.irqPool.push(w);
      done();
      if (this.irqQ.length === 0 && this.hooks.onIrqExit) this.hooks.onIrqExit(this);
    } else if (seg === SEG_OVH) {
      const c = this.curr!;
      c.ovh = 0;
      if (c.pendingUserReturn) {
        c.pendingUserReturn = false;
        this.hooks.onUserReturn?.(this, c);
      }
      // A hook may have stopped this CPU (a vCPU exit): the sample is taken when it runs again.
      if (this.active && this.curr === c && c.wakeTarget >= 0) this.recordWake(c);
    } else if (seg === SEG_TASK) {
      const c = this.curr!;
      c.ovh = 0;
      c.remaining = 0;
      c.prog.burstEnd(c);
    }
    // The end of this CPU's own segment is a preemption point: a reschedule asked for by what
    // just finished (a task blocking, an irq exit) runs here rather than as one more event.
    if (this.needResched && this.active && this.irqQ.length === 0 && !this.preemptionOff()) {
      if (this.schedEv !== NO_EVENT) {
        this.eng.cancel(this.schedEv);
        this.schedEv = NO_EVENT;
      }
      this.schedule();
    } else this.replan();
    this.inSegDone = false;
    // Deferred work may defer more (it then goes out as events).
    if (this.deferred.length > 0) {
      const fns = this.deferred;
      this.deferred = this.deferredSpare;
      for (let i = 0; i < fns.length; i++) fns[i]!();
      fns.length = 0;
      this.deferredSpare = fns;
    }
    Rq.executing = ex;
  }

  /** Makes the guest CPU execute (vCPU in guest mode) or stop (vCPU left guest mode). */
  setActive(a: boolean): void {
    if (a === this.active) return;
    this.progress();
    const now = this.eng.now;
    if (a) this.activeSince = now;
    else this.clockBase += now - this.activeSince;
    this.active = a;
    this.replan();
  }

  // ---- interrupts -----------------------------------------------------------------------

  /** Spent interrupt-work records, reused (interrupts are the most frequent allocation). */
  private readonly irqPool: IrqWork[] = [];

  /** An interrupt arrives: its handler is queued and starts as soon as this CPU executes. */
  raiseIrq(remaining: number, done: () => void, kind: IrqKind = IRQ_HARD): void {
    this.queueIrq(remaining, done, kind);
    this.replan();
  }

  /**
   * Queues an interrupt's handler without re-planning: it stays pending (not begun) until the
   * next re-plan. A guest CPU needs this when the delivery itself makes the vCPU exit: KVM
   * injects the interrupt at the next VM entry, so the handler must not start before the exit.
   */
  queueIrq(remaining: number, done: () => void, kind: IrqKind = IRQ_HARD): void {
    this.progress();
    this.leaveIdle();
    const w = this.irqPool.pop();
    if (w) {
      w.remaining = remaining;
      w.done = done;
      w.kind = kind;
      w.begun = false;
      this.irqQ.push(w);
    } else this.irqQ.push({ remaining, done, kind, begun: false });
  }

  /** The cpuidle state this CPU may be in (host CPUs with C-states), or null. */
  idle: CpuIdle | null = null;

  /**
   * Something arrives for an idle CPU: it first leaves its C-state. The exit latency runs before
   * anything else, as time the CPU spends waking up.
   */
  private leaveIdle(): void {
    if (!this.idle || this.curr || this.irqQ.length > 0) return;
    const exit = this.idle.exit(this.eng.now);
    if (exit > 0) this.irqQ.push({ remaining: exit, done: noop, kind: IRQ_FAST, begun: true });
  }

  /** Wakes `t` here; an idle CPU first leaves its C-state. */
  override wake(t: Task): void {
    this.progress();
    this.leaveIdle();
    super.wake(t);
  }

  /**
   * More work for the interrupt whose handler completes now (call it from that handler's
   * `done`): it runs next, before any interrupt queued behind, and `done` runs at its end. A
   * handler's effects happen at the end of its time here, so work it decides on there (the
   * series' boost in apic_timer_fn()) is one more piece of the same interrupt: adding time to
   * the head of the queue would find this one already dequeued, or charge the one behind it.
   */
  continueIrq(remaining: number, done: () => void): void {
    this.progress();
    this.irqQ.unshift({ remaining, done, kind: IRQ_HARD, begun: true });
    this.replan();
  }

  /** In hardirq/softirq/NMI context (the work executing now is a real interrupt). */
  get inIrq(): boolean {
    return this.irqQ.length > 0 && this.irqQ[0]!.kind !== IRQ_FAST;
  }

  /** An interrupt is queued and not yet in service (KVM: kvm_cpu_has_interrupt / a pending timer). */
  get irqPending(): boolean {
    for (const w of this.irqQ) if (!w.begun && w.kind !== IRQ_FAST) return true;
    return false;
  }

  // ---- accounting ------------------------------------------------------------------------

  /** Flush statistics at the end of a run. */
  finish(): void {
    this.accountCurr();
    this.closeCls();
  }

  // ---- __schedule ------------------------------------------------------------------------

  schedule(): void {
    this.schedEv = NO_EVENT;
    if (!this.active || this.irqQ.length > 0) {
      // Not a preemption point: schedule() runs again at activation or irq exit.
      this.replan();
      return;
    }
    const ex = Rq.executing;
    Rq.executing = this;
    this.progress();
    this.needResched = false;
    this.accountCurr();
    this.hooks.beforeSchedule?.(this);
    const prev = this.curr;
    // put_prev_task_balance(): RT pull, newidle balance. A task it pulls may ask to preempt
    // `prev`; that request was prev's (TIF_NEED_RESCHED is per task), not the next task's.
    if (this.rd) {
      this.rd.balance(this, prev);
      this.needResched = false;
    }
    const next = this.pickNext();
    if (next !== prev) this.switchTo(prev, next);
    this.rd?.afterSchedule(this, next);
    this.replan();
    Rq.executing = ex;
  }

  private switchTo(prev: Task | null, next: Task | null): void {
    const now = this.eng.now;
    this.closeCls();
    // avg_rt: RT ran until now (put_prev_task_rt()), or an RT task starts (set_next_task_rt()).
    if (prev?.isRt) this.updateRtAvg(true);
    else if (next?.isRt) this.updateRtAvg(false);
    if (prev) {
      this.classOf(prev).putPrev(prev);
      this.curr = null;
      prev.prog.switchOut?.(prev);
      if (prev.onRq) prev.runnableSince = now;
    }
    this.curr = next;
    this.stats.context_switches++;
    if (next) {
      this.classOf(next).setNext(next);
      next.ovh += this.costs.contextSwitch() + this.pendingOvh;
      // The indirect cost: another task ran here long enough to evict the working set.
      if (next.largeWorkingSet && prev && prev !== next && now - this.prevStintStart >= COST_DEFAULTS.refill_after_ns) {
        next.ovh += this.costs.refill();
      }
      this.prevStintStart = now;
      next.runDelayNs += now - next.runnableSince;
      this.acctStart = this.clockTask();
      if (this.hooks.onUserReturn && !next.kthread) next.pendingUserReturn = true;
      next.prog.switchIn?.(next);
    }
    this.pendingOvh = 0;
    this.hooks.onSwitch?.(this, next);
  }

  // ---- the tick ---------------------------------------------------------------------------

  /** scheduler_tick() on a host CPU: interrupt work (its drawn cost), then the checks. */
  tick(): void {
    const c = this.curr;
    if (!c || !this.active) return;
    this.hooks.beforeIrq?.(this);
    this.raiseIrq(this.costs.tick(), this.tickDoneFn);
  }

  /**
   * run_local_timers() raises TIMER_SOFTIRQ only when timers are due, and RCU its own now and
   * then: osnoise counts ~30 softirqs/s per CPU (NOISE_DEFAULTS), drawn here per tick.
   */
  maybeTickSoftirq(): void {
    const s = this.tickSoftirq;
    if (s && s.rng.float() < s.p) this.raiseIrq(s.cost(), noop, IRQ_SOFT);
  }

  /** The scheduler part of the tick: accounting, slices, RR, RT throttling, the balancer. */
  tickChecks(): void {
    const cur = this.curr;
    if (cur) {
      const ran = this.clockTask() - this.acctStart;
      this.accountCurr();
      if (cur.isRt) this.updateRtAvg(true);
      if (this.classOf(cur).taskTick(cur, ran)) this.needResched = true;
    }
    // trigger_load_balance().
    this.rd?.tick(this);
  }
}

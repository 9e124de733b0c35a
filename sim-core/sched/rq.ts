/**
 * One CPU's runqueue (struct rq): the scheduling classes in priority order, the running task,
 * enqueue/dequeue, wakeup preemption, policy changes and the accounting of what runs. What
 * executes on the CPU and when (segments, interrupts, the context switch) is `Cpu` (cpu.ts),
 * which extends this.
 */
import { type Engine, TIME_ZERO } from "../engine";
import type { SchedTunables } from "../params";
import type { Policy } from "../scenario";
import { CfsClass } from "./cfs";
import type { SchedClass } from "./class";
import { EevdfClass } from "./eevdf";
import type { FairClass } from "./fair";
import type { Cpu } from "./cpu";
import { SchedAvg } from "./pelt";
import { RtClass } from "./rt";
import { type Task, taskWeight } from "./task";
import type { RootDomain } from "./topology";

export abstract class Rq {
  /**
   * The CPU whose code runs now (smp_processor_id()): set while a CPU handles its own events
   * (a segment's end, schedule()); null outside them (the start of a run).
   */
  static executing: Rq | null = null;

  readonly rt: RtClass;
  readonly fair: FairClass;
  /** The classes in priority order (for_each_class); idle is what runs when all are empty. */
  readonly classes: readonly SchedClass[];
  curr: Task | null = null;
  active: boolean;
  needResched = false;
  protected clockBase = TIME_ZERO;
  protected activeSince = TIME_ZERO;
  /** Task clock at which the running task was last accounted. */
  protected acctStart = TIME_ZERO;
  // Statistics (wall time).
  protected clsSince = TIME_ZERO;
  stats = { rt_ns: TIME_ZERO, fair_ns: TIME_ZERO, idle_ns: TIME_ZERO, context_switches: 0 };

  constructor(
    readonly eng: Engine,
    readonly index: number,
    readonly label: string,
    readonly tun: SchedTunables,
    active: boolean,
  ) {
    this.active = active;
    this.rt = new RtClass(tun);
    const Fair = tun.fair === "eevdf" ? EevdfClass : CfsClass;
    this.fair = new Fair(
      tun,
      () => this.clockTask(),
      () => this.clockPelt(),
    );
    this.classes = [this.rt, this.fair];
  }

  /** Accounts the progress of what executes up to now. */
  protected abstract progress(): void;
  /** Re-plans what executes next. */
  abstract replan(): void;
  /** Segment boundaries for the statistics and the timeline. */
  protected abstract onClassSegment(start: number, end: number, t: Task | null): void;

  /** The root domain (the kernel's CPUs and their balancing), once the kernel set it up. */
  rd: RootDomain | null = null;
  /** rq->ttwu_pending: wakeups queued for this CPU's IPI (TTWU_QUEUE). */
  ttwuPending = 0;
  /** The CPU stops its tick as soon as it goes idle (the host); a guest's tick stops later. */
  nohzAtIdle = true;
  /** A guest CPU's host CPU right now (where its vCPU thread runs), for host code it executes. */
  hostCpu: (() => Rq | null) | null = null;
  /** rq->avg_rt: PELT of the time RT tasks ran (what the fair class's capacity loses). */
  readonly avgRt = new SchedAvg();

  /**
   * A guest CPU's vCPU thread, whose run delay on the host is this CPU's steal time
   * (kvm_steal_clock()); null on a host CPU. Set by the guest.
   */
  stealTask: Task | null = null;

  /** rq_clock_pelt(): wall time less steal (no frequency or capacity scaling is modelled). */
  clockPelt(): number {
    const now = this.eng.now;
    const v = this.stealTask;
    if (!v) return now;
    // run_delay so far, a wait in progress included.
    const waiting = v.onRq && v.cpu !== null && v.cpu.curr !== v ? now - v.runnableSince : 0;
    return now - v.runDelayNs - waiting;
  }

  /** rq_clock_task(): time this CPU executed (for a guest CPU, steal excluded). */
  clockTask(): number {
    return this.active ? this.clockBase + (this.eng.now - this.activeSince) : this.clockBase;
  }

  get nrRunning(): number {
    return this.rt.nrRunning + this.fair.nrRunning;
  }

  /** p->sched_class: the class `t`'s policy puts it in, on this CPU. */
  classOf(t: Task): SchedClass {
    return t.isRt ? this.rt : this.fair;
  }

  // ---- accounting ------------------------------------------------------------------------

  /** update_curr() for whatever runs, RT throttling included. */
  accountCurr(): void {
    const c = this.curr;
    const now = this.clockTask();
    const delta = now - this.acctStart;
    this.acctStart = now;
    if (!c || delta <= 0) return;
    c.runtimeNs += delta;
    if (this.classOf(c).updateCurr(c, delta)) this.needResched = true;
  }

  protected closeCls(): void {
    const now = this.eng.now;
    const d = now - this.clsSince;
    if (d > 0) {
      const c = this.curr;
      if (!c) this.stats.idle_ns += d;
      else if (c.isRt) this.stats.rt_ns += d;
      else this.stats.fair_ns += d;
      this.onClassSegment(this.clsSince, now, c);
    }
    this.clsSince = now;
  }

  // ---- enqueue / dequeue / preemption ---------------------------------------------------

  enqueue(t: Task, wakeup: boolean): void {
    // Only CPUs are runqueues here (Cpu is the one subclass).
    t.cpu = this as Rq as Cpu;
    t.onRq = true;
    t.runnableSince = this.eng.now;
    const before = this.nrRunning;
    this.classOf(t).enqueue(t, wakeup, false);
    this.addNrRunning(before);
  }

  /**
   * add_nr_running(): a CPU that reaches two runnable tasks marks the root domain overloaded at
   * once (the balancer's statistics clear the flag again), which lets newly idle CPUs pull.
   */
  private addNrRunning(before: number): void {
    if (before < 2 && this.rd !== null && this.nrRunning >= 2) this.rd.overload = true;
  }

  /** deactivate_task(). `sleep`: DEQUEUE_SLEEP (the task blocks rather than moves). */
  dequeue(t: Task, sleep = false): void {
    if (!t.onRq) return;
    if (this.curr === t) this.accountCurr();
    this.classOf(t).dequeue(t, sleep);
    t.onRq = false;
  }

  /**
   * resched_curr(): on the executing CPU, a reschedule at its next preemption point; on another
   * CPU, TIF_NEED_RESCHED and a reschedule IPI (unless one is pending already).
   */
  resched(): void {
    if (this.rd && this.isRemote()) {
      if (this.needResched) return;
      this.needResched = true;
      this.rd.sendReschedIpi(this as Rq as Cpu);
      return;
    }
    this.needResched = true;
    this.replan();
  }

  /** The executing code runs on another CPU than this one (cpu != smp_processor_id()). */
  isRemote(): boolean {
    const ex = Rq.executing;
    if (!ex) return false;
    if (ex.rd === this.rd) return ex !== this;
    // Guest code touching a host runqueue (KVM on behalf of a vCPU): its host CPU executes.
    const h = ex.hostCpu ? ex.hostCpu() : null;
    return h !== null && h !== this;
  }

  /** update_rt_rq_load_avg(): `running` is whether RT ran since the last update. */
  updateRtAvg(running: boolean): void {
    const r = running ? 1 : 0;
    this.avgRt.update(this.clockPelt(), r, r, running, 1);
  }

  /** avg_rt's utilisation now (its decay brought up to date, as update_blocked_averages() does). */
  rtUtil(): number {
    this.updateRtAvg(this.curr?.isRt ?? false);
    return this.avgRt.utilAvg;
  }

  /** check_preempt_curr(): a task just became runnable here. */
  checkPreempt(t: Task): void {
    const c = this.curr;
    if (!c) {
      this.resched();
      return;
    }
    const pc = this.classOf(t);
    const cc = this.classOf(c);
    if (pc.throttled) return;
    if (pc === cc) {
      if (pc.checkPreemptCurr(c, t, this.needResched)) this.resched();
      return;
    }
    // sched_class_above(): a higher class preempts; a throttled class gives way to any.
    if (this.classes.indexOf(pc) < this.classes.indexOf(cc) || cc.throttled) this.resched();
  }

  /** Wakes `t` on this CPU (the caller chose the CPU). */
  wake(t: Task): void {
    this.progress();
    this.enqueue(t, true);
    this.checkPreempt(t);
    this.replan();
  }

  /** The running task blocks (deactivate_task in __schedule). */
  sleepCurr(): void {
    const c = this.curr;
    if (!c) return;
    this.dequeue(c, true);
    this.resched();
  }

  /**
   * sched_setscheduler() on a task of this CPU, running, queued or asleep. Mirrors
   * __sched_setscheduler: dequeue, change, enqueue, then check_class_changed().
   */
  setPolicy(t: Task, policy: Policy, prio: number, nice: number): void {
    const willRt = policy === "fifo" || policy === "rr";
    // __sched_setscheduler(): the same policy with the same nice (fair) or rt_priority (RT)
    // changes nothing. The kernel returns before it takes the runqueue lock, so the task keeps
    // its place in its queue and nothing is accounted or rescheduled.
    if (policy === t.policy && (willRt ? prio === t.rtPrio : nice === t.nice)) return;
    this.progress();
    const running = this.curr === t;
    if (running) this.accountCurr();
    if (running) this.closeCls();
    const queued = t.onRq;
    const wasRt = t.isRt;
    const oldPrio = t.rtPrio;
    const oldKernelPrio = kernelPrio(wasRt, t.rtPrio, t.nice);
    const newKernelPrio = kernelPrio(willRt, willRt ? prio : 0, nice);
    const from = this.classOf(t);
    const to = willRt ? this.rt : this.fair;
    // An unchanged effective priority (SCHED_FIFO 50 to SCHED_RR 50) clears DEQUEUE_MOVE, and
    // without it the RT class leaves the task where it is in its list (move_entity()); the fair
    // class places by vruntime whatever the flag.
    const keepPlace = queued && wasRt && willRt && oldKernelPrio === newKernelPrio;
    if (queued && !keepPlace) from.dequeue(t, false);
    if (running) from.putPrev(t);
    // put_prev_task_rt(): the RT time up to now goes into avg_rt.
    if (running && wasRt) this.updateRtAvg(true);
    if (from !== to) from.switchedFrom(t);
    t.policy = policy;
    t.rtPrio = willRt ? prio : 0;
    t.nice = nice;
    t.se.weight = taskWeight(policy, nice);
    if (from !== to) to.switchedTo(t);
    // switched_to_rt() of the running task: avg_rt is brought up to date as not-RT before it
    // starts counting (set_next_task_rt() skips it, curr being RT already). Without this the
    // next update would count the whole CFS stretch since the last one as RT time, and the
    // CPU's capacity would collapse (the bug fixed by fecfcbc288e9, in 5.10).
    if (running && willRt && !wasRt) this.updateRtAvg(false);
    // "We enqueue to tail when the priority of a task is increased": ENQUEUE_HEAD when it is
    // lowered (__sched_setscheduler(), oldprio < p->prio), whether or not the task is running.
    if (queued && !keepPlace) {
      const before = this.nrRunning;
      to.enqueue(t, false, oldKernelPrio < newKernelPrio);
      this.addNrRunning(before);
    }
    if (running) to.setNext(t);
    if (running) {
      // switched_to_fair() reschedules a running task that left RT; a lowered RT
      // priority may let a waiting RT task in.
      if (wasRt && !willRt) this.needResched = true;
      else if (willRt && this.rt.topPrio() > t.rtPrio) this.needResched = true;
      // prio_changed_fair(): a running task whose priority fell (its nice rose) reschedules,
      // unless it is alone at the top level (rq->cfs.nr_running == 1).
      else if (!willRt && !wasRt && queued && newKernelPrio > oldKernelPrio && this.fair.root.nrRunning > 1) {
        this.needResched = true;
      }
    } else if (queued) this.checkPreempt(t);
    this.replan();
    this.rd?.policyChanged(this as Rq as Cpu, t, wasRt, oldPrio);
  }

  /** pick_next_task() over the classes. */
  protected pickNext(): Task | null {
    for (const cls of this.classes) {
      const t = cls.pickNext();
      if (t) return t;
    }
    return null;
  }

  /**
   * The RT period timer fired for this CPU. do_sched_rt_period_timer() rolls rt_time as the
   * last update_curr_rt() left it: the running task's time since then is charged at its next
   * update, to the new period.
   */
  rtPeriod(): void {
    if (this.rt.period()) this.resched();
  }
}

/** MAX_RT_PRIO and DEFAULT_PRIO (include/linux/sched/prio.h): RT priorities 99..0, nice 0 at 120. */
const MAX_RT_PRIO = 100;
const NICE_0_PRIO = 120;

/** p->prio as __normal_prio() numbers it (kernel/sched/core.c): lower is more important. */
function kernelPrio(rt: boolean, rtPrio: number, nice: number): number {
  return rt ? MAX_RT_PRIO - 1 - rtPrio : NICE_0_PRIO + nice;
}

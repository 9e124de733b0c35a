/**
 * RT balancing of Linux 6.5 (kernel/sched/rt.c, cpupri.c) on one root domain: an RT task that
 * cannot run where it is queued is pushed to a CPU running something of lower priority; a CPU
 * that lowers its priority pulls, which with RT_PUSH_IPI (on by default) means an IPI that
 * travels over the RT-overloaded CPUs, each pushing what it can.
 *
 * cpupri: a CPU's priority is that of the highest RT task queued on it (rt.highest_prio.curr),
 * and CPUPRI_NORMAL when it has none, whether it runs fair tasks or is idle. With a handful of
 * CPUs the levels are found by a scan over the CPUs rather than cpupri's bitmaps.
 */
import type { Cpu } from "./cpu";
import type { Task } from "./task";
import type { RootDomain } from "./topology";

/** The CPU's cpupri level: its highest queued RT priority, 0 (CPUPRI_NORMAL) with none. */
function cpupri(c: Cpu): number {
  return Math.max(c.rt.topPrio(), 0);
}

/** rt_rq->overloaded: two RT tasks queued, one of which may migrate. */
export function rtOverloaded(c: Cpu): boolean {
  const q = c.rt.q;
  if (q.length < 2) return false;
  for (let i = 0; i < q.length; i++) if (q[i]!.pin < 0) return true;
  return false;
}

/** pick_next_pushable_task(): the highest-priority queued RT task that is not running or pinned. */
function pickNextPushable(c: Cpu): Task | null {
  const q = c.rt.q;
  for (let i = 0; i < q.length; i++) {
    const t = q[i]!;
    if (t !== c.curr && t.pin < 0) return t;
  }
  return null;
}

/**
 * find_lowest_rq(): the CPUs at the lowest cpupri level below the task's (cpupri_find()); of
 * those, the task's own CPU, else the executing CPU, else the next one round-robin
 * (cpumask_any_and_distribute()).
 */
export function findLowestRq(rd: RootDomain, t: Task, taskCpu: Cpu, thisCpu: Cpu): Cpu | null {
  if (t.pin >= 0) return null;
  let level = -1;
  for (const c of rd.cpus) {
    const l = cpupri(c);
    if (l < t.rtPrio && (level < 0 || l < level)) level = l;
  }
  if (level < 0) return null;
  if (cpupri(taskCpu) === level) return taskCpu;
  if (thisCpu.rd === rd && cpupri(thisCpu) === level) return thisCpu;
  const n = rd.n;
  const ex = thisCpu.rd === rd ? thisCpu.index : taskCpu.index;
  const prev = rd.distributePrev[ex]!;
  for (let k = 1; k <= n; k++) {
    const c = rd.cpus[(prev + k) % n]!;
    if (cpupri(c) === level) {
      rd.distributePrev[ex] = c.index;
      return c;
    }
  }
  return null;
}

/**
 * push_rt_task(): move the highest pushable task of an overloaded CPU to a CPU where it would
 * run at once. Returns whether it moved one.
 */
function pushRtTask(rd: RootDomain, rq: Cpu): boolean {
  if (!rtOverloaded(rq)) return false;
  const next = pickNextPushable(rq);
  if (!next) return false;
  const curr = rq.curr;
  // It slipped in above what runs here: just reschedule.
  if (!curr?.isRt || next.rtPrio > curr.rtPrio) {
    rq.resched();
    return false;
  }
  // find_lock_lowest_rq(): executed on `rq`.
  const lowest = findLowestRq(rd, next, rq, rq);
  if (!lowest || lowest === rq || lowest.rt.topPrio() >= next.rtPrio) return false;
  rd.moveQueued(rq, lowest, next);
  lowest.resched();
  return true;
}

/** push_rt_tasks(). */
export function pushRtTasks(rd: RootDomain, rq: Cpu): void {
  while (pushRtTask(rd, rq));
}

/**
 * task_woken_rt(): a woken RT task that will not run here soon (an RT task of equal or higher
 * priority, or a pinned one, runs, and no reschedule is pending) is pushed away at once.
 */
export function taskWokenRt(rd: RootDomain, rq: Cpu, p: Task): void {
  const curr = rq.curr;
  if (curr !== p && !rq.needResched && p.pin < 0 && curr?.isRt && (curr.pin >= 0 || curr.rtPrio >= p.rtPrio)) pushRtTasks(rd, rq);
}

/** The next RT-overloaded CPU after the chain's current one (rto_next_cpu()), or -1. */
function rtoNextCpu(rd: RootDomain): number {
  for (;;) {
    for (let i = rd.rtoCpu + 1; i < rd.n; i++) {
      if (rtOverloaded(rd.cpus[i]!)) {
        rd.rtoCpu = i;
        return i;
      }
    }
    rd.rtoCpu = -1;
    // Another pull asked while the chain ran: go round once more.
    if (rd.rtoLoop === rd.rtoLoopNext) return -1;
    rd.rtoLoop = rd.rtoLoopNext;
  }
}

/**
 * pull_rt_task() with RT_PUSH_IPI: unless no other CPU is RT-overloaded, tell_cpu_to_push()
 * starts (or extends) the IPI chain over the overloaded CPUs.
 */
export function pullRtTask(rd: RootDomain, thisRq: Cpu): void {
  let count = 0;
  for (const c of rd.cpus) if (rtOverloaded(c)) count++;
  if (count === 0) return;
  if (count === 1 && rtOverloaded(thisRq)) return;
  rd.rtoLoopNext++;
  // The chain is running: it will see rto_loop_next and go round again.
  if (rd.rtoCpu >= 0) return;
  const cpu = rtoNextCpu(rd);
  if (cpu >= 0) rd.env.ipi(rd.cpus[cpu]!, rd.rtoFns[cpu]!);
}

/** rto_push_irq_work_func(): this CPU pushes what it can, then passes the IPI on. */
export function rtoPushWork(rd: RootDomain, rq: Cpu): void {
  pushRtTasks(rd, rq);
  const cpu = rtoNextCpu(rd);
  if (cpu >= 0) rd.env.ipi(rd.cpus[cpu]!, rd.rtoFns[cpu]!);
}

/**
 * check_class_changed()'s RT part: switched_from_rt() pulls when the runqueue has no RT task
 * left; switched_to_rt() pushes when the queued task overloads it; prio_changed_rt() pulls when
 * a running task's priority drops.
 */
export function rtPolicyChanged(rd: RootDomain, rq: Cpu, t: Task, wasRt: boolean, oldPrio: number): void {
  if (!t.onRq) return;
  if (wasRt && !t.isRt) {
    if (rq.rt.nrRunning === 0) pullRtTask(rd, rq);
  } else if (!wasRt && t.isRt) {
    if (rq.curr !== t && t.pin < 0 && rtOverloaded(rq)) pushRtTasks(rd, rq);
  } else if (t.isRt && rq.curr === t && t.rtPrio < oldPrio) pullRtTask(rd, rq);
}

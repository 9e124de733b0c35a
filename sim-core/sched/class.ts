/**
 * The scheduling-class interface, after `struct sched_class` (kernel/sched/sched.h). A CPU's
 * runqueue holds one instance of each class and walks them in priority order (RT, then fair;
 * idle is what runs when neither has a task), as `for_each_class()` does in kernel/sched/core.c.
 * The instances keep their class's part of the runqueue (rt_rq, cfs_rq) as Linux's rq does.
 */
import type { Task } from "./task";

export interface SchedClass {
  /** The class as the timeline and the statistics name it. */
  readonly name: "rt" | "fair";
  /** Runnable tasks of this class on this CPU, the running one included. */
  readonly nrRunning: number;
  /**
   * The class may not run now (RT throttling): its tasks are neither picked nor allowed to
   * preempt, and a running one must give the CPU back.
   */
  readonly throttled: boolean;
  /** enqueue_task(): `wakeup` is ENQUEUE_WAKEUP; `head` queues at the head of its level. */
  enqueue(t: Task, wakeup: boolean, head: boolean): void;
  /** dequeue_task(). `sleep`: DEQUEUE_SLEEP (the task blocks). */
  dequeue(t: Task, sleep: boolean): void;
  /** pick_next_task(): the task this class would run next, or null. */
  pickNext(): Task | null;
  /** put_prev_task(): `t` stops running (it may stay queued). */
  putPrev(t: Task): void;
  /** set_next_task(): `t` starts running. */
  setNext(t: Task): void;
  /** update_curr(): account `delta` ns of the running task `t`. True asks for a reschedule. */
  updateCurr(t: Task, delta: number): boolean;
  /** task_tick(): the tick found `t` running, `ran` ns since it was last accounted. */
  taskTick(t: Task, ran: number): boolean;
  /**
   * check_preempt_curr() between two tasks of this class: should waking `p` preempt `curr`?
   * `reschedPending`: TIF_NEED_RESCHED is already set on this CPU.
   */
  checkPreemptCurr(curr: Task, p: Task, reschedPending: boolean): boolean;
  /** switched_from(): `t` leaves this class (a policy change). */
  switchedFrom(t: Task): void;
  /** switched_to(): `t` joins this class. */
  switchedTo(t: Task): void;
}

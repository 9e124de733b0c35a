/**
 * A schedulable thread (task_struct) and its fair-class entity (sched_entity). Host threads,
 * vCPU threads and guest tasks are all Tasks; what they do when they run is their Program.
 */
import type { Policy } from "../scenario";
import { niceToWeight, WEIGHT_IDLEPRIO } from "../params";
import type { Cpu } from "./cpu";
import type { CfsRq, TaskGroup } from "./fair";
import { SchedAvg } from "./pelt";
import type { RbNode } from "./rbtree";
import { TIME_ZERO } from "../engine";

/** What a thread does. The CPU calls these; the program sets `task.remaining` or sleeps. */
export interface Program {
  /** The current burst of work is done. */
  burstEnd(t: Task): void;
  /** The task starts executing on a CPU (after the context switch). */
  switchIn?(t: Task): void;
  /** The task stops executing (preempted or blocked). */
  switchOut?(t: Task): void;
}

/** sched_entity: a task's, or a cgroup's on one CPU. */
export class Se implements RbNode<Se> {
  vruntime = TIME_ZERO;
  /** Tie order in the timeline among equal vruntimes (later insertions go right). */
  seq = 0;
  // run_node: the entity's links in its runqueue's timeline (while queued and not running).
  rbLeft: Se | null = null;
  rbRight: Se | null = null;
  rbParent: Se | null = null;
  rbRed = false;
  /** EEVDF virtual deadline. */
  deadline = TIME_ZERO;
  /** EEVDF: the earliest deadline in this entity's subtree of the timeline (augmented). */
  minDeadline = TIME_ZERO;
  /** EEVDF lag saved at dequeue; 6.5 CFS uses none. */
  vlag = TIME_ZERO;
  /** EEVDF RUN_TO_PARITY marker: the deadline at pick time. */
  parity = -1;
  sumExec = TIME_ZERO;
  prevSumExec = TIME_ZERO;
  execStart = TIME_ZERO;
  onRq = false;
  /** The runqueue this entity is queued on (its parent's `my` for a task in a cgroup). */
  cfsRq: CfsRq | null = null;
  /** For a group entity: the group's own runqueue on this CPU. */
  my: CfsRq | null = null;
  /** Relative vruntime kept while the task is outside the fair class (6.5 detach/attach). */
  relVruntime = TIME_ZERO;
  /** PELT of this entity (se->avg). */
  readonly avg = new SchedAvg();
  /** Its load is part of its runqueue's averages (se->avg.last_update_time != 0). */
  avgAttached = false;
  /** The averages were initialised (a new task's first attach initialises them). */
  avgInit = false;
  /** Detached on leaving the class: aged over the time away when it comes back (ATTACH_AGE_LOAD). */
  avgAge = false;
  constructor(
    public weight: number,
    public readonly task: Task | null,
  ) {}
}

let nextTaskId = 1;

export class Task {
  readonly id = nextTaskId++;
  policy: Policy;
  rtPrio: number;
  nice: number;
  readonly se: Se;
  /** SCHED_RR slice left. */
  rrLeft = TIME_ZERO;
  /** Queued on a runqueue (running or waiting). */
  onRq = false;
  /** CPU whose runqueue holds the task, or where it last ran. */
  cpu: Cpu | null = null;
  /** Pinned CPU index, or -1. */
  pin = -1;
  /** Work left in the current burst, ns of CPU time (Infinity: until told otherwise). */
  remaining = TIME_ZERO;
  /** Context-switch overhead still to pay before the work resumes. */
  ovh = TIME_ZERO;
  /** If >= 0, the wake-up target time: latency is recorded when the task first executes. */
  wakeTarget = -1;
  onWakeLatency: ((latencyNs: number, now: number) => void) | null = null;
  runnableSince = TIME_ZERO;
  /** The pending host hrtimer's action, and the bound callback that runs it. */
  timerFire: (() => void) | null = null;
  timerCb: (() => void) | null = null;
  runDelayNs = TIME_ZERO;
  runtimeNs = TIME_ZERO;
  /** vCPU thread boosted by the series (for the timeline and stats). */
  boosted = false;
  /** Host cgroup, resolved by the host. */
  tg: TaskGroup | null = null;
  /** Guest task: preemption disabled while it runs (a critical section). */
  preemptDisabled = false;
  /**
   * Its working set is large (a CPU hog, a vCPU's guest): after another task ran long enough to
   * evict it, it pays the cache refill when it runs again. A small task (cyclictest) does not
   * (Li, Ding, Shen: the indirect cost is ~0 for a working set that stays cached).
   */
  largeWorkingSet = false;
  /** A kernel thread: it never returns to user mode (no exit_to_user_mode work). */
  kthread = false;
  /** Switched in, not yet back in its own code (the CPU's onUserReturn hook runs first). */
  pendingUserReturn = false;
  /** try_to_wake_up() queued it on a CPU's wake list; the IPI will enqueue it (TASK_WAKING). */
  wakePending = false;
  /** p->recent_used_cpu: a CPU it ran on before its previous one (select_idle_sibling()). */
  recentUsedCpu = -1;
  /** record_wakee()'s state: p->wakee_flips, wakee_flip_decay_ts (jiffies), last_wakee. */
  wakeeFlips = 0;
  wakeeFlipDecayTs = TIME_ZERO;
  lastWakee: Task | null = null;
  /** Links in its CPU's list of fair tasks (rq->cfs_tasks, most recently picked first). */
  lbPrev: Task | null = null;
  lbNext: Task | null = null;
  /**
   * Forked and not yet enqueued or asleep: its first enqueue is wake_up_new_task()'s (a task
   * whose first act is to sleep went through that already).
   */
  newTask = true;
  constructor(
    public readonly name: string,
    public prog: Program,
    policy: Policy = "other",
    rtPrio = 0,
    nice = 0,
    /** Host cgroup (a name resolved by the host), or null. */
    public cgroup: string | null = null,
  ) {
    this.policy = policy;
    this.rtPrio = rtPrio;
    this.nice = nice;
    this.se = new Se(taskWeight(policy, nice), this);
  }

  get isRt(): boolean {
    return this.policy === "fifo" || this.policy === "rr";
  }
}

export function taskWeight(policy: Policy, nice: number): number {
  return policy === "idle" ? WEIGHT_IDLEPRIO : niceToWeight(nice);
}

/**
 * A host whose load balancer's inputs are set by hand, for tests that work the kernel's
 * load-balancing rules (kernel/sched/fair.c, 6.5) through to an exact answer: which task moves,
 * from where, and what the domain's balancing state becomes.
 *
 * frozen() starts each CPU's threads pinned there (so no balancer moves them), runs 20 ms so the
 * runqueues, the task lists and PELT have a real history, then unpins the fair threads and
 * resets the balancing state to sd_init()'s. No event runs after that: a test calls the
 * balancer at that instant. avg() then states a CPU's PELT averages (cpu_load(), cpu_util_cfs(),
 * cpu_runnable() and avg_rt's utilisation) and taskLoad() a task's load_avg, right after bringing
 * them up to this instant: PELT changes its averages only at a period boundary (1024 x 1024 ns),
 * so the balancer's own update_blocked_averages() at the same instant leaves them as stated. The
 * averages a run gives are not round numbers; the rules' boundaries (117 % and the like) need
 * exact inputs, which is why they are stated rather than run up to.
 */
import type { Cpu } from "../../sim-core/sched/cpu";
import type { Task } from "../../sim-core/sched/task";
import type { RootDomain } from "../../sim-core/sched/topology";
import { MS, startOn, type World, world } from "./world";

export interface Frozen {
  w: World;
  rd: RootDomain;
  cpus: Cpu[];
}

/** `layout[i]`: the threads started on CPU i; RT ones stay pinned, and so do all when `keepPins`. */
export function frozen(layout: Task[][], keepPins = false): Frozen {
  const w = world(layout.length);
  layout.forEach((ts, i) => {
    startOn(w, i, ...ts);
  });
  w.runTo(20 * MS);
  const rd = w.host.rd;
  const cpus = w.host.cpus;
  for (const c of cpus) {
    const i = c.index;
    rd.balanceInterval[i] = rd.minInterval;
    rd.nrBalanceFailed[i] = 0;
    c.fair.syncLoad();
    c.rtUtil();
    // No buddy, nothing cache-hot unless a test says so.
    c.fair.root.next = null;
    c.fair.root.last = null;
  }
  for (const ts of layout) {
    for (const t of ts) {
      if (!t.isRt && !keepPins) t.pin = -1;
      t.se.execStart = 0;
    }
  }
  return { w, rd, cpus };
}

/** The CPU's PELT averages at this instant (rt: avg_rt's util_avg, capacity_of() = 1024 - rt). */
export function avg(c: Cpu, load: number, util: number, runnable: number, rt = 0): void {
  c.fair.syncLoad();
  c.rtUtil();
  const a = c.fair.root.avg;
  a.loadAvg = load;
  a.utilAvg = util;
  a.runnableAvg = runnable;
  c.avgRt.utilAvg = rt;
}

/** A task's se->avg.load_avg (task_h_load() = load * cpu_load / (cpu_load + 1) at the root). */
export function taskLoad(t: Task, load: number): void {
  t.se.avg.loadAvg = load;
}

/**
 * Orders `c`'s cfs_tasks list: detach_tasks() looks at `tail[0]` first, then `tail[1]`, ...; the
 * CPU's running task goes to the head (it is seen last).
 */
export function order(c: Cpu, ...tail: Task[]): void {
  for (const t of tail) c.fair.taskToFront(t);
  const cur = c.curr;
  if (cur && !cur.isRt) c.fair.taskToFront(cur);
}

/** The fair tasks queued (not running) on `c`. */
export function queued(c: Cpu, ts: Task[]): Task[] {
  return ts.filter((t) => t.cpu === c && t !== c.curr && t.se.onRq);
}

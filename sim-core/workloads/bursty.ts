/**
 * Background activity: sleep for a gap, then run a burst. In a guest the burst may run with
 * preemption disabled (a long critical section), which the series boosts and patch 5 caps.
 */
import type { BurstyWorkload } from "../scenario";
import { Task } from "../sched/task";
import type { Kernel } from "./kernel";

export function spawnBursty(k: Kernel, w: BurstyWorkload, id: string): void {
  const pd = !!w.preempt_disabled && k.side === "guest";
  for (let i = 0; i < (w.threads ?? 1); i++) {
    const rng = k.stream(`${id}.${i}`);
    const t: Task = new Task(
      `${id}.${i}`,
      {
        burstEnd: (task) => {
          if (pd) {
            task.preemptDisabled = false;
            k.preemptChanged(task);
          }
          k.sleepUntil(task, k.eng.now + rng.ns(w.gap), wake);
        },
        switchIn: (task) => {
          if (pd && !task.preemptDisabled) {
            task.preemptDisabled = true;
            k.preemptChanged(task);
          }
        },
      },
      w.policy ?? "other",
      w.priority ?? 0,
      w.nice ?? 0,
    );
    const wake = () => {
      t.remaining = Math.max(1, rng.ns(w.work));
      k.wake(t);
    };
    k.spawn(t, w.cpu, w.cgroup);
    k.firstSleep(t, rng.ns(w.gap), wake);
  }
}

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
          // preempt_enable(): the guest may preempt it again (and the series sees it).
          if (pd) task.preemptDisabled = false;
          k.sleepUntil(task, k.eng.now + rng.ns(w.gap), wake);
        },
        switchIn: (task) => {
          // preempt_disable() at the start of the burst.
          if (pd) task.preemptDisabled = true;
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

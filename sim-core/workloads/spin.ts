/**
 * A thread that spins forever. In a guest with `preempt_disabled` it is the reviewers' rogue
 * guest: it holds preemption off, so the series boosts its vCPU, and only the throttle (patch 5)
 * or RT throttling give the host CPU back.
 */
import type { SpinWorkload } from "../scenario";
import { Task } from "../sched/task";
import type { Kernel } from "./kernel";

export function spawnSpin(k: Kernel, w: SpinWorkload, id: string): void {
  const pd = !!w.preempt_disabled && k.side === "guest";
  const t = new Task(
    id,
    {
      burstEnd: (task) => {
        task.remaining = Infinity;
      },
      switchIn: (task) => {
        if (pd) task.preemptDisabled = true;
      },
    },
    w.policy ?? "other",
    w.priority ?? 0,
    w.nice ?? 0,
  );
  t.remaining = Infinity;
  t.largeWorkingSet = true;
  k.spawn(t, w.cpu, w.cgroup);
  k.wake(t);
}

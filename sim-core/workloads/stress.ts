/** stress-ng --cpu N: N threads that never sleep. */
import type { StressWorkload, ThreadAttrs } from "../scenario";
import { Task } from "../sched/task";
import type { Kernel } from "./kernel";

export function spawnStress(k: Kernel, w: StressWorkload, id: string): void {
  for (let i = 0; i < w.workers; i++) spawnHog(k, w, `${id}.${i}`);
}

/**
 * One thread that never sleeps: each burst is endless, and it evicts the caches of whatever
 * shares its CPU (largeWorkingSet). `switchIn` runs each time it gets the CPU.
 */
export function spawnHog(k: Kernel, w: ThreadAttrs, id: string, switchIn?: (t: Task) => void): void {
  const t = new Task(
    id,
    {
      burstEnd: (task) => {
        task.remaining = Infinity;
      },
      ...(switchIn ? { switchIn } : {}),
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

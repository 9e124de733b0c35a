/** stress-ng --cpu N: N threads that never sleep. */
import type { StressWorkload } from "../scenario";
import { Task } from "../sched/task";
import type { Kernel } from "./kernel";

export function spawnStress(k: Kernel, w: StressWorkload, id: string): void {
  for (let i = 0; i < w.workers; i++) {
    const t = new Task(
      `${id}.${i}`,
      {
        burstEnd: (task) => {
          task.remaining = Infinity;
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
}

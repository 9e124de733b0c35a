/** A generic periodic task: wakes every period (absolute), runs its work, records its latency. */
import type { PeriodicWorkload } from "../scenario";
import { Task } from "../sched/task";
import type { Kernel } from "./kernel";

export function spawnPeriodic(k: Kernel, w: PeriodicWorkload, id: string): void {
  const probe = k.probe(id, "periodic");
  const period = Math.round(w.period_us * 1000);
  for (let i = 0; i < (w.threads ?? 1); i++) {
    let next = 0;
    const t: Task = new Task(`${id}.${i}`, {
      burstEnd: (task) => {
        next += period;
        while (next <= k.eng.now) next += period;
        k.sleepUntil(task, next, wake);
      },
    }, w.policy ?? "other", w.priority ?? 0, w.nice ?? 0);
    const wake = () => {
      t.wakeTarget = next;
      t.remaining = k.rng.ns(w.work);
      k.wake(t);
    };
    t.onWakeLatency = (lat, now) => probe.record(lat, now);
    k.spawn(t, w.cpu, w.cgroup);
    next = Math.floor(k.rng.float() * period);
    k.firstSleep(t, next, wake);
  }
}

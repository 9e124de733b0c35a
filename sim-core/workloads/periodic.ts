/**
 * A generic periodic task: wakes every period (absolute), runs its work, records its latency.
 * On the host it can be a vCPU-like thread that follows the series' protocol (`pv_thread`).
 */
import type { PeriodicWorkload } from "../scenario";
import { Task } from "../sched/task";
import type { Kernel } from "./kernel";

export function spawnPeriodic(k: Kernel, w: PeriodicWorkload, id: string): void {
  const probe = k.probe(id, "periodic");
  const period = Math.round(w.period_us * 1000);
  const pv = w.pv_thread && k.side === "host" ? k.pvThread : null;
  for (let i = 0; i < (w.threads ?? 1); i++) {
    const rng = k.stream(`${id}.${i}`);
    let next = 0;
    // Phases of a cycle: reaching its own code, its boost request (if any), the work, the unboost (if any).
    let phase = 0;
    const t: Task = new Task(
      `${id}.${i}`,
      {
        burstEnd: (task) => {
          if (pv && phase === 0) {
            // Its first instruction after the wake-up: it asks for its boost itself if nobody
            // gave it one (the request's CPU time is the next phase).
            phase = 1;
            const cost = pv.onStart(task);
            if (cost > 0) {
              task.remaining = cost;
              return;
            }
          }
          if (pv && phase === 1) {
            phase = 2;
            task.remaining = rng.ns(w.work);
            return;
          }
          if (pv && phase === 2) {
            phase = 3;
            const cost = pv.onDone(task);
            if (cost > 0) {
              task.remaining = cost;
              return;
            }
          }
          next += period;
          while (next <= k.eng.now) next += period;
          k.sleepUntil(task, next, wake);
        },
      },
      w.policy ?? "other",
      w.priority ?? 0,
      w.nice ?? 0,
    );
    const wake = () => {
      t.wakeTarget = next;
      if (pv) {
        pv.onTimer(t);
        // The self-boost happens when the thread runs, not at its wake-up: a 1 ns step first.
        phase = 0;
        t.remaining = 1;
      } else t.remaining = rng.ns(w.work);
      k.wake(t);
    };
    t.onWakeLatency = (lat, now) => probe.record(lat, now);
    k.spawn(t, w.cpu, w.cgroup);
    if (pv?.staticPolicy) {
      t.policy = pv.staticPolicy.policy;
      t.rtPrio = pv.staticPolicy.priority;
    }
    next = Math.floor(rng.float() * period);
    k.firstSleep(t, next, wake);
  }
}

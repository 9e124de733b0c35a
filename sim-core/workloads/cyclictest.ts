/**
 * cyclictest (rt-tests): each thread sleeps to an absolute deadline, reads the clock when it
 * runs again, records now - deadline, and moves the deadline on by its interval, skipping
 * periods already in the past. Options follow cyclictest's: -t threads, -i interval,
 * -d distance, -p priority (which implies SCHED_FIFO), --policy.
 */
import type { CyclictestWorkload, Policy } from "../scenario";
import { Task } from "../sched/task";
import type { Kernel } from "./kernel";
/**
 * CPU time of one cyclictest loop after its wake-up (clock_gettime through the vDSO, the
 * statistics, clock_nanosleep up to the switch out): ~1.5 us on a desktop core from the loop's
 * structure (rt-tests src/cyclictest/cyclictest.c), no published measurement. ESTIMATE.
 */
export const CYCLICTEST_WORK = { lognormal_median_us: 1.5, lognormal_gsd: 1.35 };

export interface CyclictestOptions {
  threads: number;
  intervalUs: number;
  distanceUs: number;
  policy: Policy;
  priority: number;
}

/** Parses the options cyclictest's command line sets; anything else is ignored. */
export function parseCyclictestCmdline(cmd: string): Partial<CyclictestOptions> {
  const a = cmd.trim().split(/\s+/);
  const o: Partial<CyclictestOptions> = {};
  for (let i = 0; i < a.length; i++) {
    const k = a[i];
    const val = (): string | undefined => {
      const eq = k.indexOf("=");
      if (eq > 0) return k.slice(eq + 1);
      if (/^-[a-zA-Z]\d/.test(k)) return k.slice(2);
      return a[++i];
    };
    const num = () => Number(val());
    if (/^(-t|--threads)/.test(k)) o.threads = num();
    else if (/^(-i|--interval)/.test(k)) o.intervalUs = num();
    else if (/^(-d|--distance)/.test(k)) o.distanceUs = num();
    else if (/^(-p|--priority|--prio)/.test(k)) {
      o.priority = num();
      if (o.policy === undefined && o.priority > 0) o.policy = "fifo";
    } else if (/^--policy/.test(k)) {
      const p = val();
      o.policy = p === "fifo" || p === "rr" || p === "batch" || p === "idle" ? p : "other";
    }
  }
  return o;
}

export function cyclictestOptions(w: CyclictestWorkload): CyclictestOptions {
  const c = w.cmdline ? parseCyclictestCmdline(w.cmdline) : {};
  // rt-tests defaults: 1 thread, -i 1000, -d 500, SCHED_OTHER unless -p is given.
  return {
    threads: w.threads ?? c.threads ?? 1,
    intervalUs: w.interval_us ?? c.intervalUs ?? 1000,
    distanceUs: w.distance_us ?? c.distanceUs ?? 500,
    policy: w.policy ?? c.policy ?? "other",
    priority: w.priority ?? c.priority ?? 0,
  };
}

export function spawnCyclictest(k: Kernel, w: CyclictestWorkload, id: string): void {
  const o = cyclictestOptions(w);
  const probe = k.probe(id, "cyclictest");
  // rt-tests' set_latency_target(): writes 0 to /dev/cpu_dma_latency unless --laptop.
  if (!/(^|\s)--laptop(\s|=|$)/.test(w.cmdline ?? "")) k.holdCpuDmaLatency(0);
  const work = w.work ?? { ...CYCLICTEST_WORK, lognormal_median_us: CYCLICTEST_WORK.lognormal_median_us * k.costScale };
  for (let i = 0; i < o.threads; i++) {
    const rng = k.stream(`${id}.${i}`);
    const interval = (o.intervalUs + i * o.distanceUs) * 1000;
    let next = 0;
    const t: Task = new Task(
      `${id}.${i}`,
      {
        burstEnd: (task) => {
          const now = k.eng.now;
          next += interval;
          while (next <= now) next += interval;
          k.sleepUntil(task, next, wake);
        },
      },
      o.policy,
      o.priority,
      w.nice ?? 0,
    );
    const wake = () => {
      t.wakeTarget = next;
      t.remaining = rng.ns(work);
      k.wake(t);
    };
    t.onWakeLatency = (lat, now) => probe.record(lat, now);
    k.spawn(t, w.cpu, w.cgroup);
    // Threads start at a random phase of their interval, as they would after thread creation.
    next = Math.floor(rng.float() * interval);
    k.firstSleep(t, next, wake);
  }
}

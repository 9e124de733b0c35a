/**
 * Per-CPU OS noise as named, real activities (osnoise's classes; NOISE_DEFAULTS has the sources):
 * a kworker per CPU, woken now and then for tens of microseconds. The other class, softirqs after
 * ticks, lives in the CPU's tick (Cpu.maybeTickSoftirq).
 */
import { NOISE_DEFAULTS, NSEC_PER_USEC } from "./params";
import type { BurstyWorkload } from "./scenario";
import type { Kernel } from "./workloads/kernel";
import { spawnWorkload } from "./workloads";

/** One kworker per CPU of `k`, pinned, a kernel thread (it never returns to user mode). */
export function spawnKworkers(k: Kernel, ncpus: number, until: number, namePrefix = ""): void {
  const c = NOISE_DEFAULTS.kworker;
  for (let i = 0; i < ncpus; i++) {
    const w: BurstyWorkload = {
      kind: "bursty",
      id: `${namePrefix}kworker/${i}`,
      cpu: i,
      kthread: true,
      gap: { exp_mean_us: 1e6 / NOISE_DEFAULTS.kworker_hz },
      work: {
        lognormal_median_us: c.median_ns / NSEC_PER_USEC,
        lognormal_gsd: c.gsd,
        max_us: (c.cap_ns ?? Number.POSITIVE_INFINITY) / NSEC_PER_USEC,
      },
    };
    const own: Kernel = {
      ...k,
      stream: (n) => k.stream(`noise/${n}`),
      spawn: (t, cpu, cg) => {
        t.kthread = true;
        k.spawn(t, cpu, cg);
      },
    };
    spawnWorkload(own, w, w.id!, until);
  }
}

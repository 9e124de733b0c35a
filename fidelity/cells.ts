/**
 * The fidelity experiment matrix: which real runs make up one fidelity report. Each cell is
 * one real run (and one simulated run of the same configuration).
 *
 *   host-cyclictest  cyclictest alone on the host, SCHED_OTHER vs SCHED_FIFO, idle vs busy:
 *                    checks the host model's wake-up path and class priority.
 *   vcpu-like        our vCPU-like threads (vcpu_like.c) in the three modes, with a
 *                    SCHED_OTHER host cyclictest beside them, idle vs busy: checks the
 *                    modes' effect on the threads (vanilla / chrt / dynamic boost) and on
 *                    the rest of the host.
 */

export type Load = "idle" | "busy";
/**
 * `dynamic-noinject` is an ablation (opt-in): the dynamic protocol without the boost on timer
 * injection, so a thread is boosted only once it runs and asks (the lazy boost).
 */
export type VcpuMode = "vanilla" | "static" | "dynamic" | "dynamic-noinject";

export interface CyclictestProbe {
  /** Probe id, shared with the simulated workload. */
  id: string;
  interval_us: number;
  policy: "other" | "fifo";
  priority: number;
}

export interface VcpuSpec {
  id: string;
  mode: VcpuMode;
  threads: number;
  period_us: number;
  /** CPU time each thread runs per period (guest work). */
  run_us: number;
  /** Policy and priority of static mode and of the dynamic boost (the series: SCHED_RR 8). */
  rt_policy: "rr" | "fifo";
  rt_priority: number;
  /** Cap on one boost (pvsched_max_preempt_disabled_us = 3000 in the series). */
  throttle_us: number;
}

export interface Cell {
  /** e.g. "vcpu-like/busy/static". */
  key: string;
  experiment: "host-cyclictest" | "vcpu-like";
  load: Load;
  /** The compared variant: a vCPU mode, or the cyclictest policy. */
  mode: string;
  cpus: number;
  /** stress-ng --cpu N when busy (one hog per CPU, as the brief asks). */
  stressWorkers: number;
  /** Samples before this are dropped on both sides (vcpu_like --warmup-ms, sim warmup_ms). */
  warmup_ms: number;
  cyclictest: CyclictestProbe[];
  vcpu?: VcpuSpec;
}

/** Parameters of the vCPU-like threads, shared by the real runs and the scenarios. */
export const VCPU_DEFAULTS = {
  /** One thread per CPU: a VM with as many vCPUs as the host has CPUs. */
  period_us: 1000, // a 1 kHz guest timer, like the seed's `-i 1000` rows
  run_us: 200, // 20% duty per vCPU: leaves the RT modes far from RT throttling
  rt_policy: "rr" as const, // chrt's default policy and the series' boost policy
  rt_priority: 8, // the series' boost priority (reference/seed-results.json)
  throttle_us: 3000, // pvsched_max_preempt_disabled_us in the series
};

/** cyclictest interval used everywhere (`-i 500`, the seed's host command). */
export const CYCLICTEST_INTERVAL_US = 500;
/** Priority of the SCHED_FIFO cyclictest runs (a typical `-p 80`). */
export const CYCLICTEST_FIFO_PRIO = 80;

export const LOADS: Load[] = ["idle", "busy"];
export const VCPU_MODES: VcpuMode[] = ["vanilla", "static", "dynamic"];

export function fidelityCells(cpus: number, only?: { experiments?: string[]; loads?: Load[]; ablation?: boolean }): Cell[] {
  const cells: Cell[] = [];
  const loads = only?.loads ?? LOADS;
  const want = (e: string) => !only?.experiments || only.experiments.includes(e);
  for (const load of loads) {
    if (want("host-cyclictest")) {
      for (const policy of ["other", "fifo"] as const) {
        cells.push({
          key: `host-cyclictest/${load}/${policy}`,
          experiment: "host-cyclictest",
          load,
          mode: policy,
          cpus,
          stressWorkers: cpus,
          warmup_ms: 100,
          cyclictest: [
            { id: "cyclictest", interval_us: CYCLICTEST_INTERVAL_US, policy, priority: policy === "fifo" ? CYCLICTEST_FIFO_PRIO : 0 },
          ],
        });
      }
    }
    if (want("vcpu-like")) {
      for (const mode of only?.ablation ? [...VCPU_MODES, "dynamic-noinject" as const] : VCPU_MODES) {
        cells.push({
          key: `vcpu-like/${load}/${mode}`,
          experiment: "vcpu-like",
          load,
          mode,
          cpus,
          stressWorkers: cpus,
          warmup_ms: 100,
          cyclictest: [{ id: "cyclictest", interval_us: CYCLICTEST_INTERVAL_US, policy: "other", priority: 0 }],
          vcpu: { id: "vcpu-like", mode, threads: cpus, ...VCPU_DEFAULTS },
        });
      }
    }
  }
  return cells;
}

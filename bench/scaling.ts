/**
 * The scenarios of `pvsched-sim bench`'s scaling table: one axis at a time (host CPUs, host tasks,
 * VMs x vCPUs), the rest held at the seed's shape. Each row's simulated time is chosen so that
 * every row makes a few hundred thousand events, enough to time on a loaded machine and few
 * enough for the whole table to take seconds. events/s should stay flat along an axis: a cost per
 * event that grows with the axis is a linear scan somewhere (issue 13).
 */
import type { Scenario } from "../sim-core/index";

export interface ScalingRow {
  axis: "host CPUs" | "host tasks" | "VMs x vCPUs";
  /** The axis value as printed: "128", "2048", "32x8". */
  value: string;
  scenario: Scenario;
}

/** Host CPUs from 2 to 128. */
export const HOST_CPUS = [2, 8, 32, 128] as const;
/** Sleeping host tasks on 4 CPUs, from 2 to 2048. */
export const HOST_TASKS = [2, 32, 512, 2048] as const;
/** VMs x vCPUs from 1x4 to 32x8. */
export const VM_SHAPES = [
  [1, 4],
  [4, 4],
  [8, 8],
  [32, 8],
] as const;

/** Events each row aims at: enough to time on a loaded machine, few enough for a table in seconds. */
export const ROW_EVENTS = 300_000;

/**
 * Wakeups per second of all host tasks together on the tasks axis: each of n tasks has a period
 * of n / TASK_WAKEUPS_PER_S, so the event rate is the same at every n and only the number of
 * tasks changes.
 */
export const TASK_WAKEUPS_PER_S = 4000;

const base = (name: string, durationS: number): Pick<Scenario, "name" | "seed" | "duration_s" | "warmup_ms" | "modes"> => ({
  name,
  seed: 1,
  duration_s: durationS,
  warmup_ms: 0,
  modes: ["dynamic"],
});

/**
 * Simulated seconds for about ROW_EVENTS events at `eventsPerS` simulated events a second (each
 * row's rate measured on this model: about four events per wakeup, plus ticks).
 */
const seconds = (eventsPerS: number) => Math.round((100 * ROW_EVENTS) / eventsPerS) / 100;

/** N host CPUs, half of them under a hog, one 1 ms periodic thread per CPU and a cyclictest. */
export function hostCpusScenario(cpus: number): Scenario {
  return {
    ...base(`scaling: ${cpus} host CPUs`, seconds(4000 * cpus + 8000)),
    host: {
      cpus,
      workloads: [
        { kind: "stress", workers: Math.max(1, cpus / 2) },
        { kind: "periodic", period_us: 1000, work: { const_us: 100 }, threads: cpus },
        { kind: "cyclictest", id: "host-cyclictest", interval_us: 500 },
      ],
    },
  };
}

/** n sleeping periodic host tasks on 4 CPUs under 4 hogs, at a fixed total wakeup rate. */
export function hostTasksScenario(tasks: number): Scenario {
  const periodUs = Math.round((tasks * 1e6) / TASK_WAKEUPS_PER_S);
  return {
    ...base(`scaling: ${tasks} host tasks`, seconds(4 * TASK_WAKEUPS_PER_S + 1000)),
    host: {
      cpus: 4,
      workloads: [
        { kind: "stress", workers: 4 },
        { kind: "periodic", period_us: periodUs, work: { const_us: 50 }, threads: tasks },
      ],
    },
  };
}

/** `vms` VMs of `vcpus` vCPUs on half as many host CPUs (at least 4, at most 128), each with a cyclictest. */
export function vmsScenario(vms: number, vcpus: number): Scenario {
  const cpus = Math.min(128, Math.max(4, (vms * vcpus) / 2));
  return {
    ...base(`scaling: ${vms} VMs x ${vcpus} vCPUs`, seconds(16_000 * vms)),
    host: {
      cpus,
      workloads: [
        { kind: "stress", workers: cpus / 2 },
        { kind: "cyclictest", id: "host-cyclictest", interval_us: 1000 },
      ],
    },
    vms: Array.from({ length: vms }, (_, i) => ({
      name: `vm${i}`,
      vcpus,
      workloads: [{ kind: "cyclictest" as const, id: `vm${i}-cyclictest`, interval_us: 1000 }],
    })),
  };
}

export function scalingRows(): ScalingRow[] {
  return [
    ...HOST_CPUS.map((n) => ({ axis: "host CPUs" as const, value: String(n), scenario: hostCpusScenario(n) })),
    ...HOST_TASKS.map((n) => ({ axis: "host tasks" as const, value: String(n), scenario: hostTasksScenario(n) })),
    ...VM_SHAPES.map(([v, c]) => ({ axis: "VMs x vCPUs" as const, value: `${v}x${c}`, scenario: vmsScenario(v, c) })),
  ];
}

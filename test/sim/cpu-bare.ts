/**
 * One CPU on its own (no root domain, no host, no tick unless a test raises one), with costs of
 * its own choosing that differ from each other, so that every time a test asserts names which
 * cost made it: the context switch, the cache refill, the tick, an interrupt.
 */
import type { CpuCostModel } from "../../sim-core/costs";
import { Engine } from "../../sim-core/engine";
import { resolveSched } from "../../sim-core/params";
import type { Rng } from "../../sim-core/rng";
import type { Policy, SchedConfig } from "../../sim-core/scenario";
import { Cpu } from "../../sim-core/sched/cpu";
import { Task } from "../../sim-core/sched/task";

export const US = 1_000;
export const MS = 1_000_000;

/** The bare CPU's constant costs (ns). */
export const COST = { cs: 1_000, refill: 10_000, tick: 2_000, irq: 3_000 } as const;

export interface Bare {
  eng: Engine;
  cpu: Cpu;
  /** Runs events up to `t` ns (inclusive). */
  runTo(t: number): void;
}

export function bareCpu(
  sched: SchedConfig = {},
  cs: number = COST.cs,
  softirq: { p: number; rng: Rng; cost: () => number } | null = null,
): Bare {
  const eng = new Engine();
  const tun = resolveSched(sched, 1);
  const costs: CpuCostModel = {
    contextSwitch: () => cs,
    refill: () => COST.refill,
    tick: () => COST.tick,
    timerIrq: () => COST.irq,
    ipi: () => COST.irq,
  };
  const cpu = new Cpu(eng, 0, "cpu0", tun, true, costs, softirq);
  return { eng, cpu, runTo: (t) => void eng.run(t, Number.MAX_SAFE_INTEGER) };
}

/** A thread that never sleeps, past its fork placement. */
export function spinner(name: string, policy: Policy = "other", prio = 0, nice = 0): Task {
  const t = new Task(name, { burstEnd: (x) => (x.remaining = Number.POSITIVE_INFINITY) }, policy, prio, nice);
  t.newTask = false;
  t.remaining = Number.POSITIVE_INFINITY;
  return t;
}

/**
 * A thread that runs `workNs`, then blocks (set `remaining` again before waking it again); the
 * times its bursts end go into `ends`.
 */
export function worker(name: string, workNs: number, ends: number[] = [], policy: Policy = "other", prio = 0): Task {
  const t = new Task(
    name,
    {
      burstEnd: (x) => {
        ends.push(x.cpu!.eng.now);
        x.cpu!.sleepCurr();
      },
    },
    policy,
    prio,
  );
  t.newTask = false;
  t.remaining = workNs;
  return t;
}

/** A tick on `cpu` every `periodNs` from `periodNs` up to `until` (as Host.start() raises them). */
export function ticks(b: Bare, periodNs: number, until: number): void {
  for (let t = periodNs; t <= until; t += periodNs) b.eng.at(t, () => b.cpu.tick());
}

/**
 * One CPU's fair class driven by hand, for tests of the kernel's rules on a single runqueue:
 * entities are queued at the vruntime (CFS) or with the lag (EEVDF) a test gives them, and time
 * moves by setting the engine's clock (a host CPU's task clock is the engine's time).
 */
import { cpuCosts } from "../../sim-core/costs";
import { Engine } from "../../sim-core/engine";
import { resolveSched, type SchedFeatures } from "../../sim-core/params";
import type { Policy, SchedConfig } from "../../sim-core/scenario";
import { Cpu } from "../../sim-core/sched/cpu";
import { Task } from "../../sim-core/sched/task";

export const MS = 1_000_000;

/** sched_prio_to_weight[] (kernel/sched/core.c) for the nice levels the tests use. */
export const WEIGHT = { nice0: 1024, nice5: 335, nice19: 15, niceMinus5: 3121, idlePolicy: 3 } as const;

/** A CPU of a host with `ncpus` CPUs (for the tunables' scaling) and the given features. */
export function fairCpu(sched: SchedConfig = {}, ncpus = 1, features: Partial<SchedFeatures> = {}) {
  const eng = new Engine();
  const tun = resolveSched(sched, ncpus);
  tun.features = { ...tun.features, ...features };
  const cpu = new Cpu(eng, 0, "cpu0", tun, true, cpuCosts(null, tun.ctxSwitchNs, tun.tickCostNs, 1));
  return { eng, cpu, fair: cpu.fair, tun };
}

/** A task that already ran (not new), at vruntime `vruntimeNs`, with the EEVDF lag `vlagNs`. */
export function fairTask(name: string, vruntimeNs = 0, nice = 0, policy: Policy = "other", vlagNs = 0): Task {
  const t = new Task(name, { burstEnd: (x) => (x.remaining = Number.POSITIVE_INFINITY) }, policy, 0, nice);
  t.newTask = false;
  t.se.vruntime = vruntimeNs;
  t.se.vlag = vlagNs;
  return t;
}

/**
 * Replications: the same tasks run again with other seeds. Replication r of a scenario whose seed
 * is s runs with seed s + r (sim-core's default seed is 1), so any replication can be reproduced
 * alone by running the scenario with `--seed s+r`. Because sim-core draws every random source
 * from its own stream (the seed combined with a stable stream id), two modes or two ablations at
 * the same seed share their random numbers, and the difference between them in one replication
 * is the effect of the mode, not of another random draw: report/ pairs them by replication.
 */
import type { Scenario } from "../sim-core/index";
import type { SimTask } from "./protocol";

/** The seed replication `r` runs. */
export function replicationSeed(s: Scenario, r: number): number {
  return (s.seed ?? 1) + r;
}

/**
 * The tasks of `n` replications, replication-major: every task of replication 0, then of 1, ...
 * so the first replication's answers come first. Replication 0 is the tasks as given.
 */
export function replicate(tasks: readonly SimTask[], n: number): SimTask[] {
  const out: SimTask[] = [];
  for (let r = 0; r < n; r++)
    for (const t of tasks) out.push(r === 0 ? t : { ...t, scenario: { ...t.scenario, seed: replicationSeed(t.scenario, r) } });
  return out;
}

/** Splits results of `replicate(tasks, n)` back into n arrays of `results.length / n`. */
export function byReplication<T>(results: readonly T[], n: number): T[][] {
  const per = results.length / n;
  return Array.from({ length: n }, (_, r) => results.slice(r * per, (r + 1) * per));
}

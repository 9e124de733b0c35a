/**
 * Interim results: when a run reports what it measured so far (sim-core's checkpoints), so that
 * a caller can show a first answer early and refine it while the runs go on (issue 13).
 */
import { scenarioDurationNs, type Scenario } from "../sim-core/index";

/** Checkpoints in simulated seconds: the first at `firstS`, then every `everyS` until the run ends. */
export interface InterimPlan {
  firstS: number;
  everyS: number;
}

/**
 * The hunk lens's plan: a first answer after 2 simulated seconds (issue 13's figure), then every
 * 2 s. Each snapshot copies and sorts the probes' samples so far, a few ms on a 10 s run.
 */
export const FIRST_ANSWER: InterimPlan = { firstS: 2, everyS: 2 };

/** The checkpoints (ns) of a run of `scenario` under `plan`: strictly before its end. */
export function interimCheckpointsNs(scenario: Scenario, plan: InterimPlan): number[] {
  const end = scenarioDurationNs(scenario);
  const out: number[] = [];
  if (!(plan.firstS > 0 && plan.everyS > 0)) return out;
  for (let k = 0; ; k++) {
    const t = Math.round((plan.firstS + k * plan.everyS) * 1e9);
    if (t >= end) return out;
    out.push(t);
  }
}

/**
 * The hunk lens's ablation as the extension runs it: the scenario dynamic with every mechanism,
 * dynamic without the hunk's mechanism and vanilla, ABLATION_REPLICATIONS times (replication r at
 * the scenario's seed + r), all runs in parallel on the warm pool. The lens text is the paired
 * effect with its interval, or "no significant effect" (report/ablation.ts). No VS Code imports.
 */
import { ABLATION_REPLICATIONS, ablationModes, ablationScenario, summarizeAblation } from "../report/ablation";
import { compareModes } from "../report/effects";
import { replicate, type SimTask } from "../runner/index";
import type { MechanismId, RunResult, Scenario } from "../sim-core/index";
import type { ResultsPayload } from "../common/protocol";
import { BASELINE_MODE } from "../common/modes";

export interface HunkAblation {
  mechanism: MechanismId;
  /** Simulated seconds per run (0 or undefined: the scenario's own duration_s). */
  durationS?: number;
  replications?: number;
}

/** The runs of a hunk ablation, replication after replication, each with its timeline. */
export function hunkAblationTasks(base: Scenario, a: HunkAblation): SimTask[] {
  const modes = ablationModes([a.mechanism], { vanilla: true });
  const scenario = ablationScenario(base, modes, a.durationS);
  return replicate(
    modes.map((mode) => ({ scenario, mode, timeline: true })),
    a.replications ?? ABLATION_REPLICATIONS,
  );
}

/** The panel payload and the lens text of a finished hunk ablation. */
export function hunkAblationResult(
  runs: RunResult[],
  a: HunkAblation,
  payload: Omit<ResultsPayload, "runs" | "comparison">,
): { payload: ResultsPayload; summary: string } {
  return {
    // The panel's Δ column is against vanilla (the ablation runs it last).
    payload: { ...payload, runs, comparison: compareModes(runs, BASELINE_MODE) },
    summary: summarizeAblation(runs, a.mechanism) ?? "no latency samples",
  };
}

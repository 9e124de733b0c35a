/**
 * Which scenario exercises each mechanism of the series, and whether a run did. A hunk lens runs
 * its mechanism's scenario by default (`pvsched.ablation.scenario` overrides it); the run's
 * counters (RunResult.mechanisms: how often the mechanism acted) decide whether the scenario
 * exercised it at all, and when it did not the lens says so and offers the scenario below.
 * The table is data (scenarios/lens/exercised-by.json), so the e2e harness reads the same one;
 * test/extension/exercise.test.ts runs every entry and checks its counter is above zero.
 * No VS Code imports.
 */
import { ABLATION_LABELS } from "../report/ablation";
import type { MechanismId, RunResult } from "../sim-core/index";
import { SEED_DIR, SEED_SCENARIOS } from "./seed";
import exercisedBy from "../scenarios/lens/exercised-by.json";

/** Built-in scenarios beyond the seeds (scenarios/objections, scenarios/lens), by repository path; compiled in by build-config.mjs. */
declare const __PVSCHED_LENS_SCENARIOS__: Record<string, string> | undefined;
const LENS_SCENARIOS: Record<string, string> =
  typeof __PVSCHED_LENS_SCENARIOS__ === "object" && __PVSCHED_LENS_SCENARIOS__ ? __PVSCHED_LENS_SCENARIOS__ : {};

export interface Exerciser {
  /** Repository path of a built-in scenario. */
  scenario: string;
  /** Why it exercises the mechanism (the lens's tooltip). */
  why: string;
}

/** The scenario that exercises each mechanism (data: scenarios/lens/exercised-by.json). */
export const EXERCISED_BY = Object.fromEntries(Object.entries(exercisedBy).filter(([k]) => !k.startsWith("$"))) as unknown as Record<
  MechanismId,
  Exerciser
>;

/** The text of a built-in scenario by repository path (a seed, an objection or a lens scenario). */
export function builtInScenarioText(path: string): string | undefined {
  if (path.startsWith(`${SEED_DIR}/`)) return SEED_SCENARIOS[path.slice(SEED_DIR.length + 1)];
  return LENS_SCENARIOS[path];
}

/**
 * How often `mechanism` acted in the ablation's runs with every mechanism on, summed over the
 * replications; undefined when the runs carry no counters (an older results file).
 */
export function timesFired(runs: readonly RunResult[], mechanism: MechanismId): number | undefined {
  const counts = runs.filter((r) => r.mode === ABLATION_LABELS.with && r.mechanisms).map((r) => r.mechanisms![mechanism] ?? 0);
  return counts.length ? counts.reduce((a, b) => a + b, 0) : undefined;
}

/**
 * The hunk lens's ablation as the extension runs it: the scenario dynamic with every mechanism,
 * dynamic without the hunk's mechanism and vanilla, ABLATION_REPLICATIONS times (replication r at
 * the scenario's seed + r), all runs in parallel on the warm pool. The lens text is the paired
 * effect with its interval, or "no significant effect" (report/ablation.ts). No VS Code imports.
 */
import { ABLATION_LABELS, ABLATION_REPLICATIONS, ablationModes, ablationScenario, summarizeAblation } from "../report/ablation";
import { compareModes } from "../report/effects";
import { replicate, type SimTask } from "../runner/index";
import { modeLabel, type InterimResult, type MechanismId, type RunResult, type Scenario } from "../sim-core/index";
import { PROVISIONAL_NOTE, type ResultsPayload } from "../common/protocol";
import { BASELINE_MODE } from "../common/modes";

export interface HunkAblation {
  mechanism: MechanismId;
  /** Simulated seconds per run (0 or undefined: the scenario's own duration_s). */
  durationS?: number;
  replications?: number;
}

/**
 * The runs of a hunk ablation, replication after replication. The order is what makes the first
 * answer fast: the pool starts tasks in this order on its free workers, so replication 1's runs
 * with and without the mechanism (the two the lens compares) start first, side by side, and their
 * interim results at 2 s simulated are the first answer.
 *
 * No timeline unless the scenario asks for one (timeline.enabled; issue 13: never shipped by
 * default). Measured in the workbench at the default 10 s: 15 timelines of 8.2 MiB each (99.5 MiB
 * per click) were recorded, copied to the extension host and then left out by the panel, which
 * takes at most 64 MiB.
 */
export function hunkAblationTasks(base: Scenario, a: HunkAblation): SimTask[] {
  const modes = ablationModes([a.mechanism], { vanilla: true });
  const scenario = ablationScenario(base, modes, a.durationS);
  return replicate(
    modes.map((mode) => ({ scenario, mode })),
    a.replications ?? ABLATION_REPLICATIONS,
  );
}

/** Simulated seconds of each warm-up run, and how many of each (warmUpTasks). */
export const WARM_UP = { seconds: 2, replications: 3 } as const;

/**
 * Runs that start and compile the pool's workers before the first click on a lens: the hunk
 * ablation's runs with and without `mechanism` (vanilla is a subset of their code), WARM_UP
 * times over. V8 needs several runs, not one long one: measured in one Node process on
 * nmi-boost (the scenario patch 4's lens runs), the first 2 simulated seconds of a run cost
 * 290 ms of CPU after one 20 s warm-up run, 113 ms after three 1 s runs, 7 ms hot; a run's
 * seconds 2-4 stayed slow (320-370 ms) unless the warm-up ran past them. In the workbench at
 * load 6-7 the first provisional answer reached the extension host 4.4-5.1 s after a click on
 * cold workers.
 */
export function warmUpTasks(base: Scenario, mechanism: MechanismId): SimTask[] {
  const all = hunkAblationTasks(base, { mechanism, durationS: WARM_UP.seconds, replications: WARM_UP.replications });
  return all.filter((t) => t.mode.mode !== "vanilla");
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

/** A run's interim result as a result (stop "running"), so the panel and the summaries read it as one. */
export function provisionalRun(task: SimTask, r: InterimResult): RunResult {
  const run: RunResult = {
    scenario: task.scenario.name,
    mode: modeLabel(task.mode),
    seed: task.scenario.seed ?? 1,
    simulated_ns: r.simulated_ns,
    duration_ns: r.duration_ns,
    stop: "running",
    events: r.events,
    probes: r.probes,
    vcpus: [],
    cpus: [],
    threads: [],
  };
  if (r.mechanisms) run.mechanisms = r.mechanisms;
  return run;
}

/**
 * A hunk ablation while its runs go on: each task's result, or its latest interim result, and the
 * provisional answer they give (issue 13: a first answer after 2 simulated seconds, refined as
 * the runs go on).
 */
export class AblationProgress {
  private readonly runs: (RunResult | undefined)[];

  constructor(
    private readonly tasks: readonly SimTask[],
    readonly mechanism: MechanismId,
  ) {
    this.runs = new Array(tasks.length).fill(undefined);
  }

  /** A run's interim result; it never replaces the run's final result. */
  interim(index: number, r: InterimResult): void {
    const task = this.tasks[index];
    if (!task || (this.runs[index] && this.runs[index]!.stop !== "running")) return;
    this.runs[index] = provisionalRun(task, r);
  }

  result(index: number, r: RunResult): void {
    if (this.tasks[index]) this.runs[index] = r;
  }

  /** The runs that have reported anything, in task order, and how many of them finished. */
  private sofar(): { have: RunResult[]; done: number } {
    const have = this.runs.filter((r): r is RunResult => r !== undefined);
    return { have, done: have.filter((r) => r.stop !== "running").length };
  }

  /**
   * The runs so far (task order) and the lens text, once some replication has measured both the
   * runs with and without the mechanism: the text speaks of those replications only, as far as
   * the least advanced of their runs got. Undefined before that.
   */
  provisional(): { runs: RunResult[]; summary: string; note: string } | undefined {
    const { have, done } = this.sofar();
    const withLabel = ABLATION_LABELS.with;
    const withoutLabel = ABLATION_LABELS.without(this.mechanism);
    const seedsOf = (mode: string) => new Set(have.filter((r) => r.mode === mode).map((r) => r.seed));
    const without = seedsOf(withoutLabel);
    const paired = have.filter(
      (r) => (r.mode === withLabel || r.mode === withoutLabel) && without.has(r.seed) && seedsOf(withLabel).has(r.seed),
    );
    if (!paired.length) return undefined;
    const simulatedS = Math.min(...paired.map((r) => r.simulated_ns)) / 1e9;
    const summary = summarizeAblation(paired, this.mechanism, { simulatedS });
    if (summary === undefined) return undefined;
    const total = this.tasks.length;
    const note = `${PROVISIONAL_NOTE} ${done} of ${total} runs finished, the others shown as far as they got; the numbers are refined as the runs go on.`;
    return { runs: have, summary, note };
  }

  /**
   * The runs so far and a note, for a batch that ended before its last run (cancelled or
   * failed): what the panel showed stays, said to be final as it is. Undefined if nothing was
   * measured.
   */
  stopped(outcome: "cancelled" | "failed"): { runs: RunResult[]; note: string } | undefined {
    const { have, done } = this.sofar();
    if (!have.length) return undefined;
    const how = outcome === "cancelled" ? "Cancelled" : "Failed";
    const note = `${how} before the end: ${done} of ${this.tasks.length} runs finished, the others are shown as far as they got; these numbers will not be refined.`;
    return { runs: have, note };
  }
}

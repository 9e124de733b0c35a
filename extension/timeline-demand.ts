/**
 * Timelines on demand (issue 13). A scenario's runs go to the panel without their per-CPU
 * timelines, which are most of a payload (megabytes for a few simulated seconds), and the
 * Timeline tab asks for them when it opens. Every run is a pure function of (scenario, mode,
 * seed), so the host records them by running the same tasks again with the recorder on: the
 * same numbers, plus the timelines and the chains of the tail bins' worst samples
 * (sim-core/why.ts). No VS Code here: the unit tests hold it without a workbench.
 */
import type { ResultsPayload } from "../common/protocol";
import type { SimTask } from "../runner/protocol";
import { loadScenario } from "../scenario-loader/index";
import { modeLabel, type RunResult } from "../sim-core/index";

/**
 * The tasks that record the timelines of `p`'s runs (one per run, in order), or why there are
 * none: the results must say `timelineOnDemand`, with the mode spec of each run (a label alone
 * is ambiguous: Compare Modes runs the full "dynamic" even where the scenario names a "dynamic"
 * of its own), and keep their scenario text.
 */
export function timelineTasks(p: ResultsPayload): SimTask[] | string {
  const modes = p.timelineOnDemand?.modes;
  if (!modes) return "these results were not made to record their timelines later";
  if (p.scenarioText === undefined) return "these results keep no scenario text to run again";
  if (modes.length !== p.runs.length) return `they have ${p.runs.length} runs for ${modes.length} modes`;
  const loaded = loadScenario(p.scenarioText, p.title);
  if (!loaded.ok) return `their scenario no longer loads (${loaded.errors[0]?.message ?? "invalid"})`;
  const s = loaded.scenario;
  const tasks: SimTask[] = [];
  for (const [i, r] of p.runs.entries()) {
    const mode = modes[i]!;
    if (modeLabel(mode) !== r.mode) return `run ${i + 1} is "${r.mode}", but its mode is "${modeLabel(mode)}"`;
    tasks.push({ scenario: { ...s, seed: r.seed }, mode, timeline: true });
  }
  return tasks;
}

/** A run's numbers as the panel shows them: its probes without the tail chains a timeline run adds. */
function numbers(r: RunResult): string {
  return JSON.stringify(
    r.probes.map((p) => {
      if (!p.why) return p;
      const { tail: _tail, ...why } = p.why;
      return { ...p, why };
    }),
  );
}

/**
 * `p` with the recorded runs in place of its own, no longer on demand. Should a run's numbers
 * differ from the ones shown (the simulator changed since they were made: results from the
 * history), the new ones are shown and a note says so.
 */
export function withTimelines(p: ResultsPayload, recorded: readonly RunResult[]): ResultsPayload {
  const moved = recorded.filter((r, i) => p.runs[i] === undefined || numbers(r) !== numbers(p.runs[i]!)).map((r) => r.mode);
  const notes = [...(p.notes ?? [])];
  if (moved.length)
    notes.push(
      `Recording the timeline ran ${moved.join(", ")} again and got other numbers than before (the simulator has changed ` +
        `since these results were made): the numbers shown are the new run's.`,
    );
  const { timelineOnDemand: _d, ...rest } = p;
  return { ...rest, runs: [...recorded], ...(notes.length ? { notes } : {}) };
}

// TEMPORARY STUB: replaced by the real engine shortly. Keeps the API compiling for other layers.
import type { ModeName, ModeSpec, Scenario } from "./scenario";
import type { Progress, RunResult } from "./results";

export interface SimOptions {
  /** Called every `progressEvery` events with how far the run got. */
  onProgress?: (p: Progress) => void;
  progressEvery?: number;
  /** Polled with the progress callback; returning true stops the run with stop = "cancelled". */
  isCancelled?: () => boolean;
  /** Overrides scenario.max_events. */
  maxEvents?: number;
}

export function modeLabel(m: ModeSpec): string {
  return m.name ?? m.mode;
}

export function resolveModes(s: Scenario): ModeSpec[] {
  const modes = s.modes ?? ["vanilla", "dynamic", "static"];
  return modes.map((m) => (typeof m === "string" ? { mode: m as ModeName } : m));
}

export function simulate(s: Scenario, mode: ModeSpec | ModeName, _opts: SimOptions = {}): RunResult {
  const m = typeof mode === "string" ? { mode } : mode;
  const d = Math.round((s.duration_s ?? 10) * 1e9);
  return { scenario: s.name, mode: modeLabel(m), seed: s.seed ?? 1, simulated_ns: d, duration_ns: d, stop: "done", events: 0, probes: [], vcpus: [], cpus: [] };
}

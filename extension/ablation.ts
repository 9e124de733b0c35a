/**
 * The per-hunk ablation: what a hunk's mechanism is worth on a scenario. Three runs of the same
 * scenario — dynamic with every mechanism, dynamic without this one, and vanilla — and a summary in
 * a few words for the CodeLens ("busy guest max −93%"). Pure: no VS Code imports (unit-tested).
 */
import type { MechanismId, ModeSpec, Scenario } from "../sim-core/scenario";
import type { ProbeResult, RunResult } from "../sim-core/results";

export const ABLATION_LABELS = {
  with: "dynamic",
  vanilla: "vanilla",
  without: (m: MechanismId) => `dynamic without ${m}`,
};

export function ablationModes(mechanism: MechanismId): ModeSpec[] {
  return [
    { name: ABLATION_LABELS.with, mode: "dynamic" },
    { name: ABLATION_LABELS.without(mechanism), mode: "dynamic", mechanisms: { [mechanism]: false } },
    { name: ABLATION_LABELS.vanilla, mode: "vanilla" },
  ];
}

/** The ablation scenario: the base scenario with its own modes replaced (and optionally shortened). */
export function ablationScenario(base: Scenario, mechanism: MechanismId, durationS?: number): Scenario {
  const s: Scenario = { ...base, modes: ablationModes(mechanism) };
  if (durationS && durationS > 0) {
    s.duration_s = durationS;
    // A warm-up longer than a shortened run would leave no samples.
    if (s.warmup_ms !== undefined && s.warmup_ms >= durationS * 1000) s.warmup_ms = Math.floor((durationS * 1000) / 10);
  }
  return s;
}

/** The probe the summary speaks of: the first guest cyclictest, else any guest probe, else any. */
export function mainProbe(r: RunResult): ProbeResult | undefined {
  const withSamples = r.probes.filter((p) => p.latency.count > 0);
  return (
    withSamples.find((p) => p.side === "guest" && p.kind === "cyclictest") ?? withSamples.find((p) => p.side === "guest") ?? withSamples[0]
  );
}

/** "−93%", "+12%", "±0%": signed relative change from `from` to `to`. */
export function pctChange(from: number, to: number): string {
  if (!(from > 0) || !Number.isFinite(to)) return "n/a";
  const exact = ((to - from) / from) * 100;
  // Rounding must not claim a change vanished entirely (−99.8% is not −100%).
  const p =
    Math.abs(exact) >= 99.5 && Math.abs(exact) < 100 ? (Math.sign(exact) * Math.floor(Math.abs(exact) * 10)) / 10 : Math.round(exact);
  if (p === 0) return "±0%";
  return p < 0 ? `\u2212${-p}%` : `+${p}%`;
}

/** A word for the load, from the scenario name ("cyclictest-busy-500" -> "busy"). */
export function loadWord(scenarioName: string): string {
  const m = /\b(idle|busy|noload|overcommit)\b/i.exec(scenarioName.replace(/[-_]/g, " "));
  return m ? m[1]!.toLowerCase() : "";
}

/**
 * The lens text after an ablation: how much turning the mechanism on changes the guest's latency,
 * relative to the run without it ("busy guest max −93%, avg −97%"). Undefined when a run is
 * missing or measured nothing.
 */
export function summarizeAblation(runs: RunResult[], mechanism: MechanismId): string | undefined {
  const withRun = runs.find((r) => r.mode === ABLATION_LABELS.with);
  const without = runs.find((r) => r.mode === ABLATION_LABELS.without(mechanism));
  if (!withRun || !without) return undefined;
  const a = mainProbe(withRun);
  const b = a ? without.probes.find((p) => p.id === a.id) : undefined;
  if (!a || !b || b.latency.count === 0) return undefined;
  const side = a.side === "guest" ? "guest" : "host";
  const load = loadWord(withRun.scenario);
  const head = `${load ? load + " " : ""}${side}`;
  if (a.kind === "audio" && typeof a.glitches === "number" && typeof b.glitches === "number") {
    return `${head} glitches ${b.glitches} \u2192 ${a.glitches}`;
  }
  const partial = withRun.stop !== "done" || without.stop !== "done" ? " (partial run)" : "";
  return `${head} max ${pctChange(b.latency.max_us, a.latency.max_us)}, avg ${pctChange(b.latency.avg_us, a.latency.avg_us)}${partial}`;
}

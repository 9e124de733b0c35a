/**
 * The ablation: what a mechanism of the series is worth on a scenario. Dynamic with every
 * mechanism, then dynamic without each mechanism asked about (and vanilla, for the hunk lens's
 * panel). One implementation and one set of labels for `pvsched-sim ablate` (every mechanism) and
 * the hunk lens (the hunk's mechanism). Pure: no Node or VS Code imports (unit-tested).
 */
import { MECHANISMS, type MechanismId, type ModeSpec, type ProbeResult, type RunResult, type Scenario } from "../sim-core/index";

export const ABLATION_LABELS = {
  with: "dynamic",
  vanilla: "vanilla",
  without: (m: MechanismId) => `dynamic without ${m}`,
};

/**
 * The ablation's modes: dynamic, then dynamic without each of `mechanisms`, then vanilla when
 * asked (the lens shows it beside; the CLI's ablation compares mechanisms only).
 */
export function ablationModes(mechanisms: readonly MechanismId[], opts: { vanilla?: boolean } = {}): ModeSpec[] {
  return [
    { name: ABLATION_LABELS.with, mode: "dynamic" },
    ...mechanisms.map((m): ModeSpec => ({ name: ABLATION_LABELS.without(m), mode: "dynamic", mechanisms: { [m]: false } })),
    ...(opts.vanilla ? [{ name: ABLATION_LABELS.vanilla, mode: "vanilla" } as ModeSpec] : []),
  ];
}

/** Every mechanism of the series, in patch order (what `pvsched-sim ablate` removes in turn). */
export const ALL_MECHANISMS: readonly MechanismId[] = MECHANISMS.map((m) => m.id);

/** A scenario run for `durationS` simulated seconds instead of its own (the warm-up shortened to fit). */
export function withDuration(base: Scenario, durationS?: number): Scenario {
  if (!(durationS && durationS > 0)) return base;
  const s: Scenario = { ...base, duration_s: durationS };
  // A warm-up longer than a shortened run would leave no samples.
  if (s.warmup_ms !== undefined && s.warmup_ms >= durationS * 1000) s.warmup_ms = Math.floor((durationS * 1000) / 10);
  return s;
}

/** The ablation scenario: the base scenario with its own modes replaced (and optionally shortened). */
export function ablationScenario(base: Scenario, modes: ModeSpec[], durationS?: number): Scenario {
  return { ...withDuration(base, durationS), modes };
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
  return m ? m[1].toLowerCase() : "";
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

// ---------------------------------------------------------------------------------------------
// The CLI's table: per probe, the change each removed mechanism makes.

export interface AblationJson {
  scenario: string;
  baseline: string;
  /** One entry per mechanism removed. */
  ablations: { mechanism: string; patch: number; label: string; mode: string }[];
  probes: {
    id: string;
    baseline: { avg_us: number; p99_us: number; max_us: number; glitches: number | null } | null;
    /** mechanism -> (ablated - baseline). */
    delta: Record<string, { avg_us: number; p99_us: number; max_us: number; glitches: number | null } | null>;
  }[];
}

/** The ablation's table from its runs (in the order of `ablationModes(mechanisms)`). */
export function ablationJson(runs: readonly RunResult[], mechanisms: readonly MechanismId[]): AblationJson {
  const baseline = runs.find((r) => r.mode === ABLATION_LABELS.with)!;
  const ablated = mechanisms.map((m) => {
    const info = MECHANISMS.find((x) => x.id === m)!;
    return { mechanism: m, patch: info.patch, label: info.label, result: runs.find((r) => r.mode === ABLATION_LABELS.without(m))! };
  });
  const stats = (p: ProbeResult | undefined) =>
    p ? { avg_us: p.latency.avg_us, p99_us: p.latency.p99_us, max_us: p.latency.max_us, glitches: p.glitches ?? null } : null;
  return {
    scenario: baseline.scenario,
    baseline: baseline.mode,
    ablations: ablated.map((a) => ({ mechanism: a.mechanism, patch: a.patch, label: a.label, mode: a.result.mode })),
    probes: baseline.probes.map((bp) => ({
      id: bp.id,
      baseline: stats(bp),
      delta: Object.fromEntries(
        ablated.map((a) => {
          const b = stats(bp)!;
          const x = stats(a.result.probes.find((p) => p.id === bp.id));
          return [
            a.mechanism,
            x
              ? {
                  avg_us: x.avg_us - b.avg_us,
                  p99_us: x.p99_us - b.p99_us,
                  max_us: x.max_us - b.max_us,
                  glitches: x.glitches !== null && b.glitches !== null ? x.glitches - b.glitches : null,
                }
              : null,
          ];
        }),
      ),
    })),
  };
}

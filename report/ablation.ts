/**
 * The ablation: what a mechanism of the series is worth on a scenario. Dynamic with every
 * mechanism, then dynamic without each mechanism asked about (and vanilla, for the hunk lens's
 * panel). One implementation and one set of labels for `pvsched-sim ablate` (every mechanism) and
 * the hunk lens (the hunk's mechanism). Pure: no Node or VS Code imports (unit-tested).
 */
import { MECHANISMS, type MechanismId, type ModeSpec, type ProbeResult, type RunResult, type Scenario } from "../sim-core/index";
import { compareModes, type MetricEffects, type MetricStats } from "./effects";
import { num } from "./text";

/** Replications of an ablation unless asked otherwise (issue 9). */
export const ABLATION_REPLICATIONS = 5;

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

/** "−93%", "+12%", "+0.2%", "±0%": signed relative change from `from` to `to`. */
export function pctChange(from: number, to: number): string {
  if (!(from > 0) || !Number.isFinite(to)) return "n/a";
  const exact = ((to - from) / from) * 100;
  // Rounding must not claim a change vanished entirely (−99.8% is not −100%), nor that a change
  // under half a percent is none: a significant +0.2% read "±0% [±0%, ±0%]" on a lens. Those get
  // one significant digit; below 0.001% it is ±0%.
  const p =
    Math.abs(exact) >= 99.5 && Math.abs(exact) < 100
      ? (Math.sign(exact) * Math.floor(Math.abs(exact) * 10)) / 10
      : Math.abs(exact) < 0.5 && Math.abs(exact) >= 0.001
        ? Math.sign(exact) * Number(Math.abs(exact).toPrecision(1))
        : Math.round(exact);
  if (p === 0) return "±0%";
  return p < 0 ? `\u2212${-p}%` : `+${p}%`;
}

/** A word for the load, from the scenario name ("cyclictest-busy-500" -> "busy"). */
export function loadWord(scenarioName: string): string {
  const m = /\b(idle|busy|noload|overcommit)\b/i.exec(scenarioName.replace(/[-_]/g, " "));
  return m?.[1]?.toLowerCase() ?? "";
}

/** "[−95%, −90%]": an interval of a difference, relative to `base`. */
function pctInterval(base: number, ci: readonly [number, number]): string {
  return `[${pctChange(base, base + ci[0])}, ${pctChange(base, base + ci[1])}]`;
}

/** A provisional answer: the runs so far, the least simulated of them `simulatedS` seconds in. */
export interface Provisional {
  simulatedS: number;
}

/**
 * The lens text after an ablation: the paired effect of turning the mechanism on, relative to the
 * runs without it, for the guest's main probe: "busy guest max −93% [−95%, −90%], avg −97%
 * [−98%, −96%]". A metric whose 95 % interval includes zero reads "no significant effect"; with
 * a single replication there is no interval, so nothing is called an effect. Undefined when runs
 * are missing or measured nothing.
 *
 * `provisional` (runs still going, issue 13): the text says how far the runs got and that it is
 * refining, "after 2 s simulated, 1 replication: busy guest max −93%, avg −97%, refining"; with
 * one replication it gives the point estimate (there is no interval yet), with more the intervals.
 */
export function summarizeAblation(runs: readonly RunResult[], mechanism: MechanismId, provisional?: Provisional): string | undefined {
  const withRuns = runs.filter((r) => r.mode === ABLATION_LABELS.with);
  const withoutLabel = ABLATION_LABELS.without(mechanism);
  const withoutRuns = runs.filter((r) => r.mode === withoutLabel);
  if (!withRuns.length || !withoutRuns.length) return undefined;
  const a = mainProbe(withRuns[0]!);
  const b = a ? withoutRuns[0]!.probes.find((p) => p.id === a.id) : undefined;
  if (!a || !b || b.latency.count === 0) return undefined;
  const cmp = compareModes([...withoutRuns, ...withRuns], withoutLabel).probes.find((p) => p.id === a.id);
  const base = cmp?.byMode[withoutLabel];
  const eff = cmp?.effects[ABLATION_LABELS.with];
  const load = loadWord(withRuns[0]!.scenario);
  const head = `${load ? `${load} ` : ""}${a.side === "guest" ? "guest" : "host"}`;
  const n = Math.min(withRuns.length, withoutRuns.length);
  const partial = [...withRuns, ...withoutRuns].some((r) => r.stop !== "done") ? " (partial run)" : "";
  const part = (metric: "max_us" | "avg_us" | "glitches", name: string): string | undefined => {
    const e = eff?.[metric];
    const from = base?.[metric]?.mean;
    if (!e || from === undefined) return undefined;
    // A first answer from one replication: the change measured so far, not yet an effect.
    const interval = e.ci95 ? ` ${pctInterval(from, e.ci95)}` : "";
    if (!(provisional && !e.ci95) && !(e.significant && e.ci95)) return undefined;
    if (metric === "glitches") return `${name} ${num(from)} \u2192 ${num(from + e.mean)}${interval}`;
    return `${name} ${pctChange(from, from + e.mean)}${interval}`;
  };
  const parts = (a.kind === "audio" ? [part("glitches", "glitches")] : [part("max_us", "max"), part("avg_us", "avg")]).filter(
    (x): x is string => x !== undefined,
  );
  const reps = `${n} replication${n === 1 ? "" : "s"}`;
  if (provisional) {
    const body = parts.length ? `${head} ${parts.join(", ")}` : `${head}: no significant effect yet`;
    return `after ${num(provisional.simulatedS)} s simulated, ${reps}: ${body}, refining`;
  }
  if (!parts.length) return `${head}: no significant effect (${reps})${partial}`;
  return `${head} ${parts.join(", ")}${partial}`;
}

// ---------------------------------------------------------------------------------------------
// The CLI's table: per probe, the effect of removing each mechanism.

export interface AblationJson {
  scenario: string;
  baseline: string;
  replications: number;
  /** One entry per mechanism removed. */
  ablations: { mechanism: string; patch: number; label: string; mode: string }[];
  probes: {
    id: string;
    /** Dynamic with every mechanism: each metric over the replications. */
    baseline: MetricStats | null;
    /** mechanism -> the paired effect of removing it (without - with) on each metric. */
    delta: Record<string, MetricEffects | null>;
  }[];
}

/** The ablation's table from its runs (the modes of `ablationModes(mechanisms)`, any number of replications). */
export function ablationJson(runs: readonly RunResult[], mechanisms: readonly MechanismId[]): AblationJson {
  const cmp = compareModes(runs, ABLATION_LABELS.with);
  return {
    scenario: cmp.scenario,
    baseline: ABLATION_LABELS.with,
    replications: cmp.replications,
    ablations: mechanisms.map((m) => {
      const info = MECHANISMS.find((x) => x.id === m)!;
      return { mechanism: m, patch: info.patch, label: info.label, mode: ABLATION_LABELS.without(m) };
    }),
    probes: cmp.probes
      .filter((p) => p.byMode[ABLATION_LABELS.with] !== undefined)
      .map((p) => ({
        id: p.id,
        baseline: p.byMode[ABLATION_LABELS.with] ?? null,
        delta: Object.fromEntries(mechanisms.map((m) => [m, p.effects[ABLATION_LABELS.without(m)] ?? null])),
      })),
  };
}

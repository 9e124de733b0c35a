/**
 * The typed messages between the extension host and the results webview. The webview talks to
 * the host only through these; the host validates every incoming message with
 * `isWebviewToHost` before using it (a webview is untrusted input).
 */
import type { ModeComparison } from "../report/effects";
import type { RunResult } from "../sim-core/results";
import type { ModeSpec } from "../sim-core/scenario";

/** Published numbers placed beside simulated ones (from reference/published.json). */
export interface PublishedCell {
  table: "cyclictest" | "audio";
  load: string;
  interval?: number;
  buffer?: string;
  side?: "guest" | "host";
  stat?: "avg" | "max" | "glitches";
  mode: string;
  published: number;
  /** The mean over the replications (report/seed-build.ts). */
  simulated?: number;
  replications?: number;
  /** 95 % interval of the mean (two or more replications). */
  ci95?: [number, number] | null;
  /** Maxima: the 10-90 % band of the replications' maxima, and whether the published maximum lies in it. */
  band10_90?: [number, number] | null;
  publishedInBand?: boolean | null;
  /** A calibrated parameter was fitted on this cell. */
  inSample?: boolean;
}

/**
 * A parameter sweep as the panel draws it: per cell (one value of each parameter), the modes
 * compared over their replications. runner/sweep.ts's SweepSummary is one.
 */
export interface SweepView {
  /** Each parameter's YAML path (dotted) and the values it takes. */
  params: { path: string; values: unknown[] }[];
  replications: number;
  /** Runs the sweep made (cells × modes × replications). */
  runs: number;
  /** Cells in sweep order, the last parameter varying fastest. */
  cells: { params: Record<string, unknown>; comparison: ModeComparison }[];
}

/** One batch of runs shown together (a scenario's modes, an ablation, or the seed report). */
export interface ResultsPayload {
  /** Where the runs came from: a scenario file, a hunk, or the seed report. */
  title: string;
  source: { kind: "scenario" | "hunk" | "seed" | "compare" | "sweep"; uri?: string; mechanism?: string };
  runs: RunResult[];
  /** Present for the seed report: the published numbers beside the simulated ones. */
  cells?: PublishedCell[];
  /** `holdsIn` of `of` replications (report/seed-build.ts). */
  claims?: { id: string; text: string; holds: boolean; holdsIn?: number; of?: number }[];
  /** The runs' modes compared over their replications (report/effects.ts), computed by the host. */
  comparison?: ModeComparison;
  /** The scenario's YAML text, for the in-panel Monaco editor. */
  scenarioText?: string;
  /** What the panel should say about these results, e.g. a timeline downsampled as too big (extension/panel-fit.ts). */
  notes?: string[];
  /** Present for a parameter sweep: its cells (the runs themselves are not sent). */
  sweep?: SweepView;
  /**
   * The runs were made without their per-CPU timelines, which the host records when the panel
   * asks (`{ type: "timeline" }`): the same scenario text, these mode specs (one per run, in
   * order) and the runs' seeds again, with the recorder on. The Timeline tab asks when it opens
   * (issue 13: timelines are never shipped by default).
   */
  timelineOnDemand?: { modes: ModeSpec[] };
}

/**
 * How a payload says its numbers are provisional (runs still going, refined as they go on): the
 * first words of one of its notes (extension/ablation.ts writes it, the panel reads it).
 */
export const PROVISIONAL_NOTE = "Provisional:";

export function isProvisional(p: ResultsPayload): boolean {
  return (p.notes ?? []).some((n) => n.startsWith(PROVISIONAL_NOTE));
}

export type HostToWebview =
  | { type: "results"; payload: ResultsPayload }
  | { type: "progress"; percent: number; label: string }
  /** A run ended (the progress bar goes; a cancelled run says so). */
  | { type: "ended"; outcome: "done" | "cancelled" | "failed" | "superseded"; label: string }
  | { type: "error"; message: string; line?: number; column?: number };

export type WebviewToHost =
  | { type: "ready" }
  | { type: "rerun"; scenarioText: string }
  | { type: "export"; format: "csv" | "json" | "svg"; content: string; suggestedName: string }
  | { type: "cancel" }
  /** Record the timelines of the results shown (they say `timelineOnDemand`). */
  | { type: "timeline" };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Why a results payload cannot be shown, or undefined when it can. The webview checks what the host
 * sends; the host checks a results file (an export, a history entry) before it shows it.
 */
export function payloadProblem(p: unknown): string | undefined {
  if (!isObj(p)) return "results payload is not an object";
  if (typeof p.title !== "string") return "results payload has no title";
  if (!Array.isArray(p.runs)) return "results payload has no runs array";
  for (const [i, r] of p.runs.entries()) {
    if (!isObj(r)) return `run ${i} is not an object`;
    if (typeof r.scenario !== "string" || typeof r.mode !== "string") return `run ${i} lacks scenario/mode names`;
    if (!Array.isArray(r.probes)) return `run ${i} has no probes array`;
  }
  if (p.cells !== undefined && !Array.isArray(p.cells)) return "cells is not an array";
  if (p.claims !== undefined && !Array.isArray(p.claims)) return "claims is not an array";
  if (p.scenarioText !== undefined && typeof p.scenarioText !== "string") return "scenarioText is not a string";
  if (p.notes !== undefined && !(Array.isArray(p.notes) && p.notes.every((n) => typeof n === "string")))
    return "notes is not a list of strings";
  if (
    p.timelineOnDemand !== undefined &&
    !(
      isObj(p.timelineOnDemand) &&
      Array.isArray(p.timelineOnDemand.modes) &&
      p.timelineOnDemand.modes.every((m) => isObj(m) && typeof m.mode === "string")
    )
  )
    return "timelineOnDemand has no list of modes";
  if (p.sweep !== undefined) {
    if (!isObj(p.sweep) || !Array.isArray(p.sweep.params) || !Array.isArray(p.sweep.cells)) return "sweep has no params or cells array";
    for (const [i, c] of p.sweep.cells.entries())
      if (!isObj(c) || !isObj(c.params) || !isObj(c.comparison) || !Array.isArray(c.comparison.probes))
        return `sweep cell ${i} lacks its params or comparison`;
  }
  return undefined;
}

const MAX_TEXT = 4 * 1024 * 1024;

/** Runtime check of a message from the webview (never trust its shape). */
export function isWebviewToHost(m: unknown): m is WebviewToHost {
  if (typeof m !== "object" || m === null) return false;
  const o = m as Record<string, unknown>;
  switch (o.type) {
    case "ready":
    case "cancel":
    case "timeline":
      return Object.keys(o).length === 1;
    case "rerun":
      return typeof o.scenarioText === "string" && o.scenarioText.length <= MAX_TEXT;
    case "export":
      return (
        (o.format === "csv" || o.format === "json" || o.format === "svg") &&
        typeof o.content === "string" &&
        o.content.length <= 64 * 1024 * 1024 &&
        typeof o.suggestedName === "string" &&
        /^[A-Za-z0-9_.-]{1,100}$/.test(o.suggestedName)
      );
    default:
      return false;
  }
}

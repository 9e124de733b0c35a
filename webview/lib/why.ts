/**
 * The "Why late" tab's model: per probe and mode, the mean latency per sample split into the
 * parts of sim-core/why-labels.ts (a stacked bar), and the worst sample with its causal chain.
 * Pure: the view (webview/views/why.ts) only draws it.
 */
import type { LatencyPart, RunResult, SampleWhy } from "../../sim-core/results";
import { LATENCY_PARTS } from "../../sim-core/why-labels";
import { modesOf, probeGrid, scenariosOf } from "./tables";

export interface WhyBar {
  mode: string;
  /** Index of the run in the payload (for the jump to the timeline). */
  run: number;
  samples: number;
  unexplained: number;
  /** Mean per sample, us, in LATENCY_PARTS order. */
  parts: { id: LatencyPart; label: string; us: number }[];
  totalUs: number;
  worst?: SampleWhy;
}

export interface WhyProbe {
  name: string;
  bars: WhyBar[];
  /** The largest mean of any mode: the common scale of the probe's bars. */
  maxUs: number;
}

export function whyModel(runs: readonly RunResult[]): WhyProbe[] {
  const multi = scenariosOf(runs).length > 1;
  const grid = probeGrid(runs, (p) => p.why !== undefined);
  const out: WhyProbe[] = [];
  for (const k of grid.keys) {
    const bars: WhyBar[] = [];
    for (const mode of modesOf(runs)) {
      const p = grid.get(k, mode);
      const why = p?.why;
      if (!p || !why) continue;
      const run = runs.findIndex((r) => r.scenario === k.scenario && r.mode === mode && r.probes.includes(p));
      const n = why.samples;
      const parts = LATENCY_PARTS.map((d) => ({ id: d.id, label: d.label, us: n > 0 ? (why.parts_ns[d.id] ?? 0) / n / 1000 : 0 }));
      const bar: WhyBar = { mode, run, samples: n, unexplained: why.unexplained, parts, totalUs: parts.reduce((a, x) => a + x.us, 0) };
      if (why.worst) bar.worst = why.worst;
      bars.push(bar);
    }
    if (!bars.length) continue;
    out.push({ name: multi ? `${k.scenario} · ${k.probe}` : k.probe, bars, maxUs: Math.max(...bars.map((b) => b.totalUs)) });
  }
  return out;
}

/** The timeline window that shows a sample: its latency, with as much again either side (at least 20 us). */
export function sampleWindow(w: SampleWhy): { from: number; to: number } {
  const pad = Math.max(w.latency_ns, 20_000);
  return { from: w.wake_ns - pad, to: w.run_ns + pad };
}

/**
 * The "Why late" tab's model: per probe and mode, the mean latency per sample split into the
 * parts of sim-core/why-labels.ts (a stacked bar), and the worst sample with its causal chain.
 * Pure: the view (webview/views/why.ts) only draws it.
 */
import type { LatencyPart, ProbeResult, RunResult, SampleWhy, TailSampleWhy } from "../../sim-core/results";
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

/** A histogram bin of the tail whose worst sample can be shown on the timeline. */
export interface TailTarget {
  /** Index of the run in the payload. */
  run: number;
  /** The bin: [lo_us, hi_us) of the probe's histogram, holding `count` samples. */
  lo_us: number;
  hi_us: number;
  count: number;
  /** The worst sample of the bin. */
  sample: TailSampleWhy;
}

/**
 * The tail bins of probe `p` (one of `runs`' probes) that can be shown on the timeline: those whose
 * worst sample the simulator explained (ProbeWhy.tail) in a run whose timeline the panel has.
 */
export function tailTargets(runs: readonly RunResult[], p: ProbeResult | undefined): TailTarget[] {
  const tail = p?.why?.tail;
  if (!p || !tail) return [];
  const run = runs.findIndex((r) => r.probes.includes(p));
  if (run < 0 || !runs[run]!.timeline) return [];
  const { edges_us: edges, counts } = p.latency.histogram;
  const out: TailTarget[] = [];
  for (const s of tail) {
    const lo = edges[s.bin];
    const hi = edges[s.bin + 1];
    const count = counts[s.bin];
    if (lo === undefined || hi === undefined || !count) continue;
    out.push({ run, lo_us: lo, hi_us: hi, count, sample: s });
  }
  return out;
}

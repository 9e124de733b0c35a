/**
 * Hand-made results for the report's unit tests: a probe with a given average and maximum (the
 * percentiles follow them), and a run holding such probes. The report code reads only these
 * fields, so the tests state exactly the numbers they reason about.
 */
import type { ProbeResult, RunResult } from "../../sim-core/results";

export interface FakeProbe {
  id: string;
  side: "guest" | "host";
  avg: number;
  max: number;
  count?: number;
  min?: number;
  /** An audio probe: its glitches (and `callbacks` callbacks); absent: a cyclictest probe. */
  glitches?: number;
  callbacks?: number;
}

export function fakeProbe(p: FakeProbe): ProbeResult {
  return {
    id: p.id,
    side: p.side,
    kind: p.glitches === undefined ? "cyclictest" : "audio",
    latency: {
      count: p.count ?? 100,
      min_us: p.min ?? 1,
      avg_us: p.avg,
      max_us: p.max,
      p50_us: p.avg,
      p90_us: p.avg,
      p99_us: p.max,
      p999_us: p.max,
      histogram: { edges_us: [], counts: [] },
    },
    ...(p.glitches === undefined ? {} : { glitches: p.glitches, callbacks: p.callbacks ?? 100 }),
  };
}

export function fakeRun(r: {
  scenario: string;
  mode: string;
  seed?: number;
  probes: ProbeResult[];
  ns?: number;
  events?: number;
}): RunResult {
  const ns = r.ns ?? 1e9;
  return {
    scenario: r.scenario,
    mode: r.mode,
    seed: r.seed ?? 1,
    simulated_ns: ns,
    duration_ns: ns,
    stop: "done",
    events: r.events ?? 1,
    probes: r.probes,
    vcpus: [],
    cpus: [],
    threads: [],
  };
}

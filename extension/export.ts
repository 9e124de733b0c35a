/** Host-side export of the last results as CSV (the panel exports charts as SVG itself). */
import { toCsv, type CsvCell } from "../common/csv";
import type { ResultsPayload } from "../common/protocol";

/** One row per run and latency probe. */
export function payloadCsv(p: ResultsPayload): string {
  const head = [
    "scenario",
    "mode",
    "seed",
    "stop",
    "simulated_s",
    "probe",
    "side",
    "vm",
    "kind",
    "count",
    "min_us",
    "avg_us",
    "p50_us",
    "p90_us",
    "p99_us",
    "p999_us",
    "max_us",
    "callbacks",
    "glitches",
  ];
  const rows: CsvCell[][] = [head];
  for (const r of p.runs) {
    for (const pr of r.probes) {
      const l = pr.latency;
      rows.push(
        [
          r.scenario,
          r.mode,
          r.seed,
          r.stop,
          r.simulated_ns / 1e9,
          pr.id,
          pr.side,
          pr.vm,
          pr.kind,
          l.count,
          l.min_us,
          l.avg_us,
          l.p50_us,
          l.p90_us,
          l.p99_us,
          l.p999_us,
          l.max_us,
          pr.callbacks,
          pr.glitches,
        ].map((v) => (typeof v === "number" || typeof v === "string" ? v : undefined)),
      );
    }
  }
  return toCsv(rows);
}

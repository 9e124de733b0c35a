/** Host-side export of the last results as CSV (the panel exports charts as SVG itself). */
import type { ResultsPayload } from "../webview/protocol";

function cell(v: unknown): string {
  if (v === undefined || v === null) return "";
  const s = String(v);
  // Quote per RFC 4180; also defuse spreadsheet formulas in text that came from a scenario name.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

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
  const rows = [head.join(",")];
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
        ]
          .map(cell)
          .join(","),
      );
    }
  }
  return rows.join("\n") + "\n";
}

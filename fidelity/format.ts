/** The fidelity report as text (`pvsched-sim fidelity` without --json). */
import type { FidelityReport } from "./run";

const f = (x: number | null | undefined, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(d));

function pad(cols: string[][]): string {
  const w = cols[0]!.map((_, i) => Math.max(...cols.map((r) => r[i]!.length)));
  return cols.map((r) => r.map((c, i) => (i < 5 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ")).join("\n");
}

/** The human-readable report. */
export function formatReport(r: FidelityReport): string {
  const out: string[] = [];
  out.push(
    `pvsched-sim fidelity: ${r.machine.cpus} CPUs, kernel ${r.machine.kernel}, ${r.options.duration_s} s real / ${r.options.sim_duration_s} s simulated per cell`,
  );
  out.push(`command: ${r.command}`);
  if (r.options.isolation) out.push(`isolated: ${r.options.isolation} (other sessions' SCHED_OTHER load weighs ~1% against ours)`);
  out.push("");
  const head = [
    "cell",
    "probe",
    "map",
    "",
    "",
    "real avg",
    "p99",
    "max",
    "sim avg",
    "p99",
    "max",
    "x avg",
    "x p99",
    "x max",
    "KS",
    "cal avg",
    "cal p99",
    "x cal p99",
    "cal KS",
  ];
  const lines: string[][] = [head];
  for (const row of r.rows) {
    lines.push([
      row.cell,
      row.probe,
      row.mapping,
      row.p99_within_2x === null ? "" : row.p99_within_2x ? "ok" : "MISS",
      "",
      f(row.real.avg_us),
      f(row.real.p99_us),
      f(row.real.max_us, 0),
      f(row.sim?.avg_us),
      f(row.sim?.p99_us),
      f(row.sim?.max_us, 0),
      f(row.ratio.avg, 2),
      f(row.ratio.p99, 2),
      f(row.ratio.max, 2),
      f(row.ks, 3),
      f(row.what_if?.avg_us),
      f(row.what_if?.p99_us),
      row.what_if ? f(row.what_if.ratio_p99, 2) + (row.what_if.in_sample ? "*" : "") : "-",
      f(row.what_if?.ks, 3),
    ]);
  }
  out.push("Latency in us (x = sim/real; ok/MISS = sim p99 within 2x of real).");
  out.push(
    "cal = the twin simulated again with this machine's fitted timer-delivery delay (host.timer_delivery; * = the rows it was fitted on).",
  );
  out.push(pad(lines));
  const notes = r.rows.filter((x) => x.note).map((x) => `  ${x.cell} ${x.probe} [${x.mapping}]: ${x.note}`);
  if (notes.length) {
    out.push("");
    out.push("Notes:");
    out.push(...[...new Set(notes)]);
  }
  out.push("");
  out.push("Mode ordering (ties within 10% or 2 us):");
  for (const o of r.orderings) {
    out.push(
      `  ${o.comparison.agrees ? (o.comparison.exact ? "agree " : "agree~") : "DIFFER"} ${o.experiment}/${o.load} ${o.probe} [${o.mapping}] by ${o.metric}: real ${o.comparison.real} | sim ${o.comparison.sim}`,
    );
  }
  out.push("");
  out.push("Real runs (this machine is itself a VM; maxima include the outer host's noise):");
  for (const c of r.cells) {
    const v = c.vcpu as { agent?: Record<string, number>; overruns?: number } | undefined;
    const agent = v?.agent
      ? ` boosts inject/request ${v.agent.boosts_inject}/${v.agent.boosts_request}, throttles ${v.agent.throttles}, agent timer late avg ${f(v.agent.timer_late_avg_ns! / 1000)} us`
      : "";
    out.push(
      `  ${c.key}: load avg ${c.env.loadavg_before.map((x) => x.toFixed(2)).join(" ")}, CPU busy ${f(c.env.busy_pct)}% (others before: ${f(c.env.background_busy_pct)}%), steal ${f(c.env.steal_pct, 2)}%${v?.overruns !== undefined ? `, overruns ${v.overruns}` : ""}${agent}`,
    );
  }
  if (r.calibrations.length) {
    out.push("");
    out.push("Proposed calibrations (see fidelity/CALIBRATION.md):");
    for (const c of r.calibrations)
      out.push(`  [${c.kind}] ${c.name} = ${c.value}\n      from: ${c.source}${c.error ? `\n      error: ${c.error}` : ""}`);
  }
  const s = r.summary;
  out.push("");
  out.push(
    `Summary: ${s.rows_simulated}/${s.rows} rows simulated; p99 within 2x: ${s.p99_within_2x}/${s.rows_simulated}; ` +
      `simulated again with this machine's fitted delivery delay (out of sample) ${s.what_if_p99_within_2x_out_of_sample}/${s.what_if_rows_out_of_sample}; ` +
      `KS mean ${f(s.ks_mean, 3)} max ${f(s.ks_max, 3)}; orderings agree ${s.orderings_agree}/${s.orderings} (exact ${s.orderings_exact}); ` +
      `steal max ${f(s.steal_pct_max, 2)}%; other users' CPU before cells ${f(s.background_busy_pct_mean)}%; load avg ${f(s.loadavg1_range[0], 2)}..${f(s.loadavg1_range[1], 2)}; ${f(s.wall_s, 0)} s`,
  );
  return out.join("\n");
}

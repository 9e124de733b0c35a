/** The seed report as text: the tables with intervals, the claims as k of N, the error medians. */
import type { Cell, SeedReport } from "./seed-report";
import { interval, num, table } from "./text";

const err = (x: number | null) => (x === null ? "n/a" : x.toFixed(2));
const med = (x: number | null) => (x === null ? "n/a" : x.toFixed(3));

/** The max cells' verdict on the published maximum. */
function band(c: Cell): [string, string] {
  if (c.band10_90 === undefined) return ["", ""];
  return [interval(c.band10_90), c.publishedInBand === null || c.publishedInBand === undefined ? "n/a" : c.publishedInBand ? "yes" : "no"];
}

export function formatSeedReportText(r: SeedReport): string {
  const lines: string[] = [];
  const n = r.replications;
  const of = n === 1 ? "1 replication" : `mean of ${n} replications, 95 % interval`;
  lines.push(`cyclictest latency (us): simulated (${of}) | published | |log10 error|; maxima: 10-90 % band of the replications`);
  lines.push(
    table(
      ["load", "int", "side", "stat", "mode", "simulated", "95% CI", "published", "error", "band 10-90", "pub in band"],
      r.cells.flatMap((c) =>
        c.table === "cyclictest"
          ? [
              [
                c.load,
                String(c.interval),
                c.side,
                c.stat,
                c.mode,
                num(c.simulated),
                interval(c.ci95),
                num(c.published),
                err(c.log10Error),
                ...band(c),
              ],
            ]
          : [],
      ),
      5,
    ),
  );
  lines.push("");
  lines.push("audio glitches (OboeTester analogue; patches = dynamic mode)");
  lines.push(
    table(
      ["load", "buffer", "mode", "simulated", "95% CI", "published", "error"],
      r.cells.flatMap((c) =>
        c.table === "audio" ? [[c.load, c.buffer, c.mode, num(c.simulated), interval(c.ci95), num(c.published), err(c.log10Error)]] : [],
      ),
      3,
    ),
  );
  lines.push("");
  const counted = (f: (c: Cell) => boolean) => r.cells.filter((c) => f(c) && c.log10Error !== null).length;
  lines.push(`median |log10 error| of the means over ${counted(() => true)} of ${r.cells.length} cells: ${med(r.medianLog10Error)}`);
  lines.push(
    `  in sample (cells a calibrated parameter was fitted on): ${med(r.medianLog10ErrorInSample)} over ${counted((c) => c.inSample)} cells; ` +
      `out of sample: ${med(r.medianLog10ErrorOutOfSample)} over ${counted((c) => !c.inSample)} cells`,
  );
  lines.push(`  (${r.errorDefinition})`);
  const maxima = r.cells.filter((c) => c.publishedInBand !== undefined && c.publishedInBand !== null);
  if (n > 1 && maxima.length)
    lines.push(
      `published maxima inside the 10-90 % band of the simulated maxima: ${maxima.filter((c) => c.publishedInBand).length} of ${maxima.length}`,
    );
  const fitted = r.calibration.filter((c) => c.fittedOn?.length);
  lines.push(
    `calibration: ${r.calibration.length} parameters with sources, ${fitted.length} fitted on published cells${fitted.length ? ` (${fitted.map((c) => c.param).join(", ")})` : ""}`,
  );
  lines.push("");
  lines.push(`claims (checked on simulated numbers only, in each replication; a claim holds in at least 80 % of them):`);
  for (const c of r.claims) {
    lines.push(`  [${c.holds ? "holds" : "FAILS"} in ${c.holdsIn} of ${c.of}] ${c.id}: ${c.text}`);
    lines.push(`          ${n > 1 ? "means: " : ""}${c.detail}`);
  }
  lines.push("");
  lines.push(
    `${n} replication(s): replication r ran each scenario's seed + r. ${r.durationSimulatedS.toFixed(1)} simulated s, ${r.events} events, ${(r.wallMs / 1000).toFixed(2)} s wall`,
  );
  if (r.incompleteRuns.length) lines.push(`incomplete runs: ${r.incompleteRuns.join(", ")}`);
  return `${lines.join("\n")}\n`;
}

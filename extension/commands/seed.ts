/** Reproduce Seed Results: the built-in seed scenarios, simulated beside the cover letter's numbers. */
import type { PublishedCell, ResultsPayload } from "../../common/protocol";
import published from "../../reference/published.json";
import { buildSeedReport, SEED_FILES, type PublishedTables } from "../../report/seed-report";
import { loadScenario } from "../../scenario-loader/index";
import { resolveModes, type Scenario } from "../../sim-core/index";
import type { Ctx } from "../ctx";
import type { SimTask } from "../sim/protocol";
import { SEED_DIR, seedText } from "../seeds";

export const reproduceSeed = (ctx: Ctx) => async () => {
  const loaded: { file: string; text: string; scenario: Scenario }[] = [];
  for (const file of SEED_FILES) {
    const text = seedText(file);
    const r = loadScenario(text, file);
    if (!r.ok) throw new Error(`${SEED_DIR}/${file}:${r.errors[0]!.line}:${r.errors[0]!.column}: ${r.errors[0]!.message}`);
    let scenario = r.scenario;
    const seconds = ctx.config("pvsched.seed.durationSeconds");
    if (seconds > 0) scenario = { ...scenario, duration_s: seconds };
    loaded.push({ file, text, scenario });
  }
  const tasks: SimTask[] = [];
  const owner: string[] = [];
  for (const l of loaded) {
    for (const mode of resolveModes(l.scenario)) {
      tasks.push({ scenario: l.scenario, mode, timeline: false });
      owner.push(l.file);
    }
  }
  ctx.panel.show(true);
  const t0 = Date.now();
  const runs = await ctx.runner.run(`Reproducing the seed tables (${tasks.length} runs)`, tasks);
  if (!runs) return undefined;
  const report = buildSeedReport(
    runs.map((result, i) => ({ file: owner[i]!, result })),
    published as unknown as PublishedTables,
    { wallMs: Date.now() - t0 },
  );
  const cells: PublishedCell[] = [];
  for (const c of report.cells) {
    if (c.published === null) continue;
    const cell: PublishedCell =
      c.table === "cyclictest"
        ? { table: "cyclictest", load: c.load, interval: c.interval, side: c.side, stat: c.stat, mode: c.mode, published: c.published }
        : { table: "audio", load: c.load, buffer: c.buffer, stat: "glitches", mode: c.mode, published: c.published };
    if (c.simulated !== null) cell.simulated = c.simulated;
    cells.push(cell);
  }
  const payload: ResultsPayload = {
    title: "Seed results: simulated beside the cover letter",
    source: { kind: "seed" },
    runs,
    cells,
    claims: report.claims.map((c) => ({ id: c.id, text: `${c.text} (${c.detail})`, holds: c.holds })),
  };
  ctx.panel.showResults(payload);
  const held = report.claims.filter((c) => c.holds).length;
  ctx.log(`seed report: ${held}/${report.claims.length} claims hold; median log10 error ${report.medianLog10Error?.toFixed(2) ?? "n/a"}`);
  return payload;
};

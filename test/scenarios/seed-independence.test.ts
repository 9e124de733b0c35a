/**
 * The seed rows are judged apart: the 500 µs rows are in sample and the 1000 µs rows out of
 * sample (docs/calibration.md), and the cyclictest rows of one column are the same configuration
 * measured twice. Replication r runs the scenario's seed + r, so two rows whose seeds were 1 apart
 * shared 9 of their 10 realisations, and the out-of-sample rows repeated the in-sample draws.
 * This holds every seed row's replications apart for any count the CLI accepts.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { MAX_REPLICATIONS } from "../../cli/simulate";
import { loadScenario } from "../../scenario-loader/index";

const dir = join(__dirname, "../../scenarios/seed");

test("no two seed rows share a replication's seed, up to the CLI's replication limit", () => {
  const rows = readdirSync(dir)
    .filter((f) => f.endsWith(".pvsched.yaml"))
    .map((file) => {
      const r = loadScenario(readFileSync(join(dir, file), "utf8"));
      if (!r.ok) throw new Error(`${file}: ${JSON.stringify(r.errors)}`);
      return { file, seed: r.scenario.seed ?? Number.NaN };
    })
    .sort((a, b) => a.seed - b.seed);
  assert.equal(rows.length, 10);
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1]!, rows[i]!];
    assert.ok(
      b.seed - a.seed >= MAX_REPLICATIONS,
      `${a.file} (seed ${a.seed}) and ${b.file} (seed ${b.seed}) share replications ${b.seed}..${a.seed + MAX_REPLICATIONS - 1}`,
    );
  }
});

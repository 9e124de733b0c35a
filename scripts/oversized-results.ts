/**
 * Writes a results file (`*.pvsched-results.json`, the Export format) too big for the results
 * panel: a 64-CPU host with a VM, three modes, each run with its whole timeline, cyclictest at SCHED_FIFO 99 as
 * it is usually run (-p 99). Mostly CPUs that
 * seldom run anything, so the level-of-detail summary (one bucket per track whatever the track
 * does) makes the file large while the simulation stays short (about 5 s per mode). The e2e test
 * `oversized` opens it in the results editor (issue 14: downsampled with a note, never failed).
 *
 *   npx tsx scripts/oversized-results.ts OUT.pvsched-results.json
 */
import { writeFileSync } from "node:fs";
import type { ResultsPayload } from "../common/protocol";
import { loadScenario } from "../scenario-loader/index";
import { simulate } from "../sim-core/index";
import { typedArraysAsLists } from "../sim-core/timeline-read";

const YAML = `name: oversized 64 CPUs x 3 modes
seed: 5
duration_s: 2
host:
  cpus: 64
  workloads:
    - { kind: stress, id: hog, workers: 4 }
    - { kind: cyclictest, id: host-ct, interval_us: 200, policy: fifo, priority: 99 }
vms:
  - name: vm0
    vcpus: 2
    workloads:
      - { kind: cyclictest, id: ct, interval_us: 500, policy: fifo, priority: 99 }
      - { kind: stress, id: ghog, workers: 2 }
timeline:
  enabled: true
modes: [vanilla, dynamic, static]
`;

const out = process.argv[2];
if (!out) {
  console.error("usage: npx tsx scripts/oversized-results.ts OUT.pvsched-results.json");
  process.exit(2);
}
const loaded = loadScenario(YAML, "oversized.pvsched.yaml");
if (!loaded.ok) throw new Error(`oversized scenario: ${JSON.stringify(loaded)}`);
const sc = loaded.scenario;
const payload: ResultsPayload = {
  title: sc.name,
  source: { kind: "scenario" },
  runs: (["vanilla", "dynamic", "static"] as const).map((mode) => simulate(sc, { mode })),
  scenarioText: YAML,
};
// Compact: the Export's indentation would triple the file without changing what the panel gets.
const text = JSON.stringify(payload, typedArraysAsLists);
writeFileSync(out, text);
const segments = payload.runs.map((r) => r.timeline?.segments.start_ns.length ?? 0);
console.log(`${out}: ${(text.length / 2 ** 20).toFixed(1)} MiB, ${segments.join(" + ")} segments`);

// The run the timeline is measured on: cyclictest-busy-500 in dynamic mode for `seconds`
// simulated seconds, with its timeline, as the panel's payload. Imported by timeline-bench.mjs;
// the workbench e2e ("tlperf") runs it as a command to write its fixture:
//   npx tsx webview/dev/bench-run.mjs <dir> [seconds]   -> writes <dir>/manifest.json + *.bin, prints JSON
// (through tsx, because it imports sim-core's TypeScript)
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadScenario } from "../../scenario-loader/index.ts";
import { simulate } from "../../sim-core/index.ts";
import { messageBytes, PANEL_MAX_BYTES } from "../../extension/panel-fit.ts";
import { writeBinaryPayload } from "./timeline-probe.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Simulates the run; returns the payload, how long it took, and its size as a panel message. */
export function benchRun(seconds) {
  const file = join(root, "scenarios/seed/cyclictest-busy-500.pvsched.yaml");
  const loaded = loadScenario(readFileSync(file, "utf8"), file);
  if (!loaded.ok) throw new Error(loaded.errors[0]?.message);
  const t0 = performance.now();
  const run = simulate({ ...loaded.scenario, duration_s: seconds }, "dynamic", { timeline: true });
  const simMs = performance.now() - t0;
  if (!run.timeline) throw new Error("the run recorded no timeline");
  const payload = { title: `bench ${seconds} s`, source: { kind: "scenario" }, runs: [run] };
  const tl = run.timeline;
  return {
    payload,
    summary: {
      scenario: "cyclictest-busy-500, dynamic",
      simulated_s: seconds,
      simulate_ms: Math.round(simMs),
      segments: tl.segments.start_ns.length,
      markers: tl.markers.t_ns.length,
      anchors: tl.anchors.run_ns.length,
      // What extension/panel-fit.ts estimates for this payload, against the limit over which the
      // extension leaves the timeline out of the panel.
      panel_message_mib: +(messageBytes(payload) / 2 ** 20).toFixed(1),
      panel_max_mib: PANEL_MAX_BYTES / 2 ** 20,
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dir = process.argv[2];
  if (!dir) throw new Error("usage: npx tsx webview/dev/bench-run.mjs <dir> [seconds]");
  const { payload, summary } = benchRun(Number(process.argv[3] ?? 90));
  const bytes = writeBinaryPayload(payload, dir);
  console.log(JSON.stringify({ ...summary, typed_array_mb: +(bytes / 2 ** 20).toFixed(1) }));
}

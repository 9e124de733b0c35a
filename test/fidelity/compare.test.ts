import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

import type { LatencyStats } from "../../sim-core";
import { fidelityCells } from "../../fidelity/cells";
import { makeRow, orderings, summarizeRows } from "../../fidelity/compare";
import { cellScenario } from "../../fidelity/scenarios";
import { scenarioFiles } from "../../fidelity/scenario-files";
import { summarize } from "../../report/stats";

function stats(samples: number[], edges: number[]): LatencyStats {
  const s = summarize(Float64Array.from(samples).sort());
  const counts = edges.slice(0, -1).map((e, i) => samples.filter((v) => v >= e && v < edges[i + 1]!).length);
  return {
    count: s.count,
    min_us: s.min_us,
    avg_us: s.avg_us,
    max_us: s.max_us,
    p50_us: s.p50_us,
    p90_us: s.p90_us,
    p99_us: s.p99_us,
    p999_us: s.max_us,
    histogram: { edges_us: edges, counts },
  };
}

const EDGES = [0, 10, 20, 50, 100, 200, 500, 1000];

function row(mode: string, real: number[], sim: number[] | null) {
  const r = Float64Array.from(real).sort();
  return makeRow(
    {
      cell: `vcpu-like/busy/${mode}`,
      experiment: "vcpu-like",
      load: "busy",
      mode,
      probe: "vcpu-like",
      mapping: "host",
      real: summarize(r),
    },
    r,
    sim ? stats(sim, EDGES) : null,
  );
}

describe("rows and orderings", () => {
  it("fills ratios, KS and the 2x flag", () => {
    const r = row("vanilla", [10, 20, 30, 40], [30, 40, 50, 60]);
    assert.equal(r.ratio.avg, 45 / 25);
    assert.equal(r.ratio.p99, 60 / 40);
    assert.equal(r.p99_within_2x, true);
    assert.ok(r.ks !== null && r.ks > 0 && r.ks <= 1);
    const far = row("vanilla", [10, 20, 30, 40], [300, 400, 500, 600]);
    assert.equal(far.p99_within_2x, false);
    assert.equal(far.ks, 1);
  });

  it("keeps rows without a simulated side, with no ratios", () => {
    const r = row("dynamic", [10, 20], null);
    assert.equal(r.sim, null);
    assert.equal(r.ks, null);
    assert.equal(r.p99_within_2x, null);
  });

  it("orders modes per load and counts agreement", () => {
    const rows = [
      row("vanilla", [100, 200, 900], [150, 300, 800]),
      row("static", [10, 20, 30], [12, 15, 25]),
      row("dynamic", [15, 25, 40], null), // not simulated: left out of the ordering
    ];
    const ords = orderings(rows);
    assert.equal(ords.length, 2); // p99 and avg
    for (const o of ords) {
      assert.deepEqual(o.modes, ["vanilla", "static"]);
      assert.equal(o.comparison.agrees, true);
    }
    const s = summarizeRows(rows, ords);
    assert.equal(s.rows, 3);
    assert.equal(s.rows_simulated, 2);
    assert.equal(s.orderings_agree, 2);
  });

  it("flags an inverted ordering", () => {
    const rows = [row("vanilla", [100, 200, 900], [10, 12, 14]), row("static", [10, 20, 30], [150, 300, 800])];
    const s = summarizeRows(rows, orderings(rows));
    assert.equal(s.orderings_agree, 0);
    assert.equal(s.ordering_disagreements.length, 2);
  });
});

describe("simulated twins", () => {
  const cells = fidelityCells(2);

  it("has both experiments, both loads and every mode", () => {
    assert.deepEqual(
      cells.map((c) => c.key),
      [
        "host-cyclictest/idle/other",
        "host-cyclictest/idle/fifo",
        "vcpu-like/idle/vanilla",
        "vcpu-like/idle/static",
        "vcpu-like/idle/dynamic",
        "host-cyclictest/busy/other",
        "host-cyclictest/busy/fifo",
        "vcpu-like/busy/vanilla",
        "vcpu-like/busy/static",
        "vcpu-like/busy/dynamic",
      ],
    );
  });

  it("maps the real configuration onto the scenario (host mapping)", () => {
    const busyStatic = cellScenario(cells.find((c) => c.key === "vcpu-like/busy/static")!, 5, "host");
    const w = busyStatic.scenario.host.workloads!;
    assert.deepEqual(w[0], { kind: "stress", workers: 2 });
    assert.equal(busyStatic.scenario.host.cpus, 2);
    const p = w.find((x) => x.kind === "periodic")!;
    assert.equal(p.policy, "rr");
    assert.equal(p.priority, 8);
    assert.equal(busyStatic.unsupported, undefined);
    const idleVanilla = cellScenario(cells.find((c) => c.key === "vcpu-like/idle/vanilla")!, 5, "host");
    assert.ok(!idleVanilla.scenario.host.workloads!.some((x) => x.kind === "stress"));
    assert.equal(idleVanilla.scenario.host.workloads!.find((x) => x.kind === "periodic")!.policy, "other");
    const dyn = cellScenario(cells.find((c) => c.key === "vcpu-like/busy/dynamic")!, 5, "host");
    assert.equal(dyn.unsupported, undefined);
    assert.equal(dyn.mode.mode, "dynamic");
    const dp = dyn.scenario.host.workloads!.find((x) => x.kind === "periodic")!;
    assert.equal(dp.kind === "periodic" && dp.pv_thread, true);
    assert.equal(dp.policy, "other");
    const fifo = cellScenario(cells.find((c) => c.key === "host-cyclictest/busy/fifo")!, 5, "host");
    assert.deepEqual(fifo.scenario.host.workloads![1], {
      kind: "cyclictest",
      id: "cyclictest",
      threads: 1,
      interval_us: 500,
      policy: "fifo",
      priority: 80,
    });
  });

  it("adds the injection ablation only when asked", () => {
    assert.ok(!cells.some((c) => c.mode === "dynamic-noinject"));
    const ab = fidelityCells(2, { ablation: true, loads: ["busy"], experiments: ["vcpu-like"] });
    assert.deepEqual(
      ab.map((c) => c.mode),
      ["vanilla", "static", "dynamic", "dynamic-noinject"],
    );
    const vm = cellScenario(ab[3]!, 5, "vm");
    assert.deepEqual(vm.mode, { mode: "dynamic", name: "dynamic-noinject", mechanisms: { boost_on_inject: false } });
    assert.deepEqual(cellScenario(ab[3]!, 5, "host").mode, {
      mode: "dynamic",
      name: "dynamic-noinject",
      mechanisms: { boost_on_inject: false },
    });
  });

  it("uses sim-core's own modes under the vm mapping", () => {
    const s = cellScenario(cells.find((c) => c.key === "vcpu-like/busy/static")!, 5, "vm");
    assert.equal(s.mode.mode, "static");
    assert.equal(s.mode.static_priority, 8);
    assert.equal(s.scenario.vms![0]!.vcpus, 2);
    assert.equal(s.scenario.host.kvm!.halt_poll_ns, 0);
    const d = cellScenario(cells.find((c) => c.key === "vcpu-like/busy/dynamic")!, 5, "vm");
    assert.equal(d.mode.mode, "dynamic");
    assert.equal(d.unsupported, undefined);
    assert.equal(d.scenario.pvsched!.max_preempt_disabled_us, 3000);
  });

  it("committed scenarios/fidelity files match the generator", () => {
    const dir = join(__dirname, "../../scenarios/fidelity");
    const want = scenarioFiles();
    const have = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
    assert.deepEqual(have.sort(), [...want.keys()].sort(), "run: pvsched-sim fidelity --write-scenarios scenarios/fidelity");
    for (const [name, text] of want) assert.equal(readFileSync(join(dir, name), "utf8"), text, `${name} is stale`);
  });

  it("every twin passes the scenario loader (schema and semantic checks)", async () => {
    const { loadScenario } = await import("../../scenario-loader");
    for (const [name, text] of scenarioFiles()) {
      const r = loadScenario(text, name);
      assert.ok(r.ok, `${name}: ${r.ok ? "" : r.errors.map((e) => e.message).join("; ")}`);
      assert.deepEqual(r.warnings, [], name);
    }
  });
});

describe("merging real rounds", () => {
  it("adds counters, averages *_avg_* and maximises *_max_* fields", async () => {
    const { mergeCounters } = await import("../../fidelity/run");
    const m = mergeCounters([
      { mode: "dynamic", threads: 2, samples: 10, overruns: 1, agent: { boosts_inject: 5, timer_late_avg_ns: 10, timer_late_max_ns: 100 } },
      { mode: "dynamic", threads: 2, samples: 20, overruns: 0, agent: { boosts_inject: 7, timer_late_avg_ns: 30, timer_late_max_ns: 50 } },
    ]);
    assert.deepEqual(m, {
      mode: "dynamic",
      threads: 2,
      samples: 30,
      overruns: 1,
      agent: { boosts_inject: 12, timer_late_avg_ns: 20, timer_late_max_ns: 100 },
    });
  });
});

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";

const root = join(__dirname, "../..");

function cli(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", join(root, "cli/main.ts"), "fidelity", ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
  });
}

describe("pvsched-sim fidelity (no real runs)", () => {
  it("rejects bad options with exit 2 and usage", () => {
    const r = cli(["--mapping", "guest"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--mapping: unknown value "guest"/);
    assert.match(r.stderr, /usage: pvsched-sim fidelity/);
    assert.equal(cli(["--bogus"]).status, 2);
    assert.equal(cli(["--duration"]).status, 2);
  });

  it("re-simulates saved real data and prints one JSON object", () => {
    const r = cli([
      "--json",
      "--real-from",
      "fidelity/data/real-2026-11-27-8s.json.gz",
      "--only",
      "host-cyclictest",
      "--sim-duration",
      "0.5",
    ]);
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.tool, "pvsched-sim fidelity");
    assert.deepEqual(
      rep.rows.map((x: { cell: string }) => x.cell),
      ["host-cyclictest/idle/other", "host-cyclictest/idle/fifo", "host-cyclictest/busy/other", "host-cyclictest/busy/fifo"],
    );
    for (const row of rep.rows) {
      assert.ok(row.real.count > 1000);
      assert.ok(row.sim && row.sim.count > 0, "simulated side present");
      assert.ok(row.ks >= 0 && row.ks <= 1);
    }
    assert.equal(rep.orderings.length, 4); // 2 loads x (p99, avg)
    assert.equal(rep.summary.rows, 4);
    assert.ok(Array.isArray(rep.calibrations));
  });
});

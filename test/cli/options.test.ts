/** CLI options that stand for scenario fields are bounded by the same rules (sim-core/limits.ts). */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { LIMITS } from "../../sim-core/index";

const root = join(__dirname, "..", "..");

before(() => {
  const r = spawnSync(process.execPath, [join(root, "scripts", "build.mjs"), "cli", "cli-worker"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});

function cli(args: string[]) {
  return spawnSync(process.execPath, [join(root, "bin", "pvsched-sim.cjs"), ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
}

for (const [value, why] of [
  ["1e300", `must be <= ${LIMITS.duration_s}`],
  ["0", "must be > 0"],
  ["abc", "must be a finite number"],
] as const) {
  test(`seed-report --duration ${value}: exit 2, one line naming the rule`, () => {
    const r = cli(["seed-report", "--duration", value]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, `pvsched-sim: --duration ${why} (got "${value}")\n`);
  });
}

test("run --seed 1.5: exit 2, the seed must be a whole number", () => {
  const r = cli(["run", join(root, "test", "cli", "fixtures", "tiny.pvsched.yaml"), "--seed", "1.5"]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'pvsched-sim: --seed must be a whole number (got "1.5")\n');
});

/** `pvsched-sim sweep`: sharded runs merge to the unsharded bytes; parameters and shard files are checked. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const bin = join(root, "bin", "pvsched-sim.cjs");
const tiny = join(__dirname, "fixtures", "tiny.pvsched.yaml");
const tmp = mkdtempSync(join(tmpdir(), "pvsched-sweep-"));
const SWEEP = [
  "sweep",
  tiny,
  "--param",
  "pvsched.boost_priority=1..99/3",
  "--param",
  "modes.1.mechanisms.lazy_boost=true,false",
  "--replications",
  "2",
  "--workers",
  "1",
];

before(() => {
  const r = spawnSync(process.execPath, [join(root, "scripts", "build.mjs"), "cli", "cli-worker"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Runs the CLI as a separate process, its stdout into `file`. */
function cliToFile(args: string[], file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [bin, ...args], { cwd: root });
    const chunks: Buffer[] = [];
    let err = "";
    p.stdout.on("data", (c: Buffer) => chunks.push(c));
    p.stderr.on("data", (c: Buffer) => (err += c));
    p.on("close", (code) => {
      if (code !== 0) return reject(new Error(`exit ${code}: ${err}`));
      writeFileSync(file, Buffer.concat(chunks));
      resolve();
    });
  });
}

test("4 shards run as 4 processes merge to the unsharded sweep, byte for byte (JSON and CSV)", async () => {
  const whole = cli([...SWEEP, "--json"]);
  assert.equal(whole.code, 0, whole.err);
  const j = JSON.parse(whole.out);
  assert.equal(j.cells.length, 6);
  assert.equal(j.runs, 6 * 3 * 2);
  const shards = [0, 1, 2, 3].map((i) => join(tmp, `shard-${i}.json`));
  await Promise.all(shards.map((f, i) => cliToFile([...SWEEP, "--shard", `${i}/4`], f)));
  // Every shard holds a quarter of the runs, none of them twice.
  const held = shards.flatMap((f) => JSON.parse(readFileSync(f, "utf8")).runs.map((r: { index: number }) => r.index));
  assert.deepEqual(
    held.sort((a: number, b: number) => a - b),
    Array.from({ length: j.runs }, (_, k) => k),
  );
  const merged = cli(["sweep", "merge", ...[...shards].reverse(), "--json"]);
  assert.equal(merged.code, 0, merged.err);
  assert.equal(merged.out, whole.out);
  const csvWhole = cli([...SWEEP, "--csv"]);
  const csvMerged = cli(["sweep", "merge", ...shards, "--csv"]);
  assert.equal(csvMerged.code, 0, csvMerged.err);
  assert.equal(csvMerged.out, csvWhole.out);
  assert.match(
    csvWhole.out,
    /^pvsched\.boost_priority,modes\.1\.mechanisms\.lazy_boost,mode,probe,metric,replications,mean,ci95_lo,ci95_hi\r\n/,
  );

  // A missing shard, a shard given twice and a shard of another sweep are refused in one line.
  const missing = cli(["sweep", "merge", shards[0]!, shards[1]!, shards[3]!]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /shards not given: 2\/4\n$/);
  const twice = cli(["sweep", "merge", ...shards, shards[1]!]);
  assert.equal(twice.code, 2);
  assert.match(twice.err, /shard-1\.json: run 1 is also in .*shard-1\.json/);
  const other = join(tmp, "other.json");
  await cliToFile([...SWEEP.slice(0, -4), "--replications", "1", "--shard", "2/4"], other);
  const mixed = cli(["sweep", "merge", shards[0]!, shards[1]!, other, shards[3]!]);
  assert.equal(mixed.code, 2);
  assert.match(mixed.err, /other\.json: a shard of another sweep than .*shard-0\.json/);
});

test("the cells differ where the parameter acts: lazy_boost off changes dynamic, never vanilla", () => {
  const r = cli([...SWEEP, "--json"]);
  const j = JSON.parse(r.out);
  const guest = (cell: { comparison: { probes: { id: string; byMode: Record<string, { avg_us: { mean: number } }> }[] } }, mode: string) =>
    cell.comparison.probes.find((p) => p.id === "guest-cyclictest")!.byMode[mode]!.avg_us.mean;
  const [on, off] = [j.cells[0], j.cells[1]];
  assert.deepEqual(on.params, { "pvsched.boost_priority": 1, "modes.1.mechanisms.lazy_boost": true });
  assert.deepEqual(off.params, { "pvsched.boost_priority": 1, "modes.1.mechanisms.lazy_boost": false });
  assert.equal(guest(on, "vanilla"), guest(off, "vanilla"));
  assert.notEqual(guest(on, "dynamic"), guest(off, "dynamic"));
});

test("bad parameters are one line naming the parameter", () => {
  for (const [param, want] of [
    ["pvsched.boost_priority=1,200", /--param pvsched\.boost_priority=200: .*99/],
    ["pvsched.boost_priority", /--param must be PATH=V1,V2/],
    ["host.cpus=2,,4", /an empty value/],
    ["name.x=1", /name is a string, not a mapping or list/],
    ["vms.3.vcpus=2", /vms has no item 3/],
  ] as const) {
    const r = cli(["sweep", tiny, "--param", param, "--replications", "1"]);
    assert.equal(r.code, 2, `${param}: ${r.err}`);
    assert.equal(r.err.trim().split("\n").length, 1, r.err);
    assert.match(r.err, want);
  }
  const shard = cli(["sweep", tiny, "--param", "host.cpus=2", "--shard", "4/4"]);
  assert.equal(shard.code, 2);
  assert.match(shard.err, /--shard must be i\/N with 0 <= i < N/);
});

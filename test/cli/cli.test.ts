import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const bin = join(root, "bin", "pvsched-sim.cjs");
const fixtures = join(__dirname, "fixtures");
const tiny = join(fixtures, "tiny.pvsched.yaml");
const tmp = mkdtempSync(join(tmpdir(), "pvsched-cli-"));

before(() => {
  // Build only the CLI bundles (other entries may be mid-edit by other work).
  const r = spawnSync(process.execPath, [join(root, "scripts", "build.mjs"), "cli", "cli-worker"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});

function cli(args: string[], cwd = root) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, ms: performance.now() - t0 };
}

function file(name: string, content: string | Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

const BAD: [string, () => string, RegExp][] = [
  ["missing file", () => join(tmp, "nope.yaml"), /nope\.yaml: no such file$/],
  ["a directory", () => tmp, /is a directory/],
  ["binary file", () => file("bin.yaml", new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3])), /bin\.yaml:1:5: not a text file/],
  [
    "invalid UTF-8",
    () => file("latin1.yaml", new Uint8Array([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a])),
    /latin1\.yaml:1:1: not a text file \(invalid UTF-8\)/,
  ],
  ["YAML that is not a mapping", () => file("list.yaml", "- a\n- b\n"), /list\.yaml:1:1: scenario: must be a YAML mapping/],
  ["empty file", () => file("empty.yaml", ""), /empty\.yaml:1:1: scenario: the file is empty/],
  ["YAML syntax error", () => file("syntax.yaml", "name: x\nhost:\n\tcpus: 4\n"), /syntax\.yaml:3:1: .*[Tt]ab/],
  [
    "unknown key",
    () => file("unknown.yaml", "name: x\nhost:\n  cpus: 4\n  cpuz: 3\n"),
    /unknown\.yaml:4:3: host\.cpuz: unknown key "cpuz"/,
  ],
  ["wrong type", () => file("type.yaml", "name: x\nhost:\n  cpus: four\n"), /type\.yaml:3:9: host\.cpus: must be a whole number/],
  ["zero CPUs", () => file("zero.yaml", "name: x\nhost:\n  cpus: 0\n"), /zero\.yaml:3:9: host\.cpus: must be >= 1/],
  [
    "negative period",
    () => file("period.yaml", "name: x\nhost:\n  cpus: 1\n  workloads:\n    - {kind: periodic, period_us: -5, work: {const_us: 1}}\n"),
    /period\.yaml:5:35: host\.workloads\[0\]\.period_us: must be >= 0.001/,
  ],
  [
    "interval shorter than a context switch",
    () => file("iv.yaml", "name: x\nhost:\n  cpus: 1\n  workloads:\n    - {kind: cyclictest, interval_us: 1}\n"),
    /iv\.yaml:5:39: host\.workloads\[0\]\.interval_us: .*context switch/,
  ],
  [
    "unknown mechanism",
    () => file("mech.yaml", "name: x\nhost: {cpus: 1}\nmodes:\n  - {mode: dynamic, mechanisms: {warp_drive: false}}\n"),
    /mech\.yaml:4:34: modes\[0\]\.mechanisms\.warp_drive: unknown key/,
  ],
  [
    "over a limit",
    () => file("limit.yaml", "name: x\nhost: {cpus: 2}\nvms:\n  - {name: a, vcpus: 2, pin: [0, 7]}\n"),
    /limit\.yaml:4:34: vms\[0\]\.pin\[1\]: CPU 7 does not exist/,
  ],
  ["NaN", () => file("nan.yaml", "name: x\nhost:\n  cpus: .nan\n"), /nan\.yaml:3:9: host\.cpus: must be a finite number/],
];

for (const [what, make, pattern] of BAD) {
  test(`run: ${what} -> exit 2 and one line on stderr, within 2 s`, () => {
    const f = make();
    let r = cli(["run", f]);
    // Wall time on a shared 2-core machine has spikes from other processes: a slow answer is
    // retried twice, and the test fails only if all three take 2 s or more.
    for (let k = 0; k < 2 && r.ms >= 2000; k++) r = cli(["run", f]);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.out, "");
    const lines = r.err.split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 1, `expected one line, got: ${r.err}`);
    assert.match(lines[0], pattern);
    assert.doesNotMatch(r.err, /\n\s+at /); // no stack trace
    assert.ok(r.ms < 2000, `took ${r.ms.toFixed(0)} ms`);
  });
}

test("usage errors exit 2 with one line", () => {
  for (const args of [
    ["frobnicate"],
    ["run"],
    ["run", tiny, "--bogus"],
    ["run", tiny, "--mode", "nope"],
    ["run", tiny, "--workers", "0"],
  ]) {
    const r = cli(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.err.trim().split("\n").length, 1, r.err);
  }
});

test("--help lists the commands", () => {
  const r = cli(["--help"]);
  assert.equal(r.code, 0);
  for (const c of ["run", "compare", "ablate", "seed-report", "bench", "map", "fidelity"]) assert.match(r.out, new RegExp(`\\b${c}\\b`));
});

test("run --json: one result per mode, deterministic, the same in workers and in-process", () => {
  const a = cli(["run", tiny, "--json"]);
  assert.equal(a.code, 0, a.err);
  const j = JSON.parse(a.out);
  assert.equal(j.scenario, "tiny");
  assert.deepEqual(
    j.results.map((r: { mode: string }) => r.mode),
    ["vanilla", "dynamic", "static"],
  );
  for (const r of j.results) {
    assert.ok(Array.isArray(r.probes) && Array.isArray(r.vcpus) && Array.isArray(r.cpus));
    assert.equal(typeof r.events, "number");
  }
  const b = cli(["run", tiny, "--json", "--workers", "1"]);
  assert.equal(b.out, a.out, "worker threads and in-process runs differ");
  const one = JSON.parse(cli(["run", tiny, "--json", "--mode", "static"]).out);
  assert.deepEqual(one.results, [j.results[2]]);
});

test("run works from another directory", () => {
  const r = cli(["run", tiny, "--mode", "vanilla"], tmp);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /mode vanilla/);
});

test("compare --json and ablate --json shapes", () => {
  const c = JSON.parse(cli(["compare", tiny, "--json"]).out);
  assert.deepEqual(c.modes, ["vanilla", "dynamic", "static"]);
  assert.ok(c.probes.length > 0);
  for (const p of c.probes) assert.deepEqual(Object.keys(p.byMode), c.modes);
  const a = cli(["ablate", tiny, "--json"]);
  assert.equal(a.code, 0, a.err);
  const j = JSON.parse(a.out);
  assert.equal(j.baseline, "dynamic");
  assert.equal(j.ablations.length, 10);
  for (const p of j.probes) assert.equal(Object.keys(p.delta).length, 10);
});

test("seed-report --json: cells, claims, totals; identical with 1 and 2 workers", () => {
  const args = ["seed-report", "--json", "--seed-dir", join(fixtures, "seed"), "--duration", "0.05"];
  const r2 = cli(args);
  assert.equal(r2.code, 0, r2.err);
  const j = JSON.parse(r2.out);
  for (const k of ["cells", "claims", "medianLog10Error", "durationSimulatedS", "wallMs", "events"]) assert.ok(k in j, k);
  assert.equal(j.cells.length, 60);
  for (const c of j.cells) for (const k of ["table", "load", "stat", "mode", "published", "simulated"]) assert.ok(k in c, k);
  assert.equal(j.cells.filter((c: { table: string }) => c.table === "cyclictest").length, 48);
  assert.ok(j.claims.length >= 5);
  for (const c of j.claims) {
    assert.equal(typeof c.id, "string");
    assert.equal(typeof c.text, "string");
    assert.equal(typeof c.holds, "boolean");
  }
  assert.ok(Math.abs(j.durationSimulatedS - 24 * 0.05) < 1e-9); // 12 cyclictest + 12 audio runs
  const r1 = JSON.parse(cli([...args, "--workers", "1"]).out);
  assert.deepEqual(r1.cells, j.cells);
  assert.equal(r1.events, j.events);
});

test("bench --json (single run only) reports events, wall and CPU time", () => {
  const r = cli(["bench", "--json", "--skip-seed-report"]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.ok(j.single.events > 0);
  for (const k of ["wallMs", "cpuMs", "eventsPerS", "eventsPerCpuS"]) assert.equal(typeof j.single[k], "number", k);
  assert.equal(j.seedReport, null);
});

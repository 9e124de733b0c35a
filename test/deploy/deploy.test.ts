/**
 * deploy/: the Kubernetes Indexed Job, the GitHub Actions matrix and the Dockerfile agree with each
 * other and with the CLI. No cluster or Docker daemon here, so the manifests are checked as data,
 * the shard command is run by the CLI itself, and the runtime image's claim (the bundles need no
 * node_modules) is checked on the bundles.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { builtinModules } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";

const root = join(__dirname, "..", "..");
const deploy = join(root, "deploy");
const read = (p: string) => readFileSync(join(deploy, p), "utf8");

before(() => {
  const r = spawnSync(process.execPath, [join(root, "scripts", "build.mjs"), "cli", "cli-worker"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});

/** Manifests are checked field by field. */
type Any = any;

test("the Indexed Job runs shards 0..N-1 of one sweep, and the merge job reads exactly those", () => {
  const job: Any = parse(read("kubernetes/sweep-job.yaml"));
  assert.equal(job.kind, "Job");
  assert.equal(job.spec.completionMode, "Indexed");
  const n = job.spec.completions;
  assert.equal(job.spec.parallelism, n);
  const script: string = job.spec.template.spec.containers[0].args[0];
  assert.match(script, new RegExp(`--shard "\\$JOB_COMPLETION_INDEX/${n}"`));
  const claim = job.spec.template.spec.volumes[0].persistentVolumeClaim.claimName;
  assert.equal(parseAllDocuments(read("kubernetes/results-pvc.yaml"))[0]!.toJS().metadata.name, claim);
  const merge: Any = parse(read("kubernetes/merge-job.yaml"));
  assert.equal(merge.spec.template.spec.volumes[0].persistentVolumeClaim.claimName, claim);
  const files = Array.from({ length: n }, (_, i) => `shard-${i}.json`).join(" ");
  for (const line of (merge.spec.template.spec.containers[0].args[0] as string).split("&&").filter((l) => l.includes("sweep merge")))
    assert.ok(line.includes(`sweep merge ${files}`), line);
});

test("the Job's sweep command is one the CLI runs (shortened), from the image's working directory", () => {
  const job: Any = parse(read("kubernetes/sweep-job.yaml"));
  const script: string = job.spec.template.spec.containers[0].args[0];
  const cmd = script.split(">")[0]!.trim();
  const words = cmd.replace(/"/g, "").split(/\s+/);
  assert.deepEqual(words.slice(0, 3), ["node", "/opt/pvsched/bin/pvsched-sim.cjs", "sweep"]);
  // The image's /opt/pvsched holds bin/, dist/ and scenarios/ as the repository does; a repeated
  // option's last value wins, which shortens the runs.
  const args = words.slice(2).map((w) => w.replace("$JOB_COMPLETION_INDEX", "0"));
  const r = spawnSync(process.execPath, [join(root, "bin", "pvsched-sim.cjs"), ...args, "--duration", "0.02", "--replications", "1"], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const shard = JSON.parse(r.stdout);
  assert.deepEqual(shard.shard, { index: 0, count: job.spec.completions });
  assert.equal(shard.definition.params[0].values.length, 8, "boost priority 1..99 in 8 steps");
});

test("the GitHub Actions matrix covers shards 0..SHARDS-1 and merges them", () => {
  const wf: Any = parse(read("github/sweep.yml"));
  const n = Number(wf.env.SHARDS);
  assert.deepEqual(
    wf.jobs.shard.strategy.matrix.shard,
    Array.from({ length: n }, (_, i) => i),
  );
  assert.deepEqual(wf.jobs.shard.needs, "image");
  assert.deepEqual(wf.jobs.merge.needs, "shard");
  const run = wf.jobs.shard.steps.map((s: Any) => s.run ?? "").join("\n");
  assert.match(run, /--shard "\$SHARD\/\$SHARDS"/);
  // Inputs go through the environment, never into the script text.
  for (const job of Object.values(wf.jobs) as Any[]) for (const s of job.steps) assert.ok(!/\$\{\{\s*inputs\./.test(s.run ?? ""), s.run);
});

test("the runtime image needs no node_modules: the bundles require Node built-ins only", () => {
  const docker = read("Dockerfile");
  assert.match(docker, /COPY --from=build \/src\/dist\/cli\.cjs \/src\/dist\/cli-worker\.cjs \.\/dist\//);
  assert.doesNotMatch(docker.split("FROM").at(-1)!, /node_modules/);
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  for (const f of ["cli.cjs", "cli-worker.cjs"]) {
    const text = readFileSync(join(root, "dist", f), "utf8");
    const required = [...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!);
    assert.ok(required.length > 0);
    assert.deepEqual(
      required.filter((m) => !builtins.has(m) && !m.startsWith(".")),
      [],
      f,
    );
  }
});

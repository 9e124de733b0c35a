/**
 * The reviewers' objections (scenarios/objections/): each file's comment says what it shows;
 * these tests hold the model to those words. Runs are shortened where the claim does not need
 * the full length.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type RunResult, resolveModes, type Scenario, simulate } from "../../sim-core/index";
import { loadScenario } from "../../scenario-loader/index";

const root = join(__dirname, "../..");

function load(file: string, patch: Partial<Scenario> = {}): Scenario {
  const r = loadScenario(readFileSync(join(root, "scenarios/objections", file), "utf8"));
  if (!r.ok) throw new Error(`${file}: ${JSON.stringify(r.errors)}`);
  return { ...r.scenario, ...patch };
}

function runAll(s: Scenario): Record<string, RunResult> {
  return Object.fromEntries(resolveModes(s).map((m) => [m.name ?? m.mode, simulate(s, m)]));
}

const probe = (r: RunResult, id: string) => r.probes.find((p) => p.id === id)!;
const thread = (r: RunResult, name: string) => r.threads.find((t) => t.name === name)!;

test("posted interrupts: a preempted vCPU's interrupt gets no injection boost, and dynamic is no better than vanilla", () => {
  const on = runAll(load("posted-interrupts.pvsched.yaml", { duration_s: 5 }));
  const off = runAll(
    load("posted-interrupts.pvsched.yaml", { duration_s: 5, host: { ...load("posted-interrupts.pvsched.yaml").host, kvm: {} } }),
  );
  const glitches = (r: RunResult) => probe(r, "audio").glitches!;
  assert.equal(on.dynamic!.vcpus[0]!.boosts_by.inject, 0);
  assert.ok(glitches(on.vanilla!) > 100, `vanilla glitches ${glitches(on.vanilla!)}`);
  assert.ok(
    glitches(on.dynamic!) >= 0.8 * glitches(on.vanilla!),
    `posted: dynamic ${glitches(on.dynamic!)} vs vanilla ${glitches(on.vanilla!)}`,
  );
  assert.ok(off.dynamic!.vcpus[0]!.boosts_by.inject > 100);
  assert.ok(glitches(off.dynamic!) * 20 < glitches(off.vanilla!), `not posted: dynamic ${glitches(off.dynamic!)}`);
});

test("a rogue guest (BOOST with preemption enabled) is not capped: only RT throttling lets the host in", () => {
  const r = runAll(load("rogue-guest.pvsched.yaml", { duration_s: 3 }));
  const max = (m: string) => probe(r[m]!, "host-cyclictest").latency.max_us;
  assert.ok(max("vanilla") < 1000, `vanilla max ${max("vanilla")}`);
  for (const m of ["dynamic", "dynamic without throttle"]) {
    assert.ok(max(m) > 900_000, `${m}: host max ${max(m)} us`);
    assert.equal(r[m]!.vcpus[0]!.throttles, 0, "patch 5 never vetoes: preemption is enabled");
    assert.ok(r[m]!.cpus[0]!.rt_throttled >= 2, "RT throttling engaged");
  }
});

test("a buggy guest spinning with preemption disabled: the cap keeps the host near vanilla; without it ~950 ms", () => {
  const r = runAll(load("buggy-guest.pvsched.yaml", { duration_s: 3 }));
  const max = (m: string) => probe(r[m]!, "host-cyclictest").latency.max_us;
  assert.ok(max("dynamic") < 2 * max("vanilla") + 100, `capped ${max("dynamic")} vs vanilla ${max("vanilla")}`);
  assert.ok(r.dynamic!.vcpus[0]!.throttles > 1000, "every exit vetoes the boost");
  assert.ok(r.dynamic!.vcpus[0]!.max_boost_ns <= 3_500_000, `longest boost ${r.dynamic!.vcpus[0]!.max_boost_ns} ns`);
  assert.ok(max("dynamic without throttle") > 900_000, `uncapped ${max("dynamic without throttle")}`);
});

test("NMIs boost a low-priority vCPU ~1000 times a second; the host job loses CPU; nice 19 is kept between boosts", () => {
  const r = runAll(load("nmi-boost.pvsched.yaml"));
  const d = r.dynamic!;
  const v = r.vanilla!;
  for (const vc of d.vcpus) assert.ok(vc.boosts > 15_000, `${vc.vcpu}: ${vc.boosts} boosts in 20 s`);
  const job = (x: RunResult) => thread(x, "host-job.0").runtime_ns;
  assert.ok(v.simulated_ns - job(v) > 0 && job(v) - job(d) > 100_000_000, `host job lost ${(job(v) - job(d)) / 1e6} ms`);
  const vcpu1 = (x: RunResult) => thread(x, "batch/vcpu1").runtime_ns;
  assert.ok(vcpu1(d) > 1.5 * vcpu1(v), `batch vCPU1 ${vcpu1(v)} -> ${vcpu1(d)} ns`);
  // Were the unboost to nice 0, vCPU1 would take about half of CPU 1 from the host job.
  assert.ok(vcpu1(d) < 0.1 * d.simulated_ns, "between boosts the vCPU is back at nice 19");
  assert.ok(probe(d, "host-cyclictest").latency.max_us > probe(v, "host-cyclictest").latency.max_us);
});

test("overcommit: static starves the host and raises the guests' p99; dynamic keeps the host at vanilla and does not cut the guests'", () => {
  // Five replications with common random numbers (seed s + r for every mode): a single draw of a
  // p99 moves by a few hundred microseconds from seed to seed here.
  const base = load("overcommit.pvsched.yaml", { duration_s: 5 });
  const reps = [0, 1, 2, 3, 4].map((r) => runAll({ ...base, seed: (base.seed ?? 1) + r }));
  const p99 = (r: Record<string, RunResult>, m: string, id: string) => probe(r[m]!, id).latency.p99_us;
  for (const r of reps) {
    assert.ok(p99(r, "static", "host-cyclictest") > 1000, `static host p99 ${p99(r, "static", "host-cyclictest")}`);
    assert.ok(p99(r, "dynamic", "host-cyclictest") < 1.5 * p99(r, "vanilla", "host-cyclictest"));
  }
  const pairs = reps.flatMap((r) => ["vm0-cyclictest", "vm1-cyclictest"].map((id) => ({ r, id })));
  const wins = (m: string) => pairs.filter(({ r, id }) => p99(r, m, id) < p99(r, "vanilla", id)).length;
  const table = pairs.map(({ r, id }) => ["vanilla", "dynamic", "static"].map((m) => p99(r, m, id).toFixed(0)).join("/")).join(" ");
  // RT vCPU threads of one priority wait for each other; in vanilla a host CPU going idle pulls a
  // waiting vCPU thread at once (newidle balance under rd->overload). Measured: 0 of 10.
  assert.ok(wins("static") <= 1, `static beats vanilla in ${wins("static")}/10: ${table}`);
  // Boosting 8 vCPUs on 4 CPUs at every timer interrupt boosts them against each other.
  // Measured: 1 of 10.
  assert.ok(wins("dynamic") <= 5, `dynamic beats vanilla in ${wins("dynamic")}/10: ${table}`);
});

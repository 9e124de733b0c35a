/**
 * Property tests of the simulator's invariants on random small scenarios (test/property/arbitraries.ts):
 * CPU time is conserved and no CPU runs two threads at once, no thread runs on two CPUs at once,
 * every latency is >= 0 and finite, a run stops by its event budget, and the same seed gives
 * byte-identical results. The invariants themselves are in invariants.ts (the fuzzer uses them too).
 *
 * A failing property prints the shrunk scenario as YAML and writes it to
 * .cache/property/<test>.yaml; a real failure goes, minimal, into test/property/regressions/
 * (checked by the last test here in every mode it lists).
 *
 * Runs scale with PVSCHED_PROPERTY_SCALE (default 1: the whole file takes ~20 s on 2 cores).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { stringify } from "yaml";
import { loadScenario } from "../../scenario-loader/index";
import { resolveModes, simulate, type RunResult, type Scenario } from "../../sim-core/index";
import { scenarioArb, type Generated } from "./arbitraries";
import { checkRun } from "./invariants";
import { reviveTimeline, segAt, trackSegments, typedArraysAsLists } from "../../sim-core/timeline-read";

const root = join(__dirname, "..", "..");
const SCALE = Number(process.env.PVSCHED_PROPERTY_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
/** Fixed seed so that `npm test` is reproducible; set PVSCHED_PROPERTY_SEED to explore. */
const SEED = process.env.PVSCHED_PROPERTY_SEED ? Number(process.env.PVSCHED_PROPERTY_SEED) : 20261127;
/** A safety budget for the property runs: far above what 0.3 s of a small scenario needs (~0.4 M). */
const SAFETY_EVENTS = 20_000_000;

function yamlOf(g: Generated): string {
  return stringify(g.scenario);
}

/** Loads the generated scenario through the real loader, so the simulator sees what users give it. */
function load(g: Generated): Scenario {
  const r = loadScenario(yamlOf(g));
  if (!r.ok) throw new Error(`generated scenario refused: ${r.errors.map((e) => e.message).join("; ")}\n${yamlOf(g)}`);
  return r.scenario;
}

function counterexample(name: string, g: Generated, detail: string): Error {
  const dir = join(root, ".cache", "property");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `# ${detail.split("\n").join("\n# ")}\n${yamlOf(g)}`);
  return new Error(`${detail}\n--- scenario (also in ${file}) ---\n${yamlOf(g)}`);
}

test("generated scenarios (the schema's shape, small) load without errors", () => {
  fc.assert(
    fc.property(scenarioArb, (g) => {
      const r = loadScenario(yamlOf(g));
      assert.ok(r.ok, r.ok ? "" : r.errors.map((e) => e.message).join("; ") + "\n" + yamlOf(g));
    }),
    { numRuns: runs(150), seed: SEED },
  );
});

test("invariants hold on random scenarios in every mode (timeline on)", () => {
  fc.assert(
    fc.property(scenarioArb, (g) => {
      const s = load(g);
      const r = simulate(s, g.mode, { timeline: true, maxEvents: SAFETY_EVENTS });
      assert.ok(r.timeline, "timeline requested");
      const bad = checkRun(r, s);
      if (r.stop !== "done") bad.push(`stopped early (${r.stop}) at ${r.simulated_ns} of ${r.duration_ns} ns after ${r.events} events`);
      if (bad.length) throw counterexample("invariants", g, bad.slice(0, 8).join("\n"));
    }),
    { numRuns: runs(400), seed: SEED },
  );
});

test("a run with a small event budget stops on it, reports how far it got, and agrees with the full run so far", () => {
  fc.assert(
    fc.property(scenarioArb, fc.double({ min: 0.05, max: 0.5, noNaN: true }), (g, frac) => {
      const s = load(g);
      const full = simulate(s, g.mode, { timeline: true, maxEvents: SAFETY_EVENTS });
      fc.pre(full.events >= 20);
      const budget = Math.max(1, Math.floor(full.events * frac));
      const r = simulate(s, g.mode, { timeline: true, maxEvents: budget });
      const bad = checkRun(r, s);
      if (r.stop !== "event_budget") bad.push(`stop = ${r.stop} with a budget of ${budget} of ${full.events} events`);
      if (r.events !== budget) bad.push(`ran ${r.events} events with a budget of ${budget}`);
      if (!(r.simulated_ns < r.duration_ns)) bad.push(`simulated_ns ${r.simulated_ns} not < duration_ns ${r.duration_ns}`);
      if (r.simulated_ns > full.simulated_ns) bad.push("the budgeted run got further than the full run");
      // The stopped run is a prefix of the full one: every closed timeline segment is the same, and
      // the last one of each CPU starts where the full run's does and ends no later.
      r.timeline!.tracks.forEach((t, track) => {
        if (t.kind !== "cpu") return;
        const segs = trackSegments(r.timeline!, track);
        const f = trackSegments(full.timeline!, track);
        segs.forEach((seg, i) => {
          const fs = f[i];
          const last = i === segs.length - 1;
          const same =
            fs &&
            fs.thread === seg.thread &&
            fs.policy === seg.policy &&
            fs.start_ns === seg.start_ns &&
            (last ? seg.end_ns <= fs.end_ns : fs.end_ns === seg.end_ns);
          if (!same) bad.push(`${t.name} segment ${i}: ${JSON.stringify(seg)} vs full run ${JSON.stringify(fs)}`);
        });
      });
      if (bad.length) throw counterexample("event-budget", g, `budget ${budget} of ${full.events}:\n` + bad.slice(0, 8).join("\n"));
    }),
    { numRuns: runs(100), seed: SEED + 1 },
  );
});

test("a cancelled run stops at the next progress poll with stop = cancelled, within the invariants", () => {
  fc.assert(
    fc.property(scenarioArb, fc.integer({ min: 1, max: 5 }), (g, polls) => {
      const s = load(g);
      const every = 1000; // sim-core's smallest progress interval
      let n = 0;
      const r = simulate(s, g.mode, { timeline: true, progressEvery: every, isCancelled: () => ++n >= polls });
      const bad = checkRun(r, s);
      if (r.stop === "cancelled") {
        if (r.events > polls * every) bad.push(`cancelled at poll ${polls} but ran ${r.events} events (> ${polls * every})`);
      } else if (r.stop !== "done" || n >= polls) bad.push(`stop = ${r.stop} after ${n} polls (cancel at ${polls})`);
      if (bad.length) throw counterexample("cancel", g, bad.slice(0, 8).join("\n"));
    }),
    { numRuns: runs(40), seed: SEED + 3 },
  );
});

test("determinism: the same scenario text and seed give identical JSON; the result survives a JSON round trip", () => {
  fc.assert(
    fc.property(scenarioArb, (g) => {
      const a = simulate(load(g), g.mode, { timeline: true, maxEvents: SAFETY_EVENTS });
      const b = simulate(load(g), g.mode, { timeline: true, maxEvents: SAFETY_EVENTS });
      // The timeline's typed arrays are written as lists, so this compares them value by value.
      const ja = JSON.stringify(a, typedArraysAsLists);
      if (ja !== JSON.stringify(b, typedArraysAsLists)) throw counterexample("determinism", g, "two runs of the same scenario differ");
      // Plain JSON (no NaN, Infinity or undefined that JSON would silently change).
      const back = JSON.parse(ja);
      back.timeline = reviveTimeline(back.timeline);
      assert.deepEqual(back, a);
    }),
    { numRuns: runs(60), seed: SEED + 2 },
  );
});

test("the invariant checker catches broken results (so the properties above can fail)", () => {
  const s: Scenario = {
    name: "checker",
    duration_s: 0.05,
    host: {
      cpus: 2,
      workloads: [
        { kind: "stress", workers: 3 },
        { kind: "cyclictest", interval_us: 200 },
      ],
    },
    vms: [{ name: "vm0", vcpus: 1, workloads: [{ kind: "cyclictest", interval_us: 300 }] }],
    timeline: { enabled: true },
  };
  const good = simulate(s, "dynamic");
  assert.deepEqual(checkRun(good, s), []);
  const tamper = (f: (r: RunResult) => void) => {
    const r = structuredClone(good);
    f(r);
    return checkRun(r, s);
  };
  const seg = good.timeline!.segments;
  // Two threads at once on a CPU: a segment that starts before the previous one did (a track is a
  // tiling, so the previous one becomes reversed).
  assert.ok(
    tamper((r) => (r.timeline!.segments.start_ns[seg.offset[0]! + 2] = seg.start_ns[seg.offset[0]! + 1]! - 1)).some((m) =>
      /reversed/.test(m),
    ),
  );
  // One thread on two CPUs at once.
  assert.ok(
    tamper((r) => {
      const g = r.timeline!.segments;
      let a = g.offset[0]!;
      while (g.entity[a] === 0) a++;
      const t = (g.start_ns[a]! + g.start_ns[a + 1]!) / 2;
      g.entity[segAt(r.timeline!, 1, t)] = g.entity[a]!;
    }).some((m) => /at once/.test(m)),
  );
  // Lost CPU time, a negative latency, a NaN.
  assert.ok(tamper((r) => (r.cpus[1]!.idle_ns -= 1000)).some((m) => /busy \+ idle/.test(m)));
  assert.ok(tamper((r) => (r.probes[0]!.latency.min_us = -1)).some((m) => /min_us/.test(m)));
  assert.ok(tamper((r) => (r.probes[0]!.latency.p99_us = NaN)).some((m) => /p99_us/.test(m)));
  assert.ok(tamper((r) => (r.threads[0]!.runtime_ns += 5000)).some((m) => /host threads ran/.test(m)));
});

test("regressions: every scenario in test/property/regressions/ keeps the invariants in each of its modes", () => {
  const dir = join(__dirname, "regressions");
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
  assert.ok(files.length > 0);
  for (const f of files) {
    const r = loadScenario(readFileSync(join(dir, f), "utf8"), f);
    assert.ok(r.ok, `${f}: ${r.ok ? "" : r.errors[0]!.message}`);
    for (const m of resolveModes(r.scenario)) {
      const res = simulate(r.scenario, m, { timeline: true, maxEvents: SAFETY_EVENTS });
      assert.deepEqual(checkRun(res, r.scenario), [], `${f} (${m.name ?? m.mode})`);
      assert.equal(res.stop, "done", `${f} (${m.name ?? m.mode})`);
    }
  }
});

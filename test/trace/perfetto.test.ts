/**
 * The Perfetto export: a file that the trace-event format accepts (checked by
 * trace-event-check.ts, written from the format's documentation), with one track per host CPU,
 * per vCPU and per guest task, and every marker as an instant event; and the CLI writes it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { simulate, type Scenario } from "../../sim-core/index";
import { SEG_CUT } from "../../sim-core/timeline-codes";
import { traceEventsJson } from "../../trace/perfetto";
import { checkTraceEvents } from "./trace-event-check";

const ROOT = join(__dirname, "..", "..");

const scenario: Scenario = {
  name: "perfetto",
  duration_s: 0.3,
  seed: 5,
  host: {
    cpus: 2,
    cgroups: [{ name: "vms", shares: 64 }],
    workloads: [
      { kind: "stress", workers: 2 },
      { kind: "cyclictest", id: "host-ct", interval_us: 500 },
    ],
  },
  vms: [
    {
      name: "vm0",
      vcpus: 2,
      cgroup: "vms",
      workloads: [
        { kind: "cyclictest", id: "guest-ct", interval_us: 500 },
        { kind: "bursty", threads: 2, gap: { exp_mean_us: 2000 }, work: { const_us: 300 } },
      ],
    },
  ],
  modes: ["dynamic"],
};

test("the exported trace is valid trace-event JSON with a track per host CPU, per vCPU and per guest task", () => {
  const r = simulate(scenario, "dynamic", { timeline: true });
  const tl = r.timeline!;
  const doc = JSON.parse(traceEventsJson(r, tl));
  const c = checkTraceEvents(doc);
  assert.deepEqual(c.problems, []);
  const names = [...c.names.values()];
  for (const n of ["Host CPUs", "vm0 vCPUs", "vm0 guest tasks", "CPU 0", "CPU 1", "vCPU 0 (vm0/vcpu0)", "vCPU 1 (vm0/vcpu1)", "guest-ct.0"])
    assert.ok(names.includes(n), `no track named ${n} (have ${names.join(", ")})`);
  // One complete event per busy host segment, one instant per marker.
  let busyHost = 0;
  tl.tracks.forEach((t, i) => {
    if (t.kind !== "cpu") return;
    for (let k = tl.segments.offset[i]!; k < tl.segments.offset[i + 1]!; k++)
      if (tl.segments.entity[k] !== 0 && !(tl.segments.flags[k]! & SEG_CUT)) busyHost++;
  });
  const ev = doc.traceEvents as { ph: string; pid: number; name: string; args: Record<string, unknown> }[];
  assert.equal(ev.filter((e) => e.ph === "X" && e.pid === 1).length, busyHost);
  assert.equal(ev.filter((e) => e.ph === "i").length, tl.markers.t_ns.length);
  for (const want of ["exit: hlt", "inject: timer (kick)", "boost (block)"])
    assert.ok(
      ev.some((e) => e.ph === "i" && e.name === want),
      want,
    );
  assert.ok(
    ev.some((e) => e.ph === "X" && e.args?.policy === "RR 8" && e.args?.boosted === true),
    "a boosted vCPU thread as RR 8",
  );
});

test("a window exports only what it holds, still valid", () => {
  const r = simulate(scenario, "dynamic", { timeline: true });
  const doc = JSON.parse(traceEventsJson(r, r.timeline!, { from: 100e6, to: 110e6 }));
  assert.deepEqual(checkTraceEvents(doc).problems, []);
  for (const e of doc.traceEvents as { ph: string; ts: number; dur?: number }[])
    if (e.ph !== "M") assert.ok(e.ts >= 100e3 - 1e-6 && e.ts + (e.dur ?? 0) <= 110e3 + 1e-6, JSON.stringify(e));
});

test("the checker rejects what the format forbids (so the test above can fail)", () => {
  const ok = { ph: "X", pid: 1, tid: 1, name: "a", ts: 0, dur: 10 };
  const names = [
    { ph: "M", pid: 1, tid: 1, name: "thread_name", args: { name: "t" } },
    { ph: "M", pid: 1, tid: 0, name: "process_name", args: { name: "p" } },
  ];
  const bad = (events: object[]) => checkTraceEvents({ traceEvents: [...names, ...events] }).problems;
  assert.deepEqual(bad([ok]), []);
  assert.ok(bad([{ ...ok, dur: undefined }]).some((m) => /dur/.test(m)));
  assert.ok(bad([{ ...ok, ph: "Q" }]).some((m) => /phase/.test(m)));
  assert.ok(bad([ok, { ...ok, ts: 5, dur: 10 }]).some((m) => /without nesting/.test(m)));
  assert.deepEqual(bad([ok, { ...ok, ts: 2, dur: 3 }]), []);
  assert.ok(bad([{ ...ok, tid: 2 }]).some((m) => /no thread_name/.test(m)));
  assert.ok(bad([{ ph: "i", pid: 1, tid: 1, name: "x", ts: 1, s: "q" }]).some((m) => /scope/.test(m)));
  assert.ok(checkTraceEvents([ok]).problems.length > 0);
});

// The CLI runs its simulations in worker threads, which need the bundle (dist/cli.cjs).
test("pvsched-sim run --trace writes one valid trace per mode", () => {
  const b = spawnSync(process.execPath, [join(ROOT, "scripts", "build.mjs"), "cli", "cli-worker"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(b.status, 0, b.stderr);
  const dir = mkdtempSync(join(tmpdir(), "pvsched-trace-"));
  const file = join(dir, "s.pvsched.yaml");
  writeFileSync(file, stringify({ ...scenario, modes: ["vanilla", "dynamic"] }));
  const r = spawnSync(
    process.execPath,
    [join(ROOT, "bin", "pvsched-sim.cjs"), "run", file, "--trace", join(dir, "out.json"), "--workers", "1"],
    {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /trace written to .*out\.vanilla\.json, .*out\.dynamic\.json/);
  for (const m of ["vanilla", "dynamic"]) {
    const doc = JSON.parse(readFileSync(join(dir, `out.${m}.json`), "utf8"));
    assert.deepEqual(checkTraceEvents(doc).problems, [], m);
    assert.equal(doc.otherData.mode, m);
  }
  // A window of the run, and a bad window refused in one line.
  const w = spawnSync(
    process.execPath,
    [join(ROOT, "bin", "pvsched-sim.cjs"), "run", file, "--mode", "dynamic", "--trace", join(dir, "w.json"), "--trace-window", "100:110"],
    { cwd: ROOT, encoding: "utf8", timeout: 120_000 },
  );
  assert.equal(w.status, 0, w.stderr);
  const doc = JSON.parse(readFileSync(join(dir, "w.json"), "utf8"));
  assert.deepEqual(checkTraceEvents(doc).problems, []);
  assert.deepEqual([doc.otherData.from_ns, doc.otherData.to_ns], [100e6, 110e6]);
  const bad = spawnSync(
    process.execPath,
    ["--import", "tsx", join(ROOT, "cli", "main.ts"), "run", file, "--trace", "x.json", "--trace-window", "9:3", "--workers", "1"],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^pvsched-sim: --trace-window must be FROM_MS:TO_MS/);
});

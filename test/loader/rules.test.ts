/**
 * The scenario rules of sim-core/limits.ts as a user meets them through the loader (issue 14):
 * the cyclictest command line is parsed and range-checked with the limits of the fields it stands
 * for, every refusal is one line at the characters it is about, periods that round to 0 ns and
 * absurd rates are refused, and the schema carries the same ranges.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatError, loadScenario, SCENARIO_SCHEMA, type ScenarioError } from "../../scenario-loader/index";
import { LIMITS } from "../../sim-core/index";

const guestCyclictest = (cmdline: string) =>
  `name: x\nhost:\n  cpus: 2\nvms:\n  - name: vm0\n    vcpus: 2\n    workloads:\n      - kind: cyclictest\n        cmdline: "${cmdline}"\n`;

function refusal(text: string): ScenarioError {
  const r = loadScenario(text, "t.yaml");
  assert.equal(r.ok, false, "expected the scenario to be refused");
  const errors = (r as { errors: ScenarioError[] }).errors;
  assert.equal(errors.length, 1, errors.map((e) => e.message).join(" | "));
  return errors[0]!;
}

const covered = (text: string, e: ScenarioError) => text.slice(e.offset, e.offset + e.length);

for (const [cmdline, option, why] of [
  ["cyclictest -q -i 0", "-i 0", "must be >= 0.001 (as interval_us)"],
  ["cyclictest -i -500 -d 10", "-i -500", "must be >= 0.001 (as interval_us)"],
  ["-d -100", "-d -100", "must be >= 0 (as distance_us)"],
  ["cyclictest -i abc", "-i abc", "not a whole number"],
  ["cyclictest -t 100000000", "-t 100000000", `must be <= ${LIMITS.threads_total} (as threads)`],
  ["cyclictest -p 100", "-p 100", "must be <= 99 (as priority)"],
  ["cyclictest -D 2h", "-D 2h", `must be <= ${LIMITS.duration_s} (as duration_s)`],
  ["cyclictest --policy=deadline", "--policy=deadline", "must be one of fifo, rr, other, batch, idle"],
] as const) {
  test(`cmdline "${cmdline}" is refused at ${option}, in one line`, () => {
    const text = guestCyclictest(cmdline);
    const e = refusal(text);
    assert.equal(e.path, "vms[0].workloads[0].cmdline");
    assert.equal(e.message, `vms[0].workloads[0].cmdline: ${option}: ${why}`);
    assert.equal(covered(text, e), option, "the range is the option and its value inside the string");
    const line = formatError("t.yaml", e);
    assert.ok(!line.includes("\n"));
    assert.match(line, /^t\.yaml:9:\d+: /);
  });
}

test("an unknown cyclictest option is a warning at its characters; the scenario still loads", () => {
  const text = guestCyclictest("cyclictest --bogus -i 500");
  const r = loadScenario(text, "t.yaml");
  assert.ok(r.ok);
  assert.equal(r.warnings.length, 1);
  const w = r.warnings[0]!;
  assert.equal(w.severity, "warning");
  assert.equal(covered(text, w), "--bogus");
  assert.match(w.message, /^vms\[0\]\.workloads\[0\]\.cmdline: --bogus: unknown cyclictest option/);
});

test("the seed's command line loads without a word", () => {
  const r = loadScenario(guestCyclictest("cyclictest -q -D 90s -i 500 -d 1000"), "t.yaml");
  assert.ok(r.ok);
  assert.deepEqual(r.warnings, []);
});

test("threads from -t count against the thread limit (no bypass)", () => {
  const text = `name: x\nhost:\n  cpus: 2\n  workloads:\n    - {kind: cyclictest, cmdline: "-t 3000"}\n    - {kind: cyclictest, cmdline: "-t 3000"}\n`;
  const e = refusal(text);
  assert.equal(e.message, `workloads: at most ${LIMITS.threads_total} threads in all (got 6000)`);
});

test("a period that rounds to 0 ns is refused even with context_switch_ns: 0", () => {
  const text = "name: x\nhost:\n  cpus: 1\n  sched: {context_switch_ns: 0}\n  workloads:\n    - {kind: cyclictest, interval_us: 0.0001}\n";
  const e = refusal(text);
  assert.equal(e.message, "host.workloads[0].interval_us: must be >= 0.001 (got 0.0001)");
  assert.equal(covered(text, e), "0.0001");
});

test("rates have maxima: nmi_hz, device_irq_hz, sample_rate_hz", () => {
  const vm = (irq: string) => `name: x\nhost:\n  cpus: 1\nvms:\n  - name: v\n    vcpus: 1\n    guest:\n      irq: {${irq}}\n`;
  assert.equal(refusal(vm("nmi_hz: 1e15")).message, `vms[0].guest.irq.nmi_hz: must be <= ${LIMITS.nmi_hz} (got 1000000000000000)`);
  assert.match(refusal(vm("device_irq_hz: 2e6")).message, /device_irq_hz: must be <= 1000000 /);
  const audio = "name: x\nhost:\n  cpus: 1\n  workloads:\n    - {kind: audio, buffer_frames: 96, sample_rate_hz: 1e12}\n";
  assert.match(refusal(audio).message, /^host\.workloads\[0\]\.sample_rate_hz: must be <= 768000 /);
});

test("the schema carries sim-core's ranges (generated from FIELD_RULES, not typed twice)", () => {
  const defs = (SCENARIO_SCHEMA as { definitions: Record<string, { properties: Record<string, Record<string, unknown>> }> }).definitions;
  assert.deepEqual(
    { ...defs.HostConfig!.properties.cpus, description: undefined },
    { type: "integer", minimum: 1, maximum: LIMITS.host_cpus, description: undefined },
  );
  assert.equal(defs.GuestIrqConfig!.properties.nmi_hz!.maximum, LIMITS.nmi_hz);
  assert.equal(defs.CyclictestWorkload!.properties.threads!.maximum, LIMITS.threads_total);
  // ThreadAttrs is inlined into every workload kind: each one gets its priority range.
  for (const k of ["CyclictestWorkload", "StressWorkload", "AudioWorkload", "PeriodicWorkload", "BurstyWorkload", "SpinWorkload"])
    assert.equal(defs[k]!.properties.priority!.maximum, 99, k);
});

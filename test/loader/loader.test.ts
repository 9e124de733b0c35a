import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { formatError, loadScenario, SCENARIO_SCHEMA, type ScenarioError } from "../../scenario-loader/index";
import { checkScenario } from "../../sim-core/index";
import { aliasBomb } from "../hostile/slow-inputs";

function errorsOf(text: string): ScenarioError[] {
  const r = loadScenario(text, "t.yaml");
  assert.equal(r.ok, false, "expected the scenario to be refused");
  return (r as { errors: ScenarioError[] }).errors;
}

/** The text an error's offset/length covers: must agree with line/column. */
function covered(text: string, e: ScenarioError): string {
  return text.slice(e.offset, e.offset + e.length);
}

function lineCol(text: string, offset: number): [number, number] {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return [line, offset - (before.lastIndexOf("\n") + 1) + 1];
}

test("a valid scenario loads", () => {
  const r = loadScenario("name: ok\nhost:\n  cpus: 4\nvms:\n  - {name: vm0, vcpus: 2}\n");
  assert.equal(r.ok, true);
  if (r.ok) {
    assert.equal(r.scenario.host.cpus, 4);
    assert.equal(r.scenario.vms![0]!.vcpus, 2);
  }
});

test("YAML syntax error: exact range of the offending tab", () => {
  const text = "name: x\nhost:\n\tcpus: 4\n";
  const [e] = errorsOf(text);
  assert.deepEqual([e!.line, e!.column, e!.endLine, e!.endColumn, e!.offset, e!.length], [3, 1, 3, 2, 14, 1]);
  assert.equal(covered(text, e!), "\t");
  assert.match(e!.message, /tab/i);
  assert.equal(e!.severity, "error");
});

test("unknown key: the range is the key itself and the message names it", () => {
  const text = "name: x\nhost:\n  cpus: 4\n  cpuz: 3\n";
  const errs = errorsOf(text);
  assert.equal(errs.length, 1);
  const e = errs[0];
  assert.deepEqual([e!.line, e!.column, e!.endLine, e!.endColumn], [4, 3, 4, 7]);
  assert.equal(covered(text, e!), "cpuz");
  assert.equal(e!.path, "host.cpuz");
  assert.match(e!.message, /^host\.cpuz: unknown key "cpuz"/);
  assert.match(e!.message, /did you mean "cpus"/);
  assert.equal(formatError("t.yaml", e!), `t.yaml:4:3: ${e!.message}`);
});

test("wrong type: the range is the value", () => {
  const text = "name: x\nhost:\n  cpus: four\n";
  const [e] = errorsOf(text);
  assert.deepEqual([e!.line, e!.column, e!.endLine, e!.endColumn], [3, 9, 3, 13]);
  assert.equal(covered(text, e!), "four");
  assert.equal(e!.message, 'host.cpus: must be a whole number (got string "four")');
});

test("schema bound: vms[0].vcpus: must be >= 1", () => {
  const text = "name: x\nhost:\n  cpus: 4\nvms:\n  - name: a\n    vcpus: 0\n";
  const [e] = errorsOf(text);
  assert.match(e!.message, /^vms\[0\]\.vcpus: must be >= 1/);
  assert.deepEqual([e!.line, e!.column], [6, 12]);
  assert.equal(covered(text, e!), "0");
});

test("limit violation from sim-core checkLimits maps to the field's range", () => {
  const text = "name: x\nhost:\n  cpus: 4\nvms:\n  - name: a\n    vcpus: 2\n    pin: [0, 9]\n";
  const [e] = errorsOf(text);
  assert.equal(e!.path, "vms[0].pin[1]");
  assert.deepEqual([e!.line, e!.column, e!.endLine, e!.endColumn], [7, 14, 7, 15]);
  assert.equal(covered(text, e!), "9");
  assert.match(e!.message, /^vms\[0\]\.pin\[1\]: CPU 9 does not exist/);
});

test("semantic check: a cyclictest interval shorter than a context switch", () => {
  const text = "name: x\nhost:\n  cpus: 1\n  workloads:\n    - kind: cyclictest\n      interval_us: 1\n";
  const [e] = errorsOf(text);
  assert.equal(e!.path, "host.workloads[0].interval_us");
  assert.deepEqual([e!.line, e!.column], [6, 20]);
  assert.match(e!.message, /context switch/);
});

test("semantic checks: zero periods, inverted ranges, duplicate ids and modes", () => {
  const issues = checkScenario({
    name: "x",
    host: {
      cpus: 2,
      sched: { rt_runtime_us: 2_000_000, load_balance_ms: 0 },
      workloads: [
        { kind: "cyclictest", id: "p", interval_us: 0 },
        { kind: "bursty", id: "p", gap: { uniform_us: [10, 5] }, work: { exp_mean_us: 0 } },
      ],
    },
    modes: ["vanilla", "vanilla"],
  });
  const paths = issues.map((i) => i.path).sort();
  assert.deepEqual(paths, [
    "host.sched.load_balance_ms",
    "host.sched.rt_runtime_us",
    "host.workloads.0.interval_us",
    "host.workloads.1.gap.uniform_us",
    "host.workloads.1.id",
    "host.workloads.1.work.exp_mean_us",
    "modes.1",
  ]);
});

test("a workload with a misspelt kind gets one message listing the kinds", () => {
  const text = "name: x\nhost:\n  cpus: 4\n  workloads:\n    - kind: cyclictes\n";
  const errs = errorsOf(text);
  assert.equal(errs.length, 1);
  assert.match(errs[0]!.message, /^host\.workloads\[0\]\.kind: must be one of: cyclictest, stress/);
  assert.equal(covered(text, errs[0]!), "cyclictes");
});

test("errors inside a workload come from the branch its kind names", () => {
  const text = "name: x\nhost:\n  cpus: 4\n  workloads:\n    - kind: cyclictest\n      interval: 5\n";
  const errs = errorsOf(text);
  assert.equal(errs.length, 1);
  assert.match(errs[0]!.message, /interval: unknown key "interval" \(did you mean "interval_us"\?\)/);
});

test("unknown mechanism is an unknown key", () => {
  const errs = errorsOf("name: x\nhost: {cpus: 1}\nmodes:\n  - {mode: dynamic, mechanisms: {lazy_bost: false}}\n");
  assert.match(errs[0]!.message, /^modes\[0\]\.mechanisms\.lazy_bost: unknown key "lazy_bost" \(did you mean "lazy_boost"\?\)/);
});

test("CRLF text: offsets and columns still point at the key", () => {
  const text = "name: x\r\nhost:\r\n  cpus: 1\r\n  cpuz: 4\r\n";
  const [e] = errorsOf(text);
  assert.equal(covered(text, e!), "cpuz");
  assert.deepEqual([e!.line, e!.column], [4, 3]);
});

test("whole-file problems: empty, a list, a NUL byte, .nan, too large", () => {
  assert.match(errorsOf("")[0]!.message, /empty/);
  assert.match(errorsOf("- a\n- b\n")[0]!.message, /must be a YAML mapping/);
  const nul = errorsOf("name: x\nho\u0000st: 1\n")[0];
  assert.match(nul!.message, /NUL/);
  assert.deepEqual([nul!.line, nul!.column], [2, 3]);
  assert.match(errorsOf("name: x\nhost:\n  cpus: .nan\n")[0]!.message, /^host\.cpus: must be a finite number/);
  assert.match(errorsOf("name: x\n" + "#".repeat(1_000_001))[0]!.message, /too large/);
});

test("property: any text gives ok or errors whose ranges agree with line/column, never a throw", () => {
  const chunks = [
    "name: x\n",
    "host:\n",
    "  cpus: 4\n",
    "  cpus: -1\n",
    "vms:\n",
    "  - name: a\n",
    "    vcpus: 2\n",
    "\t",
    "[",
    "{",
    "}",
    ":",
    "- ",
    "&a ",
    "*a",
    "\r\n",
    '"',
    "kind: spin\n",
  ];
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constantFrom(...chunks), fc.string({ maxLength: 8 })), { maxLength: 20 }), (parts) => {
      const text = parts.join("");
      const r = loadScenario(text);
      if (r.ok) return;
      assert.ok(r.errors.length > 0);
      for (const e of r.errors) {
        assert.ok(e.offset >= 0 && e.offset + e.length <= text.length);
        assert.deepEqual(
          [e.line, e.column],
          lineCol(
            text.replace(/\r\n?/g, (m) => (m.length === 2 ? " \n" : "\n")),
            e.offset,
          ),
        );
        assert.ok(!/[\r\n]/.test(formatError("f", e)));
      }
    }),
    { numRuns: 300, seed: 42 },
  );
});

test("a scenario's own `description` field is accepted (annotation stripping keeps property names)", () => {
  const r = loadScenario("name: x\ndescription: what this shows\nhost: { cpus: 1 }\n");
  assert.equal(r.ok, true);
});

// ---- aliases and long lists (docs/robustness.md, were open issues 1 and 2) ----------------------

test("aliases to earlier anchors still load, as copies of the anchored value", () => {
  const r = loadScenario(
    "name: x\nhost:\n  cpus: 2\n  workloads:\n    - &w {kind: spin}\n    - *w\nvms:\n  - {name: v, vcpus: 1, workloads: [*w, *w]}\n",
  );
  assert.equal(r.ok, true, JSON.stringify(!r.ok && r.errors));
  if (r.ok) {
    assert.equal(r.scenario.host.workloads?.length, 2);
    assert.deepEqual(r.scenario.vms![0]!.workloads?.[1], { kind: "spin" });
  }
});

test("alias errors: no anchor before it, too many aliases, an alias bomb; each at the alias", () => {
  let e = errorsOf("name: x\nhost: {cpus: 1}\nvms: [{name: v, vcpus: 1, workloads: [*w]}]\n");
  assert.match(e[0]!.message, /^alias \*w has no anchor &w before it$/);
  assert.equal(covered("name: x\nhost: {cpus: 1}\nvms: [{name: v, vcpus: 1, workloads: [*w]}]\n", e[0]!), "*w");
  e = errorsOf(
    "name: x\nhost: {cpus: 1}\nmodes: &m [" + Array(101).fill("x").join(",") + "]\nm2: [" + Array(101).fill("*m").join(",") + "]\n",
  );
  assert.match(e[0]!.message, /^more than 100 aliases/);
  assert.equal(e[0]!.line, 4);
  // Nine levels of ten aliases each: 10^9 values as data, 300 bytes as text. Refused before any
  // expansion (its CPU time is measured by `npm run bench:inputs`, not asserted here).
  e = errorsOf(aliasBomb());
  assert.match(e[0]!.message, /^aliases expand to more than 100000 values/);
  assert.ok(e[0]!.line >= 5 && e[0]!.line <= 9, JSON.stringify(e[0]));
});

test("lists over the LIMITS counts are refused before validation, naming the list and the limit", () => {
  const wl = (n: number, indent: string) => `${indent}- kind: spin\n`.repeat(n);
  let e = errorsOf(
    "name: x\nhost:\n  cpus: 1\n  workloads:\n" +
      wl(3000, "    ") +
      "vms:\n  - name: v\n    vcpus: 1\n    workloads:\n" +
      wl(1097, "      "),
  );
  assert.equal(e.length, 1);
  assert.equal(e[0]!.message, "host.workloads: at most 4096 workloads in all, host and VMs together (the thread limit; got 4097)");
  assert.deepEqual([e[0]!.line, e[0]!.column], [4, 3]);
  e = errorsOf("name: x\nhost: {cpus: 1}\nvms:\n" + Array.from({ length: 33 }, (_, i) => `  - {name: v${i}, vcpus: 1}\n`).join(""));
  assert.equal(e[0]!.message, "vms: at most 32 VMs (got 33)");
  e = errorsOf("name: x\nhost: {cpus: 1}\nmodes: [" + Array(4097).fill("baseline").join(",") + "]\n");
  assert.equal(e[0]!.message, "modes: at most 4096 modes (got 4097)");
  // At the limit: 4096 workloads load (one thread each).
  const r = loadScenario("name: x\nhost:\n  cpus: 1\n  workloads:\n" + wl(4096, "    "));
  assert.equal(r.ok, true, JSON.stringify(!r.ok && r.errors[0]));
});

test("long lists are validated in slices: an error far down a list keeps its own index and position", () => {
  const items = Array.from({ length: 200 }, (_, i) => (i === 137 ? "    - {kind: audio}\n" : "    - {kind: spin}\n")).join("");
  const text = "name: x\nhost:\n  cpus: 1\n  workloads:\n" + items;
  const e = errorsOf(text);
  assert.equal(e.length, 1, JSON.stringify(e));
  assert.match(e[0]!.message, /^host\.workloads\[137\]: missing required field "buffer_frames"/);
  assert.equal(e[0]!.line, 5 + 137);
  // Errors in several slices: the first failing slice's are reported, at their own indexes.
  const many = Array.from({ length: 100 }, (_, i) => (i % 40 === 39 ? "    - {kind: spin, bogus: 1}\n" : "    - {kind: spin}\n")).join("");
  const e2 = errorsOf("name: x\nhost:\n  cpus: 1\n  workloads:\n" + many);
  assert.match(e2[0]!.message, /^host\.workloads\[39\]\.bogus: unknown key "bogus"/);
  // A VM's list, after a valid host list that is long too.
  const e3 = errorsOf(
    "name: x\nhost:\n  cpus: 1\n  workloads:\n" +
      "    - {kind: spin}\n".repeat(70) +
      "vms:\n  - name: v\n    vcpus: 1\n    workloads:\n" +
      "      - {kind: spin}\n".repeat(65) +
      "      - {kind: spin, cpu: x}\n",
  );
  assert.match(e3[0]!.message, /^vms\[0\]\.workloads\[65\]\.cpu: must be a whole number/);
});

test("the lists validated in slices constrain only their items (else slicing would hide an error)", () => {
  // scenario-loader validateInSlices is exact only while these lists have no array-level keyword.
  const defs = (SCENARIO_SCHEMA as { definitions: Record<string, { properties: Record<string, Record<string, unknown>> }> }).definitions;
  for (const [def, prop] of [
    ["Scenario", "modes"],
    ["HostConfig", "workloads"],
    ["HostConfig", "cgroups"],
    ["VmConfig", "workloads"],
    ["VmConfig", "pin"],
  ]) {
    const s = defs[def!]!.properties[prop!];
    assert.equal(s!.type, "array", `${def}.${prop}`);
    for (const k of ["minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains", "prefixItems"])
      assert.ok(!(k in s!), `${def}.${prop} has ${k}`);
  }
});

test("a key that is a list or a mapping is refused at the key, and nothing is printed (the fuzzer's find)", () => {
  const printed: string[] = [];
  const emit = process.emitWarning;
  process.emitWarning = ((w: string | Error) => {
    printed.push(String(w));
  }) as typeof process.emitWarning;
  try {
    for (const [text, key] of [
      ["name: x\nhost: {cpus: 1}\n? [a, b]\n: 1\n", "[a, b]"],
      ["name: x\nhost: {cpus: 1}\n{a: 1}: 2\n", "{a: 1}"],
    ] as const) {
      const [e] = errorsOf(text);
      assert.equal(e!.message, "a key must be a name, not a list or a mapping");
      assert.equal(covered(text, e!), key);
    }
    // A scalar key whose value is not a string (a !!binary tag) stays an unknown key, quietly.
    const [e] = errorsOf("name: x\n!!binary duration_s: 1\nhost: {cpus: 1}\n");
    assert.match(e!.message, /unknown key/);
  } finally {
    process.emitWarning = emit;
  }
  assert.deepEqual(printed, []);
});

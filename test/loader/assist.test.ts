/** Completion and hover from the scenario schema (scenario-loader/assist.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ASSIST_LIMITS, completionsAt, hoverAt, LOADER_LIMITS, numberAt } from "../../scenario-loader/index";
import type { JsonSchema } from "../../scenario-loader/schema-nav";
import { MECHANISM_IDS } from "../../sim-core/index";
import { SCENARIO_SCHEMA } from "../../scenario-loader/index";

const schema = SCENARIO_SCHEMA as unknown as JsonSchema;

/** `|` marks the cursor. */
function complete(src: string): string[] {
  const at = src.indexOf("|");
  return completionsAt(src.replace("|", ""), at, schema).entries.map((e) => e.label);
}
function hover(src: string) {
  const at = src.indexOf("|");
  return hoverAt(src.replace("|", ""), at, schema);
}

test("top-level keys, minus the ones already present", () => {
  const keys = complete("name: x\n|");
  for (const k of ["host", "vms", "modes", "pvsched", "duration_s", "seed"]) assert.ok(keys.includes(k), k);
  assert.ok(!keys.includes("name"), "name is already there");
});

test("keys of a nested mapping, with a partial word under the cursor", () => {
  const keys = complete("name: x\nhost:\n  cpus: 4\n  sc|\n");
  assert.ok(keys.includes("sched") && keys.includes("kvm") && keys.includes("workloads"));
  assert.ok(!keys.includes("cpus") && !keys.includes("name"));
});

test("enum values of a scalar", () => {
  assert.deepEqual(complete("name: x\nhost:\n  sched:\n    fair: |\n").sort(), ["cfs", "eevdf"]);
  assert.deepEqual(complete("name: x\nhost:\n  kvm:\n    posted_interrupts: |\n").sort(), ["false", "true"]);
});

test("the workload kinds, then the keys of the chosen kind only", () => {
  const kinds = complete("name: x\nvms:\n  - name: a\n    workloads:\n      - kind: |\n");
  assert.deepEqual(kinds.sort(), ["audio", "bursty", "cyclictest", "periodic", "spin", "stress"]);
  const audio = complete("name: x\nvms:\n  - name: a\n    workloads:\n      - kind: audio\n        |\n");
  assert.ok(audio.includes("buffer_frames") && audio.includes("sample_rate_hz"));
  assert.ok(!audio.includes("interval_us"), "cyclictest keys are not offered for an audio workload");
});

test("a list of modes offers both the mode names and the mode spec keys", () => {
  const items = complete("name: x\nmodes:\n  - |\n");
  for (const k of ["vanilla", "dynamic", "static", "mode", "mechanisms"]) assert.ok(items.includes(k), k);
  const mechs = complete("name: x\nmodes:\n  - mode: dynamic\n    mechanisms:\n      |\n");
  assert.deepEqual([...mechs].sort(), [...MECHANISM_IDS].sort());
  assert.ok(mechs.includes("boost_on_inject"));
});

test("nothing inside a comment", () => {
  assert.deepEqual(complete("name: x # |\n"), []);
});

test("hover on a key gives its path, type and description", () => {
  const h = hover("name: x\nhost:\n  cp|us: 4\n");
  assert.ok(h);
  assert.deepEqual(h.path, ["host", "cpus"]);
  // The path is escaped as Markdown (user text in a MarkdownString): `host\.cpus` shows "host.cpus".
  assert.match(h.markdown, /\*\*host\\\.cpus\*\*/);
  assert.match(h.markdown, /Number of host CPUs/);
  assert.match(h.markdown, /≤ 256/);
  assert.deepEqual(h.range, [16, 20]);
});

test("hover inside a list item follows the discriminated workload kind", () => {
  const h = hover("name: x\nvms:\n  - name: a\n    workloads:\n      - kind: audio\n        buffer_fr|ames: 96\n");
  assert.ok(h);
  assert.deepEqual(h.path, ["vms", 0, "workloads", 0, "buffer_frames"]);
  assert.match(h.markdown, /Frames per buffer/);
});

test("hover on a bad enum value lists the allowed ones", () => {
  const h = hover("name: x\nhost:\n  sched:\n    fair: cf|q\n");
  assert.ok(h);
  assert.match(h.markdown, /Allowed: `cfs`, `eevdf`/);
});

test("no hover outside the schema", () => {
  assert.equal(hover("name: x\nbogus:\n  de|ep: 1\n"), undefined);
});

test("hover and completion answer nothing for a text over the loader's size limit (issue 14)", () => {
  const big = "name: x\nhost:\n  cpus: 4\n" + "# pad\n".repeat(Math.ceil(ASSIST_LIMITS.maxChars / 6));
  assert.ok(big.length > ASSIST_LIMITS.maxChars);
  assert.equal(ASSIST_LIMITS.maxChars, LOADER_LIMITS.maxChars, "the same limit as diagnostics");
  assert.equal(hoverAt(big, big.indexOf("cpus"), schema), undefined);
  assert.deepEqual(completionsAt(big, big.indexOf("cpus"), schema).entries, []);
  // Just under the limit, the same file still gets its hover.
  const small = big.slice(0, ASSIST_LIMITS.maxChars);
  assert.ok(hoverAt(small, small.indexOf("cpus"), schema));
});

test("numberAt: the number under the cursor with its YAML path; keys, strings and comments are none", () => {
  const src = "name: x\nhost:\n  cpus: 4\n  workloads:\n    - { kind: stress, workers: 3 } # 3 hogs\npvsched: { boost_priority: 8 }\n";
  const at = (needle: string, k = 0) => numberAt(src, src.indexOf(needle) + k);
  assert.deepEqual(at("4"), { path: ["host", "cpus"], value: 4, range: [src.indexOf("4"), src.indexOf("4") + 1] });
  assert.deepEqual(at("3 }")?.path, ["host", "workloads", 0, "workers"]);
  assert.deepEqual(at("8 }")?.path, ["pvsched", "boost_priority"]);
  assert.equal(at("cpus"), undefined, "a key");
  assert.equal(at("stress", 2), undefined, "a string");
  assert.equal(at("3 hogs"), undefined, "a comment");
  assert.equal(numberAt("a:\n  8: 9\n", 5), undefined, "a number as a key");
  assert.equal(numberAt("a:\n  8: 9\n", 8)?.value, 9);
});

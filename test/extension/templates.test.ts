/**
 * Every scenario the extension ships for users to start from must load without errors: the
 * snippets (rendered with their default placeholder values) and examples/scenarios/.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadScenario } from "../../scenario-loader/index";
import snippets from "../../snippets/pvsched-scenario.json";
import { renderSnippet } from "./render-snippet";

const root = resolve(__dirname, "../..");

const entries = Object.entries(snippets as Record<string, { prefix: string; body: string[] }>);

test("snippets have unique prefixes and a prefix-worthy name", () => {
  const prefixes = entries.map(([, s]) => s.prefix);
  assert.equal(new Set(prefixes).size, prefixes.length);
  for (const p of prefixes) assert.match(p, /^pvsched-/);
});

test("there is a snippet for the seed, the audio test and each reviewer objection", () => {
  const names = entries.map(([k]) => k.toLowerCase()).join("\n");
  for (const w of ["seed", "audio", "posted interrupts", "nmi", "rogue", "overcommit"]) assert.ok(names.includes(w), w);
});

for (const [name, s] of entries) {
  if (!s.body.some((l) => /^name\s*:/.test(l))) continue; // fragments (one workload, one mode)
  test(`snippet "${name}" renders to a valid scenario`, () => {
    const text = renderSnippet(s.body);
    const r = loadScenario(text, name);
    assert.ok(r.ok, r.ok ? "" : r.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join("\n") + "\n---\n" + text);
  });
}

const exampleDir = join(root, "examples", "scenarios");
for (const f of readdirSync(exampleDir).filter((x) => x.endsWith(".pvsched.yaml"))) {
  test(`example ${f} is a valid scenario with a comment saying what it shows`, () => {
    const text = readFileSync(join(exampleDir, f), "utf8");
    assert.match(text, /^# \S/, "starts with a comment");
    const r = loadScenario(text, f);
    assert.ok(r.ok, r.ok ? "" : r.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join("\n"));
  });
}

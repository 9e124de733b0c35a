/**
 * Every sample scenario a user starts from (examples/scenarios/, scenarios/lens/, and the
 * whole-scenario templates of snippets/pvsched-scenario.json with their default values) says what it
 * shows, and its `# claim:` comments hold: each claim is run over its own N replications
 * (replication r at the scenario's seed + r, runner/replications.ts) and must hold in at least K
 * (report/claims.ts). The expectations live in the scenario files, not here, so they move with
 * the files when the simulator changes.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { byReplication, replicate } from "../../runner/replications";
import { checkClaim, claimModes, parseClaims } from "../../report/claims";
import { loadScenario } from "../../scenario-loader/index";
import { resolveModes, type RunResult, simulate } from "../../sim-core/index";
import snippets from "../../snippets/pvsched-scenario.json";
import { renderSnippet } from "../extension/render-snippet";

const root = join(__dirname, "../..");
const FILES = ["examples/scenarios", "scenarios/lens"].flatMap((d) =>
  readdirSync(join(root, d))
    .filter((f) => f.endsWith(".pvsched.yaml"))
    .sort()
    .map((f) => `${d}/${f}`),
);

const TEMPLATES = Object.entries(snippets as Record<string, { body: string[] }>)
  .filter(([, t]) => t.body.some((l) => /^name\s*:/.test(l)))
  .map(([name, t]) => ({ file: `template "${name}"`, text: () => renderSnippet(t.body) }));
const SOURCES = [...FILES.map((file) => ({ file, text: () => readFileSync(join(root, file), "utf8") })), ...TEMPLATES];

for (const { file, text: read } of SOURCES) {
  test(`${file}: says what it shows, and its claims hold`, () => {
    const text = read();
    assert.match(text, /^# What it shows/m, `${file} has no "# What it shows" comment`);
    const parsed = parseClaims(text);
    assert.ok("claims" in parsed, "problem" in parsed ? `${file}: ${parsed.problem}` : "");
    const { claims } = parsed;
    assert.ok(claims.length > 0, `${file} makes no "# claim:"`);
    const loaded = loadScenario(text, file);
    assert.ok(loaded.ok, `${file} loads`);
    const s = loaded.scenario;
    const wanted = new Set(claims.flatMap(claimModes));
    const modes = resolveModes(s).filter((m) => wanted.has(m.name ?? m.mode));
    const n = Math.max(...claims.map((c) => c.of));
    const tasks = replicate(
      modes.map((mode) => ({ scenario: s, mode, timeline: false })),
      n,
    );
    const results = tasks.map((t) => simulate(t.scenario, t.mode, {}));
    const reps = byReplication(results, n).map((rs) => new Map<string, RunResult>(rs.map((r) => [r.mode, r])));
    for (const c of claims) {
      const o = checkClaim(c, reps.slice(0, c.of));
      assert.ok(o.holds, `${file}:${c.line}: "${c.text}" held in ${o.held} of ${c.of} (need ${c.holdsIn}): ${o.detail.join("; ")}`);
    }
  });
}

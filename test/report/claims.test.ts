import { test } from "node:test";
import assert from "node:assert/strict";
import { checkClaim, claimModes, parseClaims } from "../../report/claims";
import type { RunResult } from "../../sim-core/index";

test("parseClaims: terms, operators, factors and k of n, with the line", () => {
  const text = [
    "# Something",
    "# claim: guest-cyclictest.avg_us@vanilla > 10x guest-cyclictest.avg_us@dynamic in 3 of 3",
    "name: x",
    "  # claim: mechanisms.switches@dynamic > 0 in 2 of 3",
  ].join("\n");
  const r = parseClaims(text);
  assert.ok("claims" in r);
  const [a, b] = r.claims;
  assert.equal(a!.line, 2);
  assert.deepEqual(a!.left, { kind: "probe", probe: "guest-cyclictest", metric: "avg_us", mode: "vanilla" });
  assert.equal(a!.op, ">");
  assert.equal(a!.factor, 10);
  assert.deepEqual([a!.holdsIn, a!.of], [3, 3]);
  assert.deepEqual(b!.left, { kind: "mechanism", mechanism: "switches", mode: "dynamic" });
  assert.deepEqual(b!.right, { kind: "number", value: 0 });
  assert.deepEqual(claimModes(a!), ["vanilla", "dynamic"]);
});

test("parseClaims: a malformed claim is refused with its line, not skipped", () => {
  const bad = parseClaims("# ok\n# claim: guest.avg_us@vanilla is big\n");
  assert.ok("problem" in bad && bad.line === 2, JSON.stringify(bad));
  const metric = parseClaims("# claim: guest.speed@vanilla > 1 in 1 of 1\n");
  assert.ok("problem" in metric && /unknown metric "speed"/.test(metric.problem));
  const kn = parseClaims("# claim: guest.avg_us@vanilla > 1 in 4 of 3\n");
  assert.ok("problem" in kn && /1 <= k <= n/.test(kn.problem));
});

const run = (mode: string, max: number, switches = 0) =>
  ({
    mode,
    mechanisms: { switches },
    probes: [{ id: "g", latency: { max_us: max, avg_us: 1, count: 10 }, glitches: undefined }],
  }) as unknown as RunResult;

test("checkClaim: counts the replications that hold, and needs k of them", () => {
  const parsed = parseClaims("# claim: g.max_us@vanilla > 2x g.max_us@dynamic in 2 of 3\n");
  assert.ok("claims" in parsed);
  const c = parsed.claims[0]!;
  const reps = [
    new Map([
      ["vanilla", run("vanilla", 100)],
      ["dynamic", run("dynamic", 10)],
    ]),
    new Map([
      ["vanilla", run("vanilla", 100)],
      ["dynamic", run("dynamic", 60)],
    ]),
    new Map([
      ["vanilla", run("vanilla", 100)],
      ["dynamic", run("dynamic", 49)],
    ]),
  ];
  const o = checkClaim(c, reps);
  assert.equal(o.held, 2);
  assert.equal(o.holds, true);
  assert.equal(checkClaim(c, reps.slice(0, 2)).holds, false);
  // A mode that did not run is a failed replication with its reason.
  const missing = checkClaim(c, [new Map([["vanilla", run("vanilla", 100)]])]);
  assert.equal(missing.held, 0);
  assert.match(missing.detail[0]!, /no run of mode "dynamic"/);
});

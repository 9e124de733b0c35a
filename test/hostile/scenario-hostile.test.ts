/**
 * Hostile inputs for the simulating commands (issue 14): every input of test/hostile/inputs.ts,
 * and non-regular files for every command that reads one, given to the real CLI. Each must be
 * answered with exit 2 and one line on stderr within 2 s of CPU (test/hostile/child.ts), never a
 * hang, a crash, a NaN result or an out-of-memory.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertBadInput, buildCli, cli, scratch } from "./child";
import { HOSTILE_SCENARIOS, specialFiles } from "./inputs";

const scr = scratch("pvsched-hostile-scenario-");
const run = (args: string[]) => cli(scr.dir, args, { timeoutMs: 60_000 });

before(buildCli);
after(scr.done);

for (const h of HOSTILE_SCENARIOS) {
  test(`${h.what}: exit 2, one line, within 2 s of CPU`, () => {
    assertBadInput(run(h.make(scr.dir, scr.file)), h.expect);
  });
}

test("a FIFO or a link to /dev/zero is refused by run, compare, ablate, seed-report --seed-dir and trace import", () => {
  const { fifo, zero, seedDir } = specialFiles(scr.dir);
  for (const cmd of ["run", "compare", "ablate"]) {
    // Before: the FIFO blocked for ever, /dev/zero grew without bound until SIGSEGV.
    assertBadInput(run([cmd, fifo]), /fifo\.pvsched\.yaml: not a regular file \(a FIFO\), not a scenario file$/);
    assertBadInput(run([cmd, zero]), /zero\.pvsched\.yaml: not a regular file \(a character device\), not a scenario file$/);
  }
  assertBadInput(run(["seed-report", "--seed-dir", seedDir]), /seeds\/a\.pvsched\.yaml: not a regular file \(a character device\)/);
  assertBadInput(run(["seed-report", "--seed-dir", fifo]), /fifo\.pvsched\.yaml: not a directory of seed scenarios$/);
  assertBadInput(run(["trace", "import", zero]), /zero\.pvsched\.yaml: not a regular file \(a character device\), not a trace file$/);
});

test("scenario, mode and probe names reach stdout with their control characters escaped", () => {
  const f = scr.file(
    "esc.yaml",
    'name: "x\\e]0;pwned\\a\\e[2J"\nduration_s: 0.02\nhost:\n  cpus: 1\n  workloads: [{ kind: cyclictest }]\nmodes: [vanilla, { mode: dynamic, name: "d\\e[31m\\u009b2J\\u202e" }]\n',
  );
  for (const args of [
    ["run", f],
    ["compare", f],
    ["ablate", f, "--replications", "1"],
    ["run", f, "--json"],
  ]) {
    const r = run(args);
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(
      r.out,
      /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/,
      `${args.join(" ")}: ${JSON.stringify(r.out.slice(0, 300))}`,
    );
    if (args.includes("--json")) assert.equal(JSON.parse(r.out).scenario, "x\u001b]0;pwned\u0007\u001b[2J", "JSON keeps the name exactly");
    else assert.match(r.out, /x\\x1b\]0;pwned\\x07\\x1b\[2J/, "the name is shown, escaped");
  }
});

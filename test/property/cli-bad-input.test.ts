/**
 * The CLI's bad-input contract end to end (issue 6): `pvsched-sim run <bad.yaml>` and
 * `pvsched-sim map <bad.patch>` exit with status 2 and print exactly one line on stderr (and
 * nothing on stdout) within 2 s, for every bad-input class. test/cli/cli.test.ts and
 * test/patch/cli-map.test.ts check the messages themselves (map in-process); this file runs the
 * real binary for every class the issue lists, including the 50 MB mbox, and once through npx.
 *
 * The child process, its timing and the contract's assertions: test/hostile/child.ts.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { assertBadInput, buildCli, cli as runCli, root, scratch } from "../hostile/child";

const scr = scratch("pvsched-bad-");
const tmp = scr.dir;
const file = scr.file;
const cli = (args: string[], viaNpx = false) => runCli(tmp, args, { viaNpx });

before(buildCli);
after(scr.done);

// ---- run <bad.yaml> ----------------------------------------------------------------------------

const RUN_CASES: [string, () => string, RegExp][] = [
  ["YAML syntax error", () => file("syntax.yaml", "name: x\nhost: {cpus: 2\n"), /^.*syntax\.yaml:\d+:\d+: /],
  [
    "unknown key",
    () => file("unknown.yaml", "name: x\nhost:\n  cpus: 2\n  hyperthreads: true\n"),
    /unknown\.yaml:4:3: host\.hyperthreads: .*unknown/,
  ],
  ["0 CPUs", () => file("zero-cpus.yaml", "name: x\nhost:\n  cpus: 0\n"), /zero-cpus\.yaml:3:9: host\.cpus: /],
  [
    "negative period",
    () =>
      file("neg-period.yaml", "name: x\nhost:\n  cpus: 1\n  workloads:\n    - {kind: periodic, period_us: -100, work: {const_us: 5}}\n"),
    /neg-period\.yaml:5:\d+: host\.workloads\[0\]\.period_us: /,
  ],
  [
    "zero period",
    () =>
      file(
        "zero-period.yaml",
        "name: x\nhost:\n  cpus: 1\n  workloads:\n    - kind: periodic\n      period_us: 0\n      work: {const_us: 5}\n",
      ),
    /zero-period\.yaml:6:18: host\.workloads\[0\]\.period_us: /,
  ],
  [
    "interval shorter than a context switch",
    () =>
      file(
        "interval.yaml",
        "name: x\nhost:\n  cpus: 1\n  sched: {context_switch_ns: 5000}\n  workloads:\n    - {kind: cyclictest, interval_us: 4}\n",
      ),
    /interval\.yaml:6:\d+: host\.workloads\[0\]\.interval_us: .*context switch/,
  ],
  [
    "unknown mechanism",
    () => file("mech.yaml", "name: x\nhost: {cpus: 1}\nmodes:\n  - mode: dynamic\n    mechanisms:\n      hyper_boost: false\n"),
    /mech\.yaml:6:7: modes\[0\]\.mechanisms\.hyper_boost: /,
  ],
  ["over a limit: 100000 CPUs", () => file("cpus.yaml", "name: x\nhost:\n  cpus: 100000\n"), /cpus\.yaml:3:9: host\.cpus: .*256/],
  [
    "over a limit: 600 vCPUs",
    () =>
      file(
        "vcpus.yaml",
        "name: x\nhost: {cpus: 4}\nvms:\n" + Array.from({ length: 10 }, (_, i) => `  - {name: v${i}, vcpus: 60}\n`).join(""),
      ),
    /vcpus\.yaml:\d+:\d+: vms: .*512/,
  ],
  [
    "over a limit: duration",
    () => file("duration.yaml", "name: x\nduration_s: 86400\nhost: {cpus: 1}\n"),
    /duration\.yaml:2:13: duration_s: .*3600/,
  ],
  [
    "binary file",
    () => file("elf.yaml", new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0])),
    /elf\.yaml:1:\d+: not a text file/,
  ],
  [
    "non-UTF-8",
    () => file("latin1.yaml", Buffer.from("name: caf\xe9\nhost: {cpus: 1}\n", "latin1")),
    /latin1\.yaml:\d+:\d+: not a text file \(invalid UTF-8\)/,
  ],
  ["empty file", () => file("empty.yaml", ""), /empty\.yaml:1:1: .*empty/],
  ["only a comment", () => file("comment.yaml", "# nothing here\n"), /comment\.yaml:1:1: .*empty/],
  ["deep nesting", () => file("deep.yaml", "name: x\nhost: " + "[".repeat(5000) + "]".repeat(5000) + "\n"), /deep\.yaml:\d+:\d+: /],
  [
    "file too large",
    () => file("large.yaml", "name: x\nhost: {cpus: 1}\n#" + "x".repeat(4_000_000) + "\n"),
    /large\.yaml:1:1: file too large/,
  ],
];

for (const [what, make, pattern] of RUN_CASES) {
  test(`run <bad.yaml>: ${what} -> exit 2, one line, within 2 s`, () => assertBadInput(cli(["run", make()]), pattern));
}

// Was: exit 1 with `pvsched-sim: internal error: Maximum call stack size exceeded`.
test("run <bad.yaml>: a self-referential YAML alias -> exit 2, one line", () =>
  assertBadInput(
    cli(["run", file("self-alias.yaml", "name: &a [*a]\nhost: {cpus: 1}\n")]),
    /self-alias\.yaml:1:11: alias \*a is inside the value its anchor &a names/,
  ));

// Was over the contract: ~1 ms of CPU per invalid item, superlinear beyond (2000 items 2.1 s).
test("run <bad.yaml>: 2000 invalid workloads -> exit 2, one line, within 2 s", () =>
  assertBadInput(
    cli([
      "run",
      file(
        "many.yaml",
        "name: x\nhost:\n  cpus: 1\nvms:\n  - name: v\n    vcpus: 1\n    workloads:\n" + "      - kind: audio\n".repeat(2000),
      ),
    ]),
    /many\.yaml:8:\d+: /,
  ));

// The fuzzer's input had 20000 (400 KB); since the 256 KiB text limit, that size is refused
// unread, so 5000 (100 KB) keeps this a test of the count limit.
test("run <bad.yaml>: 5000 workloads -> exit 2 naming the limit, within 2 s", () =>
  assertBadInput(
    cli([
      "run",
      file(
        "5k.yaml",
        "name: x\nhost:\n  cpus: 1\nvms:\n  - name: v\n    vcpus: 1\n    workloads:\n" + "      - kind: audio\n".repeat(5000),
      ),
    ]),
    /5k\.yaml:7:5: vms\[0\]\.workloads: at most 4096 workloads in all/,
  ));

// ---- map <bad.patch> ---------------------------------------------------------------------------

/** A well-formed mbox of about `bytes` bytes: the example series, repeated. */
function bigMbox(name: string, bytes: number, tail = ""): string {
  const series = readFileSync(join(root, "examples", "pvsched-series.mbox"));
  const p = join(tmp, name);
  const fd = openSync(p, "w");
  for (let n = 0; n < bytes; n += series.length) writeSync(fd, series);
  if (tail) writeSync(fd, tail);
  closeSync(fd);
  return p;
}
const TRUNCATED_TAIL =
  "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\nFrom: A <a@example.org>\nSubject: [PATCH 9/8] cut short\n\n" +
  "--- a/kernel/sched/core.c\n+++ b/kernel/sched/core.c\n@@ -10,6 +10,7 @@ void f(void)\n a\n b\n";

const MAP_CASES: [string, () => string, RegExp][] = [
  [
    "binary patch (NUL bytes)",
    () =>
      file(
        "blob.patch",
        Buffer.concat([Buffer.from("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-"), Buffer.from([0, 1, 2, 0xff, 0x7f, 0x45, 0x4c, 0x46])]),
      ),
    /blob\.patch:\d+: binary file/,
  ],
  [
    "truncated hunk",
    () => file("trunc.patch", "--- a/kernel/sched/core.c\n+++ b/kernel/sched/core.c\n@@ -1,5 +1,6 @@\n a\n-b\n+c\n"),
    /trunc\.patch:3: truncated hunk/,
  ],
  [
    "truncated hunk, CRLF",
    () => file("trunc-crlf.patch", "--- a/x.c\r\n+++ b/x.c\r\n@@ -1,5 +1,6 @@\r\n a\r\n"),
    /trunc-crlf\.patch:3: truncated hunk/,
  ],
  [
    "non-UTF-8 and not text",
    () => file("garbage.patch", Buffer.from([0x2b, 0xff, 0xfe, 0x0a, 0x2b, 0x02, 0x03, 0x1b, 0x0a])),
    /garbage\.patch:\d+: not UTF-8/,
  ],
  ["empty file", () => file("empty.patch", ""), /empty\.patch:1: /],
];

for (const [what, make, pattern] of MAP_CASES) {
  test(`map <bad.patch>: ${what} -> exit 2, one line, within 2 s`, () => assertBadInput(cli(["map", make()]), pattern));
}

// Was over the contract: 2.2 s user + 1.0 s sys (3.2 s CPU, RSS 300 MB) for 52 MB; then 1.7 s,
// and 2.3-2.9 s in CI once the hunks' code was read while parsing. Now the file is checked
// (checkPatchText: nothing kept past its mail, no code read) before anything is built: median
// 1.4 s CPU (of which ~0.45 s reading and decoding 50 MB, ~0.25 s node's start) at load 10.
test("map <bad.patch>: a 50 MB mbox whose last hunk is truncated -> exit 2, one line, within 2 s", () => {
  const f = bigMbox("big-truncated.mbox", 50 * 1024 * 1024, TRUNCATED_TAIL);
  assertBadInput(cli(["map", f]), /big-truncated\.mbox:\d+: truncated hunk/);
});

// Was: `run` printed an unknown key and `map` a bad hunk header raw (ESC [2J cleared the terminal).
test("run and map: the error line carries no terminal escape from the input", () => {
  const y = cli(["run", file("esc.yaml", 'name: x\nhost:\n  cpus: 1\n  "k\\e[2J": 1\n')]);
  const m = cli(["map", file("esc.patch", "--- a/x.c\n+++ b/x.c\n@@ -1 +x @@ f\u001b[2J\u001b]0;pwned\u0007\n-a\n+b\n")]);
  for (const r of [y, m]) {
    assert.equal(r.code, 2, r.err);
    assert.doesNotMatch(r.err, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, JSON.stringify(r.err));
  }
});

test("map: a well-formed 50 MB mbox is parsed in bounded time and memory (exit 0, every hunk mapped or listed)", () => {
  const f = bigMbox("big.mbox", 50 * 1024 * 1024);
  const r = cli(["map", f, "--json"]);
  assert.equal(r.code, 0, r.err.slice(0, 500));
  const hunks = JSON.parse(r.out) as unknown[];
  assert.ok(hunks.length > 50_000, `${hunks.length} hunks`);
  // Bounds with room for a loaded machine: 30 s of CPU, 1.5 GB resident for 50 MB of text.
  if (!Number.isNaN(r.cpuMs)) assert.ok(r.cpuMs < 30_000, `CPU ${r.cpuMs} ms`);
  if (!Number.isNaN(r.maxRssKb)) assert.ok(r.maxRssKb < 1_500_000, `RSS ${r.maxRssKb} kB`);
});

test("through npx: `npx pvsched-sim run <bad.yaml>` exits 2 with one line (the bin wiring)", () => {
  const r = cli(["run", file("npx-zero.yaml", "name: x\nhost:\n  cpus: 0\n")], true);
  assert.equal(r.code, 2, r.err);
  assert.equal(r.err.split("\n").filter(Boolean).length, 1, r.err);
  assert.match(r.err, /npx-zero\.yaml:3:9: host\.cpus: /);
});

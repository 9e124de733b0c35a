/**
 * cyclictest (sim-core/workloads/cyclictest.ts) on the stand-in kernel of workloads-kernel.ts:
 * its command line as rt-tests reads it, and its threads. cyclictest sleeps to absolute
 * deadlines `interval` apart, skips the periods already past, and records now - deadline;
 * thread i's interval is -i + i * -d; -p implies SCHED_FIFO; it holds /dev/cpu_dma_latency at
 * 0 unless --laptop.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CyclictestWorkload, Dist } from "../../sim-core/scenario";
import {
  CYCLICTEST_WORK,
  cyclictestOptions,
  parseCyclictestCmdline,
  readCyclictestCmdline,
  spawnCyclictest,
} from "../../sim-core/workloads/cyclictest";
import { MS, US, fake, latency, stream } from "./workloads-kernel";

// ---- cyclictest: the command line ---------------------------------------------------------

test("cyclictest's command line: the program name may lead; -t/-i/-d/-p/-D/--policy in every form cyclictest takes", () => {
  const forms: [string, Record<string, unknown>][] = [
    ["cyclictest -t4 -i500 -d50 -p80 -D90s", { threads: 4, intervalUs: 500, distanceUs: 50, priority: 80, policy: "fifo", durationS: 90 }],
    ["/usr/bin/cyclictest -t 4 -i 500 -d 50", { threads: 4, intervalUs: 500, distanceUs: 50 }],
    [
      "./cyclictest --threads=2 --interval=200 --distance=0 --priority=99",
      { threads: 2, intervalUs: 200, distanceUs: 0, priority: 99, policy: "fifo" },
    ],
    [
      "--threads 3 --interval 100 --distance 7 --prio 5 --duration 2m",
      { threads: 3, intervalUs: 100, distanceUs: 7, priority: 5, policy: "fifo", durationS: 120 },
    ],
    ["-t 1", { threads: 1 }],
    ["-D 90", { durationS: 90 }],
    ["-D1h", { durationS: 3600 }],
    ["-D 2d", { durationS: 172800 }],
    ["-D 5M", { durationS: 300 }],
    ["-D 7S", { durationS: 7 }],
    ["--policy=rr -p 10", { policy: "rr", priority: 10 }],
    ["-p 10 --policy rr", { policy: "rr", priority: 10 }],
    ["--policy=batch", { policy: "batch" }],
    ["--policy=idle", { policy: "idle" }],
    ["--policy=fifo", { policy: "fifo" }],
    ["--policy=other", { policy: "other" }],
    // A priority of 0 is no RT priority: the policy stays cyclictest's default.
    ["-p 0", { priority: 0 }],
    ["-p -1", { priority: -1 }],
    // A negative number is a value, not an option; a sign is allowed.
    ["-i -5 -d +7", { intervalUs: -5, distanceUs: 7 }],
    // Later words win.
    ["-i 100 -i 200", { intervalUs: 200 }],
    ["", {}],
  ];
  for (const [cmd, want] of forms) {
    const r = readCyclictestCmdline(cmd);
    assert.deepEqual(r.options, want, cmd);
    assert.deepEqual(r.problems, [], cmd);
  }
});

test("cyclictest's command line: output, memory, clock and histogram options are accepted and ignored, with their values", () => {
  const ignored = [
    "-q --quiet -m --mlockall -n --nanosleep -N --nsecs -S --smp -u --unbuffered -v --verbose -M --refresh_on_max",
    "-s --system -R --resolution --laptop --numa -x --posix_timers -a --affinity -A --aligned -r --relative",
    // no_argument in rt-tests' long_options: the next word is an option again.
    "--priospread --dbg_cyclictest",
  ];
  for (const cmd of ignored) {
    const r = readCyclictestCmdline(`cyclictest ${cmd} -t 2`);
    assert.deepEqual(r.options, { threads: 2 }, cmd);
    assert.deepEqual(r.problems, [], cmd);
  }
  // Each of these takes the next word as its value (which must not be read as an option).
  for (const o of ["-h", "--histogram", "-H", "--histofall", "-l", "--loops", "-b", "--breaktrace", "-c", "--clock", "-F", "--fifo"]) {
    const r = readCyclictestCmdline(`${o} -i -t 2`);
    assert.deepEqual(r.options, { threads: 2 }, o);
    assert.deepEqual(r.problems, [], o);
  }
  // Long-only options with a value (rt-tests' required_argument).
  for (const o of ["--json", "--latency", "--spike"]) {
    const r = readCyclictestCmdline(`${o} -i -t 2`);
    assert.deepEqual(r.options, { threads: 2 }, o);
    assert.deepEqual(r.problems, [], o);
  }
  // An attached value (--histogram=400) is the option's own: the next word is read again.
  assert.deepEqual(readCyclictestCmdline("--histogram=400 -t 2").options, { threads: 2 });
  assert.deepEqual(readCyclictestCmdline("--latency=0 -t 2").options, { threads: 2 });
});

test("cyclictest's command line: problems carry the offending words and their position", () => {
  const cmd = "cyclictest -z -t -i -q -p abc --policy=deadline -D 5x -d 1.5 --bogus=1";
  const r = readCyclictestCmdline(cmd);
  assert.deepEqual(r.options, {});
  assert.deepEqual(
    r.problems.map((p) => [p.span, p.severity, p.message]),
    [
      [[11, 13], "warning", "-z: unknown cyclictest option, ignored (known: -t, -i, -d, -p, -D, --policy and output options)"],
      [[14, 16], "error", "-t: a thread count is needed (one thread per CPU is not modelled)"],
      [[17, 19], "error", "-i: needs a value"],
      [[23, 29], "error", "-p abc: not a whole number"],
      [[30, 47], "error", "--policy=deadline: must be one of fifo, rr, other, batch, idle"],
      [[48, 53], "error", "-D 5x: not a duration (N, Ns, Nm, Nh or Nd)"],
      [[54, 60], "error", "-d 1.5: not a whole number"],
      [[61, 70], "warning", "--bogus=1: unknown cyclictest option, ignored (known: -t, -i, -d, -p, -D, --policy and output options)"],
    ],
  );
  // A duration is digits and one unit, nothing before them.
  assert.deepEqual(
    readCyclictestCmdline("-D x90").problems.map((p) => p.message),
    ["-D x90: not a duration (N, Ns, Nm, Nh or Nd)"],
  );
  // A negative number is a value; another word that starts with a dash is an option.
  assert.deepEqual(
    readCyclictestCmdline("-i -x-1").problems.map((p) => p.message),
    ["-i: needs a value", "-x-1: unknown cyclictest option, ignored (known: -t, -i, -d, -p, -D, --policy and output options)"],
  );
  // A value option at the very end has nothing to read.
  const end = readCyclictestCmdline("-t 2 -d");
  assert.deepEqual(end.options, { threads: 2 });
  assert.deepEqual(
    end.problems.map((p) => [p.span, p.message]),
    [[[5, 7], "-d: needs a value"]],
  );
  // Only "cyclictest" itself (or a path to it) is a program name.
  const prog = readCyclictestCmdline("cyclictest2 -t 2");
  assert.deepEqual(prog.options, { threads: 2 });
  assert.deepEqual(
    prog.problems.map((p) => [p.span, p.severity]),
    [[[0, 11], "warning"]],
  );
  assert.equal(readCyclictestCmdline("xcyclictest").problems.length, 1);
  // A single dash option with "=" is not split there: its attached value is "=4".
  assert.deepEqual(
    readCyclictestCmdline("-t=4").problems.map((p) => p.message),
    ["-t=4: not a whole number"],
  );
  // Only a value option's attached form is split: -h400 is not -h 400.
  assert.deepEqual(
    readCyclictestCmdline("-h400").problems.map((p) => [p.span, p.severity]),
    [[[0, 5], "warning"]],
  );
});

test("cyclictest's command line: each option's span covers the option and its value", () => {
  const cmd = "cyclictest -t 4 -i500 --distance=20 -p 80  --policy rr -D 10m";
  const r = readCyclictestCmdline(cmd);
  assert.deepEqual(r.spans, {
    threads: [11, 15],
    intervalUs: [16, 21],
    distanceUs: [22, 35],
    priority: [36, 41],
    policy: [43, 54],
    durationS: [55, 61],
  });
  for (const [key, [a, b]] of Object.entries(r.spans)) assert.notEqual(cmd.slice(a, b).trim(), "", key);
  assert.equal(cmd.slice(...r.spans.policy!), "--policy rr");
  // A word that failed sets no span.
  assert.deepEqual(readCyclictestCmdline("-i x --policy=x").spans, {});
});

test("parseCyclictestCmdline gives the options that change the run (not the duration)", () => {
  assert.deepEqual(parseCyclictestCmdline("cyclictest -t2 -p 90 -D 60 -q"), { threads: 2, priority: 90, policy: "fifo" });
  assert.deepEqual(parseCyclictestCmdline("-D 60"), {});
});

test("cyclictestOptions: rt-tests' defaults (1 thread, -i 1000, -d 500, SCHED_OTHER); scenario fields win over the command line", () => {
  const base: CyclictestWorkload = { kind: "cyclictest" };
  assert.deepEqual(cyclictestOptions(base), { threads: 1, intervalUs: 1000, distanceUs: 500, policy: "other", priority: 0 });
  const cmdline = "cyclictest -t 3 -i 200 -d 10 -p 80";
  assert.deepEqual(cyclictestOptions({ ...base, cmdline }), { threads: 3, intervalUs: 200, distanceUs: 10, policy: "fifo", priority: 80 });
  assert.deepEqual(cyclictestOptions({ ...base, cmdline, threads: 2, interval_us: 300, distance_us: 0, policy: "rr", priority: 5 }), {
    threads: 2,
    intervalUs: 300,
    distanceUs: 0,
    policy: "rr",
    priority: 5,
  });
});

test("cyclictestOptions: process_options()'s last checks: a priority means SCHED_FIFO, an RT policy without one runs at threads + 1", () => {
  const base: CyclictestWorkload = { kind: "cyclictest" };
  // -p before --policy other: the policy is set back to SCHED_FIFO ("policy and priority don't match").
  assert.deepEqual(cyclictestOptions({ ...base, cmdline: "-p 80 --policy other" }), {
    threads: 1,
    intervalUs: 1000,
    distanceUs: 500,
    policy: "fifo",
    priority: 80,
  });
  // --policy=fifo without -p: "defaulting realtime priority to" num_threads + 1.
  assert.equal(cyclictestOptions({ ...base, cmdline: "--policy=fifo -t 2" }).priority, 3);
  assert.equal(cyclictestOptions({ ...base, cmdline: "--policy rr" }).priority, 2);
  // The same rules hold for the scenario's own fields (the thread cyclictest would run).
  assert.deepEqual((({ policy, priority }) => ({ policy, priority }))(cyclictestOptions({ ...base, threads: 4, policy: "fifo" })), {
    policy: "fifo",
    priority: 5,
  });
  assert.equal(cyclictestOptions({ ...base, policy: "other", priority: 10 }).policy, "fifo");
  // No priority and a fair policy stay as they are.
  assert.equal(cyclictestOptions({ ...base, cmdline: "--policy batch" }).priority, 0);
  // --priospread takes no value: -t after it is read.
  assert.equal(cyclictestOptions({ ...base, cmdline: "--priospread -t 4" }).threads, 4);
});

// ---- cyclictest: the threads --------------------------------------------------------------

test("cyclictest: a thread sleeps to absolute deadlines one interval apart from a random phase; each sample is now - deadline", () => {
  const f = fake({ delayNs: 7 * US });
  spawnCyclictest(f.k, { kind: "cyclictest", interval_us: 1000, work: { const_us: 10 }, cpu: 1, cgroup: "rt", nice: -5 }, "ct");
  const phase = Math.floor(stream("ct.0").float() * MS);
  assert.ok(phase > 0 && phase < MS);
  f.runTo(phase + 3.5 * MS);
  const [t] = f.spawned;
  assert.equal(f.spawned.length, 1);
  assert.equal(t!.name, "ct.0");
  assert.deepEqual(f.spawnedAs, ["other/0/-5"]);
  assert.deepEqual(f.calls("spawn"), [[0, 1]]);
  assert.deepEqual(f.cgroups, ["rt"]);
  assert.deepEqual(f.calls("first"), [[0, phase]]);
  // Woken at each deadline with its loop's work; back to sleep 10 us after it runs (7 us late).
  assert.deepEqual(
    f.calls("wake"),
    [0, 1, 2, 3].map((n) => [phase + n * MS, 10 * US]),
  );
  assert.deepEqual(
    f.calls("sleep"),
    [1, 2, 3, 4].map((n) => [phase + (n - 1) * MS + 17 * US, phase + n * MS]),
  );
  const [p] = f.probes;
  assert.equal(f.probes.length, 1);
  assert.deepEqual([p!.id, p!.kind], ["ct", "cyclictest"]);
  const l = latency(p!);
  assert.deepEqual([l.count, l.min_us, l.max_us], [4, 7, 7]);
  assert.equal(p!.maxAtNs, phase + 7 * US);
});

test("cyclictest: a loop that overruns skips the deadlines already past, including one it ends exactly on", () => {
  // 2.5 ms of work on a 1 ms interval: it ends 2.5 ms after its deadline and sleeps to the third next.
  const a = fake();
  spawnCyclictest(a.k, { kind: "cyclictest", interval_us: 1000, work: { const_us: 2500 } }, "ct");
  const pa = Math.floor(stream("ct.0").float() * MS);
  a.runTo(pa + 7 * MS);
  assert.deepEqual(
    a.calls("wake").map(([at]) => at - pa),
    [0, 3 * MS, 6 * MS],
  );
  assert.deepEqual(
    a.calls("sleep").map(([at, soft]) => [at - pa, soft! - pa]),
    [
      [2.5 * MS, 3 * MS],
      [5.5 * MS, 6 * MS],
    ],
  );
  // Exactly one interval of work: the deadline it ends on is past (clock_nanosleep would return at once).
  const b = fake();
  spawnCyclictest(b.k, { kind: "cyclictest", interval_us: 1000, work: { const_us: 1000 } }, "ct");
  const pb = Math.floor(stream("ct.0").float() * MS);
  b.runTo(pb + 4.5 * MS);
  assert.deepEqual(
    b.calls("sleep").map(([at, soft]) => [at - pb, soft! - pb]),
    [
      [1 * MS, 2 * MS],
      [3 * MS, 4 * MS],
    ],
  );
  const l = latency(b.probes[0]!);
  assert.deepEqual([l.count, l.max_us], [3, 0]);
});

test("cyclictest: thread i's interval is -i + i * -d, each from its own stream; -p gives SCHED_FIFO at that priority", () => {
  const f = fake();
  spawnCyclictest(f.k, { kind: "cyclictest", cmdline: "cyclictest -t3 -i200 -d100 -p80", work: { const_us: 1 } }, "ct");
  assert.deepEqual(
    f.spawned.map((t) => t.name),
    ["ct.0", "ct.1", "ct.2"],
  );
  assert.deepEqual(f.spawnedAs, ["fifo/80/0", "fifo/80/0", "fifo/80/0"]);
  f.runTo(2 * MS);
  for (const [i, intervalUs] of [200, 300, 400].entries()) {
    const phase = Math.floor(stream(`ct.${i}`).float() * intervalUs * US);
    const wakes = f.calls("wake", `ct.${i}`).map(([at]) => at);
    assert.equal(wakes[0], phase, `thread ${i}`);
    assert.equal(wakes[1]! - wakes[0]!, intervalUs * US, `thread ${i}`);
    assert.equal(wakes[2]! - wakes[1]!, intervalUs * US, `thread ${i}`);
  }
  // One probe for all the threads.
  assert.equal(f.probes.length, 1);
  assert.equal(latency(f.probes[0]!).count, f.calls("wake").length);
});

test("cyclictest holds /dev/cpu_dma_latency at 0 unless --laptop is given", () => {
  const held = (cmdline?: string) => {
    const f = fake();
    spawnCyclictest(f.k, { kind: "cyclictest", ...(cmdline !== undefined ? { cmdline } : {}) }, "ct");
    return f.held;
  };
  assert.deepEqual(held(), [0]);
  assert.deepEqual(held("cyclictest -t 2"), [0]);
  assert.deepEqual(held("cyclictest --laptops"), [0]);
  assert.deepEqual(held("cyclictest --no-laptop"), [0]);
  assert.deepEqual(held("--laptop"), []);
  assert.deepEqual(held("cyclictest --laptop"), []);
  assert.deepEqual(held("cyclictest --laptop -t 2"), []);
  assert.deepEqual(held("cyclictest\t--laptop=1"), []);
});

test("cyclictest's loop costs CYCLICTEST_WORK (log-normal, median 1.5 us) times host.cost_scale, unless the scenario gives work", () => {
  assert.deepEqual(CYCLICTEST_WORK, { lognormal_median_us: 1.5, lognormal_gsd: 1.35 });
  const firstWork = (costScale: number, work?: Dist) => {
    const f = fake({ costScale });
    spawnCyclictest(f.k, { kind: "cyclictest", ...(work ? { work } : {}) }, "ct");
    f.runTo(MS);
    return f.calls("wake")[0]![1];
  };
  const draw = (d: Dist) => {
    const r = stream("ct.0");
    r.float();
    return r.ns(d);
  };
  assert.equal(firstWork(1), draw(CYCLICTEST_WORK));
  assert.equal(firstWork(2), draw({ lognormal_median_us: 3, lognormal_gsd: 1.35 }));
  assert.notEqual(firstWork(2), firstWork(1));
  assert.equal(firstWork(2, { const_us: 42 }), 42 * US);
});

/**
 * cyclictest (rt-tests): each thread sleeps to an absolute deadline, reads the clock when it
 * runs again, records now - deadline, and moves the deadline on by its interval, skipping
 * periods already in the past. Options follow cyclictest's: -t threads, -i interval,
 * -d distance, -p priority (which implies SCHED_FIFO), --policy.
 */
import type { CyclictestWorkload, Policy } from "../scenario";
import { Task } from "../sched/task";
import type { Kernel } from "./kernel";
/**
 * CPU time of one cyclictest loop after its wake-up (clock_gettime through the vDSO, the
 * statistics, clock_nanosleep up to the switch out): ~1.5 us on a desktop core from the loop's
 * structure (rt-tests src/cyclictest/cyclictest.c), no published measurement. ESTIMATE.
 */
export const CYCLICTEST_WORK = { lognormal_median_us: 1.5, lognormal_gsd: 1.35 };

export interface CyclictestOptions {
  threads: number;
  intervalUs: number;
  distanceUs: number;
  policy: Policy;
  priority: number;
}

/** Where a value came from in the command line (0-based, end exclusive), for positioned errors. */
export type CmdlineSpan = [start: number, end: number];

/** A syntax problem in a cyclictest command line (ranges are checked in ../limits.ts). */
export interface CmdlineProblem {
  message: string;
  span: CmdlineSpan;
  severity: "error" | "warning";
}

export interface CyclictestCmdline {
  options: Partial<CyclictestOptions> & { durationS?: number };
  /** The span of each option that set a value (the option and its argument). */
  spans: Partial<Record<keyof CyclictestOptions | "durationS", CmdlineSpan>>;
  problems: CmdlineProblem[];
}

/**
 * cyclictest's options that take a value and change what the simulation runs. -t's value may be
 * attached or the next word, as cyclictest itself accepts (`-t4`, `-t 4`, `--threads=4`).
 */
const VALUE_OPTIONS: Record<string, keyof CyclictestCmdline["options"] | "policy"> = {
  "-t": "threads",
  "--threads": "threads",
  "-i": "intervalUs",
  "--interval": "intervalUs",
  "-d": "distanceUs",
  "--distance": "distanceUs",
  "-p": "priority",
  "--priority": "priority",
  "--prio": "priority",
  "-D": "durationS",
  "--duration": "durationS",
  "--policy": "policy",
};

/**
 * Options of rt-tests' cyclictest that do not change the simulated schedule (output, memory
 * locking, clock choice, histograms, tracing): accepted and ignored. Those in WITH_VALUE take one.
 */
const IGNORED = new Set([
  "-q",
  "--quiet",
  "-m",
  "--mlockall",
  "-n",
  "--nanosleep",
  "-N",
  "--nsecs",
  "-S",
  "--smp",
  "-u",
  "--unbuffered",
  "-v",
  "--verbose",
  "-M",
  "--refresh_on_max",
  "-s",
  "--system",
  "-R",
  "--resolution",
  "--laptop",
  "--numa",
  "-x",
  "--posix_timers",
  "-a",
  "--affinity",
  "-A",
  "--aligned",
  "-r",
  "--relative",
  // rt-tests' long_options: no_argument. --priospread (each next thread one priority lower) is
  // not modelled: -p sets every thread's priority.
  "--priospread",
  "--dbg_cyclictest",
]);
const IGNORED_WITH_VALUE = new Set([
  "-h",
  "--histogram",
  "-H",
  "--histofall",
  "-l",
  "--loops",
  "-b",
  "--breaktrace",
  "-c",
  "--clock",
  "-F",
  "--fifo",
  "--json",
  "--latency",
  "--spike",
]);

/** `90`, `90s`, `2m`, `1h`, `1d` (cyclictest's -D syntax) in seconds, or undefined. */
function durationSeconds(v: string): number | undefined {
  const m = /^(\d+)([smhd]?)$/i.exec(v);
  if (!m) return undefined;
  const mult = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? "").toLowerCase()] ?? 1;
  return Number(m[1]) * mult;
}

/**
 * Parses a cyclictest command line the way cyclictest reads its options: the program name may
 * lead; -t/-i/-d/-p/-D/--policy set what the simulation runs; options that only change output
 * are ignored; anything else is a problem with its position. Values must be whole numbers (as
 * cyclictest's atoi would read them, but "abc" is refused instead of read as 0).
 */
export function readCyclictestCmdline(cmd: string): CyclictestCmdline {
  const words: { text: string; start: number }[] = [];
  for (const m of cmd.matchAll(/\S+/g)) words.push({ text: m[0], start: m.index ?? 0 });
  const out: CyclictestCmdline = { options: {}, spans: {}, problems: [] };
  const problem = (message: string, span: CmdlineSpan, severity: "error" | "warning" = "error") =>
    out.problems.push({ message: `${cmd.slice(span[0], span[1])}: ${message}`, span, severity });
  let i = words.length > 0 && /(^|\/)cyclictest$/.test(words[0]!.text) ? 1 : 0;
  for (; i < words.length; i++) {
    const w = words[i]!;
    const eq = w.text.startsWith("--") ? w.text.indexOf("=") : -1;
    let name = eq > 0 ? w.text.slice(0, eq) : w.text;
    let value: string | undefined = eq > 0 ? w.text.slice(eq + 1) : undefined;
    // Short options take an attached value: -i500, -D90s.
    if (value === undefined && /^-[a-zA-Z]./.test(name) && VALUE_OPTIONS[name.slice(0, 2)]) {
      value = name.slice(2);
      name = name.slice(0, 2);
    }
    let end = w.start + w.text.length;
    if (IGNORED.has(name)) continue;
    if (IGNORED_WITH_VALUE.has(name)) {
      if (value === undefined) i++;
      continue;
    }
    const key = VALUE_OPTIONS[name];
    if (!key) {
      problem(`unknown cyclictest option, ignored (known: -t, -i, -d, -p, -D, --policy and output options)`, [w.start, end], "warning");
      continue;
    }
    if (value === undefined) {
      const next = words[i + 1];
      if (!next || (next.text.startsWith("-") && !/^-\d/.test(next.text))) {
        problem(key === "threads" ? "a thread count is needed (one thread per CPU is not modelled)" : "needs a value", [w.start, end]);
        continue;
      }
      value = next.text;
      end = next.start + next.text.length;
      i++;
    }
    const span: CmdlineSpan = [w.start, end];
    if (key === "policy") {
      if (value === "fifo" || value === "rr" || value === "other" || value === "batch" || value === "idle") {
        out.options.policy = value;
        out.spans.policy = span;
      } else problem("must be one of fifo, rr, other, batch, idle", span);
      continue;
    }
    const n = key === "durationS" ? durationSeconds(value) : /^[-+]?\d+$/.test(value) ? Number(value) : undefined;
    if (n === undefined) {
      problem(key === "durationS" ? "not a duration (N, Ns, Nm, Nh or Nd)" : "not a whole number", span);
      continue;
    }
    out.options[key] = n;
    out.spans[key] = span;
    if (key === "priority" && out.options.policy === undefined && n > 0) out.options.policy = "fifo";
  }
  return out;
}

/** The options a command line sets (see readCyclictestCmdline for its problems). */
export function parseCyclictestCmdline(cmd: string): Partial<CyclictestOptions> {
  const { durationS: _d, ...o } = readCyclictestCmdline(cmd).options;
  return o;
}

export function cyclictestOptions(w: CyclictestWorkload): CyclictestOptions {
  const c = w.cmdline ? parseCyclictestCmdline(w.cmdline) : {};
  // rt-tests defaults: 1 thread, -i 1000, -d 500, SCHED_OTHER unless -p is given.
  const threads = w.threads ?? c.threads ?? 1;
  let policy = w.policy ?? c.policy ?? "other";
  let priority = w.priority ?? c.priority ?? 0;
  // process_options()'s last checks: a priority with a policy that has none means SCHED_FIFO
  // ("policy and priority don't match"), and an RT policy without one runs at threads + 1.
  if (priority > 0 && policy !== "fifo" && policy !== "rr") policy = "fifo";
  if ((policy === "fifo" || policy === "rr") && priority === 0) priority = threads + 1;
  return {
    threads,
    intervalUs: w.interval_us ?? c.intervalUs ?? 1000,
    distanceUs: w.distance_us ?? c.distanceUs ?? 500,
    policy,
    priority,
  };
}

export function spawnCyclictest(k: Kernel, w: CyclictestWorkload, id: string): void {
  const o = cyclictestOptions(w);
  const probe = k.probe(id, "cyclictest");
  // rt-tests' set_latency_target(): writes 0 to /dev/cpu_dma_latency unless --laptop.
  if (!/(^|\s)--laptop(\s|=|$)/.test(w.cmdline ?? "")) k.holdCpuDmaLatency(0);
  const work = w.work ?? { ...CYCLICTEST_WORK, lognormal_median_us: CYCLICTEST_WORK.lognormal_median_us * k.costScale };
  for (let i = 0; i < o.threads; i++) {
    const rng = k.stream(`${id}.${i}`);
    const interval = (o.intervalUs + i * o.distanceUs) * 1000;
    let next = 0;
    const t: Task = new Task(
      `${id}.${i}`,
      {
        burstEnd: (task) => {
          const now = k.eng.now;
          next += interval;
          while (next <= now) next += interval;
          k.sleepUntil(task, next, wake);
        },
      },
      o.policy,
      o.priority,
      w.nice ?? 0,
    );
    const wake = () => {
      t.wakeTarget = next;
      t.remaining = rng.ns(work);
      k.wake(t);
    };
    t.onWakeLatency = (lat, now) => probe.record(lat, now);
    k.spawn(t, w.cpu, w.cgroup);
    // Threads start at a random phase of their interval, as they would after thread creation.
    next = Math.floor(rng.float() * interval);
    k.firstSleep(t, next, wake);
  }
}

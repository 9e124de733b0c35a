/**
 * The stand-in kernel of the workload tests (workloads.test.ts, workloads-cyclictest.test.ts):
 * it runs a woken task `delay` ns after its wake-up, for exactly its `remaining` ns, with nothing
 * else on the CPU, and logs every call the workload makes; the expected random draws come from a
 * copy of the stream the workload draws from (same seed and name), so every time is exact.
 */
import { Engine } from "../../sim-core/engine";
import { Probe } from "../../sim-core/metrics";
import { Rng, Streams } from "../../sim-core/rng";
import type { Task } from "../../sim-core/sched/task";
import type { Kernel } from "../../sim-core/workloads/kernel";

export const US = 1_000;
export const MS = 1_000_000;

export interface Call {
  at: number;
  op: "spawn" | "wake" | "sleep" | "first" | "block" | "irq" | "end";
  task: string;
  /** spawn: the CPU asked for; wake: remaining; sleep/first: the soft deadline; irq: handler ns; end: preemptDisabled (1/0). */
  value: number | undefined;
}

export interface Fake {
  k: Kernel;
  eng: Engine;
  log: Call[];
  spawned: Task[];
  /** The cgroup each spawn asked for, in spawn order. */
  cgroups: (string | undefined)[];
  /** Policy and RT priority of each thread as spawned (before anything changes them). */
  spawnedAs: string[];
  probes: Probe[];
  held: number[];
  runTo(t: number): void;
  /** The calls of one kind (of one task), as [at, value]. */
  calls(op: Call["op"], task?: string): [number, number | undefined][];
}

export function fake(opts: { side?: "host" | "guest"; delayNs?: number; costScale?: number; pvThread?: Kernel["pvThread"] } = {}): Fake {
  const eng = new Engine();
  const streams = new Streams(1);
  const log: Call[] = [];
  const spawned: Task[] = [];
  const cgroups: (string | undefined)[] = [];
  const spawnedAs: string[] = [];
  const probes: Probe[] = [];
  const held: number[] = [];
  const asleep = new Set<Task>();
  const side = opts.side ?? "host";
  const delay = opts.delayNs ?? 0;
  const note = (op: Call["op"], t: Task, value?: number) => log.push({ at: eng.now, op, task: t.name, value });
  // Runs the current burst to its end; the program then sets the next one or sleeps.
  const run = (t: Task) => {
    if (t.remaining === Number.POSITIVE_INFINITY) return;
    eng.after(t.remaining, () => {
      note("end", t, t.preemptDisabled ? 1 : 0);
      t.remaining = 0;
      t.prog.burstEnd(t);
      if (!asleep.has(t)) run(t);
    });
  };
  const sleep = (op: "sleep" | "first") => (t: Task, soft: number, onWake: () => void) => {
    asleep.add(t);
    note(op, t, soft);
    eng.at(soft, onWake);
  };
  const k: Kernel = {
    side,
    eng,
    costScale: opts.costScale ?? 1,
    stream: (n) => streams.get(n),
    spawn: (t, cpu, cg) => {
      spawned.push(t);
      cgroups.push(cg);
      spawnedAs.push(`${t.policy}/${t.rtPrio}/${t.nice}`);
      note("spawn", t, cpu);
    },
    wake: (t) => {
      asleep.delete(t);
      note("wake", t, t.remaining);
      eng.after(delay, () => {
        if (t.wakeTarget >= 0) {
          t.onWakeLatency?.(eng.now - t.wakeTarget, eng.now);
          t.wakeTarget = -1;
        }
        t.prog.switchIn?.(t);
        run(t);
      });
    },
    sleepUntil: sleep("sleep"),
    firstSleep: sleep("first"),
    block: (t) => {
      asleep.add(t);
      note("block", t);
    },
    deviceIrq: (t, handlerNs, fn) => {
      note("irq", t, handlerNs);
      eng.after(handlerNs, fn);
    },
    probe: (id, kind) => {
      const p = new Probe(id, side, kind, undefined, 0);
      probes.push(p);
      return p;
    },
    holdCpuDmaLatency: (us) => void held.push(us),
    ...(opts.pvThread !== undefined ? { pvThread: opts.pvThread } : {}),
  };
  return {
    k,
    eng,
    log,
    spawned,
    cgroups,
    spawnedAs,
    probes,
    held,
    runTo: (t) => void eng.run(t, Number.MAX_SAFE_INTEGER),
    calls: (op, task) => log.filter((c) => c.op === op && (task === undefined || c.task === task)).map((c) => [c.at, c.value]),
  };
}

/** The draws a workload's stream `name` makes (a copy: same seed, same name). */
export const stream = (name: string) => new Rng(1, name);
export const latency = (p: Probe) => p.result().latency;

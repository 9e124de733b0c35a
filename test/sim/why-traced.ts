/**
 * The latency tracer (sim-core/why.ts) on a small hand-built world (test/sim/world.ts), with
 * probe threads armed as simulation.ts arms them: for the tracer's tests (why-tracer*.test.ts).
 */
import assert from "node:assert/strict";
import { type World, US, world } from "./world";
import { LatencyTracer } from "../../sim-core/why";
import { Probe } from "../../sim-core/metrics";
import { COST_DEFAULTS } from "../../sim-core/params";
import { Task } from "../../sim-core/sched/task";
import type { HaltPollParams } from "../../sim-core/kvm/halt_poll";
import type { CgroupConfig, Policy, SchedConfig } from "../../sim-core/scenario";
import type { ProbeWhy, SampleWhy } from "../../sim-core/results";

export const HRTIMER = COST_DEFAULTS.hrtimer_irq.median_ns;
export const SWITCH = COST_DEFAULTS.context_switch.median_ns;

export const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
export const zeroParts = { timer: 0, host_irq: 0, host_wait: 0, exit_entry: 0, guest_irq: 0, guest_wait: 0, context_switch: 0 };

export interface Traced {
  w: World;
  tr: LatencyTracer;
  probe: Probe;
}

export interface WorldOpts {
  /** Host and guest scheduler (the tracer is told the host's fair class). */
  sched?: SchedConfig;
  /** KVM's halt-polling (default: off). */
  poll?: HaltPollParams;
  /** The guest's scheduler, if not the host's. */
  guestSched?: SchedConfig;
  /** The host's cgroups. */
  cgroups?: CgroupConfig[];
}

export function traced(hostCpus: number, vcpus = 0, keepTail = false, warmupNs = 0, o: WorldOpts = {}): Traced {
  const w = world(hostCpus, vcpus, o.sched, o.poll, {}, o.guestSched ?? o.sched, { cgroups: o.cgroups });
  const tr = new LatencyTracer(w.eng, o.sched?.fair ?? "cfs", keepTail);
  for (const v of w.vcpus) tr.addVcpu(v);
  const probe = new Probe("p", vcpus > 0 ? "guest" : "host", "cyclictest", undefined, warmupNs);
  tr.watchProbe(probe);
  return { w, tr, probe };
}

export interface TimerOpts {
  name?: string;
  policy?: Policy;
  prio?: number;
  work?: number;
  /** The hard expiry's delay past the soft one (timer slack). */
  slack?: number;
  /** Arm the tracer (as simulation.ts does); false: the sample is not traced. */
  arm?: boolean;
  cpu?: number;
}

/**
 * A host thread that sleeps until each of `times` in turn (armed there, its timer fired `slack`
 * later), runs `work` and sleeps again, as cyclictest does; its samples go to the probe.
 */
export function hostTimer(x: Traced, times: number[], o: TimerOpts = {}): Task {
  const { w, tr, probe } = x;
  const slack = o.slack ?? 0;
  const work = o.work ?? 10 * US;
  let k = 0;
  const sleep = (t: Task) => {
    if (k >= times.length) return;
    if (o.arm !== false) tr.arm(t, times[k]!);
    w.host.hrtimer(t, times[k]! + slack, wake);
  };
  const t: Task = new Task(
    o.name ?? "ct",
    {
      burstEnd: (me) => {
        me.cpu!.sleepCurr();
        sleep(me);
      },
    },
    o.policy ?? "fifo",
    o.prio ?? 50,
  );
  const wake = () => {
    t.wakeTarget = times[k++]!;
    t.remaining = work;
    w.host.wakeTask(t);
  };
  t.onWakeLatency = (lat, now) => probe.record(lat, now);
  tr.watchTask(t, "host");
  t.newTask = false;
  w.host.addTask(t, o.cpu ?? 0, undefined);
  sleep(t);
  return t;
}

/**
 * A guest thread on vCPU 0 that sleeps until each of `times` (the guest's hrtimer, with the
 * guest's timer slack for a fair thread), as hostTimer.
 */
export function guestTimer(x: Traced, times: number[], work = 10 * US, o: Pick<TimerOpts, "policy" | "prio"> = {}): Task {
  const { w, tr, probe } = x;
  const g = w.guest!;
  let k = 0;
  const sleep = (t: Task) => {
    if (k >= times.length) return g.block(t);
    tr.arm(t, times[k]!);
    g.sleepUntil(t, times[k]!, wake);
  };
  const t: Task = new Task("ct", { burstEnd: sleep }, o.policy ?? "fifo", o.prio ?? 50);
  const wake = () => {
    t.wakeTarget = times[k++]!;
    t.remaining = work;
    g.wake(t);
  };
  t.onWakeLatency = (lat, now) => probe.record(lat, now);
  tr.watchTask(t, "guest");
  g.addTask(t, 0);
  sleep(t);
  return t;
}

/** A host FIFO thread woken at `at` for `work` ns (once). */
export function burst(w: World, name: string, at: number, work: number, prio = 60, cpu = 0): Task {
  const t = new Task(name, { burstEnd: (me) => me.cpu!.sleepCurr() }, "fifo", prio);
  t.newTask = false;
  w.host.addTask(t, cpu, undefined);
  w.eng.at(at, () => {
    t.remaining = work;
    w.host.wakeTask(t);
  });
  return t;
}

export function result(x: Traced): ProbeWhy {
  return x.tr.result(0, x.probe.result().latency.histogram);
}

export function worst(x: Traced): SampleWhy {
  const r = result(x);
  assert.ok(r.worst, "no worst sample");
  assert.equal(sum(r.worst.parts_ns), r.worst.latency_ns);
  return r.worst;
}

/**
 * The simulator's probes computed from a real trace (trace/ftrace.ts):
 *  - wake-up latency of a named task: from the expiry of the timer it sleeps on to the
 *    sched_switch that runs it, the trace's nearest equivalent of what cyclictest measures;
 *  - run delay of vCPU threads (the tasks that emit kvm_entry/kvm_exit/kvm_vcpu_wakeup, or
 *    named ones): each stretch from becoming runnable (sched_wakeup, or preempted while
 *    runnable) to running again; its sum per thread is the steal time their guest sees.
 * And the comparison of one such distribution with a simulated one (report/stats.ts).
 */
import { ksSamples, summarize, type Summary } from "../report/stats";
import { latencyStats } from "../sim-core/metrics";
import type { RunResult } from "../sim-core/results";
import { fieldNs, type TraceEvent } from "./ftrace";

export interface LatencySamples {
  /** Latencies in µs, ascending. */
  sorted_us: Float64Array;
  /** pids whose samples these are. */
  pids: number[];
  /** Timers whose expiry could not be tied to a wake-up (a missed hrtimer_expire_entry), not counted. */
  unmatched: number;
}

/**
 * Wake-up latency of the task(s) named `comm`. The time asked for (hrtimer_start's
 * `softexpires=`; `expires=` adds the timer slack) and the handler's `now=`
 * (hrtimer_expire_entry) are CLOCK_MONOTONIC; the trace's own timestamps are the trace clock.
 * The two are related through the same event, never by assuming one clock:
 * latency = (now − softexpires) at the handler + (end − handler) on the trace clock, where
 * the end is the return of the sleep (sys_exit_clock_nanosleep) when the trace has that event,
 * else the sched_switch that runs the task. cyclictest reads its clock right after the return;
 * on this machine the way back to user space after the switch takes 10-15 µs (measured: median
 * 12.7 µs from the switch to the task's next hrtimer_start), too much to leave out.
 * When some of the named threads run with an RT priority (cyclictest's measuring threads, -p),
 * only their RT wake-ups count: the main thread's own sleeps are not measurements.
 */
export function wakeupLatency(events: readonly TraceEvent[], comm: string): LatencySamples {
  // Keyed by `hrtimer=`; an event without one has the undefined key.
  const pending = new Map<number, { timer: string | undefined; expires: number; late?: number; at?: number }>();
  const owner = new Map<string | undefined, number>();
  const out: { us: number; pid: number; rt: boolean }[] = [];
  let unmatched = 0;
  const toReturn = events.some((e) => e.name === "sys_exit_clock_nanosleep");
  /** Expired, waiting for the sleep to return: the lateness at the handler and the handler's time. */
  const woken = new Map<number, { late: number; at: number }>();
  /** Whether each task last woke or ran with an RT priority (kernel priorities below 100). */
  const rt = new Map<number, boolean>();
  for (const e of events) {
    const f = e.fields;
    if (e.name === "hrtimer_start") {
      // clock_nanosleep arms the sleeping task's own timer (function hrtimer_wakeup).
      if (e.comm !== comm || (f.function && !f.function.startsWith("hrtimer_wakeup"))) continue;
      if (pending.has(e.pid)) unmatched++;
      const soft = fieldNs(f, "softexpires");
      pending.set(e.pid, { timer: f.hrtimer, expires: Number.isFinite(soft) ? soft : fieldNs(f, "expires") });
      owner.set(f.hrtimer, e.pid);
    } else if (e.name === "hrtimer_expire_entry") {
      const pid = owner.get(f.hrtimer);
      const p = pid === undefined ? undefined : pending.get(pid);
      if (pid === undefined || !p || p.timer !== f.hrtimer) continue;
      p.late = fieldNs(f, "now") - p.expires;
      p.at = e.ts;
      if (toReturn) {
        woken.set(pid, { late: p.late, at: p.at });
        pending.delete(pid);
      }
    } else if (e.name === "sched_wakeup" || e.name === "sched_switch") {
      const pid = Number(e.name === "sched_wakeup" ? f.pid : f.next_pid);
      rt.set(pid, Number(e.name === "sched_wakeup" ? f.prio : f.next_prio) < 100);
      if (e.name !== "sched_switch" || toReturn) continue;
      const p = pending.get(pid);
      if (!p || p.late === undefined || p.at === undefined) continue;
      out.push({ us: (p.late + (e.ts - p.at)) / 1000, pid, rt: rt.get(pid) ?? false });
      pending.delete(pid);
    } else if (e.name === "sys_exit_clock_nanosleep") {
      const w = woken.get(e.pid);
      if (!w) continue;
      out.push({ us: (w.late + (e.ts - w.at)) / 1000, pid: e.pid, rt: rt.get(e.pid) ?? false });
      woken.delete(e.pid);
    }
  }
  const kept = out.some((x) => x.rt) ? out.filter((x) => x.rt) : out;
  const pids = [...new Set(kept.map((x) => x.pid))].sort((a, b) => a - b);
  return { sorted_us: Float64Array.from(kept.map((x) => x.us)).sort(), pids, unmatched };
}

export interface RunDelay {
  pid: number;
  comm: string;
  /** Each wait, µs, ascending. */
  sorted_us: Float64Array;
  /** Sum of the waits, ns: the steal time of this vCPU over the trace. */
  steal_ns: number;
}

/** The vCPU threads of a trace: the tasks current when KVM's tracepoints fire. */
export function vcpuThreads(events: readonly TraceEvent[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const e of events) if (e.name === "kvm_entry" || e.name === "kvm_exit" || e.name === "kvm_vcpu_wakeup") out.set(e.pid, e.comm);
  return out;
}

/** Run delay of the given threads: runnable (woken, or preempted while runnable) until switched in. */
export function runDelay(events: readonly TraceEvent[], threads: Map<number, string>): RunDelay[] {
  const since = new Map<number, number>();
  const waits = new Map<number, number[]>();
  for (const pid of threads.keys()) waits.set(pid, []);
  for (const e of events) {
    const f = e.fields;
    if (e.name === "sched_wakeup" || e.name === "sched_wakeup_new") {
      const pid = Number(f.pid);
      if (threads.has(pid) && !since.has(pid)) since.set(pid, e.ts);
    } else if (e.name === "sched_switch") {
      const prev = Number(f.prev_pid);
      // Preempted (state R or R+): runnable from now.
      if (threads.has(prev) && /^R/.test(f.prev_state ?? "")) since.set(prev, e.ts);
      const next = Number(f.next_pid);
      const s = since.get(next);
      if (s !== undefined) {
        waits.get(next)?.push((e.ts - s) / 1000);
        since.delete(next);
      }
    }
  }
  return [...threads].map(([pid, comm]) => {
    const w = Float64Array.from(waits.get(pid) ?? []).sort();
    let sum = 0;
    for (const x of w) sum += x;
    return { pid, comm, sorted_us: w, steal_ns: Math.round(sum * 1000) };
  });
}

export interface DistributionComparison {
  real: Summary;
  simulated: Summary;
  /** Two-sample Kolmogorov-Smirnov distance between the two. */
  ks: number;
}

export function compareDistributions(real: ArrayLike<number>, simulated: ArrayLike<number>): DistributionComparison {
  return { real: summarize(real), simulated: summarize(simulated), ks: ksSamples(real, simulated) };
}

/**
 * The simulated wake-up latencies of probe `probe` of a run recorded with its timeline, in µs,
 * ascending: the timeline's anchors hold every sample (the probe itself keeps only statistics).
 */
export function simulatedWakeups(r: RunResult, probe: number): Float64Array {
  const an = r.timeline?.anchors;
  const out: number[] = [];
  // The anchor columns have one entry per anchor.
  if (an) for (let i = 0; i < an.probe.length; i++) if (an.probe[i] === probe) out.push((an.run_ns[i]! - an.wake_ns[i]!) / 1000);
  return Float64Array.from(out).sort();
}

/**
 * A real trace's wake-up latencies as a run beside a simulated one (`like`): same scenario name
 * and probe id, so the panel's tables and distributions put the two side by side, with the mode
 * "real trace". Only the probe is real; the run has no vCPU, CPU or thread statistics.
 */
export function realTraceRun(like: RunResult, probe: string, sortedUs: Float64Array, spanNs: number, events: number): RunResult {
  const side = like.probes.find((p) => p.id === probe)?.side ?? "guest";
  const ns = Float64Array.from(sortedUs, (us) => us * 1000);
  return {
    scenario: like.scenario,
    mode: "real trace",
    seed: 0,
    simulated_ns: spanNs,
    duration_ns: spanNs,
    stop: "done",
    events,
    probes: [{ id: probe, side, kind: "cyclictest", latency: latencyStats(ns) }],
    vcpus: [],
    cpus: [],
    threads: [],
  };
}

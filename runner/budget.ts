/**
 * Run budgets, checked from the scenario BEFORE a run starts (issue 14: a scenario that would
 * exhaust memory or run for hours is refused with one line naming the field and the estimate,
 * instead of taking the host down). The estimate counts the scenario's timers: every tick, every
 * periodic wakeup, every interrupt source is a timer expiry, and each expiry costs the engine a
 * few events (the wakeup, the switches, a VM exit and entry for a guest). Samples are what the
 * probes keep (one per wakeup of a measuring thread, 8 bytes each, kept exactly); timeline
 * segments are bounded by `timeline.max_segments` per CPU.
 *
 * The budgets bound one run. The wall-clock and heap limits (pool.ts, node.ts) catch whatever
 * the estimate misses.
 */
import { cyclictestOptions, LIMITS, type Dist, type Scenario, type Workload } from "../sim-core/index";
import type { RunLimits, SimTask } from "./protocol";

export interface Budget {
  /** Engine events per run. */
  events: number;
  /** Latency samples kept per run (8 bytes each, plus the array's growth and the sort). */
  samples: number;
  /** Timeline segments kept per run. */
  timelineSegments: number;
}

export const DEFAULT_BUDGET: Budget = {
  // sim-core's own hard limit per run: at the few M events/s the engine does, about 10 minutes.
  events: LIMITS.max_events,
  // 16 M samples are 128 MB of Float64Array, up to 256 MB while the array doubles: the largest
  // seed run keeps 180 k (cyclictest -i 500 for 90 s).
  samples: 16_000_000,
  // Issue 14 measured 3.3 GB in the extension host for 15 M segments, about 220 bytes each with
  // the copies made on the way to the panel; 1 M keeps one run near 220 MB there.
  timelineSegments: 1_000_000,
};

/**
 * Engine events per timer expiry counted here: measured 0.7-5.1 over the built-in scenarios
 * (scenarios/, examples/, 3 s of each mode; the overcommitted ones are highest), so twice the
 * largest. test/runner/budget.test.ts checks that every built-in scenario stays under the estimate.
 */
export const EVENTS_PER_EXPIRY = 10;

/** One source of timer expiries or samples, with the scenario field that sets its rate. */
export interface RateSource {
  /** Field path in the loader's notation: `vms[0].guest.irq.nmi_hz`. */
  field: string;
  /** Path segments of `field`, for locating it in the YAML. */
  path: (string | number)[];
  /** Timer expiries per simulated second. */
  expiriesPerS: number;
  /** Latency samples per simulated second. */
  samplesPerS: number;
  /** How the rate was counted, e.g. "2000 wakeups/s x 1 thread". */
  what: string;
}

export interface RunEstimate {
  durationS: number;
  sources: RateSource[];
  /** Engine events over the whole run. */
  events: number;
  samples: number;
  timelineSegments: number;
}

/** A count for messages: 1500, 2.5e7, 0.001. */
const sci = (x: number) =>
  Math.abs(x) >= 1e6
    ? x.toExponential(1).replace("e+", "e")
    : // Two significant digits below 0.01, so a 1 ns period reads 0.001 us, not 0.
      String(Math.abs(x) < 0.01 ? Number(x.toPrecision(2)) : Math.round(x * 100) / 100);

/** Mean of a duration distribution, in microseconds. */
export function distMeanUs(d: Dist | undefined, fallbackUs: number): number {
  if (!d) return fallbackUs;
  if ("const_us" in d) return d.const_us;
  if ("uniform_us" in d) return (d.uniform_us[0] + d.uniform_us[1]) / 2;
  if ("exp_mean_us" in d) return d.exp_mean_us;
  // Log-normal: mean = median * exp(ln(gsd)^2 / 2).
  return d.lognormal_median_us * Math.exp(Math.log(Math.max(1, d.lognormal_gsd)) ** 2 / 2);
}

/** Wakeups per second of a workload's threads (each a timer expiry; latency probes record one sample each). */
function workloadRate(w: Workload): { perS: number; samples: boolean; field: string; what: string } {
  switch (w.kind) {
    case "cyclictest": {
      // The options as the simulation reads them: the command line, then the explicit fields.
      const { threads, intervalUs: interval, distanceUs: distance } = cyclictestOptions(w);
      let perS = 0;
      // Thread i sleeps interval + i * distance; past a few thousand threads the sum is bounded by
      // the first thread's rate times the count (an over-estimate, which is the safe side).
      const n = Math.max(0, Math.min(threads, 4096));
      for (let i = 0; i < n; i++) perS += 1e6 / (interval + i * distance);
      if (threads > n) perS += (threads - n) * (1e6 / interval);
      const field = w.interval_us !== undefined ? "interval_us" : w.cmdline !== undefined ? "cmdline" : "interval_us";
      return { perS, samples: true, field, what: `${sci(threads)} thread(s) every ${sci(interval)} us` };
    }
    case "audio": {
      const rate = w.sample_rate_hz ?? 48_000;
      const field = w.sample_rate_hz !== undefined ? "sample_rate_hz" : "buffer_frames";
      return { perS: rate / w.buffer_frames, samples: true, field, what: `a ${sci(w.buffer_frames)}-frame buffer at ${sci(rate)} Hz` };
    }
    case "periodic": {
      const threads = w.threads ?? 1;
      return {
        perS: (threads * 1e6) / w.period_us,
        samples: true,
        field: "period_us",
        what: `${sci(threads)} thread(s) every ${sci(w.period_us)} us`,
      };
    }
    case "bursty": {
      const threads = w.threads ?? 1;
      const gap = distMeanUs(w.gap, 1000);
      return {
        perS: (threads * 1e6) / Math.max(gap, 1e-3),
        samples: false,
        field: "gap",
        what: `${sci(threads)} thread(s), mean gap ${sci(gap)} us`,
      };
    }
    default:
      // stress and spin never sleep: their cost is the tick's, counted per CPU.
      return { perS: 0, samples: false, field: "kind", what: "" };
  }
}

const TICK_HZ_DEFAULT = 250;
const BALANCE_MS_DEFAULT = 4;

function formatField(path: (string | number)[]): string {
  let out = "";
  for (const s of path) out += typeof s === "number" ? `[${s}]` : out === "" ? s : `.${s}`;
  return out;
}

/** The run's timer expiries, samples and timeline, estimated from the scenario alone. */
export function estimateRun(s: Scenario, opts: { timeline?: boolean } = {}): RunEstimate {
  const sources: RateSource[] = [];
  const add = (path: (string | number)[], expiriesPerS: number, samplesPerS: number, what: string) => {
    if (expiriesPerS > 0 || samplesPerS > 0) sources.push({ field: formatField(path), path, expiriesPerS, samplesPerS, what });
  };
  const kernel = (base: (string | number)[], cpus: number, sched: Scenario["host"]["sched"], label: string) => {
    const hz = sched?.hz ?? TICK_HZ_DEFAULT;
    add([...base, "sched", "hz"], hz * cpus, 0, `${sci(hz)} Hz tick x ${cpus} ${label}`);
    const bal = sched?.load_balance_ms ?? BALANCE_MS_DEFAULT;
    add([...base, "sched", "load_balance_ms"], (1000 / Math.max(bal, 1e-3)) * cpus, 0, `balancing every ${sci(bal)} ms x ${cpus} ${label}`);
  };
  const workloads = (base: (string | number)[], list: Workload[] | undefined) =>
    (list ?? []).forEach((w, j) => {
      const r = workloadRate(w);
      add([...base, "workloads", j, r.field], r.perS, r.samples ? r.perS : 0, r.what);
    });

  kernel(["host"], s.host.cpus, s.host.sched, "CPUs");
  workloads(["host"], s.host.workloads);
  (s.vms ?? []).forEach((vm, i) => {
    const base = ["vms", i];
    kernel([...base, "guest"], vm.vcpus, vm.guest?.sched, "vCPUs");
    const irq = vm.guest?.irq;
    if (irq?.nmi_hz) add([...base, "guest", "irq", "nmi_hz"], irq.nmi_hz * vm.vcpus, 0, `${sci(irq.nmi_hz)} NMIs/s x ${vm.vcpus} vCPUs`);
    if (irq?.device_irq_hz) add([...base, "guest", "irq", "device_irq_hz"], irq.device_irq_hz, 0, `${sci(irq.device_irq_hz)} interrupts/s`);
    workloads(base, vm.workloads);
  });

  const durationS = s.duration_s ?? 10;
  let expiries = 0;
  let samples = 0;
  for (const x of sources) {
    expiries += x.expiriesPerS;
    samples += x.samplesPerS;
  }
  const timelineOn = opts.timeline ?? s.timeline?.enabled ?? false;
  const tlMs = timelineOn ? Math.max(0, (s.timeline?.to_ms ?? durationS * 1000) - (s.timeline?.from_ms ?? 0)) : 0;
  // A segment per context switch at most, and never more than max_segments per CPU.
  const perCpu = Math.min(s.timeline?.max_segments ?? 20_000, LIMITS.timeline_segments_per_cpu);
  return {
    durationS,
    sources,
    events: expiries * EVENTS_PER_EXPIRY * durationS,
    samples: samples * durationS,
    timelineSegments: tlMs > 0 ? s.host.cpus * perCpu : 0,
  };
}

/** A run refused before it started: over a budget. The message is one line naming the field. */
export class BudgetError extends Error {
  constructor(
    /** Field path in the loader's notation. */
    readonly field: string,
    /** Path segments of `field`, for locating it in the YAML. */
    readonly path: (string | number)[],
    /** The message without the field. */
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = "BudgetError";
  }
}

function largest(sources: RateSource[], key: "expiriesPerS" | "samplesPerS"): RateSource | undefined {
  let best: RateSource | undefined;
  for (const x of sources) if (!best || x[key] > best[key]) best = x;
  return best;
}

/** Checks a scenario against a budget; returns the first violation, or undefined. */
export function checkBudget(s: Scenario, budget: Budget, opts: { timeline?: boolean; maxEvents?: number } = {}): BudgetError | undefined {
  const e = estimateRun(s, opts);
  const eventBudget = Math.min(budget.events, opts.maxEvents ?? Number.POSITIVE_INFINITY);
  // A scenario that sets max_events asks to stop there: its own budget bounds the run.
  if (e.events > eventBudget && s.max_events === undefined) {
    const top = largest(e.sources, "expiriesPerS")!;
    return new BudgetError(
      top.field,
      top.path,
      `run over the event budget: about ${sci(e.events)} events in ${e.durationS} simulated s, mostly from ${top.what} ` +
        `(budget ${sci(eventBudget)} events per run; shorten duration_s or lower the rate)`,
    );
  }
  if (e.samples > budget.samples) {
    const top = largest(e.sources, "samplesPerS")!;
    return new BudgetError(
      top.field,
      top.path,
      `run over the sample budget: about ${sci(e.samples)} latency samples in ${e.durationS} simulated s, mostly from ${top.what} ` +
        `(budget ${sci(budget.samples)} per run; shorten duration_s or lower the rate)`,
    );
  }
  if (e.timelineSegments > budget.timelineSegments) {
    const path = ["timeline", "max_segments"];
    return new BudgetError(
      formatField(path),
      path,
      `run over the timeline budget: up to ${sci(e.timelineSegments)} segments (${s.host.cpus} CPUs x ` +
        `${e.timelineSegments / s.host.cpus} per CPU; budget ${sci(budget.timelineSegments)} per run; lower timeline.max_segments or turn the timeline off)`,
    );
  }
  return undefined;
}

/** The pool's check of one task: the message names the scenario and mode as well. */
export function checkTaskBudget(task: SimTask, budget: Budget, limits: RunLimits): Error | undefined {
  const over = checkBudget(task.scenario, budget, { timeline: task.timeline, maxEvents: limits.maxEvents });
  if (!over) return undefined;
  over.message = `${task.scenario.name} (${task.mode.name ?? task.mode.mode}): ${over.message}`;
  return over;
}

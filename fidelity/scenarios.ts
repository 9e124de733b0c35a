/**
 * The simulated side of each fidelity cell: the same configuration as a sim-core scenario.
 *
 * Two mappings of the vCPU-like threads:
 *   host  plain host `periodic` threads, as the real ones are (the primary comparison):
 *         vanilla = policy other, static = policy rr 8, dynamic = `pv_thread`, sim-core's model
 *         of the same protocol on a plain host thread (boost at timer expiry, hold while the
 *         work runs, unboost when done, capped).
 *   vm    one VM with one vCPU per real thread; each vCPU runs one guest periodic RT task
 *         of the same period and work. sim-core's own modes then apply (vanilla, static =
 *         chrt on the vCPU threads, dynamic = the series' mechanisms). It adds what a real
 *         guest adds (exits, guest timer handler, guest scheduling), so it is a secondary
 *         comparison; it is the only one that simulates the dynamic mode today.
 */
import type { ModeSpec, Scenario, SchedConfig, Workload } from "../sim-core";
import type { Cell } from "./cells";

export type Mapping = "host" | "vm";

/**
 * The host kernel of the machines the fidelity check runs on (measured on them):
 * `uname -r` 6.18 (EEVDF fair class, the default since 6.6); CONFIG_HZ=250 in /proc/config.gz;
 * /proc/self/timerslack_ns = 50000; sched_rr_timeslice_ms = 100; RT runtime 950000/1000000.
 * Everything else is sim-core's default. Calibrated values, if the lead adopts any, live in
 * sim-core's parameter table, not here (see fidelity/CALIBRATION.md).
 */
export const MEASURED_HOST_SCHED: SchedConfig = {
  fair: "eevdf",
  hz: 250,
  timer_slack_ns: 50000,
  rr_timeslice_ms: 100,
  rt_period_us: 1000000,
  rt_runtime_us: 950000,
};

export interface SimPlan {
  mapping: Mapping;
  scenario: Scenario;
  mode: ModeSpec;
  /** Real probe id -> sim probe id. */
  probes: Record<string, string>;
  /** Set when this cell cannot be simulated under this mapping; says why. */
  unsupported?: string;
}

function hostProbes(cell: Cell): Workload[] {
  const w: Workload[] = [];
  if (cell.load === "busy") w.push({ kind: "stress", workers: cell.stressWorkers });
  for (const c of cell.cyclictest) {
    w.push({
      kind: "cyclictest",
      id: c.id,
      threads: 1,
      interval_us: c.interval_us,
      policy: c.policy,
      ...(c.policy === "other" ? {} : { priority: c.priority }),
    });
  }
  return w;
}

export function cellScenario(cell: Cell, durationS: number, mapping: Mapping, seed = 1): SimPlan {
  const name = `fidelity ${cell.key}${mapping === "vm" ? " (vm mapping)" : ""}`;
  const base: Scenario = {
    name,
    seed,
    duration_s: durationS,
    warmup_ms: cell.warmup_ms,
    host: { cpus: cell.cpus, sched: { ...MEASURED_HOST_SCHED }, workloads: hostProbes(cell) },
    modes: ["vanilla"],
  };
  const probes: Record<string, string> = {};
  for (const c of cell.cyclictest) probes[c.id] = c.id;
  const v = cell.vcpu;
  if (!v) return { mapping, scenario: base, mode: { mode: "vanilla" }, probes };

  probes[v.id] = v.id;
  if (mapping === "host") {
    const rt = v.mode === "static";
    const dynamic = v.mode === "dynamic" || v.mode === "dynamic-noinject";
    base.host.workloads!.push({
      kind: "periodic",
      id: v.id,
      period_us: v.period_us,
      work: { const_us: v.run_us },
      threads: v.threads,
      policy: rt ? v.rt_policy : "other",
      ...(rt ? { priority: v.rt_priority } : {}),
      ...(dynamic ? { pv_thread: true } : {}),
    });
    if (!dynamic) return { mapping, scenario: base, mode: { mode: "vanilla" }, probes };
    base.pvsched = { boost_policy: v.rt_policy, boost_priority: v.rt_priority, max_preempt_disabled_us: v.throttle_us };
    const mode: ModeSpec =
      v.mode === "dynamic-noinject"
        ? { mode: "dynamic", name: "dynamic-noinject", mechanisms: { boost_on_inject: false } }
        : { mode: "dynamic" };
    base.modes = [mode];
    return { mapping, scenario: base, mode, probes };
  }

  // vm mapping: the vCPU threads are the host threads; the guest runs the periodic work.
  const mode: ModeSpec =
    v.mode === "static"
      ? { mode: "static", static_policy: v.rt_policy, static_priority: v.rt_priority }
      : v.mode === "dynamic-noinject"
        ? { mode: "dynamic", name: "dynamic-noinject", mechanisms: { boost_on_inject: false } }
        : { mode: v.mode };
  base.host.kvm = {
    // The real threads block at once when they sleep; a vCPU would halt-poll first.
    halt_poll_ns: 0,
  };
  base.pvsched = {
    boost_policy: v.rt_policy,
    boost_priority: v.rt_priority,
    max_preempt_disabled_us: v.throttle_us,
  };
  base.vms = [
    {
      name: "vm0",
      vcpus: v.threads,
      guest: { sched: { fair: "eevdf", hz: MEASURED_HOST_SCHED.hz } },
      workloads: [
        {
          kind: "periodic",
          id: v.id,
          period_us: v.period_us,
          work: { const_us: v.run_us },
          threads: v.threads,
          // A guest RT task: under the series it asks for a boost while it runs.
          policy: "fifo",
          priority: 50,
        },
      ],
    },
  ];
  base.modes = [mode];
  return { mapping, scenario: base, mode, probes };
}

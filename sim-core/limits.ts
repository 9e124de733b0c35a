/**
 * The scenario rules, in one place: the hard limits that keep a run bounded, the range of every
 * numeric field, and the rules about one scenario that a JSON Schema cannot say (cross-field
 * rules, cross-references, the cyclictest command line). `npm run schema` writes FIELD_RULES into
 * schema/scenario.schema.json (so editors and the loader's ajv pass enforce the same ranges), the
 * loader reports checkScenario()'s issues at their YAML position, and the CLI bounds its options
 * with the same rules. A scenario over a rule is refused with the field and the rule, never
 * silently clipped.
 */
import type { CgroupConfig, Dist, ModeSpec, Scenario, SchedConfig, VmConfig, Workload } from "./scenario";
import { readCyclictestCmdline, type CmdlineSpan } from "./workloads/cyclictest";

export const LIMITS = {
  host_cpus: 256,
  vms: 32,
  /** vCPUs of one VM (KVM's soft limit KVM_SOFT_MAX_VCPUS is higher; 64 keeps a run small). */
  vcpus_per_vm: 64,
  vcpus_total: 512,
  /** Threads of all workloads together (host and guests). */
  threads_total: 4096,
  /** Simulated seconds. */
  duration_s: 3600,
  /** Events per run: a run that reaches it stops and reports how far it got. */
  max_events: 2_000_000_000,
  /**
   * Events at one simulated nanosecond past which a run stops with stop = "no_progress". Booting
   * the largest accepted shape (256 CPUs, 512 vCPUs, 4 352 threads) runs far fewer at t = 0
   * (test/sim/engine-stall.test.ts measures it), so only a loop that never advances time gets here.
   */
  events_per_instant: 1_000_000,
  /**
   * Timeline segments kept per track at most, when a scenario sets a budget (timeline.max_segments).
   */
  timeline_segments_per_cpu: 4_000_000,
  /**
   * Timeline segments kept on all tracks together (about 15 bytes each: 120 MB). A run that
   * reaches it is cut as under a budget, and its timeline says so (Timeline.budget).
   */
  timeline_segments_total: 8_000_000,
  /** PMU NMIs per vCPU per second: the kernel's default perf_event_max_sample_rate (100 kHz). */
  nmi_hz: 100_000,
  /** Device interrupts per VM per second: a 10 GbE NIC without interrupt coalescing, about 1 M/s. */
  device_irq_hz: 1_000_000,
  /** Audio sample rate: 768 kHz, the highest rate ALSA's PCM layer names (SNDRV_PCM_RATE_768000). */
  sample_rate_hz: 768_000,
} as const;

/**
 * The range of one numeric field. `min`/`max` are inclusive, `gt` exclusive; `int` asks for a
 * whole number. A duration that must be > 0 has a floor of 1 ns (0.001 us, 1e-6 ms), because the
 * simulator counts in integer nanoseconds: a period that rounds to 0 ns would make a loop that
 * never advances time (issue 14).
 */
export interface FieldRule {
  min?: number;
  gt?: number;
  max?: number;
  int?: boolean;
}

const NS = 1;
const US = 0.001;
const MS = 1e-6;

/**
 * Ranges by type and field (the type names of sim-core/scenario.ts, which the schema generator
 * finds under `definitions`). Sources: the kernel's own bounds where it has them.
 */
export const FIELD_RULES = {
  Scenario: {
    seed: { int: true, min: 0 },
    duration_s: { gt: 0, max: LIMITS.duration_s },
    warmup_ms: { min: 0 },
    max_events: { int: true, min: 1, max: LIMITS.max_events },
  },
  HostConfig: { cpus: { int: true, min: 1, max: LIMITS.host_cpus }, cost_scale: { min: 0.1, max: 10 } },
  // A cpuidle state's exit latency and target residency (drivers/cpuidle: both >= 0 us).
  CpuidleState: { exit_latency_us: { min: 0 }, target_residency_us: { min: 0 } },
  SchedConfig: {
    // CONFIG_HZ choices in kernel/Kconfig.hz: 100, 250, 300, 1000.
    hz: { int: true, min: 100, max: 1000 },
    sched_latency_ns: { min: NS },
    min_granularity_ns: { min: NS },
    wakeup_granularity_ns: { min: 0 },
    base_slice_ns: { min: NS },
    rt_period_us: { min: US },
    rt_runtime_us: { min: -1 },
    rr_timeslice_ms: { min: MS },
    timer_slack_ns: { min: 0 },
    context_switch_ns: { min: 0 },
    tick_cost_ns: { min: 0 },
    load_balance_ms: { min: MS },
  },
  // cgroup v2 cpu.weight 1..10000; v1 cpu.shares 2..262144 (MIN_SHARES, MAX_SHARES).
  CgroupConfig: { weight: { int: true, min: 1, max: 10000 }, shares: { int: true, min: 2, max: 262144 } },
  KvmConfig: {
    halt_poll_ns: { min: 0 },
    halt_poll_ns_grow: { min: 1 },
    halt_poll_ns_grow_start: { min: 0 },
    halt_poll_ns_shrink: { min: 0 },
    exit_ns: { min: 0 },
    entry_ns: { min: 0 },
  },
  // sched_setscheduler(2): RT priorities 1..99 (0 for the fair policies); nice -20..19.
  ThreadAttrs: { priority: { int: true, min: 0, max: 99 }, nice: { int: true, min: -20, max: 19 }, cpu: { int: true, min: 0 } },
  CyclictestWorkload: {
    threads: { int: true, min: 1, max: LIMITS.threads_total },
    interval_us: { min: US },
    distance_us: { min: 0 },
  },
  StressWorkload: { workers: { int: true, min: 1, max: LIMITS.threads_total } },
  AudioWorkload: { buffer_frames: { int: true, min: 1 }, sample_rate_hz: { gt: 0, max: LIMITS.sample_rate_hz } },
  PeriodicWorkload: { period_us: { min: US }, threads: { int: true, min: 1, max: LIMITS.threads_total } },
  BurstyWorkload: { threads: { int: true, min: 1, max: LIMITS.threads_total } },
  GuestIrqConfig: { nmi_hz: { min: 0, max: LIMITS.nmi_hz }, device_irq_hz: { min: 0, max: LIMITS.device_irq_hz } },
  VmConfig: { vcpus: { int: true, min: 1, max: LIMITS.vcpus_per_vm }, vcpu_nice: { int: true, min: -20, max: 19 } },
  PvSchedParams: { boost_priority: { int: true, min: 1, max: 99 }, max_preempt_disabled_us: { min: 0 }, setscheduler_ns: { min: 0 } },
  ModeSpec: { static_priority: { int: true, min: 1, max: 99 } },
  TimelineConfig: { from_ms: { min: 0 }, to_ms: { min: 0 }, max_segments: { int: true, min: 1, max: LIMITS.timeline_segments_per_cpu } },
} satisfies Record<string, Record<string, FieldRule>>;

export type RuleType = keyof typeof FIELD_RULES;

/** "must be >= 1" ... for a value that breaks the rule, or undefined when it keeps it. */
export function ruleProblem(r: FieldRule, v: number): string | undefined {
  if (typeof v !== "number" || !Number.isFinite(v)) return `must be a finite number (got ${v})`;
  if (r.int && !Number.isInteger(v)) return `must be a whole number (got ${v})`;
  if (r.min !== undefined && v < r.min) return `must be >= ${r.min} (got ${v})`;
  if (r.gt !== undefined && !(v > r.gt)) return `must be > ${r.gt} (got ${v})`;
  if (r.max !== undefined && v > r.max) return `must be <= ${r.max} (got ${v})`;
  return undefined;
}

export type Severity = "error" | "warning";

export interface ScenarioIssue {
  /** Dot path of the field: "vms.0.workloads.1.interval_us". */
  path: string;
  message: string;
  severity: Severity;
  /** For a string field (a cyclictest cmdline): the characters of the value the issue is about. */
  span?: CmdlineSpan;
}

/** Kept for callers of the former limit check: the errors of checkScenario(). */
export interface LimitViolation {
  path: string;
  message: string;
}

/** Defaults the rules below need; they are the `@default` values of sim-core/scenario.ts. */
const DEFAULT_CONTEXT_SWITCH_NS = 2000;
const DEFAULT_RT_PERIOD_US = 1_000_000;
const DEFAULT_HZ = 250;
const DEFAULT_DURATION_S = 10;

/**
 * Every rule above and every cross-field rule, on a scenario already of the right shape (the
 * loader validated it against the schema; an API caller built it as a `Scenario`). Field ranges
 * come first; a field that breaks its range gets no further message.
 */
export function checkScenario(s: Scenario): ScenarioIssue[] {
  const out: ScenarioIssue[] = [];
  const failed = new Set<string>();
  const add = (path: string, message: string, severity: Severity = "error", span?: CmdlineSpan) => {
    if (failed.has(path)) return;
    if (severity === "error") failed.add(path);
    out.push(span ? { path, message, severity, span } : { path, message, severity });
  };
  const err = (path: string, message: string) => add(path, message);

  const fields = (o: object | undefined, type: RuleType, path: string) => {
    if (!o) return;
    const rules = FIELD_RULES[type] as Record<string, FieldRule>;
    for (const [k, r] of Object.entries(rules)) {
      const v = (o as Record<string, unknown>)[k];
      if (v === undefined) continue;
      const why = ruleProblem(r, v as number);
      if (why) err(path ? `${path}.${k}` : k, why);
    }
  };
  const dist = (d: Dist | undefined, path: string) => {
    if (!d || typeof d !== "object") return;
    if ("const_us" in d && !(d.const_us >= 0)) err(`${path}.const_us`, `must be >= 0 (got ${d.const_us})`);
    if ("uniform_us" in d) {
      const [lo, hi] = d.uniform_us;
      if (!(lo >= 0)) err(`${path}.uniform_us.0`, `must be >= 0 (got ${lo})`);
      else if (hi < lo) err(`${path}.uniform_us`, `upper bound ${hi} is below lower bound ${lo}`);
    }
    if ("exp_mean_us" in d && !(d.exp_mean_us > 0)) err(`${path}.exp_mean_us`, `must be > 0 (got ${d.exp_mean_us})`);
    if ("lognormal_median_us" in d) {
      if (!(d.lognormal_median_us > 0)) err(`${path}.lognormal_median_us`, `must be > 0 (got ${d.lognormal_median_us})`);
      if (d.max_us !== undefined && !(d.max_us >= d.lognormal_median_us))
        err(`${path}.max_us`, `must be >= lognormal_median_us (${d.lognormal_median_us}) (got ${d.max_us})`);
      if (!(d.lognormal_gsd >= 1)) err(`${path}.lognormal_gsd`, `must be >= 1 (a geometric standard deviation; got ${d.lognormal_gsd})`);
    }
  };
  const sched = (c: SchedConfig | undefined, path: string) => {
    if (!c) return;
    fields(c, "SchedConfig", path);
    if (c.rt_runtime_us !== undefined && c.rt_runtime_us !== -1) {
      // kernel/sched/rt.c refuses a runtime above the period; -1 means "no throttling".
      const period = c.rt_period_us ?? DEFAULT_RT_PERIOD_US;
      if (!(c.rt_runtime_us >= 0 && c.rt_runtime_us <= period))
        err(`${path}.rt_runtime_us`, `must be -1 or 0..rt_period_us (${period}) (got ${c.rt_runtime_us})`);
    }
    const hz = c.hz ?? DEFAULT_HZ;
    if (c.tick_cost_ns !== undefined && c.tick_cost_ns >= 1e9 / hz)
      err(`${path}.tick_cost_ns`, `must be shorter than the tick period (${1e9 / hz} ns at hz = ${hz})`);
  };
  /** A period must be longer than the context switch that starts each of its wakeups. */
  const period = (us: number | undefined, path: string, ctxSwitchNs: number, span?: CmdlineSpan, what = `${us} us`) => {
    if (us !== undefined && us * 1000 <= ctxSwitchNs)
      add(path, `${what} is not longer than a context switch (context_switch_ns = ${ctxSwitchNs})`, "error", span);
  };

  const ids = new Map<string, string>();
  let threads = 0;
  const cgroups = new Set((s.host.cgroups ?? []).map((c: CgroupConfig) => c.name));
  const workload = (w: Workload, path: string, ctxSwitchNs: number, where: { cpus: number; guest: boolean }) => {
    fields(w, "ThreadAttrs", path);
    if (w.id !== undefined) {
      const prev = ids.get(w.id);
      if (prev) err(`${path}.id`, `duplicate probe id "${w.id}" (also used at ${prev.replace(/\.(\d+)/g, "[$1]")})`);
      else ids.set(w.id, path);
    }
    const rt = w.policy === "fifo" || w.policy === "rr";
    if (w.priority !== undefined && w.priority > 0 && !rt)
      err(`${path}.priority`, `a priority applies to fifo/rr only (policy is ${w.policy ?? "other"}); Linux refuses it`);
    if (rt && !(w.priority !== undefined && w.priority >= 1))
      err(`${path}.priority`, `policy ${w.policy} needs priority 1..99 (Linux refuses 0)`);
    if (w.cpu !== undefined && w.cpu >= where.cpus)
      err(
        `${path}.cpu`,
        where.guest ? `vCPU ${w.cpu} does not exist (vcpus = ${where.cpus})` : `CPU ${w.cpu} does not exist (host.cpus = ${where.cpus})`,
      );
    if (w.cgroup !== undefined) {
      if (where.guest) err(`${path}.cgroup`, "cgroups are host-side; a guest workload cannot name one");
      else if (!cgroups.has(w.cgroup)) err(`${path}.cgroup`, `no cgroup "${w.cgroup}" in host.cgroups`);
    }
    switch (w.kind) {
      case "cyclictest":
        fields(w, "CyclictestWorkload", path);
        threads += cyclictest(w, path, ctxSwitchNs);
        dist(w.work, `${path}.work`);
        break;
      case "stress":
        fields(w, "StressWorkload", path);
        threads += w.workers;
        break;
      case "audio": {
        fields(w, "AudioWorkload", path);
        threads += 1;
        const periodUs = (w.buffer_frames / (w.sample_rate_hz ?? 48000)) * 1e6;
        period(periodUs, `${path}.buffer_frames`, ctxSwitchNs, undefined, `a buffer period of ${periodUs} us`);
        dist(w.work, `${path}.work`);
        break;
      }
      case "periodic":
        fields(w, "PeriodicWorkload", path);
        threads += w.threads ?? 1;
        period(w.period_us, `${path}.period_us`, ctxSwitchNs);
        dist(w.work, `${path}.work`);
        break;
      case "bursty":
        fields(w, "BurstyWorkload", path);
        threads += w.threads ?? 1;
        dist(w.gap, `${path}.gap`);
        dist(w.work, `${path}.work`);
        if (!where.guest && w.preempt_disabled) err(`${path}.preempt_disabled`, "preempt_disabled is a guest-only workload option");
        break;
      case "spin":
        threads += 1;
        if (!where.guest && w.preempt_disabled) err(`${path}.preempt_disabled`, "preempt_disabled is a guest-only workload option");
        break;
    }
  };

  /**
   * The cyclictest command line: its options get the ranges of the fields they stand for (an
   * explicit field wins over the option, as in the simulation), each reported at its characters.
   * Returns the thread count the workload runs.
   */
  const cyclictest = (w: Extract<Workload, { kind: "cyclictest" }>, path: string, ctxSwitchNs: number): number => {
    const c = w.cmdline === undefined ? undefined : readCyclictestCmdline(w.cmdline);
    const at = `${path}.cmdline`;
    for (const p of c?.problems ?? []) add(at, p.message, p.severity, p.span);
    const o = c?.options ?? {};
    const sp = c?.spans ?? {};
    const rules = FIELD_RULES.CyclictestWorkload;
    const opt = (v: number | undefined, r: FieldRule, span: CmdlineSpan | undefined, field: string) => {
      const why = v === undefined ? undefined : ruleProblem(r, v);
      if (why) add(at, `${w.cmdline!.slice(span![0], span![1])}: ${why.replace(/ \(got .*\)$/, "")} (as ${field})`, "error", span);
      return !why;
    };
    const threadsOk = w.threads !== undefined || opt(o.threads, rules.threads, sp.threads, "threads");
    if (w.interval_us === undefined && opt(o.intervalUs, rules.interval_us, sp.intervalUs, "interval_us"))
      period(o.intervalUs, at, ctxSwitchNs, sp.intervalUs, `-i ${o.intervalUs} us`);
    if (w.distance_us === undefined) opt(o.distanceUs, rules.distance_us, sp.distanceUs, "distance_us");
    if (w.priority === undefined) opt(o.priority, FIELD_RULES.ThreadAttrs.priority, sp.priority, "priority");
    opt(o.durationS, FIELD_RULES.Scenario.duration_s, sp.durationS, "duration_s");
    if (w.interval_us !== undefined) period(w.interval_us, `${path}.interval_us`, ctxSwitchNs);
    // A -t over its range is reported above; counting it again would only repeat it.
    const n = w.threads ?? (threadsOk ? o.threads : undefined) ?? 1;
    return Number.isInteger(n) && n >= 1 ? n : 1;
  };

  // The run.
  fields(s, "Scenario", "");
  const dur = s.duration_s ?? DEFAULT_DURATION_S;
  if (s.warmup_ms !== undefined && s.warmup_ms >= dur * 1000)
    err("warmup_ms", `must be shorter than the run (duration_s = ${dur}, so < ${dur * 1000} ms)`);
  const t = s.timeline;
  if (t) {
    fields(t, "TimelineConfig", "timeline");
    if (t.from_ms !== undefined && t.to_ms !== undefined && !(t.to_ms > t.from_ms))
      err("timeline.to_ms", `must be after from_ms (${t.from_ms})`);
  }
  fields(s.pvsched, "PvSchedParams", "pvsched");

  // The host.
  const cpus = s.host.cpus;
  fields(s.host, "HostConfig", "host");
  sched(s.host.sched, "host.sched");
  fields(s.host.kvm, "KvmConfig", "host.kvm");
  dist(s.host.timer_delivery, "host.timer_delivery");
  (s.host.cpuidle_states ?? []).forEach((c, i) => {
    fields(c, "CpuidleState", `host.cpuidle_states.${i}`);
  });
  const cgSeen = new Set<string>();
  (s.host.cgroups ?? []).forEach((c, i) => {
    fields(c, "CgroupConfig", `host.cgroups.${i}`);
    if (cgSeen.has(c.name)) err(`host.cgroups.${i}.name`, `duplicate cgroup name "${c.name}"`);
    cgSeen.add(c.name);
  });
  const hostCs = s.host.sched?.context_switch_ns ?? DEFAULT_CONTEXT_SWITCH_NS;
  (s.host.workloads ?? []).forEach((w, i) => {
    workload(w, `host.workloads.${i}`, hostCs, { cpus, guest: false });
  });

  // The VMs.
  const vms = s.vms ?? [];
  if (vms.length > LIMITS.vms) err("vms", `at most ${LIMITS.vms} VMs (got ${vms.length})`);
  let vcpus = 0;
  const names = new Set<string>();
  vms.forEach((vm: VmConfig, i) => {
    const p = `vms.${i}`;
    fields(vm, "VmConfig", p);
    vcpus += vm.vcpus;
    if (names.has(vm.name)) err(`${p}.name`, `duplicate VM name "${vm.name}"`);
    names.add(vm.name);
    if (vm.cgroup !== undefined && !cgroups.has(vm.cgroup)) err(`${p}.cgroup`, `no cgroup "${vm.cgroup}" in host.cgroups`);
    if (vm.pin && vm.pin.length !== vm.vcpus) err(`${p}.pin`, `has ${vm.pin.length} entries but the VM has ${vm.vcpus} vCPUs`);
    vm.pin?.forEach((c, j) => {
      if (!Number.isInteger(c)) err(`${p}.pin.${j}`, `must be a whole number (got ${c})`);
      else if (c < 0 || c >= cpus) err(`${p}.pin.${j}`, `CPU ${c} does not exist (host.cpus = ${cpus})`);
    });
    sched(vm.guest?.sched, `${p}.guest.sched`);
    const irq = vm.guest?.irq;
    if (irq) {
      fields(irq, "GuestIrqConfig", `${p}.guest.irq`);
      for (const key of ["timer_handler", "softirq", "nmi_handler", "device_irq_handler"] as const) dist(irq[key], `${p}.guest.irq.${key}`);
    }
    const guestCs = vm.guest?.sched?.context_switch_ns ?? DEFAULT_CONTEXT_SWITCH_NS;
    (vm.workloads ?? []).forEach((w, j) => {
      workload(w, `${p}.workloads.${j}`, guestCs, { cpus: vm.vcpus, guest: true });
    });
  });
  if (vcpus > LIMITS.vcpus_total) err("vms", `at most ${LIMITS.vcpus_total} vCPUs in all (got ${vcpus})`);
  if (threads > LIMITS.threads_total) err("workloads", `at most ${LIMITS.threads_total} threads in all (got ${threads})`);

  // The modes.
  const labels = new Map<string, number>();
  (s.modes ?? []).forEach((m, i) => {
    const spec: ModeSpec = typeof m === "string" ? { mode: m } : m;
    fields(spec, "ModeSpec", `modes.${i}`);
    const label = spec.name || spec.mode;
    if (labels.has(label)) err(`modes.${i}`, `duplicate mode "${label}" (also modes[${labels.get(label)}]); give it a distinct name`);
    labels.set(label, i);
    if (typeof m !== "string" && m.mechanisms && m.mode !== "dynamic")
      add(`modes.${i}.mechanisms`, `only dynamic mode uses mechanisms; ignored for ${m.mode}`, "warning");
  });
  return out;
}

/** The errors of checkScenario(), for callers that only need to know whether a run may start. */
export function checkLimits(s: Scenario): LimitViolation[] {
  return checkScenario(s)
    .filter((i) => i.severity === "error")
    .map(({ path, message }) => ({ path, message }));
}

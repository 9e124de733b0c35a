/**
 * Builds the world a scenario describes in one mode, runs it, and collects the results.
 * `simulate()` is sim-core's one entry point; everything it needs comes from the scenario
 * (already validated by the loader) and the mode.
 */
import { Engine } from "./engine";
import { Guest } from "./guest/guest";
import { Host } from "./host";
import { kvmCosts } from "./costs";
import { installKvmHostHooks, Vcpu } from "./kvm/vcpu";
import { Probe } from "./metrics";
import { KVM_DEFAULTS, NSEC_PER_MSEC, NSEC_PER_SEC, SERIES_DEFAULTS } from "./params";
import { pvThreadHooks } from "./pvsched/host_thread";
import { MECHANISM_IDS } from "./pvsched/registry";
import { registerSharedMemory } from "./pvsched/shared_memory";
import { resolvePvConfig, type PvConfig } from "./pvsched/state";
import { pvEntryRequests, pvGuestHooks, pvHostHooks } from "./pvsched/wire";
import type { CpuStats, InterimResult, Progress, RunResult, ThreadStats, VcpuStats } from "./results";
import { Streams } from "./rng";
import type { MechanismId, ModeName, ModeSpec, Scenario, Workload } from "./scenario";
import type { Task } from "./sched/task";
import { TimelineRecorder } from "./timeline";
import { LatencyTracer } from "./why";
import type { Kernel } from "./workloads/kernel";
import { spawnWorkload } from "./workloads";
import { spawnKworkers } from "./noise";
import { checkLimits, LIMITS } from "./limits";

export interface SimOptions {
  /** Called every `progressEvery` events with how far the run got. */
  onProgress?: (p: Progress) => void;
  progressEvery?: number;
  /** Polled with the progress callback; returning true stops the run with stop = "cancelled". */
  isCancelled?: () => boolean;
  /** Overrides scenario.max_events. */
  maxEvents?: number;
  /** Record the per-CPU timeline even if the scenario does not ask for it. */
  timeline?: boolean;
  /**
   * Explain every latency sample (sim-core/why.ts: its parts and the worst one's causal chain),
   * as `probes[].why`. On unless false: a batch that reports only the metrics (the seed report,
   * a sweep) turns it off, because the tracer's bookkeeping is about a tenth of a run's CPU. It
   * only reads the model, so the metrics are the same either way.
   */
  why?: boolean;
  /**
   * Simulated times (ns) at which to report what the run measured so far (`onCheckpoint`), for a
   * first answer before the run ends. Times at or past the duration are ignored. The run pauses
   * at each without moving its clock, so results stay byte-identical with or without them.
   */
  checkpointsNs?: readonly number[];
  onCheckpoint?: (r: InterimResult) => void;
}

export function modeLabel(m: ModeSpec): string {
  return m.name ?? m.mode;
}

export function resolveModes(s: Scenario): ModeSpec[] {
  const modes = s.modes ?? ["vanilla", "dynamic", "static"];
  return modes.map((m) => (typeof m === "string" ? { mode: m as ModeName } : m));
}

function pvConfigFor(s: Scenario, m: ModeSpec): PvConfig | null {
  if (m.mode !== "dynamic") return null;
  const on = {} as Record<MechanismId, boolean>;
  for (const id of MECHANISM_IDS) on[id] = m.mechanisms?.[id] ?? true;
  return resolvePvConfig(s.pvsched, on, SERIES_DEFAULTS);
}

/**
 * The kernel as workload `j` of its side sees it: its random streams are named by the
 * workload's position, so two workloads that share an id still draw independently, and a
 * workload draws the same numbers in every mode.
 */
function perWorkload(k: Kernel, j: number, w: Workload): Kernel {
  const kthread = !!w.kthread && k.side === "guest";
  return {
    ...k,
    stream: (n) => k.stream(`w${j}/${n}`),
    spawn: (t, cpu, cg) => {
      t.kthread = kthread;
      k.spawn(t, cpu, cg);
    },
  };
}

function probeId(w: Workload, side: string, n: number): string {
  return w.id ?? `${side}/${w.kind}#${n}`;
}

/** The simulated time a run of the scenario lasts, ns (duration_s, 10 s unless it says). */
export function scenarioDurationNs(s: Scenario): number {
  return Math.round((s.duration_s ?? 10) * NSEC_PER_SEC);
}

/** A scenario that breaks sim-core's rules (limits.ts), given to simulate() without the loader. */
export class ScenarioRuleError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path || "scenario"}: ${message}`);
    this.name = "ScenarioRuleError";
  }
}

export function simulate(s: Scenario, mode: ModeSpec | ModeName, opts: SimOptions = {}): RunResult {
  // The loader refuses these with positions; a caller that builds a Scenario itself gets the
  // same rules here, because a period that rounds to 0 ns would loop for ever inside one event.
  const broken = checkLimits(s)[0];
  if (broken) throw new ScenarioRuleError(broken.path, broken.message);
  const m: ModeSpec = typeof mode === "string" ? { mode } : mode;
  const eng = new Engine(LIMITS.events_per_instant);
  const seed = s.seed ?? 1;
  const streams = new Streams(seed);
  const durationNs = scenarioDurationNs(s);
  const warmupNs = Math.round((s.warmup_ms ?? 100) * NSEC_PER_MSEC);
  const host = new Host(eng, s.host, streams);
  const costScale = s.host.cost_scale ?? 1;
  const kvm = {
    ...KVM_DEFAULTS,
    exit_ns: Math.round(KVM_DEFAULTS.exit_ns * costScale),
    entry_ns: Math.round(KVM_DEFAULTS.entry_ns * costScale),
    ...(s.host.kvm ?? {}),
  };
  const constantCosts = s.host.cost_model === "constant";
  const noise = s.host.noise ?? true;
  const kvmParams = { ...kvm, setscheduler_ns: s.pvsched?.setscheduler_ns ?? Math.round(SERIES_DEFAULTS.setscheduler_ns * costScale) };
  const vcpuCosts = (name: string) => kvmCosts(constantCosts ? null : streams.get(`${name}/kvm-cost`), kvmParams, costScale);
  // The host thread protocol (pv_thread) pays its setscheduler calls from one stream.
  const costs = vcpuCosts("host/pv-thread");
  const haltPoll = {
    maxNs: kvm.halt_poll_ns,
    grow: kvm.halt_poll_ns_grow,
    growStart: kvm.halt_poll_ns_grow_start,
    shrink: kvm.halt_poll_ns_shrink,
  };
  const pv = pvConfigFor(s, m);
  // A run explains its samples unless told not to (opts.why): the parts of each latency and the
  // worst one's causal chain; a run with a timeline also the worst of each tail bin, for the
  // histogram's jump to the timeline.
  const withTimeline = !!(s.timeline?.enabled || opts.timeline);
  const why = opts.why === false ? null : new LatencyTracer(eng, host.tun.fair, withTimeline);
  const probes: Probe[] = [];
  const makeProbe = (side: "host" | "guest", vm: string | undefined) => (id: string, kind: "cyclictest" | "audio" | "periodic") => {
    const p = new Probe(id, side, kind, vm, warmupNs);
    probes.push(p);
    timeline?.watchProbe(p);
    why?.watchProbe(p);
    return p;
  };

  // Timeline: recorded only when asked for (it costs memory and time).
  const tlCfg = s.timeline;
  let timeline: TimelineRecorder | null = null;
  if (withTimeline) {
    const from = Math.round((tlCfg?.from_ms ?? 0) * NSEC_PER_MSEC);
    const to = tlCfg?.to_ms !== undefined ? Math.round(tlCfg.to_ms * NSEC_PER_MSEC) : durationNs;
    timeline = new TimelineRecorder(s.host.cpus, from, to, tlCfg?.max_segments ?? null, LIMITS.timeline_segments_total, host.tun.fair);
    const tl = timeline;
    for (const c of host.cpus) c.hooks.onSegment = (cpu, a, b, t) => tl.hostSegment(cpu.index, a, b, t, cpu.rt.throttleCount);
  }

  // The host kernel as workloads see it.
  const hostK: Kernel = {
    side: "host",
    eng,
    costScale,
    stream: (n) => streams.get(`host/${n}`),
    spawn: (t, cpu, cg) => {
      host.addTask(t, cpu, cg);
      timeline?.watchTask(t, "host");
      why?.watchTask(t, "host");
    },
    wake: (t) => host.wakeTask(t),
    sleepUntil: (t, soft, onWake) => {
      const c = t.cpu!;
      if (c.curr === t) c.sleepCurr();
      why?.arm(t, soft);
      host.hrtimer(t, soft + (t.isRt ? 0 : host.tun.timerSlackNs), onWake);
    },
    firstSleep: (t, soft, onWake) => {
      why?.arm(t, soft);
      host.hrtimer(t, soft + (t.isRt ? 0 : host.tun.timerSlackNs), onWake);
    },
    block: (t) => {
      const c = t.cpu!;
      if (c.curr === t) c.sleepCurr();
    },
    deviceIrq: (t, handlerNs, fn) => {
      const c = t.cpu ?? host.cpus[0]!;
      c.hooks.beforeIrq?.(c);
      c.raiseIrq(handlerNs, why ? why.deviceIrq(t, fn) : fn);
    },
    probe: makeProbe("host", undefined),
    holdCpuDmaLatency: (us) => host.holdCpuDmaLatency(us),
    pvThread: pv
      ? pvThreadHooks(pv, eng, costs.setscheduler)
      : m.mode === "static"
        ? {
            onTimer: () => {},
            onStart: () => 0,
            onDone: () => 0,
            staticPolicy: { policy: m.static_policy ?? "rr", priority: m.static_priority ?? SERIES_DEFAULTS.boost_priority },
          }
        : null,
  };

  installKvmHostHooks(host);

  // VMs.
  const vcpus: Vcpu[] = [];
  const guests: Guest[] = [];
  const hostHooks = pv ? pvHostHooks(pv) : null;
  for (const vm of s.vms ?? []) {
    const guest = new Guest(eng, streams, vm, { constantCosts, noise, costScale });
    guests.push(guest);
    for (let i = 0; i < vm.vcpus; i++) {
      const v = new Vcpu(
        eng,
        host,
        vm.name,
        i,
        guest.cpus[i]!,
        vcpuCosts(`${vm.name}/vcpu${i}`),
        haltPoll,
        vm.pv_sched_enabled ?? true,
        vm.never_unboost ?? false,
        vm.vcpu_nice ?? 0,
      );
      guest.attach(v);
      vcpus.push(v);
      why?.addVcpu(v);
      if (timeline) {
        const tl = timeline;
        tl.addVcpu(v);
        v.marks = tl;
        guest.cpus[i]!.hooks.onSegment = (_c, a, b, t) => tl.guestSegment(v, a, b, t);
      }
      host.addTask(v.task, vm.pin?.[i], vm.cgroup);
      if (m.mode === "static") {
        // chrt on every vCPU thread, before the VM runs.
        v.task.policy = m.static_policy ?? "rr";
        v.task.rtPrio = m.static_priority ?? SERIES_DEFAULTS.boost_priority;
      }
      if (pv) {
        v.pvHooks = hostHooks;
        v.onEntryRequests = pvEntryRequests;
        registerSharedMemory(pv, v);
      }
    }
    if (pv) {
      guest.setPv(timeline ? timeline.watchGuestPv(pvGuestHooks(pv)) : pvGuestHooks(pv));
    }
    const gk: Kernel = {
      side: "guest",
      vm: vm.name,
      eng,
      costScale,
      stream: (n) => streams.get(`${vm.name}/${n}`),
      spawn: (t, cpu) => {
        guest.addTask(t, cpu);
        timeline?.watchTask(t, "guest", vm.name);
        why?.watchTask(t, "guest");
      },
      wake: (t) => guest.wake(t),
      sleepUntil: (t, soft, onWake) => {
        why?.arm(t, soft);
        guest.sleepUntil(t, soft, onWake);
      },
      firstSleep: (t, soft, onWake) => {
        why?.arm(t, soft);
        guest.sleepUntil(t, soft, onWake);
      },
      block: (t) => guest.block(t),
      deviceIrq: (t, handlerNs, fn) => {
        guest.deliver(guest.irqVcpu(t), "device", handlerNs, why ? why.deviceIrq(t, fn) : fn);
      },
      probe: makeProbe("guest", vm.name),
      holdCpuDmaLatency: () => {},
    };
    if (noise) spawnKworkers(gk, vm.vcpus, durationNs, `${vm.name}/`);
    (vm.workloads ?? []).forEach((w, j) => {
      spawnWorkload(perWorkload(gk, j, w), w, probeId(w, vm.name, j), durationNs);
    });
  }
  if (noise) spawnKworkers(hostK, s.host.cpus, durationNs);
  (s.host.workloads ?? []).forEach((w, j) => {
    spawnWorkload(perWorkload(hostK, j, w), w, probeId(w, "host", j), durationNs);
  });

  // Boot: every vCPU thread is runnable and enters its guest.
  for (const v of vcpus) host.wakeTask(v.task);
  host.start(durationNs);
  for (const g of guests) g.start(durationNs);

  // Run in chunks so progress and cancellation are reported without a timer.
  const budget = opts.maxEvents ?? s.max_events ?? LIMITS.max_events;
  const every = Math.max(1000, opts.progressEvery ?? 250_000);
  const checkpoints = opts.onCheckpoint ? [...(opts.checkpointsNs ?? [])].filter((t) => t > 0 && t < durationNs).sort((a, b) => a - b) : [];
  let stop: RunResult["stop"] = "done";
  for (;;) {
    const left = budget - eng.events;
    if (left <= 0) {
      stop = "event_budget";
      break;
    }
    const pause = checkpoints.length > 0;
    const until = pause ? checkpoints[0]! : durationNs;
    const reached = eng.run(until, Math.min(every, left), pause);
    if (pause && reached) {
      checkpoints.shift();
      opts.onCheckpoint!({
        simulated_ns: until,
        duration_ns: durationNs,
        events: eng.events,
        probes: probes.map((p) => p.result()),
        ...(pv ? { mechanisms: { ...pv.counters } } : {}),
      });
    }
    const finished = reached && !pause;
    opts.onProgress?.({ simulated_ns: Math.min(eng.now, durationNs), duration_ns: durationNs, events: eng.events });
    if (finished) break;
    if (eng.stalled) {
      stop = "no_progress";
      break;
    }
    if (opts.isCancelled?.()) {
      stop = "cancelled";
      break;
    }
  }
  const endNs = Math.min(eng.now, durationNs);

  for (const c of host.cpus) c.finish();
  for (const g of guests) for (const c of g.cpus) c.finish();
  for (const v of vcpus) {
    if (!v.task.boosted) continue;
    const d = endNs - v.pv.boostStart;
    v.pv.boostedNs += d;
    if (d > v.pv.maxBoostNs) v.pv.maxBoostNs = d;
  }

  const cpus: CpuStats[] = host.cpus.map((c) => ({
    cpu: c.index,
    busy_ns: ns(c.stats.rt_ns + c.stats.fair_ns),
    rt_ns: ns(c.stats.rt_ns),
    fair_ns: ns(c.stats.fair_ns),
    idle_ns: ns(c.stats.idle_ns),
    context_switches: c.stats.context_switches,
    rt_throttled: c.rt.throttleCount,
  }));
  const vstats: VcpuStats[] = vcpus.map((v) => ({
    vm: v.vmName,
    vcpu: v.index,
    boosts: v.pv.boosts,
    boosts_by: { ...v.pv.boostsBy },
    unboosts: v.pv.unboosts,
    boosted_ns: ns(v.pv.boostedNs),
    max_boost_ns: ns(v.pv.maxBoostNs),
    throttles: v.pv.throttles,
    exits: { ...v.exits },
    steal_ns: ns(stealOf(v.task, endNs)),
    host_runtime_ns: ns(v.task.runtimeNs),
    halt_poll_success: v.halt.success,
    halt_poll_fail: v.halt.fail,
    halt_poll_ns: ns(v.halt.polledNs),
  }));
  const threadStats = (t: Task, side: "host" | "guest"): ThreadStats => ({
    name: t.name,
    side,
    policy: t.policy,
    runtime_ns: ns(t.runtimeNs),
    wait_ns: ns(stealOf(t, endNs)),
  });
  const threads: ThreadStats[] = [
    ...host.tasks.map((t) => threadStats(t, "host")),
    ...guests.flatMap((g) => g.tasks.map((t) => threadStats(t, "guest"))),
  ];
  const result: RunResult = {
    scenario: s.name,
    mode: modeLabel(m),
    seed,
    simulated_ns: endNs,
    duration_ns: durationNs,
    stop,
    events: eng.events,
    probes: probes.map((p, i) => {
      const r = p.result();
      return why ? { ...r, why: why.result(i, r.latency.histogram) } : r;
    }),
    vcpus: vstats,
    cpus,
    threads,
  };
  if (pv) result.mechanisms = { ...pv.counters };
  if (timeline) result.timeline = timeline.result(endNs);
  return result;
}

/** run_delay: time runnable but not running, including a wait still in progress. */
/**
 * A time for the results: a field that starts at TIME_ZERO (-0, see engine.ts) and never moved
 * reads as 0 (-0 + 0 is 0), so results compare equal to their JSON round trip.
 */
function ns(x: number): number {
  return x + 0;
}

function stealOf(t: Task, end: number): number {
  const waiting = t.onRq && t.cpu?.curr !== t ? end - t.runnableSince : 0;
  return t.runDelayNs + Math.max(0, waiting);
}

/**
 * "Why was this sample late?": for every latency sample, the time from its timer's expiry to the
 * thread's first instruction is split into named parts (why-parts.ts) that sum to the latency,
 * and the sequence of parts, with who the thread waited behind and what KVM and the series did,
 * is kept as the sample's causal chain. Each probe keeps its parts summed over all its samples
 * and the chain of its worst sample (the one at `max_at_ns`). Asked to (`keepTail`, when the run
 * records a timeline to jump to), it also keeps the chain of the worst sample of each histogram
 * bin, at most one per bin (81), and reports those of the tail bins: the histogram's tail is then
 * clickable without a second run, and a run without a timeline keeps the results it had.
 *
 * Cheap by construction: a probe thread's sample is armed when it sleeps, with its expiry; the
 * engine calls `advance` once per new instant (Engine.onAdvance), and until some armed expiry
 * has passed that is one comparison (why-queue.ts keeps the expiries in a heap). Past it, the state is classified once per instant: the
 * state between two events is constant, so the parts are exact, not sampled.
 */
import type { Engine } from "./engine";
import type { Vcpu } from "./kvm/vcpu";
import { histBin, tailFromBin, type Probe } from "./metrics";
import type { LatencyPart, ProbeWhy, SampleWhy, TailSampleWhy } from "./results";
import type { Cpu } from "./sched/cpu";
import type { Task } from "./sched/task";
import { VCPU_REQ_BOOST } from "./pvsched/state";
import { policyCode } from "./timeline-codes";
import { IRQ_FAST } from "./sched/cpu";
import {
  chainSteps,
  type Step,
  F_BOOSTED,
  F_FASTPATH,
  F_HALTED,
  F_IDLE_EXIT,
  F_IN_EXIT,
  F_IN_GUEST,
  F_MODE_ENTER,
  F_MODE_POLL,
  F_NO_KICK,
  F_REQ,
} from "./why-chain";
import {
  culprit,
  guestPart,
  hostCpuOf,
  hostPart,
  P_EXIT_ENTRY,
  P_GUEST_WAIT,
  P_HOST_IRQ,
  P_HOST_WAIT,
  P_SWITCH,
  PART_COUNT,
} from "./why-parts";
import { PART_IDS } from "./why-labels";
import { ArmedSamples, type Queued } from "./why-queue";

/** Steps kept per sample: a chain longer than this is cut (the parts still sum). */
const MAX_STEPS = 32;

/** A probe thread's sample in flight: armed at its sleep, closed when the thread runs. */
class Pending implements Queued {
  where: 0 | 1 | 2 | 3 = 0;
  slot = -1;
  target = 0;
  /** Up to when the parts are integrated. */
  last = 0;
  part = -1;
  who: Task | null = null;
  flags = 0;
  readonly parts = new Float64Array(PART_COUNT);
  readonly steps: Step[] = [];
  nSteps = 0;
  /** Armed by a device interrupt (an audio period), not by a timer. */
  irq = false;
  constructor(
    readonly task: Task,
    readonly guest: boolean,
  ) {}
}

/** A sample kept with what its chain needs. */
interface Kept {
  latency: number;
  wake: number;
  run: number;
  parts: Float64Array;
  steps: Step[];
  cut: boolean;
  task: string;
  vcpu: string | null;
  /** The host CPU where the thread (or its vCPU thread) ran. */
  cpu: number;
  irq: boolean;
}

interface ProbeState {
  parts: Float64Array;
  samples: number;
  unexplained: number;
  /** Unexplained because the tracer did not follow them (ArmedSamples' maxLate). */
  notFollowed: number;
  worst: Kept | null;
  /** With keepTail: the worst sample of each histogram bin (metrics.ts histBin), by bin. */
  byBin: (Kept | undefined)[] | null;
}

/** The most late samples the tracer follows at once (see ArmedSamples). */
export const MAX_LATE_SAMPLES = 32;

export class LatencyTracer {
  /** At most this many late samples followed at once (why-queue.ts): far above any seed scenario's few. */
  private readonly armed = new ArmedSamples<Pending>(MAX_LATE_SAMPLES);
  private readonly byTask = new Map<Task, Pending>();
  private readonly vcpuOf = new Map<Cpu, Vcpu>();
  private readonly probes: ProbeState[] = [];
  /** The thread whose sample is being recorded (set around its onWakeLatency). */
  private closing: Pending | null = null;

  constructor(
    private readonly eng: Engine,
    private readonly hostFair: "cfs" | "eevdf",
    /** Keep the worst sample of every histogram bin, for the tail's chains (see the file comment). */
    private readonly keepTail = false,
  ) {
    eng.onAdvance = (t) => this.advance(t);
  }

  /** A guest CPU and its vCPU (a guest sample's vCPU is that of its thread's CPU). */
  addVcpu(v: Vcpu): void {
    this.vcpuOf.set(v.gcpu, v);
  }

  /** Follows a probe thread (one with onWakeLatency): its samples get parts and a chain. */
  watchTask(t: Task, side: "host" | "guest"): void {
    const f = t.onWakeLatency;
    if (!f || this.byTask.has(t)) return;
    const p = new Pending(t, side === "guest");
    this.byTask.set(t, p);
    t.onWakeLatency = (lat, now) => {
      this.closing = p;
      f(lat, now);
      this.closing = null;
      this.armed.remove(p);
    };
  }

  /** Follows a probe: each sample it keeps is attributed to it. */
  watchProbe(probe: Probe): void {
    const i = this.probes.length;
    this.probes.push({
      parts: new Float64Array(PART_COUNT),
      samples: 0,
      unexplained: 0,
      notFollowed: 0,
      worst: null,
      byBin: this.keepTail ? [] : null,
    });
    const record = probe.record.bind(probe);
    probe.record = (lat: number, now: number) => {
      record(lat, now);
      if (now >= probe.fromNs) this.sample(i, lat, now);
    };
  }

  /** Thread `t` sleeps until `target`: the latency of its next sample counts from there. */
  arm(t: Task, target: number): void {
    const p = this.byTask.get(t);
    if (!p) return;
    p.target = target;
    p.last = target;
    p.part = -1;
    p.who = null;
    p.flags = 0;
    p.parts.fill(0);
    p.nSteps = 0;
    p.irq = false;
    this.armed.arm(p);
  }

  /**
   * A device interrupt for thread `t` is raised now (an audio period): if its handler wakes `t`,
   * that sample counts from now. Returns the handler to run instead of `fn`. One sample is
   * followed at a time: when periods queue up (an earlier handler has not run yet) and the earlier
   * one finds the thread busy, the later one's sample is counted as unexplained.
   */
  deviceIrq(t: Task, fn: () => void): () => void {
    const p = this.byTask.get(t);
    if (!p) return fn;
    const at = this.eng.now;
    // An earlier interrupt's handler may still be on its way to wake the thread: that one counts.
    if (p.where === 0) {
      this.arm(t, at);
      p.irq = true;
    }
    return () => {
      fn();
      // The handler found the thread busy with an earlier period: no sample counts from `at`.
      if (p.where !== 0 && p.target === at && t.wakeTarget !== at) this.armed.remove(p);
    };
  }

  /** Engine.onAdvance: time moves to `t`; the state since the last event is still in place. */
  advance(t: number): void {
    const q = this.armed;
    if (q.late.length === 0 && t <= q.next) return;
    q.passTo(t);
    for (const p of q.late) {
      let from = Math.max(p.last, p.target);
      const part = this.partOf(p);
      const sw = this.switchEnd;
      if (sw > from) {
        // The host CPU first pays the switch to the vCPU thread (with its cache refill), then
        // KVM's work, within one segment: split at the moment the overhead is paid.
        const mid = Math.min(sw, t);
        this.step(p, from, P_SWITCH, null);
        p.parts[P_SWITCH]! += mid - from;
        from = mid;
      }
      if (from < t) {
        this.step(p, from, part, this.who);
        p.parts[part]! += t - from;
      }
      p.last = t;
    }
  }

  // Scratch of partOf(): who the sample waits behind, the flags, the end of a switch overhead.
  private who: Task | null = null;
  private flags = 0;
  private switchEnd = Number.NEGATIVE_INFINITY;
  private vcpu: Vcpu | null = null;

  /** Which part `p` is in now (why-parts.ts), with who it waits behind and the vCPU's state. */
  private partOf(p: Pending): number {
    const t = p.task;
    const v = p.guest ? (this.vcpuOf.get(t.cpu!) ?? null) : null;
    this.vcpu = v;
    const part = v ? guestPart(t, v) : hostPart(t);
    this.who = culprit(part, t, v);
    this.switchEnd = Number.NEGATIVE_INFINITY;
    let flags = 0;
    if (part === P_HOST_IRQ) {
      // The only fast work on a host CPU is its exit from an idle state (sched/cpu.ts leaveIdle).
      const hc = hostCpuOf(t, v);
      if (hc && hc.irqQ.length > 0 && hc.irqQ[0]!.kind === IRQ_FAST) flags |= F_IDLE_EXIT;
    }
    if (v) {
      const vt = v.task;
      if (vt.boosted) flags |= F_BOOSTED;
      if (v.pv.registered && v.pv.boostReq === VCPU_REQ_BOOST) flags |= F_REQ;
      if (!v.gcpu.active) {
        const m = v.mode;
        if (m === "blocked" || m === "blocking") flags |= F_HALTED;
        // Runnable and not halted: preempted (a halted vCPU thread is runnable only once kicked).
        if (part === P_HOST_WAIT && m !== "blocked" && m !== "blocking") flags |= F_NO_KICK | (m === "exit" ? F_IN_EXIT : 0);
        if (m === "enter") flags |= F_MODE_ENTER;
        if (m === "poll") flags |= F_MODE_POLL;
        if (part === P_EXIT_ENTRY && vt.ovh > 0) this.switchEnd = vt.cpu!.accountedAt + vt.ovh;
      } else {
        flags |= F_IN_GUEST;
        if (part === P_EXIT_ENTRY) flags |= F_FASTPATH;
      }
    }
    this.flags = flags;
    return part;
  }

  /** A new link of `p`'s chain if its part, who it waits behind, or the flags changed. */
  private step(p: Pending, at: number, part: number, who: Task | null): void {
    const flags = this.flags;
    if (part === p.part && who === p.who && flags === p.flags) return;
    p.part = part;
    p.who = who;
    p.flags = flags;
    if (p.nSteps >= MAX_STEPS) return;
    let s = p.steps[p.nSteps];
    if (!s) {
      s = {
        t: 0,
        part: 0,
        who: "",
        whoPolicy: 0,
        whoPrio: 0,
        lead: Number.NaN,
        fair: "cfs",
        flags: 0,
        exit: "hlt",
        cpu: -1,
        vcpuPolicy: 0,
        vcpuPrio: 0,
      };
      p.steps.push(s);
    }
    p.nSteps++;
    const t = p.task;
    const v = this.vcpu;
    s.t = at;
    s.part = part;
    s.flags = flags;
    s.who = who ? who.name : "";
    s.whoPolicy = who ? policyCode(who.policy) : 0;
    s.whoPrio = who ? (who.isRt ? who.rtPrio : who.nice + 20) : 0;
    s.fair = part === P_GUEST_WAIT && v ? v.gcpu.tun.fair : this.hostFair;
    s.lead = Number.NaN;
    const waiter = part === P_HOST_WAIT && v ? v.task : t;
    if (who && !who.isRt && !waiter.isRt && who.se.cfsRq !== null && who.se.cfsRq === waiter.se.cfsRq) {
      // What the fair pick compares: vruntime (CFS), the virtual deadline (EEVDF).
      s.lead = s.fair === "eevdf" ? waiter.se.deadline - who.se.deadline : waiter.se.vruntime - who.se.vruntime;
    }
    s.exit = v ? v.lastExit : "hlt";
    s.cpu = hostCpuOf(t, v)?.index ?? -1;
    s.vcpuPolicy = v ? policyCode(v.task.policy) : 0;
    s.vcpuPrio = v ? (v.task.isRt ? v.task.rtPrio : v.task.nice + 20) : 0;
  }

  /** The probe kept a sample of the thread being recorded: add its parts, keep its chain if it is the worst (of the run or of its bin). */
  private sample(i: number, lat: number, now: number): void {
    const st = this.probes[i]!;
    const p = this.closing;
    if (!p || p.where === 0 || now - p.target !== lat) {
      st.unexplained++;
      return;
    }
    // Its thread's sample, which the tracer stopped following (ArmedSamples' maxLate).
    if (p.where === 3) {
      st.unexplained++;
      st.notFollowed++;
      return;
    }
    let sum = 0;
    for (let k = 0; k < PART_COUNT; k++) sum += p.parts[k]!;
    // Times are doubles (some costs are fractional ns): equal up to rounding.
    if (Math.abs(sum - lat) > 1e-9 * lat + 1e-6) {
      st.unexplained++;
      return;
    }
    st.samples++;
    for (let k = 0; k < PART_COUNT; k++) st.parts[k]! += p.parts[k]!;
    // Strictly worse, as Probe keeps its max: the first of equal maxima is the one at max_at_ns.
    const worst = !st.worst || lat > st.worst.latency;
    let kept: Kept | null = null;
    if (st.byBin) {
      const b = histBin(lat);
      const had = st.byBin[b];
      if (!had || lat > had.latency) st.byBin[b] = kept = this.keep(p, lat, now);
    }
    if (worst) st.worst = kept ?? this.keep(p, lat, now);
  }

  /** A copy of `p`'s sample, now closed, with what its chain needs. */
  private keep(p: Pending, lat: number, now: number): Kept {
    const v = p.guest ? (this.vcpuOf.get(p.task.cpu!) ?? null) : null;
    return {
      latency: lat,
      wake: p.target,
      run: now,
      parts: Float64Array.from(p.parts),
      steps: p.steps.slice(0, p.nSteps).map((s) => ({ ...s })),
      cut: p.nSteps >= MAX_STEPS,
      task: p.task.name,
      vcpu: v ? v.task.name : null,
      cpu: hostCpuOf(p.task, v)?.index ?? -1,
      irq: p.irq,
    };
  }

  /**
   * The probe's parts and its worst sample's chain, for the results; with keepTail, also the
   * chain of the worst sample of each bin of the tail of `histogram` (the probe's, metrics.ts).
   */
  result(i: number, histogram?: { counts: readonly number[] }): ProbeWhy {
    const st = this.probes[i]!;
    const out: ProbeWhy = { parts_ns: partsRecord(st.parts), samples: st.samples, unexplained: st.unexplained };
    // Only where it happened, so that every other run's results keep their bytes.
    if (st.notFollowed > 0) out.not_followed = st.notFollowed;
    if (st.worst) out.worst = sampleWhy(st.worst);
    if (st.byBin && histogram) {
      const tail: TailSampleWhy[] = [];
      for (let b = st.byBin.length - 1; b >= tailFromBin(histogram.counts); b--) {
        const k = st.byBin[b];
        if (k) tail.push({ bin: b, ...sampleWhy(k) });
      }
      out.tail = tail;
    }
    return out;
  }
}

function sampleWhy(w: Kept): SampleWhy {
  return {
    wake_ns: w.wake,
    run_ns: w.run,
    latency_ns: w.latency,
    parts_ns: partsRecord(w.parts),
    chain: chainSteps(w.steps, { wake: w.wake, run: w.run, cpu: w.cpu, task: w.task, vcpu: w.vcpu, cut: w.cut, irq: w.irq }),
  };
}

function partsRecord(a: Float64Array): Record<LatencyPart, number> {
  const r = {} as Record<LatencyPart, number>;
  PART_IDS.forEach((id, k) => {
    r[id] = a[k]! + 0;
  });
  return r;
}

/**
 * The run timeline, two levels deep: what each host CPU runs (thread, policy, priority, boost),
 * and under each vCPU thread the guest task on that vCPU with the thread's host state (running
 * on which CPU, waiting, halted). Markers: VM exits by reason, interrupt injections, boosts,
 * unboosts, boost requests, throttles, halts and kicks, RT throttling. Anchors: every latency
 * sample with its thread and times, so a sample can be found on the timeline.
 *
 * Everything is kept unless the scenario sets a budget (`timeline.max_segments` per track) or
 * the run reaches LIMITS.timeline_segments_total. Then the recorder cuts by time: it keeps
 * windows around the worst samples of each probe and the recent past, marks every cut stretch
 * as a "not kept" segment, counts what it dropped and lists what it kept (Timeline.budget).
 */
import type { GuestPvHooks } from "./guest/guest";
import { postedDelivery } from "./kvm/costs";
import type { IrqSource, Vcpu, VcpuMarks } from "./kvm/vcpu";
import type { Probe } from "./metrics";
import type { ExitReason, Timeline, TimelineEntity, TimelineTrack, TimelineWindow } from "./results";
import { IDLE_LABEL } from "./sched/idle";
import type { Task } from "./sched/task";
import { buildLod } from "./timeline-lod";
import {
  EXIT_REASONS,
  IRQ_KICKED,
  IRQ_POSTED,
  IRQ_SOURCES,
  MARK_BOOST,
  MARK_BOOST_REQ,
  MARK_EXIT,
  MARK_HALT,
  MARK_IRQ,
  MARK_KICK,
  MARK_REQ_SEEN,
  MARK_RT_THROTTLE,
  MARK_THROTTLE,
  MARK_UNBOOST,
  SEG_BOOSTED,
  policyCode,
} from "./timeline-codes";
import { AnchorStore, MarkStore, type Ranges, SegStore, intersect, overlaps, union } from "./timeline-store";
import { deriveVcpuTrack, packMarkers, packSegments } from "./timeline-pack";

/**
 * Budget windows: from this long before a worst sample's timer expiry to this long after the
 * thread ran. ESTIMATE: a few host ticks (HZ=1000) either side show what ran before and after.
 */
const WINDOW_BEFORE_NS = 4_000_000;
const WINDOW_AFTER_NS = 2_000_000;

/**
 * The window kept around a sample (its timer expired at `wake`, its thread ran at `run`): under a
 * budget, and when a timeline is downsampled for the panel (timeline-downsample.ts).
 */
export function sampleWindowNs(wake: number, run: number): [number, number] {
  return [wake - WINDOW_BEFORE_NS, run + WINDOW_AFTER_NS];
}
/** Under a budget, the recent past is kept too, so the window of a sample that ends later still has its start. */
const LOOKBACK_NS = 250_000_000;
/** Windows kept per probe under a budget. */
const WORST_PER_PROBE = 3;

interface PvSeen {
  inject: number;
  exit: number;
  block: number;
  unboosts: number;
  throttles: number;
}

interface Worst {
  probe: number;
  latency: number;
  wake: number;
  run: number;
  dropped: boolean;
}

export class TimelineRecorder implements VcpuMarks {
  private readonly tracks: TimelineTrack[] = [];
  private readonly entities: TimelineEntity[] = [{ name: IDLE_LABEL, side: "idle" }];
  private readonly entityOf = new Map<Task, number>();
  private readonly host: SegStore[] = [];
  private readonly guest: SegStore[] = [];
  private readonly marks: MarkStore[] = [];
  private readonly anchors = new AnchorStore();
  private readonly vcpus: Vcpu[] = [];
  private readonly vcpuIndex = new Map<Vcpu, number>();
  private readonly pvSeen: PvSeen[] = [];
  private readonly rtThrottles: number[] = [];
  private readonly probes: Probe[] = [];
  private readonly worst: Worst[][] = [];
  /** The task whose wake-up latency is being recorded (set around its onWakeLatency). */
  private waking: Task | null = null;
  private kept: Ranges;
  private stored = 0;
  private cut = { segments: 0, markers: 0, anchors: 0 };
  private readonly limit: number;

  constructor(
    hostCpus: number,
    readonly fromNs: number,
    readonly toNs: number,
    /** Segments per track (null: no budget), and the hard cap on all tracks together. */
    readonly budgetPerTrack: number | null,
    totalCap: number,
    hostFair: "cfs" | "eevdf",
  ) {
    this.kept = [[fromNs, Infinity]];
    for (let c = 0; c < hostCpus; c++) {
      this.tracks.push({ kind: "cpu", name: `CPU ${c}`, cpu: c, fair: hostFair });
      this.host.push(new SegStore());
      this.marks.push(new MarkStore());
      this.rtThrottles.push(0);
    }
    this.limit = totalCap;
  }

  private get budgetTotal(): number {
    const per = this.budgetPerTrack;
    return per === null ? this.limit : Math.min(this.limit, per * this.tracks.length);
  }

  entity(t: Task | null, side: "host" | "guest", vm?: string): number {
    if (!t) return 0;
    let e = this.entityOf.get(t);
    if (e === undefined) {
      e = this.entities.length;
      const ent: TimelineEntity = { name: t.name, side };
      if (vm !== undefined) ent.vm = vm;
      this.entities.push(ent);
      this.entityOf.set(t, e);
    }
    return e;
  }

  /** A vCPU: its track follows the host CPUs'. */
  addVcpu(v: Vcpu): void {
    const track = this.tracks.length;
    const thread = this.entity(v.task, "host");
    this.entities[thread]!.vcpu_track = track;
    this.tracks.push({ kind: "vcpu", name: v.task.name, vm: v.vmName, vcpu: v.index, thread, fair: v.gcpu.tun.fair });
    this.vcpuIndex.set(v, this.vcpus.length);
    this.vcpus.push(v);
    this.guest.push(new SegStore());
    this.marks.push(new MarkStore());
    this.pvSeen.push({ inject: 0, exit: 0, block: 0, unboosts: 0, throttles: 0 });
    v.marks = this;
  }

  private clip(a: number, b: number): [number, number] | null {
    if (b <= this.fromNs || a >= this.toNs) return null;
    return [Math.max(a, this.fromNs), Math.min(b, this.toNs)];
  }

  private pushSeg(store: SegStore, a: number, b: number, e: number, t: Task | null): void {
    const r = this.clip(a, b);
    if (!r) return;
    const before = store.n;
    const pol = t ? policyCode(t.policy) : 0;
    const prio = !t ? 0 : t.isRt ? t.rtPrio : t.nice + 20;
    store.push(r[0], r[1], e, pol, prio, t?.boosted ? SEG_BOOSTED : 0);
    this.stored += store.n - before;
    // The budget is per track (max_segments is "per CPU"), within the run's total cap.
    const per = this.budgetPerTrack;
    if (this.stored >= this.budgetTotal || (per !== null && store.n >= per)) this.compact(b);
  }

  /** A host CPU's run segment (Cpu.hooks.onSegment). */
  hostSegment(cpu: number, a: number, b: number, t: Task | null, rtThrottles: number): void {
    this.pushSeg(this.host[cpu]!, a, b, this.entity(t, "host"), t);
    if (rtThrottles !== this.rtThrottles[cpu]) {
      this.rtThrottles[cpu] = rtThrottles;
      this.mark(cpu, b, MARK_RT_THROTTLE, 0, cpu);
    }
  }

  /** A guest CPU's run segment: the guest task current on vCPU `v` (guest Cpu.hooks.onSegment). */
  guestSegment(v: Vcpu, a: number, b: number, t: Task | null): void {
    const i = this.vcpuIndex.get(v)!;
    this.pushSeg(this.guest[i]!, a, b, this.entity(t, "guest", v.vmName), t);
  }

  private mark(track: number, t: number, kind: number, arg: number, cpu: number): void {
    if (t < this.fromNs || t >= this.toNs) return;
    this.marks[track]!.push(t, kind, arg, cpu);
  }

  private vmark(v: Vcpu, kind: number, arg: number): void {
    this.mark(this.host.length + this.vcpuIndex.get(v)!, v.eng.now, kind, arg, v.runningOn?.index ?? -1);
  }

  // ---- VcpuMarks ------------------------------------------------------------------------------

  exit(v: Vcpu, reason: ExitReason, cpu: number): void {
    this.mark(this.host.length + this.vcpuIndex.get(v)!, v.eng.now, MARK_EXIT, EXIT_REASONS.indexOf(reason), cpu);
    const req = v.pv.registered ? v.pv.boostReq : 0;
    if (req !== 0 && reason !== "preemption") this.mark(this.host.length + this.vcpuIndex.get(v)!, v.eng.now, MARK_REQ_SEEN, req, cpu);
  }

  inject(v: Vcpu, source: IrqSource, kicked: boolean): void {
    // Marked posted where the posted branch reaches guest code without an exit (the vCPU runs).
    const posted = v.mode === "guest" && postedDelivery(v.costs, source);
    this.vmark(v, MARK_IRQ, IRQ_SOURCES.indexOf(source) | (kicked ? IRQ_KICKED : 0) | (posted ? IRQ_POSTED : 0));
  }

  pv(v: Vcpu): void {
    const seen = this.pvSeen[this.vcpuIndex.get(v)!]!;
    const p = v.pv;
    if (p.throttles !== seen.throttles) this.vmark(v, MARK_THROTTLE, 0);
    if (p.unboosts !== seen.unboosts) this.vmark(v, MARK_UNBOOST, 0);
    // The marker's argument says what applied the boost: 0 the injection kick, 1 the exit-time
    // re-evaluation, 2 kvm_vcpu_block.
    if (p.boostsBy.inject !== seen.inject) this.vmark(v, MARK_BOOST, 0);
    if (p.boostsBy.exit !== seen.exit) this.vmark(v, MARK_BOOST, 1);
    if (p.boostsBy.block !== seen.block) this.vmark(v, MARK_BOOST, 2);
    seen.throttles = p.throttles;
    seen.unboosts = p.unboosts;
    seen.inject = p.boostsBy.inject;
    seen.exit = p.boostsBy.exit;
    seen.block = p.boostsBy.block;
  }

  halt(v: Vcpu): void {
    this.vmark(v, MARK_HALT, 0);
  }

  kick(v: Vcpu): void {
    if (!v.task.onRq) this.vmark(v, MARK_KICK, 0);
  }

  /** Wraps the guest side of the series so that the boost requests it writes are marked. */
  watchGuestPv(pv: GuestPvHooks): GuestPvHooks {
    const wrap =
      <A extends unknown[]>(f: (v: Vcpu, ...a: A) => void) =>
      (v: Vcpu, ...a: A) => {
        const before = v.pv.boostReq;
        f(v, ...a);
        this.request(v, before);
      };
    return {
      onSchedule: wrap(pv.onSchedule),
      onEnqueue: wrap(pv.onEnqueue),
      onUserReturn: wrap(pv.onUserReturn),
      onIrqEntry: wrap(pv.onIrqEntry),
      onIrqExit: wrap(pv.onIrqExit),
    };
  }

  /** The guest side of the series ran (`before`: boost_req before it); marks a new request. */
  request(v: Vcpu, before: number): void {
    const req = v.pv.boostReq;
    if (req !== before && req !== 0) this.vmark(v, MARK_BOOST_REQ, req);
  }

  // ---- latency samples ----------------------------------------------------------------------

  /** Follows a probe: each sample it records becomes an anchor. */
  watchProbe(p: Probe): void {
    const i = this.probes.length;
    this.probes.push(p);
    this.worst.push([]);
    const record = p.record.bind(p);
    p.record = (lat: number, now: number) => {
      record(lat, now);
      if (now >= p.fromNs) this.sample(i, lat, now);
    };
  }

  /** Follows a thread's wake-ups, so that its samples name it. */
  watchTask(t: Task, side: "host" | "guest", vm?: string): void {
    const f = t.onWakeLatency;
    if (!f) return;
    this.entity(t, side, vm);
    t.onWakeLatency = (lat, now) => {
      this.waking = t;
      f(lat, now);
      this.waking = null;
    };
  }

  private sample(probe: number, lat: number, now: number): void {
    const wake = now - lat;
    if (now >= this.fromNs && wake < this.toNs) this.anchors.push(probe, this.entityOf.get(this.waking!) ?? 0, wake, now);
    // The worst samples are tracked even without a budget, in case the hard cap is reached.
    const list = this.worst[probe]!;
    if (list.length >= WORST_PER_PROBE && lat <= list[list.length - 1]!.latency) return;
    let k = list.length;
    while (k > 0 && list[k - 1]!.latency < lat) k--;
    list.splice(k, 0, { probe, latency: lat, wake, run: now, dropped: false });
    if (list.length > WORST_PER_PROBE) list.pop();
  }

  private windowOf(w: Worst): [number, number] {
    return sampleWindowNs(w.wake, w.run);
  }

  // ---- the budget -----------------------------------------------------------------------------

  /** Keeps the worst samples' windows and the recent past; cuts the rest of every track. */
  private compact(now: number): void {
    const live = this.worst.flat().filter((w) => !w.dropped);
    // Worst first: when the budget cannot hold every window, the least bad samples go first.
    live.sort((a, b) => this.rank(a) - this.rank(b) || b.latency - a.latency || a.probe - b.probe);
    let lookback = LOOKBACK_NS;
    let keep = this.keepFor(live, now, lookback);
    const target = this.budgetTotal / 2;
    const per = this.budgetPerTrack;
    const over = (k: Ranges) => this.countKept(k) > target || (per !== null && this.maxKept(k) > per / 2);
    while (over(keep) && live.length > 0) {
      live.pop()!.dropped = true;
      keep = this.keepFor(live, now, lookback);
    }
    while (over(keep) && lookback > 0) {
      lookback = lookback >= 1000 ? Math.floor(lookback / 2) : 0;
      keep = this.keepFor(live, now, lookback);
    }
    this.kept = keep;
    this.stored = 0;
    for (const s of [...this.host, ...this.guest]) {
      this.cut.segments += s.compact(keep);
      this.stored += s.n;
    }
    this.marks.forEach((m, track) => {
      const carry = track >= this.host.length ? this.carriedState(m, keep) : null;
      this.cut.markers += m.compact(keep, (i) => carry?.has(i) ?? false);
    });
    this.cut.anchors += this.anchors.compact(keep);
  }

  private rank(w: Worst): number {
    return this.worst[w.probe]!.indexOf(w);
  }

  private keepFor(live: Worst[], now: number, lookback: number): Ranges {
    const want = union([...live.map((w) => this.windowOf(w)), [now - lookback, Infinity]]);
    return intersect(this.kept, want);
  }

  /** The most segments any one track keeps. */
  private maxKept(keep: Ranges): number {
    let n = 0;
    for (const s of this.host) n = Math.max(n, s.countKept(keep));
    for (const s of this.guest) n = Math.max(n, s.countKept(keep));
    return n;
  }

  private countKept(keep: Ranges): number {
    let n = 0;
    for (const s of this.host) n += s.countKept(keep);
    for (const s of this.guest) n += s.countKept(keep);
    return n;
  }

  /** The last halt/kick/boost/unboost marker before each kept range: the vCPU's state entering it. */
  private carriedState(m: MarkStore, keep: Ranges): Set<number> {
    const out = new Set<number>();
    const last = new Map<number, number>();
    let r = 0;
    for (let i = 0; i < m.n; i++) {
      const t = m.t[i]!;
      while (r < keep.length && keep[r]![0] <= t) {
        for (const j of last.values()) out.add(j);
        last.clear();
        r++;
      }
      const k = m.kind[i];
      const group = k === MARK_HALT || k === MARK_KICK ? 0 : k === MARK_BOOST || k === MARK_UNBOOST || k === MARK_THROTTLE ? 1 : -1;
      if (group >= 0) last.set(group, i);
    }
    if (r < keep.length) for (const j of last.values()) out.add(j);
    return out;
  }

  // ---- the result -----------------------------------------------------------------------------

  result(endNs: number): Timeline {
    const to = Math.min(this.toNs, Math.max(endNs, this.fromNs));
    const kept = intersect(this.kept, [[this.fromNs, to]]);
    const vcpuCols = this.vcpus.map((_, i) =>
      deriveVcpuTrack({
        host: this.host,
        guest: this.guest[i]!,
        marks: this.marks[this.host.length + i]!,
        thread: this.tracks[this.host.length + i]!.thread!,
        from: this.fromNs,
        to,
        kept,
      }),
    );
    const segments = packSegments([...this.host, ...vcpuCols]);
    const markers = packMarkers(this.marks);
    const a = this.anchors;
    const windows: TimelineWindow[] = [];
    if (this.budgetPerTrack !== null || this.cut.segments > 0) {
      this.worst.forEach((list, p) => {
        list.forEach((w, k) => {
          const [from, wto] = this.windowOf(w);
          const f = Math.max(from, this.fromNs);
          const t = Math.min(wto, to);
          windows.push({
            probe: this.probes[p]!.id,
            rank: k + 1,
            wake_ns: w.wake,
            latency_ns: w.latency,
            from_ns: f,
            to_ns: t,
            complete: !w.dropped && intersect(kept, [[f, t]]).reduce((x, [u, v]) => x + v - u, 0) === t - f,
          });
        });
      });
    }
    const tracks = this.tracks.map((t) => ({ ...t }));
    return {
      from_ns: this.fromNs,
      to_ns: to,
      tracks,
      entities: this.entities.map((e) => ({ ...e })),
      segments,
      markers,
      anchors: {
        probe: a.probe.slice(0, a.n),
        entity: a.entity.slice(0, a.n),
        wake_ns: a.wake.slice(0, a.n),
        run_ns: a.run.slice(0, a.n),
      },
      lod: buildLod(segments, tracks.length, this.fromNs, to),
      budget: {
        max_segments_per_track: this.budgetPerTrack,
        kept,
        windows,
        cut_segments: this.cut.segments,
        cut_markers: this.cut.markers,
        cut_anchors: this.cut.anchors,
      },
      joined: [...this.host, ...this.guest].reduce((x, s) => x + s.joined, 0),
    };
  }
}

/** Whether the timeline holds time `t` on every track (it was not cut there). */
export function timelineCovers(tl: Timeline, t: number): boolean {
  return t >= tl.from_ns && t < tl.to_ns && overlaps(tl.budget.kept, t, t + 1);
}

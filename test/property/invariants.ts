/**
 * Invariants every simulator run must satisfy, whatever the scenario. Shared by the property
 * tests (test/property/sim-invariants.test.ts) and the fuzzer (scripts/fuzz.mjs), which checks
 * them on every mutated scenario that loads.
 *
 * What is exactly conserved, and why the tolerance is what it is: a host CPU's wall time is cut
 * into segments at every class change (sched/cpu.ts closeCls), each segment charged to rt, fair
 * or idle, so rt + fair + idle telescopes to the time the run reached. Times are doubles (costs
 * drawn from distributions are fractional nanoseconds), so the sum may differ from the end time
 * by rounding only: a few ulps per segment. TOL_PER_EVENT_NS (1e-6 ns) per event is far above
 * that rounding and far below any real accounting error (a lost context switch is >= 1 ns).
 */
import type { RunResult, Scenario } from "../../sim-core/index";
import { type SegmentView, trackSegments } from "../../sim-core/timeline-read";

export const TOL_PER_EVENT_NS = 1e-6;

export function tolerance(r: RunResult): number {
  return Math.max(1e-6, r.events * TOL_PER_EVENT_NS);
}

/** Returns a list of violated invariants (empty: all hold). Never throws on a well-formed result. */
export function checkRun(r: RunResult, s: Scenario): string[] {
  const bad: string[] = [];
  const fail = (m: string) => bad.push(m);
  const tol = tolerance(r);
  const finiteNonNeg = (x: unknown, what: string) => {
    if (typeof x !== "number" || !Number.isFinite(x) || x < 0) fail(`${what} = ${x} (must be finite and >= 0)`);
  };

  // The run itself.
  finiteNonNeg(r.simulated_ns, "simulated_ns");
  if (!(r.simulated_ns <= r.duration_ns)) fail(`simulated_ns ${r.simulated_ns} > duration_ns ${r.duration_ns}`);
  if (r.stop === "done" && r.simulated_ns !== r.duration_ns)
    fail(`stop = done but simulated_ns ${r.simulated_ns} != duration_ns ${r.duration_ns}`);
  if (r.cpus.length !== s.host.cpus) fail(`${r.cpus.length} CPU stats for ${s.host.cpus} CPUs`);

  // CPU time: busy + idle is the simulated time; busy is rt + fair.
  for (const c of r.cpus) {
    for (const k of ["busy_ns", "rt_ns", "fair_ns", "idle_ns", "context_switches", "rt_throttled"] as const)
      finiteNonNeg(c[k], `cpu${c.cpu}.${k}`);
    if (Math.abs(c.busy_ns - (c.rt_ns + c.fair_ns)) > tol)
      fail(`cpu${c.cpu}: busy_ns ${c.busy_ns} != rt_ns + fair_ns ${c.rt_ns + c.fair_ns}`);
    const sum = c.busy_ns + c.idle_ns;
    if (Math.abs(sum - r.simulated_ns) > tol)
      fail(`cpu${c.cpu}: busy + idle = ${sum}, simulated_ns = ${r.simulated_ns} (diff ${sum - r.simulated_ns}, tolerance ${tol})`);
  }

  // Latencies.
  for (const p of r.probes) {
    const l = p.latency;
    if (!Number.isInteger(l.count) || l.count < 0) fail(`${p.id}: count ${l.count}`);
    for (const k of ["min_us", "avg_us", "max_us", "p50_us", "p90_us", "p99_us", "p999_us"] as const) finiteNonNeg(l[k], `${p.id}.${k}`);
    if (l.count > 0) {
      const order = [l.min_us, l.p50_us, l.p90_us, l.p99_us, l.p999_us, l.max_us];
      for (let i = 1; i < order.length; i++)
        if (order[i]! < order[i - 1]!) fail(`${p.id}: percentiles out of order ${JSON.stringify(order)}`);
      if (l.avg_us < l.min_us - 0.001 || l.avg_us > l.max_us + 0.001) fail(`${p.id}: avg ${l.avg_us} outside [${l.min_us}, ${l.max_us}]`);
      if (p.max_at_ns === undefined || !(p.max_at_ns >= 0 && p.max_at_ns <= r.simulated_ns))
        fail(`${p.id}: max_at_ns ${p.max_at_ns} outside the run`);
    }
    // Why late (sim-core/why.ts): every sample is split into parts that sum to its latency. An
    // audio thread's sample may not be, when its period interrupts queue up (why.ts deviceIrq).
    const why = p.why;
    if (!why) fail(`${p.id}: no latency explanation`);
    else if (why.samples + why.unexplained !== l.count) fail(`${p.id}: ${why.samples} + ${why.unexplained} samples of ${l.count}`);
    else if (why.not_followed !== undefined) {
      // More samples were late at once than the tracer follows (why.ts MAX_LATE_SAMPLES): those
      // are unexplained, and the parts and the worst chain cover the rest.
      if (!(why.not_followed > 0 && why.not_followed <= why.unexplained))
        fail(`${p.id}: ${why.not_followed} not followed of ${why.unexplained} unexplained`);
      if (p.kind !== "audio" && why.not_followed !== why.unexplained)
        fail(`${p.id}: ${why.unexplained - why.not_followed} samples unexplained besides the ${why.not_followed} not followed`);
    } else if (p.kind !== "audio" || why.unexplained === 0) {
      if (why.unexplained !== 0) fail(`${p.id}: ${why.unexplained} samples of ${l.count} not explained`);
      const total = Object.values(why.parts_ns).reduce((a, b) => a + b, 0);
      for (const [k, v] of Object.entries(why.parts_ns)) finiteNonNeg(v, `${p.id}.why.${k}`);
      // avg_us is rounded to 3 decimals.
      if (l.count > 0 && Math.abs(total / l.count / 1000 - l.avg_us) > 0.0006 + tol)
        fail(`${p.id}: parts sum to ${total} ns over ${l.count} samples, avg is ${l.avg_us} us`);
      const w = why.worst;
      if (l.count > 0 && (!w || w.run_ns !== p.max_at_ns || Math.abs(w.latency_ns / 1000 - l.max_us) > 0.001))
        fail(`${p.id}: the explained worst sample is not the one at max_at_ns`);
      if (w && Math.abs(Object.values(w.parts_ns).reduce((a, b) => a + b, 0) - w.latency_ns) > tol)
        fail(`${p.id}: the worst sample's parts do not sum to its latency`);
    }
    const hsum = l.histogram.counts.reduce((a, b) => a + b, 0);
    if (hsum !== l.count) fail(`${p.id}: histogram holds ${hsum} samples, count is ${l.count}`);
    if (p.kind === "audio") {
      finiteNonNeg(p.callbacks, `${p.id}.callbacks`);
      if (!((p.glitches ?? 0) <= (p.callbacks ?? 0))) fail(`${p.id}: ${p.glitches} glitches > ${p.callbacks} callbacks`);
    }
  }

  // Threads: CPU time and wait are non-negative, and a thread cannot wait and run at once.
  for (const t of r.threads) {
    finiteNonNeg(t.runtime_ns, `${t.name}.runtime_ns`);
    finiteNonNeg(t.wait_ns, `${t.name}.wait_ns`);
    if (t.runtime_ns + t.wait_ns > r.simulated_ns + tol)
      fail(`${t.name}: runtime ${t.runtime_ns} + wait ${t.wait_ns} > simulated ${r.simulated_ns}`);
  }
  const names = new Set<string>();
  for (const t of r.threads) {
    if (names.has(t.name)) fail(`two threads named ${t.name}`);
    names.add(t.name);
  }
  // The host CPUs' busy time is exactly the host threads' CPU time (vCPU threads included).
  const busy = r.cpus.reduce((a, c) => a + c.busy_ns, 0);
  const hostRun = r.threads.filter((t) => t.side === "host").reduce((a, t) => a + t.runtime_ns, 0);
  if (Math.abs(busy - hostRun) > tol) fail(`host CPUs were busy ${busy} ns but host threads ran ${hostRun} ns`);

  // vCPUs.
  for (const v of r.vcpus) {
    const id = `${v.vm}/vcpu${v.vcpu}`;
    for (const k of [
      "boosts",
      "unboosts",
      "boosted_ns",
      "max_boost_ns",
      "throttles",
      "steal_ns",
      "host_runtime_ns",
      "halt_poll_success",
      "halt_poll_fail",
      "halt_poll_ns",
    ] as const)
      finiteNonNeg(v[k], `${id}.${k}`);
    for (const [k, n] of Object.entries(v.exits)) finiteNonNeg(n, `${id}.exits.${k}`);
    if (v.boosted_ns > r.simulated_ns + tol) fail(`${id}: boosted ${v.boosted_ns} ns > simulated ${r.simulated_ns}`);
    if (v.max_boost_ns > v.boosted_ns + tol) fail(`${id}: max boost ${v.max_boost_ns} > boosted total ${v.boosted_ns}`);
    if (v.boosts_by.inject + v.boosts_by.block + v.boosts_by.exit !== v.boosts) fail(`${id}: boosts by source exceed boosts`);
    if (v.halt_poll_ns > v.host_runtime_ns + tol) fail(`${id}: polled ${v.halt_poll_ns} ns > ran ${v.host_runtime_ns} ns`);
  }
  // A guest's threads only run while one of its vCPUs runs on the host.
  for (const vm of s.vms ?? []) {
    const vcpuTime = r.vcpus.filter((v) => v.vm === vm.name).reduce((a, v) => a + v.host_runtime_ns, 0);
    const guestRun = r.threads.filter((t) => t.side === "guest" && t.name.startsWith(`${vm.name}/`)).reduce((a, t) => a + t.runtime_ns, 0);
    if (guestRun > vcpuTime + tol) fail(`${vm.name}: guest threads ran ${guestRun} ns, its vCPUs only ${vcpuTime} ns`);
  }

  if (r.timeline) bad.push(...checkTimeline(r, tol));
  return bad;
}

/**
 * The timeline: each track tiles its time in increasing segments, no thread runs on two CPUs at
 * once, a whole timeline accounts for every nanosecond as the statistics do, and a vCPU track
 * that says its thread runs on CPU c agrees with CPU c's track.
 */
export function checkTimeline(r: RunResult, tol: number): string[] {
  const bad: string[] = [];
  const tl = r.timeline!;
  const end = Math.min(tl.to_ns, r.simulated_ns);
  const whole = tl.budget.cut_segments === 0 && tl.from_ns === 0 && tl.to_ns >= r.simulated_ns;
  const byThread = new Map<string, [number, number, number][]>();
  const host = tl.tracks.flatMap((t, i) => (t.kind === "cpu" ? [i] : []));
  if (host.length !== r.cpus.length) bad.push(`timeline has ${host.length} CPUs, the run ${r.cpus.length}`);
  const clsOf = (g: SegmentView) => (g.entity === 0 ? "idle" : /^(FIFO|RR)/.test(g.policy) ? "rt" : "fair");
  // Each host CPU's segments, read once: the vCPU check below looks segments up by time, and
  // reading a track per lookup made the check quadratic (a fuzzed guest of 1 000 threads took
  // 8 s of CPU in this checker, past the fuzzer's time bound).
  const hostSegs = new Map(host.map((track) => [track, trackSegments(tl, track)] as const));
  /** The segment of `track` that covers `t` (segments are ordered and do not overlap). */
  const segmentAt = (track: number, t: number): SegmentView | undefined => {
    const segs = hostSegs.get(track) ?? [];
    let lo = 0;
    let hi = segs.length - 1;
    while (lo <= hi) {
      const m = (lo + hi) >> 1;
      const g = segs[m]!;
      if (t < g.start_ns) hi = m - 1;
      else if (t >= g.end_ns) lo = m + 1;
      else return g;
    }
    return undefined;
  };
  host.forEach((track, cpu) => {
    const segs = hostSegs.get(track)!;
    let prev: SegmentView | undefined;
    const time = { rt: 0, fair: 0, idle: 0 };
    for (const g of segs) {
      const show = () => JSON.stringify({ start_ns: g.start_ns, end_ns: g.end_ns, thread: g.thread });
      if (!(g.start_ns < g.end_ns)) bad.push(`cpu${cpu}: empty or reversed segment ${show()}`);
      if (g.start_ns < tl.from_ns || g.end_ns > end) bad.push(`cpu${cpu}: segment ${show()} outside [${tl.from_ns}, ${end}]`);
      if (prev && g.start_ns < prev.end_ns) bad.push(`cpu${cpu}: ${show()} overlaps ${prev.thread} (two threads at once)`);
      prev = g;
      if (g.cut) continue;
      time[clsOf(g)] += g.end_ns - g.start_ns;
      if (g.entity !== 0) {
        let l = byThread.get(g.thread);
        if (!l) {
          l = [];
          byThread.set(g.thread, l);
        }
        l.push([g.start_ns, g.end_ns, cpu]);
      }
    }
    if (whole) {
      // Every nanosecond of the run is on the timeline, in the class the statistics charged it to.
      const c = r.cpus[cpu]!;
      if (segs.length && (segs[0]!.start_ns !== 0 || segs[segs.length - 1]!.end_ns !== r.simulated_ns))
        bad.push(`cpu${cpu}: timeline covers ${segs[0]!.start_ns}..${segs[segs.length - 1]!.end_ns}, the run 0..${r.simulated_ns}`);
      if (Math.abs(time.rt - c.rt_ns) > tol || Math.abs(time.fair - c.fair_ns) > tol || Math.abs(time.idle - c.idle_ns) > tol)
        bad.push(`cpu${cpu}: timeline rt/fair/idle ${time.rt}/${time.fair}/${time.idle} != stats ${c.rt_ns}/${c.fair_ns}/${c.idle_ns}`);
    }
  });
  // The first thread of each name, as a search from the front would find it.
  const threadByName = new Map<string, (typeof r.threads)[number]>();
  for (const x of r.threads) if (!threadByName.has(x.name)) threadByName.set(x.name, x);
  for (const [name, l] of byThread) {
    l.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let i = 1; i < l.length; i++) {
      if (l[i]![0] < l[i - 1]![1]) {
        bad.push(
          `${name} runs on cpu${l[i - 1]![2]} (${l[i - 1]![0]}..${l[i - 1]![1]}) and cpu${l[i]![2]} (${l[i]![0]}..${l[i]![1]}) at once`,
        );
        break;
      }
    }
    if (whole) {
      const t = threadByName.get(name);
      const sum = l.reduce((a, x) => a + x[1] - x[0], 0);
      if (!t) bad.push(`timeline thread ${name} is not in threads`);
      else if (Math.abs(sum - t.runtime_ns) > tol) bad.push(`${name}: ${sum} ns on the timeline, runtime_ns ${t.runtime_ns}`);
    }
  }
  tl.tracks.forEach((t, track) => {
    if (t.kind !== "vcpu") return;
    const segs = trackSegments(tl, track);
    if (segs.length && (segs[0]!.start_ns !== tl.from_ns || segs[segs.length - 1]!.end_ns !== tl.to_ns))
      bad.push(`${t.name}: track covers ${segs[0]!.start_ns}..${segs[segs.length - 1]!.end_ns}, the timeline ${tl.from_ns}..${tl.to_ns}`);
    for (const g of segs) {
      if (g.vcpu_state !== "running") continue;
      const on = host[g.host_cpu ?? -1];
      const mid = (g.start_ns + g.end_ns) / 2;
      const h = on === undefined ? undefined : segmentAt(on, mid);
      if (!h || (!h.cut && h.entity !== t.thread)) {
        bad.push(`${t.name}: running on cpu${g.host_cpu} at ${mid}, but that CPU runs ${h?.thread ?? "nothing"}`);
        break;
      }
    }
  });
  return bad;
}

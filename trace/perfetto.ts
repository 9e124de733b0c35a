/**
 * A run's timeline as a Chrome trace-event JSON file, the format ui.perfetto.dev and
 * chrome://tracing open ("JSON Object Format": {"traceEvents": [...]}, times in microseconds).
 * Pure: no Node, no DOM; the CLI streams the chunks to a file, the panel joins them.
 *
 * Tracks (pid/tid pairs, named by "M" metadata events):
 *  - process "Host CPUs", one thread per host CPU: a complete ("X") event per segment, named
 *    after the thread, with its policy and boost state in args;
 *  - process "<vm> vCPUs", one thread per vCPU: the guest task running on it, or the vCPU
 *    thread's state when it does not run ("waiting (steal)", "halted"), and instant ("i")
 *    events for VM exits, interrupt injections, boosts, unboosts, requests and throttles;
 *  - process "<vm> guest tasks", one thread per guest task: when it ran, and on which vCPU.
 */
import type { RunResult, Timeline } from "../sim-core/results";
import { IRQ_KICKED, IRQ_POSTED, MARK_IRQ, SEG_BOOSTED, SEG_CUT, SEG_HALTED, SEG_WAITING } from "../sim-core/timeline-codes";
import { markAt, markerLabel, policyLabel, segAt, segEnd } from "../sim-core/timeline-read";

export interface TraceWindow {
  from: number;
  to: number;
}

const HOST_PID = 1;

/** Microseconds with nanosecond digits, from simulated ns. */
function us(ns: number): string {
  return (Math.round(ns) / 1000).toFixed(3);
}

const str = JSON.stringify;

function meta(pid: number, tid: number, name: string, value: string | number): string {
  const arg = name.endsWith("sort_index") ? { sort_index: value } : { name: value };
  return `{"ph":"M","pid":${pid},"tid":${tid},"name":${str(name)},"args":${str(arg)}}`;
}

function slice(pid: number, tid: number, cat: string, name: string, s: number, e: number, args: Record<string, unknown>): string {
  const dur = (Math.round(e) - Math.round(s)) / 1000;
  return `{"ph":"X","pid":${pid},"tid":${tid},"cat":${str(cat)},"name":${str(name)},"ts":${us(s)},"dur":${dur.toFixed(3)},"args":${str(args)}}`;
}

function instant(pid: number, tid: number, cat: string, name: string, t: number, args: Record<string, unknown>): string {
  return `{"ph":"i","s":"t","pid":${pid},"tid":${tid},"cat":${str(cat)},"name":${str(name)},"ts":${us(t)},"args":${str(args)}}`;
}

function markerEvent(tl: Timeline, i: number): { name: string; args: Record<string, unknown> } {
  const m = tl.markers;
  // i is a marker's index (markAt): every marker column has an entry for it.
  const cpu = m.cpu[i]!;
  const kind = m.kind[i]!;
  const arg = m.arg[i]!;
  const args: Record<string, unknown> = {};
  if (cpu >= 0) args.host_cpu = cpu;
  if (kind === MARK_IRQ) {
    args.kicked = (arg & IRQ_KICKED) !== 0;
    args.posted = (arg & IRQ_POSTED) !== 0;
  }
  return { name: markerLabel(kind, arg), args };
}

/** The trace as chunks of JSON text (a few thousand events each), for streaming to a file. */
export function* traceEventChunks(run: RunResult, tl: Timeline, win?: TraceWindow): Generator<string> {
  const from = Math.max(tl.from_ns, win?.from ?? tl.from_ns);
  const to = Math.min(tl.to_ns, win?.to ?? tl.to_ns);
  const g = tl.segments;
  let buf: string[] = [];
  let first = true;
  const emit = function* (ev: string) {
    buf.push(ev);
    if (buf.length >= 4096) {
      yield (first ? "" : ",\n") + buf.join(",\n");
      first = false;
      buf = [];
    }
  };
  yield `{"displayTimeUnit":"ns","otherData":${str({
    generator: "pvsched-sim",
    scenario: run.scenario,
    mode: run.mode,
    seed: run.seed,
    from_ns: from,
    to_ns: to,
    cut_segments: tl.budget.cut_segments,
  })},"traceEvents":[\n`;
  // Process ids: the host, then per VM its vCPUs and its guest tasks.
  const vms = [...new Set(tl.tracks.filter((t) => t.kind === "vcpu").map((t) => t.vm ?? ""))];
  const vcpuPid = (vm: string) => 2 + 2 * vms.indexOf(vm);
  const taskPid = (vm: string) => 3 + 2 * vms.indexOf(vm);
  yield* emit(meta(HOST_PID, 0, "process_name", "Host CPUs"));
  yield* emit(meta(HOST_PID, 0, "process_sort_index", 0));
  vms.forEach((vm, k) => {
    buf.push(meta(vcpuPid(vm), 0, "process_name", `${vm} vCPUs`), meta(vcpuPid(vm), 0, "process_sort_index", 1 + 2 * k));
    buf.push(meta(taskPid(vm), 0, "process_name", `${vm} guest tasks`), meta(taskPid(vm), 0, "process_sort_index", 2 + 2 * k));
  });
  const namedTasks = new Set<number>();
  for (let ti = 0; ti < tl.tracks.length; ti++) {
    const tr = tl.tracks[ti]!;
    const vcpu = tr.kind === "vcpu";
    const pid = vcpu ? vcpuPid(tr.vm ?? "") : HOST_PID;
    const tid = vcpu ? (tr.vcpu ?? ti) : (tr.cpu ?? ti);
    yield* emit(meta(pid, tid, "thread_name", vcpu ? `vCPU ${tr.vcpu} (${tr.name})` : `CPU ${tr.cpu}`));
    yield* emit(meta(pid, tid, "thread_sort_index", tid));
    // The segment columns: offset has one entry per track and one past the last; the others one
    // per segment, and track ti's segments are offset[ti] .. offset[ti + 1] - 1.
    const end = g.offset[ti + 1]!;
    for (let i = segAt(tl, ti, from); i < end && g.start_ns[i]! < to; i++) {
      const s = Math.max(g.start_ns[i]!, from);
      const e = Math.min(segEnd(tl, ti, i), to);
      if (!(e > s)) continue;
      const f = g.flags[i]!;
      const ent = g.entity[i]!;
      const hostCpu = g.cpu[i]!;
      const name = tl.entities[ent]?.name ?? "?";
      const policy = policyLabel(g.policy[i]!, g.prio[i]!, tr.fair);
      if (f & SEG_CUT) {
        yield* emit(slice(pid, tid, "budget", "not kept", s, e, {}));
        continue;
      }
      if (!vcpu) {
        if (ent === 0) continue;
        yield* emit(slice(pid, tid, "host", name, s, e, { policy, boosted: (f & SEG_BOOSTED) !== 0 }));
        continue;
      }
      const state = f & SEG_HALTED ? "halted" : f & SEG_WAITING ? "waiting (steal)" : "running";
      const args: Record<string, unknown> = { vcpu_thread: state, boosted: (f & SEG_BOOSTED) !== 0 };
      if (hostCpu >= 0) args.host_cpu = hostCpu;
      if (state !== "running") {
        if (ent !== 0) args.guest_task = name;
        yield* emit(slice(pid, tid, "vcpu", state, s, e, args));
        continue;
      }
      if (ent === 0) {
        yield* emit(slice(pid, tid, "vcpu", "guest idle", s, e, args));
        continue;
      }
      args.policy = policy;
      yield* emit(slice(pid, tid, "guest", name, s, e, args));
      const tp = taskPid(tr.vm ?? "");
      if (!namedTasks.has(ent)) {
        namedTasks.add(ent);
        yield* emit(meta(tp, ent, "thread_name", name));
      }
      yield* emit(slice(tp, ent, "guest", `on vCPU ${tr.vcpu}`, s, e, { policy, host_cpu: hostCpu }));
    }
    const mEnd = markAt(tl, ti, to);
    for (let i = markAt(tl, ti, from); i < mEnd; i++) {
      const ev = markerEvent(tl, i);
      yield* emit(instant(pid, tid, vcpu ? "kvm" : "host", ev.name, tl.markers.t_ns[i]!, ev.args));
    }
  }
  yield (first ? "" : buf.length ? ",\n" : "") + buf.join(",\n") + "\n]}\n";
}

/** The whole trace as one string (the panel's export: a window of the run). */
export function traceEventsJson(run: RunResult, tl: Timeline, win?: TraceWindow): string {
  let out = "";
  for (const c of traceEventChunks(run, tl, win)) out += c;
  return out;
}

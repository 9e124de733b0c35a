/**
 * Reading real scheduler traces: `trace-cmd report` text and `perf script` output of
 * sched_switch, sched_wakeup(_new), sched_waking, kvm_exit, kvm_entry, kvm_vcpu_wakeup,
 * hrtimer_start, hrtimer_expire_entry and sys_exit_clock_nanosleep. Pure (text in, events out): the CLI reads the file.
 *
 * Both tools print one event per line as `comm-pid [cpu] flags? seconds: event: fields`
 * (trace-cmd) or `comm pid [cpu] seconds: subsystem:event: fields` (perf script); the fields are
 * the tracepoints' own `name=value` pairs, except sched_switch's `==>` between prev and next.
 */

export interface TraceEvent {
  /** Trace clock, ns (the printed seconds, to the digits printed). */
  ts: number;
  cpu: number;
  /** The task current on `cpu`. */
  pid: number;
  comm: string;
  /** Tracepoint name without its subsystem ("sched_switch"). */
  name: string;
  fields: Record<string, string>;
  /** 1-based line in the input. */
  line: number;
}

export interface ParsedTrace {
  events: TraceEvent[];
  /** Lines that look like events of the names above but could not be read, with why. */
  skipped: { line: number; why: string }[];
  format: "trace-cmd" | "perf" | "unknown";
}

const WANTED = new Set([
  "sched_switch",
  "sched_wakeup",
  "sched_wakeup_new",
  "sched_waking",
  "kvm_exit",
  "kvm_entry",
  "kvm_vcpu_wakeup",
  "hrtimer_start",
  "hrtimer_expire_entry",
  "sys_exit_clock_nanosleep",
]);

// comm-pid [cpu] (flags) seconds: event: rest — comm may hold spaces and dashes; flags are the
// latency columns trace-cmd prints with -l (e.g. "d.h2.").
const TRACE_CMD = /^\s*(.+)-(\d+)\s+(?:\(\s*[\d-]+\)\s+)?\[(\d+)\]\s+(?:[\w.]{4,6}\s+)?(\d+)\.(\d+):\s+([\w:]+):\s?(.*)$/;
// comm pid [cpu] seconds: subsystem:event: rest
const PERF = /^\s*(.*?)\s+(\d+)(?:\/\d+)?\s+\[(\d+)\]\s+(\d+)\.(\d+):\s+(?:[\d]+\s+)?([\w]+:[\w]+):\s?(.*)$/;

/** Capture group `i` of a match: a group the pattern always captures (not under `?` or `|`). */
function group(m: RegExpExecArray, i: number): string {
  const g = m[i];
  if (g === undefined) throw new Error(`capture group ${i} of ${m.input} is missing`);
  return g;
}

/** Seconds as printed ("1234.567890") to integer ns. */
function toNs(sec: string, frac: string): number {
  return Number(sec) * 1e9 + Number(frac.padEnd(9, "0").slice(0, 9));
}

/** `a=1 b=x y c=3`: values run to the next ` key=`, so a comm with spaces stays whole. */
export function parseFields(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /(\w+)=/g;
  const keys: { k: string; at: number; end: number }[] = [];
  for (let m = re.exec(s); m; m = re.exec(s)) {
    // A key starts the string or follows a space.
    if (m.index > 0 && s[m.index - 1] !== " ") continue;
    keys.push({ k: group(m, 1), at: m.index, end: m.index + m[0].length });
  }
  keys.forEach((k, i) => {
    out[k.k] = s.slice(k.end, keys[i + 1]?.at ?? s.length).trim();
  });
  return out;
}

/** sched_switch fields: `prev_comm=a prev_pid=1 prev_prio=120 prev_state=S ==> next_comm=b next_pid=2 next_prio=120`. */
function switchFields(rest: string): Record<string, string> | null {
  const at = rest.indexOf("==>");
  if (at < 0) return null;
  const f = parseFields(rest.slice(0, at));
  const g = parseFields(rest.slice(at + 3));
  // trace-cmd's own sched_switch printer: `a:1 [120] S ==> b:2 [120]`.
  if (!f.prev_pid) {
    const p = /^\s*(.+):(\d+)\s+\[(-?\d+)\]\s+(\S+)\s*$/.exec(rest.slice(0, at));
    const n = /^\s*(.+):(\d+)\s+\[(-?\d+)\]\s*$/.exec(rest.slice(at + 3));
    if (!p || !n) return null;
    return {
      prev_comm: group(p, 1),
      prev_pid: group(p, 2),
      prev_prio: group(p, 3),
      prev_state: group(p, 4),
      next_comm: group(n, 1),
      next_pid: group(n, 2),
      next_prio: group(n, 3),
    };
  }
  return { ...f, ...g };
}

/** trace-cmd's sched_wakeup printer: `comm:pid [prio] CPU:001` (else name=value). */
function wakeupFields(rest: string): Record<string, string> {
  const f = parseFields(rest);
  if (f.pid) return f;
  const m = /^\s*(.+):(\d+)\s+\[(-?\d+)\](?:\s+(?:success=\d+\s+)?CPU:(\d+))?/.exec(rest);
  return m ? { comm: group(m, 1), pid: group(m, 2), prio: group(m, 3), target_cpu: m[4] ?? "" } : f;
}

/** What a file without one event the probes read is told (after its `file:1:1: `). */
export const NO_TRACE_EVENTS =
  "no sched_switch, sched_wakeup, kvm_* or hrtimer_* events found (trace-cmd report or perf script text expected)";

export function parseTrace(text: string): ParsedTrace {
  const events: TraceEvent[] = [];
  const skipped: ParsedTrace["skipped"] = [];
  let tc = 0;
  let perf = 0;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.length === 0 || raw.startsWith("#") || raw.startsWith("cpus=") || raw.startsWith("CPU ")) continue;
    let m = TRACE_CMD.exec(raw);
    let isPerf = false;
    if (!m || group(m, 6).includes(":")) {
      const p = PERF.exec(raw);
      if (p) {
        m = p;
        isPerf = true;
      }
    }
    if (!m) continue;
    const full = group(m, 6);
    const name = full.includes(":") ? full.slice(full.lastIndexOf(":") + 1) : full;
    if (!WANTED.has(name)) continue;
    if (isPerf) perf++;
    else tc++;
    const rest = group(m, 7);
    let fields: Record<string, string> | null;
    if (name === "sched_switch") fields = switchFields(rest);
    else if (name.startsWith("sched_wak")) fields = wakeupFields(rest);
    else fields = parseFields(rest);
    if (!fields) {
      skipped.push({ line: i + 1, why: `unreadable ${name} fields` });
      continue;
    }
    const ts = toNs(group(m, 4), group(m, 5));
    events.push({ ts, cpu: Number(group(m, 3)), pid: Number(group(m, 2)), comm: group(m, 1).trim(), name, fields, line: i + 1 });
  }
  // Both tools print in time order per CPU, not always across CPUs: sort (stably) by time.
  events.sort((a, b) => a.ts - b.ts || a.line - b.line);
  return { events, skipped, format: tc === 0 && perf === 0 ? "unknown" : tc >= perf ? "trace-cmd" : "perf" };
}

/** hrtimer_start's `expires=` and hrtimer_expire_entry's `now=`: CLOCK_MONOTONIC ns. */
export function fieldNs(f: Record<string, string>, k: string): number {
  const v = f[k];
  return v === undefined ? Number.NaN : Number(v);
}

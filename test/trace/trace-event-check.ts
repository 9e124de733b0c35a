/**
 * A checker of Chrome trace-event JSON, written from the Trace Event Format document (the JSON
 * Object Format; event phases and their required fields; metadata events) and from what
 * Perfetto's JSON importer needs on top: complete events of one thread must nest (a slice that
 * overlaps another without containing it is dropped by the importer). No npm package parses
 * this format as trace processor does, so the test checks the file against the format itself.
 */

const PHASES = new Set(["B", "E", "X", "i", "I", "C", "b", "n", "e", "s", "t", "f", "P", "O", "N", "D", "M", "V", "v", "R", "c", "(", ")"]);
const META = new Set(["process_name", "process_labels", "process_sort_index", "thread_name", "thread_sort_index"]);

export interface TraceCheck {
  problems: string[];
  events: number;
  byPhase: Record<string, number>;
  /** "pid/tid" -> thread name, "pid" -> process name. */
  names: Map<string, string>;
}

const isId = (v: unknown) => (typeof v === "number" && Number.isInteger(v)) || typeof v === "string";

export function checkTraceEvents(doc: unknown, maxProblems = 20): TraceCheck {
  const out: TraceCheck = { problems: [], events: 0, byPhase: {}, names: new Map() };
  /** Records a problem; returns false so that `return bad(...)` ends an event's checks. */
  const bad = (m: string): false => {
    if (out.problems.length < maxProblems) out.problems.push(m);
    return false;
  };
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    bad("not the JSON Object Format (an object with traceEvents)");
    return out;
  }
  const o = doc as Record<string, unknown>;
  if (!Array.isArray(o.traceEvents)) {
    bad("traceEvents is not an array");
    return out;
  }
  if (o.displayTimeUnit !== undefined && o.displayTimeUnit !== "ms" && o.displayTimeUnit !== "ns")
    bad(`displayTimeUnit ${String(o.displayTimeUnit)}`);
  if (o.otherData !== undefined && (typeof o.otherData !== "object" || o.otherData === null)) bad("otherData is not an object");
  const slices = new Map<string, [number, number, number][]>();
  const used = new Set<string>();
  const usedPids = new Set<string>();
  const one = (ev: unknown, i: number) => {
    out.events++;
    if (typeof ev !== "object" || ev === null) return bad(`event ${i} is not an object`);
    const e = ev as Record<string, unknown>;
    const ph = e.ph;
    if (typeof ph !== "string" || !PHASES.has(ph)) return bad(`event ${i}: unknown phase ${JSON.stringify(ph)}`);
    out.byPhase[ph] = (out.byPhase[ph] ?? 0) + 1;
    if (!isId(e.pid) || !isId(e.tid)) return bad(`event ${i}: pid/tid missing or not an integer or string`);
    if (e.args !== undefined && (typeof e.args !== "object" || e.args === null || Array.isArray(e.args)))
      bad(`event ${i}: args is not an object`);
    if (e.cat !== undefined && typeof e.cat !== "string") bad(`event ${i}: cat is not a string`);
    const key = `${e.pid}/${e.tid}`;
    if (ph === "M") {
      if (typeof e.name !== "string" || !META.has(e.name)) return bad(`event ${i}: unknown metadata ${JSON.stringify(e.name)}`);
      const args = (e.args ?? {}) as Record<string, unknown>;
      if (e.name.endsWith("_name") && typeof args.name !== "string") return bad(`event ${i}: ${e.name} without args.name`);
      if (e.name.endsWith("_sort_index") && !Number.isInteger(args.sort_index))
        return bad(`event ${i}: ${e.name} without an integer args.sort_index`);
      if (e.name === "thread_name") out.names.set(key, args.name as string);
      if (e.name === "process_name") out.names.set(String(e.pid), args.name as string);
      return;
    }
    if (typeof e.name !== "string") return bad(`event ${i}: no name`);
    if (typeof e.ts !== "number" || !Number.isFinite(e.ts) || e.ts < 0) return bad(`event ${i}: ts ${JSON.stringify(e.ts)}`);
    used.add(key);
    usedPids.add(String(e.pid));
    if (ph === "X") {
      if (typeof e.dur !== "number" || !Number.isFinite(e.dur) || e.dur < 0) return bad(`event ${i}: complete event without a dur >= 0`);
      let l = slices.get(key);
      if (!l) {
        l = [];
        slices.set(key, l);
      }
      // As the importer does: microseconds to integer nanoseconds, each field on its own.
      const start = Math.round(e.ts * 1000);
      l.push([start, start + Math.round(e.dur * 1000), i]);
    }
    if ((ph === "i" || ph === "I") && e.s !== undefined && e.s !== "g" && e.s !== "p" && e.s !== "t")
      bad(`event ${i}: instant scope ${JSON.stringify(e.s)}`);
    if (ph === "C" && e.args && Object.values(e.args as object).some((v) => typeof v !== "number"))
      bad(`event ${i}: counter with a non-numeric value`);
  };
  o.traceEvents.forEach((ev: unknown, i: number) => {
    one(ev, i);
  });
  // Complete events of one thread nest: each starts after the enclosing one's start and ends before its end.
  for (const [key, l] of slices) {
    l.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const stack: [number, number, number][] = [];
    for (const s of l) {
      while (stack.length && stack[stack.length - 1]![1] <= s[0]) stack.pop();
      const top = stack[stack.length - 1];
      if (top && s[1] > top[1]) {
        bad(`${key}: event ${s[2]} (${s[0]}..${s[1]} ns) overlaps event ${top[2]} (${top[0]}..${top[1]} ns) without nesting`);
        break;
      }
      stack.push(s);
    }
  }
  for (const key of used) if (!out.names.has(key)) bad(`track ${key} has events but no thread_name`);
  for (const pid of usedPids) if (!out.names.has(pid)) bad(`process ${pid} has events but no process_name`);
  return out;
}

/**
 * The claims a scenario file makes about its own results, written as comments so that the file
 * says what it shows and a test holds it to that (test/scenarios/example-claims.test.ts):
 *
 *     # claim: guest-cyclictest.avg_us@vanilla > 10x guest-cyclictest.avg_us@dynamic in 3 of 3
 *     # claim: mechanisms.switches@dynamic > 0 in 3 of 3
 *
 * A term is `<probe id>.<metric>@<mode label>`, `mechanisms.<mechanism>@<mode label>` or a number;
 * the right side may carry a factor (`10x`). "in K of N": run N replications (replication r at the
 * scenario's seed + r) and the comparison must hold in at least K. Qualitative on purpose: the
 * simulator's numbers move, the direction and the rough size should not. Pure: no I/O.
 */
import type { RunResult } from "../sim-core/index";

export const CLAIM_METRICS = ["avg_us", "p50_us", "p90_us", "p99_us", "p999_us", "max_us", "min_us", "count", "glitches"] as const;
export type ClaimMetric = (typeof CLAIM_METRICS)[number];

export type ClaimTerm =
  | { kind: "number"; value: number }
  | { kind: "probe"; probe: string; metric: ClaimMetric; mode: string }
  | { kind: "mechanism"; mechanism: string; mode: string };

export interface Claim {
  /** The claim as written (after "claim:"). */
  text: string;
  /** 1-based line of the comment. */
  line: number;
  left: ClaimTerm;
  op: "<" | ">" | "<=" | ">=";
  factor: number;
  right: ClaimTerm;
  holdsIn: number;
  of: number;
}

const TERM = String.raw`(-?\d+(?:\.\d+)?|mechanisms\.[a-z_]+@[^\s]+|[A-Za-z0-9_./#-]+\.[a-z0-9_]+@[^\s]+)`;
const CLAIM_RE = new RegExp(String.raw`^${TERM}\s*(<=|>=|<|>)\s*(?:(\d+(?:\.\d+)?)x\s+)?${TERM}\s+in\s+(\d+)\s+of\s+(\d+)$`);

function term(s: string): ClaimTerm | string {
  if (/^-?\d/.test(s)) return { kind: "number", value: Number(s) };
  const at = s.lastIndexOf("@");
  const [what, mode] = [s.slice(0, at), s.slice(at + 1)];
  if (what.startsWith("mechanisms.")) return { kind: "mechanism", mechanism: what.slice("mechanisms.".length), mode };
  const dot = what.lastIndexOf(".");
  const metric = what.slice(dot + 1);
  if (!(CLAIM_METRICS as readonly string[]).includes(metric)) return `unknown metric "${metric}" (one of ${CLAIM_METRICS.join(", ")})`;
  return { kind: "probe", probe: what.slice(0, dot), metric: metric as ClaimMetric, mode };
}

/**
 * Every `# claim:` comment of a scenario text, or the first problem with its line. A mode label
 * may not contain spaces here: name such modes with hyphens.
 */
export function parseClaims(text: string): { claims: Claim[] } | { problem: string; line: number } {
  const claims: Claim[] = [];
  const lines = text.split("\n");
  for (const [i, raw] of lines.entries()) {
    const m = /^\s*#\s*claim:\s*(.*?)\s*$/.exec(raw);
    if (!m) continue;
    const body = m[1] ?? "";
    const c = CLAIM_RE.exec(body);
    if (!c) return { problem: `line ${i + 1}: a claim reads "<term> <op> [<factor>x] <term> in <k> of <n>", not "${body}"`, line: i + 1 };
    const left = term(c[1]!);
    const right = term(c[4]!);
    for (const t of [left, right]) if (typeof t === "string") return { problem: `line ${i + 1}: ${t}`, line: i + 1 };
    const [k, n] = [Number(c[5]), Number(c[6])];
    if (!(n >= 1 && k >= 1 && k <= n)) return { problem: `line ${i + 1}: "in ${k} of ${n}" needs 1 <= k <= n`, line: i + 1 };
    claims.push({
      text: body,
      line: i + 1,
      left: left as ClaimTerm,
      op: c[2] as Claim["op"],
      factor: c[3] ? Number(c[3]) : 1,
      right: right as ClaimTerm,
      holdsIn: k,
      of: n,
    });
  }
  return { claims };
}

/** The modes a claim reads (to run only those). */
export function claimModes(c: Claim): string[] {
  return [c.left, c.right].flatMap((t) => (t.kind === "number" ? [] : [t.mode]));
}

/** A term's value in one replication (its runs by mode label); a one-line reason when it has none. */
export function termValue(t: ClaimTerm, runs: ReadonlyMap<string, RunResult>): number | string {
  if (t.kind === "number") return t.value;
  const r = runs.get(t.mode);
  if (!r) return `no run of mode "${t.mode}" (modes: ${[...runs.keys()].join(", ")})`;
  if (t.kind === "mechanism") {
    const n = r.mechanisms?.[t.mechanism as keyof NonNullable<RunResult["mechanisms"]>];
    return n === undefined ? `mode "${t.mode}" has no counter ${t.mechanism}` : n;
  }
  const p = r.probes.find((x) => x.id === t.probe);
  if (!p) return `mode "${t.mode}" has no probe ${t.probe} (probes: ${r.probes.map((x) => x.id).join(", ")})`;
  const v = t.metric === "glitches" ? p.glitches : t.metric === "count" ? p.latency.count : p.latency[t.metric];
  return typeof v === "number" ? v : `probe ${t.probe} has no ${t.metric}`;
}

export interface ClaimOutcome {
  claim: Claim;
  /** Replications in which the comparison held. */
  held: number;
  /** Per replication: "left op factor*right" with the numbers. */
  detail: string[];
  holds: boolean;
}

/** Checks a claim over replications (each a map from mode label to its run). */
export function checkClaim(c: Claim, replications: readonly ReadonlyMap<string, RunResult>[]): ClaimOutcome {
  let held = 0;
  const detail: string[] = [];
  for (const runs of replications) {
    const a = termValue(c.left, runs);
    const b = termValue(c.right, runs);
    if (typeof a === "string" || typeof b === "string") {
      detail.push(typeof a === "string" ? a : String(b));
      continue;
    }
    const rhs = c.factor * b;
    const ok = c.op === "<" ? a < rhs : c.op === ">" ? a > rhs : c.op === "<=" ? a <= rhs : a >= rhs;
    if (ok) held++;
    detail.push(`${a} ${c.op} ${c.factor === 1 ? "" : `${c.factor}x `}${b}: ${ok}`);
  }
  return { claim: c, held, detail, holds: held >= c.holdsIn };
}

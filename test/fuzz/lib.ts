/**
 * The fuzzer's library, bundled by scripts/fuzz.mjs (esbuild) into one CommonJS file used by the
 * fuzzer's main thread (mutations) and by its worker (targets).
 *
 * Mutations draw from sim-core's seeded Rng, so input number i of a run is a pure function of
 * (--seed, i) and the seed corpus: any failure can be replayed with `--seed S --only i`.
 *
 * Targets return a short summary on success and throw an Error whose message says what broke on
 * failure. A target must never throw for bad input: refusing it with a message is success.
 */
import { Rng } from "../../sim-core/rng";
import { simulate, resolveModes, type Scenario } from "../../sim-core/index";
import { formatError, loadScenario } from "../../scenario-loader/index";
import { decodeText } from "../../cli/input";
import { InputError } from "../../cli/errors";
import { compileHunkMap, mapPatch } from "../../patch/mapper";
import { countHunks, decodePatchBytes, parsePatchText } from "../../patch/parse";
import { checkRun } from "../property/invariants";
import { estimateRun } from "../../runner/budget";

export { Rng };

// ---------------------------------------------------------------------------------------------
// Mutations

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: false });

const HUGE_NUMBERS = [
  "1e309",
  "-1e309",
  "99999999999999999999999",
  "1e-400",
  "-0",
  "0",
  "-1",
  "4294967296",
  "9007199254740993",
  ".nan",
  ".inf",
  "-.inf",
  "0x7fffffff",
  "0o777",
  "1_000",
  "2e10",
];
const UNICODE = [
  "\u0000",
  "\uFEFF",
  "\u202E",
  "\u2028",
  "\u2029",
  "\u00A0",
  "\u0301",
  "\uD800",
  "\uDFFF",
  "\uFFFD",
  "\u{1F600}",
  "é",
  "ß",
  "\u200B",
  "\u0085",
  "\u000B",
  "\u001B[31m",
  "\u3000",
  "Ⅻ",
  "٣",
];
const YAML_BITS = [
  "&a ",
  "*a",
  "<<: *a\n",
  "!!binary ",
  "!!str ",
  "? ",
  "|\n",
  ">-\n",
  "---\n",
  "...\n",
  "%YAML 1.1\n",
  "\t",
  "{",
  "}",
  "[",
  "]",
  ": ",
  "- ",
  "#",
  "'",
  '"',
  "~",
];
const PATCH_BITS = [
  "@@ -1,999999999 +1,999999999 @@\n",
  "@@ -0,0 +0,0 @@\n",
  "diff --git a/x b/x\n",
  "--- a/x\n",
  "+++ b/x\n",
  "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n",
  "Subject: =?utf-8?B?w6k=?=\n",
  "GIT binary patch\nliteral 99999999\n",
  "\\ No newline at end of file\n",
  "-- \n",
  "Binary files a/x and b/x differ\n",
  "+\tpv_sched_boost(vcpu);\n",
  "@@@ -1 -1 +1 @@@\n",
];

export type Kind = "scenario" | "patch";

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.u32() % xs.length]!;
}
function int(rng: Rng, n: number): number {
  return n <= 0 ? 0 : rng.u32() % n;
}

function splitLines(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let s = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 10) out.push(b.subarray(s, i + 1)), (s = i + 1);
  if (s < b.length) out.push(b.subarray(s));
  return out;
}
function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) out.set(p, o), (o += p.length);
  return out;
}
function insertAt(b: Uint8Array, at: number, ins: Uint8Array, del = 0): Uint8Array {
  return concat([b.subarray(0, at), ins, b.subarray(Math.min(b.length, at + del))]);
}

/** Names of the mutation operators, in the order `mutate` numbers them (for the report). */
export const MUTATIONS = [
  "byte-flip",
  "bit-flip",
  "line-delete",
  "line-duplicate",
  "line-swap",
  "line-repeat",
  "splice",
  "crlf-toggle",
  "huge-number",
  "deep-nesting",
  "unicode",
  "syntax-token",
  "truncate",
] as const;

/**
 * One mutation of `b`, drawn from `rng`. `other` is another corpus entry (for splicing).
 * Sizes stay bounded (a few MB at most) so that one input never needs more than the time bound
 * to build; large inputs come from repeating lines and nesting.
 */
export function mutateOnce(rng: Rng, kind: Kind, b: Uint8Array, other: Uint8Array): [Uint8Array, string] {
  const op = MUTATIONS[int(rng, MUTATIONS.length)]!;
  const at = int(rng, b.length + 1);
  switch (op) {
    case "byte-flip": {
      const c = b.slice();
      for (let k = 1 + int(rng, 4); k > 0 && c.length; k--) c[int(rng, c.length)] = int(rng, 256);
      return [c, op];
    }
    case "bit-flip": {
      const c = b.slice();
      if (c.length) c[int(rng, c.length)]! ^= 1 << int(rng, 8);
      return [c, op];
    }
    case "line-delete":
    case "line-duplicate":
    case "line-swap":
    case "line-repeat": {
      const ls = splitLines(b);
      if (ls.length === 0) return [b, op];
      const i = int(rng, ls.length);
      if (op === "line-delete") ls.splice(i, 1 + int(rng, 3));
      else if (op === "line-duplicate") ls.splice(i, 0, ls[i]!);
      else if (op === "line-swap") {
        const j = int(rng, ls.length);
        [ls[i], ls[j]] = [ls[j]!, ls[i]!];
      } else {
        // Many copies of one line: long files, many hunks, many workloads, duplicate keys.
        const n = [10, 100, 1000, 20000][int(rng, 4)]!;
        ls.splice(i, 0, ...Array.from({ length: n }, () => ls[i]!));
      }
      return [concat(ls), op];
    }
    case "splice": {
      // A run of lines of another corpus entry replaces a run of this one.
      const a = splitLines(b);
      const o = splitLines(other);
      const i = int(rng, a.length + 1);
      const j = int(rng, o.length + 1);
      const take = o.slice(j, j + 1 + int(rng, 12));
      a.splice(i, int(rng, 6), ...take);
      return [concat(a), op];
    }
    case "crlf-toggle": {
      const t = dec.decode(b);
      const r = int(rng, 3);
      if (r === 0) return [enc.encode(t.replace(/\r?\n/g, "\r\n")), op];
      if (r === 1) return [enc.encode(t.replace(/\r\n/g, "\n")), op];
      // Mixed: one line in CRLF, or a lone CR.
      const ls = t.split("\n");
      const i = int(rng, ls.length);
      ls[i] = ls[i] + (int(rng, 2) ? "\r" : "\r\r");
      return [enc.encode(ls.join("\n")), op];
    }
    case "huge-number": {
      const t = dec.decode(b);
      const nums = [...t.matchAll(/-?\d+(\.\d+)?/g)];
      if (nums.length === 0) return [insertAt(b, at, enc.encode(pick(rng, HUGE_NUMBERS))), op];
      const m = nums[int(rng, nums.length)];
      return [enc.encode(t.slice(0, m!.index!) + pick(rng, HUGE_NUMBERS) + t.slice(m!.index! + m![0].length)), op];
    }
    case "deep-nesting": {
      const depth = [10, 100, 1000, 10000][int(rng, 4)];
      let s: string;
      if (kind === "scenario") {
        const r = int(rng, 4);
        s =
          r === 0
            ? "[".repeat(depth!) + "]".repeat(depth!)
            : r === 1
              ? "{a: ".repeat(depth!) + "1" + "}".repeat(depth!)
              : r === 2
                ? Array.from({ length: Math.min(depth!, 500) }, (_, k) => " ".repeat(k) + "- ").join("\n") + "1"
                : "&a [" + "*a, ".repeat(Math.min(depth!, 2000)) + "]";
        // As a value of a key of the scenario, or raw at a random place.
        const t = dec.decode(b);
        const keys = [...t.matchAll(/^(\s*)([a-z_]+):/gm)];
        if (keys.length && int(rng, 2)) {
          const k = keys[int(rng, keys.length)];
          const end = k!.index! + k![0].length;
          return [enc.encode(t.slice(0, end) + " " + s + t.slice(t.indexOf("\n", end) < 0 ? t.length : t.indexOf("\n", end))), op];
        }
      } else {
        // Patches nest by repetition: hunk headers in a row, quoted mail bodies, nested diffs.
        const r = int(rng, 3);
        s =
          r === 0
            ? "@@ -1 +1 @@\n".repeat(depth!)
            : r === 1
              ? "> ".repeat(Math.min(depth!, 5000)) + "--- a/x\n"
              : "diff --git a/x b/x\n--- a/x\n+++ b/x\n".repeat(Math.min(depth!, 3000));
      }
      return [insertAt(b, at, enc.encode(s)), op];
    }
    case "unicode": {
      const s = Array.from({ length: 1 + int(rng, 3) }, () => pick(rng, UNICODE)).join("");
      // A lone surrogate cannot be UTF-8 encoded; TextEncoder writes U+FFFD. Raw invalid bytes
      // come from byte-flip, so both cases are covered.
      return [insertAt(b, at, enc.encode(s)), op];
    }
    case "syntax-token": {
      const s = pick(rng, kind === "scenario" ? YAML_BITS : PATCH_BITS);
      return [insertAt(b, at, enc.encode(s), int(rng, 3)), op];
    }
    case "truncate":
      return [b.subarray(0, at), op];
  }
}

/** Largest input the fuzzer builds. The 50 MB patch case is in test/property/cli-bad-input.test.ts. */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;

/** 1-4 stacked mutations of a corpus entry. Returns the input and the operators applied. */
/** Input i of a run with --seed `seed`: its own generator, from the seed and i alone (replayable with --only). */
export function inputRng(seed: number, i: number): Rng {
  return new Rng((Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0);
}

export function makeInput(rng: Rng, kind: Kind, corpus: Uint8Array[]): { bytes: Uint8Array; ops: string[]; base: number } {
  const base = int(rng, corpus.length);
  let b = corpus[base]!;
  const ops: string[] = [];
  for (let k = 1 + int(rng, 4); k > 0; k--) {
    const [nb, op] = mutateOnce(rng, kind, b, corpus[int(rng, corpus.length)]!);
    // Stacked repetitions grow exponentially: keep each input under the cap (it is still above
    // the loader's 1 M-character limit, so over-size refusals are exercised). A copy, not a view:
    // posting a view to the worker clones its whole buffer (a 4 MiB view of a repetition hundreds
    // of MB long took seconds to arrive, and was reported as the input's hang).
    b = nb.length > MAX_INPUT_BYTES ? nb.slice(0, MAX_INPUT_BYTES) : nb;
    ops.push(op);
  }
  return { bytes: b, ops, base };
}

// ---------------------------------------------------------------------------------------------
// Targets

/**
 * Caps for simulating a fuzzed scenario: short and bounded, the point is robustness. Events alone
 * do not bound the work: one guest timer interrupt can expire and wake a thousand threads, each
 * wakeup a latency sample to record and attribute (the fuzzer's 1,004-thread inputs ran 0.05 s in
 * 80 k events and 2-4 s of CPU). So the simulated time is also cut to `samples` latency samples
 * per mode, counted as the product's own run budget counts them (runner/budget.ts estimateRun).
 * A slow input is then one that does more work per event or per sample than the engine should,
 * which is what a hang report should mean. The seed corpus takes at most 1,500 samples in 0.05 s,
 * so only the thousand-thread kind is shortened (to 2 ms: 0.7 s of CPU warm for three modes, from
 * 2-4 s); event-bound inputs (zero-length bursts) keep the event cap.
 */
export const SIM_CAPS = { duration_s: 0.05, maxEvents: 200_000, maxModes: 4, samples: 2_000 } as const;

/** The simulated seconds a fuzzed scenario runs: SIM_CAPS' duration, cut to its sample cap. */
export function fuzzDuration(s: Scenario): number {
  const d = Math.min(s.duration_s ?? 10, SIM_CAPS.duration_s);
  const samples = estimateRun({ ...s, duration_s: d }).samples;
  // Never below 1 us: the loader refuses nothing shorter, and 0 would be no run at all.
  return samples > SIM_CAPS.samples ? Math.max((SIM_CAPS.samples / samples) * d, 1e-6) : d;
}

export interface TargetInfo {
  outcome: "refused" | "loaded" | "simulated" | "parsed";
  events?: number;
  hunks?: number;
}

/**
 * Scenario bytes as the CLI reads them (cli/input.ts decodeText), then the loader, then, when
 * valid, a short simulation of each mode with the invariants checked.
 */
export function scenarioTarget(bytes: Uint8Array): TargetInfo {
  let text: string;
  try {
    text = decodeText("fuzz.yaml", bytes);
  } catch (e) {
    if (e instanceof InputError && !/[\r\n]/.test(e.message)) return { outcome: "refused" };
    throw e;
  }
  const r = loadScenario(text, "fuzz.yaml");
  if (!r.ok) {
    if (r.errors.length === 0) throw new Error("loader: not ok and no errors");
    for (const e of r.errors) {
      if (!(e.line >= 1 && e.column >= 1)) throw new Error(`loader: error at line ${e.line} column ${e.column}: ${e.message}`);
      if (!(e.offset >= 0 && e.offset + e.length <= text.length))
        throw new Error(`loader: range ${e.offset}+${e.length} outside ${text.length} chars`);
      if (/[\r\n]/.test(formatError("f", e))) throw new Error(`loader: multi-line error ${JSON.stringify(e.message)}`);
    }
    return { outcome: "refused" };
  }
  const s: Scenario = { ...r.scenario, duration_s: fuzzDuration(r.scenario), warmup_ms: 0 };
  if (s.timeline) s.timeline = { ...s.timeline, from_ms: undefined, to_ms: undefined };
  let events = 0;
  for (const m of resolveModes(s).slice(0, SIM_CAPS.maxModes)) {
    const res = simulate(s, m, { maxEvents: SIM_CAPS.maxEvents, timeline: true });
    events += res.events;
    const bad = checkRun(res, s);
    if (bad.length) throw new Error(`invariants (${m.name ?? m.mode}): ${bad.slice(0, 4).join("; ")}`);
  }
  return { outcome: "simulated", events };
}

const hunkMap = compileHunkMap(null);

/** Patch bytes as `pvsched-sim map` reads them: decode, parse, map; positions inside the document. */
export function patchTarget(bytes: Uint8Array): TargetInfo {
  const d = decodePatchBytes(bytes);
  if (!d.ok) {
    if (!d.reason || /[\r\n]/.test(d.reason) || !(d.line >= 0)) throw new Error(`decode: bad refusal ${JSON.stringify(d)}`);
    return { outcome: "refused" };
  }
  if (d.text.includes("\0")) throw new Error("decode: text holds a NUL");
  const r = parsePatchText(d.text);
  if (r.refused) {
    if (r.patches.length) throw new Error("parse: refused but patches returned");
    return { outcome: "refused" };
  }
  const n = r.lineCount;
  if (!(n >= 1)) throw new Error(`parse: lineCount ${n}`);
  for (const p of r.patches) {
    if (!(0 <= p.line && p.line <= p.endLine && p.endLine < n)) throw new Error(`parse: patch lines ${p.line}..${p.endLine} outside ${n}`);
    for (const f of p.files)
      for (const h of f.hunks) {
        if (!(f.line <= h.line && h.line <= h.endLine && h.endLine <= f.endLine && h.endLine < n))
          throw new Error(`parse: hunk ${h.line}..${h.endLine} outside its file ${f.line}..${f.endLine}`);
        if (!(h.addedCount <= h.newCount && h.removedCount <= h.oldCount))
          throw new Error(`parse: hunk at ${h.line} counts more lines than its header`);
      }
  }
  for (const x of r.diagnostics)
    if (!(x.line >= 0 && x.line < n) || /[\r\n]/.test(x.message)) throw new Error(`parse: diagnostic ${JSON.stringify(x)}`);
  const mapped = mapPatch(r, hunkMap);
  if (mapped.length !== countHunks(r)) throw new Error(`map: ${mapped.length} mapped of ${countHunks(r)} hunks`);
  return { outcome: "parsed", hunks: mapped.length };
}

export function runTarget(kind: Kind, bytes: Uint8Array): TargetInfo {
  return kind === "scenario" ? scenarioTarget(bytes) : patchTarget(bytes);
}

/**
 * Declarative hunk → mechanism map.
 *
 * A map is a list of rules. A rule names a mechanism and says which hunks belong to it:
 *
 *   { "mechanism": "boost_on_inject", "patch": 4, "files": ["arch/x86/kvm/lapic.c"],
 *     "functions": ["apic_timer_expired"], "identifiers": ["kvm_vcpu_kick_boost"],
 *     "subjects": ["latency sensitive"] }
 *
 * Matching a hunk against a rule:
 *   1. `files` (globs, picomatch syntax) must match the hunk's file path. Required.
 *   2. If the rule lists any of `identifiers`, `functions`, `subjects` or `patch`, at least one of
 *      them must match too; a rule with files only matches on the file alone.
 *   3. The score ranks the kinds of evidence: an added identifier (8) > the function context (4) >
 *      the patch subject (2) > the patch number (1). The rule with the highest score wins; on equal
 *      scores, the rule matching more distinct added identifiers wins, then the earlier rule. (The
 *      default map lists later patches first, so a hunk that only uses an earlier patch's helpers
 *      goes to the later patch.)
 *
 * Layers: a workspace override file's rules are tried first; only if none of them matches a hunk
 * are the default rules tried (`extends: "default"`, the default). With `extends: "none"` only the
 * override's rules are used.
 *
 * Pure TypeScript, no Node/VS Code imports. Globs use picomatch's POSIX build, which has no
 * dependency on `process` or `path`, so it bundles for the browser.
 */
import picomatch from "picomatch/posix";
import type { ParseResult, Patch, FileDiff, Hunk } from "./parse";
import defaultMapJson from "./default-map.json";

/** The mechanism ids of sim-core (sim-core/pvsched/registry.ts). Kept here as strings so the patch
 * layer does not depend on sim-core; a test checks both lists agree. */
export const KNOWN_MECHANISMS = [
  "shared_memory",
  "setscheduler_irq",
  "lazy_boost",
  "sync_unboost",
  "boost_on_inject",
  "boost_on_block",
  "preempt_throttle",
  "switches",
  "guest_sched_boost",
  "guest_irq_boost",
] as const;

export interface HunkMapRule {
  mechanism: string;
  /** Patch number n of `[PATCH n/m]`; evidence, not a filter (a respin may renumber). */
  patch?: number;
  /** Globs on the file path (new path, or old path for deletions). Required, non-empty. */
  files: string[];
  /** Names (whole word in the hunk's function context) or `/regex/flags`. */
  functions?: string[];
  /** Identifiers the hunk adds. A trailing `*` matches a prefix (`pv_sched_*`). */
  identifiers?: string[];
  /** Regexes (case-insensitive) on the patch subject. */
  subjects?: string[];
  /** Free text shown in explanations. */
  note?: string;
}

export interface HunkMapFile {
  $schema?: string;
  /** Whether the default rules are tried after these. Default "default". */
  extends?: "default" | "none";
  rules: HunkMapRule[];
}

export interface MappedHunk {
  patchSubject: string;
  /** n of `[PATCH n/m]`, or null. */
  patchIndex: number | null;
  file: string;
  /** 0-based document line of the `@@` header. */
  line: number;
  /** 0-based document line of the hunk's last line. */
  endLine: number;
  funcContext: string;
  mechanism: string | null;
  /** Why the hunk matched (or why nothing did). */
  reason: string;
  /** Score of the winning rule (0 when unmapped). */
  score: number;
  /** Which layer the rule came from, and its index in that layer's `rules`. */
  rule: { source: "override" | "default"; index: number } | null;
}

// ---------------------------------------------------------------------------------------------
// Compilation

interface CompiledRule {
  rule: HunkMapRule;
  source: "override" | "default";
  index: number;
  fileMatchers: { glob: string; test: (p: string) => boolean }[];
  exactIds: Set<string>;
  prefixIds: string[];
  subjectCache: { patch: Patch | null; hit: { text: string; re: RegExp } | undefined };
  hasCriteria: boolean;
  functions: { text: string; re: RegExp }[];
  /** One regex for all plain names (the common case), so the hot path runs one test. */
  funcAny: RegExp | null;
  identifiers: { text: string; exact?: string; prefix?: string }[];
  subjects: { text: string; re: RegExp }[];
}

export interface CompiledHunkMap {
  layers: CompiledRule[][];
  /** Per path: for each layer, the rules whose globs match it (a series touches few paths). */
  byPath?: Map<string, CompiledRule[][]>;
}

export interface HunkMapError {
  /** JSON-pointer-like location, e.g. `/rules/3/functions/0`. */
  path: string;
  message: string;
}

const SCORE = { identifier: 8, function: 4, subject: 2, patch: 1 } as const;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function compileFunction(text: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(text);
  if (m) return new RegExp(m[1], m[2].replace(/[gy]/g, ""));
  return new RegExp(`(^|[^A-Za-z0-9_])${escapeRe(text)}([^A-Za-z0-9_]|$)`);
}

function combineFunctions(list: string[]): RegExp | null {
  if (list.length === 0 || list.some((t) => /^\/(.*)\/([a-z]*)$/s.test(t))) return null;
  return new RegExp(`(^|[^A-Za-z0-9_])(${list.map(escapeRe).join("|")})([^A-Za-z0-9_]|$)`);
}

function compileRule(rule: HunkMapRule, source: "override" | "default", index: number): CompiledRule {
  return {
    rule,
    source,
    index,
    // makeRe + RegExp.test is much cheaper per call than picomatch's matcher function, which also
    // builds a result object; a 50 MB series has ~90k hunks × ~17 rules.
    fileMatchers: rule.files.map((glob) => {
      const re = picomatch.makeRe(glob, { dot: true });
      return { glob, test: (p: string) => re.test(p) };
    }),
    exactIds: new Set((rule.identifiers ?? []).filter((t) => !t.endsWith("*"))),
    prefixIds: (rule.identifiers ?? []).filter((t) => t.endsWith("*")).map((t) => t.slice(0, -1)),
    subjectCache: { patch: null, hit: undefined },
    hasCriteria: !!(rule.identifiers?.length || rule.functions?.length || rule.subjects?.length) || rule.patch !== undefined,
    functions: (rule.functions ?? []).map((text) => ({ text, re: compileFunction(text) })),
    funcAny: combineFunctions(rule.functions ?? []),
    identifiers: (rule.identifiers ?? []).map((text) => (text.endsWith("*") ? { text, prefix: text.slice(0, -1) } : { text, exact: text })),
    subjects: (rule.subjects ?? []).map((text) => ({ text, re: new RegExp(text, "i") })),
  };
}

/**
 * Check the shape of a map (the same constraints as patch/hunk-map.schema.json, which editors use)
 * and that its regexes and globs compile. Returns a list of errors; empty means usable.
 */
export function validateHunkMap(value: unknown): HunkMapError[] {
  const errs: HunkMapError[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObj(value)) return [{ path: "", message: "a hunk map must be a JSON object" }];
  for (const k of Object.keys(value)) {
    if (!["$schema", "extends", "rules"].includes(k)) errs.push({ path: `/${k}`, message: `unknown key "${k}"` });
  }
  if (value.extends !== undefined && value.extends !== "default" && value.extends !== "none") {
    errs.push({ path: "/extends", message: `extends must be "default" or "none"` });
  }
  if (!Array.isArray(value.rules)) {
    errs.push({ path: "/rules", message: "rules must be an array" });
    return errs;
  }
  value.rules.forEach((r, i) => {
    const at = `/rules/${i}`;
    if (!isObj(r)) {
      errs.push({ path: at, message: "a rule must be an object" });
      return;
    }
    for (const k of Object.keys(r)) {
      if (!["mechanism", "patch", "files", "functions", "identifiers", "subjects", "note"].includes(k)) {
        errs.push({ path: `${at}/${k}`, message: `unknown key "${k}"` });
      }
    }
    if (typeof r.mechanism !== "string" || !(KNOWN_MECHANISMS as readonly string[]).includes(r.mechanism)) {
      errs.push({ path: `${at}/mechanism`, message: `mechanism must be one of ${KNOWN_MECHANISMS.join(", ")}` });
    }
    if (r.patch !== undefined && (!Number.isInteger(r.patch) || (r.patch as number) < 0)) {
      errs.push({ path: `${at}/patch`, message: "patch must be a non-negative integer" });
    }
    if (r.note !== undefined && typeof r.note !== "string") errs.push({ path: `${at}/note`, message: "note must be a string" });
    const strList = (key: string, required: boolean, check?: (s: string) => string | null) => {
      const v = r[key];
      if (v === undefined) {
        if (required) errs.push({ path: `${at}/${key}`, message: `${key} is required` });
        return;
      }
      if (!Array.isArray(v) || (required && v.length === 0)) {
        errs.push({ path: `${at}/${key}`, message: `${key} must be a${required ? " non-empty" : "n"} array of strings` });
        return;
      }
      v.forEach((s, j) => {
        if (typeof s !== "string" || s.length === 0) {
          errs.push({ path: `${at}/${key}/${j}`, message: "must be a non-empty string" });
          return;
        }
        const problem = check?.(s);
        if (problem) errs.push({ path: `${at}/${key}/${j}`, message: problem });
      });
    };
    strList("files", true, (s) => {
      try {
        picomatch(s);
        return null;
      } catch (e) {
        return `bad glob: ${(e as Error).message}`;
      }
    });
    strList("functions", false, (s) => {
      try {
        compileFunction(s);
        return null;
      } catch (e) {
        return `bad regex: ${(e as Error).message}`;
      }
    });
    strList("identifiers", false, (s) => (/^[A-Za-z_][A-Za-z0-9_]*\*?$/.test(s) ? null : "not a C identifier (optionally ending in *)"));
    strList("subjects", false, (s) => {
      try {
        new RegExp(s, "i");
        return null;
      } catch (e) {
        return `bad regex: ${(e as Error).message}`;
      }
    });
  });
  return errs;
}

/** The built-in map for the v1 series (patch/default-map.json). */
export const DEFAULT_HUNK_MAP: HunkMapFile = defaultMapJson as HunkMapFile;

/**
 * Build the layered map: the override's rules first, then (unless `extends: "none"`) the defaults.
 * Throws only if given a map that `validateHunkMap` rejects; callers that read user files should
 * validate first (see `parseHunkMapText`).
 */
export function compileHunkMap(override?: HunkMapFile | null, defaults: HunkMapFile = DEFAULT_HUNK_MAP): CompiledHunkMap {
  const layers: CompiledRule[][] = [];
  if (override) {
    const errs = validateHunkMap(override);
    if (errs.length) throw new Error(`invalid hunk map: ${errs[0].path}: ${errs[0].message}`);
    layers.push(override.rules.map((r, i) => compileRule(r, "override", i)));
  }
  if (override?.extends !== "none") {
    layers.push(defaults.rules.map((r, i) => compileRule(r, "default", i)));
  }
  return { layers };
}

/** Parse and validate the text of an override file (`.vscode/pvsched-hunk-map.json`). */
export function parseHunkMapText(text: string): { map: HunkMapFile | null; errors: HunkMapError[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { map: null, errors: [{ path: "", message: `not valid JSON: ${(e as Error).message}` }] };
  }
  const errors = validateHunkMap(value);
  return { map: errors.length ? null : (value as HunkMapFile), errors };
}

// ---------------------------------------------------------------------------------------------
// Matching

/** The file glob of `cr` matching the file, or null. */
function fileGlob(cr: CompiledRule, file: FileDiff): string | null {
  const paths = [file.path, file.oldPath, file.newPath].filter((p): p is string => !!p);
  return cr.fileMatchers.find((fm) => paths.some((p) => fm.test(p)))?.glob ?? null;
}

function identifierHits(cr: CompiledRule, hunk: Hunk): string[] {
  const hits: string[] = [];
  if (cr.identifiers.length === 0) return hits;
  for (const id of hunk.identifiersAdded) {
    if (cr.exactIds.has(id) || cr.prefixIds.some((p) => id.startsWith(p))) hits.push(id);
  }
  return hits;
}

function subjectHit(cr: CompiledRule, patch: Patch) {
  if (!patch.subject || cr.subjects.length === 0) return undefined;
  // All hunks of a patch share its subject: remember the last answer.
  if (cr.subjectCache.patch !== patch) {
    cr.subjectCache.patch = patch;
    cr.subjectCache.hit = cr.subjects.find((s) => s.re.test(patch.subject));
  }
  return cr.subjectCache.hit;
}

/** Score of a file-matching rule for the hunk, or -1 if it does not match. Builds no strings. */
function scoreRule(cr: CompiledRule, patch: Patch, hunk: Hunk): number {
  let score = 0;
  if (identifierHits(cr, hunk).length) score += SCORE.identifier;
  if (
    hunk.funcContext &&
    cr.functions.length &&
    (cr.funcAny ? cr.funcAny.test(hunk.funcContext) : cr.functions.some((f) => f.re.test(hunk.funcContext)))
  ) {
    score += SCORE.function;
  }
  if (subjectHit(cr, patch)) score += SCORE.subject;
  if (cr.rule.patch !== undefined && patch.index === cr.rule.patch) score += SCORE.patch;
  return cr.hasCriteria && score === 0 ? -1 : score;
}

/** Human explanation of why `cr` matched (only computed for the winning rule). */
function explain(cr: CompiledRule, patch: Patch, file: FileDiff, hunk: Hunk): string[] {
  const reasons = [`file ${file.path} matches "${fileGlob(cr, file)}"`];
  const ids = identifierHits(cr, hunk);
  if (ids.length) reasons.push(`adds ${ids.slice(0, 4).join(", ")}${ids.length > 4 ? ", …" : ""}`);
  const fn = hunk.funcContext ? cr.functions.find((f) => f.re.test(hunk.funcContext)) : undefined;
  if (fn) reasons.push(`function context matches "${fn.text}"`);
  const subj = subjectHit(cr, patch);
  if (subj) reasons.push(`subject matches /${subj.text}/i`);
  if (cr.rule.patch !== undefined && patch.index === cr.rule.patch) reasons.push(`patch ${cr.rule.patch}/${patch.total ?? "?"}`);
  if (reasons.length === 1) reasons.push("the rule has no other criteria");
  return reasons;
}

/** Map one hunk with a compiled map. */
export function mapHunk(map: CompiledHunkMap, patch: Patch, file: FileDiff, hunk: Hunk): MappedHunk {
  const result = (mechanism: string | null, reason: string, score: number, rule: MappedHunk["rule"]): MappedHunk => ({
    patchSubject: patch.subject,
    patchIndex: patch.index,
    file: file.path,
    line: hunk.line,
    endLine: hunk.endLine,
    funcContext: hunk.funcContext,
    mechanism,
    reason,
    score,
    rule,
  });
  if (!map.byPath) map.byPath = new Map();
  const key = file.oldPath === file.newPath ? file.path : `${file.path}\0${file.oldPath ?? ""}\0${file.newPath ?? ""}`;
  let perLayer = map.byPath.get(key);
  if (!perLayer) {
    perLayer = map.layers.map((layer) => layer.filter((cr) => fileGlob(cr, file) !== null));
    if (map.byPath.size > 10_000) map.byPath.clear();
    map.byPath.set(key, perLayer);
  }
  for (const layer of perLayer) {
    let best: CompiledRule | null = null;
    let bestScore = -1;
    let bestIds = 0;
    for (const cr of layer) {
      const sc = scoreRule(cr, patch, hunk);
      if (sc < 0 || sc < bestScore) continue;
      const ids = sc >= SCORE.identifier ? identifierHits(cr, hunk).length : 0;
      if (sc > bestScore || ids > bestIds) {
        best = cr;
        bestScore = sc;
        bestIds = ids;
      }
    }
    if (best) {
      const cr = best;
      const where = `${cr.source} rule #${cr.index}${cr.rule.note ? ` (${cr.rule.note})` : ""}`;
      return result(cr.rule.mechanism, `${explain(cr, patch, file, hunk).join("; ")} [${where}]`, bestScore, {
        source: cr.source,
        index: cr.index,
      });
    }
  }
  return result(null, `no rule matches file ${file.path || "(unnamed)"} with this hunk's identifiers, function or subject`, 0, null);
}

/**
 * Map every hunk of a parsed document, in document order. `map` may be a compiled map, an override
 * file (layered over the defaults as its `extends` says), or omitted for the defaults alone.
 */
export function mapPatch(parsed: ParseResult, map?: CompiledHunkMap | HunkMapFile | null): MappedHunk[] {
  const compiled = map && "layers" in map ? map : compileHunkMap(map as HunkMapFile | null | undefined);
  const out: MappedHunk[] = [];
  for (const p of parsed.patches) {
    for (const f of p.files) {
      for (const h of f.hunks) out.push(mapHunk(compiled, p, f, h));
    }
  }
  return out;
}

/** The function name in a hunk's function context (`static int foo(struct x *y)` → `foo`), or null. */
export function functionName(funcContext: string): string | null {
  const m = /([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(funcContext);
  if (m) return m[1];
  const s = /^(?:struct|union|enum)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(funcContext.trim());
  return s ? s[1] : null;
}

/**
 * A rule that would map this hunk to `mechanism`, for the "map this hunk" action on an unmapped
 * hunk: the file, the function (if any), and up to `maxIdentifiers` of the longer identifiers the
 * hunk adds (short ones like `i` or `vcpu` would match far too much).
 */
export function suggestRule(patch: Patch, file: FileDiff, hunk: Hunk, mechanism: string, maxIdentifiers = 3): HunkMapRule {
  const rule: HunkMapRule = { mechanism, files: [file.path] };
  const fn = functionName(hunk.funcContext);
  if (fn) rule.functions = [fn];
  const ids = hunk.identifiersAdded.filter((id) => id.length >= 8 && /_|[A-Z]/.test(id)).slice(0, maxIdentifiers);
  if (ids.length) rule.identifiers = ids;
  if (patch.index !== null) rule.patch = patch.index;
  return rule;
}

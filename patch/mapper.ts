/**
 * Hunk → mechanism mapping: what patch/classify.ts reads from each hunk's code against the
 * catalogue (patch/catalogue.ts), with a workspace's own rules (`.vscode/pvsched-hunk-map.json`,
 * schema patch/hunk-map.schema.json) tried first.
 *
 * A workspace rule names a mechanism and the code it recognises:
 *
 *   { "mechanism": "boost_on_inject", "files": ["arch/x86/kvm/lapic.c"],
 *     "identifiers": ["kvm_vcpu_kick_boost"], "functions": ["apic_timer_expired"] }
 *
 * It matches a hunk whose file matches `files` and whose added code has one of `identifiers`
 * (a trailing `*` matches a prefix) or that sits in one of `functions` (a name, or `/regex/flags`
 * run by re2js in linear time). A rule with neither matches on the file alone. `subjects` and
 * `patch` only order rules that matched on code (identifier 8, function 4, subject 2, patch 1,
 * file alone 0.5). The best matching rule decides; if none matches, the catalogue does, unless
 * the file says `"extends": "none"`.
 *
 * Pure TypeScript, no Node or VS Code imports (picomatch's POSIX build and re2js are both
 * browser-safe), so the same code runs in the extension host, the web extension and the CLI.
 */
import picomatch from "picomatch/posix";
import { RE2JS } from "re2js";
import { POLL_HUNKS, type ParseResult, type Patch, type FileDiff, type Hunk, type HunkCode } from "./parse";
import { CATALOGUE, CATALOGUE_IDS, catalogueEntry } from "./catalogue";
import { SeriesDefinitions, decide, scoreHunk, type Classification } from "./classify";
import { propagate } from "./propagate";
import { propagateSeries, seriesOfPatches, type SeriesItem } from "./series";

/** Every mechanism id a hunk can map to (the catalogue's). */
export const KNOWN_MECHANISMS: readonly string[] = CATALOGUE_IDS;

export interface HunkMapRule {
  mechanism: string;
  /** Patch number n of `[PATCH n/m]`: orders matching rules, never matches alone. */
  patch?: number;
  /** Globs on the file path (new path, or old path for deletions). Required, non-empty. */
  files: string[];
  /** Enclosing function names, or `/regex/flags` on the `@@` function context (re2js). */
  functions?: string[];
  /** Identifiers in the hunk's added code; a trailing `*` matches a prefix (`pv_sched_*`). */
  identifiers?: string[];
  /** Regexes (case-insensitive, re2js) on the patch subject: order matching rules only. */
  subjects?: string[];
  note?: string;
}

export interface HunkMapFile {
  $schema?: string;
  /** "default": the catalogue maps what no rule matches. "none": only these rules map. */
  extends?: "default" | "none";
  rules: HunkMapRule[];
}

export interface MappedHunk {
  patchSubject: string;
  /** n of `[PATCH n/m]`, or null. */
  patchIndex: number | null;
  /** The mail's Message-ID, or "" (git format-patch files have none). */
  messageId: string;
  file: string;
  /** 0-based document lines of the `@@` header and of the hunk's last line. */
  line: number;
  endLine: number;
  /** The `@@ -oldStart,oldLines +newStart,newLines @@` numbers. */
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  funcContext: string;
  /** The enclosing function or struct the change is in (from the `@@` line and context), or null. */
  scope: string | null;
  mechanism: string | null;
  /** Whether sim-core can simulate the mechanism (false for unmapped and for upstream mechanisms). */
  simulated: boolean;
  /** Why it maps (or does not): the decisive evidence. */
  reason: string;
  /** Score of the chosen mechanism (0 when unmapped). */
  score: number;
  /** Score per catalogue mechanism, those above 0 only. */
  scores: Record<string, number>;
  /** What decided: the hunk's code, its patch (propagated), a workspace rule, or nothing. */
  via: Classification["via"] | "override";
  /** The workspace rule that decided, by index in the file's `rules`; null otherwise. */
  rule: { source: "override"; index: number } | null;
  /** The names the hunk defines and calls, what "Map this hunk…" keys a rule on. */
  code: Pick<HunkCode, "defines" | "calls" | "scope">;
}

interface CompiledRule {
  rule: HunkMapRule;
  index: number;
  files: ((p: string) => boolean)[];
  ids: Set<string>;
  prefixes: string[];
  names: Set<string>;
  regexes: RE2JS[];
  subjects: RE2JS[];
}

export interface CompiledHunkMap {
  rules: CompiledRule[];
  /** Whether the catalogue maps hunks no rule matches. */
  catalogue: boolean;
}

export interface HunkMapError {
  /** JSON-pointer-like location, e.g. `/rules/3/functions/0`. */
  path: string;
  message: string;
}

const REGEX_FORM = /^\/(.*)\/([a-z]*)$/s;

/** A user-written regex under re2js: linear time whatever the pattern (no backtracking). */
function compileUserRegex(text: string, caseInsensitive: boolean): RE2JS {
  return RE2JS.compile(text, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
}

function compileFunction(text: string): RE2JS | string {
  const [, pattern, flags] = REGEX_FORM.exec(text) ?? [];
  return pattern !== undefined && flags !== undefined ? compileUserRegex(pattern, flags.includes("i")) : text;
}

function compileRule(rule: HunkMapRule, index: number): CompiledRule {
  const functions = (rule.functions ?? []).map(compileFunction);
  return {
    rule,
    index,
    files: rule.files.map((g) => {
      const re = picomatch.makeRe(g, { dot: true });
      return (p: string) => re.test(p);
    }),
    ids: new Set((rule.identifiers ?? []).filter((t) => !t.endsWith("*"))),
    prefixes: (rule.identifiers ?? []).filter((t) => t.endsWith("*")).map((t) => t.slice(0, -1)),
    names: new Set(functions.filter((f): f is string => typeof f === "string")),
    regexes: functions.filter((f): f is RE2JS => typeof f !== "string"),
    subjects: (rule.subjects ?? []).map((s) => compileUserRegex(s, true)),
  };
}

const RULE_KEYS = ["mechanism", "patch", "files", "functions", "identifiers", "subjects", "note"];

/**
 * Check the shape of a map (the constraints of patch/hunk-map.schema.json, which editors use) and
 * that its globs compile and its regexes compile under re2js. Returns the errors; empty: usable.
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
    for (const k of Object.keys(r)) if (!RULE_KEYS.includes(k)) errs.push({ path: `${at}/${k}`, message: `unknown key "${k}"` });
    if (typeof r.mechanism !== "string" || !KNOWN_MECHANISMS.includes(r.mechanism)) {
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
    const regexProblem = (compile: () => unknown) => {
      try {
        compile();
        return null;
      } catch (e) {
        return `bad regex (re2 syntax, no backreferences or lookaround): ${(e as Error).message}`;
      }
    };
    strList("files", true, (s) => {
      try {
        picomatch(s);
        return null;
      } catch (e) {
        return `bad glob: ${(e as Error).message}`;
      }
    });
    strList("functions", false, (s) => regexProblem(() => compileFunction(s)));
    strList("identifiers", false, (s) => (/^[A-Za-z_][A-Za-z0-9_]*\*?$/.test(s) ? null : "not a C identifier (optionally ending in *)"));
    strList("subjects", false, (s) => regexProblem(() => compileUserRegex(s, true)));
  });
  return errs;
}

/** Compile a workspace map (or none: the catalogue alone). Throws only on a map validateHunkMap rejects. */
export function compileHunkMap(override?: HunkMapFile | null): CompiledHunkMap {
  if (!override) return { rules: [], catalogue: true };
  const errs = validateHunkMap(override);
  const first = errs[0];
  if (first) throw new Error(`invalid hunk map: ${first.path}: ${first.message}`);
  return { rules: override.rules.map(compileRule), catalogue: override.extends !== "none" };
}

/**
 * Largest hunk map file read, in bytes: a real one is a few KB of rules; the limit keeps a
 * workspace's file from costing the extension host (or the CLI) an unbounded JSON parse.
 */
export const MAX_HUNK_MAP_BYTES = 4 * 1024 * 1024;

/** Parse and validate the text of a workspace map (`.vscode/pvsched-hunk-map.json`). */
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

/** Score of a workspace rule for a hunk, or -1 when it does not match. */
function ruleScore(cr: CompiledRule, patch: Patch, file: FileDiff, hunk: Hunk): number {
  const paths = [file.path, file.oldPath, file.newPath].filter((p): p is string => !!p);
  if (!cr.files.some((f) => paths.some(f))) return -1;
  let score = 0;
  if (hunk.identifiersAdded.some((id) => cr.ids.has(id) || cr.prefixes.some((p) => id.startsWith(p)))) score += 8;
  const fn = hunk.code.scope?.name ?? functionName(hunk.funcContext);
  if ((fn && cr.names.has(fn)) || cr.regexes.some((re) => re.matcher(hunk.funcContext).find())) score += 4;
  const codeCriteria = cr.ids.size + cr.prefixes.length + cr.names.size + cr.regexes.length > 0;
  if (codeCriteria && score === 0) return -1;
  if (!codeCriteria) score = 0.5;
  if (patch.subject && cr.subjects.some((re) => re.matcher(patch.subject).find())) score += 2;
  if (cr.rule.patch !== undefined && cr.rule.patch === patch.index) score += 1;
  return score;
}

/**
 * Map every hunk of a parsed document, in document order. `map`: a compiled map, a workspace map
 * (rules first, then the catalogue unless `extends: "none"`), or nothing for the catalogue alone.
 * `poll` is called every POLL_HUNKS hunks and may throw to stop (as ParseLimits.poll).
 */
export function mapPatch(parsed: ParseResult, map?: CompiledHunkMap | HunkMapFile | null, poll?: () => void): MappedHunk[] {
  const compiled = map && "catalogue" in map ? map : compileHunkMap(map as HunkMapFile | null | undefined);
  const defs = new SeriesDefinitions(parsed.patches);
  let seen = 0;
  type Item = SeriesItem & { file: string; f: FileDiff; rule: CompiledRule | null };
  const series = seriesOfPatches(parsed.patches);
  const out: MappedHunk[] = [];
  // The hunks of the series being read: linked across its patches once it ends (patch/series.ts).
  let pending: Item[] = [];
  const flush = () => {
    if (compiled.catalogue)
      propagateSeries(
        pending.filter((x) => !x.rule),
        series,
      );
    // x.patch is the index of the patch the item was read from (forEach below).
    for (const x of pending) out.push(toMapped(parsed.patches[x.patch]!, x.f, x.hunk, x.c, x.rule));
    pending = [];
  };
  parsed.patches.forEach((p, i) => {
    if (i > 0 && series[i] !== series[i - 1]) flush();
    const items: Item[] = [];
    for (const f of p.files) {
      for (const h of f.hunks) {
        if (poll && seen++ % POLL_HUNKS === 0) poll();
        let c: Classification = compiled.catalogue
          ? decide(scoreHunk(h, f.path, i, defs), p.subject)
          : {
              mechanism: null,
              score: 0,
              scores: {},
              reason: "unmapped: no workspace rule matches (the map has extends: none)",
              via: "none",
            };
        let rule: CompiledRule | null = null;
        let bestRule = -1;
        for (const cr of compiled.rules) {
          const s = ruleScore(cr, p, f, h);
          if (s > bestRule) [rule, bestRule] = [cr, s];
        }
        if (rule && bestRule >= 0) {
          const note = rule.rule.note ? ` (${rule.rule.note})` : "";
          c = { ...c, mechanism: rule.rule.mechanism, score: bestRule, via: "code", reason: `workspace rule #${rule.index}${note}` };
        } else rule = null;
        items.push({ hunk: h, patch: i, file: f.path, c, f, rule });
      }
    }
    if (compiled.catalogue) propagate(items.filter((x) => !x.rule));
    for (const x of items) pending.push(x);
  });
  flush();
  return out;
}

function toMapped(p: Patch, f: FileDiff, h: Hunk, c: Classification, rule: CompiledRule | null): MappedHunk {
  return {
    patchSubject: p.subject,
    patchIndex: p.index,
    messageId: p.messageId,
    file: f.path,
    line: h.line,
    endLine: h.endLine,
    oldStart: h.oldStart,
    oldLines: h.oldCount,
    newStart: h.newStart,
    newLines: h.newCount,
    funcContext: h.funcContext,
    scope: h.code.scope?.name ?? null,
    mechanism: c.mechanism,
    simulated: c.mechanism !== null && (catalogueEntry(c.mechanism)?.simulated ?? false),
    reason: c.reason,
    score: c.score,
    scores: c.scores,
    via: rule ? "override" : c.via,
    rule: rule ? { source: "override", index: rule.index } : null,
    code: { defines: h.code.defines, calls: h.code.calls, scope: h.code.scope },
  };
}

/** The function name in a `@@` function context (`static int foo(struct x *y)` → `foo`), or null. */
export function functionName(funcContext: string): string | null {
  const paren = funcContext.indexOf("(");
  if (paren > 0) {
    const m = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(funcContext.slice(Math.max(0, paren - 256), paren));
    const name = m?.[1];
    if (name !== undefined) return name;
  }
  return /^(?:struct|union|enum)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(funcContext.trim())?.[1] ?? null;
}

/** C names too common to recognise a mechanism by (`vcpu`, `ret`, `i`). */
const GENERIC = new Set(["vcpu", "kvm", "ret", "arch", "data", "val", "rq", "p", "i", "r", "dev", "ctx", "current", "pid", "ops", "state"]);

/**
 * A rule that maps this hunk to `mechanism`, for "Map this hunk…": keyed on the code the hunk
 * adds — the names it defines, then those it calls, then other distinctive identifiers, up to
 * `maxIdentifiers` — and on its enclosing function; never on the subject or patch number.
 */
export function suggestRule(
  file: string,
  hunk: { identifiersAdded: readonly string[]; code: Pick<HunkCode, "defines" | "calls" | "scope">; funcContext: string },
  mechanism: string,
  maxIdentifiers = 3,
): HunkMapRule {
  const rule: HunkMapRule = { mechanism, files: [file] };
  const distinctive = (id: string) => !GENERIC.has(id) && id.length >= 4;
  const ordered = [...hunk.code.defines, ...hunk.code.calls, ...hunk.identifiersAdded].filter(distinctive);
  const ids = [...new Set(ordered)].slice(0, maxIdentifiers);
  if (ids.length) rule.identifiers = ids;
  const fn = hunk.code.scope?.kind === "function" ? hunk.code.scope.name : functionName(hunk.funcContext);
  if (fn) rule.functions = [fn];
  return rule;
}

export { CATALOGUE };

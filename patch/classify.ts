/**
 * Which mechanism a hunk implements, from what its code does (patch/code.ts) against the
 * catalogue's evidence (patch/catalogue.ts). Per hunk, a score per mechanism:
 *
 *   score(m) = Σ over the hunk's identifiers and members that m's catalogue lists:
 *                weight × role × dependency
 *            + hook weight of the enclosing function (only when the hunk holds some mechanism code:
 *              a catalogue name, or a call to a function another hunk of the document defines)
 *            + combos + paths
 *            + ACTION_WORD × role for the best name holding one of m's action words (`smp_yield_cpu`),
 *              + PARAVIRT_AREA_CUE when the file is in m's areas (KVM or paravirt code)
 *            + half the weight of the enclosing function (or kernel-parameter entry) when the
 *              catalogue names it as the mechanism's own code
 *            + weight × member role × ROLE.guards for a member that unchanged lines assign under a
 *              condition the hunk adds (`guarded`: the hunk changes when the mechanism acts)
 *
 * The function the hunk edits counts among the action-word names as a called one, under the
 * inside rule's conditions (arm64's kvm_update_stolen_time in arch/arm64/kvm/).
 *
 * role: the hunk defines the name 1.0, calls it 0.9, touches it as a member 0.9, otherwise uses it
 * 0.7, removes it 0.35. dependency: a name that another patch of the same document defines and
 * this one only uses counts 0.35 — using an earlier patch's helpers is not implementing its
 * mechanism (v1 patch 8 calls patch 7's boost API from the irq entry paths: it is the irq boost).
 *
 * A hunk maps to the best mechanism when its score reaches THRESHOLD, else it is `unmapped` with
 * the reason. Then, per patch, a hunk left unmapped may take a mechanism from the patch it is in
 * (patch/propagate.ts).
 * Subjects and patch numbers are never evidence: a subject word may only order two equal scores.
 */
import { declaredMembers } from "./code";
import type { Hunk, Patch } from "./parse";
import { CATALOGUE, PARAVIRT_AREAS, globMatch, type CatalogueEntry } from "./catalogue";

/** The lowest score that maps a hunk: one specific name called (3 × 0.9), or two weaker ones. */
export const THRESHOLD = 1.5;
export const ROLE = { define: 1, call: 0.9, member: 0.9, use: 0.7, removed: 0.35, inside: 0.5, guards: 0.5 } as const;
/** Weight of a name that another patch of the document defines and this hunk only uses. */
export const DEPENDENCY = 0.35;
/**
 * A name the hunk defines or calls that holds one of a mechanism's action words (catalogue
 * `actionWords`), times the role: below any specific catalogue name (2 or 3), and below THRESHOLD
 * alone however many such names the hunk has (counted once per mechanism).
 */
export const ACTION_WORD = 1;
/**
 * Added to a mechanism with action-word evidence when the hunk's file is in its `actionAreas`
 * (PARAVIRT_AREAS unless the mechanism is the host's alone): the second cue that lets one called
 * name (0.9 + 0.6) map, so `smp_yield_cpu` called in arch/s390/kvm/ is directed yield while
 * `virtqueue_kick` or a driver's `yield()` is nothing.
 */
export const PARAVIRT_AREA_CUE = 0.6;

export interface Classification {
  mechanism: string | null;
  score: number;
  /** Score per mechanism (only those above 0), rounded to 0.01. */
  scores: Record<string, number>;
  reason: string;
  /** How the mechanism was chosen: from the hunk's own code, or from its patch. */
  via: "code" | "symbol" | "patch" | "none";
  /**
   * Mapped only because it calls (or puts in a table) a function that mapped hunks define: it
   * uses that code and is not the mechanism's own, so what it defines carries nothing further
   * (patch/series.ts). Calling is not transitive: suspend code calling a teardown helper that
   * calls the steal-time teardown is the helper's caller, not steal time (set 8).
   */
  caller?: true;
  /**
   * Mapped on the mechanism's state that unchanged lines under its new condition write, its own
   * lines naming none of it: the names it adds are that condition's inputs (a new per-vCPU flag),
   * not the mechanism's, so neither its patch nor its series follows them (set 10: the run-ioctl
   * plumbing of `wants_to_run` is not the ready boost that `kvm_sched_out` now gates on it).
   */
  guard?: true;
}

interface Hit {
  mech: number;
  weight: number;
}

/** Lookup tables built once from the catalogue. */
class Index {
  readonly ids = new Map<string, Hit[]>();
  readonly members = new Map<string, Hit[]>();
  readonly memberGlobs: { suffix: string; hit: Hit }[] = [];
  readonly hooks = new Map<string, Hit[]>();
  readonly patterns: { glob: string; hit: Hit }[] = [];
  readonly patternCache = new Map<string, Hit[]>();
  readonly combos: { all: string[]; hit: Hit }[] = [];
  readonly paths: { glob: string; hit: Hit }[] = [];
  /** Action word → the mechanisms it names (catalogue `actionWords`). */
  readonly actionWords = new Map<string, number[]>();

  constructor(readonly entries: readonly CatalogueEntry[]) {
    const push = (m: Map<string, Hit[]>, k: string, h: Hit) => {
      const a = m.get(k);
      if (a) a.push(h);
      else m.set(k, [h]);
    };
    entries.forEach((e, mech) => {
      for (const [k, weight] of Object.entries(e.identifiers)) push(this.ids, k, { mech, weight });
      for (const [k, weight] of Object.entries(e.members ?? {})) {
        if (k.startsWith("*.")) this.memberGlobs.push({ suffix: k.slice(1), hit: { mech, weight } });
        else push(this.members, k, { mech, weight });
      }
      for (const [k, weight] of Object.entries(e.hooks ?? {})) push(this.hooks, k, { mech, weight });
      for (const [glob, weight] of e.patterns ?? []) this.patterns.push({ glob, hit: { mech, weight } });
      for (const c of e.combos ?? []) this.combos.push({ all: c.all, hit: { mech, weight: c.weight } });
      for (const [glob, weight] of e.paths ?? []) this.paths.push({ glob, hit: { mech, weight } });
      for (const w of e.actionWords ?? []) this.actionWords.set(w, [...(this.actionWords.get(w) ?? []), mech]);
    });
  }

  /** The entry of mechanism `mech`: every `Hit.mech` is an index into `entries` (the constructor). */
  entry(mech: number): CatalogueEntry {
    const e = this.entries[mech];
    if (!e) throw new Error(`no catalogue entry ${mech}`);
    return e;
  }

  /** Catalogue hits of an identifier: exact entries, else pattern entries (cached per name). */
  idHits(id: string): Hit[] | undefined {
    const exact = this.ids.get(id);
    if (exact) return exact;
    let p = this.patternCache.get(id);
    if (!p) {
      p = this.patterns.filter((x) => globMatch(x.glob, id)).map((x) => x.hit);
      if (this.patternCache.size > 50_000) this.patternCache.clear();
      this.patternCache.set(id, p);
    }
    return p.length ? p : undefined;
  }

  /** Whether `calls` hold a catalogue name of a mechanism that reads mechanism `mech`'s members (`readBy`). */
  callsReader(mech: number, calls: readonly string[]): boolean {
    const readers = this.entry(mech).readBy;
    if (!readers) return false;
    return calls.some((c) => this.idHits(c)?.some((h) => readers.includes(this.entry(h.mech).id)));
  }

  memberHits(member: string): Hit[] | undefined {
    const exact = this.members.get(member);
    if (exact || this.memberGlobs.length === 0) return exact;
    const dot = member.indexOf(".");
    const suffix = dot >= 0 ? member.slice(dot) : "";
    const g = this.memberGlobs.filter((x) => x.suffix === suffix).map((x) => x.hit);
    return g.length ? g : undefined;
  }
}

let defaultIndex: Index | null = null;

/**
 * Names each patch defines, and struct members it declares, to tell a hunk's own code from the
 * helpers and data it uses.
 */
export class SeriesDefinitions {
  private readonly by = new Map<string, Set<number>>();
  private readonly memberBy = new Map<string, Set<number>>();
  private readonly functions = new Set<string>();
  constructor(patches: readonly Patch[]) {
    const note = (m: Map<string, Set<number>>, k: string, i: number) => {
      const s = m.get(k);
      if (s) s.add(i);
      else m.set(k, new Set([i]));
    };
    patches.forEach((p, i) => {
      for (const f of p.files)
        for (const h of f.hunks) {
          for (const d of h.code.defines) note(this.by, d, i);
          for (const fn of h.code.functions) this.functions.add(fn);
          for (const m of declaredMembers(h.code)) note(this.memberBy, m, i);
        }
    });
  }
  /** Defined by another patch of the document and not by patch `i`. */
  isDependency(id: string, i: number): boolean {
    const s = this.by.get(id);
    return !!s && !s.has(i);
  }
  /** Defined by some hunk of the document. */
  has(id: string): boolean {
    return this.by.has(id);
  }
  /** A function (a body or a prototype) some hunk of the document defines. */
  isFunction(id: string): boolean {
    return this.functions.has(id);
  }
  /** A member named `name` is declared by another patch of the document and not by patch `i`. */
  isMemberDependency(name: string, i: number): boolean {
    const s = this.memberBy.get(name);
    return !!s && !s.has(i);
  }
}

interface Scored {
  total: number[];
  /** The best-weighted piece of evidence per mechanism: its kind (VERBS), name, value. */
  bestVerb: number[];
  bestName: string[];
  bestValue: number[];
  anyCode: boolean;
  /** Per mechanism: evidence from guarded members (`guards`), and from names the added lines hold. */
  guardedFor?: boolean[];
  addedFor?: boolean[];
}

/** The best evidence of mechanism `i`, in words. */
function bestWhat(s: Scored, i: number): string {
  // The scratch arrays hold one slot per catalogue entry (scoreWith) and `i` is one of them.
  const verb = s.bestVerb[i]!;
  const v = VERBS[verb % 16];
  return `${v ? `${v} ` : ""}${s.bestName[i]}${verb >= 16 ? " (from another patch)" : ""}`;
}

/**
 * Score one hunk against every mechanism of the catalogue. When all of a hunk's evidence is
 * names from other patches (it only advertises or calls what another patch defined, like a CPUID
 * hunk of a later patch), there is nothing to tell apart and the names count in full. The result
 * lives in scratch arrays reused by the next call (a 50 MB series has 89 000 hunks): read it at once.
 */
export function scoreHunk(hunk: Hunk, path: string, patchIndex: number, defs: SeriesDefinitions, entries = CATALOGUE): Scored {
  if (entries === CATALOGUE && !defaultIndex) defaultIndex = new Index(CATALOGUE);
  const index = entries === CATALOGUE && defaultIndex ? defaultIndex : new Index(entries);
  const discounted = scoreWith(index, hunk, path, patchIndex, defs, DEPENDENCY);
  return discounted.own || !discounted.anyCode ? discounted : scoreWith(index, hunk, path, patchIndex, defs, 1);
}

/** Evidence kinds, for the reason; the name follows. +16: the name is another patch's. */
const VERBS = ["defines", "calls", "uses", "touches", "removes", "hooks", "", "file", "edits around", "inside", "names", "guards"] as const;

const scratch = {
  total: [] as number[],
  bestVerb: [] as number[],
  bestName: [] as string[],
  bestValue: [] as number[],
  addedFor: [] as boolean[],
  guardedFor: [] as boolean[],
};

function scoreWith(
  index: Index,
  hunk: Hunk,
  path: string,
  patchIndex: number,
  defs: SeriesDefinitions,
  dependency: number,
): Scored & { own: boolean } {
  const n = index.entries.length;
  const { total, bestVerb, bestName, bestValue, addedFor, guardedFor } = scratch;
  for (let i = 0; i < n; i++) {
    total[i] = 0;
    bestValue[i] = 0;
    bestVerb[i] = 6;
    bestName[i] = "";
    addedFor[i] = false;
    guardedFor[i] = false;
  }
  total.length = bestValue.length = bestVerb.length = bestName.length = addedFor.length = guardedFor.length = n;
  // Every `h.mech` indexes `index.entries`, and the scratch arrays have one slot per entry (above).
  const add = (h: Hit, value: number, verb: number, name: string) => {
    total[h.mech]! += value;
    // Defined, called, used or touched on an added line as this patch's own name.
    if (verb <= 3) addedFor[h.mech] = true;
    else if (verb === 11) guardedFor[h.mech] = true;
    if (value > bestValue[h.mech]!) {
      bestValue[h.mech] = value;
      bestVerb[h.mech] = verb;
      bestName[h.mech] = name;
    }
  };
  const code = hunk.code;
  const added = hunk.identifiersAdded;
  let anyCode = false;
  let own = false;
  for (const id of added) {
    const hits = index.idHits(id);
    if (!hits) continue;
    anyCode = true;
    const isDef = code.defines.includes(id);
    // A name on both removed and added lines is existing code the hunk edits around, not its own.
    if (!isDef && code.removed.includes(id)) {
      own = true;
      for (const h of hits) add(h, h.weight * ROLE.removed, 8, id);
      continue;
    }
    const isCall = !isDef && code.calls.includes(id);
    const role = isDef ? ROLE.define : isCall ? ROLE.call : ROLE.use;
    const dep = !isDef && defs.isDependency(id, patchIndex) ? dependency : 1;
    if (dep === 1) own = true;
    for (const h of hits) add(h, h.weight * role * dep, (isDef ? 0 : isCall ? 1 : 2) + (dep < 1 ? 16 : 0), id);
  }
  for (const m of code.members) {
    const hits = index.memberHits(m);
    if (!hits) continue;
    anyCode = true;
    // Touching a member another patch declared is using its data, as calling its helpers is.
    const dep = defs.isMemberDependency(m.slice(m.lastIndexOf(".") + 1), patchIndex) ? dependency : 1;
    if (dep === 1) own = true;
    const read = !code.written.includes(m);
    for (const h of hits) {
      // Only read, next to a call of code that tests it (a yield to a ready target): that code's condition.
      const cond = read && index.callsReader(h.mech, code.calls) ? DEPENDENCY : 1;
      add(h, h.weight * ROLE.member * dep * cond, 3 + (dep * cond < 1 ? 16 : 0), m);
    }
  }
  // A name both removed and added counts once, as added.
  for (const r of code.removed) {
    const member = r.includes(".");
    if (member ? code.members.includes(r) : added.includes(r)) continue;
    const hits = member ? index.memberHits(r) : index.idHits(r);
    if (!hits) continue;
    anyCode = own = true;
    for (const h of hits) add(h, h.weight * ROLE.removed, 4, r);
  }
  // The condition of existing writes of a mechanism's state (`+if (on_rq && wants_to_run) {` over
  // `WRITE_ONCE(vcpu->ready, true)`): half a member's role, like being inside its function, so
  // it maps only with a second cue (the hook it sits in, or more of the mechanism's code).
  for (const m of code.guarded) {
    if (code.members.includes(m)) continue;
    const hits = index.memberHits(m);
    if (!hits) continue;
    anyCode = own = true;
    for (const h of hits) add(h, h.weight * ROLE.member * ROLE.guards, 11, m);
  }
  for (const c of index.combos) {
    if (c.all.every((id) => added.includes(id))) {
      own = true;
      add(c.hit, c.hit.weight, 6, c.all.join(" with "));
    }
  }
  for (const p of index.paths) if (pathMatch(p.glob, path)) add(p.hit, p.hit.weight, 7, path);
  // The series' own new code called from a kernel path is the series hooking that path, even
  // under names no catalogue knows (v1 patch 8 calls patch 7's helpers from irqentry_enter).
  const callsSeries = code.calls.some((c) => !code.defines.includes(c) && defs.has(c));
  const scope = code.scope;
  const installsSeries = hunk.identifiersAdded.some((id) => id !== scope?.name && !code.defines.includes(id) && defs.isFunction(id));
  // The function the hunk edits, when the _inside_ rule's conditions hold (below): its name's
  // action word is evidence as a call of it would be (arm64's kvm_update_stolen_time).
  const within = scope?.kind === "function" && !callsSeries && !installsSeries && !code.defines.includes(scope.name) ? scope.name : null;
  if (index.actionWords.size > 0 && actionWords(index, code, defs, patchIndex, add, path, within, addedFor)) own = true;
  const hooksIn = anyCode || callsSeries;
  if (hooksIn && code.scope?.kind === "function") {
    for (const h of index.hooks.get(code.scope.name) ?? []) {
      own = true;
      add(h, h.weight, 5, code.scope.name);
    }
  }
  // Inside one of the mechanism's own functions (a catalogue name, not a kernel path it hooks) or
  // its kernel parameter's documentation entry, a change is the mechanism's even when its lines
  // name none of its code (kvm_sched_yield ignoring a yield to itself). Half the name's weight:
  // only a name no other code has (weight 3) maps alone. Only when the added lines name nothing
  // of another mechanism and call nothing the series defines: a switch check added inside a
  // boost function is the switch's code, hooked in there. Nor when they install a function the
  // series defines (`pv_ops.lock.x = PV_CALLEE_SAVE(f)`, `.func = f`): that hunk hooks the series'
  // own code in, and what it is follows from that code, not from the init function it sits in.
  if (
    scope &&
    (scope.kind === "function" || scope.kind === "kparam") &&
    !callsSeries &&
    !installsSeries &&
    !code.defines.includes(scope.name)
  ) {
    for (const h of index.ids.get(scope.name) ?? []) {
      if (addedFor.some((a, i) => a && i !== h.mech)) continue;
      own = true;
      add(h, h.weight * ROLE.inside, 9, scope.name);
    }
  }
  return { total, bestVerb, bestName, bestValue, anyCode, own, guardedFor, addedFor };
}

/** Words after an action word that make the name a counter of it (`yield_count_of`), not the action. */
const COUNTER_WORDS = new Set(["count", "counts", "cnt", "stat", "stats", "nr"]);

/**
 * Action words (catalogue `actionWords`) in the names the hunk defines or calls, as `_`-separated
 * words: the best such name per mechanism counts ACTION_WORD × role, plus PARAVIRT_AREA_CUE when the
 * file is in the mechanism's `actionAreas` (PARAVIRT_AREAS by default). Catalogue names are scored
 * in full elsewhere, and another patch's names are its evidence (the series links carry them), so
 * neither counts here. Whether any did.
 */
function actionWords(
  index: Index,
  code: Hunk["code"],
  defs: SeriesDefinitions,
  patchIndex: number,
  add: (h: Hit, value: number, verb: number, name: string) => void,
  path: string,
  /** The enclosing function, when the hunk may count as its code (see scoreWith). */
  within: string | null = null,
  /** Mechanisms whose own code the added lines name: an enclosing name then speaks for none other. */
  addedFor: readonly boolean[] = [],
): boolean {
  const best = new Map<number, { value: number; name: string }>();
  // [names, role, whether they are the enclosing function]
  const sources: [readonly string[], number, boolean][] = [
    [code.defines, ROLE.define, false],
    [code.calls, ROLE.call, false],
    [within ? [within] : [], ROLE.call, true],
  ];
  for (const [names, role, enclosing] of sources) {
    for (const id of names) {
      if (index.idHits(id) || (role === ROLE.call && !enclosing && defs.isDependency(id, patchIndex))) continue;
      const words = id.toLowerCase().split("_");
      for (let w = 0; w < words.length; w++) {
        const word = words[w]!;
        const next = words[w + 1];
        // `yield_count_of`, `steal_stats`: a counter of the action, read by other code, not the action.
        if (next !== undefined && COUNTER_WORDS.has(next)) continue;
        for (const mech of index.actionWords.get(word) ?? []) {
          if (enclosing && addedFor.some((a, i) => a && i !== mech)) continue;
          const value = ACTION_WORD * role;
          if (value > (best.get(mech)?.value ?? 0)) best.set(mech, { value, name: `"${word}" in ${enclosing ? `enclosing ${id}` : id}` });
        }
      }
    }
  }
  for (const [mech, b] of best) {
    add({ mech, weight: b.value }, b.value, 10, b.name);
    if ((index.entry(mech).actionAreas ?? PARAVIRT_AREAS).some((g) => pathMatch(g, path)))
      add({ mech, weight: PARAVIRT_AREA_CUE }, PARAVIRT_AREA_CUE, 7, path);
  }
  return best.size > 0;
}

/** File globs: `**` any path, `*` any run within a path component. */
function pathMatch(glob: string, path: string): boolean {
  if (glob.endsWith("/**")) return path.startsWith(glob.slice(0, -2));
  return globMatch(glob, path);
}

const round = (x: number) => Math.round(x * 100) / 100;

/**
 * The best mechanism of a scored hunk. Equal scores are ordered by a subject word of the
 * mechanism, then by catalogue order; the subject never turns an unmapped hunk into a mapped one.
 */
export function decide(s: Scored, subject: string, entries = CATALOGUE): Classification {
  // A mechanism the hunk was not scored against has no evidence.
  const total = (i: number): number => s.total[i] ?? 0;
  const scores: Record<string, number> = {};
  entries.forEach((e, i) => {
    if (total(i) > 0) scores[e.id] = round(total(i));
  });
  let best = -1;
  const subj = subject.toLowerCase();
  const words = (i: number) => (entries[i]?.subjectWords ?? []).some((w) => subj.includes(w));
  for (let i = 0; i < entries.length; i++) {
    if (total(i) <= 0) continue;
    if (best < 0 || total(i) > total(best) + 1e-9) best = i;
    else if (Math.abs(total(i) - total(best)) <= 1e-9 && words(i) && !words(best)) best = i;
  }
  if (best >= 0 && total(best) >= THRESHOLD) {
    const e = entries[best]!; // best < entries.length: set only inside the loop above
    return {
      mechanism: e.id,
      score: round(total(best)),
      scores,
      reason: `${bestWhat(s, best)} (score ${round(total(best))})`,
      via: "code",
      ...(s.guardedFor?.[best] && !s.addedFor?.[best] ? { guard: true as const } : {}),
    };
  }
  const reason =
    best < 0
      ? "unmapped: no code of a known mechanism (no catalogue identifier, member, hook or path)"
      : `unmapped: best ${entries[best]!.id} scores ${round(total(best))} < ${THRESHOLD} (${bestWhat(s, best)})`;
  return { mechanism: null, score: 0, scores, reason, via: "none" };
}

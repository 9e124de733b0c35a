/**
 * The third pass of the mapper, over a whole series: a hunk still unmapped after its own code
 * (patch/classify.ts `decide`) and its patch (`propagate`) takes the mechanism of the hunks of
 * other patches of the same series that its code is linked to by a name the series defines:
 *
 * - it uses a name that mapped hunks define: it calls a function of the series, or names one of
 *   its constants, macros, types, variables or struct members (a feature bit `KVM_FEATURE_PREEMPT`
 *   another patch defines for the preempted flag; a reset helper of the IPI tracking that the
 *   directed-yield patch calls);
 * - it defines a name that mapped hunks use (the ABI struct another patch's guest code maps);
 * - it defines a name mapped hunks also define (a prototype or stub of a mapped function).
 *
 * New features arrive as series whose later patches name the mechanism's known code and whose
 * earlier patches add the plumbing under names of their own; this carries the mechanism back
 * along the names, as a reader follows them. A function name referred to without a call is not
 * followed (a reference, not a use of its code), unless a designated initializer puts it in a
 * table (`.func = wrs_insn`), which hooks it in as a call would. Links are followed to a fixed
 * point in rounds, each round deciding from the hunks mapped before it (so the order of hunks
 * does not matter), by majority (a tie decides nothing). The votes are the hunks that mapped
 * before any link (on their own code or within their patch): a linked hunk passes on the hunks
 * it was linked to, not a vote of its own, so one hunk's answer, right or wrong, counts once
 * however many hunks its links reach (set 5: one kick handler read as the ready boost was echoed
 * by the hunks linked to it).
 *
 * A series is a run of consecutive patches numbered n/m with the same m and increasing n (a
 * mailbox of unrelated patches links nothing across them); a patch without a number stands alone.
 */
import type { Classification } from "./classify";
import { declaredMembers } from "./classify";
import type { Hunk, Patch } from "./model";

export interface SeriesItem {
  hunk: Hunk;
  /** Index of the hunk's patch in the document. */
  patch: number;
  c: Classification;
}

/** Rounds of link following; a chain longer than this (none seen in real series) stops there. */
const MAX_ROUNDS = 8;

/** The series of each patch: consecutive patches n/m with the same m and increasing n share one. */
export function seriesOfPatches(patches: readonly Pick<Patch, "index" | "total">[]): number[] {
  const out: number[] = [];
  let series = -1;
  patches.forEach((p, i) => {
    const prev = i > 0 ? patches[i - 1] : null;
    const continues = prev !== null && p.index !== null && prev.index !== null && p.total === prev.total && p.index > prev.index;
    if (!continues) series++;
    out.push(series);
  });
  return out;
}

/** Per mechanism, the hunks that mapped it on their own code (before any link) behind a name. */
type Tally = Map<string, Set<number>>;

const bump = (byName: Map<string, Tally>, name: string, mech: string, origins: ReadonlySet<number>) => {
  const t = byName.get(name) ?? new Map<string, Set<number>>();
  const o = t.get(mech) ?? new Set<number>();
  for (const k of origins) o.add(k);
  t.set(mech, o);
  byName.set(name, t);
};

/** Links each unmapped item of one series to its mapped neighbours, in rounds, to a fixed point. */
export function propagateSeries(items: readonly SeriesItem[], seriesOfPatch: readonly number[]): void {
  let from = 0;
  while (from < items.length) {
    const s = seriesOfPatch[items[from].patch];
    let to = from;
    while (to < items.length && seriesOfPatch[items[to].patch] === s) to++;
    const patches = new Set<number>();
    for (let k = from; k < to; k++) patches.add(items[k].patch);
    if (patches.size > 1) linkOneSeries(items.slice(from, to));
    from = to;
  }
}

function linkOneSeries(items: readonly SeriesItem[]): void {
  // Nothing to decide, or nothing to decide from.
  if (items.every((x) => x.c.mechanism !== null) || items.every((x) => x.c.mechanism === null)) return;
  // The names this series defines, and which of them are functions.
  const defined = new Set<string>();
  const functions = new Set<string>();
  const defs = items.map((x) => [...x.hunk.code.defines, ...declaredMembers(x.hunk.code)]);
  defs.forEach((d, k) => {
    for (const n of d) defined.add(n);
    for (const f of items[k].hunk.code.functions) functions.add(f);
  });
  if (defined.size === 0) return;
  // What each hunk uses of them: calls of its functions, any mention of its other names.
  const uses = items.map((x, k) => {
    const own = new Set(defs[k]);
    const calls = x.hunk.code.calls;
    const placed = x.hunk.code.initializes;
    return x.hunk.identifiersAdded.filter(
      (n) => defined.has(n) && !own.has(n) && (!functions.has(n) || calls.includes(n) || placed.includes(n)),
    );
  });
  // Mechanisms of the mapped hunks defining and using each name, with the hunks they come from.
  const definers = new Map<string, Tally>();
  const users = new Map<string, Tally>();
  const note = (k: number, mech: string, origins: ReadonlySet<number>) => {
    for (const n of defs[k]) bump(definers, n, mech, origins);
    for (const n of uses[k]) bump(users, n, mech, origins);
  };
  items.forEach((x, k) => {
    if (x.c.mechanism !== null) note(k, x.c.mechanism, new Set([k]));
  });
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const decided: { k: number; mech: string; name: string; n: number; origins: Set<number> }[] = [];
    items.forEach((x, k) => {
      if (x.c.mechanism !== null) return;
      const tally = new Map<string, { origins: Set<number>; name: string }>();
      const add = (t: Tally | undefined, name: string) => {
        for (const [m, o] of t ?? []) {
          const e = tally.get(m);
          if (e) for (const k of o) e.origins.add(k);
          else tally.set(m, { origins: new Set(o), name });
        }
      };
      for (const n of uses[k]) add(definers.get(n), n);
      for (const n of defs[k]) {
        add(users.get(n), n);
        add(definers.get(n), n);
      }
      let best: string | null = null;
      let top = 0;
      let tie = false;
      for (const [m, e] of tally) {
        const n = e.origins.size;
        if (n > top) [best, top, tie] = [m, n, false];
        else if (n === top) tie = true;
      }
      const won = best === null ? undefined : tally.get(best);
      if (best !== null && won && !tie) decided.push({ k, mech: best, name: won.name, n: top, origins: won.origins });
    });
    if (decided.length === 0) return;
    for (const d of decided) {
      const x = items[d.k] as SeriesItem;
      x.c = {
        ...x.c,
        mechanism: d.mech,
        via: "symbol",
        reason: `linked by ${d.name} to ${d.n} hunk(s) of this series mapped to ${d.mech}`,
      };
      // A linked hunk passes on the hunks it was linked to, not a vote of its own: one hunk's
      // answer counts once however far its links reach.
      note(d.k, d.mech, d.origins);
    }
  }
}

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
 * along the names, as a reader follows them. A function name referred to without a call (an ops
 * table entry) is not followed: that is a reference, not a use of its code. Links are followed
 * to a fixed point in rounds, each round deciding from the hunks mapped before it (so the order
 * of hunks does not matter), by the majority of linked mapped hunks (a tie decides nothing).
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

type Tally = Map<string, number>;

const bump = (byName: Map<string, Tally>, name: string, mech: string) => {
  const t = byName.get(name) ?? new Map<string, number>();
  t.set(mech, (t.get(mech) ?? 0) + 1);
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
    return x.hunk.identifiersAdded.filter((n) => defined.has(n) && !own.has(n) && (!functions.has(n) || calls.includes(n)));
  });
  // Mechanisms of the mapped hunks defining and using each name.
  const definers = new Map<string, Tally>();
  const users = new Map<string, Tally>();
  const note = (k: number, mech: string) => {
    for (const n of defs[k]) bump(definers, n, mech);
    for (const n of uses[k]) bump(users, n, mech);
  };
  items.forEach((x, k) => {
    if (x.c.mechanism !== null) note(k, x.c.mechanism);
  });
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const decided: { k: number; mech: string; name: string; n: number }[] = [];
    items.forEach((x, k) => {
      if (x.c.mechanism !== null) return;
      const tally = new Map<string, { n: number; name: string }>();
      const add = (t: Tally | undefined, name: string) => {
        for (const [m, c] of t ?? []) {
          const e = tally.get(m);
          if (e) e.n += c;
          else tally.set(m, { n: c, name });
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
        if (e.n > top) [best, top, tie] = [m, e.n, false];
        else if (e.n === top) tie = true;
      }
      if (best !== null && !tie) decided.push({ k, mech: best, name: (tally.get(best) as { name: string }).name, n: top });
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
      note(d.k, d.mech);
    }
  }
}

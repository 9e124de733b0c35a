/**
 * The third pass of the mapper, over a whole series: a hunk still unmapped after its own code
 * (patch/classify.ts `decide`) and its patch (patch/propagate.ts) takes the mechanism of the hunks of
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
 * Calling is not transitive. A hunk linked only because it calls (or puts in a table) a function
 * of the series is that code's caller, not the mechanism's own code: it takes the mechanism, but
 * the names it defines carry nothing further, and neither do those of a hunk its patch mapped the
 * same way (`propagate`'s callers). Otherwise suspend, kexec and VM-teardown code calling a
 * helper that calls a mechanism function took the mechanism two calls away, and so did whatever
 * names that code (set 8: `kvm_suspend` calling `kvm_guest_cpu_offline`, which calls
 * `kvm_disable_steal_time`, and the `kvm_syscore_ops` that registers it). Links through data
 * (constants, types, struct members, variables) and definitions still chain: plumbing reaches a
 * feature through other plumbing (a uapi constant used by an attribute handler that uses a feature
 * bit a mapped hunk defines).
 *
 * A series is a run of consecutive patches numbered n/m with the same m and increasing n (a
 * mailbox of unrelated patches links nothing across them); a patch without a number stands alone.
 */
import type { Classification } from "./classify";
import { declaredMembers } from "./code";
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
    const prev = patches[i - 1] ?? null;
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
    // from, to and k stay below items.length.
    const s = seriesOfPatch[items[from]!.patch];
    let to = from;
    while (to < items.length && seriesOfPatch[items[to]!.patch] === s) to++;
    const patches = new Set<number>();
    for (let k = from; k < to; k++) patches.add(items[k]!.patch);
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
  // defs and uses below are items.map: one entry per item, so defs[k] and uses[k] exist for every item k.
  const defs = items.map((x) => [...x.hunk.code.defines, ...declaredMembers(x.hunk.code)]);
  items.forEach((x, k) => {
    for (const n of defs[k]!) defined.add(n);
    for (const f of x.hunk.code.functions) functions.add(f);
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
  // A caller's definitions are not the mechanism's: only the names it uses pass its answer on
  // (the uapi id of the table slot that hooks a kick handler in).
  const note = (k: number, mech: string, origins: ReadonlySet<number>, caller: boolean) => {
    if (!caller) for (const n of defs[k]!) bump(definers, n, mech, origins);
    for (const n of uses[k]!) bump(users, n, mech, origins);
  };
  items.forEach((x, k) => {
    // A guard's names are its condition's inputs, not the mechanism's (Classification.guard).
    if (x.c.mechanism !== null && !x.c.guard) note(k, x.c.mechanism, new Set([k]), x.c.caller === true);
  });
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const decided: { k: number; mech: string; name: string; n: number; origins: Set<number>; caller: boolean }[] = [];
    items.forEach((x, k) => {
      // A hunk linked as a caller is looked at again: a later link through data makes it the
      // mechanism's own code after all (a helper that calls another and reads the feature's state).
      const linkedCaller = x.c.caller === true;
      if (x.c.mechanism !== null && !linkedCaller) return;
      // Per mechanism, the hunks behind it and whether every name linking them is a call.
      const tally = new Map<string, { origins: Set<number>; name: string; calls: boolean }>();
      const add = (t: Tally | undefined, name: string, call: boolean) => {
        for (const [m, o] of t ?? []) {
          const e = tally.get(m);
          if (e) {
            for (const k of o) e.origins.add(k);
            e.calls &&= call;
          } else tally.set(m, { origins: new Set(o), name, calls: call });
        }
      };
      // A function of the series among the names used is called or placed (`uses` keeps no other).
      for (const n of uses[k]!) add(definers.get(n), n, functions.has(n));
      for (const n of defs[k]!) {
        add(users.get(n), n, false);
        add(definers.get(n), n, false);
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
      if (best !== null && won && !tie && !(linkedCaller && won.calls))
        decided.push({ k, mech: best, name: won.name, n: top, origins: won.origins, caller: won.calls });
    });
    if (decided.length === 0) return;
    for (const d of decided) {
      const x = items[d.k] as SeriesItem;
      x.c = {
        ...x.c,
        mechanism: d.mech,
        via: "symbol",
        reason: d.caller
          ? `calls ${d.name}, which ${d.n} hunk(s) of this series mapped to ${d.mech} define`
          : `linked by ${d.name} to ${d.n} hunk(s) of this series mapped to ${d.mech}`,
        ...(d.caller ? { caller: true as const } : {}),
      };
      if (!d.caller) delete x.c.caller;
      // A linked hunk passes on the hunks it was linked to, not a vote of its own: one hunk's
      // answer counts once however far its links reach.
      note(d.k, d.mech, d.origins, d.caller);
    }
  }
}

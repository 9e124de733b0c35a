/**
 * The second pass, within one patch: a hunk that patch/classify.ts left `unmapped` may take the
 * mechanism of the patch it is in, when its own code points there. A hunk defining a symbol (a
 * Kconfig option, a macro, a struct member) takes the mechanism of the hunks that use it, a hunk
 * calling or placing a function that mapped hunks of the patch define takes theirs, and a hunk
 * with weak evidence, only #includes, or sitting in a function the patch's prevailing mechanism
 * hooks takes that mechanism. patch/series.ts does the same across the patches of a series.
 */
import { CATALOGUE } from "./catalogue";
import type { Classification } from "./classify";
import { declaredMembers } from "./code";
import type { Hunk } from "./parse";

/**
 * Second pass over one patch's hunks: unmapped hunks take a mechanism from their patch when
 * their own code points there (a symbol they define is used by mapped hunks, or they carry weak
 * evidence or only #includes and the patch's hunks agree).
 */
export function propagate(hunks: { hunk: Hunk; file: string; c: Classification }[], entries = CATALOGUE): void {
  // A hunk mapped as the new condition of a mechanism's writes lends its names to nothing (`guard`).
  const mapped = hunks.filter((x) => x.c.mechanism !== null && x.c.via === "code" && !x.c.guard);
  if (mapped.length === 0) return;
  const majority = (xs: typeof mapped): string | null => {
    const count = new Map<string, number>();
    for (const x of xs) count.set(x.c.mechanism as string, (count.get(x.c.mechanism as string) ?? 0) + 1);
    let top: string | null = null;
    let n = 0;
    let tie = false;
    for (const [m, k] of count) {
      if (k > n) [top, n, tie] = [m, k, false];
      else if (k === n) tie = true;
    }
    return tie ? null : top;
  };
  const uses = (y: (typeof mapped)[number], d: string) =>
    y.hunk.identifiersAdded.includes(d) || y.hunk.identifiersAdded.includes(`CONFIG_${d}`);
  /** Struct members some hunk of this patch declares. */
  const patchOwn = new Set<string>();
  for (const x of hunks) for (const d of declaredMembers(x.hunk.code)) patchOwn.add(d);
  for (const x of hunks) {
    if (x.c.mechanism !== null) continue;
    const code = x.hunk.code;
    const defines = [...code.defines, ...declaredMembers(code)];
    /** Takes the majority mechanism of the mapped hunks `link`ed to one of `names`; whether it did. */
    const follow = (
      names: readonly string[],
      link: (y: (typeof mapped)[number], d: string) => boolean,
      say: (name: string, n: number, m: string) => string,
      caller?: true,
    ) => {
      const sources = names.length ? mapped.filter((y) => names.some((d) => link(y, d))) : [];
      const m = majority(sources);
      if (!m) return false;
      const name = names.find((d) => sources.some((y) => link(y, d))) as string;
      x.c = { ...x.c, mechanism: m, via: "symbol", reason: say(name, sources.length, m), ...(caller ? { caller } : {}) };
      return true;
    };
    if (follow(defines, uses, (d, n, m) => `defines ${d}, which ${n} hunk(s) of this patch use for ${m}`)) continue;
    const provides = (y: (typeof mapped)[number], c: string) => y.hunk.code.defines.includes(c);
    if (follow(code.calls, provides, (c, n, m) => `calls ${c}, which ${n} hunk(s) of this patch define for ${m}`, true)) continue;
    // A function of the patch placed in a designated initializer (`.func = wrs_insn`): the table
    // hooks it in, as a call would.
    const placed = (c: string, n: number, m: string) => `sets a field to ${c}, which ${n} hunk(s) of this patch define for ${m}`;
    if (follow(code.initializes, provides, placed, true)) continue;
    // Names a struct member this patch declares, as mapped hunks of the patch do: the same
    // mechanism's data seen from another place (the debugfs VCPU_STAT entries of the counters
    // that the patch adds and its yield code increments). Members only: a function of the patch
    // merely referenced (an ops table entry) is not its mechanism, as calling it would be.
    const shared = x.hunk.identifiersAdded.filter((id) => patchOwn.has(id) && !defines.includes(id));
    const sayShared = (d: string, n: number, m: string) => `uses ${d}, a member this patch declares and ${n} hunk(s) of it use for ${m}`;
    if (follow(shared, uses, sayShared)) continue;
    const weak = Object.keys(x.c.scores).length > 0;
    const includesOnly = code.includeLines > 0 && code.codeLines === 0;
    const fn = code.scope?.kind === "function" ? code.scope.name : null;
    if (!weak && !includesOnly && fn === null) continue;
    const sameFile = includesOnly ? mapped.filter((y) => y.file === x.file) : mapped;
    const byPatch = majority(sameFile.length ? sameFile : mapped);
    if (!byPatch) continue;
    // Sitting in a function the mechanism hooks is weak evidence too (a hunk alone there is not).
    const hooked = fn !== null && (entries.find((e) => e.id === byPatch)?.hooks?.[fn] ?? 0) > 0;
    if (includesOnly || (weak && ((x.c.scores[byPatch] ?? 0) > 0 || mapped.length >= 2)) || hooked) {
      const own = includesOnly
        ? "only #includes"
        : weak
          ? `weak own evidence (${x.c.reason.replace(/^unmapped: /, "")})`
          : `sits in ${fn}, which ${byPatch} hooks`;
      x.c = { ...x.c, mechanism: byPatch, via: "patch", reason: `${own}; the patch's other hunks implement ${byPatch}` };
    }
  }
}

/**
 * Bounds on the input before it is validated, so that no text, however hostile, costs more than
 * the loader's time budget: the size and alias limits, list lengths, non-finite numbers, and the
 * validation of long lists in slices.
 */
import { isAlias, isMap, isPair, isSeq, type Document, type Node as YamlNode } from "yaml";
import { LIMITS } from "../sim-core/index";
import { byPosition, formatPath, type ScenarioError, type Seg } from "./errors";
import { validate as validateScenario, type GeneratedError } from "./generated/validate.js";
import type { Locator } from "./locator";

/** Limits of the loader itself (sim-core's LIMITS bound the run). */
export const LOADER_LIMITS = {
  /**
   * Largest scenario text accepted, in UTF-16 code units. Real scenarios are a few KB; the `yaml`
   * parser takes up to ~3 us of CPU per byte of dense flow collections (measured by the fuzzer),
   * so 256 KiB keeps any accepted text well inside the CLI's 2 s bad-input contract.
   */
  maxChars: 262_144,
  /** Most alias nodes (`*name`) in a file: real scenarios use a handful. */
  maxAliasCount: 100,
  /**
   * Most values that aliases may add to the data, counted as if every alias were a copy of its
   * anchor's node (the YAML "billion laughs": ten aliases to ten aliases to ... are small as text
   * but every later walk over the data would visit each copy).
   */
  maxAliasedValues: 100_000,
  /** Most errors reported for one file: the first ones are the useful ones. */
  maxErrors: 50,
  /**
   * Longest list of cgroups, modes or pins, checked before validation like the VM and workload
   * counts (LIMITS.vms, LIMITS.threads_total). Sim-core has no limit of its own for these; the
   * thread limit is used because no scenario within it could use more of them.
   */
  maxListItems: LIMITS.threads_total,
} as const;

/**
 * Refuses, before toJS, the aliases that would make the data cyclic or huge: an alias inside the
 * node its anchor names (`name: &a [*a]`: toJS returns a cyclic value that every later walk
 * follows forever), more than LOADER_LIMITS.maxAliasCount aliases, and aliases that expand to more
 * than LOADER_LIMITS.maxAliasedValues values. One pass over the nodes in document order, without
 * recursion (a file may nest thousands of levels): an alias names the last node before it with
 * that anchor, which is either one of the alias's ancestors (a cycle) or a node already left,
 * whose expanded size is then known.
 */
export function checkAliases(doc: Document.Parsed, loc: Locator): ScenarioError | null {
  const root = doc.contents as YamlNode | null;
  if (!root) return null;
  const anchors = new Map<string, YamlNode>();
  const open = new Set<YamlNode>(); // the anchored ones among the current node's ancestors
  const size = new Map<YamlNode, number>(); // expanded number of values, for anchored nodes left
  let aliases = 0;
  let added = 0;
  const at = (n: YamlNode, message: string) => {
    const r = n.range ?? [0, 0, 0];
    return loc.error(message, "", r[0], Math.min(r[1], loc.lineEnd(r[0])));
  };
  type Frame = { node: YamlNode; kids: YamlNode[]; next: number; total: number };
  const enter = (n: YamlNode): Frame => {
    if (n.anchor) {
      anchors.set(n.anchor, n);
      open.add(n);
    }
    const kids: YamlNode[] = [];
    if (isMap(n) || isSeq(n)) {
      for (const it of n.items as unknown[]) {
        if (isPair(it)) {
          if (it.key && typeof it.key === "object") kids.push(it.key as YamlNode);
          if (it.value && typeof it.value === "object") kids.push(it.value as YamlNode);
        } else if (it && typeof it === "object") kids.push(it as YamlNode);
      }
    }
    return { node: n, kids, next: 0, total: 1 };
  };
  const stack: Frame[] = [enter(root)];
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top!.next < top!.kids.length) {
      const kid = top!.kids[top!.next++];
      if (!isAlias(kid)) {
        stack.push(enter(kid!));
        continue;
      }
      if (++aliases > LOADER_LIMITS.maxAliasCount)
        return at(kid, `more than ${LOADER_LIMITS.maxAliasCount} aliases (*name); write the values out`);
      const target = anchors.get(kid.source);
      if (!target) return at(kid, `alias *${kid.source} has no anchor &${kid.source} before it`);
      if (open.has(target))
        return at(kid, `alias *${kid.source} is inside the value its anchor &${kid.source} names, so that value would contain itself`);
      const n = size.get(target) ?? 1;
      added += n;
      if (added > LOADER_LIMITS.maxAliasedValues)
        return at(
          kid,
          `aliases expand to more than ${LOADER_LIMITS.maxAliasedValues} values (an alias of an alias of ...); write the values out`,
        );
      top!.total += n;
      continue;
    }
    stack.pop();
    if (top!.node.anchor) {
      open.delete(top!.node);
      size.set(top!.node, top!.total);
    }
    if (stack.length) stack[stack.length - 1]!.total += top!.total;
  }
  return null;
}

/**
 * Refuses a mapping key that is itself a list or a mapping (`? [a, b]`, `{a: 1}: 2`): no scenario
 * field has one, toJS would turn it into a string and the `yaml` library would print a warning
 * (a second line beside the CLI's one; the fuzzer found it). Reported at the key. One pass over the
 * nodes, without recursion.
 */
export function checkCollectionKeys(doc: Document.Parsed, loc: Locator): ScenarioError | null {
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const n = stack.pop();
    if (!isMap(n) && !isSeq(n)) continue;
    for (const it of n.items as unknown[]) {
      if (!isPair(it)) {
        stack.push(it);
        continue;
      }
      if (isMap(it.key) || isSeq(it.key)) {
        const r = (it.key as YamlNode).range ?? [0, 0, 0];
        return loc.error("a key must be a name, not a list or a mapping", "", r[0], Math.min(r[1], loc.lineEnd(r[0])));
      }
      stack.push(it.value);
    }
  }
  return null;
}

/**
 * Refuses lists longer than any scenario within the limits can hold, before validation: the
 * validator's time grows faster than the number of invalid items (each one's errors for every
 * workload kind), so 20 000 `- kind: audio` lines would take minutes to refuse. The counts are
 * sim-core's LIMITS: every workload runs at least one thread, so there are at most
 * LIMITS.threads_total of them in all.
 */
export function checkListLengths(data: unknown, loc: Locator): ScenarioError[] {
  const out: ScenarioError[] = [];
  const obj = (v: unknown): Record<string, unknown> | undefined =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const list = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);
  const refuse = (segs: Seg[], message: string) => {
    const [a, b] = loc.range(segs, "value");
    out.push(loc.error(`${formatPath(segs)}: ${message}`, formatPath(segs), a, b));
  };
  const top = obj(data);
  if (!top) return out;
  const host = obj(top.host);
  const vms = list(top.vms);
  if (vms && vms.length > LIMITS.vms) refuse(["vms"], `at most ${LIMITS.vms} VMs (got ${vms.length})`);
  // Workload lists: the host's and each VM's, limited together.
  const workloadLists: { segs: Seg[]; n: number }[] = [];
  const hw = list(host?.workloads);
  if (hw) workloadLists.push({ segs: ["host", "workloads"], n: hw.length });
  (vms ?? []).forEach((vm, i) => {
    const w = list(obj(vm)?.workloads);
    if (w) workloadLists.push({ segs: ["vms", i, "workloads"], n: w.length });
    const pin = list(obj(vm)?.pin);
    if (pin && pin.length > LOADER_LIMITS.maxListItems)
      refuse(["vms", i, "pin"], `at most ${LOADER_LIMITS.maxListItems} entries (got ${pin.length})`);
  });
  const workloads = workloadLists.reduce((acc, l) => acc + l.n, 0);
  if (workloads > LIMITS.threads_total) {
    const longest = workloadLists.reduce((a, b) => (b.n > a.n ? b : a));
    refuse(longest.segs, `at most ${LIMITS.threads_total} workloads in all, host and VMs together (the thread limit; got ${workloads})`);
  }
  const cgroups = list(host?.cgroups);
  if (cgroups && cgroups.length > LOADER_LIMITS.maxListItems)
    refuse(["host", "cgroups"], `at most ${LOADER_LIMITS.maxListItems} cgroups (got ${cgroups.length})`);
  const modes = list(top.modes);
  if (modes && modes.length > LOADER_LIMITS.maxListItems)
    refuse(["modes"], `at most ${LOADER_LIMITS.maxListItems} modes (got ${modes.length})`);
  return out.sort(byPosition);
}

/** Items of a list validated together; see validateInSlices. */
const VALIDATION_SLICE = 32;

/**
 * Validates the scenario with every long list cut into slices of VALIDATION_SLICE items, and
 * returns the errors of the first part that fails (instance paths of the whole data), or null when
 * the data is valid. The generated validator copies its error array for every failed list item
 * (ajv's allErrors code concatenates), so its time is quadratic in the invalid items of one list:
 * 1 000 invalid workloads took 1 s of CPU, 4 000 took 6.8 s. The schema's lists only constrain
 * their items one by one (no minItems, maxItems or uniqueItems on them), so the data is valid
 * exactly when the scenario with each list cut to its first slice is valid and so is each further
 * slice put in its place.
 */
export function validateInSlices(data: unknown): GeneratedError[] | null {
  const run = (d: unknown): GeneratedError[] | null => (validateScenario(d) ? null : [...(validateScenario.errors ?? [])]);
  const top = data !== null && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
  if (!top) return run(data);
  /** A long list: where it is (a JSON pointer) and how to put another array in its place. */
  type Long = { ptr: string; items: unknown[]; put: (d: Record<string, unknown>, items: unknown[]) => Record<string, unknown> };
  const longs: Long[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  const consider = (ptr: string, v: unknown, put: Long["put"]) => {
    if (Array.isArray(v) && v.length > VALIDATION_SLICE) longs.push({ ptr, items: v, put });
  };
  // The VM list is not cut: checkListLengths has held it to LIMITS.vms, and its VMs' own lists are.
  consider("/modes", top.modes, (d, items) => ({ ...d, modes: items }));
  if (isObj(top.host)) {
    for (const key of ["workloads", "cgroups"])
      consider(`/host/${key}`, top.host[key], (d, items) => ({ ...d, host: { ...(d.host as object), [key]: items } }));
  }
  if (Array.isArray(top.vms)) {
    top.vms.forEach((vm, i) => {
      if (!isObj(vm)) return;
      for (const key of ["workloads", "pin"])
        consider(`/vms/${i}/${key}`, vm[key], (d, items) => {
          const vms = [...(d.vms as unknown[])];
          vms[i] = { ...(vms[i] as object), [key]: items };
          return { ...d, vms };
        });
    });
  }
  if (longs.length === 0) return run(data);
  let skeleton: Record<string, unknown> = top;
  for (const l of longs) skeleton = l.put(skeleton, l.items.slice(0, VALIDATION_SLICE));
  const first = run(skeleton);
  if (first) return first;
  for (const l of longs) {
    for (let from = VALIDATION_SLICE; from < l.items.length; from += VALIDATION_SLICE) {
      const errs = run(l.put(skeleton, l.items.slice(from, from + VALIDATION_SLICE)));
      if (!errs) continue;
      // `${ptr}/${i}` in the slice is `${ptr}/${from + i}` in the data.
      const prefix = `${l.ptr}/`;
      return errs.map((e) => {
        if (!e.instancePath.startsWith(prefix)) return e;
        const rest = e.instancePath.slice(prefix.length);
        const slash = rest.indexOf("/");
        const i = Number(slash < 0 ? rest : rest.slice(0, slash));
        return { ...e, instancePath: `${prefix}${from + i}${slash < 0 ? "" : rest.slice(slash)}` };
      });
    }
  }
  return null;
}

export function findNonFinite(v: unknown, segs: Seg[], report: (segs: Seg[], v: number) => void): void {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) report(segs, v);
  } else if (Array.isArray(v))
    v.forEach((x, i) => {
      findNonFinite(x, [...segs, i], report);
    });
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) findNonFinite(x, [...segs, k], report);
}

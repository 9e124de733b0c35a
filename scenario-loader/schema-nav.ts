/**
 * Navigation of the scenario JSON Schema: one module for every reader of the schema. The loader's
 * messages (which keys a map allows, which anyOf branch a value meant), completion and hover in
 * VS Code's editor, and completion and hover in the results panel's editor all walk the schema
 * through these functions.
 *
 * Two ways in: by JSON pointer (`#/definitions/Dist/anyOf/0`), which the precompiled validator's
 * per-branch functions are keyed by, and by data path (`["vms", 0, "workloads", 1]`), with the
 * data along the path so that a union is narrowed by its discriminator (a workload's `kind`).
 */
import schemaJson from "../schema/scenario.schema.json";

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  items?: JsonSchema | JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  definitions?: Record<string, JsonSchema>;
};

export type PathSeg = string | number;

/** The JSON Schema the loader validates against (generated from sim-core/scenario.ts). */
export const SCENARIO_SCHEMA = schemaJson as unknown as JsonSchema;

// ---------------------------------------------------------------------------------------------
// By JSON pointer (into SCENARIO_SCHEMA)

export function schemaAtPointer(ptr: string): JsonSchema | undefined {
  let node: unknown = SCENARIO_SCHEMA;
  for (const raw of ptr.replace(/^#\/?/, "").split("/")) {
    if (raw === "") continue;
    const k = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[k];
  }
  return node as JsonSchema | undefined;
}

export function deref(ptr: string): [string, JsonSchema | undefined] {
  let s = schemaAtPointer(ptr);
  for (let guard = 0; s && typeof s.$ref === "string" && guard < 32; guard++) {
    ptr = s.$ref;
    s = schemaAtPointer(ptr);
  }
  return [ptr, s];
}

/** The pointer of the schema that validates `segs` below the schema at `base`, or undefined. */
export function schemaPointerAt(base: string, segs: readonly string[]): string | undefined {
  let [ptr, s] = deref(base);
  for (const seg of segs) {
    if (!s) return undefined;
    if (s.properties && Object.hasOwn(s.properties, seg)) ptr = `${ptr}/properties/${seg.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    else if (s.items && /^\d+$/.test(seg)) ptr = `${ptr}/items`;
    else return undefined;
    [ptr, s] = deref(ptr);
  }
  return s ? ptr : undefined;
}

export function splitPointer(p: string): string[] {
  return p === ""
    ? []
    : p
        .slice(1)
        .split("/")
        .map((x) => x.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export function dataAt(data: unknown, segs: readonly string[]): unknown {
  let d = data;
  for (const s of segs) {
    if (d === null || typeof d !== "object") return undefined;
    d = (d as Record<string, unknown>)[s];
  }
  return d;
}

// ---------------------------------------------------------------------------------------------
// By data path (any schema of this form: `root` holds the definitions)

export function resolve(root: JsonSchema, s: JsonSchema | undefined, depth = 0): JsonSchema | undefined {
  let cur = s;
  while (cur?.$ref && depth < 32) {
    const m = /^#\/definitions\/(.+)$/.exec(cur.$ref);
    const target = m ? root.definitions?.[decodeURIComponent(m[1]!)] : undefined;
    // Keep the referring schema's own description when it has one (property docs live there).
    cur = target ? { ...target, ...(cur.description ? { description: cur.description } : {}), $ref: target.$ref } : undefined;
    depth++;
  }
  return cur;
}

/** The alternatives a value may take (anyOf/oneOf flattened, refs resolved). */
export function alternatives(root: JsonSchema, s: JsonSchema | undefined, depth = 0): JsonSchema[] {
  const r = resolve(root, s);
  if (!r || depth > 16) return [];
  const alts = r.anyOf ?? r.oneOf;
  if (alts) {
    const out: JsonSchema[] = [];
    for (const a of alts) {
      for (const x of alternatives(root, a, depth + 1)) {
        // An alternative without its own description inherits the union's (e.g. Workload's).
        out.push(x.description || !r.description ? x : { ...x, description: r.description });
      }
    }
    return out;
  }
  return [r];
}

export function isObjectish(s: JsonSchema): boolean {
  return s.type === "object" || (Array.isArray(s.type) && s.type.includes("object")) || !!s.properties;
}

/**
 * Object alternatives that fit the data: when the data has a discriminating property that some
 * alternatives pin with `const` (the workloads' `kind`), keep only those that agree.
 */
export function objectAlternatives(root: JsonSchema, s: JsonSchema | undefined, data: unknown): JsonSchema[] {
  const objs = alternatives(root, s).filter(isObjectish);
  if (objs.length <= 1 || typeof data !== "object" || data === null || Array.isArray(data)) return objs;
  const d = data as Record<string, unknown>;
  let keep = objs;
  for (const [k, v] of Object.entries(d)) {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") continue;
    const pinned = keep.filter((o) => o.properties?.[k] && resolve(root, o.properties[k])?.const !== undefined);
    if (!pinned.length) continue;
    const agree = pinned.filter((o) => resolve(root, o.properties![k])!.const === v);
    if (agree.length) keep = agree;
  }
  return keep;
}

/** Schemas of the child `seg` of a value described by `s` (with `data` its current content). */
export function childSchemas(root: JsonSchema, s: JsonSchema | undefined, seg: PathSeg, data: unknown): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const alt of alternatives(root, s)) {
    if (typeof seg === "number") {
      if (alt.items && !Array.isArray(alt.items)) out.push(alt.items);
      else if (Array.isArray(alt.items) && alt.items[seg]) out.push(alt.items[seg]);
    }
  }
  if (typeof seg === "string") {
    for (const alt of objectAlternatives(root, s, data)) {
      const p = alt.properties?.[seg];
      if (p) out.push(p);
      else if (alt.additionalProperties && typeof alt.additionalProperties === "object") out.push(alt.additionalProperties);
    }
  }
  return out;
}

/** Walks the schema along a path; `values[i]` is the data at path prefix i (for discrimination). */
export function schemasAt(root: JsonSchema, path: PathSeg[], values: unknown[]): JsonSchema[] {
  let cur: JsonSchema[] = [root];
  for (let i = 0; i < path.length; i++) {
    const next: JsonSchema[] = [];
    for (const s of cur) next.push(...childSchemas(root, s, path[i]!, values[i]));
    cur = next;
    if (!cur.length) break;
  }
  return cur;
}

export function typeSummary(root: JsonSchema, s: JsonSchema): string {
  const alts = alternatives(root, s);
  const parts = new Set<string>();
  for (const a of alts) {
    if (a.const !== undefined) parts.add(JSON.stringify(a.const));
    else if (a.enum) parts.add(a.enum.map((e) => JSON.stringify(e)).join(" | "));
    else if (a.type === "array") parts.add("list");
    else if (isObjectish(a)) parts.add("object");
    else if (a.type) {
      let t = Array.isArray(a.type) ? a.type.join(" | ") : a.type;
      const b: string[] = [];
      if (a.minimum !== undefined) b.push(`≥ ${a.minimum}`);
      if (a.exclusiveMinimum !== undefined) b.push(`> ${a.exclusiveMinimum}`);
      if (a.maximum !== undefined) b.push(`≤ ${a.maximum}`);
      if (a.exclusiveMaximum !== undefined) b.push(`< ${a.exclusiveMaximum}`);
      if (b.length) t += ` ${b.join(", ")}`;
      parts.add(t);
    }
  }
  return [...parts].join(" | ") || "any";
}

export function docOf(root: JsonSchema, s: JsonSchema): string {
  const r = resolve(root, s);
  const lines: string[] = [];
  const desc = s.description ?? r?.description;
  if (desc) lines.push(desc);
  const dflt = s.default !== undefined ? s.default : r?.default;
  if (dflt !== undefined) lines.push(`Default: \`${JSON.stringify(dflt)}\``);
  return lines.join("\n\n");
}

export function blockKind(root: JsonSchema, s: JsonSchema): "object" | "array" | undefined {
  const alts = alternatives(root, s);
  if (!alts.length) return undefined;
  if (alts.every((a) => a.type === "array")) return "array";
  if (alts.every(isObjectish)) return "object";
  return undefined;
}

/**
 * Keys the schema allows in the map at `path` of `data`; through a union, those of the
 * alternatives its discriminator (`kind`) leaves.
 */
export function propertiesAt(root: JsonSchema, path: readonly PathSeg[], data: unknown): string[] {
  // JSON pointers give list indexes as strings: the walk below needs them as numbers.
  const segs = path.map((x) => (typeof x === "string" && /^\d+$/.test(x) ? Number(x) : x));
  const values: unknown[] = [data];
  let d = data;
  for (const seg of segs) {
    d = d !== null && typeof d === "object" ? (d as Record<string, unknown>)[String(seg)] : undefined;
    values.push(d);
  }
  const out = new Set<string>();
  for (const c of schemasAt(root, segs, values))
    for (const alt of objectAlternatives(root, c, d)) for (const k of Object.keys(alt.properties ?? {})) out.add(k);
  return [...out];
}

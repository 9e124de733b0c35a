/**
 * Editing help for scenario files: completion and hover from the scenario JSON Schema (through
 * schema-nav.ts, the loader's own schema navigation) and the `yaml` library's AST, which keeps
 * source offsets. No VS Code or DOM imports: VS Code's editor (extension/language) and the results
 * panel's Monaco editor (webview/monaco) turn these plain results into their own items.
 *
 * Completion parses a copy of the text with a marker put where the cursor is (as a map key, or as
 * the value of the key on the cursor's line), finds the marker in the AST, and walks the schema
 * along the marker's path. That way the path comes from the real YAML structure (indentation,
 * sequences, flow collections), not from guessing at the text.
 *
 * Like diagnostics, both refuse a text over LOADER_LIMITS.maxChars (issue 14: hovering over a
 * 5 MB file took 37 s and 2.7 GB): they answer nothing rather than parse it.
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, type Node as YamlNode } from "yaml";
import { escapeMarkdown } from "../common/escape";
import { LOADER_LIMITS } from "./bounds";
import {
  alternatives,
  blockKind,
  docOf,
  objectAlternatives,
  resolve,
  schemasAt,
  typeSummary,
  type JsonSchema,
  type PathSeg,
} from "./schema-nav";

/** The size limit of completion and hover: the loader's own, so all three answer the same texts. */
export const ASSIST_LIMITS = { maxChars: LOADER_LIMITS.maxChars } as const;

export interface CompletionEntry {
  label: string;
  /** Text to insert (a key gets `key: `, or `key:` + newline for objects and arrays). */
  insertText: string;
  kind: "property" | "value";
  /** Short type summary, e.g. "number ≥ 1", "enum". */
  detail: string;
  documentation: string;
  /** Block collections need the new line indented under the key (the provider adds it). */
  block?: "object" | "array";
}

export interface CompletionResult {
  entries: CompletionEntry[];
  /** Offsets of the word under the cursor, which the chosen entry replaces. */
  replace: [number, number];
}

export interface HoverResult {
  markdown: string;
  /** Offsets of the key or value hovered. */
  range: [number, number];
  path: PathSeg[];
}

const MARKER = "pvsched_cursor_0x7f";

// ---------------------------------------------------------------------------------------------
// Entries

function propertyEntries(root: JsonSchema, containers: JsonSchema[], data: unknown, present: Set<string>): CompletionEntry[] {
  const seen = new Map<string, CompletionEntry>();
  for (const c of containers) {
    for (const alt of objectAlternatives(root, c, data)) {
      for (const [name, ps] of Object.entries(alt.properties ?? {})) {
        if (present.has(name) || seen.has(name)) continue;
        const block = blockKind(root, ps);
        const required = alt.required?.includes(name);
        seen.set(name, {
          label: name,
          insertText: block ? `${name}:` : `${name}: `,
          kind: "property",
          detail: `${typeSummary(root, ps)}${required ? " (required)" : ""}`,
          documentation: docOf(root, ps),
          block,
        });
      }
    }
  }
  return [...seen.values()];
}

function valueEntries(root: JsonSchema, schemas: JsonSchema[]): CompletionEntry[] {
  const seen = new Map<string, CompletionEntry>();
  const add = (v: unknown, s: JsonSchema, detail: string) => {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") return;
    const text = String(v);
    if (!seen.has(text)) seen.set(text, { label: text, insertText: text, kind: "value", detail, documentation: s.description ?? "" });
  };
  for (const s of schemas) {
    for (const a of alternatives(root, s)) {
      if (a.const !== undefined) add(a.const, a, "constant");
      for (const e of a.enum ?? []) add(e, a, "enum");
      if (a.type === "boolean") {
        add(true, a, "boolean");
        add(false, a, "boolean");
      }
    }
    const r = resolve(root, s);
    if (r?.default !== undefined && typeof r.default !== "object") add(r.default, r, "default");
  }
  return [...seen.values()];
}

// ---------------------------------------------------------------------------------------------
// Locating things in the AST

interface Found {
  path: PathSeg[];
  /** JS values of the containers along the path: values[i] is the container at prefix i. */
  values: unknown[];
  node: YamlNode;
  /** The marker/offset is on a map key or on a value. */
  on: "key" | "value";
  /** The map or sequence that holds the node. */
  parent: YamlNode | null;
  /** Whether the holding map is itself an item of a sequence. */
  parentIsSeqItem: boolean;
}

function jsOf(node: unknown): unknown {
  try {
    return node && typeof (node as { toJSON?: unknown }).toJSON === "function" ? (node as { toJSON(): unknown }).toJSON() : node;
  } catch {
    return undefined;
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return key.value === null || key.value === undefined ? "" : String(key.value);
  return undefined;
}

type Pred = (n: YamlNode, on: "key" | "value") => boolean;

function locate(node: unknown, pred: Pred, path: PathSeg[], values: unknown[], _parent: YamlNode | null, inSeq: boolean): Found | null {
  if (isMap(node)) {
    const v = jsOf(node);
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = keyText(pair.key);
      if (pair.key && isScalar(pair.key) && pred(pair.key, "key")) {
        return { path: [...path, k ?? ""], values: [...values, v], node: pair.key, on: "key", parent: node, parentIsSeqItem: inSeq };
      }
      if (k === undefined || pair.value === null || pair.value === undefined) continue;
      const r = locateValue(pair.value, pred, [...path, k], [...values, v], node, inSeq);
      if (r) return r;
    }
    return null;
  }
  if (isSeq(node)) {
    const v = jsOf(node);
    for (let i = 0; i < node.items.length; i++) {
      const r = locateValue(node.items[i], pred, [...path, i], [...values, v], node, true);
      if (r) return r;
    }
  }
  return null;
}

function locateValue(value: unknown, pred: Pred, path: PathSeg[], values: unknown[], parent: YamlNode, seqItem: boolean): Found | null {
  if (isScalar(value)) {
    return pred(value, "value") ? { path, values, node: value, on: "value", parent, parentIsSeqItem: seqItem } : null;
  }
  if (isMap(value)) return locate(value, pred, path, values, parent, isSeq(parent));
  if (isSeq(value)) return locate(value, pred, path, values, parent, false);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Completion

function lineBounds(text: string, offset: number): [number, number] {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  let end = text.indexOf("\n", offset);
  if (end < 0) end = text.length;
  if (end > start && text[end - 1] === "\r") end--;
  return [start, end];
}

const WORD = /[A-Za-z0-9_.-]/;

/** Completions at `offset` in a scenario's YAML text. */
export function completionsAt(text: string, offset: number, schema: JsonSchema): CompletionResult {
  if (text.length > ASSIST_LIMITS.maxChars) return { entries: [], replace: [offset, offset] };
  const [ls, le] = lineBounds(text, offset);
  const before = text.slice(ls, offset);
  let ws = offset;
  while (ws > ls && WORD.test(text[ws - 1]!)) ws--;
  let we = offset;
  while (we < le && WORD.test(text[we]!)) we++;
  const empty: CompletionResult = { entries: [], replace: [ws, we] };
  if (before.includes("#")) return empty;

  const keyPos = /^\s*(?:-\s+)*[A-Za-z0-9_.-]*$/.exec(before);
  const valuePos = /^\s*(?:-\s+)*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*:\s*[A-Za-z0-9_.-]*$/.exec(before);

  if (keyPos) {
    const after = text.slice(we, le);
    const hasColon = /^\s*:/.test(after);
    const probe = text.slice(0, ws) + MARKER + (hasColon ? "" : ":") + text.slice(we);
    const doc = parseDocument(probe, { uniqueKeys: false, logLevel: "error" });
    const found = locate(doc.contents, (n, on) => on === "key" && isScalar(n) && n.value === MARKER, [], [], null, false);
    if (!found) return empty;
    const containerPath = found.path.slice(0, -1);
    const containers = schemasAt(schema, containerPath, found.values);
    const container = jsOf(found.parent);
    const present = new Set(container && typeof container === "object" ? Object.keys(container as object).filter((k) => k !== MARKER) : []);
    const entries = propertyEntries(schema, containers, container, present);
    // `- ` at an item of a list of scalars or unions (modes: [vanilla | {mode: ...}]).
    if (found.parentIsSeqItem && present.size === 0) {
      const itemSchemas = schemasAt(schema, containerPath, found.values);
      entries.unshift(...valueEntries(schema, itemSchemas));
    }
    return { entries, replace: [ws, we] };
  }
  if (valuePos) {
    const probe = text.slice(0, ws) + MARKER + text.slice(we);
    const doc = parseDocument(probe, { uniqueKeys: false, logLevel: "error" });
    const found = locate(doc.contents, (n, on) => on === "value" && isScalar(n) && n.value === MARKER, [], [], null, false);
    if (!found) return empty;
    return { entries: valueEntries(schema, schemasAt(schema, found.path, found.values)), replace: [ws, we] };
  }
  return empty;
}

// ---------------------------------------------------------------------------------------------
// Hover

function within(n: YamlNode, offset: number): boolean {
  const r = n.range;
  return !!r && offset >= r[0] && offset <= r[1];
}

/** Hover text for the key or scalar value at `offset`, from the schema's descriptions. */
export function hoverAt(text: string, offset: number, schema: JsonSchema): HoverResult | undefined {
  if (text.length > ASSIST_LIMITS.maxChars) return undefined;
  const doc = parseDocument(text, { uniqueKeys: false, logLevel: "error" });
  const found = locate(doc.contents, (n) => isScalar(n) && within(n, offset), [], [], null, false);
  if (!found?.node.range) return undefined;
  const schemas = schemasAt(schema, found.path, found.values);
  if (!schemas.length) return undefined;
  const parts: string[] = [];
  // The path is the user's own keys: escaped, so a key cannot write Markdown or a link.
  const title = `**${escapeMarkdown(
    found.path
      .map((p) => (typeof p === "number" ? `[${p}]` : p))
      .join(".")
      .replace(/\.\[/g, "["),
  )}**`;
  parts.push(title);
  const seenDoc = new Set<string>();
  const types = new Set<string>();
  for (const s of schemas) {
    types.add(typeSummary(schema, s));
    const d = docOf(schema, s);
    if (d && !seenDoc.has(d)) {
      seenDoc.add(d);
      parts.push(d);
    }
  }
  parts.splice(1, 0, `\`${[...types].join(" | ")}\``);
  if (found.on === "value") {
    const v = (found.node as { value?: unknown }).value;
    const vals = valueEntries(schema, schemas).map((e) => e.label);
    if (vals.length && typeof v === "string" && !vals.includes(v)) parts.push(`Allowed: ${vals.map((x) => `\`${x}\``).join(", ")}`);
  }
  return { markdown: parts.join("\n\n"), range: [found.node.range[0], found.node.range[1]], path: found.path };
}

// ---------------------------------------------------------------------------------------------
// Numbers (the "Sweep this parameter" code action)

/** A number written as a value in a scenario, with its YAML path and its text's range. */
export interface NumberAt {
  /** Keys and list indices from the document's root, as the sweep's PATH takes them. */
  path: PathSeg[];
  value: number;
  range: [number, number];
}

/** The number value at `offset` (a key, a string or a number inside a comment is none). */
export function numberAt(text: string, offset: number): NumberAt | undefined {
  if (text.length > ASSIST_LIMITS.maxChars) return undefined;
  const doc = parseDocument(text, { uniqueKeys: false, logLevel: "error" });
  const found = locate(doc.contents, (n) => isScalar(n) && within(n, offset), [], [], null, false);
  const v = (found?.node as { value?: unknown } | undefined)?.value;
  // A number as a key (`8: x`) names a field; it is not a value to sweep.
  if (found?.on !== "value" || !found.node.range || typeof v !== "number" || !Number.isFinite(v)) return undefined;
  return { path: found.path, value: v, range: [found.node.range[0], found.node.range[1]] };
}

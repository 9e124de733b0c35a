/**
 * Schema errors as people read them: the precompiled validator's errors become one message per
 * problem at the right range. A failed union (anyOf) is replaced by the errors of the branch the
 * user most likely meant; an unknown key gets a "did you mean"; types are named in words.
 */
import type { GeneratedError } from "./generated/validate.js";
import { branchValidators } from "./generated/validate.js";
import { formatPath, type ScenarioError, type Seg } from "./errors";
import type { Locator } from "./locator";
import {
  dataAt,
  deref,
  propertiesAt,
  SCENARIO_SCHEMA,
  schemaAtPointer,
  schemaPointerAt,
  splitPointer,
  type JsonSchema,
} from "./schema-nav";

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + "/");
}

/** A schema error with its instance path made absolute. */
export interface RawError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message: string;
  /** For synthesized errors only: ready-made text after the field path. */
  text?: string;
}

function describeForm(s: JsonSchema | undefined): string {
  if (!s) return "?";
  if (s.required?.length) return `{${s.required.join(", ")}}`;
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).map((x) => JSON.stringify(x)).join(" | ");
  if (typeof s.type === "string") return s.type;
  return "?";
}

/**
 * Replaces the errors of a failed anyOf at `path` (one set per branch) by the errors of the
 * branch the user most likely meant: the branch whose discriminator (`kind`) matches, else the
 * branch with the fewest errors, never a branch whose very type is wrong.
 */
export function resolveAnyOf(errors: RawError[], base: string, data: unknown): RawError[] {
  for (let round = 0; round < 64; round++) {
    const anyOfs = errors.filter((e) => e.keyword === "anyOf" && !e.text).sort((a, b) => a.instancePath.length - b.instancePath.length);
    if (anyOfs.length === 0) return errors;
    const e = anyOfs[0]!;
    const P = e.instancePath;
    const segs = splitPointer(P);
    const ptr = schemaPointerAt(base, segs);
    const anyOf = ptr ? schemaAtPointer(ptr)?.anyOf : undefined;
    const rest = errors.filter((x) => !isUnder(x.instancePath, P));
    if (!ptr || !anyOf) {
      errors = [...rest, { ...e, text: "does not match any allowed form" }];
      continue;
    }
    const value = dataAt(data, segs);
    const branches = anyOf.map((_, i) => {
      const bptr = `${ptr}/anyOf/${i}`;
      const [dptr, bs] = deref(bptr);
      const v = branchValidators[bptr];
      let errs: RawError[] = [];
      if (v && !v(value)) {
        errs = (v.errors ?? []).map((x: GeneratedError) => ({
          instancePath: P + x.instancePath,
          keyword: x.keyword,
          params: x.params,
          message: x.message ?? x.keyword,
        }));
      }
      return { i, bptr, dptr, bs, errs };
    });
    // Discriminator: a property with a `const` in every branch (the workloads' `kind`).
    const discs = Object.keys(branches[0]!.bs?.properties ?? {}).filter((k) =>
      branches.every((b) => b.bs?.properties?.[k] && "const" in (deref(`${b.dptr}/properties/${k}`)[1] ?? {})),
    );
    let chosen: (typeof branches)[number] | undefined;
    let replacement: RawError[] | undefined;
    if (discs.length && value !== null && typeof value === "object" && !Array.isArray(value)) {
      const k = discs[0];
      const allowed = branches.map((b) => deref(`${b.dptr}/properties/${k}`)[1]?.const);
      const got = (value as Record<string, unknown>)[k!];
      if (got === undefined) {
        replacement = [
          {
            instancePath: P,
            keyword: "required",
            params: { missingProperty: k },
            message: "",
            text: `missing required field "${k}" (one of: ${allowed.join(", ")})`,
          },
        ];
      } else {
        const idx = allowed.indexOf(got);
        if (idx < 0)
          replacement = [
            {
              instancePath: `${P}/${k}`,
              keyword: "enum",
              params: {},
              message: "",
              text: `must be one of: ${allowed.join(", ")} (got ${JSON.stringify(got)})`,
            },
          ];
        else chosen = branches[idx];
      }
    }
    if (!chosen && !replacement) {
      const score = (b: (typeof branches)[number]) =>
        b.errs.reduce((acc, x) => acc + (x.instancePath === P && x.keyword === "type" ? 1000 : 1), 0);
      const sorted = [...branches].sort((a, b) => score(a) - score(b) || a.i - b.i);
      const best = sorted[0];
      const tie = sorted.length > 1 && score(sorted[1]!) === score(best!);
      if (best!.errs.length === 0)
        chosen = best; // cannot happen (anyOf failed), but be safe
      else if (!tie) chosen = best;
      else
        replacement = [
          {
            instancePath: P,
            keyword: "anyOf",
            params: {},
            message: "",
            text: `must be one of the forms: ${branches.map((b) => describeForm(b.bs)).join(", ")}`,
          },
        ];
    }
    errors = [...rest, ...(replacement ?? chosen!.errs.map((x) => ({ ...x })))];
    // Nested anyOf errors of the chosen branch are relative to that branch's schema.
    if (chosen) {
      const nested = errors.filter((x) => x.keyword === "anyOf" && !x.text && isUnder(x.instancePath, P) && x.instancePath !== P);
      if (nested.length) {
        const others = errors.filter((x) => !isUnder(x.instancePath, P));
        const mine = errors.filter((x) => isUnder(x.instancePath, P));
        // Rebase: resolve the nested ones against the branch schema with the branch's data.
        const rebased = mine.map((x) => ({ ...x, instancePath: x.instancePath.slice(P.length) }));
        const resolved = resolveAnyOf(rebased, chosen.bptr, value).map((x) => ({ ...x, instancePath: P + x.instancePath }));
        errors = [...others, ...resolved];
      }
    }
  }
  return errors;
}

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev! + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

function suggest(key: string, allowed: string[]): string {
  let best = "";
  let bestD = Infinity;
  for (const a of allowed) {
    const dd = levenshtein(key.toLowerCase(), a.toLowerCase());
    if (dd < bestD) [best, bestD] = [a, dd];
  }
  if (best && bestD <= Math.max(2, Math.floor(key.length / 4))) return ` (did you mean "${best}"?)`;
  // A unit suffix left out ("interval" for "interval_us") is the commonest slip.
  const prefixed = allowed.find((a) => a.startsWith(key + "_"));
  return prefixed ? ` (did you mean "${prefixed}"?)` : "";
}

function typeName(v: unknown): string {
  if (v === null) return "an empty value";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v)}`;
  return `${typeof v} ${String(v)}`;
}

export function schemaErrorToScenarioError(e: RawError, data: unknown, loc: Locator): ScenarioError {
  const segs = splitPointer(e.instancePath);
  const value = dataAt(data, segs);
  const where = (s: readonly Seg[]) => formatPath(s) || "scenario";
  if (e.text) {
    const target = e.keyword === "required" ? "owner" : "value";
    const [a, b] = loc.range(segs, target);
    return loc.error(`${where(segs)}: ${e.text}`, formatPath(segs), a, b);
  }
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String(e.params.additionalProperty);
      const full = [...segs, key];
      const allowed = propertiesAt(SCENARIO_SCHEMA, segs, data);
      const [a, b] = loc.range(full, "key");
      return loc.error(`${where(full)}: unknown key "${key}"${suggest(key, allowed)}`, formatPath(full), a, b);
    }
    case "required": {
      const key = String(e.params.missingProperty);
      const [a, b] = loc.range(segs, "owner");
      return loc.error(`${where(segs)}: missing required field "${key}"`, formatPath([...segs, key]), a, b);
    }
    case "type": {
      const [a, b] = loc.range(segs, "value");
      const want = String(e.params.type);
      if (want === "integer" && typeof value === "number")
        return loc.error(`${where(segs)}: must be a whole number (got ${value})`, formatPath(segs), a, b);
      if (want === "integer") return loc.error(`${where(segs)}: must be a whole number (got ${typeName(value)})`, formatPath(segs), a, b);
      const article = /^[aeiou]/.test(want) ? "an" : "a";
      const shown = want === "object" ? "a mapping" : want === "array" ? "a list" : `${article} ${want}`;
      return loc.error(`${where(segs)}: must be ${shown} (got ${typeName(value)})`, formatPath(segs), a, b);
    }
    case "enum": {
      const [a, b] = loc.range(segs, "value");
      const allowed = (e.params.allowedValues as unknown[] | undefined) ?? [];
      return loc.error(`${where(segs)}: must be one of: ${allowed.join(", ")} (got ${JSON.stringify(value)})`, formatPath(segs), a, b);
    }
    case "const": {
      const [a, b] = loc.range(segs, "value");
      return loc.error(
        `${where(segs)}: must be ${JSON.stringify(e.params.allowedValue)} (got ${JSON.stringify(value)})`,
        formatPath(segs),
        a,
        b,
      );
    }
    default: {
      const [a, b] = loc.range(segs, "value");
      const got = value !== undefined && typeof value !== "object" ? ` (got ${JSON.stringify(value)})` : "";
      return loc.error(`${where(segs)}: ${e.message}${got}`, formatPath(segs), a, b);
    }
  }
}

// ---------------------------------------------------------------------------------------------

export function dedupe(errs: RawError[]): RawError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const k = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}|${e.text ?? ""}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

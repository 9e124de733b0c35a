/**
 * Generates schema/scenario.schema.json from the `Scenario` type in sim-core/scenario.ts, so the
 * TypeScript types stay the single source of truth for the scenario language. It also writes
 * scenario-loader/generated/validate.js: the same schema compiled ahead of time by ajv
 * ("standalone" code), so that the loader never calls `new Function` at run time and works under
 * a webview's strict CSP (no 'unsafe-eval').
 *
 *   npm run schema            writes both files
 *   npm run schema -- --check exits 1 if a committed file is stale
 *
 * The unit test test/loader/schema-fresh.test.ts calls generateAll() and compares.
 */
import { createGenerator } from "ts-json-schema-generator";
import { FIELD_RULES, type FieldRule } from "../sim-core/limits";
import Ajv from "ajv";
import standaloneCodeModule from "ajv/dist/standalone/index.js";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const SCHEMA_PATH = join(root, "schema", "scenario.schema.json");
export const VALIDATOR_PATH = join(root, "scenario-loader", "generated", "validate.js");

/** The schema's `$id`; the loader registers the schema under it. */
export const SCHEMA_ID = "https://pvsched-lab.invalid/schema/scenario.schema.json";

export function generateSchemaText(): string {
  const schema = createGenerator({
    path: join(root, "sim-core", "scenario.ts"),
    tsconfig: join(root, "sim-core", "tsconfig.json"),
    type: "Scenario",
    // Keep every JSDoc tag we use (description, @default, @minimum, @pattern, ...).
    jsDoc: "extended",
    // Unknown keys are errors: a misspelt key must not be silently ignored.
    additionalProperties: false,
    // Do not type-check the whole program: other layers may be mid-edit; only scenario.ts matters.
    skipTypeCheck: true,
    sortProps: true,
    topRef: true,
    expose: "export",
  }).createSchema("Scenario");
  applyFieldRules(schema as { definitions?: Record<string, SchemaNode> });
  schema.$id = SCHEMA_ID;
  schema.title = "Paravirt Scheduling Lab scenario";
  // Stable key order for the top level so that regeneration gives byte-identical output.
  const { $schema, $id, title, $ref, definitions, ...rest } = schema as Record<string, unknown>;
  const ordered = { $schema, $id, title, $ref, ...rest, definitions };
  return JSON.stringify(ordered, null, 2) + "\n";
}

type SchemaNode = { properties?: Record<string, Record<string, unknown>> } & Record<string, unknown>;

/**
 * Writes sim-core's FIELD_RULES (the one home of the scenario's ranges) into the generated schema:
 * minimum / exclusiveMinimum / maximum, and type "integer" for whole numbers. A rule for a type
 * that is not a definition of its own (ThreadAttrs, inlined into each workload) goes to every
 * definition that has all of its fields. A rule whose type or field is not in the schema is an
 * error, so a renamed field cannot leave its rule behind.
 */
function applyFieldRules(schema: { definitions?: Record<string, SchemaNode> }): void {
  const defs = schema.definitions ?? {};
  for (const [type, rules] of Object.entries(FIELD_RULES) as [string, Record<string, FieldRule>][]) {
    const fields = Object.keys(rules);
    const targets = defs[type] ? [defs[type]] : Object.values(defs).filter((d) => fields.every((f) => d.properties?.[f]));
    if (targets.length === 0) throw new Error(`sim-core/limits.ts FIELD_RULES.${type}: no such type in the schema`);
    for (const def of targets) {
      for (const [field, r] of Object.entries(rules)) {
        const prop = def.properties?.[field];
        if (!prop) throw new Error(`sim-core/limits.ts FIELD_RULES.${type}.${field}: no such field in the schema`);
        if (prop.type !== "number")
          throw new Error(`FIELD_RULES.${type}.${field}: the field is ${JSON.stringify(prop.type)}, not a number`);
        const { type: _t, minimum: _a, exclusiveMinimum: _b, maximum: _c, ...rest } = prop;
        def.properties![field] = {
          type: r.int ? "integer" : "number",
          ...(r.min !== undefined ? { minimum: r.min } : {}),
          ...(r.gt !== undefined ? { exclusiveMinimum: r.gt } : {}),
          ...(r.max !== undefined ? { maximum: r.max } : {}),
          ...rest,
        };
      }
    }
  }
}

/** JSON pointers (`#/definitions/Dist/anyOf/0`, ...) of every branch of every anyOf in the schema. */
export function anyOfBranchPointers(schema: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown, ptr: string): void => {
    if (Array.isArray(node)) {
      node.forEach((x, i) => {
        walk(x, `${ptr}/${i}`);
      });
      return;
    }
    if (node === null || typeof node !== "object") return;
    for (const [k, v] of Object.entries(node)) {
      // Skip annotation values such as `default`: they are data, not sub-schemas.
      if (k === "default" || k === "const" || k === "enum" || k === "examples") continue;
      const child = `${ptr}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      if (k === "anyOf" && Array.isArray(v))
        v.forEach((_, i) => {
          out.push(`${child}/${i}`);
        });
      walk(v, child);
    }
  };
  walk(schema, "#");
  return out;
}

/** Drops annotations that do not affect validation, to keep the generated code small. */
function stripAnnotations(node: unknown): unknown {
  if (Array.isArray(node)) return node.map((n) => stripAnnotations(n));
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "description" || k === "default" || k === "title" || k === "markdownDescription") continue;
    if (k === "const" || k === "enum") out[k] = v;
    // The keys of `properties` are the scenario's own field names (`description` is one of
    // them), not annotations: keep every one and strip inside their schemas.
    else if (k === "properties" && v !== null && typeof v === "object" && !Array.isArray(v))
      out[k] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, stripAnnotations(sub)]));
    else out[k] = stripAnnotations(v);
  }
  return out;
}

/**
 * The standalone validator module. Exports `validate` (the whole scenario) and `branchValidators`
 * (one validator per anyOf branch, keyed by JSON pointer): the loader re-validates a failed
 * anyOf against its most likely branch to give one precise message instead of one per branch.
 */
export function generateValidatorText(schemaText: string): string {
  const schema = JSON.parse(schemaText) as { $id: string };
  const stripped = stripAnnotations(schema) as { $id: string };
  // inlineRefs: false shares one function per definition instead of inlining it at every use.
  const ajv = new Ajv({ allErrors: true, strict: false, inlineRefs: false, code: { source: true, esm: true } });
  ajv.addSchema(stripped);
  const pointers = anyOfBranchPointers(schema);
  const refs: Record<string, string> = { validate: schema.$id };
  pointers.forEach((p, i) => {
    refs[`branch${i}`] = schema.$id + p;
  });
  const standaloneCode = ((standaloneCodeModule as unknown as { default?: unknown }).default ?? standaloneCodeModule) as (
    a: Ajv,
    r: Record<string, string>,
  ) => string;
  const code = standaloneCode(ajv, refs);
  const table = pointers.map((p, i) => `  ${JSON.stringify(p)}: branch${i},`).join("\n");
  return (
    "// GENERATED by scripts/gen-schema.ts from schema/scenario.schema.json (ajv standalone). Do not edit.\n" +
    "// @ts-nocheck\n" +
    code +
    `\nexport const branchValidators = {\n${table}\n};\n`
  );
}

export function generateAll(): { path: string; text: string }[] {
  const schemaText = generateSchemaText();
  return [
    { path: SCHEMA_PATH, text: schemaText },
    { path: VALIDATOR_PATH, text: generateValidatorText(schemaText) },
  ];
}

function main(): void {
  const files = generateAll();
  if (process.argv.includes("--check")) {
    let stale = false;
    for (const f of files) {
      let old = "";
      try {
        old = readFileSync(f.path, "utf8");
      } catch {
        /* missing counts as stale */
      }
      if (old !== f.text) {
        console.error(`${f.path} is stale: run npm run schema`);
        stale = true;
      }
    }
    if (stale) process.exit(1);
    console.log("schema and validator are up to date");
    return;
  }
  for (const f of files) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.text);
    console.log(`wrote ${f.path}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { generateAll, SCHEMA_PATH } from "../../scripts/gen-schema";

test("committed schema and precompiled validator match sim-core/scenario.ts (run `npm run schema` if not)", () => {
  for (const f of generateAll()) {
    const committed = readFileSync(f.path, "utf8");
    assert.ok(committed === f.text, `${relative(process.cwd(), f.path)} is stale: run npm run schema`);
  }
});

test("the schema refuses unknown keys everywhere and keeps descriptions and defaults", () => {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, "utf8"));
  for (const [name, def] of Object.entries<Record<string, unknown>>(schema.definitions)) {
    if (def.type === "object") assert.equal(def.additionalProperties, false, `${name} allows unknown keys`);
  }
  const hz = schema.definitions.SchedConfig.properties.hz;
  assert.equal(hz.default, 250);
  assert.match(hz.description, /CONFIG_HZ/);
});

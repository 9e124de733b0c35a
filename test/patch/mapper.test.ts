import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { parsePatchText } from "../../patch/parse";
import {
  mapPatch,
  compileHunkMap,
  parseHunkMapText,
  validateHunkMap,
  KNOWN_MECHANISMS,
  DEFAULT_HUNK_MAP,
  type HunkMapFile,
} from "../../patch/mapper";
import { MECHANISM_IDS } from "../../sim-core/pvsched/registry";
import schema from "../../patch/hunk-map.schema.json";

const root = join(__dirname, "..", "..");
const seriesDir = join(root, "examples/pvsched-series");
const patchFiles = readdirSync(seriesDir)
  .filter((f) => f.endsWith(".patch"))
  .sort();
const read = (f: string) => readFileSync(join(seriesDir, f), "utf8");
/** Written by hand beside the example series (one entry per hunk, in order), not by the mapper. */
const expected: { patch: number; file: string; mechanism: string }[] = JSON.parse(
  readFileSync(join(__dirname, "example-expected.json"), "utf8"),
);

test("the mapper's mechanism list is sim-core's", () => {
  assert.deepEqual([...KNOWN_MECHANISMS].sort(), [...MECHANISM_IDS].sort());
  const enumIds = (schema as any).definitions.rule.properties.mechanism.enum as string[];
  assert.deepEqual([...enumIds].sort(), [...MECHANISM_IDS].sort());
});

test("every hunk of the example series maps to the mechanism it illustrates", () => {
  const all = patchFiles.flatMap((f) => mapPatch(parsePatchText(read(f))));
  assert.equal(all.length, expected.length);
  all.forEach((h, i) => {
    assert.equal(h.file, expected[i].file);
    assert.equal(h.patchIndex, expected[i].patch);
    assert.equal(h.mechanism, expected[i].mechanism, `${h.file}:${h.line + 1} ${h.reason}`);
    assert.ok(h.reason.length > 0);
  });
  // The series illustrates all nine mechanisms.
  assert.deepEqual([...new Set(all.map((h) => h.mechanism))].sort(), [...MECHANISM_IDS].sort());
});

test("the mbox maps the same as the separate files", () => {
  const m = mapPatch(parsePatchText(readFileSync(join(root, "examples/pvsched-series.mbox"), "utf8")));
  assert.deepEqual(
    m.map((h) => h.mechanism),
    expected.map((e) => e.mechanism),
  );
});

test("without subjects or patch numbers, identifiers and function context still map the series", () => {
  // A respin with new titles and numbering: only the code is left as evidence.
  const text = readFileSync(join(root, "examples/pvsched-series.mbox"), "utf8").replace(
    /^Subject: .*$/gm,
    "Subject: [PATCH] something else",
  );
  const m = mapPatch(parsePatchText(text));
  const wrong = m.filter((h, i) => h.mechanism !== expected[i].mechanism);
  // A hunk whose code alone is ambiguous may differ (kvm_vcpu_kick_boost's definition calls patch
  // 3's kvm_vcpu_boost and is taken for patch 3), but only that few.
  assert.ok(wrong.length <= 1, wrong.map((h) => `${h.file}:${h.line + 1} -> ${h.mechanism} (${h.reason})`).join("\n"));
  assert.ok(m.every((h) => h.mechanism !== null));
});

test("the default map and the schema agree (ajv), and validateHunkMap agrees with ajv on bad maps", () => {
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(schema);
  assert.ok(validate(DEFAULT_HUNK_MAP), JSON.stringify(validate.errors));
  assert.deepEqual(validateHunkMap(DEFAULT_HUNK_MAP), []);
  const bad: unknown[] = [
    [],
    { rules: {} },
    { rules: [{ mechanism: "nope", files: ["*"] }] },
    { rules: [{ mechanism: "switches" }] },
    { rules: [{ mechanism: "switches", files: [] }] },
    { rules: [{ mechanism: "switches", files: ["*"], identifiers: ["not an ident"] }] },
    { rules: [{ mechanism: "switches", files: ["*"], colour: "red" }] },
    { extends: "all", rules: [] },
    { rules: [{ mechanism: "switches", files: ["*"], patch: -1 }] },
  ];
  for (const b of bad) {
    assert.equal(validate(b), false, JSON.stringify(b));
    assert.ok(validateHunkMap(b).length > 0, JSON.stringify(b));
  }
  // Regexes are checked too (the schema cannot).
  assert.ok(validateHunkMap({ rules: [{ mechanism: "switches", files: ["*"], subjects: ["("] }] }).length > 0);
  assert.match(parseHunkMapText("{ not json").errors[0].message, /not valid JSON/);
  assert.equal(parseHunkMapText(JSON.stringify({ rules: [] })).map?.rules.length, 0);
});

test("override rules are tried first, even against a better-scoring default", () => {
  const text = read(patchFiles.find((f) => f.startsWith("0001-"))!);
  const override: HunkMapFile = { rules: [{ mechanism: "switches", files: ["arch/x86/kvm/x86.c"] }] };
  const m = mapPatch(parsePatchText(text), override);
  for (const h of m) {
    if (h.file === "arch/x86/kvm/x86.c") {
      assert.equal(h.mechanism, "switches");
      assert.deepEqual(h.rule, { source: "override", index: 0 });
    } else {
      assert.equal(h.mechanism, "shared_memory", "other files fall through to the defaults");
      assert.equal(h.rule?.source, "default");
    }
  }
  // extends: none drops the defaults: hunks no override rule matches are unmapped.
  const only = mapPatch(parsePatchText(text), { ...override, extends: "none" });
  assert.ok(only.some((h) => h.mechanism === null));
  assert.ok(only.filter((h) => h.mechanism !== null).every((h) => h.file === "arch/x86/kvm/x86.c"));
});

test("scoring: identifiers beat function context beat subject beat patch number; ties go to the earlier rule", () => {
  const diff = [
    "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001",
    "Subject: [PATCH 2/3] demo subject",
    "",
    "--- a/kernel/x.c",
    "+++ b/kernel/x.c",
    "@@ -10,1 +10,2 @@ static void some_function(void)",
    " ctx",
    "+\tnew_ident();",
    "",
  ].join("\n");
  const parsed = parsePatchText(diff);
  const rule = (mechanism: string, extra: object) => ({ mechanism, files: ["kernel/*.c"], ...extra });
  const rules = [
    rule("switches", { patch: 2 }),
    rule("lazy_boost", { subjects: ["demo"] }),
    rule("sync_unboost", { functions: ["some_function"] }),
    rule("shared_memory", { identifiers: ["new_ident"] }),
  ];
  const best = (rs: object[]) => mapPatch(parsed, { extends: "none", rules: rs as any })[0];
  assert.equal(best(rules).mechanism, "shared_memory");
  assert.equal(best(rules.slice(0, 3)).mechanism, "sync_unboost");
  assert.equal(best(rules.slice(0, 2)).mechanism, "lazy_boost");
  assert.equal(best(rules.slice(0, 1)).mechanism, "switches");
  assert.match(best(rules).reason, /adds new_ident/);
  // A rule whose criteria all miss does not match, even though its file does.
  assert.equal(best([rule("switches", { identifiers: ["absent"] })]).mechanism, null);
  // A files-only rule matches on the file; ties keep the first rule.
  assert.equal(best([rule("switches", {}), rule("lazy_boost", {})]).mechanism, "switches");
  // Regex function patterns and identifier prefixes.
  assert.equal(best([rule("switches", { functions: ["/^static void some_/"] })]).mechanism, "switches");
  assert.equal(best([rule("switches", { identifiers: ["new_*"] })]).mechanism, "switches");
  // Function names match whole words only.
  assert.equal(best([rule("switches", { functions: ["some_func"] })]).mechanism, null);
});

test("unmapped hunks: no rule for the file, with a reason", () => {
  const diff = [
    "--- a/Documentation/virt/kvm/api.rst",
    "+++ b/Documentation/virt/kvm/api.rst",
    "@@ -1 +1,2 @@",
    " x",
    "+Some documentation text.",
    "",
  ].join("\n");
  const [h] = mapPatch(parsePatchText(diff));
  assert.equal(h.mechanism, null);
  assert.equal(h.rule, null);
  assert.match(h.reason, /no rule matches file Documentation\/virt\/kvm\/api.rst/);
});

test("compiled maps are reusable and invalid overrides are refused", () => {
  const compiled = compileHunkMap(null);
  const text = read(patchFiles[1]);
  assert.deepEqual(mapPatch(parsePatchText(text), compiled), mapPatch(parsePatchText(text), compiled));
  assert.throws(() => compileHunkMap({ rules: [{ mechanism: "bogus", files: ["*"] }] }), /invalid hunk map/);
});

test("the example series uses the real series' titles", { skip: !existsSync(join(root, "../shared/reference/seed-results.json")) }, () => {
  const ref = JSON.parse(readFileSync(join(root, "../shared/reference/seed-results.json"), "utf8"));
  const titles = patchFiles.filter((f) => !f.startsWith("0000")).map((f) => parsePatchText(read(f)).patches[0].subject);
  assert.deepEqual(
    titles,
    ref.patches.map((p: { title: string }) => p.title),
  );
});

test("the example override file is valid and keeps the series mapped", () => {
  const text = readFileSync(join(seriesDir, "hunk-map.example.json"), "utf8");
  const { map, errors } = parseHunkMapText(text);
  assert.deepEqual(errors, []);
  assert.ok(new Ajv().compile(schema)(JSON.parse(text)));
  const m = mapPatch(parsePatchText(readFileSync(join(root, "examples/pvsched-series.mbox"), "utf8")), map);
  assert.deepEqual(
    m.map((h) => h.mechanism),
    expected.map((e) => e.mechanism),
  );
});

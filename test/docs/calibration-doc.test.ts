/**
 * docs/calibration.md is written from the code and a measured seed report (npm run docs:seed),
 * never by hand: its parameter table must be sim-core's CALIBRATION as it is now, and its
 * assumption table the seed scenarios' ASSUMPTION comments as they are now.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { calibrationTable, readBlock, replaceBlock, seedAssumptions } from "../../scripts/docs-blocks";
import { CALIBRATION } from "../../sim-core/index";

const root = join(__dirname, "../..");
const page = readFileSync(join(root, "docs/calibration.md"), "utf8");
/** Biome pads Markdown tables; compare the cells, not the padding. */
const cells = (t: string | undefined) =>
  (t ?? "")
    .split("\n")
    .map((l) => l.replace(/ +/g, " ").replace(/-{3,}/g, "---").trim())
    .join("\n");

test("docs/calibration.md lists every CALIBRATION parameter with its value and source (run npm run docs:seed)", () => {
  assert.equal(cells(readBlock(page, "calibration")), cells(calibrationTable(CALIBRATION)));
  for (const c of CALIBRATION) assert.ok(page.includes(c.source.replace(/\|/g, "\\|")), c.param);
});

test("docs/calibration.md lists the seed scenarios' assumptions as the files state them (run npm run docs:seed)", () => {
  const dir = join(root, "scenarios/seed");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".pvsched.yaml"))
    .sort()
    .map((f) => ({ file: `scenarios/seed/${f}`, text: readFileSync(join(dir, f), "utf8") }));
  assert.equal(cells(readBlock(page, "assumptions")), cells(seedAssumptions(files)));
});

test("docs/calibration.md carries a measured block with the medians and every claim's k of N", () => {
  const m = readBlock(page, "measured") ?? "";
  assert.match(m, /median \\\|log10\\\| error of the means over \d+ of \d+ cells: \*\*\d\.\d{3}\*\*/);
  assert.match(m, /in sample .*: \d\.\d{3}/);
  assert.match(m, /out of sample .*: \d\.\d{3}/);
  assert.ok((m.match(/ in \d+ of \d+: /g) ?? []).length >= 6, m);
});

test("a generated block is replaced between its markers; missing markers are an error", () => {
  const t = "a\n<!-- BEGIN generated: x -->\nold\n<!-- END generated: x -->\nb\n";
  assert.equal(replaceBlock(t, "x", "new"), "a\n<!-- BEGIN generated: x -->\nnew\n<!-- END generated: x -->\nb\n");
  assert.equal(readBlock(replaceBlock(t, "x", "new"), "x"), "new");
  assert.throws(() => replaceBlock(t, "y", "z"), /no generated block "y"/);
});

test("an assumption said in several files is listed once, with its first place and the count of the others", () => {
  const text = "a: 1 # ASSUMPTION: one.\nb: 2\n";
  const out = seedAssumptions([
    { file: "f1", text },
    { file: "f2", text },
    { file: "f3", text },
  ]);
  assert.equal(out.split("\n").length, 3);
  assert.match(out, /\| a: 1 ASSUMPTION: one\. \| f1:1 and 2 more \|/);
});

/**
 * The .vsix ships what its bundles refer to (issue 14: the bundles named `.map` files that
 * .vscodeignore leaves out). The shipped file list is vsce's own (`vsce ls`), and every
 * `sourceMappingURL` and every "see <file>" licence pointer in a shipped bundle must name a
 * shipped file.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";

const root = join(__dirname, "..", "..");
/** The bundles the .vsix ships (scripts/build.mjs entry names). */
const SHIPPED_ENTRIES = ["extension", "sim-worker", "extension-web", "sim-worker-web", "webview", "webview-monaco", "webview-workers"];

before(() => {
  const r = spawnSync(process.execPath, [join(root, "scripts", "build.mjs"), ...SHIPPED_ENTRIES], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});

/** Files vsce would put in the .vsix, relative to the root with "/" separators. */
function shippedFiles(): Set<string> {
  const r = spawnSync(process.execPath, [join(root, "node_modules", "@vscode", "vsce", "vsce"), "ls", "--no-dependencies"], {
    cwd: root,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  return new Set(
    r.stdout
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

/** Files a bundle's text points at: its source map and its licence file, relative to the bundle. */
function referencedFiles(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/[#@] sourceMappingURL=([^\s*'"]+)/g)) if (!m[1]!.startsWith("data:")) out.push(m[1]!);
  for (const m of text.matchAll(/For license information please see (\S+?)\s*\*\//g)) out.push(m[1]!);
  return out;
}

test("referencedFiles finds a bundle's map and licence pointers", () => {
  assert.deepEqual(referencedFiles("x\n/*! For license information please see a.js.LEGAL.txt */\n//# sourceMappingURL=a.js.map\n"), [
    "a.js.map",
    "a.js.LEGAL.txt",
  ]);
  assert.deepEqual(referencedFiles("//# sourceMappingURL=data:application/json;base64,e30="), []);
});

test("every file a shipped bundle points at is shipped too", () => {
  const shipped = shippedFiles();
  const bundles = [...shipped].filter((f) => /\.(c?js|css)$/.test(f));
  assert.ok(bundles.includes("dist/extension.js") && bundles.includes("dist/web/extension.js"), [...shipped].join(", "));
  assert.ok(![...shipped].some((f) => f.endsWith(".map")), "no source map is shipped");
  const missing: string[] = [];
  for (const b of bundles) {
    const text = readFileSync(join(root, b), "utf8");
    for (const ref of referencedFiles(text)) {
      const target = posix.normalize(posix.join(dirname(b), ref));
      if (!shipped.has(target)) missing.push(`${b} -> ${target}`);
    }
  }
  assert.deepEqual(missing, []);
});

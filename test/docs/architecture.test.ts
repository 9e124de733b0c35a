/** docs/architecture.md can be checked against the tree: every path it names exists. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "..", "..");

test("every file and folder docs/architecture.md names exists", () => {
  const text = readFileSync(join(root, "docs", "architecture.md"), "utf8");
  const tracked = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" }).split("\n");
  const paths = new Set<string>();
  for (const m of text.matchAll(/`([^`\s]+)`/g)) {
    const p = m[1]!.replace(/[,.:;)]+$/, "");
    // A path of the tree: a slash or a source extension; not a glob, a URL, a dotfile of a user's
    // workspace (.vscode/...) or a bare extension.
    if (!/^[\w-][\w.-]*(\/[\w.-]*)*$/.test(p)) continue;
    if (p.includes("/") || /\.(ts|mjs|cjs|json|md)$/.test(p)) paths.add(p);
  }
  assert.ok(paths.size > 40, `found ${paths.size} paths`);
  // A name without its folder (`bounds.ts` after `scenario-loader/index.ts`) must be a file of the
  // tree under some folder; a module path may leave out `.ts`.
  const exists = (p: string) => existsSync(join(root, p)) || existsSync(join(root, `${p}.ts`)) || tracked.some((f) => f.endsWith(`/${p}`));
  assert.deepEqual(
    [...paths].filter((p) => !exists(p)),
    [],
  );
});

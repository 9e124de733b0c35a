// Runs every unit test (test/**/*.test.ts) with Node's test runner through tsx:
//   node --import tsx --test <files>
//
// Skipped: test/fuzz/ (run by `npm run fuzz`) and files named *.slow.test.ts (run them by hand,
// or set PVSCHED_SLOW_TESTS=1). Extra arguments are passed to node (e.g. --test-name-pattern=x);
// arguments that are paths ending in .test.ts replace the file list.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const includeSlow = process.env.PVSCHED_SLOW_TESTS === "1";

function find(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === "node_modules" || e.name === "fixtures") continue;
      if (relative(root, p) === join("test", "fuzz")) continue;
      out.push(...find(p));
    } else if (e.name.endsWith(".test.ts") && (includeSlow || !e.name.endsWith(".slow.test.ts"))) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const explicit = args.filter((a) => a.endsWith(".test.ts"));
const passThrough = args.filter((a) => !a.endsWith(".test.ts"));
const files = (explicit.length ? explicit.map((f) => resolve(f)) : find(join(root, "test"))).sort().map((f) => relative(root, f));
if (files.length === 0) {
  console.error("no test files found under test/");
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", ...passThrough, ...files], { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);

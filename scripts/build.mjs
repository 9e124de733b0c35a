// Bundles the project with esbuild.
//
//   node scripts/build.mjs            build every entry
//   node scripts/build.mjs cli        build only the entries whose name is given
//   node scripts/build.mjs --watch    rebuild on change (`npm run watch`)
//
// Entries marked `cache: true` (the webview bundles, Monaco included: most of the build time) are
// skipped when nothing they were built from changed: the last build's esbuild metafile lists the
// inputs, and a content hash of those inputs (source files by content, npm packages by name and
// version) and of the options is kept in dist/.build-cache/. `npm ci` (prepare) builds only the
// CLI, which is all the unit tests and `npx pvsched-sim` need; `npm start`, `npm run test:e2e` and
// `npm run package` build the rest on demand.
//
// To add a bundle (the extension host, the webview, ...), append one object to ENTRIES below.
// Each entry is plain esbuild options plus a `name`; shared defaults come from `base`.
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { webviewBuilds } from "../webview/esbuild.config.mjs";
import { extensionEntries } from "../extension/build-config.mjs";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The built-in seed scenarios, read at build time and compiled into the CLI as a constant, so
 * `pvsched-sim seed-report` works from any directory. Keys are file names.
 */
export function seedScenarioTexts(dir = join(ROOT, "scenarios", "seed")) {
  const out = {};
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) if (/\.pvsched\.ya?ml$/.test(f)) out[f] = readFileSync(join(dir, f), "utf8");
  return out;
}

/** Options every bundle shares. @type {import("esbuild").BuildOptions} */
const base = {
  bundle: true,
  sourcemap: true,
  logLevel: "warning",
  legalComments: "none",
  target: "node20",
};

/** Options for Node (CommonJS) bundles: the CLI and its worker. @type {import("esbuild").BuildOptions} */
const nodeCjs = {
  ...base,
  platform: "node",
  format: "cjs",
  define: { __PVSCHED_SEED_SCENARIOS__: JSON.stringify(seedScenarioTexts()) },
};

/** @type {(import("esbuild").BuildOptions & { name: string, cache?: boolean })[]} */
export const ENTRIES = [
  { name: "cli", ...nodeCjs, entryPoints: [join(ROOT, "cli/main.ts")], outfile: join(ROOT, "dist/cli.cjs") },
  { name: "cli-worker", ...nodeCjs, entryPoints: [join(ROOT, "runner/node-worker.ts")], outfile: join(ROOT, "dist/cli-worker.cjs") },
  // The results webview: webview, webview-monaco, webview-workers (browser iife, minified; see webview/README.md).
  ...webviewBuilds().map((e) => ({ ...e, cache: true })),
  // The extension: Node and web entries, their simulation workers, the extension-host tests
  // (extension, sim-worker, extension-web, sim-worker-web, extension-tests; see extension/build-config.mjs).
  ...extensionEntries(ROOT),
];

const CACHE_DIR = join(ROOT, "dist", ".build-cache");

/** npm package of a node_modules path, as name@version (its content is fixed by the lock file). */
function packageStamp(file) {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file);
  const dir = m?.[1];
  if (!dir) return undefined;
  try {
    return `${dir}@${JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version}`;
  } catch {
    return `${dir}@?`;
  }
}

/** Content hash of a build: its options, esbuild's version and every input it read. */
function inputsHash(opts, inputs) {
  const h = createHash("sha256");
  h.update(esbuild.version);
  h.update(JSON.stringify(opts, (_k, v) => (typeof v === "function" ? String(v) : v)));
  const packages = new Set();
  for (const rel of [...inputs].sort()) {
    const file = resolve(opts.absWorkingDir ?? ROOT, rel);
    const pkg = packageStamp(file);
    if (pkg) packages.add(pkg);
    else h.update(`${rel}\0${existsSync(file) ? readFileSync(file).toString("base64") : "missing"}\0`);
  }
  for (const p of [...packages].sort()) h.update(relative(ROOT, p));
  return h.digest("hex");
}

/** Builds `opts` unless the last build of `name` had the same inputs hash and its outputs exist. */
async function buildCached(name, opts) {
  const stamp = join(CACHE_DIR, `${name}.json`);
  let prev;
  try {
    prev = JSON.parse(readFileSync(stamp, "utf8"));
  } catch {
    prev = undefined;
  }
  const wd = opts.absWorkingDir ?? ROOT;
  if (prev?.outputs.every((o) => existsSync(resolve(wd, o))) && inputsHash(opts, prev.inputs) === prev.hash) return false;
  const result = await esbuild.build({ ...opts, metafile: true });
  const inputs = Object.keys(result.metafile?.inputs ?? {});
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(stamp, JSON.stringify({ hash: inputsHash(opts, inputs), inputs, outputs: Object.keys(result.metafile?.outputs ?? {}) }));
  return true;
}

/** @param {{ only?: string[], watch?: boolean }} [o] */
export async function build({ only = [], watch = false } = {}) {
  const selected = only.length ? ENTRIES.filter((e) => only.includes(e.name)) : ENTRIES;
  const unknown = only.filter((n) => !ENTRIES.some((e) => e.name === n));
  if (unknown.length) throw new Error(`unknown build entry: ${unknown.join(", ")} (known: ${ENTRIES.map((e) => e.name).join(", ")})`);
  const cached = [];
  await Promise.all(
    selected.map(async ({ name, cache, ...opts }) => {
      if (watch) {
        const ctx = await esbuild.context(opts);
        await ctx.watch();
        console.log(`watching ${name}`);
      } else if (cache) {
        if (!(await buildCached(name, opts))) cached.push(name);
      } else {
        await esbuild.build(opts);
      }
    }),
  );
  return selected.map((e) => (cached.includes(e.name) ? `${e.name} (unchanged)` : e.name));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  build({ only: args.filter((a) => !a.startsWith("--")), watch: args.includes("--watch") }).then(
    (names) => {
      if (!args.includes("--watch")) console.log(`built ${names.join(", ")}`);
    },
    (e) => {
      console.error(e.message ?? e);
      process.exit(1);
    },
  );
}

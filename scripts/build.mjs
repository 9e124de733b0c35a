// Bundles the project with esbuild.
//
//   node scripts/build.mjs            build every entry
//   node scripts/build.mjs cli        build only the entries whose name is given
//   node scripts/build.mjs --watch    rebuild on change
//
// To add a bundle (the extension host, the webview, ...), append one object to ENTRIES below.
// Each entry is plain esbuild options plus a `name`; shared defaults come from `base`.
import * as esbuild from "esbuild";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
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

/** @type {(import("esbuild").BuildOptions & { name: string })[]} */
export const ENTRIES = [
  { name: "cli", ...nodeCjs, entryPoints: [join(ROOT, "cli/main.ts")], outfile: join(ROOT, "dist/cli.cjs") },
  { name: "cli-worker", ...nodeCjs, entryPoints: [join(ROOT, "cli/worker.ts")], outfile: join(ROOT, "dist/cli-worker.cjs") },
  // The results webview: webview, webview-monaco, webview-workers (browser iife, minified; see webview/README.md).
  ...webviewBuilds(),
  // The extension: Node and web entries, their simulation workers, the extension-host tests
  // (extension, sim-worker, extension-web, sim-worker-web, extension-tests; see extension/build-config.mjs).
  ...extensionEntries(ROOT),
  // Other bundles (extension host, webview) go here, e.g.
  // { name: "extension", ...nodeCjs, entryPoints: [join(ROOT, "extension/main.ts")], outfile: join(ROOT, "dist/extension.cjs"), external: ["vscode"] },
];

/** @param {{ only?: string[], watch?: boolean }} [o] */
export async function build({ only = [], watch = false } = {}) {
  const selected = only.length ? ENTRIES.filter((e) => only.includes(e.name)) : ENTRIES;
  const unknown = only.filter((n) => !ENTRIES.some((e) => e.name === n));
  if (unknown.length) throw new Error(`unknown build entry: ${unknown.join(", ")} (known: ${ENTRIES.map((e) => e.name).join(", ")})`);
  await Promise.all(
    selected.map(async ({ name, ...opts }) => {
      if (watch) {
        const ctx = await esbuild.context(opts);
        await ctx.watch();
        console.log(`watching ${name}`);
      } else {
        await esbuild.build(opts);
      }
    }),
  );
  return selected.map((e) => e.name);
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

// esbuild entries for the extension's bundles; scripts/build.mjs spreads them into its ENTRIES.
// Everything the extension runs is bundled: node_modules are not shipped in the .vsix.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The built-in seed scenarios (scenarios/seed/*.pvsched.yaml), compiled in as file name -> text. */
function seedTexts(root) {
  const dir = join(root, "scenarios", "seed");
  const out = {};
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) if (/\.pvsched\.ya?ml$/.test(f)) out[f] = readFileSync(join(dir, f), "utf8");
  return out;
}

/** @param {string} root repository root */
export function extensionEntries(root) {
  const r = (p) => join(root, p);
  const common = {
    bundle: true,
    sourcemap: true,
    target: "es2022",
    logLevel: "warning",
    // Shipped bundles are minified (the .vsix stays small; source maps stay out of it) and keep the
    // licence comments of the libraries they contain in a <bundle>.LEGAL.txt beside them.
    minify: true,
    keepNames: true,
    legalComments: "linked",
    define: { __PVSCHED_SEED_SCENARIOS__: JSON.stringify(seedTexts(root)) },
  };
  const web = { ...common, platform: "browser", define: { ...common.define, global: "globalThis" } };
  return [
    // Desktop VS Code, code-server, remote hosts: the Node extension host and its worker_threads worker.
    { name: "extension", ...common, platform: "node", format: "cjs", external: ["vscode"], entryPoints: [r("extension/extension.ts")], outfile: r("dist/extension.js") },
    { name: "sim-worker", ...common, platform: "node", format: "cjs", entryPoints: [r("extension/sim/node-worker.ts")], outfile: r("dist/sim-worker.cjs") },
    // VS Code for the Web: the web-worker extension host and the nested simulation Web Worker.
    { name: "extension-web", ...web, format: "cjs", external: ["vscode"], entryPoints: [r("extension/web.ts")], outfile: r("dist/web/extension.js") },
    { name: "sim-worker-web", ...web, format: "iife", entryPoints: [r("extension/sim/web-worker.ts")], outfile: r("dist/web/sim-worker.js") },
    // Extension-host tests, run inside a real workbench (mocha is resolved from node_modules then).
    { name: "extension-tests", ...common, minify: false, legalComments: "none", platform: "node", format: "cjs", external: ["vscode", "mocha"], entryPoints: [r("extension/test/suite.ts")], outfile: r("dist/test/suite.cjs") },
  ];
}

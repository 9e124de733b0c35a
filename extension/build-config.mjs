// esbuild entries for the extension's bundles; scripts/build.mjs spreads them into its ENTRIES.
// Everything the extension runs is bundled: node_modules are not shipped in the .vsix.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * esbuild plugin: after a build, writes `<outfile>.THIRD-PARTY.txt` with the name, version, licence
 * and licence text of every npm package bundled into it (the .vsix ships bundles, not node_modules,
 * so the notices travel with the bundle).
 */
function thirdPartyNotices(root) {
  return {
    name: "third-party-notices",
    setup(build) {
      build.initialOptions.metafile = true;
      build.onEnd((result) => {
        if (!result.metafile || result.errors.length) return;
        const pkgs = new Map();
        for (const input of Object.keys(result.metafile.inputs)) {
          const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
          if (!m) continue;
          const name = m[1] ?? "";
          const dir = join(root, input.slice(0, input.indexOf(name) + name.length));
          if (pkgs.has(dir)) continue;
          const pj = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
          const licFile = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\..*)?$/i.test(f));
          pkgs.set(dir, {
            name: pj.name,
            version: pj.version,
            license: pj.license ?? "see text",
            text: licFile ? readFileSync(join(dir, licFile), "utf8").trim() : "(no licence file in the package)",
          });
        }
        const list = [...pkgs.values()].sort((a, b) => a.name.localeCompare(b.name));
        if (!list.length) return;
        const body = list.map((p) => `${p.name} ${p.version} (${p.license})\n\n${p.text}\n`).join("\n" + "-".repeat(72) + "\n\n");
        const out = build.initialOptions.outfile;
        writeFileSync(
          `${out}.THIRD-PARTY.txt`,
          `Third-party packages bundled into ${out.slice(root.length + 1)}:\n${list.map((p) => `  ${p.name} ${p.version} (${p.license})`).join("\n")}\n\n${"=".repeat(72)}\n\n${body}`,
        );
      });
    },
  };
}

/** The built-in seed scenarios (scenarios/seed/*.pvsched.yaml), compiled in as file name -> text. */
function seedTexts(root) {
  const dir = join(root, "scenarios", "seed");
  const out = {};
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) if (/\.pvsched\.ya?ml$/.test(f)) out[f] = readFileSync(join(dir, f), "utf8");
  return out;
}

/**
 * The built-in scenarios the hunk lenses may run besides the seeds (extension/exercise.ts):
 * scenarios/objections and scenarios/lens, compiled in as repository path -> text.
 */
function lensTexts(root) {
  const out = {};
  for (const sub of ["objections", "lens"]) {
    const dir = join(root, "scenarios", sub);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort())
      if (/\.pvsched\.ya?ml$/.test(f)) out[`scenarios/${sub}/${f}`] = readFileSync(join(dir, f), "utf8");
  }
  return out;
}

/**
 * @param {string} root repository root
 * @returns {(import("esbuild").BuildOptions & { name: string })[]}
 */
export function extensionEntries(root) {
  const r = (p) => join(root, p);
  /** @type {import("esbuild").BuildOptions} */
  const common = {
    bundle: true,
    // "external": the .map is written for debugging but the bundle does not name it, because the
    // .vsix does not ship maps (.vscodeignore) and a bundle must not point at a missing file.
    sourcemap: "external",
    target: "es2022",
    logLevel: "warning",
    // Shipped bundles are minified (the .vsix stays small; source maps stay out of it) and keep the
    // licence comments of the libraries they contain in a <bundle>.LEGAL.txt beside them.
    minify: true,
    keepNames: true,
    legalComments: "linked",
    define: {
      __PVSCHED_SEED_SCENARIOS__: JSON.stringify(seedTexts(root)),
      __PVSCHED_LENS_SCENARIOS__: JSON.stringify(lensTexts(root)),
    },
  };
  /** @type {import("esbuild").BuildOptions} */
  const web = { ...common, platform: "browser", define: { ...common.define, global: "globalThis" } };
  return [
    // Desktop VS Code, code-server, remote hosts: the Node extension host and its worker_threads worker.
    {
      name: "extension",
      ...common,
      plugins: [thirdPartyNotices(root)],
      platform: "node",
      format: "cjs",
      external: ["vscode"],
      entryPoints: [r("extension/extension.ts")],
      outfile: r("dist/extension.js"),
    },
    {
      name: "sim-worker",
      ...common,
      // The worker also parses patches for the lenses (runner/patch-job.ts): re2js and picomatch.
      plugins: [thirdPartyNotices(root)],
      platform: "node",
      format: "cjs",
      entryPoints: [r("runner/node-worker.ts")],
      outfile: r("dist/sim-worker.cjs"),
    },
    // VS Code for the Web: the web-worker extension host and the nested simulation Web Worker.
    {
      name: "extension-web",
      ...web,
      plugins: [thirdPartyNotices(root)],
      format: "cjs",
      external: ["vscode"],
      entryPoints: [r("extension/web.ts")],
      outfile: r("dist/web/extension.js"),
    },
    {
      name: "sim-worker-web",
      ...web,
      plugins: [thirdPartyNotices(root)],
      format: "iife",
      entryPoints: [r("runner/web-worker.ts")],
      outfile: r("dist/web/sim-worker.js"),
    },
    // Extension-host tests, run inside a real workbench (mocha is resolved from node_modules then).
    {
      name: "extension-tests",
      ...common,
      minify: false,
      // Never shipped: the map is linked, so test failures show source lines.
      sourcemap: true,
      legalComments: "none",
      platform: "node",
      format: "cjs",
      external: ["vscode", "mocha"],
      entryPoints: [r("extension/test/suite.ts")],
      outfile: r("dist/test/suite.cjs"),
    },
  ];
}

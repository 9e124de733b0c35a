// The webview's bundles, built by scripts/build.mjs (which imports `webviewBuilds`).
// Outputs in dist/webview/: main.js + main.css (the results UI), monaco.js + monaco.css + the
// codicon font (the editor, loaded when the Scenario tab opens), editor.worker.js and
// yaml.worker.js (started from blob: URLs). All browser iife, minified.
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** @returns {import("esbuild").BuildOptions[]} */
export function webviewBuilds({ minify = true, sourcemap = false } = {}) {
  const common = {
    bundle: true,
    platform: "browser",
    format: "iife",
    target: ["chrome114"],
    minify,
    sourcemap,
    logLevel: "warning",
    legalComments: "linked",
    outdir: resolve(root, "dist/webview"),
    absWorkingDir: root,
  };
  return [
    { ...common, entryPoints: { main: resolve(root, "webview/main.ts") } },
    {
      ...common,
      entryPoints: { monaco: resolve(root, "webview/monaco/entry.ts") },
      loader: { ".ttf": "file" },
      assetNames: "[name]",
    },
    {
      ...common,
      entryPoints: {
        "editor.worker": resolve(root, "webview/monaco/editor.worker.ts"),
        "yaml.worker": resolve(root, "webview/monaco/yaml.worker.ts"),
      },
    },
  ];
}

/** Build all webview bundles with the given esbuild module. */
export async function buildWebview(esbuild, opts) {
  await Promise.all(webviewBuilds(opts).map((o) => esbuild.build(o)));
}

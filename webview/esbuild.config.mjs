// The webview's bundles, built by scripts/build.mjs (its ENTRIES spread `webviewBuilds()`; each
// entry is esbuild options plus a `name`: webview, webview-monaco, webview-workers).
// Outputs in dist/webview/: main.js + main.css (the results UI), monaco.js + monaco.css + the
// codicon font (the editor, loaded when the Scenario tab opens), editor.worker.js and
// yaml.worker.js (started from blob: URLs). All browser iife, minified.
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** @returns {(import("esbuild").BuildOptions & { name: string })[]} */
export function webviewBuilds({ minify = true, sourcemap = false } = {}) {
  /** @type {import("esbuild").BuildOptions} */
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
    { name: "webview", ...common, entryPoints: { main: resolve(root, "webview/main.ts") } },
    {
      name: "webview-monaco",
      ...common,
      entryPoints: { monaco: resolve(root, "webview/monaco/entry.ts") },
      loader: { ".ttf": "file" },
      assetNames: "[name]",
    },
    {
      name: "webview-workers",
      ...common,
      entryPoints: {
        "editor.worker": resolve(root, "webview/monaco/editor.worker.ts"),
        "yaml.worker": resolve(root, "webview/monaco/yaml.worker.ts"),
      },
      // Formatting is off in the panel; leave prettier (about 0.45 MB minified) out of the yaml worker.
      alias: {
        "prettier/standalone": resolve(root, "webview/monaco/no-prettier.ts"),
        "prettier/plugins/yaml": resolve(root, "webview/monaco/no-prettier.ts"),
        "prettier/plugins/estree": resolve(root, "webview/monaco/no-prettier.ts"),
      },
    },
  ];
}

/** Build all webview bundles with the given esbuild module. */
export async function buildWebview(esbuild, opts) {
  await Promise.all(webviewBuilds(opts).map(({ name, ...o }) => esbuild.build(o)));
}

// Builds only the webview bundles (the same options scripts/build.mjs uses):
//   node webview/dev/build.mjs [--dev]   (--dev: unminified, with source maps)
import * as esbuild from "esbuild";
import { buildWebview } from "../esbuild.config.mjs";

const dev = process.argv.includes("--dev");
const t = Date.now();
await buildWebview(esbuild, { minify: !dev, sourcemap: dev });
console.log(`webview bundles built in ${Date.now() - t} ms`);

/**
 * The layer rules (docs/architecture.md), checked by `npm run depcheck` in CI. Each layer imports
 * only the layers below it:
 *
 *   sim-core  <  report, bench  <  common  <  scenario-loader, patch, trace  <  runner, fidelity  <  cli, extension, webview
 *
 * Tests, scripts and e2e may import any layer. `tsc -b` enforces the same order through project
 * references (a file outside a project's references does not compile); this check also catches
 * type-only imports and gives a one-line reason per violation.
 */
const LAYERS = {
  "sim-core": [],
  // report is pure statistics over run results; the webview protocol (common) carries its comparisons.
  report: ["sim-core"],
  // bench: the benchmark's pure parts (bare heap loop, scaling scenarios); cli/bench.ts times them.
  bench: ["sim-core"],
  common: ["sim-core", "report"],
  "scenario-loader": ["sim-core", "common", "schema"],
  patch: ["sim-core", "common"],
  trace: ["sim-core", "common", "report"],
  // runner's workers also parse patches for the hunk lenses (runner/patch-job.ts).
  runner: ["sim-core", "common", "scenario-loader", "report", "patch", "reference"],
  fidelity: ["sim-core", "common", "scenario-loader", "report"],
  cli: ["sim-core", "bench", "common", "scenario-loader", "report", "patch", "trace", "runner", "fidelity", "reference"],
  extension: [
    "sim-core",
    "common",
    "scenario-loader",
    "report",
    "patch",
    "trace",
    "runner",
    "reference",
    "snippets",
    "scenarios",
    "package.json",
  ],
  webview: ["sim-core", "common", "scenario-loader", "report", "trace"],
};

/** Layers whose code runs everywhere (Node, web workers, browsers): no Node built-ins. */
const PORTABLE = ["sim-core", "bench", "common", "scenario-loader", "report", "patch", "trace", "runner", "webview"];

const folder = (l) => (l === "package.json" ? "package[.]json$" : `${l}/`);

module.exports = {
  forbidden: [
    ...Object.entries(LAYERS).map(([layer, below]) => ({
      name: `layer-${layer}`,
      comment: `${layer}/ may import only ${below.length ? below.join(", ") : "itself"} (docs/architecture.md)`,
      severity: "error",
      from: { path: `^${layer}/`, pathNot: layer === "webview" ? "^webview/(dev/|esbuild[.]config[.]mjs$)" : undefined },
      to: {
        dependencyTypesNot: ["npm", "npm-dev", "npm-optional", "npm-peer", "npm-bundled", "core"],
        pathNot: [`^${layer}/`, ...below.map((l) => `^${folder(l)}`)],
      },
    })),
    {
      name: "sim-core-no-packages",
      comment: "sim-core has no runtime dependencies and no Node imports",
      severity: "error",
      from: { path: "^sim-core/" },
      to: { dependencyTypes: ["npm", "npm-dev", "npm-optional", "npm-peer", "npm-bundled", "core"] },
    },
    {
      name: "portable-no-node",
      comment: `${PORTABLE.join(", ")} run in web workers and browsers too: no Node built-ins`,
      severity: "error",
      // runner/node*.ts are the worker_threads glue, compiled in runner/tsconfig.node.json.
      from: { path: `^(${PORTABLE.join("|")})/`, pathNot: "^webview/(dev/|esbuild[.]config[.]mjs$)|^runner/node(-worker)?[.]ts$" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "vscode-only-in-extension",
      comment: "only extension/ talks to the VS Code API",
      severity: "error",
      from: { pathNot: "^extension/" },
      to: { path: "^vscode$|node_modules/@types/vscode/" },
    },
    {
      name: "no-circular",
      comment: "no import cycles",
      severity: "error",
      from: { path: "^(common|scenario-loader|runner|cli|extension|webview)/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|[.]cache|e2e/workbench)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

/// <reference types="mocha" />
/**
 * Extension-host tests: they run inside a real VS Code workbench (code-server here, any VS Code
 * with `extensionTestsPath` elsewhere), against the real API — no mock of `vscode`. Bundled to
 * dist/test/suite.cjs; the workbench loads it and calls `run()`. The tests are in features.ts and
 * trust.ts; helpers.ts has what they share.
 *
 * The workspace may be anything: the tests use untitled documents and the sample series shipped
 * beside the extension's development folder (examples/pvsched-series).
 */
import { defineTests } from "./features";
import { defineLensTests } from "./lenses";
import { defineResultsTests } from "./results";
import { defineTrustTests } from "./trust";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Mocha = require("mocha") as typeof import("mocha");

function defineAll(): void {
  defineTests();
  defineResultsTests();
  defineLensTests();
  defineTrustTests();
}

// Under @vscode/test-cli (.vscode-test.mjs) mocha loads this file with its globals installed: the
// tests are declared at once. Through extensionTestsPath VS Code calls run() below instead.
const g = globalThis as { suite?: unknown; test?: unknown };
if (typeof g.suite === "function" && typeof g.test === "function") defineAll();

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "tdd", color: false, timeout: 60000 });
  // Install suite()/test() as globals for this bundle, then declare the tests.
  mocha.suite.emit("pre-require", globalThis, "pvsched-suite", mocha);
  defineAll();
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}

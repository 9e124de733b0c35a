// @vscode/test-cli (`npx vscode-test`, or the Extension Test Runner in VS Code): the extension-host
// mocha suite (dist/test/suite.cjs, built by `npm run build`) in desktop VS Code, with the sample
// workspace open. test-cli downloads VS Code from its update server into .vscode-test/; where that
// is unreachable, `npm run test:e2e` runs the same suite in code-server.
import { defineConfig } from "@vscode/test-cli";

export default defineConfig({
  label: "extension host",
  files: "dist/test/suite.cjs",
  version: "1.100.3",
  workspaceFolder: "examples",
  mocha: { ui: "tdd", timeout: 60000 },
});

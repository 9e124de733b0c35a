#!/usr/bin/env node
// The `pvsched-sim` command: runs the bundled CLI (npm run build writes dist/cli.cjs).
"use strict";
const path = require("node:path");
const fs = require("node:fs");
const bundle = path.join(__dirname, "..", "dist", "cli.cjs");
if (!fs.existsSync(bundle)) {
  process.stderr.write(`pvsched-sim: ${bundle} is missing; run \`npm run build\` first\n`);
  process.exit(2);
}
require(bundle).cliEntry(process.argv.slice(2));

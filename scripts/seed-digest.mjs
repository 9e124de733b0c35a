// Prints a digest of `pvsched-sim seed-report --json` without its wall-clock fields, so that a
// refactoring commit can show that the simulated output is byte-identical before and after:
//
//   npm run build cli cli-worker && node scripts/seed-digest.mjs [extra seed-report args]
//
// Rebuild first: the CLI runs the bundle in dist/. One replication unless the arguments say
// otherwise: byte-identity needs one run per scenario and mode, and ten take ten times as long.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const extra = process.argv.slice(2);
if (!extra.some((a) => a.startsWith("--replications"))) extra.unshift("--replications", "1");
const r = spawnSync(process.execPath, [join(root, "bin/pvsched-sim.cjs"), "seed-report", "--json", ...extra], {
  encoding: "utf8",
  maxBuffer: 1 << 30,
});
if (r.status !== 0) {
  process.stderr.write(r.stderr);
  process.exit(r.status ?? 1);
}
const j = JSON.parse(r.stdout);
// Wall-clock measurements are the only fields that may differ between identical runs.
for (const k of ["wallMs", "wallMsPerRun"]) delete j[k];
const text = JSON.stringify(j);
console.log(`${createHash("sha256").update(text).digest("hex")}  events=${j.events}`);

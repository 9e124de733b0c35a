/**
 * `npm run bench:inputs`: the CPU time of the inputs that were once slow in the scenario loader
 * and the patch parser (test/hostile/slow-inputs.ts), the median of five runs each, beside what
 * they cost before their fixes. The unit tests check these inputs' answers; their speed is
 * measured here, not asserted there (a CPU bound in a unit test fails on a loaded machine).
 * `--json` prints the rows as JSON. It reports; it never fails on a time.
 */
import { mapPatch } from "../patch/mapper";
import { parsePatchText } from "../patch/parse";
import { LOADER_LIMITS, loadScenario } from "../scenario-loader/index";
import { DENSE_FLOW_LINE, denseFlowLists, REDOS_MAP, redosMail, SLOW_INPUTS } from "../test/hostile/slow-inputs";

interface Row {
  what: string;
  before: string;
  chars: number;
  cpuMs: number;
}

const RUNS = 5;

function medianCpuMs(f: () => void): number {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    ms.push((c.user + c.system) / 1000);
  }
  ms.sort((a, b) => a - b);
  return ms[RUNS >> 1]!;
}

const rows: Row[] = [];
for (const s of SLOW_INPUTS) {
  const text = s.text();
  const run = s.layer === "loader" ? () => loadScenario(text) : () => parsePatchText(text);
  rows.push({ what: s.what, before: s.before, chars: text.length, cpuMs: medianCpuMs(run) });
}
const dense = denseFlowLists(LOADER_LIMITS.maxChars);
rows.push({
  what: "dense flow lists at the size limit",
  before: "3 us/byte (the CLI's contract: 2 s)",
  chars: dense.length,
  cpuMs: medianCpuMs(() => loadScenario(dense)),
});
const over = dense + DENSE_FLOW_LINE;
rows.push({ what: "one line over the size limit", before: "read whole", chars: over.length, cpuMs: medianCpuMs(() => loadScenario(over)) });
const mail = redosMail();
rows.push({
  what: "ReDoS pattern in a workspace map (re2js)",
  before: "2^5000 steps with a backtracking regex",
  chars: mail.length,
  cpuMs: medianCpuMs(() => mapPatch(parsePatchText(mail), REDOS_MAP)),
});

if (process.argv.includes("--json")) console.log(JSON.stringify(rows, null, 2));
else {
  console.log(`CPU per input, median of ${RUNS} (node ${process.version})`);
  for (const r of rows)
    console.log(`${r.cpuMs.toFixed(1).padStart(9)} ms  ${String(r.chars).padStart(8)} chars  ${r.what.padEnd(42)} before: ${r.before}`);
}

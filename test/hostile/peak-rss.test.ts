/**
 * Issue 14: the peak RSS of every refused or budget-stopped run stays under 512 MB. The numbers
 * come from scripts/peak-rss.ts (the CLI under `/usr/bin/time -v`); this test runs it and reads
 * its JSON, so the script that documents the numbers is the one that is checked.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { buildCli, root } from "./child";
import { HOSTILE_SCENARIOS } from "./inputs";

before(buildCli);

interface Report {
  limitMb: number;
  results: { what: string; exit: number | null; expectedExit: number; maxRssMb: number; cpuS: number }[];
}

function peakRss(limitMb: number): { code: number | null; report: Report; err: string } {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", join(root, "scripts", "peak-rss.ts"), "--json", "--limit-mb", String(limitMb)],
    { cwd: root, encoding: "utf8", timeout: 600_000 },
  );
  return { code: r.status, report: JSON.parse(r.stdout) as Report, err: r.stderr };
}

test("refused and budget-stopped runs peak under 512 MB of RSS", { skip: !existsSync("/usr/bin/time") && "no /usr/bin/time" }, () => {
  const { code, report, err } = peakRss(512);
  // Every hostile input is measured, and at least the two budget-stopped runs.
  assert.ok(report.results.length >= HOSTILE_SCENARIOS.length + 2, JSON.stringify(report.results.map((r) => r.what)));
  assert.ok(report.results.some((r) => r.what.startsWith("stopped:") && r.exit === 0));
  for (const r of report.results) {
    assert.equal(r.exit, r.expectedExit, `${r.what}: exit ${r.exit}`);
    assert.ok(r.maxRssMb > 0 && r.maxRssMb < 512, `${r.what}: ${r.maxRssMb.toFixed(0)} MB`);
  }
  assert.equal(code, 0, err);
});

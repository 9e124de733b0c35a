import { test } from "node:test";
import assert from "node:assert/strict";
import { payloadCsv } from "../../extension/export";
import { run } from "../webview/fixtures/make";

test("payloadCsv: the host's CSV is the common RFC 4180 dialect (CRLF, formulas defused, numbers numeric)", () => {
  const r = run("-1+cmd|' /C calc'!A0", "=vanilla", { timeline: false });
  const csv = payloadCsv({ title: "t", source: { kind: "scenario" }, runs: [r] });
  const lines = csv.split("\r\n");
  assert.equal(lines.at(-1), "", "ends with CRLF");
  assert.equal(
    lines[0],
    "scenario,mode,seed,stop,simulated_s,probe,side,vm,kind,count,min_us,avg_us,p50_us,p90_us,p99_us,p999_us,max_us,callbacks,glitches",
  );
  assert.equal(lines.length, 1 + r.probes.length + 1);
  // Hand-read from the fixture: first probe vm0/cyclictest#0 of a 2 s run, seed 1.
  assert.ok(lines[1]!.startsWith(`'-1+cmd|' /C calc'!A0,'=vanilla,1,done,2,vm0/cyclictest#0,guest,vm0,cyclictest,`), lines[1]);
});

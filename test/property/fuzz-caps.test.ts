/**
 * The fuzzer's simulation caps (test/fuzz/lib.ts SIM_CAPS, fuzzDuration): an input's simulated
 * time is cut so that its estimated latency samples stay within the cap, and only inputs over it
 * are cut. The corpus is the fuzzer's own seed corpus.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadScenario } from "../../scenario-loader/index";
import { estimateRun } from "../../runner/budget";
import { fuzzDuration, inputRng, MAX_INPUT_BYTES, makeInput, SIM_CAPS } from "../fuzz/lib";
import type { Scenario } from "../../sim-core/index";

const DIR = join(__dirname, "../fuzz/corpus/scenario");

function corpus(): [string, Scenario][] {
  const out: [string, Scenario][] = [];
  for (const f of readdirSync(DIR).sort()) {
    const r = loadScenario(readFileSync(join(DIR, f), "utf8"), f);
    if (r.ok) out.push([f, r.scenario]);
  }
  return out;
}

/** Latency samples the run budget expects of `s` run for `d` seconds. */
const samplesIn = (s: Scenario, d: number) => estimateRun({ ...s, duration_s: d }).samples;

test("the corpus's thousand-thread scenario is cut to the sample cap; the others keep 0.05 s", () => {
  const all = corpus();
  assert.ok(all.length >= 20, `only ${all.length} corpus scenarios loaded`);
  let cut = 0;
  for (const [f, s] of all) {
    const d = fuzzDuration(s);
    assert.ok(d > 0 && d <= SIM_CAPS.duration_s, `${f}: ${d} s`);
    // Within the cap, up to rounding: the point of the cut.
    assert.ok(samplesIn(s, d) <= SIM_CAPS.samples * (1 + 1e-9), `${f}: ${samplesIn(s, d)} samples in ${d} s`);
    if (d < Math.min(s.duration_s ?? 10, SIM_CAPS.duration_s)) {
      cut++;
      assert.equal(f, "found-many-guest-threads.yaml", `${f} was cut to ${d} s`);
    }
  }
  assert.equal(cut, 1);
});

test("an event-bound input (zero-length bursts, no latency samples) keeps its duration", () => {
  const s = corpus().find(([f]) => f === "edge-zero-length-bursts.yaml")![1];
  assert.equal(samplesIn(s, 1), 0);
  assert.equal(fuzzDuration(s), SIM_CAPS.duration_s);
});

test("an input owns its bytes: a cut repetition is a copy, not a view of a larger buffer", () => {
  // Posting a view to the fuzzer's worker clones its whole buffer: seed 1's input 1732 was a 4 MiB
  // view of a repetition hundreds of MB long and took seconds to arrive (reported as a hang).
  const corpus = readdirSync(DIR)
    .sort()
    .map((f) => new Uint8Array(readFileSync(join(DIR, f))));
  const { bytes, ops } = makeInput(inputRng(1, 1732), "scenario", corpus);
  assert.deepEqual(ops, ["deep-nesting", "line-repeat"]);
  assert.equal(bytes.length, MAX_INPUT_BYTES);
  assert.equal(bytes.buffer.byteLength, bytes.byteLength);
});

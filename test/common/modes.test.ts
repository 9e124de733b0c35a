/** The names the panel shows for modes (common/modes.ts), one home for the host and the webview. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { baselineMode, modeTitle } from "../../common/modes";
import { ablationModes } from "../../report/ablation";
import { modeLabel } from "../../sim-core/index";

test("the three modes read as words, and the seed report's 'patches' is the dynamic mode", () => {
  assert.equal(modeTitle("vanilla"), "Vanilla");
  assert.equal(modeTitle("static"), "Static boost");
  assert.equal(modeTitle("dynamic"), "Dynamic (series)");
  assert.equal(modeTitle("patches"), "Dynamic (series)");
});

test("an ablation's modes name the mechanism by its label and patch, not its id", () => {
  // The labels the ablation really gives its runs (report/ablation.ts), not a copy of the format.
  const names = ablationModes(["boost_on_inject", "shared_memory"], { vanilla: true }).map((m) => modeTitle(modeLabel(m)));
  assert.deepEqual(names, [
    "Dynamic (series)",
    "Dynamic without boost on interrupt injection (patch 4)",
    "Dynamic without PV sched shared memory (MSR) (patch 1)",
    "Vanilla",
  ]);
});

test("runs compared from the history keep their A:/B: tag; a scenario's own mode name is kept", () => {
  assert.equal(modeTitle("A: vanilla"), "A: Vanilla");
  assert.equal(modeTitle("B: dynamic without preempt_throttle"), "B: Dynamic without preempt-disabled boost cap (patch 5)");
  assert.equal(modeTitle("my tuned mode"), "my tuned mode");
  assert.equal(modeTitle("toString"), "toString");
});

test("the baseline is vanilla when it ran, else the first mode", () => {
  assert.equal(baselineMode(["dynamic", "dynamic without switches", "vanilla"]), "vanilla");
  assert.equal(baselineMode(["A: vanilla", "B: vanilla"]), "A: vanilla");
  assert.equal(baselineMode([]), undefined);
});

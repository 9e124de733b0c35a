import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { readCpuTimes } from "../../fidelity/real";

describe("/proc/stat parsing", () => {
  it("sums user..steal, counts idle+iowait as idle and reads steal", () => {
    const t = readCpuTimes("cpu  100 5 50 800 20 3 2 7 40 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n");
    // guest time (40) is already inside user: not added again.
    assert.deepEqual(t, { total: 100 + 5 + 50 + 800 + 20 + 3 + 2 + 7, idle: 820, steal: 7 });
  });

  it("rejects text without the cpu line", () => {
    assert.throws(() => readCpuTimes("intr 1 2 3\n"), /no cpu line/);
  });
});

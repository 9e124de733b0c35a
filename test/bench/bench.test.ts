/** bench/: the bare heap loop orders events as a plain sorted queue would; the scaling rows are valid scenarios. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { stringify } from "yaml";
import { runBareHeapLoop } from "../../bench/bare-heap";
import { HOST_TASKS, scalingRows, TASK_WAKEUPS_PER_S } from "../../bench/scaling";
import { loadScenario } from "../../scenario-loader/index";

/** The bare loop's rules, run on a linearly scanned array instead of a heap. */
function reference(events: number, pending: number, seed: number): number {
  const q: { t: number; seq: number; k: number }[] = [];
  let seq = 0;
  for (let s = 0; s < pending; s++) q.push({ t: s, seq: seq++, k: s & 7 });
  let x = seed | 0 || 1;
  let now = 0;
  let checksum = 0;
  for (let e = 0; e < events; e++) {
    let best = 0;
    for (let i = 1; i < q.length; i++) if (q[i]!.t < q[best]!.t || (q[i]!.t === q[best]!.t && q[i]!.seq < q[best]!.seq)) best = i;
    const ev = q.splice(best, 1)[0]!;
    now = ev.t;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    checksum = (checksum + ev.k) | 0;
    q.push({ t: now + ((x >>> 0) & 0xffff) + 1, seq: seq++, k: (ev.k + (x & 1)) & 7 });
  }
  return checksum + now;
}

test("the bare heap loop pops events in (time, insertion) order", () => {
  for (const pending of [1, 2, 13, 40])
    for (const seed of [1, 7])
      assert.equal(runBareHeapLoop(20_000, pending, seed).checksum, reference(20_000, pending, seed), `${pending}/${seed}`);
});

test("every scaling row is a valid scenario, and the tasks axis keeps the wakeup rate", () => {
  const rows = scalingRows();
  assert.equal(rows.length, 12);
  for (const r of rows) {
    const loaded = loadScenario(stringify(r.scenario), `${r.axis} ${r.value}`);
    assert.ok(loaded.ok, `${r.axis} ${r.value}: ${loaded.ok ? "" : JSON.stringify(loaded.errors[0])}`);
  }
  const tasks = rows.filter((r) => r.axis === "host tasks");
  assert.deepEqual(
    tasks.map((r) => r.value),
    HOST_TASKS.map(String),
  );
  for (const r of tasks) {
    const periodic = r.scenario.host.workloads!.find((w) => w.kind === "periodic")!;
    assert.ok(periodic.kind === "periodic");
    const rate = ((periodic.threads ?? 1) * 1e6) / periodic.period_us;
    assert.ok(Math.abs(rate - TASK_WAKEUPS_PER_S) / TASK_WAKEUPS_PER_S < 0.01, `${r.value}: ${rate}/s`);
  }
});

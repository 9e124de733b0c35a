/**
 * EEVDF's O(log n) pick (the timeline augmented with min_deadline, V from running sums) against
 * the definition computed by brute force: among the entities whose vruntime is not past the
 * load-weighted average, the earliest deadline.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { cpuCosts } from "../../sim-core/costs";
import { Engine } from "../../sim-core/engine";
import { resolveSched } from "../../sim-core/params";
import { Rng } from "../../sim-core/rng";
import { Cpu } from "../../sim-core/sched/cpu";
import { type Se, Task } from "../../sim-core/sched/task";

test("pick_eevdf over the augmented tree equals the brute-force earliest eligible deadline", () => {
  const rng = new Rng(7, "eevdf");
  for (let round = 0; round < 200; round++) {
    const eng = new Engine();
    const tun = resolveSched({ fair: "eevdf" }, 1);
    const cpu = new Cpu(eng, 0, "cpu0", tun, true, cpuCosts(null, tun.ctxSwitchNs, tun.tickCostNs, 1));
    const fair = cpu.fair;
    const n = 2 + Math.floor(rng.float() * 30);
    const tasks: Task[] = [];
    for (let i = 0; i < n; i++) {
      const t = new Task(`t${i}`, { burstEnd: () => {} }, "other", 0, Math.floor(rng.float() * 10) - 5);
      t.newTask = false;
      // Random lag: place() puts the entity at V - lag, with a deadline a slice later.
      t.se.vlag = (rng.float() - 0.5) * 4e6;
      fair.enqueue(t, true, false);
      tasks.push(t);
    }
    // Some dequeue again (their lag is saved), changing the sums.
    for (const t of tasks) if (rng.float() < 0.2) fair.dequeue(t, true);
    // Picked entities run for a while: vruntimes and min_vruntime move on.
    for (let k = 0; k < 10; k++) {
      const t = fair.pickNext();
      if (!t) break;
      fair.setNext(t);
      eng.now += Math.floor(rng.float() * 3e6);
      fair.updateCurr(t, 0);
      fair.putPrev(t);
    }
    const queued: Se[] = tasks.filter((t) => t.onRq || t.se.onRq).map((t) => t.se);
    if (queued.length === 0) continue;
    let wsum = 0;
    let vsum = 0;
    for (const se of queued) {
      wsum += se.weight;
      vsum += se.vruntime * se.weight;
    }
    const V = vsum / wsum;
    let want: Se | null = null;
    for (const se of queued) {
      if (se.vruntime > V + 1e-3) continue;
      if (!want || se.deadline < want.deadline) want = se;
    }
    const got = fair.pickNext();
    assert.ok(want, "someone is eligible");
    assert.equal(got?.se.deadline, want.deadline, `round ${round}: picked ${got?.name}`);
  }
});

/**
 * What a new thread starts with (sim-core/sched/task.ts), seen through what the scheduler does
 * with it: a new fair task's PELT as init_entity_runnable_average() and
 * post_init_entity_util_avg() set it at its first attach (kernel/sched/fair.c), SCHED_IDLE's
 * weight (WEIGHT_IDLEPRIO, kernel/sched/sched.h), no wake-up latency without a target time, the
 * return to user mode only for user tasks, no cache refill for a small working set, and no boost
 * in a run without the series. Expected values are worked by hand from those rules.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { COST_DEFAULTS } from "../../sim-core/params";
import { simulate } from "../../sim-core/simulation";
import { Task } from "../../sim-core/sched/task";
import { trackSegments } from "../../sim-core/timeline-read";
import { hog, MS, sleeper, startOn, US, world } from "./world";

test("a new fair task starts fully loaded with half the CPU's spare utilisation (post_init_entity_util_avg)", () => {
  const w = world(1);
  const [c0] = w.host.cpus;
  const a = hog("a");
  const b = hog("b");
  startOn(w, 0, a, b);
  // Well inside the first PELT period (1024 us): no decay yet.
  w.runTo(100 * US);
  // a on an empty runqueue: load_avg = its weight (1024), util_avg = (1024 - 0) / 2.
  assert.deepEqual([a.se.avg.loadAvg, a.se.avg.utilAvg, a.se.avg.runnableAvg], [1024, 512, 512]);
  // b after a: cap = (1024 - 512) / 2 = 256, below 512 * 1024 / (1024 + 1) = 511.
  assert.deepEqual([b.se.avg.loadAvg, b.se.avg.utilAvg, b.se.avg.runnableAvg], [1024, 256, 256]);
  // Both attached to the CPU's cfs_rq: its sums.
  assert.equal(c0!.fair.loadAvg, 2048);
  assert.equal(c0!.fair.utilAvg, 768);
});

test("SCHED_IDLE's weight is WEIGHT_IDLEPRIO (3), at creation and after sched_setscheduler()", () => {
  const noop = { burstEnd: () => {} };
  assert.equal(new Task("i", noop, "idle").se.weight, 3);
  assert.equal(new Task("o", noop, "other", 0, 0).se.weight, 1024);
  const w = world(1);
  const [c0] = w.host.cpus;
  const t = hog("t");
  w.host.addTask(t, 0, undefined);
  w.host.wakeTask(t);
  w.runTo(1 * MS);
  c0!.setPolicy(t, "idle", 0, 0);
  assert.equal(t.se.weight, 3);
  c0!.setPolicy(t, "batch", 0, 0);
  assert.equal(t.se.weight, 1024);
});

test("a wake-up latency is reported only for a wake-up with a target time", () => {
  const w = world(1);
  const t = sleeper("t", 20 * US);
  const seen: number[] = [];
  t.onWakeLatency = (ns) => seen.push(ns);
  w.host.addTask(t, 0, undefined);
  w.host.wakeTask(t);
  w.runTo(1 * MS);
  assert.ok(t.runtimeNs >= 20 * US, "it ran");
  assert.deepEqual(seen, [], "no target: nothing to measure");
  w.eng.at(2 * MS, () => {
    t.remaining = 20 * US;
    t.wakeTarget = 2 * MS;
    w.host.wakeTask(t);
  });
  w.runTo(3 * MS);
  assert.equal(seen.length, 1);
  assert.ok(seen[0]! > 0 && seen[0]! < 50 * US, `latency ${seen[0]}`);
});

test("the return to user mode (the onUserReturn hook) follows a user task's switch-in, never a kernel thread's", () => {
  const w = world(1, 1);
  const g = w.guest!;
  const returns: string[] = [];
  g.cpus[0]!.hooks.onUserReturn = (_c, t) => void returns.push(t.name);
  // Two guest threads that run 20 us every millisecond, on the guest's hrtimers.
  const periodic = (name: string, kthread: boolean): Task => {
    const t = new Task(name, {
      burstEnd: (x) => {
        x.remaining = 20 * US;
        g.sleepUntil(x, (Math.floor(w.eng.now / MS) + 1) * MS, () => g.wake(x));
      },
    });
    // A user task keeps the default.
    if (kthread) t.kthread = true;
    t.remaining = 20 * US;
    g.addTask(t, 0);
    g.wake(t);
    return t;
  };
  const k = periodic("kthread", true);
  const u = periodic("user", false);
  w.runTo(3.5 * MS);
  assert.ok(u.runtimeNs >= 60 * US && k.runtimeNs >= 60 * US, "both ran at 0, 1, 2 and 3 ms");
  // At each of the four wake-ups, the user task's switch-in only (the kernel thread runs first).
  assert.deepEqual(returns, ["user", "user", "user", "user"]);
});

/** Wake-up latency of a FIFO thread woken at 10 ms on a CPU where a hog has run since 0. */
function latencyBesideHog(largeWorkingSet: boolean | null): number {
  const w = world(1);
  const h = hog("h");
  w.host.addTask(h, 0, undefined);
  w.host.wakeTask(h);
  const t = new Task("t", { burstEnd: (x) => x.cpu!.sleepCurr() }, "fifo", 50);
  if (largeWorkingSet !== null) t.largeWorkingSet = largeWorkingSet;
  t.newTask = false;
  w.host.addTask(t, 0, undefined);
  let latency = -1;
  t.onWakeLatency = (ns) => {
    latency = ns;
  };
  w.eng.at(10 * MS, () => {
    t.remaining = 20 * US;
    t.wakeTarget = 10 * MS;
    w.host.wakeTask(t);
  });
  w.runTo(11 * MS);
  return latency;
}

test("a thread pays the cache refill after a hog ran only if it has a large working set (not by default)", () => {
  const small = latencyBesideHog(false);
  assert.ok(small > 0);
  assert.equal(latencyBesideHog(null), small, "the default is a small working set");
  // The refill's median with constant costs, after 10 ms of the hog (> refill_after_ns).
  assert.equal(latencyBesideHog(true) - small, COST_DEFAULTS.cache_refill.median_ns);
});

test("without the series no vCPU thread is ever boosted", () => {
  const r = simulate(
    {
      name: "no boost",
      duration_s: 0.2,
      host: { cpus: 1, cost_model: "constant", noise: false, workloads: [{ kind: "stress", workers: 1 }] },
      vms: [{ name: "vm", vcpus: 1, workloads: [{ kind: "stress", workers: 1 }] }],
    },
    "vanilla",
  );
  assert.equal(r.vcpus.length, 1);
  assert.equal(r.vcpus[0]!.boosted_ns, 0);
  assert.equal(r.vcpus[0]!.max_boost_ns, 0);
});

test("the idle task (the idle class's) is named idle in the timeline, between a periodic thread's runs", () => {
  const r = simulate(
    {
      name: "idle",
      duration_s: 0.01,
      host: {
        cpus: 1,
        cost_model: "constant",
        noise: false,
        workloads: [{ kind: "periodic", id: "p", period_us: 1000, work: { const_us: 100 }, policy: "fifo", priority: 50 }],
      },
      timeline: { enabled: true },
    },
    "vanilla",
  );
  const tl = r.timeline!;
  const segs = trackSegments(
    tl,
    tl.tracks.findIndex((t) => t.kind === "cpu" && t.cpu === 0),
  );
  const idle = segs.filter((g) => g.thread === "idle");
  // About 900 us of every 1 ms period.
  assert.ok(idle.length >= 9, `${idle.length} idle segments`);
  assert.ok(idle.every((g) => g.end_ns - g.start_ns > 800 * US && g.end_ns - g.start_ns < 1000 * US));
});

/**
 * The host (sim-core/host.ts) as it builds itself from its configuration: one CPU per
 * `host.cpus`, each with its own random streams (costs, tick softirqs, cpuidle) unless the cost
 * model is constant or the noise is off; cgroups with cpu.shares from cpu.weight (100 -> 1024,
 * shares winning); new threads on their pinned CPU or where fork placement puts them; the PM QoS
 * limit as the smallest value held; host hrtimers that fire as a timer interrupt on the CPU the
 * thread slept on, after the platform's delivery delay; the tick every 1/HZ and the RT period
 * timer every rt_period up to the run's end. Expected values follow from those rules.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../../sim-core/engine";
import { Host } from "../../sim-core/host";
import { COST_DEFAULTS, resolveSched } from "../../sim-core/params";
import { Rng, Streams } from "../../sim-core/rng";
import type { HostConfig } from "../../sim-core/scenario";
import type { Cpu } from "../../sim-core/sched/cpu";
import { Rq } from "../../sim-core/sched/rq";
import { Task } from "../../sim-core/sched/task";

const US = 1_000;
const MS = 1_000_000;

const C1C7 = [
  { name: "C1", exit_latency_us: 1, target_residency_us: 1 },
  { name: "C7S", exit_latency_us: 253, target_residency_us: 759 },
];

function host(cfg: Partial<HostConfig> = {}): { h: Host; eng: Engine; streams: Streams } {
  const eng = new Engine();
  const streams = new Streams(1);
  const h = new Host(eng, { cpus: 2, cost_model: "constant", noise: false, ...cfg }, streams);
  return { h, eng, streams };
}

/** Whether the host took stream `id` already (a stream is handed out once). */
function taken(streams: Streams, id: string): boolean {
  try {
    streams.get(id);
    return false;
  } catch {
    return true;
  }
}

const sleeper = (name: string) => new Task(name, { burstEnd: (x) => x.cpu!.sleepCurr() });

test("one CPU per host.cpus, indexed and labelled in order", () => {
  const { h } = host({ cpus: 3 });
  assert.deepEqual(
    h.cpus.map((c) => [c.index, c.label]),
    [
      [0, "cpu0"],
      [1, "cpu1"],
      [2, "cpu2"],
    ],
  );
  assert.equal(h.rd.cpus, h.cpus);
  assert.deepEqual(h.tasks, []);
});

test("each CPU draws its costs, softirqs and cpuidle exits from streams of its own; a constant cost model and noise: false take none", () => {
  const ids = (n: number) => [`host/cpu${n}/cost`, `host/cpu${n}/softirq`, `host/cpu${n}/cpuidle`];
  const which = (cfg: Partial<HostConfig>) => {
    const { streams } = host(cfg);
    return [...ids(0), ...ids(1), "host/fork-placement", "host/timer-delivery"].filter((id) => taken(streams, id));
  };
  const always = ["host/fork-placement", "host/timer-delivery"];
  assert.deepEqual(which({}), always);
  assert.deepEqual(which({ cost_model: undefined }), ["host/cpu0/cost", "host/cpu1/cost", ...always]);
  assert.deepEqual(which({ noise: undefined }), ["host/cpu0/softirq", "host/cpu1/softirq", ...always]);
  assert.deepEqual(which({ noise: true, cost_model: "lognormal" as HostConfig["cost_model"] }), [
    "host/cpu0/cost",
    "host/cpu0/softirq",
    "host/cpu1/cost",
    "host/cpu1/softirq",
    ...always,
  ]);
  assert.deepEqual(which({ cost_model: undefined, cpuidle_states: C1C7 }), [
    "host/cpu0/cost",
    "host/cpu0/cpuidle",
    "host/cpu1/cost",
    "host/cpu1/cpuidle",
    ...always,
  ]);
  assert.deepEqual(which({ cpuidle_states: C1C7 }), always);
});

test("the scheduler's tunables and the CPUs' costs follow host.sched and host.cost_scale", () => {
  const { h } = host({ cost_scale: 2, sched: { hz: 250 } });
  assert.deepEqual(h.tun, resolveSched({ hz: 250 }, 2, 2));
  assert.equal(h.tun.tickNs, 4 * MS);
  const c = h.cpus[1]!.costs;
  // The constant model: every cost at its median, the interrupt's scaled by 2.
  assert.equal(c.timerIrq(), COST_DEFAULTS.hrtimer_irq.median_ns * 2);
  assert.equal(c.ipi(), COST_DEFAULTS.hrtimer_irq.median_ns * 2);
  assert.equal(c.tick(), h.tun.tickCostNs);
  assert.equal(c.contextSwitch(), h.tun.ctxSwitchNs);
  const one = host().h;
  assert.deepEqual(one.tun, resolveSched(undefined, 2, 1));
  assert.equal(one.cpus[0]!.costs.timerIrq(), COST_DEFAULTS.hrtimer_irq.median_ns);
  // The lognormal model draws: not every interrupt costs the median.
  const drawn = host({ cost_model: undefined }).h.cpus[0]!.costs;
  const draws = new Set(Array.from({ length: 20 }, () => drawn.timerIrq()));
  assert.ok(draws.size > 1);
});

test("cpuidle: a CPU has its governor only with C-states, and the governor obeys the PM QoS limit the host holds", () => {
  assert.equal(host().h.cpus[0]!.idle, null);
  assert.equal(host({ cpuidle_states: [] }).h.cpus[0]!.idle, null);
  const { h } = host({ cpuidle_states: C1C7 });
  const idle = h.cpus[1]!.idle!;
  assert.notEqual(idle, null);
  assert.notEqual(idle, h.cpus[0]!.idle);
  // 6072 us idle: the next prediction is 6072 / 8 = 759 us, C7S's residency.
  idle.enter(0);
  idle.exit(6_072 * US);
  idle.enter(10 * MS);
  assert.deepEqual(idle.entries, [0, 1]);
  // The constant model: the exit costs half the worst case.
  assert.equal(idle.exit(11 * MS), 126_500);
  // cyclictest's /dev/cpu_dma_latency = 0: no C-state any more.
  assert.equal(h.qosLatencyUs, Number.POSITIVE_INFINITY);
  h.holdCpuDmaLatency(0);
  idle.enter(20 * MS);
  assert.deepEqual(idle.entries, [0, 1]);
});

test("PM QoS: the limit is the smallest value any holder wrote", () => {
  const { h } = host();
  assert.equal(h.qosLatencyUs, Number.POSITIVE_INFINITY);
  h.holdCpuDmaLatency(50);
  assert.equal(h.qosLatencyUs, 50);
  h.holdCpuDmaLatency(80);
  assert.equal(h.qosLatencyUs, 50);
  h.holdCpuDmaLatency(10);
  assert.equal(h.qosLatencyUs, 10);
});

test("cgroups: cpu.shares from cpu.weight (100 -> 1024, at least 2), shares winning over weight", () => {
  const { h } = host({
    cgroups: [
      { name: "fg", shares: 64 },
      { name: "half", weight: 50 },
      { name: "dflt" },
      { name: "both", weight: 200, shares: 100 },
      { name: "tiny", weight: 0.1 },
    ],
  });
  assert.deepEqual(
    [...h.groups].map(([n, g]) => [n, g.name, g.shares]),
    [
      ["fg", "fg", 64],
      ["half", "half", 512],
      ["dflt", "dflt", 1024],
      ["both", "both", 100],
      ["tiny", "tiny", 2],
    ],
  );
  assert.equal(host().h.groups.size, 0);
});

test("addTask: a pinned thread goes to its CPU; an unpinned one where fork placement puts it (least placed, ties at random)", () => {
  const { h } = host({ cpus: 3, cgroups: [{ name: "g" }] });
  const a = sleeper("a");
  const b = sleeper("b");
  const c = sleeper("c");
  const d = sleeper("d");
  h.addTask(a, 2, "g");
  assert.deepEqual([a.pin, a.cpu!.index, a.recentUsedCpu, a.cgroup, a.tg], [2, 2, 2, "g", h.groups.get("g")]);
  // A cgroup the host does not have: the name is kept, the thread stays in the root group.
  h.addTask(b, 0, "nope");
  assert.deepEqual([b.pin, b.cpu!.index, b.cgroup, b.tg], [0, 0, "nope", null]);
  // CPU 1 is the only one nobody was placed on.
  h.addTask(c, undefined, undefined);
  assert.deepEqual([c.pin, c.cpu!.index, c.recentUsedCpu, c.cgroup, c.tg], [-1, 1, 1, null, null]);
  // Now all three tie: the placement stream decides (its second draw: c's placement took one too).
  h.addTask(d, undefined, undefined);
  const r = new Rng(1, "host/fork-placement");
  r.float();
  const pick = Math.floor(r.float() * 3);
  assert.deepEqual([d.pin, d.cpu!.index, d.recentUsedCpu], [-1, pick, pick]);
  assert.deepEqual(h.tasks, [a, b, c, d]);
});

test("hrtimer: the timer fires as a timer interrupt on the CPU the thread slept on, after the interrupt's cost", () => {
  const { h, eng } = host();
  const irqs: number[] = [];
  for (const c of h.cpus) c.hooks.beforeIrq = (x) => void irqs.push(x.index);
  const t = sleeper("t");
  h.addTask(t, 1, undefined);
  const fired: number[] = [];
  const cb0 = t.timerCb;
  h.hrtimer(t, 2 * MS, () => fired.push(eng.now));
  assert.equal(cb0, null);
  assert.equal(t.newTask, false);
  const cb = t.timerCb;
  assert.equal(typeof cb, "function");
  eng.run(3 * MS, Number.MAX_SAFE_INTEGER);
  assert.deepEqual(irqs, [1]);
  assert.deepEqual(fired, [2 * MS + COST_DEFAULTS.hrtimer_irq.median_ns]);
  // The callback is bound once and reused; the action is the latest one given.
  h.hrtimer(t, 4 * MS, () => fired.push(-eng.now));
  assert.equal(t.timerCb, cb);
  eng.run(5 * MS, Number.MAX_SAFE_INTEGER);
  assert.deepEqual(fired, [2 * MS + COST_DEFAULTS.hrtimer_irq.median_ns, -(4 * MS + COST_DEFAULTS.hrtimer_irq.median_ns)]);
  // A thread without a CPU yet: CPU 0 takes the interrupt.
  const u = sleeper("u");
  h.hrtimer(u, 6 * MS, () => fired.push(eng.now));
  eng.run(7 * MS, Number.MAX_SAFE_INTEGER);
  assert.deepEqual(irqs, [1, 1, 0]);
});

test("timer_delivery: each hrtimer fires after one draw of the platform's delivery delay (none by default)", () => {
  assert.equal(host().h.deliveryDelay(), 0);
  const k = host({ timer_delivery: { const_us: 5 } });
  assert.equal(k.h.deliveryDelay(), 5 * US);
  const e = host({ timer_delivery: { exp_mean_us: 20 } });
  const r = new Rng(1, "host/timer-delivery");
  const d = [r.ns({ exp_mean_us: 20 }), r.ns({ exp_mean_us: 20 })];
  assert.equal(e.h.deliveryDelay(), d[0]);
  const t = sleeper("t");
  e.h.addTask(t, 0, undefined);
  let at = -1;
  e.h.hrtimer(t, MS, () => {
    at = e.eng.now;
  });
  e.eng.run(2 * MS, Number.MAX_SAFE_INTEGER);
  assert.equal(at, MS + d[1]! + COST_DEFAULTS.hrtimer_irq.median_ns);
});

test("the root domain's hooks: host CPUs are never preempted vCPUs; an IPI is an interrupt at the IPI's cost; wake-ups tell onWakeOn", () => {
  const { h, eng } = host();
  const [c0, c1] = h.cpus as [Cpu, Cpu];
  assert.equal(h.rd.env.vcpuIsPreempted(c0), false);
  assert.equal(h.rd.env.vcpuIsPreempted(c1), false);
  // Without a vCPU on it (no beforeIrq hook), the IPI is just an interrupt.
  let ran = -1;
  h.rd.env.ipi(c0, () => {
    ran = eng.now;
  });
  eng.run(MS, Number.MAX_SAFE_INTEGER);
  assert.equal(ran, COST_DEFAULTS.hrtimer_irq.median_ns);
  const irqs: number[] = [];
  for (const c of h.cpus) c.hooks.beforeIrq = (x) => void irqs.push(x.index);
  eng.at(MS, () =>
    h.rd.env.ipi(c1, () => {
      ran = eng.now;
    }),
  );
  eng.run(2 * MS, Number.MAX_SAFE_INTEGER);
  assert.deepEqual(irqs, [1]);
  assert.equal(ran, MS + COST_DEFAULTS.hrtimer_irq.median_ns);
  // No listener: nothing happens.
  const t = sleeper("t");
  h.rd.env.beforeActivate(c0, t);
  const seen: [number, string][] = [];
  h.onWakeOn = (c, x) => void seen.push([c.index, x.name]);
  h.rd.env.beforeActivate(c1, t);
  assert.deepEqual(seen, [[1, "t"]]);
  // A real wake-up goes through it.
  t.remaining = 10 * US;
  h.addTask(t, 0, undefined);
  h.wakeTask(t);
  assert.deepEqual(seen, [
    [1, "t"],
    [0, "t"],
  ]);
});

test("start: every CPU ticks every 1/HZ and runs the RT period every rt_period, up to and including the run's end", () => {
  const count = (until: number) => {
    const { h, eng } = host({ sched: { hz: 1000, rt_period_us: 100_000 } });
    const ticks: number[][] = h.cpus.map(() => []);
    const periods: number[][] = h.cpus.map(() => []);
    for (const c of h.cpus) {
      c.tick = () => void ticks[c.index]!.push(eng.now);
      c.rtPeriod = () => void periods[c.index]!.push(eng.now);
    }
    h.start(until);
    eng.run(2 * until + 500 * MS, Number.MAX_SAFE_INTEGER);
    return { ticks, periods };
  };
  const on = count(300 * MS);
  assert.equal(on.ticks[0]!.length, 300);
  assert.deepEqual(on.ticks[0]!.slice(0, 3), [MS, 2 * MS, 3 * MS]);
  assert.equal(on.ticks[0]!.at(-1), 300 * MS);
  assert.deepEqual(on.ticks[1], on.ticks[0]);
  assert.deepEqual(on.periods[0], [100 * MS, 200 * MS, 300 * MS]);
  assert.deepEqual(on.periods[1], on.periods[0]);
  const before = count(300 * MS - 1);
  assert.equal(before.ticks[0]!.length, 299);
  assert.deepEqual(before.periods[0], [100 * MS, 200 * MS]);
});

/**
 * wakeTask() from a CPU of the host's root domain or from guest code: try_to_wake_up()'s
 * this_cpu is the executing host CPU, or for a guest CPU the host CPU its vCPU runs on (KVM
 * wakes the thread there), or none. A pinned thread woken for an idle CPU other than this_cpu
 * goes on that CPU's wake list with an IPI (TTWU_QUEUE); woken from that CPU itself it is
 * enqueued at once.
 */
test("wakeTask: this_cpu is the executing host CPU, or the host CPU under the executing guest CPU", () => {
  const wokenFrom = (executing: (h: Host) => Rq | null) => {
    const { h } = host();
    const t = sleeper("t");
    t.remaining = 10 * US;
    t.newTask = false;
    h.addTask(t, 1, undefined);
    const was = Rq.executing;
    Rq.executing = executing(h);
    try {
      h.wakeTask(t);
    } finally {
      Rq.executing = was;
    }
    return t.wakePending ? "ipi" : t.onRq ? "enqueued" : "nothing";
  };
  // A stand-in for a guest CPU: another root domain, and the host CPU its vCPU runs on.
  const guestCpu = (on: (h: Host) => Cpu | null) => (h: Host) => ({ rd: {}, hostCpu: () => on(h) }) as unknown as Rq;
  assert.equal(
    wokenFrom((h) => h.cpus[0]!),
    "ipi",
  );
  assert.equal(
    wokenFrom((h) => h.cpus[1]!),
    "enqueued",
  );
  assert.equal(wokenFrom(guestCpu((h) => h.cpus[0]!)), "ipi");
  assert.equal(wokenFrom(guestCpu((h) => h.cpus[1]!)), "enqueued");
  // No waker (the start of a run, a vCPU not on a host CPU): this_cpu is the thread's previous CPU.
  assert.equal(
    wokenFrom(() => null),
    "enqueued",
  );
  assert.equal(wokenFrom(guestCpu(() => null)), "enqueued");
  assert.equal(
    wokenFrom(() => ({ rd: {}, hostCpu: null }) as unknown as Rq),
    "enqueued",
  );
});

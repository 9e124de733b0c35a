/**
 * The guest kernel (sim-core/guest/guest.ts) one rule at a time, against Linux 6.5:
 * - hrtimers on the LAPIC timer (kernel/time/hrtimer.c): a timer fires at its hard expiry and the
 *   interrupt runs every timer whose soft expiry has passed, earliest first; the clock event is
 *   reprogrammed only when the earliest expiry changes, and that TSC-deadline write is a fastpath
 *   exit in KVM (arch/x86/kvm/vmx/vmx.c handle_fastpath_set_msr_irqoff());
 * - nanosleep's slack (hrtimer_nanosleep(): current->timer_slack_ns, 0 for an RT task);
 * - the periodic tick and NOHZ idle, the RT period timer, NMIs and device interrupts;
 * - the waker's CPU of a wakeup that guest code does: a vCPU for a guest task, and for the vCPU
 *   thread it kicks, the host CPU that runs the sender.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { kvmCosts } from "../../sim-core/costs";
import { Engine } from "../../sim-core/engine";
import { Guest, type GuestPvHooks } from "../../sim-core/guest/guest";
import { Host } from "../../sim-core/host";
import { installKvmHostHooks, type IrqSource, Vcpu } from "../../sim-core/kvm/vcpu";
import { GUEST_IRQ_DEFAULTS, KVM_DEFAULTS, SERIES_DEFAULTS } from "../../sim-core/params";
import { Streams } from "../../sim-core/rng";
import type { GuestConfig } from "../../sim-core/scenario";
import type { Dist } from "../../sim-core/scenario-workloads";
import { IRQ_HARD, IRQ_NMI, IRQ_SOFT } from "../../sim-core/sched/cpu";
import { Task } from "../../sim-core/sched/task";
import { guestHog, hog, MS, US, world } from "./world";

/**
 * As world() builds a guest, with a guest configuration of the test's own and its interrupt
 * sources started until `until` ns; every delivery is recorded.
 */
function vm(vcpus: number, guest: GuestConfig, until: number) {
  const eng = new Engine();
  const streams = new Streams(1);
  const host = new Host(eng, { cpus: vcpus, sched: {}, cost_model: "constant", noise: false }, streams);
  installKvmHostHooks(host);
  const g = new Guest(eng, streams, { name: "vm", vcpus, guest }, { constantCosts: true, noise: false, costScale: 1 });
  const costs = kvmCosts(null, { ...KVM_DEFAULTS, setscheduler_ns: SERIES_DEFAULTS.setscheduler_ns }, 1);
  const vs: Vcpu[] = [];
  for (let i = 0; i < vcpus; i++) {
    const v = new Vcpu(eng, host, "vm", i, g.cpus[i]!, costs, { maxNs: 0, grow: 2, growStart: 10_000, shrink: 0 }, true, false, 0);
    g.attach(v);
    vs.push(v);
    host.addTask(v.task, i, undefined);
  }
  for (const v of vs) host.wakeTask(v.task);
  const log: { t: number; cpu: number; source: IrqSource }[] = [];
  const deliver = g.deliver.bind(g);
  g.deliver = (i, source, ns, fn) => {
    log.push({ t: eng.now, cpu: i, source });
    return deliver(i, source, ns, fn);
  };
  host.start(until);
  g.start(until);
  return { eng, g, vs, log, runTo: (t: number) => void eng.run(t, Number.MAX_SAFE_INTEGER) };
}

test("NOHZ idle (the default) stops an idle vCPU's tick; nohz_idle: false keeps it every 4 ms", () => {
  for (const nohz of [undefined, false]) {
    const w = vm(2, nohz === undefined ? {} : { nohz_idle: false }, 3600e9);
    assert.equal(w.g.nohz, nohz === undefined);
    w.runTo(200 * MS);
    const ticks = w.log.filter((x) => x.source === "timer" && x.t >= 100 * MS && x.t < 200 * MS);
    // HZ 250: 25 ticks per 100 ms on each idle vCPU without NOHZ, none with it.
    assert.equal(ticks.length, nohz === undefined ? 0 : 50, `nohz_idle ${nohz}`);
    if (nohz === false) for (const x of ticks) assert.equal(x.t % (4 * MS), 0, "on the jiffy");
    // With NOHZ idle, a vCPU that never had a task never ticks, from boot on.
    else assert.equal(w.log.filter((x) => x.source === "timer").length, 0);
  }
});

test("the guest's tick stops at the first tick that finds its CPU idle, and restarts with the next enqueue", () => {
  const w = vm(1, {}, 3600e9);
  const g = w.g;
  const c = g.cpus[0]!;
  const t = new Task("t", { burstEnd: (x) => x.cpu!.sleepCurr() });
  g.addTask(t, 0);
  t.newTask = false;
  t.remaining = 5 * MS;
  w.runTo(1 * MS);
  // Woken by a device interrupt's handler on its vCPU (which kicks the halted vCPU).
  g.deliver(0, "device", 2 * US, () => g.wake(t));
  w.runTo(7 * MS);
  // It ran 5 ms from 1 ms (plus the kick, the entry and the 4 ms tick) and slept; the CPU is
  // idle but not yet nohz-idle.
  assert.equal(c.curr, null);
  assert.equal(g.rd.nohzIdle[0], false, "the tick still runs");
  w.runTo(8.5 * MS);
  assert.equal(g.rd.nohzIdle[0], true, "the 8 ms tick found it idle: nohz_balance_enter_idle()");
  const before = w.log.filter((x) => x.source === "timer").length;
  w.runTo(30 * MS);
  assert.equal(w.log.filter((x) => x.source === "timer").length, before, "no tick while idle");
  t.remaining = 10 * MS;
  g.deliver(0, "device", 2 * US, () => g.wake(t));
  w.runTo(41 * MS);
  const after = w.log.filter((x) => x.source === "timer" && x.t > 30 * MS);
  assert.ok(after.length >= 2, "ticking again while it runs");
  assert.equal(after[0]!.t, 32 * MS, "from the next jiffy");
});

test("the guest's RT period timer refills rt_runtime every rt_period up to `until`: 950 ms of each second", () => {
  const w = vm(1, {}, 2000 * MS);
  const rt = hog("rt", "fifo", 50);
  w.g.addTask(rt, 0);
  w.g.wake(rt);
  w.runTo(4000 * MS);
  // Refilled at 1 s and at 2 s (the last period timer, at `until` itself): 950 ms in each of
  // [0, 1 s), [1 s, 2 s) and [2 s, 3 s), then throttled for good (the throttle is seen at a
  // tick: a few ms more).
  assert.ok(rt.runtimeNs > 2800 * MS && rt.runtimeNs < 2900 * MS, `${rt.runtimeNs / MS} ms`);
});

test("NMIs at nmi_hz on every vCPU (entered as NMIs), device interrupts on vCPU 0 with a softirq each; none after `until`", () => {
  const w = vm(2, { irq: { nmi_hz: 1000, device_irq_hz: 1000 } }, 100 * MS);
  const kinds: number[] = [];
  for (const c of w.g.cpus) c.hooks.onIrqEntry = (_c, kind) => kinds.push(kind);
  let softirqs = 0;
  const softirq = w.g.softirq.bind(w.g);
  w.g.softirq = (i) => {
    softirqs++;
    softirq(i);
  };
  w.runTo(300 * MS);
  const n = (cpu: number, source: IrqSource) => w.log.filter((x) => x.cpu === cpu && x.source === source).length;
  // Poisson arrivals, 100 expected in 100 ms: within 4 standard deviations.
  for (const cpu of [0, 1]) assert.ok(n(cpu, "nmi") > 60 && n(cpu, "nmi") < 140, `vCPU ${cpu}: ${n(cpu, "nmi")} NMIs`);
  assert.ok(n(0, "device") > 60 && n(0, "device") < 140, `${n(0, "device")} device interrupts`);
  assert.equal(n(1, "device"), 0);
  assert.ok(
    w.log.every((x) => x.t <= 100 * MS || x.source === "timer"),
    "no NMI or device interrupt after until",
  );
  w.runTo(301 * MS);
  assert.equal(softirqs, n(0, "device"));
  assert.equal(kinds.filter((k) => k === IRQ_NMI).length, n(0, "nmi") + n(1, "nmi"));
  assert.ok(kinds.filter((k) => k === IRQ_HARD).length >= n(0, "device"));
  assert.ok(kinds.filter((k) => k === IRQ_SOFT).length >= n(0, "device"), "each handler's softirq runs");
});

test("handler durations scale with the hardware's cost scale; irqVcpu: the pinned vCPU, else vCPU 0", () => {
  const g = new Guest(new Engine(), new Streams(1), { name: "vm", vcpus: 2 }, { constantCosts: true, noise: false, costScale: 2 });
  const median = (d: Dist) => {
    assert.ok("lognormal_median_us" in d, "the handler costs are log-normal");
    return d.lognormal_median_us;
  };
  assert.equal(median(g.irq.timer_handler), 2 * median(GUEST_IRQ_DEFAULTS.timer_handler));
  assert.equal(median(g.irq.device_irq_handler), 2 * median(GUEST_IRQ_DEFAULTS.device_irq_handler));
  const t = new Task("t", { burstEnd: () => {} });
  g.addTask(t, 1);
  assert.equal(g.irqVcpu(t), 1);
  const u = new Task("u", { burstEnd: () => {} });
  g.addTask(u, undefined);
  assert.equal(g.irqVcpu(u), 0);
});

test("nanosleep: a fair task's timer fires timer_slack_ns (50 us) late, an RT task's on time", () => {
  for (const policy of ["other", "fifo"] as const) {
    const w = world(1, 1);
    const g = w.guest!;
    const t = new Task("t", { burstEnd: () => {} }, policy, policy === "fifo" ? 10 : 0);
    g.addTask(t, 0);
    w.runTo(10 * MS);
    let woke = -1;
    const at = 20 * MS + 3 * US;
    g.sleepUntil(t, at, () => {
      woke = w.eng.now;
    });
    w.runTo(21 * MS);
    const slack = policy === "fifo" ? 0 : 50 * US;
    // The vCPU halts meanwhile: the timer's kick, the entry and the handler take a few us.
    assert.ok(woke >= at + slack && woke < at + slack + 20 * US, `${policy}: woke ${(woke - at) / US} us after`);
  }
});

test("hrtimer expiry: fair timers due together run in expiry order whatever order they were armed in, equal ones in arming order", () => {
  for (const order of [
    [2, 0, 1],
    [0, 2, 1],
  ]) {
    const w = world(1, 1);
    const g = w.guest!;
    w.runTo(10 * MS);
    // Soft expiries 20.000, 20.010, 20.020 ms; fair tasks, so hard = soft + 50 us: one interrupt
    // at 20.050 ms finds all three due.
    const ran: number[] = [];
    for (const k of order) {
      const t = new Task(`t${k}`, { burstEnd: () => {} });
      g.addTask(t, 0);
      g.sleepUntil(t, 20 * MS + k * 10 * US, () => ran.push(k));
    }
    w.runTo(21 * MS);
    assert.deepEqual(ran, [0, 1, 2], `armed ${order}`);
  }
  // Three timers of the same expiry run in arming order (timerqueue_add() puts an
  // equal key to the right).
  const w = world(1, 1);
  const g = w.guest!;
  w.runTo(10 * MS);
  const ran: string[] = [];
  for (const name of ["a", "b", "c"]) {
    const t = new Task(name, { burstEnd: () => {} });
    g.addTask(t, 0);
    g.sleepUntil(t, 20 * MS, () => ran.push(name));
  }
  w.runTo(21 * MS);
  assert.deepEqual(ran, ["a", "b", "c"]);
});

test("hrtimer expiry walks the queue in hard-expiry order and stops at the first timer whose soft expiry is ahead (__hrtimer_run_queues)", () => {
  const w = world(1, 1);
  const g = w.guest!;
  w.runTo(10 * MS);
  // R and Y are FIFO (no slack): hard = soft = 20.030 and 20.040 ms. F is fair: soft 20.000 ms,
  // hard 20.050 ms. The interrupt at 20.030 ms runs R; Y heads the queue next and is not due,
  // so the walk stops there although F's soft expiry has passed. F runs after Y at 20.040 ms.
  const ran: { name: string; at: number }[] = [];
  const arm = (name: string, policy: "fifo" | "other", at: number) => {
    const t = new Task(name, { burstEnd: () => {} }, policy, policy === "fifo" ? 10 : 0);
    g.addTask(t, 0);
    g.sleepUntil(t, at, () => ran.push({ name, at: w.eng.now }));
  };
  arm("F", "other", 20 * MS);
  arm("R", "fifo", 20 * MS + 30 * US);
  arm("Y", "fifo", 20 * MS + 40 * US);
  w.runTo(21 * MS);
  assert.deepEqual(
    ran.map((r) => r.name),
    ["R", "Y", "F"],
  );
  assert.ok(ran[0]!.at < 20 * MS + 40 * US, "R runs in the 20.030 ms interrupt");
  assert.ok(ran[2]!.at >= 20 * MS + 40 * US && ran[2]!.at < 20 * MS + 50 * US, "F runs in Y's interrupt, before its own hard expiry");
});

test("the LAPIC timer is programmed for the earliest hard expiry; writing it from guest mode is one fastpath MSR exit, not rewritten for a later timer", () => {
  const { w, g, v } = guestHog(5 * MS + 100 * US);
  assert.equal(v.mode, "guest");
  const msr = () => v.exits.msr_other;
  const m0 = msr();
  const rt = (name: string) => {
    const t = new Task(name, { burstEnd: () => {} }, "fifo", 10);
    g.addTask(t, 0);
    return t;
  };
  let early = -1;
  // The tick's timer (8 ms) is armed: a later timer does not reprogram the LAPIC.
  g.sleepUntil(rt("late"), 9 * MS, () => {});
  assert.equal(msr(), m0, "9 ms: after the 8 ms tick, no write");
  g.sleepUntil(rt("early"), 6 * MS, () => {
    early = w.eng.now;
  });
  assert.equal(msr(), m0 + 1, "6 ms: the new earliest, one TSC-deadline write");
  w.runTo(6 * MS + 50 * US);
  assert.ok(early >= 6 * MS && early < 6 * MS + 20 * US, `fired at ${early / MS} ms`);
});

/** Records the guest-side hooks of the series. */
function recorder() {
  const calls: string[] = [];
  const pv: GuestPvHooks = {
    onSchedule: () => {},
    onEnqueue: (v, t) => calls.push(`enqueue ${t.name} by vcpu${v.index}`),
    onUserReturn: () => {},
    onIrqEntry: (v) => calls.push(`entry vcpu${v.index}`),
    onIrqExit: (v) => calls.push(`exit vcpu${v.index}`),
  };
  return { calls, pv };
}

test("patch 7's enqueue hook runs on the executing vCPU (the waker's for a remote enqueue), and 8's irq entry/exit hooks around a handler", () => {
  const w = world(2, 2);
  const g = w.guest!;
  for (const i of [0, 1]) {
    const h = hog(`h${i}`);
    g.addTask(h, i);
    g.wake(h);
  }
  w.runTo(10 * MS);
  const { calls, pv } = recorder();
  g.setPv(pv);
  // A task pinned to vCPU 1 (busy: enqueued at once) woken by vCPU 0's device interrupt handler.
  const t = new Task("t", { burstEnd: (x) => x.cpu!.sleepCurr() });
  g.addTask(t, 1);
  t.newTask = false;
  t.remaining = 10 * US;
  let pending: boolean | null = null;
  g.deliver(0, "device", 2 * US, () => {
    g.wake(t);
    pending = t.wakePending;
  });
  w.runTo(10 * MS + 100 * US);
  assert.equal(pending, false, "a busy vCPU: activated at once");
  assert.deepEqual(
    calls.filter((s) => s.includes("vcpu0")),
    ["entry vcpu0", "enqueue t by vcpu0", "exit vcpu0"],
  );
});

test("a wakeup from a guest handler uses the executing vCPU as this_cpu: an idle other vCPU gets it through its wake list", () => {
  const w = world(2, 2);
  const g = w.guest!;
  const h = hog("h0");
  g.addTask(h, 0);
  g.wake(h);
  w.runTo(10 * MS);
  const t = new Task("t", { burstEnd: (x) => x.cpu!.sleepCurr() });
  g.addTask(t, 1);
  t.newTask = false;
  t.remaining = 10 * US;
  let pending: boolean | null = null;
  let kick: boolean | null = null;
  g.deliver(0, "device", 2 * US, () => {
    g.wake(t);
    pending = t.wakePending;
    // The IPI kicked vCPU 1's halted thread: host CPU 1 is idle and not the sender's CPU 0,
    // so the thread's wakeup goes on host CPU 1's wake list too.
    kick = w.vcpus[1]!.task.wakePending;
  });
  w.runTo(10 * MS + 200 * US);
  assert.equal(pending, true, "vCPU 1 is idle and not the waker's");
  assert.equal(kick, true, "the kick: the host CPU running vCPU 0 is the waker");
  assert.ok(t.runtimeNs >= 10 * US, "it ran on vCPU 1");
});

test("re-arming the next tick after each tick's interrupt is one fastpath MSR exit", () => {
  const { w, v } = guestHog(102 * MS);
  const msr = v.exits.msr_other;
  w.runTo(202 * MS);
  // 25 ticks in (102 ms, 202 ms]: hrtimer_interrupt() reprograms the TSC deadline after each.
  // (The host's tick, on the same jiffies, makes the vCPU exit first: the guest's timer is
  // injected at the entry, so these are not preemption-timer exits.)
  assert.equal(v.exits.msr_other - msr, 25);
});

test("a timer in guest mode: the VMX preemption timer's fastpath exit is spent before the guest's handler", () => {
  const { w, g, v } = guestHog(5 * MS + 100 * US);
  assert.equal(v.mode, "guest");
  const t0 = w.eng.now;
  let done = -1;
  g.deliver(0, "timer", 2 * US, () => {
    done = w.eng.now;
  });
  w.runTo(t0 + 50 * US);
  assert.equal(done, t0 + v.costs.fastpathNs("timer") + 2 * US);
});

test("a posted device interrupt's handler starts at once in guest mode (no exit, no wait for a later event)", () => {
  const { w, g } = guestHog(5 * MS + 100 * US, { posted_interrupts: true });
  const t0 = w.eng.now;
  let done = -1;
  g.deliver(0, "device", 2 * US, () => {
    done = w.eng.now;
  });
  w.runTo(t0 + 50 * US);
  assert.equal(done, t0 + 2 * US);
});

test("block(): the running task leaves its CPU with no timer, and is past its fork placement", () => {
  const w = world(1, 1);
  const g = w.guest!;
  const t = hog("t");
  g.addTask(t, 0);
  g.wake(t);
  w.runTo(5 * MS);
  assert.equal(g.cpus[0]!.curr, t);
  let blocked = false;
  g.deliver(0, "device", 2 * US, () => {
    g.block(t);
    blocked = true;
  });
  w.runTo(6 * MS);
  assert.ok(blocked);
  assert.equal(t.newTask, false);
  assert.equal(t.onRq, false);
  assert.equal(g.cpus[0]!.curr, null);
  // Blocking a task that is not running changes nothing on its CPU.
  const u = hog("u");
  g.addTask(u, 0);
  g.deliver(0, "device", 2 * US, () => g.wake(u));
  w.runTo(7 * MS);
  g.block(t);
  assert.equal(g.cpus[0]!.curr, u);
});

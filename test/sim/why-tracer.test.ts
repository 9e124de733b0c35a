/**
 * The latency tracer (sim-core/why.ts) on small hand-built worlds (test/sim/world.ts: constant
 * costs, no noise), with the thread's timer armed by the test as cyclictest arms it. The
 * expected parts come from the construction: a host CPU with nothing queued pays the hrtimer
 * interrupt and the context switch at their medians (params.ts COST_DEFAULTS), a timer armed
 * past its expiry (slack) is timer time, a FIFO thread in front is host wait until its work is
 * done; the bookkeeping (samples, unexplained, not followed, the worst, the tail, a cut chain)
 * from how many samples the test makes and when.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { hog, MS, startOn, US } from "./world";
import { burst, guestTimer, HRTIMER, hostTimer, result, SWITCH, traced, worst, zeroParts } from "./why-traced";
import { MAX_LATE_SAMPLES } from "../../sim-core/why";
import { histBin } from "../../sim-core/metrics";
import { Task } from "../../sim-core/sched/task";
import { chainText } from "../../sim-core/why-labels";

test("a host FIFO thread on an idle CPU: the hrtimer interrupt, then the switch, at their medians", () => {
  const x = traced(1);
  hostTimer(x, [2 * MS]);
  x.w.runTo(3 * MS);
  const r = result(x);
  assert.deepEqual(r, {
    parts_ns: { ...zeroParts, host_irq: HRTIMER, context_switch: SWITCH },
    samples: 1,
    unexplained: 0,
    worst: {
      wake_ns: 2 * MS,
      run_ns: 2 * MS + HRTIMER + SWITCH,
      latency_ns: HRTIMER + SWITCH,
      parts_ns: { ...zeroParts, host_irq: HRTIMER, context_switch: SWITCH },
      chain: [
        { t_ns: 2 * MS, part: "host_irq", text: "timer expired at 0.002000 s" },
        { t_ns: 2 * MS, part: "host_irq", text: "interrupt work on CPU 0" },
        { t_ns: 2 * MS + HRTIMER, part: "context_switch", text: "context switch to ct on CPU 0 at +1.5 us" },
        { t_ns: 2 * MS + HRTIMER + SWITCH, part: "ran", text: "ran at +2.7 us (CPU 0)" },
      ],
    },
  });
});

test("timer slack is timer time, and a busy CPU's hog is preempted at once by the woken FIFO thread", () => {
  const x = traced(1);
  startOn(x.w, 0, hog("h"));
  hostTimer(x, [2 * MS], { slack: 50 * US });
  x.w.runTo(3 * MS);
  const w = worst(x);
  assert.deepEqual(w.parts_ns, { ...zeroParts, timer: 50 * US, host_irq: HRTIMER, context_switch: SWITCH });
  assert.equal(
    chainText(w.chain),
    "timer expired at 0.002000 s → hrtimer not fired yet on CPU 0 (timer slack, interrupt delivery) → interrupt work on CPU 0 at +50.0 us → context switch to ct on CPU 0 at +51.5 us → ran at +52.7 us (CPU 0)",
  );
});

test("behind a higher-priority FIFO thread: host wait until its work is done, with who ran instead", () => {
  const x = traced(1);
  const T = 2 * MS;
  // The blocker starts 10 us early and needs 100 us of CPU; the hrtimer interrupt steals 1.5 us of it.
  burst(x.w, "blocker", T - 10 * US, 100 * US);
  hostTimer(x, [T]);
  x.w.runTo(3 * MS);
  const blockerDone = T - 10 * US + SWITCH + 100 * US + HRTIMER;
  const w = worst(x);
  assert.deepEqual(w.parts_ns, { ...zeroParts, host_irq: HRTIMER, host_wait: blockerDone - T - HRTIMER, context_switch: SWITCH });
  assert.equal(w.run_ns, blockerDone + SWITCH);
  assert.equal(
    chainText(w.chain),
    "timer expired at 0.002000 s → interrupt work on CPU 0 → ct runnable on CPU 0, behind blocker (FIFO 60) at +1.5 us → context switch to ct on CPU 0 at +92.7 us → ran at +93.9 us (CPU 0)",
  );
});

test("a guest thread whose vCPU is halted: the host hrtimer of its LAPIC timer, the host switch, the entry, then the guest", () => {
  const x = traced(1, 1);
  guestTimer(x, [2 * MS]);
  x.w.runTo(3 * MS);
  const w = worst(x);
  assert.equal(w.parts_ns.timer, 0);
  assert.equal(w.parts_ns.host_irq, HRTIMER);
  assert.equal(w.parts_ns.host_wait, 0);
  assert.equal(w.parts_ns.guest_wait, 0);
  // The host's switch to the vCPU thread and the guest's to the thread.
  assert.equal(w.parts_ns.context_switch, 2 * SWITCH);
  assert.ok(w.parts_ns.exit_entry > 0 && w.parts_ns.guest_irq > 0);
  const text = chainText(w.chain);
  assert.match(
    text,
    /^timer expired at 0\.002000 s → interrupt work on CPU 0 while vm\/vcpu0 is halted in kvm_vcpu_block → host context switch to vm\/vcpu0 on CPU 0 \(with its cache refill\) at \+1\.5 us → VM entry of vm\/vcpu0 on CPU 0 at \+2\.7 us → guest interrupt handler on vm\/vcpu0 at /,
  );
  assert.match(text, /guest context switch to ct on vm\/vcpu0 at .* → ran at \+[0-9.]+ us \(vm\/vcpu0, CPU 0\)$/);
  assert.deepEqual(
    w.chain.map((l) => l.part),
    ["host_irq", "host_irq", "context_switch", "exit_entry", "guest_irq", "exit_entry", "context_switch", "ran"],
  );
});

test("a guest thread whose vCPU is in guest mode: a fastpath exit, no host part", () => {
  const x = traced(1, 1);
  const g = hog("g-hog");
  x.w.guest!.addTask(g, 0);
  x.w.guest!.wake(g);
  guestTimer(x, [2 * MS]);
  x.w.runTo(3 * MS);
  const w = worst(x);
  assert.equal(w.parts_ns.host_irq + w.parts_ns.host_wait + w.parts_ns.timer, 0);
  assert.equal(w.parts_ns.context_switch, SWITCH);
  assert.match(
    chainText(w.chain),
    /^timer expired at 0\.002000 s → fastpath VM exit \(PREEMPTION_TIMER\) on vm\/vcpu0 → guest interrupt handler/,
  );
});

test("a guest thread whose vCPU thread is preempted by a host CFS hog: host wait behind it, no kick, the vruntime CFS compared", () => {
  const x = traced(1, 1);
  startOn(x.w, 0, hog("h"));
  guestTimer(x, [2 * MS]);
  x.w.runTo(30 * MS);
  const w = worst(x);
  assert.ok(w.parts_ns.host_wait > 0.9 * w.latency_ns, `host_wait ${w.parts_ns.host_wait} of ${w.latency_ns}`);
  // CFS runs the smaller vruntime: the waiting vCPU thread's is ahead of the hog's.
  assert.match(
    chainText(w.chain),
    /^timer expired at 0\.002000 s → vm\/vcpu0 preempted on CPU 0 by h \(CFS, vruntime ahead by [0-9.]+ (us|ms)\) → no kick, because it is the preemption timer of a preempted vCPU/,
  );
});

test("samples: those before the probe's warm-up are not counted, one whose expiry was not traced is unexplained", () => {
  const x = traced(1, 0, false, 3 * MS);
  hostTimer(x, [2 * MS, 4 * MS, 6 * MS]);
  // A second thread whose expiries the tracer is not told (not armed) and one armed at a time other than its wake-up's.
  hostTimer(x, [5 * MS], { name: "unarmed", arm: false });
  const off = hostTimer(x, [7 * MS], { name: "off" });
  off.onWakeLatency = (
    (f) => (lat: number, now: number) =>
      f!(lat + 1, now)
  )(off.onWakeLatency);
  x.w.runTo(8 * MS);
  const r = result(x);
  assert.equal(x.probe.result().latency.count, 4);
  assert.equal(r.samples, 2);
  assert.equal(r.unexplained, 2);
  assert.equal(r.not_followed, undefined);
  assert.deepEqual(r.parts_ns, { ...zeroParts, host_irq: 2 * HRTIMER, context_switch: 2 * SWITCH });
});

test("the worst sample is the first of the largest, as the probe's max_at_ns", () => {
  const x = traced(1);
  // Three samples: 2.7 us, then twice the same behind a 20 us blocker (no tick between).
  hostTimer(x, [2 * MS, 2.3 * MS, 2.6 * MS]);
  burst(x.w, "b1", 2.3 * MS - 1 * US, 20 * US);
  burst(x.w, "b2", 2.6 * MS - 1 * US, 20 * US);
  x.w.runTo(3 * MS);
  // The median of three is the largest: the last two are equal.
  const lat = x.probe.result().latency;
  assert.equal(lat.p50_us, lat.max_us);
  const w = worst(x);
  assert.equal(w.wake_ns, 2.3 * MS);
  assert.equal(w.run_ns, x.probe.maxAtNs);
  assert.match(chainText(w.chain), /behind b1 \(FIFO 60\)/);
});

test("with keepTail, the worst sample of each tail bin, worst bin first; without, none", () => {
  // Ten samples: the tail (from the 90th percentile's rank, the 9th) is the two largest.
  const times = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20].map((m) => m * MS);
  const run = (keepTail: boolean) => {
    const x = traced(1, 0, keepTail);
    hostTimer(x, times);
    // Blockers of 300 us and 40 us in front of two samples: two bins above the rest.
    burst(x.w, "b300", 8 * MS - 1 * US, 300 * US);
    burst(x.w, "b40", 16 * MS - 1 * US, 40 * US);
    x.w.runTo(21 * MS);
    return { x, r: result(x) };
  };
  const { x, r } = run(true);
  const h = x.probe.result().latency;
  assert.ok(r.tail);
  assert.deepEqual(
    r.tail.map((s) => [s.bin, s.wake_ns]),
    [
      [histBin(r.worst!.latency_ns), 8 * MS],
      [histBin(r.tail[1]!.latency_ns), 16 * MS],
    ],
  );
  assert.ok(r.tail[0]!.bin > r.tail[1]!.bin);
  assert.deepEqual(r.tail[0], { bin: r.tail[0]!.bin, ...r.worst });
  assert.match(chainText(r.tail[1]!.chain), /behind b40 \(FIFO 60\)/);
  assert.equal(h.count, 10);
  const plain = run(false).r;
  const { tail: _t, ...rest } = r;
  assert.deepEqual(plain, rest);
});

test("more late samples at once than the tracer follows: the rest are counted not followed", () => {
  const x = traced(1);
  const n = MAX_LATE_SAMPLES + 8;
  for (let i = 0; i < n; i++) hostTimer(x, [2 * MS], { name: `ct${i}`, prio: 50 });
  x.w.runTo(4 * MS);
  const r = result(x);
  assert.equal(x.probe.result().latency.count, n);
  assert.equal(r.samples, MAX_LATE_SAMPLES);
  assert.equal(r.unexplained, 8);
  assert.equal(r.not_followed, 8);
});

test("a chain longer than the steps kept is cut, and its parts still sum to the latency", () => {
  const x = traced(1);
  // Forty short FIFO threads, each in front of the sample in turn: a new link for each.
  for (let i = 0; i < 40; i++) burst(x.w, `b${i}`, 2 * MS - 1 * US, 2 * US, 60);
  hostTimer(x, [2 * MS]);
  x.w.runTo(3 * MS);
  const w = worst(x);
  assert.equal(w.chain.at(-2)!.text, "… (more steps than kept)");
  // The expiry, 32 kept steps, the cut, the first instruction.
  assert.equal(w.chain.length, 1 + 32 + 2);
  assert.ok(w.parts_ns.host_wait > 40 * 2 * US);
});

test("a device's period interrupt: the sample counts from the interrupt, and the chain says so", () => {
  const x = traced(1);
  const { w, tr, probe } = x;
  const t = new Task("audio", { burstEnd: (me) => me.cpu!.sleepCurr() }, "fifo", 50);
  t.onWakeLatency = (lat, now) => probe.record(lat, now);
  tr.watchTask(t, "host");
  t.newTask = false;
  w.host.addTask(t, 0, undefined);
  const at = 2 * MS;
  w.eng.at(at, () => {
    const c = w.host.cpus[0]!;
    c.raiseIrq(
      HRTIMER,
      tr.deviceIrq(t, () => {
        t.wakeTarget = at;
        t.remaining = 10 * US;
        w.host.wakeTask(t);
      }),
    );
  });
  w.runTo(3 * MS);
  const s = worst(x);
  assert.equal(s.wake_ns, at);
  assert.deepEqual(s.parts_ns, { ...zeroParts, host_irq: HRTIMER, context_switch: SWITCH });
  assert.match(chainText(s.chain), /^period interrupt raised at 0\.002000 s → interrupt work on CPU 0/);
});

/**
 * The scenario rules (sim-core/limits.ts) called directly, each at its boundary: the value on
 * the rule passes, one step past it is refused with the field's path. The boundaries are the
 * kernel's (sched_setscheduler(2): RT priority 1..99, nice -20..19; kernel/sched/rt.c: runtime
 * <= period or -1; a tick cost under 1/HZ), the simulator's integer nanoseconds (a period must
 * outlast a context switch) and the hard limits of LIMITS.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkLimits, checkScenario, LIMITS, ruleProblem } from "../../sim-core/limits";
import type { Scenario, VmConfig, Workload } from "../../sim-core/scenario";

const base = (): Scenario => ({ name: "x", host: { cpus: 2 } });
const host = (...workloads: Workload[]): Scenario => ({ name: "x", host: { cpus: 2, workloads } });
const guest = (vm: Partial<VmConfig>): Scenario => ({ name: "x", host: { cpus: 2 }, vms: [{ name: "vm0", vcpus: 2, ...vm }] });
/** "path: message" of every issue (warnings marked). */
const said = (s: Scenario) => checkScenario(s).map((i) => `${i.severity === "warning" ? "warning " : ""}${i.path}: ${i.message}`);

test("ruleProblem: finite, whole, min and max inclusive, gt exclusive", () => {
  assert.equal(ruleProblem({ min: 0 }, Number.NaN), "must be a finite number (got NaN)");
  assert.equal(ruleProblem({}, Number.POSITIVE_INFINITY), "must be a finite number (got Infinity)");
  assert.equal(ruleProblem({}, "3" as unknown as number), "must be a finite number (got 3)");
  assert.equal(ruleProblem({ int: true }, 1.5), "must be a whole number (got 1.5)");
  assert.equal(ruleProblem({ int: true }, 2), undefined);
  assert.equal(ruleProblem({ min: 1 }, 1), undefined);
  assert.equal(ruleProblem({ min: 1 }, 0.5), "must be >= 1 (got 0.5)");
  assert.equal(ruleProblem({ gt: 0 }, 0), "must be > 0 (got 0)");
  assert.equal(ruleProblem({ gt: 0 }, 1e-9), undefined);
  assert.equal(ruleProblem({ max: 99 }, 99), undefined);
  assert.equal(ruleProblem({ max: 99 }, 100), "must be <= 99 (got 100)");
  assert.equal(ruleProblem({ min: 0, max: 10 }, -1), "must be >= 0 (got -1)");
});

test("field ranges reach every section, by path", () => {
  const s: Scenario = {
    name: "x",
    seed: -1,
    duration_s: 0,
    max_events: 0,
    host: { cpus: 2, cost_scale: 11, kvm: { exit_ns: -1 }, cpuidle_states: [{ name: "C1", exit_latency_us: -1, target_residency_us: 0 }] },
    pvsched: { boost_priority: 100 },
    timeline: { max_segments: 0 },
    modes: [{ mode: "static", static_priority: 0 }],
  };
  assert.deepEqual(said(s), [
    "seed: must be >= 0 (got -1)",
    "duration_s: must be > 0 (got 0)",
    "max_events: must be >= 1 (got 0)",
    "timeline.max_segments: must be >= 1 (got 0)",
    "pvsched.boost_priority: must be <= 99 (got 100)",
    "host.cost_scale: must be <= 10 (got 11)",
    "host.kvm.exit_ns: must be >= 0 (got -1)",
    "host.cpuidle_states.0.exit_latency_us: must be >= 0 (got -1)",
    "modes.0.static_priority: must be >= 1 (got 0)",
  ]);
  assert.deepEqual(said({ name: "x", host: { cpus: LIMITS.host_cpus + 1 } }), [`host.cpus: must be <= ${LIMITS.host_cpus} (got 257)`]);
  assert.deepEqual(said({ name: "x", host: { cpus: LIMITS.host_cpus } }), []);
});

test("distributions: const >= 0, uniform ordered, exp mean > 0, log-normal median > 0, cap >= median, gsd >= 1", () => {
  const at = (work: unknown) => said(host({ kind: "periodic", period_us: 1000, work } as Workload));
  assert.deepEqual(at({ const_us: 0 }), []);
  assert.deepEqual(at({ const_us: -0.5 }), ["host.workloads.0.work.const_us: must be >= 0 (got -0.5)"]);
  assert.deepEqual(at({ uniform_us: [0, 0] }), []);
  assert.deepEqual(at({ uniform_us: [-1, 5] }), ["host.workloads.0.work.uniform_us.0: must be >= 0 (got -1)"]);
  assert.deepEqual(at({ uniform_us: [5, 4] }), ["host.workloads.0.work.uniform_us: upper bound 4 is below lower bound 5"]);
  assert.deepEqual(at({ exp_mean_us: 0 }), ["host.workloads.0.work.exp_mean_us: must be > 0 (got 0)"]);
  assert.deepEqual(at({ exp_mean_us: 0.001 }), []);
  assert.deepEqual(at({ lognormal_median_us: 0, lognormal_gsd: 1 }), ["host.workloads.0.work.lognormal_median_us: must be > 0 (got 0)"]);
  assert.deepEqual(at({ lognormal_median_us: 5, lognormal_gsd: 1, max_us: 5 }), []);
  assert.deepEqual(at({ lognormal_median_us: 5, lognormal_gsd: 1, max_us: 4.9 }), [
    "host.workloads.0.work.max_us: must be >= lognormal_median_us (5) (got 4.9)",
  ]);
  assert.deepEqual(at({ lognormal_median_us: 5, lognormal_gsd: 0.99 }), [
    "host.workloads.0.work.lognormal_gsd: must be >= 1 (a geometric standard deviation; got 0.99)",
  ]);
  // Every place a distribution is read.
  const bursty = { kind: "bursty", gap: { const_us: -1 }, work: { const_us: -2 } } as Workload;
  assert.deepEqual(said(guest({ workloads: [bursty], guest: { irq: { softirq: { exp_mean_us: 0 } } } })), [
    "vms.0.guest.irq.softirq.exp_mean_us: must be > 0 (got 0)",
    "vms.0.workloads.0.gap.const_us: must be >= 0 (got -1)",
    "vms.0.workloads.0.work.const_us: must be >= 0 (got -2)",
  ]);
  assert.deepEqual(said({ name: "x", host: { cpus: 1, timer_delivery: { const_us: -1 } } }), [
    "host.timer_delivery.const_us: must be >= 0 (got -1)",
  ]);
  const ct = { kind: "cyclictest", work: { const_us: -1 } } as Workload;
  const audio = { kind: "audio", buffer_frames: 96, work: { const_us: -1 } } as Workload;
  assert.deepEqual(said(host(ct, audio)), [
    "host.workloads.0.work.const_us: must be >= 0 (got -1)",
    "host.workloads.1.work.const_us: must be >= 0 (got -1)",
  ]);
});

test("RT throttling: runtime -1 or 0..period (kernel/sched/rt.c); the tick must be shorter than 1/HZ", () => {
  const sched = (c: object) => said({ name: "x", host: { cpus: 1, sched: c } });
  assert.deepEqual(sched({ rt_runtime_us: -1 }), []);
  assert.deepEqual(sched({ rt_runtime_us: 0 }), []);
  assert.deepEqual(sched({ rt_runtime_us: 1_000_000 }), []);
  assert.deepEqual(sched({ rt_runtime_us: 1_000_001 }), [
    "host.sched.rt_runtime_us: must be -1 or 0..rt_period_us (1000000) (got 1000001)",
  ]);
  assert.deepEqual(sched({ rt_runtime_us: -0.5 }), ["host.sched.rt_runtime_us: must be -1 or 0..rt_period_us (1000000) (got -0.5)"]);
  assert.deepEqual(sched({ rt_period_us: 10_000, rt_runtime_us: 10_001 }), [
    "host.sched.rt_runtime_us: must be -1 or 0..rt_period_us (10000) (got 10001)",
  ]);
  // HZ 250 by default: a 4 ms tick.
  assert.deepEqual(sched({ tick_cost_ns: 3_999_999 }), []);
  assert.deepEqual(sched({ tick_cost_ns: 4_000_000 }), [
    "host.sched.tick_cost_ns: must be shorter than the tick period (4000000 ns at hz = 250)",
  ]);
  assert.deepEqual(sched({ hz: 1000, tick_cost_ns: 1_000_000 }), [
    "host.sched.tick_cost_ns: must be shorter than the tick period (1000000 ns at hz = 1000)",
  ]);
  // The guest's own kernel.
  assert.deepEqual(said(guest({ guest: { sched: { rt_runtime_us: 2_000_000 } } })), [
    "vms.0.guest.sched.rt_runtime_us: must be -1 or 0..rt_period_us (1000000) (got 2000000)",
  ]);
});

test("a period must be longer than a context switch (2000 ns unless the kernel's own is set)", () => {
  const periodic = (period_us: number) => ({ kind: "periodic", period_us, work: { const_us: 1 } }) as Workload;
  assert.deepEqual(said(host(periodic(2.001))), []);
  assert.deepEqual(said(host(periodic(2))), [
    "host.workloads.0.period_us: 2 us is not longer than a context switch (context_switch_ns = 2000)",
  ]);
  const cs = (c: number, w: Workload) => said({ name: "x", host: { cpus: 2, sched: { context_switch_ns: c }, workloads: [w] } });
  assert.deepEqual(cs(500, periodic(0.5)), [
    "host.workloads.0.period_us: 0.5 us is not longer than a context switch (context_switch_ns = 500)",
  ]);
  assert.deepEqual(cs(500, periodic(0.501)), []);
  // The guest's context switch for guest workloads, the host's for host ones.
  const g = (c: number) => said(guest({ guest: { sched: { context_switch_ns: c } }, workloads: [periodic(3)] }));
  assert.deepEqual(g(2999), []);
  assert.deepEqual(g(3000), ["vms.0.workloads.0.period_us: 3 us is not longer than a context switch (context_switch_ns = 3000)"]);
  assert.deepEqual(said(guest({ workloads: [{ kind: "cyclictest", interval_us: 2 }] })), [
    "vms.0.workloads.0.interval_us: 2 us is not longer than a context switch (context_switch_ns = 2000)",
  ]);
  // An audio buffer's period: 1 frame at 768 kHz is 1.302 us; 2 frames at 768 kHz 2.604 us.
  assert.deepEqual(said(host({ kind: "audio", buffer_frames: 2, sample_rate_hz: 768_000 })), []);
  assert.deepEqual(said(host({ kind: "audio", buffer_frames: 1, sample_rate_hz: 768_000 })), [
    `host.workloads.0.buffer_frames: a buffer period of ${1e6 / 768_000} us is not longer than a context switch (context_switch_ns = 2000)`,
  ]);
  // 48 kHz by default: 1 frame is 20.8 us.
  assert.deepEqual(said(host({ kind: "audio", buffer_frames: 1 })), []);
  assert.deepEqual(cs(21_000, { kind: "audio", buffer_frames: 1 }), [
    `host.workloads.0.buffer_frames: a buffer period of ${1e6 / 48_000} us is not longer than a context switch (context_switch_ns = 21000)`,
  ]);
});

test("thread attributes: probe ids unique, priorities only for fifo/rr and 1..99 there, CPUs that exist", () => {
  assert.deepEqual(said(host({ kind: "spin", id: "a" }, { kind: "spin", id: "b" })), []);
  assert.deepEqual(
    said({ ...guest({ workloads: [{ kind: "spin", id: "a" }] }), host: { cpus: 2, workloads: [{ kind: "spin", id: "a" }] } }),
    ['vms.0.workloads.0.id: duplicate probe id "a" (also used at host.workloads[0])'],
  );
  assert.deepEqual(said(host({ kind: "spin", priority: 5 })), [
    "host.workloads.0.priority: a priority applies to fifo/rr only (policy is other); Linux refuses it",
  ]);
  assert.deepEqual(said(host({ kind: "spin", policy: "batch", priority: 5 })), [
    "host.workloads.0.priority: a priority applies to fifo/rr only (policy is batch); Linux refuses it",
  ]);
  assert.deepEqual(said(host({ kind: "spin", priority: 0 })), []);
  assert.deepEqual(said(host({ kind: "spin", policy: "fifo" })), [
    "host.workloads.0.priority: policy fifo needs priority 1..99 (Linux refuses 0)",
  ]);
  assert.deepEqual(said(host({ kind: "spin", policy: "rr", priority: 0 })), [
    "host.workloads.0.priority: policy rr needs priority 1..99 (Linux refuses 0)",
  ]);
  assert.deepEqual(said(host({ kind: "spin", policy: "rr", priority: 1 }, { kind: "spin", policy: "fifo", priority: 99 })), []);
  // Out of range: one message per field, the range's.
  assert.deepEqual(said(host({ kind: "spin", priority: 100 })), ["host.workloads.0.priority: must be <= 99 (got 100)"]);
  assert.deepEqual(said(host({ kind: "spin", nice: -21 })), ["host.workloads.0.nice: must be >= -20 (got -21)"]);
  assert.deepEqual(said(host({ kind: "spin", cpu: 1 })), []);
  assert.deepEqual(said(host({ kind: "spin", cpu: 2 })), ["host.workloads.0.cpu: CPU 2 does not exist (host.cpus = 2)"]);
  assert.deepEqual(said(guest({ workloads: [{ kind: "spin", cpu: 2 }] })), ["vms.0.workloads.0.cpu: vCPU 2 does not exist (vcpus = 2)"]);
});

test("cgroups: host-side, named in host.cgroups, names unique", () => {
  const cg = (extra: Partial<Scenario>) =>
    said({ name: "x", host: { cpus: 2, cgroups: [{ name: "fg" }], workloads: [{ kind: "spin", cgroup: "fg" }] }, ...extra });
  assert.deepEqual(cg({}), []);
  assert.deepEqual(said(host({ kind: "spin", cgroup: "bg" })), ['host.workloads.0.cgroup: no cgroup "bg" in host.cgroups']);
  assert.deepEqual(said(guest({ workloads: [{ kind: "spin", cgroup: "fg" }] })), [
    "vms.0.workloads.0.cgroup: cgroups are host-side; a guest workload cannot name one",
  ]);
  assert.deepEqual(said(guest({ cgroup: "bg" })), ['vms.0.cgroup: no cgroup "bg" in host.cgroups']);
  assert.deepEqual(said({ name: "x", host: { cpus: 1, cgroups: [{ name: "a" }, { name: "a", weight: 0 }] } }), [
    "host.cgroups.1.weight: must be >= 1 (got 0)",
    'host.cgroups.1.name: duplicate cgroup name "a"',
  ]);
});

test("preempt_disabled is guest-only, for bursty and spin", () => {
  const bursty = { kind: "bursty", gap: { const_us: 10 }, work: { const_us: 10 }, preempt_disabled: true } as Workload;
  const spin = { kind: "spin", preempt_disabled: true } as Workload;
  assert.deepEqual(said(host(bursty, spin)), [
    "host.workloads.0.preempt_disabled: preempt_disabled is a guest-only workload option",
    "host.workloads.1.preempt_disabled: preempt_disabled is a guest-only workload option",
  ]);
  assert.deepEqual(said(guest({ workloads: [bursty, spin] })), []);
  assert.deepEqual(said(host({ ...bursty, preempt_disabled: false } as Workload, { kind: "spin", preempt_disabled: false })), []);
});

test(`threads count against ${LIMITS.threads_total} in all, from every kind`, () => {
  const n = LIMITS.threads_total;
  const over = `workloads: at most ${n} threads in all (got ${n + 1})`;
  assert.deepEqual(said(host({ kind: "stress", workers: n })), []);
  assert.deepEqual(said(host({ kind: "stress", workers: n }, { kind: "spin" })), [over]);
  assert.deepEqual(said(host({ kind: "stress", workers: n - 1 }, { kind: "audio", buffer_frames: 96 })), []);
  assert.deepEqual(said(host({ kind: "stress", workers: n }, { kind: "audio", buffer_frames: 96 })), [over]);
  const w = { work: { const_us: 1 } };
  assert.deepEqual(said(host({ kind: "stress", workers: n }, { kind: "periodic", period_us: 100, ...w })), [over]);
  assert.deepEqual(said(host({ kind: "stress", workers: n - 2 }, { kind: "periodic", period_us: 100, threads: 2, ...w })), []);
  assert.deepEqual(said(host({ kind: "stress", workers: n - 2 }, { kind: "periodic", period_us: 100, threads: 3, ...w })), [over]);
  const b = { gap: { const_us: 1 }, work: { const_us: 1 } };
  assert.deepEqual(said(host({ kind: "stress", workers: n }, { kind: "bursty", ...b })), [over]);
  assert.deepEqual(said(host({ kind: "stress", workers: n - 3 }, { kind: "bursty", threads: 4, ...b })), [over]);
  assert.deepEqual(said(host({ kind: "stress", workers: n }, { kind: "cyclictest" })), [over]);
  assert.deepEqual(said(host({ kind: "stress", workers: n - 3 }, { kind: "cyclictest", threads: 4 })), [over]);
  // Guests' threads count too.
  assert.deepEqual(said({ ...guest({ workloads: [{ kind: "spin" }] }), host: { cpus: 2, workloads: [{ kind: "stress", workers: n }] } }), [
    over,
  ]);
});

test("the cyclictest command line: options checked as the fields they stand for, explicit fields win", () => {
  const ct = (w: object) => checkScenario(host({ kind: "cyclictest", ...w } as Workload)).map((i) => [i.path, i.message, i.span]);
  assert.deepEqual(ct({ cmdline: "cyclictest -t 2 -i 500 -d 10 -p 80 -D 90s" }), []);
  assert.deepEqual(ct({ cmdline: "-i 2" }), [
    ["host.workloads.0.cmdline", "-i 2 us is not longer than a context switch (context_switch_ns = 2000)", [0, 4]],
  ]);
  assert.deepEqual(ct({ cmdline: "-i 3" }), []);
  assert.deepEqual(ct({ cmdline: "-i 0" }), [["host.workloads.0.cmdline", "-i 0: must be >= 0.001 (as interval_us)", [0, 4]]]);
  // An explicit interval_us wins: the option is not checked, the field is.
  assert.deepEqual(ct({ cmdline: "-i 0", interval_us: 500 }), []);
  assert.deepEqual(ct({ cmdline: "-i 500", interval_us: 1 }), [
    ["host.workloads.0.interval_us", "1 us is not longer than a context switch (context_switch_ns = 2000)", undefined],
  ]);
  assert.deepEqual(ct({ cmdline: "cyclictest -d -1" }), [["host.workloads.0.cmdline", "-d -1: must be >= 0 (as distance_us)", [11, 16]]]);
  assert.deepEqual(ct({ cmdline: "-d -1", distance_us: 0 }), []);
  assert.deepEqual(ct({ cmdline: "-p 100" }), [["host.workloads.0.cmdline", "-p 100: must be <= 99 (as priority)", [0, 6]]]);
  assert.deepEqual(ct({ cmdline: "-p 100", policy: "fifo", priority: 5 }), []);
  assert.deepEqual(ct({ cmdline: "-D 3601" }), [["host.workloads.0.cmdline", "-D 3601: must be <= 3600 (as duration_s)", [0, 7]]]);
  assert.deepEqual(ct({ cmdline: "-t 0" }), [["host.workloads.0.cmdline", "-t 0: must be >= 1 (as threads)", [0, 4]]]);
  assert.deepEqual(ct({ cmdline: "-t 0", threads: 1 }), []);
  // A syntax problem from the parser, at its characters; an unknown option is a warning.
  assert.deepEqual(ct({ cmdline: "-i" }), [["host.workloads.0.cmdline", "-i: needs a value", [0, 2]]]);
  const w = checkScenario(host({ kind: "cyclictest", cmdline: "--bogus" }));
  assert.equal(w.length, 1);
  assert.equal(w[0]!.severity, "warning");
  assert.deepEqual(w[0]!.span, [0, 7]);
  // -t counts as threads unless `threads` is set; a -t over its range counts as 1.
  const n = LIMITS.threads_total;
  assert.deepEqual(said(host({ kind: "stress", workers: n - 3 }, { kind: "cyclictest", cmdline: "-t 3" })), []);
  assert.deepEqual(said(host({ kind: "stress", workers: n - 3 }, { kind: "cyclictest", cmdline: "-t 4" })), [
    `workloads: at most ${n} threads in all (got ${n + 1})`,
  ]);
  assert.deepEqual(said(host({ kind: "stress", workers: n - 3 }, { kind: "cyclictest", cmdline: "-t 4", threads: 3 })), []);
  assert.deepEqual(said(host({ kind: "stress", workers: n - 1 }, { kind: "cyclictest", cmdline: "-t 99999" })), [
    `host.workloads.1.cmdline: -t 99999: must be <= ${n} (as threads)`,
  ]);
  assert.deepEqual(said(host({ kind: "stress", workers: n }, { kind: "cyclictest", cmdline: "-t 99999" })), [
    `host.workloads.1.cmdline: -t 99999: must be <= ${n} (as threads)`,
    `workloads: at most ${n} threads in all (got ${n + 1})`,
  ]);
});

test("the run: warm-up shorter than the run, the timeline window ordered", () => {
  assert.deepEqual(said({ ...base(), warmup_ms: 9999 }), []);
  assert.deepEqual(said({ ...base(), warmup_ms: 10_000 }), ["warmup_ms: must be shorter than the run (duration_s = 10, so < 10000 ms)"]);
  assert.deepEqual(said({ ...base(), duration_s: 2, warmup_ms: 2000 }), [
    "warmup_ms: must be shorter than the run (duration_s = 2, so < 2000 ms)",
  ]);
  assert.deepEqual(said({ ...base(), duration_s: 2, warmup_ms: 1999 }), []);
  assert.deepEqual(said({ ...base(), timeline: { from_ms: 5, to_ms: 6 } }), []);
  assert.deepEqual(said({ ...base(), timeline: { from_ms: 5, to_ms: 5 } }), ["timeline.to_ms: must be after from_ms (5)"]);
  assert.deepEqual(said({ ...base(), timeline: { to_ms: 0 } }), []);
});

test("VMs: at most 32 and 512 vCPUs, names unique, pins whole and on existing CPUs, one per vCPU", () => {
  const vm = (i: number, vcpus = 1): VmConfig => ({ name: `vm${i}`, vcpus });
  const many = (n: number, vcpus = 1) => said({ name: "x", host: { cpus: 2 }, vms: Array.from({ length: n }, (_, i) => vm(i, vcpus)) });
  assert.deepEqual(many(LIMITS.vms), []);
  assert.deepEqual(many(LIMITS.vms + 1), ["vms: at most 32 VMs (got 33)"]);
  assert.deepEqual(many(8, 64), []);
  assert.deepEqual(said({ name: "x", host: { cpus: 2 }, vms: [...Array.from({ length: 8 }, (_, i) => vm(i, 64)), vm(8)] }), [
    "vms: at most 512 vCPUs in all (got 513)",
  ]);
  assert.deepEqual(said({ name: "x", host: { cpus: 2 }, vms: [vm(0), vm(0)] }), ['vms.1.name: duplicate VM name "vm0"']);
  assert.deepEqual(said(guest({ pin: [0, 1] })), []);
  assert.deepEqual(said(guest({ pin: [0] })), ["vms.0.pin: has 1 entries but the VM has 2 vCPUs"]);
  assert.deepEqual(said(guest({ pin: [0.5, 2] })), [
    "vms.0.pin.0: must be a whole number (got 0.5)",
    "vms.0.pin.1: CPU 2 does not exist (host.cpus = 2)",
  ]);
  assert.deepEqual(said(guest({ pin: [-1, 1] })), ["vms.0.pin.0: CPU -1 does not exist (host.cpus = 2)"]);
  assert.deepEqual(said(guest({ vcpus: 65 })), ["vms.0.vcpus: must be <= 64 (got 65)"]);
  assert.deepEqual(
    said(
      guest({
        guest: {
          irq: { nmi_hz: -1, nmi_handler: { const_us: -1 }, timer_handler: { const_us: -1 }, device_irq_handler: { const_us: -1 } },
        },
      }),
    ),
    [
      "vms.0.guest.irq.nmi_hz: must be >= 0 (got -1)",
      "vms.0.guest.irq.timer_handler.const_us: must be >= 0 (got -1)",
      "vms.0.guest.irq.nmi_handler.const_us: must be >= 0 (got -1)",
      "vms.0.guest.irq.device_irq_handler.const_us: must be >= 0 (got -1)",
    ],
  );
});

test("modes: labels unique (a name makes a second one distinct); mechanisms only for dynamic, as a warning", () => {
  assert.deepEqual(said({ ...base(), modes: ["vanilla", "dynamic", { mode: "dynamic", name: "dyn2" }] }), []);
  assert.deepEqual(said({ ...base(), modes: ["vanilla", { mode: "vanilla" }] }), [
    'modes.1: duplicate mode "vanilla" (also modes[0]); give it a distinct name',
  ]);
  assert.deepEqual(
    said({
      ...base(),
      modes: [
        { mode: "static", name: "x" },
        { mode: "dynamic", name: "x" },
      ],
    }),
    ['modes.1: duplicate mode "x" (also modes[0]); give it a distinct name'],
  );
  assert.deepEqual(said({ ...base(), modes: [{ mode: "dynamic", mechanisms: { lazy_boost: false } }] }), []);
  assert.deepEqual(said({ ...base(), modes: [{ mode: "static", mechanisms: { lazy_boost: false } }] }), [
    "warning modes.0.mechanisms: only dynamic mode uses mechanisms; ignored for static",
  ]);
});

test("checkLimits: the errors only, as path and message", () => {
  const s: Scenario = { ...base(), warmup_ms: 10_000, modes: [{ mode: "static", mechanisms: {} }] };
  assert.equal(checkScenario(s).length, 2);
  assert.deepEqual(checkLimits(s), [{ path: "warmup_ms", message: "must be shorter than the run (duration_s = 10, so < 10000 ms)" }]);
  // A warning does not silence a later error on its path; an error does.
  assert.deepEqual(checkLimits(base()), []);
});

test("the rules' edges: a lone from_ms, a warning before an error on one path, an error's severity, paths past index 9", () => {
  assert.deepEqual(said({ ...base(), timeline: { from_ms: 5 } }), []);
  // An unknown option warns; the bad -i after it on the same path is still an error.
  assert.deepEqual(said(host({ kind: "cyclictest", cmdline: "--bogus -i 0" })), [
    "warning host.workloads.0.cmdline: --bogus: unknown cyclictest option, ignored (known: -t, -i, -d, -p, -D, --policy and output options)",
    "host.workloads.0.cmdline: -i 0: must be >= 0.001 (as interval_us)",
  ]);
  // A period too short is an error (it refuses the run), not a warning.
  assert.deepEqual(checkLimits(host({ kind: "periodic", period_us: 2, work: { const_us: 1 } })), [
    { path: "host.workloads.0.period_us", message: "2 us is not longer than a context switch (context_switch_ns = 2000)" },
  ]);
  const spins: Workload[] = Array.from({ length: 11 }, (_, i) => ({ kind: "spin", id: `s${i}` }));
  assert.deepEqual(said({ ...guest({ workloads: [{ kind: "spin", id: "s10" }] }), host: { cpus: 2, workloads: spins } }), [
    'vms.0.workloads.0.id: duplicate probe id "s10" (also used at host.workloads[10])',
  ]);
});

test("a cyclictest thread count out of its range counts as one thread", () => {
  const n = LIMITS.threads_total;
  const with_ = (threads: number) => said(host({ kind: "stress", workers: n }, { kind: "cyclictest", threads }));
  assert.deepEqual(with_(-1), ["host.workloads.1.threads: must be >= 1 (got -1)", `workloads: at most ${n} threads in all (got ${n + 1})`]);
  assert.deepEqual(with_(1.5), [
    "host.workloads.1.threads: must be a whole number (got 1.5)",
    `workloads: at most ${n} threads in all (got ${n + 1})`,
  ]);
});

/**
 * The series' mechanisms, one by one: each switch changes what it should and nothing else.
 * Scenarios are small and short so the whole file runs in a few seconds.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { simulate, type ModeSpec, type Scenario } from "../../sim-core/index";

/** A busy 1-CPU host with a guest cyclictest: the vCPU must win the CPU from a hog. */
function busy(extra: Partial<Scenario> = {}): Scenario {
  return {
    name: "busy",
    duration_s: 2,
    seed: 3,
    host: { cpus: 1, cgroups: [{ name: "vms", shares: 64 }], workloads: [{ kind: "stress", workers: 1 }] },
    vms: [{ name: "vm", vcpus: 1, cgroup: "vms", workloads: [{ kind: "cyclictest", id: "ct", interval_us: 500 }] }],
    ...extra,
  };
}

const dyn = (mechanisms: ModeSpec["mechanisms"] = {}): ModeSpec => ({ mode: "dynamic", mechanisms });
const boosts = (r: ReturnType<typeof simulate>) => r.vcpus.reduce((a, v) => a + v.boosts, 0);
const avg = (r: ReturnType<typeof simulate>, id = "ct") => r.probes.find((p) => p.id === id)!.latency.avg_us;

test("vanilla never boosts; dynamic boosts the halted vCPU, and that cuts the guest's latency", () => {
  const v = simulate(busy(), "vanilla");
  const d = simulate(busy(), "dynamic");
  assert.equal(boosts(v), 0);
  assert.ok(boosts(d) > 1000, `boosts ${boosts(d)}`);
  assert.ok(avg(d) * 5 < avg(v), `dynamic ${avg(d)} vs vanilla ${avg(v)}`);
});

test("without the shared-memory MSR (patch 1) nothing else works: the run equals vanilla", () => {
  const v = simulate(busy(), "vanilla");
  const d = simulate(busy(), dyn({ shared_memory: false }));
  assert.equal(boosts(d), 0);
  assert.deepEqual(d.probes, v.probes);
});

test("without setscheduler from irq context (patch 2) the timer's injection boost comes too late to help", () => {
  // The kvm_vcpu_block boost (patch 4) would hide it: the vCPU already sleeps boosted.
  const full = simulate(busy(), dyn({ boost_on_block: false }));
  const late = simulate(busy(), dyn({ boost_on_block: false, setscheduler_irq: false }));
  assert.ok(full.vcpus[0]!.boosts_by.inject > 1000, `inject boosts ${full.vcpus[0]!.boosts_by.inject}`);
  assert.ok(avg(late) > 5 * avg(full), `late ${avg(late)} vs full ${avg(full)}`);
  // Late, but applied: each timer wake-up's boost waits for the thread to run, then applies.
  const wakeups = late.probes[0]!.latency.count;
  assert.ok(late.vcpus[0]!.boosts_by.inject >= wakeups, `${late.vcpus[0]!.boosts_by.inject} deferred boosts for ${wakeups} wake-ups`);
  assert.equal(late.mechanisms!.setscheduler_irq, 0);
});

test("the injection boost (patch 4) is redundant for a halted vCPU: it already sleeps boosted", () => {
  const d = simulate(busy(), "dynamic");
  assert.equal(d.vcpus[0]!.boosts_by.inject, 0);
  assert.ok(d.vcpus[0]!.boosts_by.block > 1000);
  const neither = simulate(busy(), dyn({ boost_on_block: false, boost_on_inject: false }));
  assert.equal(neither.vcpus[0]!.boosts_by.inject + neither.vcpus[0]!.boosts_by.block, 0);
});

test("synchronous unboost (patch 3) costs an MSR exit per boost; without it the unboost waits and boosts last longer", () => {
  const sync = simulate(busy(), "dynamic");
  const lazy = simulate(busy(), dyn({ sync_unboost: false }));
  assert.ok(sync.vcpus[0]!.exits.msr_unboost > 1000);
  assert.equal(lazy.vcpus[0]!.exits.msr_unboost, 0);
  // Boosted time while running: the unboost waits for the next exit (HLT) instead.
  const running = (r: typeof sync) => r.vcpus[0]!.host_runtime_ns;
  assert.ok(lazy.cpus[0]!.rt_ns > sync.cpus[0]!.rt_ns, `RT ns lazy ${lazy.cpus[0]!.rt_ns} sync ${sync.cpus[0]!.rt_ns}`);
  assert.ok(running(lazy) > 0);
});

test("the switches (patch 6): global off or per-VM off means no boosts; without patch 6 they cannot turn it off", () => {
  assert.equal(boosts(simulate(busy({ pvsched: { global_enabled: false } }), "dynamic")), 0);
  const s = busy();
  s.vms![0]!.pv_sched_enabled = false;
  assert.equal(boosts(simulate(s, "dynamic")), 0);
  assert.ok(boosts(simulate(busy({ pvsched: { global_enabled: false } }), dyn({ switches: false }))) > 0);
  // Patch 6 acts by refusing: at least each HLT's kvm_vcpu_block boost of the disabled VM counts
  // (the timer kick that wakes it asks again, and counts too).
  const off = simulate(s, "dynamic");
  assert.ok(off.mechanisms!.switches >= off.vcpus[0]!.exits.hlt, `${off.mechanisms!.switches} refusals, ${off.vcpus[0]!.exits.hlt} HLTs`);
  assert.equal(simulate(busy(), "dynamic").mechanisms!.switches, 0, "an enabled VM's boosts are not refused");
});

test("a buggy guest spinning with preemption disabled: the cap (patch 5) keeps the host near vanilla; without it RT throttling is all that is left", () => {
  const s: Scenario = {
    name: "rogue",
    duration_s: 3,
    host: { cpus: 1, workloads: [{ kind: "cyclictest", id: "host", interval_us: 500 }] },
    vms: [{ name: "rogue", vcpus: 1, never_unboost: true, workloads: [{ kind: "spin", preempt_disabled: true }] }],
  };
  const v = simulate(s, "vanilla");
  const capped = simulate(s, "dynamic");
  const uncapped = simulate(s, dyn({ preempt_throttle: false }));
  const max = (r: typeof v) => r.probes[0]!.latency.max_us;
  assert.ok(capped.vcpus[0]!.throttles >= 1);
  assert.equal(capped.mechanisms!.preempt_throttle, capped.vcpus[0]!.throttles);
  assert.equal(uncapped.mechanisms!.preempt_throttle, 0);
  assert.ok(max(capped) < 10_000, `capped host max ${max(capped)} us`);
  assert.ok(max(uncapped) > 40_000, `uncapped host max ${max(uncapped)} us`);
  assert.ok(max(v) < 10_000);
  assert.ok(uncapped.cpus[0]!.rt_throttled >= 2, "RT throttling engaged");
});

test("posted interrupts: device interrupts for a preempted vCPU take the posted branch, no kick, no boost", () => {
  // The guest is CPU-bound (never halts), so device interrupts find the vCPU running or preempted.
  const s: Scenario = {
    name: "posted",
    duration_s: 2,
    host: { cpus: 1, kvm: { posted_interrupts: true }, workloads: [{ kind: "stress", workers: 1 }] },
    vms: [{ name: "vm", vcpus: 1, guest: { irq: { device_irq_hz: 1000 } }, workloads: [{ kind: "stress", workers: 1 }] }],
  };
  const withPi = simulate(s, "dynamic");
  const noPi = simulate({ ...s, host: { ...s.host, kvm: { posted_interrupts: false } } }, "dynamic");
  assert.equal(withPi.vcpus[0]!.boosts_by.inject, 0);
  assert.ok(noPi.vcpus[0]!.boosts_by.inject > 500, `non-posted inject boosts ${noPi.vcpus[0]!.boosts_by.inject}`);
});

test("a guest RT task keeps its vCPU boosted while it runs (patch 7 asks, the exit hook keeps it)", () => {
  const s: Scenario = {
    name: "rt guest",
    duration_s: 2,
    host: { cpus: 1, noise: false, workloads: [{ kind: "stress", workers: 1 }] },
    vms: [
      {
        name: "vm",
        vcpus: 1,
        workloads: [{ kind: "periodic", id: "p", period_us: 2000, work: { const_us: 500 }, policy: "fifo", priority: 10 }],
      },
    ],
  };
  const on = simulate(s, "dynamic");
  const work = on.threads.find((t) => t.name.startsWith("p"))!.runtime_ns;
  // The vCPU is RT whenever the guest RT task runs: the host hog never delays it.
  assert.ok(on.probes[0]!.latency.p99_us < 100, `p99 ${on.probes[0]!.latency.p99_us}`);
  assert.ok(on.vcpus[0]!.boosted_ns > work, `boosted ${on.vcpus[0]!.boosted_ns} ns, RT work ${work} ns`);
});

test("static mode runs every vCPU thread as RT from the start", () => {
  const r = simulate(busy(), "static");
  assert.ok(r.cpus[0]!.rt_ns > 0);
  assert.equal(boosts(r), 0);
  assert.equal(r.threads.find((t) => t.name === "vm/vcpu0")!.policy, "rr");
});

test("EEVDF shares a CPU 50/50 between two nice-0 hogs and by weight between nice 0 and nice 5", () => {
  const s = (w: Scenario["host"]["workloads"]): Scenario => ({
    name: "eevdf",
    duration_s: 5,
    host: { cpus: 1, sched: { fair: "eevdf" }, workloads: w },
  });
  const r1 = simulate(s([{ kind: "stress", workers: 2, id: "h" }]), "vanilla");
  const [a, b] = r1.threads.filter((t) => t.name.startsWith("h.")).map((t) => t.runtime_ns);
  assert.ok(Math.abs(a! / (a! + b!) - 0.5) < 0.01);
  const r2 = simulate(
    s([
      { kind: "stress", workers: 1, id: "n0" },
      { kind: "stress", workers: 1, id: "n5", nice: 5 },
    ]),
    "vanilla",
  );
  const rt = (id: string) => r2.threads.find((t) => t.name.startsWith(id))!.runtime_ns;
  const ratio = rt("n0.") / rt("n5.");
  assert.ok(Math.abs(ratio / (1024 / 335) - 1) < 0.03, `ratio ${ratio}`);
});

test("a cgroup's shares split the CPU between groups: 512 shares against a nice-0 task get a third", () => {
  const s: Scenario = {
    name: "cg",
    duration_s: 5,
    host: {
      cpus: 1,
      cgroups: [{ name: "g", shares: 512 }],
      workloads: [
        { kind: "stress", workers: 1, id: "root" },
        { kind: "stress", workers: 2, id: "grp", cgroup: "g" },
      ],
    },
  };
  const r = simulate(s, "vanilla");
  const root = r.threads.find((t) => t.name.startsWith("root"))!.runtime_ns;
  const grp = r.threads.filter((t) => t.name.startsWith("grp")).reduce((a, t) => a + t.runtime_ns, 0);
  const share = grp / (root + grp);
  assert.ok(Math.abs(share - 1 / 3) < 0.02, `group share ${share}`);
});

test("an RT guest task woken by the timer irq keeps the injection boost through the switch to it", () => {
  // The irq handler wakes the task, so a reschedule is pending at irq exit: the unboost must wait
  // for the scheduler, which sees an RT task and keeps the vCPU boosted while it runs.
  const s: Scenario = {
    name: "rt wake",
    duration_s: 2,
    host: { cpus: 1, noise: false, cgroups: [{ name: "vms", shares: 64 }], workloads: [{ kind: "stress", workers: 2 }] },
    vms: [
      {
        name: "vm",
        vcpus: 1,
        cgroup: "vms",
        workloads: [{ kind: "periodic", id: "p", period_us: 1000, work: { const_us: 200 }, policy: "fifo", priority: 50 }],
      },
    ],
  };
  const d = simulate(s, "dynamic");
  const v = simulate(s, "vanilla");
  const p99 = (r: ReturnType<typeof simulate>) => r.probes[0]!.latency.p99_us;
  // The vCPU still pays its cache refill after the hogs ran (COST_DEFAULTS.cache_refill, p99 ~40 us).
  assert.ok(p99(d) < 100, `dynamic p99 ${p99(d)} us`);
  assert.ok(p99(v) > 1000, `vanilla p99 ${p99(v)} us`);
  const work = d.threads.find((t) => t.name.startsWith("p"))!.runtime_ns;
  assert.ok(d.vcpus[0]!.boosted_ns > 0.95 * work, `boosted ${d.vcpus[0]!.boosted_ns} ns for ${work} ns of RT work`);
});

test("a vCPU-like host thread (pv_thread) follows the protocol: static chrt's it, dynamic boosts it only around its work", () => {
  const s: Scenario = {
    name: "pv thread",
    duration_s: 2,
    host: {
      noise: false,
      cpus: 1,
      workloads: [
        // nice -5 hogs: the thread's fair share (14%) is below its 20% demand, so vanilla waits.
        { kind: "stress", workers: 2, nice: -5 },
        { kind: "periodic", id: "v", pv_thread: true, period_us: 1000, work: { const_us: 200 } },
      ],
    },
  };
  const lat = (m: Parameters<typeof simulate>[1]) => simulate(s, m).probes[0]!.latency;
  const v = lat("vanilla");
  const st = lat("static");
  const d = lat("dynamic");
  // It sleeps as SCHED_OTHER in dynamic mode, so its timer has the 50 us slack; static has none.
  assert.ok(st.p99_us < 20 && d.p99_us < 50 + 20, `static ${st.p99_us} dynamic ${d.p99_us}`);
  assert.ok(v.p99_us > 10 * d.p99_us, `vanilla ${v.p99_us}`);
  const r = simulate(s, "dynamic");
  const thr = r.threads.find((t) => t.name.startsWith("v"))!;
  assert.equal(thr.policy, "other", "unboosted between cycles");
  assert.ok(r.cpus[0]!.rt_ns > 0.18 * 2e9 && r.cpus[0]!.rt_ns < 0.3 * 2e9, `RT time ${r.cpus[0]!.rt_ns}`);
});

test("the mechanism counters count the boosts each mechanism applied, not its calls", () => {
  // The lenses' "not exercised here" reads these counters (issue 11), so each must equal what the
  // vCPU statistics count independently (pvsched/set_sched.ts's boosts_by), ignored requests not.
  const sum = (r: ReturnType<typeof simulate>, k: "inject" | "block" | "exit") => r.vcpus.reduce((a, v) => a + v.boosts_by[k], 0);
  const withBlock = simulate(busy(), "dynamic");
  assert.ok(sum(withBlock, "block") > 1000);
  assert.equal(withBlock.mechanisms!.boost_on_block, sum(withBlock, "block"));
  // The vCPU already sleeps boosted: every kick is an ignored request, and counts nothing.
  assert.equal(withBlock.mechanisms!.boost_on_inject, 0);
  const inject = simulate(busy(), dyn({ boost_on_block: false }));
  assert.ok(sum(inject, "inject") > 1000);
  assert.equal(inject.mechanisms!.boost_on_inject, sum(inject, "inject"));
  assert.equal(inject.mechanisms!.boost_on_block, 0);
  // Only patch 3's exit hook unboosts (kvm_vcpu_set_sched(vcpu, false) has no other caller), and
  // it counts each status flip: its boosts and every unboost. Each synchronous unboost is an MSR exit.
  for (const r of [withBlock, inject]) {
    assert.equal(r.mechanisms!.lazy_boost, sum(r, "exit") + r.vcpus.reduce((a, v) => a + v.unboosts, 0));
    assert.equal(
      r.mechanisms!.sync_unboost,
      r.vcpus.reduce((a, v) => a + v.exits.msr_unboost, 0),
    );
    assert.ok(r.mechanisms!.sync_unboost > 1000);
  }
  // The LAPIC timer's kick runs in hard interrupt context, through patch 2.
  assert.ok(inject.mechanisms!.setscheduler_irq > 1000, `setscheduler_irq ${inject.mechanisms!.setscheduler_irq}`);
  assert.ok(inject.mechanisms!.setscheduler_irq <= inject.mechanisms!.boost_on_inject);
  // A guest that never asks to unboost, with no cap (patch 5) to cut its boost, keeps its vCPU
  // boosted: kvm_vcpu_block's boost and the timer's kick find it boosted, are ignored, and count
  // nothing.
  const stuck = busy();
  stuck.vms![0]!.never_unboost = true;
  for (const m of [dyn({ preempt_throttle: false }), dyn({ preempt_throttle: false, boost_on_block: false })]) {
    const r = simulate(stuck, m);
    assert.ok(r.vcpus[0]!.exits.hlt > 1000, `HLT exits ${r.vcpus[0]!.exits.hlt}`);
    assert.equal(r.mechanisms!.boost_on_block, sum(r, "block"));
    assert.equal(r.mechanisms!.boost_on_inject, sum(r, "inject"));
    assert.ok(r.mechanisms!.setscheduler_irq <= sum(r, "inject"));
    assert.ok(r.vcpus[0]!.boosts < 10, `boosts ${r.vcpus[0]!.boosts}`);
  }
});

test("a pv_thread takes each part of the protocol from its own switch: the timer's boost, the boost at start, the unboost, the cap", () => {
  // fidelity/'s vcpu-like thread on this machine, simulated: sim-core/pvsched/host_thread.ts.
  const s = (work_us: number, hogs: boolean, pvsched: Scenario["pvsched"] = {}): Scenario => ({
    name: "pv thread parts",
    duration_s: 2,
    seed: 5,
    pvsched,
    host: {
      noise: false,
      cpus: 1,
      workloads: [
        ...(hogs ? [{ kind: "stress" as const, workers: 2, nice: -5 }] : []),
        // nice 19: as a fair task it cannot preempt the hogs at wake-up (wakeup_gran scales with
        // 1/weight), so only a boost in the timer's interrupt makes its wake-up fast.
        { kind: "periodic", id: "v", pv_thread: true, nice: 19, period_us: 10_000, work: { const_us: work_us } },
      ],
    },
  });
  const run = (sc: Scenario, m: ModeSpec) => {
    const r = simulate(sc, m);
    return { r, lat: r.probes[0]!.latency, thr: r.threads.find((t) => t.name.startsWith("v"))! };
  };
  const full = run(s(2000, true), dyn());
  // The timer's boost (patch 4) is what makes the wake-up fast: without it the thread wakes as a
  // nice-19 task behind two nice -5 hogs and boosts itself (patch 3's request) only once it runs.
  const noInject = run(s(2000, true), dyn({ boost_on_inject: false }));
  assert.ok(noInject.lat.avg_us > 10 * full.lat.avg_us, `avg without the timer's boost ${noInject.lat.avg_us}, with ${full.lat.avg_us}`);
  assert.ok(noInject.r.cpus[0]!.rt_ns > 0.15 * 2e9, "the thread still boosts itself for its work");
  // The boost keeps its nice (an RT policy leaves static_prio alone): unboosted, it is nice 19
  // again, so the same wake-up after a cycle is still slow (it was nice 0 before the fix).
  assert.ok(noInject.lat.p50_us > 500, `p50 without the timer's boost ${noInject.lat.p50_us}`);
  // Neither boost: it never runs as RT.
  assert.equal(run(s(2000, true), dyn({ boost_on_inject: false, lazy_boost: false })).r.cpus[0]!.rt_ns, 0);
  // Without the synchronous unboost it stays boosted after its first cycle.
  assert.equal(full.thr.policy, "other");
  assert.notEqual(run(s(2000, true), dyn({ sync_unboost: false })).thr.policy, "other");
  // The cap (patch 5, 3000 us in v1) cuts a boost held past it: alone on its CPU, 5 ms of work is
  // boosted for 3 ms of each cycle; with the cap off, or above the work, all of it is.
  const rtPerCycle = (sc: Scenario, m: ModeSpec) => {
    const r = run(sc, m).r;
    return r.cpus[0]!.rt_ns / r.probes[0]!.latency.count;
  };
  const uncapped = rtPerCycle(s(5000, false), dyn({ preempt_throttle: false }));
  const capped = rtPerCycle(s(5000, false), dyn());
  assert.ok(Math.abs(capped / uncapped - 3 / 5) < 0.02, `RT per cycle ${capped} ns with the cap, ${uncapped} ns without`);
  assert.ok(Math.abs(rtPerCycle(s(5000, false, { max_preempt_disabled_us: 6000 }), dyn()) / uncapped - 1) < 0.01);
  assert.ok(Math.abs(rtPerCycle(s(5000, false, { max_preempt_disabled_us: 0 }), dyn()) / uncapped - 1) < 0.01, "0 turns the cap off");
  // A boost the cap already cut needs no unboost when the work is done: the capped thread's CPU
  // time is its work, the uncapped one's its work and an unboost per cycle.
  const cpu = (m: ModeSpec) => run(s(5000, false), m).thr.runtime_ns;
  const work = cpu({ mode: "vanilla" });
  const unboosts = cpu(dyn({ preempt_throttle: false })) - work;
  assert.ok(unboosts > 0);
  assert.ok(cpu(dyn()) - work < unboosts / 10, `capped ${cpu(dyn()) - work} ns over its work`);
  assert.ok(Math.abs(rtPerCycle(s(2000, false), dyn()) / uncapped - 2 / 5) < 0.01, "work under the cap is boosted throughout");
});

test("patch 1: each vCPU of each guest writes MSR_KVM_PV_SCHED once, at boot", () => {
  const s: Scenario = {
    ...busy(),
    duration_s: 0.2,
    vms: [
      { name: "a", vcpus: 2, workloads: [{ kind: "cyclictest", id: "ct", interval_us: 500 }] },
      { name: "b", vcpus: 1, workloads: [{ kind: "stress", workers: 1 }] },
    ],
  };
  assert.equal(simulate(s, "dynamic").mechanisms!.shared_memory, 3);
  assert.equal(simulate(s, dyn({ shared_memory: false })).mechanisms!.shared_memory, 0);
});

test("patch 8 on a CPU-bound guest: a kick's exit boosts for the pending interrupt, the irq exit unboosts", () => {
  // No posted interrupts: each device interrupt kicks the running vCPU out of guest mode and is
  // injected at the next entry, so patch 3's exit hook sees it pending (kvm_cpu_has_interrupt())
  // and boosts, with or without patch 8.
  const s: Scenario = {
    name: "device irqs",
    duration_s: 1,
    seed: 3,
    host: { cpus: 1, kvm: { posted_interrupts: false }, workloads: [{ kind: "stress", workers: 1 }] },
    vms: [{ name: "vm", vcpus: 1, guest: { irq: { device_irq_hz: 1000 } }, workloads: [{ kind: "stress", workers: 1 }] }],
  };
  // Without patch 4's boosts only patch 3's exit hook boosts. Without patch 8 nothing ends that
  // boost: the host never clears it and the guest never writes UNBOOST, so the vCPU stays boosted
  // for most of the run. With patch 8 the irq exit writes UNBOOST and the return to the
  // interrupted user task unboosts (an MSR exit), so each boost ends with its handler.
  const lazyOnly = { boost_on_block: false, boost_on_inject: false };
  const asked = simulate(s, dyn(lazyOnly)).vcpus[0]!;
  const unasked = simulate(s, dyn({ ...lazyOnly, guest_irq_boost: false })).vcpus[0]!;
  assert.ok(unasked.boosts_by.exit > 0, "the kick's exit boosts for the pending interrupt");
  assert.ok(unasked.boosted_ns > 0.3 * 1e9, `boosted ${unasked.boosted_ns} ns of 1 s without patch 8`);
  assert.ok(asked.boosted_ns * 20 < unasked.boosted_ns, `boosted ${asked.boosted_ns} ns with patch 8, ${unasked.boosted_ns} without`);
  assert.ok(asked.exits.msr_unboost > 100 * Math.max(1, unasked.exits.msr_unboost), "patch 8's unboosts are MSR exits");
  // The same with patch 4's boosts on.
  const full = simulate(s, "dynamic").vcpus[0]!;
  const no8 = simulate(s, dyn({ guest_irq_boost: false })).vcpus[0]!;
  assert.ok(full.boosted_ns * 5 < no8.boosted_ns, `boosted ${full.boosted_ns} ns with patch 8, ${no8.boosted_ns} ns without`);
});

test("patch 7's __schedule unboost: an RT task that sleeps hands a fair kernel thread an unboosted vCPU", () => {
  // A kernel thread never returns to user mode, so nothing unboosts synchronously: __schedule's
  // request when it picks the fair thread (lazy, met at the next exit) undoes the RT task's boost.
  const s: Scenario = {
    name: "rt then kthread",
    duration_s: 1,
    seed: 1,
    host: { cpus: 1, noise: false, workloads: [{ kind: "stress", workers: 1 }] },
    vms: [
      {
        name: "vm",
        vcpus: 1,
        workloads: [
          { kind: "periodic", id: "p", period_us: 2000, work: { const_us: 200 }, policy: "fifo", priority: 10 },
          { kind: "spin", kthread: true },
        ],
      },
    ],
  };
  const r = simulate(s, "dynamic");
  // The RT task needs 10 % of the vCPU: the vCPU cannot stay boosted for half the run.
  assert.ok(r.vcpus[0]!.boosted_ns < 0.5 * r.simulated_ns, `boosted ${r.vcpus[0]!.boosted_ns} of ${r.simulated_ns} ns`);
});

/**
 * sim-core/params.ts against the kernel it names: the defaults and helpers that every run uses,
 * each expected value written here from the Linux 6.5 / KVM source (the file and symbol in each
 * comment), never read from params.ts. The simulation tests use these constants as their own
 * oracle (a cost at its median), so a changed default moves the model and its test together;
 * this file is what notices.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  KERNEL_SCHED_DEFAULTS,
  KVM_DEFAULTS,
  niceToWeight,
  resolveSched,
  SCHED_FEATURES_6_5,
  SERIES_DEFAULTS,
  sharesFromCpuWeight,
  tunableFactor,
} from "../../sim-core/params";

test("sched_prio_to_weight[] (kernel/sched/core.c): nice 0 is 1024, the ends 88761 and 15, ~1.25x a step", () => {
  assert.equal(niceToWeight(0), 1024);
  assert.equal(niceToWeight(-20), 88761);
  assert.equal(niceToWeight(19), 15);
  assert.equal(niceToWeight(1), 820);
  assert.equal(niceToWeight(-1), 1277);
  // "each nice level is ~10% CPU": neighbouring weights differ by a factor of about 1.25 (the
  // small weights at the end round to 1.2-1.28).
  for (let n = -20; n < 19; n++) {
    const r = niceToWeight(n) / niceToWeight(n + 1);
    assert.ok(r >= 1.19 && r <= 1.31, `nice ${n}: ${r}`);
  }
  // Out of range and fractional nice values are clamped and rounded, as set_user_nice() clamps.
  assert.equal(niceToWeight(-25), 88761);
  assert.equal(niceToWeight(25), 15);
  assert.equal(niceToWeight(0.4), 1024);
  assert.equal(niceToWeight(-0.6), 1277);
});

test("cgroup v2 cpu.weight to shares (sched_weight_from_cgroup): 100 is 1024, scaled, never below MIN_SHARES 2", () => {
  assert.equal(sharesFromCpuWeight(100), 1024);
  assert.equal(sharesFromCpuWeight(10_000), 102_400);
  assert.equal(sharesFromCpuWeight(50), 512);
  assert.equal(sharesFromCpuWeight(1), 10);
  assert.equal(sharesFromCpuWeight(0), 2);
});

test("get_update_sysctl_factor(): none 1, linear min(ncpus, 8), log 1 + ilog2(min(ncpus, 8))", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 7, 8, 16, 128].map((n) => tunableFactor("log", n)),
    [1, 2, 2, 3, 3, 4, 4, 4],
  );
  assert.deepEqual(
    [1, 4, 8, 16].map((n) => tunableFactor("linear", n)),
    [1, 4, 8, 8],
  );
  assert.deepEqual(
    [1, 4, 16].map((n) => tunableFactor("none", n)),
    [1, 1, 1],
  );
});

test("the 6.5 scheduler defaults (kernel/sched/fair.c, rt.c, core.c; CONFIG_HZ 250), scaled for 4 CPUs", () => {
  const d = KERNEL_SCHED_DEFAULTS;
  assert.equal(d.fair, "cfs");
  assert.equal(d.tunable_scaling, "log");
  const t = resolveSched(undefined, 4);
  assert.equal(t.fair, "cfs");
  assert.equal(t.tickNs, 4_000_000);
  // sysctl_sched_latency 6 ms, min_granularity 0.75 ms, wakeup_granularity 1 ms, x (1 + ilog2 4).
  assert.equal(t.latencyNs, 18_000_000);
  assert.equal(t.minGranNs, 2_250_000);
  assert.equal(t.wakeupGranNs, 3_000_000);
  // sysctl_sched_base_slice (EEVDF, 6.6) 0.75 ms, scaled the same way.
  assert.equal(t.baseSliceNs, 2_250_000);
  // sched_rt_period_us 1 s, sched_rt_runtime_us 0.95 s; RR_TIMESLICE 100 ms.
  assert.equal(t.rtPeriodNs, 1_000_000_000);
  assert.equal(t.rtRuntimeNs, 950_000_000);
  assert.equal(t.rrSliceNs, 100_000_000);
  // init_task.timer_slack_ns.
  assert.equal(t.timerSlackNs, 50_000);
  // sched_rt_runtime_us = -1 disables RT throttling; 0 leaves RT no runtime at all.
  assert.equal(resolveSched({ rt_runtime_us: -1 }, 4).rtRuntimeNs, -1);
  assert.equal(resolveSched({ rt_runtime_us: 0 }, 4).rtRuntimeNs, 0);
  // One CPU: no scaling; HZ 1000: a 1 ms tick.
  const one = resolveSched({ hz: 1000 }, 1);
  assert.equal(one.latencyNs, 6_000_000);
  assert.equal(one.tickNs, 1_000_000);
  // A scenario's own value is taken as it is, before scaling.
  assert.equal(resolveSched({ sched_latency_ns: 4_000_000 }, 2).latencyNs, 8_000_000);
});

test("cost_scale multiplies the default switch and tick costs, never a cost the scenario states", () => {
  const base = resolveSched(undefined, 4);
  const x2 = resolveSched(undefined, 4, 2);
  assert.equal(x2.ctxSwitchNs, base.ctxSwitchNs * 2);
  assert.equal(x2.tickCostNs, base.tickCostNs * 2);
  const stated = resolveSched({ context_switch_ns: 3000, tick_cost_ns: 900 }, 4, 2);
  assert.equal(stated.ctxSwitchNs, 3000);
  assert.equal(stated.tickCostNs, 900);
  // Each instance gets its own copy of the features: a test may change one.
  base.features.NEXT_BUDDY = true;
  assert.equal(resolveSched(undefined, 4).features.NEXT_BUDDY, false);
});

test("sched_features of 6.5 (kernel/sched/features.h, without PREEMPT_RT, x86)", () => {
  assert.deepEqual(
    { ...SCHED_FEATURES_6_5 },
    {
      GENTLE_FAIR_SLEEPERS: true,
      START_DEBIT: true,
      NEXT_BUDDY: false,
      LAST_BUDDY: true,
      CACHE_HOT_BUDDY: true,
      WAKEUP_PREEMPTION: true,
      TTWU_QUEUE: true,
      SIS_UTIL: true,
      WA_IDLE: true,
      WA_WEIGHT: true,
      WA_BIAS: true,
      RT_PUSH_IPI: true,
      RT_RUNTIME_SHARE: false,
      ALT_PERIOD: true,
      BASE_SLICE: true,
    },
  );
});

test("KVM's halt-polling module parameters (virt/kvm/kvm_main.c, x86 KVM_HALT_POLL_NS_DEFAULT)", () => {
  assert.equal(KVM_DEFAULTS.halt_poll_ns, 200_000);
  assert.equal(KVM_DEFAULTS.halt_poll_ns_grow, 2);
  assert.equal(KVM_DEFAULTS.halt_poll_ns_grow_start, 10_000);
  assert.equal(KVM_DEFAULTS.halt_poll_ns_shrink, 0);
  // Posted delivery is the posted-interrupts objection's switch, not a measured default: every
  // interrupt is kicked (kvm_vcpu_kick(), the series' patch 4 boost) unless a scenario turns it on.
  assert.equal(KVM_DEFAULTS.posted_interrupts, false);
  assert.equal(KVM_DEFAULTS.ipi_virtualization, false);
});

test("the series' own parameters (v1 as posted): SCHED_RR 8, a 3 ms preempt-disabled cap, enabled", () => {
  assert.equal(SERIES_DEFAULTS.boost_policy, "rr");
  assert.equal(SERIES_DEFAULTS.boost_priority, 8);
  assert.equal(SERIES_DEFAULTS.max_preempt_disabled_us, 3000);
  assert.equal(SERIES_DEFAULTS.global_enabled, true);
});

/**
 * fast-check generators of small, valid scenarios, shaped after sim-core/scenario.ts (the source
 * of schema/scenario.schema.json). Small on purpose: 1-4 host CPUs, at most 2 VMs and 4 vCPUs,
 * a few workloads of every kind, at most 0.3 simulated seconds, so that a property can afford
 * a hundred simulations on a 2-core machine.
 *
 * Values stay inside what the loader accepts (schema bounds and its semantic checks), including
 * the edges it allows: zero-length work, zero gaps, zero halt-polling, RT throttling off. A
 * generated scenario the loader refuses is a finding, not something to filter away.
 */
import fc from "fast-check";
import { MECHANISM_IDS, type Dist, type ModeSpec, type Scenario, type Workload } from "../../sim-core/index";

export const distArb: fc.Arbitrary<Dist> = fc.oneof(
  fc.record({ const_us: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 800 })) }),
  fc
    .tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 400 }))
    .map(([lo, d]) => ({ uniform_us: [lo, lo + d] as [number, number] })),
  fc.record({ exp_mean_us: fc.integer({ min: 1, max: 2000 }) }),
  fc.record({ lognormal_median_us: fc.integer({ min: 1, max: 500 }), lognormal_gsd: fc.double({ min: 1, max: 4, noNaN: true }) }),
);

/** Policy fields that the loader accepts together (an RT policy needs a priority, others must not have one). */
const attrsArb = fc.oneof(
  fc.record({ policy: fc.constantFrom("other", "batch", "idle"), nice: fc.integer({ min: -20, max: 19 }) }, { requiredKeys: [] }),
  fc.record({ policy: fc.constantFrom("fifo", "rr"), priority: fc.integer({ min: 1, max: 99 }) }),
);

/** A workload for a kernel with `ncpu` CPUs (host CPUs or a VM's vCPUs). */
export function workloadArb(ncpu: number, guest: boolean, cgroups: string[]): fc.Arbitrary<Workload> {
  const common = fc.record(
    {
      attrs: attrsArb,
      cpu: fc.integer({ min: 0, max: ncpu - 1 }),
      cgroup: guest || cgroups.length === 0 ? fc.constant(undefined) : fc.constantFrom(...cgroups),
    },
    { requiredKeys: ["attrs"] },
  );
  const kinds: fc.Arbitrary<Record<string, unknown>>[] = [
    fc.record(
      {
        kind: fc.constant("cyclictest"),
        threads: fc.integer({ min: 1, max: 2 }),
        interval_us: fc.integer({ min: 20, max: 3000 }),
        distance_us: fc.integer({ min: 0, max: 500 }),
        work: distArb,
      },
      { requiredKeys: ["kind"] },
    ),
    fc.record({ kind: fc.constant("stress"), workers: fc.integer({ min: 1, max: 3 }) }),
    fc.record(
      {
        kind: fc.constant("audio"),
        buffer_frames: fc.integer({ min: 16, max: 512 }),
        sample_rate_hz: fc.constantFrom(44100, 48000, 96000),
        work: distArb,
      },
      { requiredKeys: ["kind", "buffer_frames"] },
    ),
    fc.record(
      {
        kind: fc.constant("periodic"),
        period_us: fc.integer({ min: 20, max: 5000 }),
        work: distArb,
        threads: fc.integer({ min: 1, max: 2 }),
      },
      { requiredKeys: ["kind", "period_us", "work"] },
    ),
    fc.record(
      {
        kind: fc.constant("bursty"),
        gap: distArb,
        work: distArb,
        threads: fc.integer({ min: 1, max: 2 }),
        preempt_disabled: guest ? fc.boolean() : fc.constant(undefined),
      },
      { requiredKeys: ["kind", "gap", "work"] },
    ),
    fc.record({ kind: fc.constant("spin"), preempt_disabled: guest ? fc.boolean() : fc.constant(undefined) }, { requiredKeys: ["kind"] }),
  ];
  return fc.tuple(fc.oneof(...kinds), common).map(([k, c]) => {
    const w: Record<string, unknown> = { ...k, ...c.attrs };
    if (c.cpu !== undefined) w.cpu = c.cpu;
    if (c.cgroup !== undefined) w.cgroup = c.cgroup;
    return clean(w) as unknown as Workload;
  });
}

const schedArb = fc.record(
  {
    fair: fc.constantFrom("cfs", "eevdf"),
    hz: fc.constantFrom(100, 250, 300, 1000),
    rt_runtime_us: fc.constantFrom(-1, 950000, 500000, 0),
    rr_timeslice_ms: fc.integer({ min: 1, max: 100 }),
    timer_slack_ns: fc.constantFrom(0, 50000),
    context_switch_ns: fc.constantFrom(0, 2000, 5000),
    load_balance_ms: fc.integer({ min: 1, max: 10 }),
  },
  { requiredKeys: [] },
);

const modeArb: fc.Arbitrary<ModeSpec> = fc.oneof(
  fc.constant<ModeSpec>({ mode: "vanilla" }),
  fc.record(
    {
      mode: fc.constant("static" as const),
      static_policy: fc.constantFrom("fifo" as const, "rr" as const),
      static_priority: fc.integer({ min: 1, max: 99 }),
    },
    { requiredKeys: ["mode"] },
  ),
  fc
    .record(
      {
        mode: fc.constant("dynamic" as const),
        mechanisms: fc.dictionary(fc.constantFrom(...MECHANISM_IDS), fc.boolean(), { maxKeys: MECHANISM_IDS.length }),
      },
      { requiredKeys: ["mode"] },
    )
    .map((m) => m as ModeSpec),
);

export interface Generated {
  scenario: Scenario;
  mode: ModeSpec;
}

/** A small valid scenario and one mode to run it in. */
export const scenarioArb: fc.Arbitrary<Generated> = fc
  .record({
    cpus: fc.integer({ min: 1, max: 4 }),
    vcpus: fc.oneof(
      fc.constant([] as number[]),
      fc.tuple(fc.integer({ min: 1, max: 4 })),
      fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    ),
    useCgroup: fc.boolean(),
  })
  .chain(({ cpus, vcpus, useCgroup }) => {
    const cgroups = useCgroup ? ["g"] : [];
    const vm = (i: number, n: number) =>
      fc.record(
        {
          name: fc.constant(`vm${i}`),
          vcpus: fc.constant(n),
          cgroup: useCgroup ? fc.constant("g") : fc.constant(undefined),
          vcpu_nice: fc.integer({ min: -20, max: 19 }),
          pin: fc.array(fc.integer({ min: 0, max: cpus - 1 }), { minLength: n, maxLength: n }),
          guest: fc.record(
            {
              sched: schedArb,
              irq: fc.record(
                { nmi_hz: fc.constantFrom(0, 100, 1000), device_irq_hz: fc.constantFrom(0, 50, 2000), softirq: distArb },
                { requiredKeys: [] },
              ),
              nohz_idle: fc.boolean(),
            },
            { requiredKeys: [] },
          ),
          workloads: fc.array(workloadArb(n, true, []), { maxLength: 3 }),
          pv_sched_enabled: fc.boolean(),
          never_unboost: fc.boolean(),
        },
        { requiredKeys: ["name", "vcpus"] },
      );
    return fc.record({
      name: fc.constant("prop"),
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      duration_s: fc.constantFrom(0.02, 0.05, 0.1, 0.2, 0.3),
      warmup_ms: fc.constantFrom(0, 5, 10),
      host: fc.record(
        {
          cpus: fc.constant(cpus),
          sched: schedArb,
          kvm: fc.record(
            {
              halt_poll_ns: fc.constantFrom(0, 10000, 200000),
              halt_poll_ns_shrink: fc.constantFrom(0, 2),
              exit_ns: fc.integer({ min: 0, max: 5000 }),
              entry_ns: fc.integer({ min: 0, max: 5000 }),
              posted_interrupts: fc.boolean(),
              ipi_virtualization: fc.boolean(),
            },
            { requiredKeys: [] },
          ),
          cgroups: fc.constant(useCgroup ? [{ name: "g", weight: 50 }] : undefined),
          workloads: fc.array(workloadArb(cpus, false, cgroups), { maxLength: 3 }),
        },
        { requiredKeys: ["cpus", "cgroups"] },
      ),
      vms: fc.tuple(...vcpus.map((n, i) => vm(i, n))),
      pvsched: fc.record(
        {
          boost_policy: fc.constantFrom("fifo", "rr"),
          boost_priority: fc.integer({ min: 1, max: 99 }),
          max_preempt_disabled_us: fc.constantFrom(0, 100, 3000),
          global_enabled: fc.boolean(),
          setscheduler_ns: fc.integer({ min: 0, max: 5000 }),
        },
        { requiredKeys: [] },
      ),
      mode: modeArb,
    });
  })
  .map((r) => {
    const { mode, ...rest } = r as Record<string, unknown> & { mode: ModeSpec };
    const s = clean({ ...rest, timeline: { enabled: true }, modes: [mode] }) as unknown as Scenario;
    if (s.vms && s.vms.length === 0) delete s.vms;
    return { scenario: s, mode };
  });

/** Drops undefined-valued keys (YAML would write them as null) and empty objects, recursively. */
export function clean(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clean);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      const c = clean(x);
      if (c && typeof c === "object" && !Array.isArray(c) && Object.keys(c).length === 0) continue;
      out[k] = c;
    }
    return out;
  }
  return v;
}

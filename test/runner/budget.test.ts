/** Run budgets estimated from the scenario (runner/budget.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { checkBudget, DEFAULT_BUDGET, distMeanUs, estimateRun, EVENTS_PER_EXPIRY } from "../../runner/budget";
import { loadScenario } from "../../scenario-loader/index";
import { resolveModes, simulate, type Scenario } from "../../sim-core/index";

const root = resolve(__dirname, "../..");
const base = (extra: Partial<Scenario> = {}): Scenario => ({ name: "b", duration_s: 10, host: { cpus: 4 }, ...extra });

test("timer rates: ticks, balancing, wakeups and interrupts, counted per CPU and thread", () => {
  const e = estimateRun(
    base({
      host: {
        cpus: 2,
        sched: { hz: 1000, load_balance_ms: 4 },
        workloads: [
          { kind: "cyclictest", cmdline: "cyclictest -q -t 2 -i 500 -d 500" },
          { kind: "stress", workers: 2 },
          { kind: "audio", buffer_frames: 96 },
        ],
      },
      vms: [{ name: "g", vcpus: 2, guest: { irq: { nmi_hz: 100, device_irq_hz: 50 } } }],
    }),
  );
  const rate = Object.fromEntries(e.sources.map((s) => [s.field, s.expiriesPerS]));
  assert.deepEqual(rate, {
    "host.sched.hz": 2000, // 1000 Hz x 2 CPUs
    "host.sched.load_balance_ms": 500, // every 4 ms x 2 CPUs
    "host.workloads[0].cmdline": 2000 + 1000, // threads at 500 us and 1000 us
    "host.workloads[2].buffer_frames": 500, // 48000 / 96
    "vms[0].guest.sched.hz": 500, // default 250 Hz x 2 vCPUs
    "vms[0].guest.sched.load_balance_ms": 500,
    "vms[0].guest.irq.nmi_hz": 200,
    "vms[0].guest.irq.device_irq_hz": 50,
  });
  assert.equal(e.samples, (3000 + 500) * 10, "only measuring threads keep samples");
  assert.equal(e.events, (2000 + 500 + 3000 + 500 + 500 + 500 + 200 + 50) * EVENTS_PER_EXPIRY * 10);
  assert.equal(e.timelineSegments, 0);
  assert.equal(estimateRun(base(), { timeline: true }).timelineSegments, 4 * 20_000);
});

test("means of the duration distributions", () => {
  assert.equal(distMeanUs({ const_us: 7 }, 0), 7);
  assert.equal(distMeanUs({ uniform_us: [2, 6] }, 0), 4);
  assert.equal(distMeanUs({ exp_mean_us: 9 }, 0), 9);
  assert.ok(Math.abs(distMeanUs({ lognormal_median_us: 100, lognormal_gsd: Math.E }, 0) - 100 * Math.exp(0.5)) < 1e-9);
  assert.equal(distMeanUs(undefined, 3), 3);
});

test("hostile scenarios from issue 14 are refused with one line naming the field and the estimate", () => {
  const cases: [Scenario, string, RegExp][] = [
    [
      base({ vms: [{ name: "g", vcpus: 4, guest: { irq: { nmi_hz: 1e15 } } }] }),
      "vms[0].guest.irq.nmi_hz",
      /event budget: about 4\.0e17 events in 10 simulated s, mostly from 1\.0e15 NMIs\/s x 4 vCPUs/,
    ],
    [
      base({ host: { cpus: 1, workloads: [{ kind: "audio", buffer_frames: 96, sample_rate_hz: 1e12 }] } }),
      "host.workloads[0].sample_rate_hz",
      /event budget/,
    ],
    [
      base({ host: { cpus: 1, workloads: [{ kind: "cyclictest", cmdline: "cyclictest -t 100000000" }] } }),
      "host.workloads[0].cmdline",
      /1\.0e8 thread\(s\) every 1000 us/,
    ],
    [
      base({ duration_s: 3600, host: { cpus: 4, workloads: [{ kind: "cyclictest", threads: 8, interval_us: 50 }] } }),
      "host.workloads[0].interval_us",
      /sample budget: about 9\.0e7 latency samples in 3600 simulated s, mostly from 8 thread\(s\) every 50 us/,
    ],
    [
      base({ host: { cpus: 256 }, timeline: { enabled: true } }),
      "timeline.max_segments",
      /timeline budget: up to 5\.1e6 segments \(256 CPUs x 20000 per CPU/,
    ],
  ];
  for (const [s, field, pattern] of cases) {
    const over = checkBudget(s, DEFAULT_BUDGET);
    assert.ok(over, field);
    assert.equal(over.field, field);
    assert.match(over.message, pattern);
    assert.ok(over.message.startsWith(`${field}: `));
    assert.doesNotMatch(over.message, /[\r\n]/);
  }
  // A scenario that sets its own max_events is bounded by it; the timeline only counts when on.
  assert.equal(checkBudget({ ...cases[0]![0], max_events: 1000 }, DEFAULT_BUDGET), undefined);
  assert.equal(checkBudget(base({ host: { cpus: 256 } }), DEFAULT_BUDGET), undefined);
});

test("every built-in scenario fits the budgets, and its measured events stay under the estimate", () => {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith(".pvsched.yaml")) files.push(p);
    }
  };
  walk(join(root, "scenarios"));
  walk(join(root, "examples"));
  const rows: string[] = [];
  for (const f of files) {
    const r = loadScenario(readFileSync(f, "utf8"));
    assert.ok(r.ok, f);
    assert.equal(checkBudget(r.scenario, DEFAULT_BUDGET, { timeline: true })?.message, undefined, f);
    // A short slice of each mode: events per simulated second against the estimate's.
    const s = { ...r.scenario, duration_s: 0.5, warmup_ms: 0 };
    const est = estimateRun(s);
    for (const mode of resolveModes(s)) {
      const res = simulate(s, mode);
      const ratio = res.events / est.events;
      rows.push(`${(ratio * EVENTS_PER_EXPIRY).toFixed(2)} events per expiry  ${relative(root, f)} ${mode.name ?? mode.mode}`);
      assert.ok(ratio <= 1, `${relative(root, f)} (${mode.name ?? mode.mode}): ${res.events} events, estimate ${est.events}`);
    }
  }
  console.log(rows.sort().reverse().slice(0, 5).join("\n"));
});

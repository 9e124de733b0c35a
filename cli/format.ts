/** Text tables for `run`, `compare` and `ablate`. */
import type { AblationJson } from "../report/ablation";
import { compareModes, effectText, meanOver, runsByMode, type MetricEffects } from "../report/effects";
import { num, table } from "../report/text";
import type { ProbeResult, RunResult, VcpuStats } from "../sim-core/index";

export const us = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? "-" : x >= 100 ? x.toFixed(0) : x.toFixed(1));
export const ms = (ns: number) => (ns / 1e6).toFixed(1);

function vcpuLabel(v: VcpuStats): string {
  return `${v.vm}/vcpu${v.vcpu}`;
}

function stopNote(r: RunResult): string {
  if (r.stop === "done") return "";
  return ` (stopped early: ${r.stop} after ${(r.simulated_ns / 1e9).toFixed(3)} of ${(r.duration_ns / 1e9).toFixed(3)} s)`;
}

export function formatRun(r: RunResult): string {
  const out: string[] = [];
  out.push(
    `== ${r.scenario} | mode ${r.mode} | seed ${r.seed} | ${(r.simulated_ns / 1e9).toFixed(3)} s simulated | ${r.events} events${stopNote(r)}`,
  );
  if (r.probes.length) {
    out.push(
      table(
        ["probe", "side", "samples", "avg us", "p50 us", "p99 us", "max us", "glitches"],
        r.probes.map((p) => [
          p.id,
          p.side,
          String(p.latency.count),
          us(p.latency.avg_us),
          us(p.latency.p50_us),
          us(p.latency.p99_us),
          us(p.latency.max_us),
          glitches(p),
        ]),
      ),
    );
  } else out.push("(no latency probes)");
  if (r.vcpus.length) {
    out.push("");
    out.push(
      table(
        ["vCPU", "boosts", "inject", "block", "exit", "unboosts", "throttles", "boosted ms", "steal ms", "host ms", "exits"],
        r.vcpus.map((v) => [
          vcpuLabel(v),
          String(v.boosts),
          String(v.boosts_by.inject),
          String(v.boosts_by.block),
          String(v.boosts_by.exit),
          String(v.unboosts),
          String(v.throttles),
          ms(v.boosted_ns),
          ms(v.steal_ns),
          ms(v.host_runtime_ns),
          String(Object.values(v.exits).reduce((a, b) => a + b, 0)),
        ]),
      ),
    );
  }
  if (r.cpus.length) {
    out.push("");
    const pct = (x: number) => (r.simulated_ns > 0 ? ((100 * x) / r.simulated_ns).toFixed(1) : "-");
    out.push(
      table(
        ["CPU", "busy %", "rt %", "fair %", "ctx switches", "rt throttled"],
        r.cpus.map((c) => [
          String(c.cpu),
          pct(c.busy_ns),
          pct(c.rt_ns),
          pct(c.fair_ns),
          String(c.context_switches),
          String(c.rt_throttled),
        ]),
      ),
    );
  }
  return out.join("\n") + "\n";
}

function glitches(p: ProbeResult): string {
  return p.glitches === undefined ? "-" : `${p.glitches}/${p.callbacks ?? "?"}`;
}

// ---------------------------------------------------------------------------------------------
// compare (and run with replications)

type Interval = [number, number];

export interface CompareJson {
  scenario: string;
  modes: string[];
  /** Replications per mode; replication r ran the scenario's seed + r. */
  replications: number;
  /** The mode the effects are measured against (the first). */
  baseline: string;
  probes: {
    id: string;
    side: string;
    /** Per mode: means over the replications, their 95 % intervals, and the 10-90 % band of the maxima. */
    byMode: Record<
      string,
      {
        avg_us: number;
        p99_us: number;
        max_us: number;
        glitches: number | null;
        samples: number;
        ci95: { avg_us: Interval | null; p99_us: Interval | null; max_us: Interval | null; glitches: Interval | null };
        band10_90: { max_us: Interval | null };
      } | null
    >;
    /** Per mode but the baseline: the paired effect (mode - baseline) of each metric. */
    effects: Record<string, MetricEffects | null>;
  }[];
  /** vCPU counters, means over the replications. */
  vcpus: { vcpu: string; byMode: Record<string, { boosts: number; throttles: number; steal_ms: number } | null> }[];
  /** Per mode: "done", or how a replication stopped early. */
  stops: Record<string, string>;
}

export function compareJson(results: readonly RunResult[]): CompareJson {
  const cmp = compareModes(results);
  const groups = runsByMode(results);
  const vcpuIds: string[] = [];
  for (const r of results) for (const v of r.vcpus) if (!vcpuIds.includes(vcpuLabel(v))) vcpuIds.push(vcpuLabel(v));
  return {
    scenario: cmp.scenario,
    modes: cmp.modes,
    replications: cmp.replications,
    baseline: cmp.baseline,
    probes: cmp.probes.map((p) => ({
      id: p.id,
      side: p.side,
      byMode: Object.fromEntries(
        cmp.modes.map((m) => {
          const st = p.byMode[m];
          const runs = groups.get(m)!;
          if (!st?.avg_us) return [m, null];
          return [
            m,
            {
              avg_us: st.avg_us.mean,
              p99_us: st.p99_us!.mean,
              max_us: st.max_us!.mean,
              glitches: st.glitches?.mean ?? null,
              samples: meanOver(runs, (r) => r.probes.find((x) => x.id === p.id)?.latency.count) ?? 0,
              ci95: {
                avg_us: st.avg_us.ci95,
                p99_us: st.p99_us!.ci95,
                max_us: st.max_us!.ci95,
                glitches: st.glitches?.ci95 ?? null,
              },
              band10_90: { max_us: st.max_us!.band10_90 ?? null },
            },
          ];
        }),
      ),
      effects: p.effects,
    })),
    vcpus: vcpuIds.map((id) => ({
      vcpu: id,
      byMode: Object.fromEntries(
        cmp.modes.map((m) => {
          const runs = groups.get(m)!;
          const v = (r: RunResult) => r.vcpus.find((x) => vcpuLabel(x) === id);
          if (!runs.some(v)) return [m, null];
          return [
            m,
            {
              boosts: meanOver(runs, (r) => v(r)?.boosts) ?? 0,
              throttles: meanOver(runs, (r) => v(r)?.throttles) ?? 0,
              steal_ms: (meanOver(runs, (r) => v(r)?.steal_ns) ?? 0) / 1e6,
            },
          ];
        }),
      ),
    })),
    stops: Object.fromEntries(
      cmp.modes.map((m) => {
        const early = groups.get(m)!.find((r) => r.stop !== "done");
        return [m, early ? `${early.stop} (seed ${early.seed})` : "done"];
      }),
    ),
  };
}

const ci = (x: Interval | null | undefined) => (x ? `[${us(x[0])}, ${us(x[1])}]` : "-");

export function formatCompare(c: CompareJson): string {
  const many = c.replications > 1;
  const out: string[] = [
    `== ${c.scenario}: ${c.modes.join(" vs ")}${many ? ` (means of ${c.replications} replications; replication r ran seed + r)` : ""}`,
  ];
  for (const [k, v] of Object.entries(c.stops)) if (v !== "done") out.push(`note: mode ${k} stopped early (${v})`);
  if (c.probes.length) {
    const rows: string[][] = [];
    for (const p of c.probes)
      for (const [k, m] of c.modes.entries()) {
        const s = p.byMode[m];
        const row = [
          k === 0 ? p.id : "",
          m,
          s ? us(s.avg_us) : "-",
          s ? us(s.p99_us) : "-",
          s ? us(s.max_us) : "-",
          s?.glitches === null || !s ? "-" : num(s.glitches),
        ];
        if (many) row.push(ci(s?.ci95.avg_us), ci(s?.band10_90.max_us));
        rows.push(row);
      }
    const head = ["probe", "mode", "avg us", "p99 us", "max us", "glitches"];
    out.push(table(many ? [...head, "avg 95% CI", "max band 10-90"] : head, rows, 2));
  }
  if (many && c.probes.length) {
    out.push("");
    out.push(`effect against ${c.baseline} (paired by seed; mean [95% interval] of the differences):`);
    const rows: string[][] = [];
    for (const p of c.probes)
      for (const m of c.modes) {
        if (m === c.baseline) continue;
        const e = p.effects[m];
        rows.push([
          p.id,
          m,
          effectText(e?.avg_us, us),
          effectText(e?.p99_us, us),
          effectText(e?.max_us, us),
          e?.glitches ? effectText(e.glitches, num) : "-",
        ]);
      }
    out.push(table(["probe", "mode", "d avg us", "d p99 us", "d max us", "d glitches"], rows, 2));
  }
  if (c.vcpus.length) {
    out.push("");
    const header = ["vCPU", ...c.modes.flatMap((m) => [`${m} boosts`, "throttles", "steal ms"])];
    out.push(
      table(
        header,
        c.vcpus.map((v) => [
          v.vcpu,
          ...c.modes.flatMap((m) =>
            v.byMode[m] ? [num(v.byMode[m]!.boosts), num(v.byMode[m]!.throttles), v.byMode[m]!.steal_ms.toFixed(1)] : ["-", "-", "-"],
          ),
        ]),
      ),
    );
  }
  return `${out.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// ablate

export function formatAblation(a: AblationJson): string {
  const out: string[] = [
    `== ${a.scenario}: dynamic with every mechanism, then without each one; effect = without - with, paired by seed over ${a.replications} replication(s)`,
  ];
  if (a.replications < 2) out.push("note: one replication has no interval, so no effect is significant; use --replications N (N >= 2)");
  for (const p of a.probes) {
    out.push("");
    const b = p.baseline;
    out.push(
      `${p.id}: with all mechanisms avg ${us(b?.avg_us?.mean)} us, p99 ${us(b?.p99_us?.mean)} us, max ${us(b?.max_us?.mean)} us` +
        (b?.glitches ? `, ${num(b.glitches.mean)} glitches` : ""),
    );
    out.push(
      table(
        ["without", "patch", "d avg us", "d p99 us", "d max us", "d glitches"],
        a.ablations.map((m) => {
          const d = p.delta[m.mechanism];
          return [
            m.mechanism,
            String(m.patch),
            effectText(d?.avg_us, us),
            effectText(d?.p99_us, us),
            effectText(d?.max_us, us),
            d?.glitches ? effectText(d.glitches, num) : "-",
          ];
        }),
      ),
    );
  }
  if (!a.probes.length) out.push("(no latency probes)");
  return `${out.join("\n")}\n`;
}

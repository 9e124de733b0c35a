/** Text tables for `run`, `compare` and `ablate`. */
import type { ProbeResult, RunResult, VcpuStats } from "../sim-core/index";

export function table(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

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
// compare

export interface CompareJson {
  scenario: string;
  modes: string[];
  probes: {
    id: string;
    side: string;
    byMode: Record<string, { avg_us: number; p99_us: number; max_us: number; glitches: number | null; samples: number } | null>;
  }[];
  vcpus: { vcpu: string; byMode: Record<string, { boosts: number; throttles: number; steal_ms: number } | null> }[];
  stops: Record<string, string>;
}

export function compareJson(results: RunResult[]): CompareJson {
  const modes = results.map((r) => r.mode);
  const probeIds: { id: string; side: string }[] = [];
  const vcpuIds: string[] = [];
  for (const r of results) {
    for (const p of r.probes) if (!probeIds.some((x) => x.id === p.id)) probeIds.push({ id: p.id, side: p.side });
    for (const v of r.vcpus) if (!vcpuIds.includes(vcpuLabel(v))) vcpuIds.push(vcpuLabel(v));
  }
  return {
    scenario: results[0]?.scenario ?? "",
    modes,
    probes: probeIds.map(({ id, side }) => ({
      id,
      side,
      byMode: Object.fromEntries(
        results.map((r) => {
          const p = r.probes.find((x) => x.id === id);
          return [
            r.mode,
            p
              ? {
                  avg_us: p.latency.avg_us,
                  p99_us: p.latency.p99_us,
                  max_us: p.latency.max_us,
                  glitches: p.glitches ?? null,
                  samples: p.latency.count,
                }
              : null,
          ];
        }),
      ),
    })),
    vcpus: vcpuIds.map((id) => ({
      vcpu: id,
      byMode: Object.fromEntries(
        results.map((r) => {
          const v = r.vcpus.find((x) => vcpuLabel(x) === id);
          return [r.mode, v ? { boosts: v.boosts, throttles: v.throttles, steal_ms: v.steal_ns / 1e6 } : null];
        }),
      ),
    })),
    stops: Object.fromEntries(results.map((r) => [r.mode, r.stop])),
  };
}

export function formatCompare(c: CompareJson): string {
  const out: string[] = [`== ${c.scenario}: ${c.modes.join(" vs ")}`];
  for (const [k, v] of Object.entries(c.stops)) if (v !== "done") out.push(`note: mode ${k} stopped early (${v})`);
  if (c.probes.length) {
    const rows: string[][] = [];
    for (const p of c.probes)
      for (const [k, m] of c.modes.entries()) {
        const s = p.byMode[m];
        rows.push([
          k === 0 ? p.id : "",
          m,
          s ? us(s.avg_us) : "-",
          s ? us(s.p99_us) : "-",
          s ? us(s.max_us) : "-",
          s?.glitches === null || !s ? "-" : String(s.glitches),
        ]);
      }
    out.push(table(["probe", "mode", "avg us", "p99 us", "max us", "glitches"], rows));
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
            v.byMode[m] ? [String(v.byMode[m]!.boosts), String(v.byMode[m]!.throttles), v.byMode[m]!.steal_ms.toFixed(1)] : ["-", "-", "-"],
          ),
        ]),
      ),
    );
  }
  return out.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// ablate

export interface AblationJson {
  scenario: string;
  baseline: string;
  /** One entry per mechanism removed. */
  ablations: { mechanism: string; patch: number; label: string; mode: string }[];
  probes: {
    id: string;
    baseline: { avg_us: number; p99_us: number; max_us: number; glitches: number | null } | null;
    /** mechanism -> (ablated - baseline). */
    delta: Record<string, { avg_us: number; p99_us: number; max_us: number; glitches: number | null } | null>;
  }[];
}

export function ablationJson(
  baseline: RunResult,
  ablated: { mechanism: string; patch: number; label: string; result: RunResult }[],
): AblationJson {
  const stats = (p: ProbeResult | undefined) =>
    p ? { avg_us: p.latency.avg_us, p99_us: p.latency.p99_us, max_us: p.latency.max_us, glitches: p.glitches ?? null } : null;
  return {
    scenario: baseline.scenario,
    baseline: baseline.mode,
    ablations: ablated.map((a) => ({ mechanism: a.mechanism, patch: a.patch, label: a.label, mode: a.result.mode })),
    probes: baseline.probes.map((bp) => ({
      id: bp.id,
      baseline: stats(bp),
      delta: Object.fromEntries(
        ablated.map((a) => {
          const b = stats(bp)!;
          const x = stats(a.result.probes.find((p) => p.id === bp.id));
          return [
            a.mechanism,
            x
              ? {
                  avg_us: x.avg_us - b.avg_us,
                  p99_us: x.p99_us - b.p99_us,
                  max_us: x.max_us - b.max_us,
                  glitches: x.glitches !== null && b.glitches !== null ? x.glitches - b.glitches : null,
                }
              : null,
          ];
        }),
      ),
    })),
  };
}

const signed = (x: number) => (x > 0 ? "+" : x < 0 ? "-" : " ") + us(Math.abs(x));

export function formatAblation(a: AblationJson): string {
  const out: string[] = [`== ${a.scenario}: dynamic with every mechanism, then without each one (delta = without - with)`];
  for (const p of a.probes) {
    out.push("");
    const b = p.baseline!;
    out.push(
      `${p.id}: with all mechanisms avg ${us(b.avg_us)} us, p99 ${us(b.p99_us)} us, max ${us(b.max_us)} us${b.glitches !== null ? `, ${b.glitches} glitches` : ""}`,
    );
    out.push(
      table(
        ["without", "patch", "d avg us", "d p99 us", "d max us", "d glitches"],
        a.ablations.map((m) => {
          const d = p.delta[m.mechanism];
          return [
            m.mechanism,
            String(m.patch),
            d ? signed(d.avg_us) : "-",
            d ? signed(d.p99_us) : "-",
            d ? signed(d.max_us) : "-",
            d?.glitches === null || !d ? "-" : (d.glitches > 0 ? "+" : "") + d.glitches,
          ];
        }),
      ),
    );
  }
  if (!a.probes.length) out.push("(no latency probes)");
  return out.join("\n") + "\n";
}

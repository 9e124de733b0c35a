import type { Scenario } from "./scenario";

/**
 * Hard limits that keep a run bounded in time and memory, whatever the scenario says.
 * A scenario over a limit is refused with the field and the limit, never silently clipped.
 */
export const LIMITS = {
  host_cpus: 256,
  vms: 32,
  vcpus_total: 512,
  /** Threads of all workloads together (host and guests). */
  threads_total: 4096,
  /** Simulated seconds. */
  duration_s: 3600,
  /** Events per run: a run that reaches it stops and reports how far it got. */
  max_events: 2_000_000_000,
  /**
   * Timeline segments kept per track at most, when a scenario sets a budget (timeline.max_segments).
   */
  timeline_segments_per_cpu: 4_000_000,
  /**
   * Timeline segments kept on all tracks together (about 15 bytes each: 120 MB). A run that
   * reaches it is cut as under a budget, and its timeline says so (Timeline.budget).
   */
  timeline_segments_total: 8_000_000,
} as const;

export interface LimitViolation {
  /** JSON path of the offending field, e.g. "vms.0.vcpus". */
  path: string;
  message: string;
}

function threadCount(w: { kind: string; threads?: number; workers?: number }): number {
  if (w.kind === "stress") return w.workers ?? 1;
  return w.threads ?? 1;
}

/** Checks the limits and the cross-field rules a JSON Schema cannot express. */
export function checkLimits(s: Scenario): LimitViolation[] {
  const out: LimitViolation[] = [];
  const v = (path: string, message: string) => out.push({ path, message });
  const cpus = s.host.cpus;
  if (!(cpus >= 1 && cpus <= LIMITS.host_cpus)) v("host.cpus", `must be 1..${LIMITS.host_cpus}`);
  const vms = s.vms ?? [];
  if (vms.length > LIMITS.vms) v("vms", `at most ${LIMITS.vms} VMs`);
  let vcpus = 0;
  let threads = 0;
  const cgroups = new Set((s.host.cgroups ?? []).map((c) => c.name));
  const names = new Set<string>();
  vms.forEach((vm, i) => {
    vcpus += vm.vcpus;
    if (names.has(vm.name)) v(`vms.${i}.name`, `duplicate VM name "${vm.name}"`);
    names.add(vm.name);
    if (vm.cgroup !== undefined && !cgroups.has(vm.cgroup)) v(`vms.${i}.cgroup`, `no cgroup "${vm.cgroup}" in host.cgroups`);
    vm.pin?.forEach((c, j) => {
      if (c < 0 || c >= cpus) v(`vms.${i}.pin.${j}`, `CPU ${c} does not exist (host.cpus = ${cpus})`);
    });
    (vm.workloads ?? []).forEach((w, j) => {
      threads += threadCount(w);
      if (w.cpu !== undefined && (w.cpu < 0 || w.cpu >= vm.vcpus))
        v(`vms.${i}.workloads.${j}.cpu`, `vCPU ${w.cpu} does not exist (vcpus = ${vm.vcpus})`);
      if (w.cgroup !== undefined) v(`vms.${i}.workloads.${j}.cgroup`, "cgroups are host-side; a guest workload cannot name one");
    });
  });
  (s.host.workloads ?? []).forEach((w, j) => {
    threads += threadCount(w);
    if (w.cpu !== undefined && (w.cpu < 0 || w.cpu >= cpus))
      v(`host.workloads.${j}.cpu`, `CPU ${w.cpu} does not exist (host.cpus = ${cpus})`);
    if (w.cgroup !== undefined && !cgroups.has(w.cgroup)) v(`host.workloads.${j}.cgroup`, `no cgroup "${w.cgroup}" in host.cgroups`);
    if ((w.kind === "spin" || w.kind === "bursty") && w.preempt_disabled)
      v(`host.workloads.${j}.preempt_disabled`, "preempt_disabled is a guest-only workload option");
  });
  if (vcpus > LIMITS.vcpus_total) v("vms", `at most ${LIMITS.vcpus_total} vCPUs in all (got ${vcpus})`);
  if (threads > LIMITS.threads_total) v("workloads", `at most ${LIMITS.threads_total} threads in all (got ${threads})`);
  const d = s.duration_s ?? 10;
  if (!(d > 0 && d <= LIMITS.duration_s)) v("duration_s", `must be in (0, ${LIMITS.duration_s}]`);
  if (s.max_events !== undefined && !(s.max_events >= 1 && s.max_events <= LIMITS.max_events))
    v("max_events", `must be 1..${LIMITS.max_events}`);
  const seg = s.timeline?.max_segments;
  if (seg !== undefined && !(seg >= 1 && seg <= LIMITS.timeline_segments_per_cpu))
    v("timeline.max_segments", `must be 1..${LIMITS.timeline_segments_per_cpu}`);
  return out;
}

/** vCPUs tab: per-vCPU boosts, boosted time, throttles, exits by reason and steal; host CPU and per-thread counters. */
import type { RunResult } from "../../sim-core/results";
import { h } from "../dom";
import { cpuTable, threadTable, vcpuTable } from "../lib/tables";
import { renderTable } from "./table";

export function renderVcpus(runs: readonly RunResult[]): HTMLElement {
  const root = h("div", { class: "vcpus" });
  for (const r of runs) {
    if (r.vcpus?.length) root.appendChild(renderTable(vcpuTable(r)));
    if (r.cpus?.length) root.appendChild(renderTable(cpuTable(r)));
    if (r.threads?.length) root.appendChild(renderTable(threadTable(r)));
  }
  if (!root.childElementCount) root.appendChild(h("p", { class: "empty" }, "No vCPU or CPU counters in these runs."));
  return root;
}

/** Hover text of the timeline, on a real run: the segment under the pointer, or a pixel's worth of them, and nearby markers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { simulate, type Scenario } from "../../sim-core/index";
import { MARK_EXIT } from "../../sim-core/timeline-codes";
import { segmentView, trackSegments } from "../../sim-core/timeline-read";
import { describeAt, fmtAt } from "../../webview/lib/timeline-hit";

const s: Scenario = {
  name: "hit",
  duration_s: 0.2,
  seed: 2,
  host: { cpus: 1, cgroups: [{ name: "vms", shares: 64 }], workloads: [{ kind: "stress", workers: 1 }] },
  vms: [{ name: "vm", vcpus: 1, cgroup: "vms", workloads: [{ kind: "cyclictest", id: "ct", interval_us: 500 }] }],
};
const tl = simulate(s, "dynamic", { timeline: true }).timeline!;

test("a wide segment is described with its thread, policy, boost and times", () => {
  const host = trackSegments(tl, 0);
  const boosted = host.find((x) => x.boosted)!;
  const mid = (boosted.start_ns + boosted.end_ns) / 2;
  const d = describeAt(tl, 0, mid, 1);
  assert.equal(d.lines[0], "CPU 0: vm/vcpu0 · RR 8 · boosted by the series");
  assert.ok(d.lines[1]!.startsWith(`${fmtAt(boosted.start_ns)} – ${fmtAt(boosted.end_ns)}`));
  const stress = host.find((x) => x.thread.startsWith("host/stress"))!;
  assert.match(describeAt(tl, 0, stress.start_ns, 1).lines[0]!, /^CPU 0: host\/stress#0\.0 · CFS$/);
});

test("a vCPU segment says the guest task and what the vCPU thread was doing", () => {
  const v = trackSegments(tl, 1);
  const waiting = v.find((x) => x.vcpu_state === "waiting" && x.end_ns - x.start_ns > 10)!;
  const d = describeAt(tl, 1, waiting.start_ns + 1, 1);
  assert.equal(d.lines[1]!.split(" · ")[0], "vCPU thread runnable but not running (steal)");
  const running = v.find((x) => x.vcpu_state === "running" && x.entity !== 0)!;
  const r = describeAt(tl, 1, running.start_ns, 1);
  assert.equal(r.lines[0], `vm/vcpu0: guest task ${running.thread} · ${running.policy}`);
  assert.equal(r.lines[1]!.split(" · ")[0], "vCPU thread running on CPU 0");
});

test("zoomed out, a pixel is summarised, and markers near the pointer are listed", () => {
  const d = describeAt(tl, 0, 100e6, 1e6);
  assert.match(d.lines[0]!, /^CPU 0: \d+ segments in 1 ms, \d+% not idle, mostly /);
  const m = tl.markers;
  let i = m.offset[1]!;
  while (m.kind[i] !== MARK_EXIT) i++;
  const near = describeAt(tl, 1, m.t_ns[i]!, 10);
  assert.ok(
    near.lines.some((l) => l.startsWith("exit: ") && l.includes(fmtAt(m.t_ns[i]!))),
    near.lines.join("\n"),
  );
  assert.equal(segmentView(tl, 1, near.index).track, 1);
});

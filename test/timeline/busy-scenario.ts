/**
 * A busy little system for the timeline-size tests (test/timeline/downsample.test.ts,
 * test/extension/panel-fit.test.ts): host and guest cyclictest beside CFS hogs, so that a run of
 * a fraction of a second records thousands of segments and two probes with their worst samples.
 */
import type { Scenario } from "../../sim-core/index";

export function busyScenario(opts: { seed: number; durationS: number; vcpus: number; hostHogs: number }): Scenario {
  return {
    name: "busy",
    seed: opts.seed,
    duration_s: opts.durationS,
    host: {
      cpus: 2,
      workloads: [
        { kind: "stress", id: "hog", workers: opts.hostHogs },
        { kind: "cyclictest", id: "host-ct", interval_us: 200 },
      ],
    },
    vms: [
      {
        name: "vm0",
        vcpus: opts.vcpus,
        workloads: [
          { kind: "cyclictest", id: "ct", interval_us: 500 },
          { kind: "stress", id: "ghog", workers: opts.vcpus },
        ],
      },
    ],
    timeline: { enabled: true },
  } as Scenario;
}

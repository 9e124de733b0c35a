/**
 * The scenario-side hostile inputs of issue 14, in one list: the hostile-input test
 * (scenario-hostile.test.ts) gives each to the real CLI, and scripts/peak-rss.ts measures the
 * peak RSS of the same runs. Each was measured on main before the fixes (issue 14's numbers):
 * a hang, a NaN result with exit 0, gigabytes of memory, or a crash. Large inputs are generated,
 * never committed.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";

export interface HostileInput {
  what: string;
  /** Writes the input into `dir` and returns the CLI arguments that read it. */
  make: (dir: string, write: (name: string, content: string | Uint8Array) => string) => string[];
  /** The one line the CLI must answer with (exit 2). */
  expect: RegExp;
}

/** A small scenario with `host` and `vms` YAML spliced in. */
export function scenario(host: string, vms = "", durationS = 1): string {
  return `name: hostile\nduration_s: ${durationS}\nhost:\n  cpus: 2\n${host}${vms ? `vms:\n${vms}` : ""}`;
}

const cyclictest = (cmdline: string) => scenario(`  workloads: [{ kind: cyclictest, cmdline: "${cmdline}" }]\n`);

/** The largest shape sim-core accepts: 256 CPUs, 8 VMs x 64 vCPUs with 64 cyclictest threads each. */
export function largestShape(opts: { durationS: number; extra?: string }): string {
  const vms = Array.from(
    { length: 8 },
    (_, i) => `  - { name: vm${i}, vcpus: 64, workloads: [{ kind: cyclictest, cmdline: "cyclictest -t 64 -i 100" }] }\n`,
  ).join("");
  return (
    `name: largest\nduration_s: ${opts.durationS}\n${opts.extra ?? ""}host:\n  cpus: 256\n  workloads: [{ kind: stress, workers: 256 }]\n` +
    `vms:\n${vms}modes: [vanilla, dynamic, static]\n`
  );
}

const MB = 1024 * 1024;

export const HOSTILE_SCENARIOS: HostileInput[] = [
  // cyclictest command lines: never checked before, so -i 0 looped without making an event.
  ...(
    [
      ["-i 0", /cmdline: -i 0: must be >= 0\.001 \(as interval_us\)/],
      ["-i -500", /cmdline: -i -500: must be >= 0\.001 \(as interval_us\)/],
      ["-t 2 -d -100", /cmdline: -d -100: must be >= 0 \(as distance_us\)/],
      ["-i abc", /cmdline: -i abc: not a whole number/],
      ["-t 100000000", /cmdline: -t 100000000: must be <= 4096 \(as threads\)/],
      ["-t 1e8", /cmdline: -t 1e8: /],
    ] as const
  ).map(
    ([opts, expect]): HostileInput => ({
      what: `cyclictest ${opts}`,
      make: (_d, write) => ["run", write("cmdline.yaml", cyclictest(`cyclictest ${opts}`))],
      expect: new RegExp(`cmdline\\.yaml:5:\\d+: host\\.workloads\\[0\\]\\.${expect.source}`),
    }),
  ),
  {
    what: "context_switch_ns 0 and a period that rounds to 0 ns",
    make: (_d, write) => [
      "run",
      write(
        "cs0.yaml",
        scenario("  sched: { context_switch_ns: 0 }\n  workloads: [{ kind: periodic, period_us: 0.0001, work: { const_us: 0 } }]\n"),
      ),
    ],
    expect: /cs0\.yaml:6:\d+: host\.workloads\[0\]\.period_us: must be >= 0\.001/,
  },
  {
    what: "context_switch_ns 0 and a 1 ns period",
    make: (_d, write) => [
      "run",
      write(
        "cs0-1ns.yaml",
        scenario("  sched: { context_switch_ns: 0 }\n  workloads: [{ kind: periodic, period_us: 0.001, work: { const_us: 0 } }]\n"),
      ),
    ],
    expect: /cs0-1ns\.yaml:6:\d+: host\.workloads\[0\]\.period_us: run over the event budget: about 1\.0e10 events .* every 0\.001 us/,
  },
  {
    what: "nmi_hz 1e15",
    make: (_d, write) => ["run", write("nmi.yaml", scenario("", "  - { name: g, vcpus: 2, guest: { irq: { nmi_hz: 1e15 } } }\n"))],
    expect: /nmi\.yaml:\d+:\d+: vms\[0\]\.guest\.irq\.nmi_hz: must be <= 100000/,
  },
  {
    what: "nmi_hz at its limit on 512 vCPUs for an hour",
    make: (_d, write) => [
      "run",
      write(
        "nmi-max.yaml",
        `name: n\nduration_s: 3600\nhost: { cpus: 256 }\nvms:\n${Array.from({ length: 8 }, (_, i) => `  - { name: v${i}, vcpus: 64, guest: { irq: { nmi_hz: 100000 } } }\n`).join("")}`,
      ),
    ],
    expect: /nmi-max\.yaml:5:\d+: vms\[0\]\.guest\.irq\.nmi_hz: run over the event budget/,
  },
  {
    what: "sample_rate_hz 1e12",
    make: (_d, write) => ["run", write("audio.yaml", scenario("  workloads: [{ kind: audio, buffer_frames: 1, sample_rate_hz: 1e12 }]\n"))],
    expect: /audio\.yaml:5:\d+: host\.workloads\[0\]\.sample_rate_hz: must be <= 768000/,
  },
  {
    what: "sample_rate_hz at its limit, 16-frame buffers, for an hour",
    make: (_d, write) => [
      "run",
      write("audio-max.yaml", scenario("  workloads: [{ kind: audio, buffer_frames: 16, sample_rate_hz: 768000 }]\n", "", 3600)),
    ],
    expect: /audio-max\.yaml:\d+:\d+: host\.workloads\[0\]\.sample_rate_hz: run over the sample budget/,
  },
  {
    what: "256 CPUs x 3 modes, 512 vCPUs, for an hour",
    make: (_d, write) => ["compare", write("largest.yaml", largestShape({ durationS: 3600 }))],
    expect: /largest\.yaml:\d+:\d+: \S+: run over the (event|sample) budget/,
  },
  {
    what: "256 CPUs x 3 modes with the timeline (run --trace)",
    make: (d, write) => [
      "run",
      write("largest-tl.yaml", largestShape({ durationS: 2, extra: "timeline: {}\n" })),
      "--trace",
      join(d, "t.json"),
    ],
    expect: /largest-tl\.yaml:\d+:\d+: timeline\.max_segments: run over the timeline budget: up to 5\.1e6 segments/,
  },
  {
    // The fuzzer's find: yaml printed a warning on stderr beside the one-line error.
    what: "a mapping key that is a list",
    make: (_d, write) => ["run", write("list-key.yaml", `${scenario("")}? [a, b]\n: 1\n`)],
    expect: /list-key\.yaml:5:3: a key must be a name, not a list or a mapping$/,
  },
  {
    what: "a 12 MB scenario",
    make: (_d, write) => [
      "run",
      write("12mb.yaml", `${scenario("")}${"# padding padding padding padding padding padding\n".repeat((12 * MB) / 50)}`),
    ],
    expect: /12mb\.yaml:1:1: file too large: \d+ bytes \(limit 262144 characters\)/,
  },
];

/** Non-regular files: a FIFO (opening it would block) and a symlink to /dev/zero (endless). */
export function specialFiles(dir: string): { fifo: string; zero: string; seedDir: string } {
  const fifo = join(dir, "fifo.pvsched.yaml");
  execFileSync("mkfifo", [fifo]);
  const zero = join(dir, "zero.pvsched.yaml");
  symlinkSync("/dev/zero", zero);
  // A seed directory whose scenario is a link to /dev/zero.
  const seedDir = join(dir, "seeds");
  mkdirSync(seedDir);
  symlinkSync("/dev/zero", join(seedDir, "a.pvsched.yaml"));
  return { fifo, zero, seedDir };
}

/**
 * A small host (and optionally one guest) built as simulate() builds them, for tests that need
 * to reach into the scheduler: tasks, CPUs and vCPUs at hand, events run step by step.
 */
import { Engine } from "../../sim-core/engine";
import { kvmCosts } from "../../sim-core/costs";
import { Guest } from "../../sim-core/guest/guest";
import { Host } from "../../sim-core/host";
import type { HaltPollParams } from "../../sim-core/kvm/halt_poll";
import { installKvmHostHooks, Vcpu } from "../../sim-core/kvm/vcpu";
import { KVM_DEFAULTS } from "../../sim-core/params";
import { Streams } from "../../sim-core/rng";
import type { HostConfig, Policy, SchedConfig } from "../../sim-core/scenario";
import { Task } from "../../sim-core/sched/task";

export const US = 1_000;
export const MS = 1_000_000;

export interface World {
  eng: Engine;
  host: Host;
  guest: Guest | null;
  vcpus: Vcpu[];
  /** Runs events up to `t` ns. */
  runTo(t: number): void;
}

/** KVM's halt-polling off (halt_poll_ns 0) unless a test passes its own parameters. */
const NO_POLL: HaltPollParams = { maxNs: 0, grow: 2, growStart: 10_000, shrink: 0 };

export function world(
  hostCpus: number,
  vcpus = 0,
  sched: SchedConfig = {},
  poll: HaltPollParams = NO_POLL,
  kvm: Partial<typeof KVM_DEFAULTS> = {},
  /** The guest's scheduler, if not the host's. */
  guestSched: SchedConfig = sched,
  /** More of the host's configuration (cgroups, cost_scale). */
  hostExtra: Partial<HostConfig> = {},
): World {
  const eng = new Engine();
  const streams = new Streams(1);
  // Constant costs and no kworker/softirq noise: the tests reason about exact times.
  const host = new Host(eng, { cpus: hostCpus, sched, cost_model: "constant", noise: false, ...hostExtra }, streams);
  const costs = kvmCosts(null, { ...KVM_DEFAULTS, setscheduler_ns: 1500, ...kvm }, 1);
  installKvmHostHooks(host);
  let guest: Guest | null = null;
  const vs: Vcpu[] = [];
  if (vcpus > 0) {
    guest = new Guest(
      eng,
      streams,
      { name: "vm", vcpus, guest: { sched: guestSched } },
      { constantCosts: true, noise: false, costScale: 1 },
    );
    for (let i = 0; i < vcpus; i++) {
      const v = new Vcpu(eng, host, "vm", i, guest.cpus[i]!, costs, poll, true, false, 0);
      guest.attach(v);
      vs.push(v);
      // vCPU i on host CPU i.
      host.addTask(v.task, i % hostCpus, undefined);
    }
    for (const v of vs) host.wakeTask(v.task);
  }
  const until = 3600 * 1e9;
  host.start(until);
  guest?.start(until);
  return { eng, host, guest, vcpus: vs, runTo: (t) => void eng.run(t, Number.MAX_SAFE_INTEGER) };
}

/**
 * One host CPU and one vCPU whose guest runs a hog ("g-hog"), run to `until` ns (the vCPU is in
 * guest mode there unless a host event holds it: callers assert what they rely on).
 */
export function guestHog(until: number, kvm: Partial<typeof KVM_DEFAULTS> = {}, poll: HaltPollParams = NO_POLL) {
  const w = world(1, 1, {}, poll, kvm);
  const g = w.guest!;
  const v = w.vcpus[0]!;
  const h = hog("g-hog");
  g.addTask(h, 0);
  g.wake(h);
  w.runTo(until);
  return { w, g, v };
}

/** A thread that never sleeps. */
export function hog(name: string, policy: Policy = "other", prio = 0): Task {
  const t = new Task(
    name,
    {
      burstEnd: (x) => {
        x.remaining = Number.POSITIVE_INFINITY;
      },
    },
    policy,
    prio,
  );
  t.remaining = Number.POSITIVE_INFINITY;
  return t;
}

/**
 * A thread that runs `workNs` each time it is woken (set `remaining` again before the next
 * wake-up), then blocks; it starts asleep, past its fork placement.
 */
export function sleeper(name: string, workNs: number, policy: Policy = "other", prio = 0): Task {
  const t = new Task(name, { burstEnd: (x) => x.cpu!.sleepCurr() }, policy, prio);
  t.newTask = false;
  t.remaining = workNs;
  return t;
}

/** Adds `tasks` to host CPU `cpu` (pinned there, no cgroup) and wakes each, in order. */
export function startOn(w: World, cpu: number, ...tasks: Task[]): void {
  for (const t of tasks) {
    w.host.addTask(t, cpu, undefined);
    w.host.wakeTask(t);
  }
}

/**
 * vCPU 0 of `w` runs a guest hog, its thread SCHED_FIFO 10 on host CPU 0 beside a waiting host
 * hog, 5 ms in: dropping the thread to SCHED_OTHER lets the hog preempt it.
 */
export function fifoVcpuBesideHostHog(w: World): Vcpu {
  const v = w.vcpus[0]!;
  const gh = hog("g-hog");
  w.guest!.addTask(gh, 0);
  w.guest!.wake(gh);
  v.setHostPolicy("fifo", 10, 0);
  startOn(w, 0, hog("host-hog"));
  w.runTo(5 * MS);
  return v;
}

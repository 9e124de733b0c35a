/**
 * Wake placement as in Linux 6.5 (select_task_rq_fair(), select_idle_sibling() with SIS_UTIL,
 * TTWU_QUEUE), on the host and in a guest, where vcpu_is_preempted() comes from KVM's
 * steal-time flag; and KVM's rule for that flag (set only for a preemption that follows an exit
 * on a host interrupt, cleared at the next entry).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { IrqSource } from "../../sim-core/kvm/vcpu";
import { Task } from "../../sim-core/sched/task";
import { fifoVcpuBesideHostHog, hog, MS, sleeper, US, world } from "./world";

test("host: a wakeup whose CPU is busy goes to an idle CPU of the LLC, once the balancer has set the SIS_UTIL budget", () => {
  const w = world(4);
  const [c0, c1] = w.host.cpus;
  const a = hog("a");
  w.host.addTask(a, 0, undefined);
  w.host.wakeTask(a);
  const p = sleeper("p", 100 * US);
  w.host.addTask(p, undefined, undefined);
  p.cpu = c0!;
  p.recentUsedCpu = -1;
  // At boot sd_llc_shared->nr_idle_scan is 0: select_idle_cpu() scans nothing.
  assert.equal(w.host.rd.nrIdleScan, 0);
  w.host.wakeTask(p);
  assert.equal(p.cpu, c0, "no scan before the first periodic balance");
  // The busy CPU balances every 4 ms * busy_factor 16 - 1 jiffy: first at 60 ms (HZ=250).
  w.runTo(70 * MS);
  assert.ok(!p.onRq, "p ran and slept");
  // That periodic balance set update_idle_cpu_scan()'s budget: one CPU's worth of utilisation
  // in a 4-CPU LLC (x = 1024/4) leaves 4 * (1 - (x * 1.17 / 1024)^2) = 3.66, so 3 CPUs.
  assert.equal(w.host.rd.nrIdleScan, 3);
  p.cpu = c0!;
  p.remaining = 100 * US;
  w.host.wakeTask(p);
  assert.equal(p.cpu, c1, "the first idle CPU after the target");
  w.runTo(71 * MS);
  assert.ok(p.runtimeNs >= 200 * US, "and it ran there");
});

test("guest: the wakeup skips a vCPU that KVM reports preempted, and reaches the idle one with an IPI", () => {
  for (const preempted of [false, true]) {
    const w = world(3, 3);
    const g = w.guest!;
    const ipis: { cpu: number; source: IrqSource }[] = [];
    const deliver = g.deliver.bind(g);
    g.deliver = (i, source, ns, fn) => {
      ipis.push({ cpu: i, source });
      return deliver(i, source, ns, fn);
    };
    const h = hog("g-hog");
    g.addTask(h, 0);
    g.wake(h);
    w.runTo(70 * MS);
    // One busy vCPU of 3: 3 * (1 - (341 * 1.17 / 1024)^2) = 2.55, a budget of 2 vCPUs.
    assert.equal(g.rd.nrIdleScan, 2, "the guest's periodic balance set the scan budget");
    const p = sleeper("p", 100 * US);
    g.addTask(p, undefined);
    p.cpu = g.cpus[0]!;
    p.recentUsedCpu = -1;
    // KVM marked vCPU 1 preempted in its steal-time area (see the next test for when it does).
    w.vcpus[1]!.preempted = preempted;
    ipis.length = 0;
    // The wakeup runs on vCPU 0, in a device interrupt's handler.
    g.deliver(0, "device", 2 * US, () => g.wake(p));
    w.runTo(71 * MS);
    const want = preempted ? 2 : 1;
    assert.equal(p.cpu, g.cpus[want], `woken on vCPU ${p.cpu?.index}`);
    assert.ok(p.runtimeNs >= 100 * US, "it ran");
    assert.deepEqual(
      ipis.filter((x) => x.source === "ipi"),
      [{ cpu: want, source: "ipi" }],
      "one IPI (TTWU_QUEUE's wake list) to that vCPU",
    );
  }
});

test("guest: a remote wakeup that must preempt sends a reschedule IPI", () => {
  const w = world(2, 2);
  const g = w.guest!;
  const ipis: number[] = [];
  const deliver = g.deliver.bind(g);
  g.deliver = (i, source, ns, fn) => {
    if (source === "ipi") ipis.push(i);
    return deliver(i, source, ns, fn);
  };
  // Both vCPUs busy with a pinned hog; an RT task whose CPU was vCPU 1 wakes from vCPU 0.
  for (const i of [0, 1]) {
    const h = hog(`h${i}`);
    g.addTask(h, i);
    g.wake(h);
  }
  w.runTo(10 * MS);
  const rt = new Task("rt", { burstEnd: (x) => x.cpu!.sleepCurr() }, "fifo", 50);
  rt.newTask = false;
  rt.remaining = 50 * US;
  g.addTask(rt, undefined);
  rt.cpu = g.cpus[1]!;
  g.deliver(0, "device", 2 * US, () => g.wake(rt));
  w.runTo(11 * MS);
  assert.equal(rt.cpu, g.cpus[1]);
  assert.ok(rt.runtimeNs >= 50 * US, "it preempted the hog");
  assert.deepEqual(ipis, [1]);
});

test("KVM: a vCPU preempted right after an exit on a host interrupt is reported preempted, after another exit not; entry clears it", () => {
  for (const reason of ["external_interrupt", "ipi", "msr_other"] as const) {
    const w = world(1, 1);
    // The vCPU thread runs as SCHED_FIFO beside a waiting host hog.
    const v = fifoVcpuBesideHostHog(w);
    assert.equal(v.mode, "guest");
    // An exit, and while it is handled the thread drops to SCHED_OTHER: the hog preempts it.
    v.exit(reason);
    v.setHostPolicy("other", 0, 0);
    w.runTo(5 * MS + 10 * US);
    assert.notEqual(v.runningOn, w.host.cpus[0], "the vCPU thread waits");
    // A kick's IPI is a host interrupt too.
    assert.equal(v.preempted, reason !== "msr_other", `after a ${reason} exit`);
    // Back on the CPU (the hog's slice ends), the entry clears the flag.
    w.runTo(60 * MS);
    if (v.mode === "guest") assert.equal(v.preempted, false);
  }
});

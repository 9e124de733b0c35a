/**
 * The runqueue (sim-core/sched/rq.ts) against kernel/sched/core.c of Linux 6.5: what each class
 * ran (the CPU's statistics), resched_curr() on the executing CPU and on another one (one
 * reschedule IPI while TIF_NEED_RESCHED is set), smp_processor_id() for guest code that touches a
 * host runqueue, the steal-free clocks of a guest CPU, check_preempt_curr() between classes and
 * under RT throttling, and __sched_setscheduler()'s reschedules. Expected values are worked out
 * from those rules, never read from a run of the same code.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { niceToWeight } from "../../sim-core/params";
import { Rq } from "../../sim-core/sched/rq";
import { Task } from "../../sim-core/sched/task";
import { hog, MS, startOn, US, world } from "./world";

/** Runs `fn` as code of CPU `ex` (smp_processor_id()), as a CPU's own event handler would. */
function onCpu(ex: Rq, fn: () => void): void {
  const prev = Rq.executing;
  Rq.executing = ex;
  try {
    fn();
  } finally {
    Rq.executing = prev;
  }
}

test("what each class ran: idle until a fair hog starts, fair, RT for an RT task's 20 ms, fair again", () => {
  const w = world(1);
  const [c0] = w.host.cpus;
  const f = hog("f");
  w.host.addTask(f, 0, undefined);
  w.eng.at(1 * MS, () => w.host.wakeTask(f));
  const r = new Task("r", { burstEnd: (x) => x.cpu!.sleepCurr() }, "fifo", 50);
  r.remaining = 20 * MS;
  w.host.addTask(r, 0, undefined);
  w.eng.at(10 * MS, () => w.host.wakeTask(r));
  w.runTo(40 * MS);
  c0!.finish();
  const s = c0!.stats;
  // Every nanosecond of the 40 ms is one class's, counted once.
  assert.equal(s.idle_ns + s.fair_ns + s.rt_ns, 40 * MS);
  // Idle for the first millisecond (the CPU switches at the wake-up: a few microseconds more).
  assert.ok(s.idle_ns >= 1 * MS && s.idle_ns < 1 * MS + 20 * US, `idle ${s.idle_ns}`);
  // r runs its 20 ms of work plus its switch and the ticks' interrupts in between (5 ticks at HZ 250).
  assert.ok(s.rt_ns > 20 * MS && s.rt_ns < 20 * MS + 200 * US, `rt ${s.rt_ns}`);
  assert.ok(s.fair_ns > 18.7 * MS && s.fair_ns < 19 * MS, `fair ${s.fair_ns}`);
  // idle -> f, f -> r, r -> f.
  assert.equal(s.context_switches, 3);
});

test("resched_curr(): locally a reschedule; on another CPU one IPI, none more while need_resched is set", () => {
  const w = world(2);
  const [c0, c1] = w.host.cpus;
  const ipis: number[] = [];
  const ipi = w.host.rd.env.ipi;
  w.host.rd.env.ipi = (c, fn) => {
    ipis.push(c.index);
    ipi(c, fn);
  };
  const a = hog("a");
  w.host.addTask(a, 1, undefined);
  w.host.wakeTask(a);
  w.runTo(1 * MS);
  ipis.length = 0;
  // From outside any CPU (the start of a run): no IPI.
  c1!.resched();
  assert.equal(c1!.needResched, true);
  assert.deepEqual(ipis, []);
  w.runTo(2 * MS);
  assert.equal(c1!.needResched, false, "the reschedule ran");
  // CPU 1 from its own code: no IPI either.
  onCpu(c1!, () => c1!.resched());
  assert.deepEqual(ipis, []);
  w.runTo(3 * MS);
  // CPU 0's code reschedules CPU 1 twice before the IPI lands: one IPI.
  onCpu(c0!, () => {
    c1!.resched();
    c1!.resched();
  });
  assert.deepEqual(ipis, [1]);
  assert.equal(c1!.needResched, true);
  w.runTo(4 * MS);
  assert.equal(c1!.needResched, false);
  onCpu(c0!, () => c1!.resched());
  assert.deepEqual(ipis, [1, 1], "a new IPI once the last one was handled");
});

test("smp_processor_id() for guest code touching a host runqueue: the host CPU its vCPU thread runs on", () => {
  const w = world(2, 1);
  const [c0, c1] = w.host.cpus;
  const g0 = w.guest!.cpus[0]!;
  const gh = hog("g");
  w.guest!.addTask(gh, 0);
  w.guest!.wake(gh);
  w.runTo(1 * MS);
  assert.equal(w.vcpus[0]!.runningOn, c0);
  onCpu(g0, () => {
    assert.equal(c0!.isRemote(), false, "its own host CPU");
    assert.equal(c1!.isRemote(), true);
    // And guest CPUs among themselves: the same root domain, CPU against CPU.
    assert.equal(g0.isRemote(), false);
  });
  onCpu(c1!, () => {
    assert.equal(c0!.isRemote(), true);
    assert.equal(c1!.isRemote(), false);
  });
  // Once the vCPU thread is off its CPU (preempted by a host RT task), nothing executes for it.
  const rt = hog("host-rt", "fifo", 50);
  w.host.addTask(rt, 0, undefined);
  w.host.wakeTask(rt);
  w.runTo(2 * MS);
  assert.equal(w.vcpus[0]!.runningOn, null);
  onCpu(g0, () => {
    assert.equal(c0!.isRemote(), false);
    assert.equal(c1!.isRemote(), false);
  });
});

test("a guest CPU's clocks exclude steal: neither moves while its vCPU thread waits on the host", () => {
  const w = world(1, 1);
  const [c0] = w.host.cpus;
  const v = w.vcpus[0]!;
  const g0 = w.guest!.cpus[0]!;
  const gh = hog("g");
  w.guest!.addTask(gh, 0);
  w.guest!.wake(gh);
  // A host hog shares the CPU with the vCPU thread: CFS alternates them in slices of milliseconds.
  const h = hog("host-hog");
  w.host.addTask(h, 0, undefined);
  w.host.wakeTask(h);
  let waits = 0;
  let runs = 0;
  for (let t = 10 * MS; t < 200 * MS; t += 500 * US) {
    w.runTo(t);
    const waiting = c0!.curr === h;
    const pelt = g0.clockPelt();
    const task = g0.clockTask();
    w.runTo(t + 100 * US);
    // Only the intervals where the vCPU thread kept its state throughout.
    if ((c0!.curr === h) !== waiting || !v.task.onRq) continue;
    if (waiting) {
      waits++;
      assert.equal(g0.clockPelt() - pelt, 0, `stolen time counted at ${t}`);
      assert.equal(g0.clockTask() - task, 0);
    } else if (c0!.curr === v.task && g0.active) {
      runs++;
      // Running in guest mode: at most the 100 us (less what exits cost the guest).
      assert.ok(g0.clockPelt() - pelt > 90 * US && g0.clockPelt() - pelt <= 100 * US);
    }
  }
  assert.ok(waits > 20 && runs > 20, `waits ${waits} runs ${runs}`);
});

test("check_preempt_curr(): RT preempts fair, fair never preempts RT, a throttled RT class preempts nothing", () => {
  // An RT period of 1.002 s, so that its timer is not also a tick (HZ 250: every 4 ms).
  const w = world(1, 0, { rt_period_us: 1_002_000 });
  const [c0] = w.host.cpus;
  const f = hog("f");
  w.host.addTask(f, 0, undefined);
  w.host.wakeTask(f);
  w.runTo(1 * MS);
  const r = hog("r", "fifo", 10);
  w.host.addTask(r, 0, undefined);
  r.newTask = false;
  c0!.wake(r);
  assert.equal(c0!.needResched, true, "RT over fair");
  w.runTo(2 * MS);
  assert.equal(c0!.curr, r);
  const f2 = hog("f2");
  w.host.addTask(f2, 0, undefined);
  f2.newTask = false;
  c0!.wake(f2);
  assert.equal(c0!.needResched, false, "fair under RT");
  // sched_rt_runtime 950 ms of every 1 s: r is throttled at 950 ms and the fair tasks run.
  w.runTo(960 * MS);
  assert.equal(c0!.rt.throttled, true);
  assert.ok(c0!.curr === f || c0!.curr === f2);
  const r2 = hog("r2", "fifo", 20);
  w.host.addTask(r2, 0, undefined);
  r2.newTask = false;
  c0!.wake(r2);
  assert.equal(c0!.needResched, false, "a throttled class does not preempt");
  w.runTo(1001 * MS);
  assert.ok(c0!.curr === f || c0!.curr === f2);
  // The period timer at 1.002 s unthrottles and reschedules: the higher RT task runs before the
  // next tick (1.004 s).
  w.runTo(1003 * MS);
  assert.equal(c0!.rt.throttled, false);
  assert.equal(c0!.curr, r2);
});

test("sched_setscheduler(): a queued task raised to RT preempts; a running RT task lowered below a waiter yields", () => {
  const w = world(1);
  const [c0] = w.host.cpus;
  const a = hog("a");
  const b = hog("b");
  startOn(w, 0, a, b);
  w.runTo(1 * MS);
  const waiting = c0!.curr === a ? b : a;
  const running = c0!.curr!;
  c0!.setPolicy(waiting, "fifo", 50, 0);
  assert.equal(waiting.rtPrio, 50);
  assert.equal(c0!.needResched, true, "check_preempt_curr() of the queued task");
  w.runTo(1 * MS + 50 * US);
  assert.equal(c0!.curr, waiting);
  // An RT task waits at 30 behind the running 50.
  const mid = hog("mid", "fifo", 30);
  w.host.addTask(mid, 0, undefined);
  mid.newTask = false;
  c0!.wake(mid);
  w.runTo(2 * MS);
  assert.equal(c0!.curr, waiting);
  c0!.setPolicy(waiting, "fifo", 40, 0);
  assert.equal(c0!.needResched, false, "40 is still above 30");
  w.runTo(3 * MS);
  assert.equal(c0!.curr, waiting);
  c0!.setPolicy(waiting, "fifo", 20, 0);
  assert.equal(c0!.needResched, true, "prio_changed_rt(): 20 is below the waiting 30");
  w.runTo(3 * MS + 50 * US);
  assert.equal(c0!.curr, mid);
  // The fair task left behind: a nice change sets its weight from the kernel's table (nice 5: 335).
  c0!.setPolicy(running, "other", 0, 5);
  assert.equal(running.se.weight, 335);
  assert.equal(running.se.weight, niceToWeight(5));
  assert.equal(c0!.needResched, false, "a waiting fair task does not preempt RT");
});

test("sched_setscheduler(): a running RT task dropped to SCHED_OTHER reschedules (switched_to_fair())", () => {
  const w = world(1);
  const [c0] = w.host.cpus;
  const r = hog("r", "fifo", 10);
  w.host.addTask(r, 0, undefined);
  w.host.wakeTask(r);
  const f = hog("f");
  w.host.addTask(f, 0, undefined);
  w.host.wakeTask(f);
  w.runTo(1 * MS);
  assert.equal(c0!.curr, r);
  c0!.setPolicy(r, "other", 0, 0);
  assert.equal(r.rtPrio, 0);
  assert.equal(c0!.needResched, true);
  assert.equal(c0!.rt.nrRunning, 0);
  assert.equal(c0!.fair.nrRunning, 2);
  // Both fair now: f gets its share.
  w.runTo(30 * MS);
  assert.ok(f.runtimeNs > 5 * MS, `f ran ${f.runtimeNs}`);
});

/**
 * `trace import` on real recordings made on this machine type (test/fixtures/traces/README.md):
 * the wake-up latency computed from the trace matches what cyclictest itself reported in the
 * same run, sample count exactly, p50 and p99 within 10 %. And the run-delay probe on a small
 * hand-checked trace of a vCPU thread.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { quantile } from "../../report/stats";
import { parseTrace } from "../../trace/ftrace";
import { runDelay, vcpuThreads, wakeupLatency } from "../../trace/probes";

const DIR = join(__dirname, "..", "fixtures", "traces");
const gz = (f: string) => gunzipSync(readFileSync(join(DIR, f))).toString("utf8");

/** cyclictest -v output: "thread: cycle: latency_us" per sample. */
function cyclictestSamples(f: string): Float64Array {
  const v: number[] = [];
  for (const l of readFileSync(join(DIR, f), "utf8").split("\n")) {
    const m = /^\s*\d+:\s*\d+:\s*(\d+)\s*$/.exec(l);
    if (m) v.push(Number(m[1]));
  }
  return Float64Array.from(v).sort();
}

const within = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * b;

for (const [trace, samples, format] of [
  ["cyclictest-busy.report.txt.gz", "cyclictest-busy.samples.txt", "trace-cmd"],
  ["cyclictest-busy.perf-script.txt.gz", "cyclictest-busy.perf-samples.txt", "perf"],
] as const) {
  test(`${format}: the trace's cyclictest wake-up latency is cyclictest's own, p50 and p99 within 10 %`, () => {
    const p = parseTrace(gz(trace));
    assert.equal(p.format, format);
    assert.equal(p.skipped.length, 0);
    const w = wakeupLatency(p.events, "cyclictest");
    const real = cyclictestSamples(samples);
    assert.ok(real.length >= 500);
    // One measuring thread, every one of its samples found in the trace.
    assert.equal(w.pids.length, 1);
    assert.equal(w.sorted_us.length, real.length);
    for (const q of [0.5, 0.99]) {
      const a = quantile(w.sorted_us, q);
      const b = quantile(real, q);
      assert.ok(within(a, b, 0.1), `p${q * 100}: trace ${a.toFixed(1)} us, cyclictest ${b} us`);
    }
    // The worst sample is the same wake-up (cyclictest truncates to whole microseconds).
    assert.ok(Math.abs(w.sorted_us[w.sorted_us.length - 1]! - real[real.length - 1]!) < 0.01 * real[real.length - 1]!);
  });
}

test("trace-cmd's own sched_switch and sched_wakeup formats and the name=value ones read the same", () => {
  const a = parseTrace(
    [
      "cpus=2",
      "            bash-21048 [000]  2990.061943893: sched_switch:         bash:21048 [120] R ==> cyclic test:21092 [19]",
      "          <idle>-0     [001]  2990.061950000: sched_wakeup:         kworker/1:2-ev:77 [120] CPU:001",
    ].join("\n"),
  );
  const b = parseTrace(
    [
      "            bash 21048 [000]  2990.061943: sched:sched_switch: prev_comm=bash prev_pid=21048 prev_prio=120 prev_state=R ==> next_comm=cyclic test next_pid=21092 next_prio=19",
      "          swapper     0 [001]  2990.061950: sched:sched_wakeup: comm=kworker/1:2-ev pid=77 prio=120 target_cpu=001",
    ].join("\n"),
  );
  assert.equal(a.format, "trace-cmd");
  assert.equal(b.format, "perf");
  for (const k of ["prev_comm", "prev_pid", "prev_state", "next_comm", "next_pid", "next_prio"])
    assert.equal(a.events[0]!.fields[k], b.events[0]!.fields[k], k);
  assert.equal(a.events[0]!.fields.next_comm, "cyclic test");
  assert.equal(a.events[1]!.fields.comm, b.events[1]!.fields.comm);
  assert.equal(a.events[1]!.fields.pid, "77");
  assert.equal(a.events[0]!.ts, 2990061943893);
  assert.equal(b.events[0]!.ts, 2990061943000);
});

test("run delay and steal of a vCPU thread: woken or preempted until switched in (hand-checked trace)", () => {
  // CPU 0: the vCPU thread (pid 500) is woken at 1.000010, runs at 1.000050 (40 us), is preempted
  // at 1.000300 while runnable (R+), runs again at 1.000420 (120 us), blocks (S) at 1.000500.
  const text = [
    "        stress-7     [000]     1.000010000: sched_wakeup:         CPU 0/KVM:500 [120] CPU:000",
    "        stress-7     [000]     1.000050000: sched_switch:         stress:7 [120] R ==> CPU 0/KVM:500 [120]",
    "     CPU 0/KVM-500   [000]     1.000060000: kvm_entry:            vcpu 0, rip 0xffffffff81000000",
    "     CPU 0/KVM-500   [000]     1.000290000: kvm_exit:             reason EXTERNAL_INTERRUPT rip 0x0 info 0 0",
    "     CPU 0/KVM-500   [000]     1.000300000: sched_switch:         CPU 0/KVM:500 [120] R+ ==> stress:7 [120]",
    "        stress-7     [000]     1.000420000: sched_switch:         stress:7 [120] R ==> CPU 0/KVM:500 [120]",
    "     CPU 0/KVM-500   [000]     1.000500000: sched_switch:         CPU 0/KVM:500 [120] S ==> stress:7 [120]",
  ].join("\n");
  const p = parseTrace(text);
  const threads = vcpuThreads(p.events);
  assert.deepEqual([...threads], [[500, "CPU 0/KVM"]]);
  const [d] = runDelay(p.events, threads);
  assert.deepEqual(Array.from(d!.sorted_us), [40, 120]);
  assert.equal(d!.steal_ns, 160_000);
});

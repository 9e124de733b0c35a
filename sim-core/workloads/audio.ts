/**
 * An audio callback thread, the OboeTester analogue. The device raises an interrupt every
 * buffer period (buffer_frames / sample_rate); its handler hands the thread a callback whose
 * deadline is the next period boundary. A callback that completes after it is a glitch.
 * Callbacks queue up if the thread falls behind, as buffers do.
 */
import type { AudioWorkload } from "../scenario";
import { Task } from "../sched/task";
import type { Kernel } from "./kernel";

/** ESTIMATE: the period interrupt's handler (virtio-snd / HDA period elapsed + wakeup). */
const AUDIO_IRQ_HANDLER_NS = 3_000;

export function spawnAudio(k: Kernel, w: AudioWorkload, id: string, until: number): void {
  const probe = k.probe(id, "audio");
  const rng = k.stream(id);
  const period = Math.round((w.buffer_frames / (w.sample_rate_hz ?? 48000)) * 1e9);
  const work = w.work ?? { const_us: 400 };
  const jobs: { release: number; deadline: number }[] = [];
  let running = false;
  const t: Task = new Task(
    id,
    {
      burstEnd: (task) => {
        const job = jobs.shift()!;
        probe.callback(k.eng.now, job.deadline);
        if (jobs.length > 0) start(task);
        else {
          running = false;
          k.block(task);
        }
      },
    },
    w.policy ?? "fifo",
    w.policy === undefined ? 2 : (w.priority ?? 0),
    w.nice ?? 0,
  );
  const start = (task: Task) => {
    task.remaining = Math.max(1, rng.ns(work));
  };
  // Before spawn: the kernel follows a probe thread's samples from its spawn on.
  t.onWakeLatency = (lat, now) => probe.record(lat, now);
  k.spawn(t, w.cpu, w.cgroup);
  const phase = Math.floor(rng.float() * period);
  let n = 0;
  const tick = () => {
    const release = phase + n * period;
    n++;
    k.deviceIrq(t, AUDIO_IRQ_HANDLER_NS, () => {
      jobs.push({ release, deadline: release + period });
      if (!running) {
        running = true;
        t.wakeTarget = release;
        start(t);
        k.wake(t);
      }
    });
    const next = phase + n * period;
    if (next <= until) k.eng.at(next, tick);
  };
  k.eng.at(phase, tick);
}

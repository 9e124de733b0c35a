/** Starts a scenario workload on a kernel. */
import type { Workload } from "../scenario";
import { spawnAudio } from "./audio";
import { spawnBursty } from "./bursty";
import { spawnCyclictest } from "./cyclictest";
import type { Kernel } from "./kernel";
import { spawnPeriodic } from "./periodic";
import { spawnSpin } from "./spin";
import { spawnStress } from "./stress";

export function spawnWorkload(k: Kernel, w: Workload, id: string, until: number): void {
  switch (w.kind) {
    case "cyclictest":
      spawnCyclictest(k, w, id);
      return;
    case "stress":
      spawnStress(k, w, id);
      return;
    case "audio":
      spawnAudio(k, w, id, until);
      return;
    case "periodic":
      spawnPeriodic(k, w, id);
      return;
    case "bursty":
      spawnBursty(k, w, id);
      return;
    case "spin":
      spawnSpin(k, w, id);
      return;
  }
}

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
      return spawnCyclictest(k, w, id);
    case "stress":
      return spawnStress(k, w, id);
    case "audio":
      return spawnAudio(k, w, id, until);
    case "periodic":
      return spawnPeriodic(k, w, id);
    case "bursty":
      return spawnBursty(k, w, id);
    case "spin":
      return spawnSpin(k, w, id);
  }
}

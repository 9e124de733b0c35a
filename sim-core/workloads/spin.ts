/**
 * A thread that spins forever. In a guest with `preempt_disabled` it is the reviewers' rogue
 * guest: it holds preemption off, so the series boosts its vCPU, and only the throttle (patch 5)
 * or RT throttling give the host CPU back.
 */
import type { SpinWorkload } from "../scenario";
import type { Kernel } from "./kernel";
import { spawnHog } from "./stress";

export function spawnSpin(k: Kernel, w: SpinWorkload, id: string): void {
  const pd = !!w.preempt_disabled && k.side === "guest";
  spawnHog(k, w, id, (task) => {
    if (pd) task.preemptDisabled = true;
  });
}

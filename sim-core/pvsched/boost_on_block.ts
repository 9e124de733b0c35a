/**
 * Patch 4's second hunk, in kvm_vcpu_block(): before the halted vCPU thread calls schedule(),
 * it is boosted ("wakeup happens only on an event or a signal and hence it is beneficial to be
 * scheduled ASAP"). Every vCPU that sleeps in HLT therefore sleeps as an RT thread and wakes
 * as one, whatever wakes it; the guest unboosts once it runs normal work again.
 */
import type { Vcpu } from "../kvm/vcpu";
import { setSched } from "./set_sched";
import type { PvConfig } from "./state";

/** kvm_vcpu_block(), just before schedule(). Returns the CPU time of the boost. */
export function boostOnBlock(cfg: PvConfig, v: Vcpu): number {
  if (!cfg.on.boost_on_block) return 0;
  const before = v.pv.boosts;
  const cost = setSched(cfg, v, true, "block");
  if (v.pv.boosts !== before) cfg.counters.boost_on_block++;
  return cost;
}

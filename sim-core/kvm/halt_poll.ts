/**
 * KVM's adaptive halt-polling (virt/kvm/kvm_main.c, kvm_vcpu_halt): after a HLT the vCPU
 * thread busy-waits up to its window for an interrupt before it blocks. The window grows when a
 * halt ends within the maximum and shrinks (to 0 with the default shrink of 0) after a long one.
 */
import { TIME_ZERO } from "../engine";
export interface HaltPollParams {
  maxNs: number;
  grow: number;
  growStart: number;
  shrink: number;
}

export class HaltPoll {
  /** The vCPU's current window (vcpu->halt_poll_ns); starts at 0 like KVM. */
  windowNs = 0;
  success = 0;
  fail = 0;
  polledNs = TIME_ZERO;

  constructor(private readonly p: HaltPollParams) {}

  private growWindow(): void {
    let v = this.windowNs * this.p.grow;
    if (v < this.p.growStart) v = this.p.growStart;
    this.windowNs = Math.min(v, this.p.maxNs);
  }

  private shrinkWindow(): void {
    let v = this.p.shrink === 0 ? 0 : Math.floor(this.windowNs / this.p.shrink);
    if (v < this.p.growStart) v = 0;
    this.windowNs = v;
  }

  /** End of a halt that lasted `haltNs` in all (poll + block): adapt the window. */
  adapt(haltNs: number): void {
    if (this.p.maxNs <= 0) {
      this.windowNs = 0;
      return;
    }
    const cur = this.windowNs;
    if (haltNs <= cur) return;
    if (cur > 0 && haltNs > this.p.maxNs) this.shrinkWindow();
    else if (cur < this.p.maxNs && haltNs < this.p.maxNs) this.growWindow();
  }
}

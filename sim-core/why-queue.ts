/**
 * The samples sim-core/why.ts follows, by state: armed with their expiry still ahead (a binary
 * heap on the expiry, so that the next one to pass is found in O(1)), or late (the expiry has
 * passed and the thread has not run yet). The tracer's per-instant work is then proportional to
 * the late samples only, whatever the number of probe threads (`pvsched-sim bench`'s 2048 periodic
 * threads).
 */

export interface Queued {
  target: number;
  /** 0: neither, 1: ahead (heap index in `slot`), 2: late (index in `late`), 3: late, not followed (maxLate). */
  where: 0 | 1 | 2 | 3;
  slot: number;
}

export class ArmedSamples<T extends Queued> {
  /**
   * @param maxLate the most late samples followed at once. Each late sample is classified at
   * every instant, so a scenario with hundreds of threads waiting at once (the fuzzer found one
   * with 1,000 guest cyclictest threads: 16 s of CPU for 0.05 s simulated) would cost that many
   * classifications per event. A sample that comes late while the list is full is not followed
   * (`where` 3); its thread's sample then counts as unexplained and as not followed.
   */
  constructor(private readonly maxLate = Number.POSITIVE_INFINITY) {}

  private readonly ahead: T[] = [];
  /** Samples whose expiry has passed, in no particular order. */
  readonly late: T[] = [];

  /** The earliest expiry still ahead (Infinity: none). */
  get next(): number {
    return this.ahead.length > 0 ? this.ahead[0]!.target : Number.POSITIVE_INFINITY;
  }

  /** Arms `x` (already holding its target), wherever it was. */
  arm(x: T): void {
    this.remove(x);
    x.where = 1;
    x.slot = this.ahead.length;
    this.ahead.push(x);
    this.up(x.slot);
  }

  /** Moves every sample whose expiry is before `t` to the late list. */
  passTo(t: number): void {
    const a = this.ahead;
    while (a.length > 0 && a[0]!.target < t) {
      const x = a[0]!;
      this.removeAhead(0);
      if (this.late.length >= this.maxLate) {
        x.where = 3;
        x.slot = -1;
        continue;
      }
      x.where = 2;
      x.slot = this.late.length;
      this.late.push(x);
    }
  }

  /** Stops following `x` (its thread ran, or it is re-armed). */
  remove(x: T): void {
    if (x.where === 1) this.removeAhead(x.slot);
    else if (x.where === 2) {
      const l = this.late;
      const last = l.pop()!;
      if (last !== x) {
        l[x.slot] = last;
        last.slot = x.slot;
      }
    }
    x.where = 0;
    x.slot = -1;
  }

  private removeAhead(i: number): void {
    const a = this.ahead;
    const last = a.pop()!;
    if (i === a.length) return;
    a[i] = last;
    last.slot = i;
    this.down(i);
    this.up(last.slot);
  }

  private up(i: number): void {
    const a = this.ahead;
    const x = a[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const px = a[p]!;
      if (px.target <= x.target) break;
      a[i] = px;
      px.slot = i;
      i = p;
    }
    a[i] = x;
    x.slot = i;
  }

  private down(i: number): void {
    const a = this.ahead;
    const n = a.length;
    const x = a[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && a[r]!.target < a[l]!.target ? r : l;
      const cx = a[c]!;
      if (x.target <= cx.target) break;
      a[i] = cx;
      cx.slot = i;
      i = c;
    }
    a[i] = x;
    x.slot = i;
  }
}

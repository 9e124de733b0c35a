/**
 * Growable columns for the timeline recorder: one segment store per track, one marker store per
 * track. Typed arrays that double when full, so a 90 s run costs a few bytes per segment and no
 * object per segment; compaction (when a budget must cut) keeps what overlaps the kept ranges.
 */

import { SEG_CUT } from "./timeline-codes";

/** Sorted, disjoint half-open ranges [a, b); b may be Infinity. */
export type Ranges = [number, number][];

export function overlaps(r: Ranges, a: number, b: number): boolean {
  // Few ranges (the windows of a few worst samples): a linear scan is enough.
  for (const [x, y] of r) {
    if (x >= b) return false;
    if (y > a) return true;
  }
  return false;
}

export function within(r: Ranges, t: number): boolean {
  for (const [x, y] of r) {
    if (x > t) return false;
    if (t < y) return true;
  }
  return false;
}

/** Intersection of two range lists. */
export function intersect(p: Ranges, q: Ranges): Ranges {
  const out: Ranges = [];
  let i = 0;
  let j = 0;
  while (i < p.length && j < q.length) {
    const a = Math.max(p[i]![0], q[j]![0]);
    const b = Math.min(p[i]![1], q[j]![1]);
    if (b > a) out.push([a, b]);
    if (p[i]![1] < q[j]![1]) i++;
    else j++;
  }
  return out;
}

/** Union of possibly overlapping ranges. */
export function union(r: Ranges): Ranges {
  const s = r.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: Ranges = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function grown<T extends Float64Array | Uint8Array | Uint16Array | Int16Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

/** One track's segments. The track tiles time: segment i ends where i+1 starts, the last at `end`. */
export class SegStore {
  n = 0;
  start = new Float64Array(256);
  entity = new Uint16Array(256);
  policy = new Uint8Array(256);
  prio = new Uint8Array(256);
  flags = new Uint8Array(256);
  cpu = new Int16Array(256);
  /** End of the last segment (-1: none yet). */
  end = -1;
  /** Segments joined into their predecessor (same thread, policy, flags; nothing lost). */
  joined = 0;

  /** Appends [s, e); joins it to the last segment when that one is the same and adjacent. */
  push(s: number, e: number, entity: number, policy: number, prio: number, flags: number, cpu = -1): void {
    const k = this.n - 1;
    if (
      k >= 0 &&
      this.end === s &&
      this.entity[k] === entity &&
      this.policy[k] === policy &&
      this.prio[k] === prio &&
      this.flags[k] === flags &&
      this.cpu[k] === cpu
    ) {
      this.end = e;
      this.joined++;
      return;
    }
    if (this.n === this.start.length) this.grow(this.n * 2);
    const i = this.n++;
    this.start[i] = s;
    this.entity[i] = entity;
    this.policy[i] = policy;
    this.prio[i] = prio;
    this.flags[i] = flags;
    this.cpu[i] = cpu;
    this.end = e;
  }

  private grow(cap: number): void {
    this.start = grown(this.start, cap);
    this.entity = grown(this.entity, cap);
    this.policy = grown(this.policy, cap);
    this.prio = grown(this.prio, cap);
    this.flags = grown(this.flags, cap);
    this.cpu = grown(this.cpu, cap);
  }

  endOf(i: number): number {
    return i + 1 < this.n ? this.start[i + 1]! : this.end;
  }

  /** How many segments a compaction to `keep` would leave (cut runs count as one each). */
  countKept(keep: Ranges): number {
    let n = 0;
    let inCut = false;
    for (let i = 0; i < this.n; i++) {
      if (!(this.flags[i]! & SEG_CUT) && overlaps(keep, this.start[i]!, this.endOf(i))) {
        n++;
        inCut = false;
      } else if (!inCut) {
        n++;
        inCut = true;
      }
    }
    return n;
  }

  /**
   * Keeps the segments that overlap `keep` (whole); each run of the others becomes one "not
   * kept" segment. Returns how many recorded segments were dropped.
   */
  compact(keep: Ranges): number {
    let w = 0;
    let dropped = 0;
    const n = this.n;
    const end = this.end;
    for (let i = 0; i < n; i++) {
      const s = this.start[i]!;
      const e = i + 1 < n ? this.start[i + 1]! : end;
      const cut = this.flags[i]! & SEG_CUT;
      if (!cut && overlaps(keep, s, e)) {
        this.start[w] = s;
        this.entity[w] = this.entity[i]!;
        this.policy[w] = this.policy[i]!;
        this.prio[w] = this.prio[i]!;
        this.flags[w] = this.flags[i]!;
        this.cpu[w] = this.cpu[i]!;
        w++;
        continue;
      }
      if (!cut) dropped++;
      if (w > 0 && this.flags[w - 1]! & SEG_CUT) continue;
      this.start[w] = s;
      this.entity[w] = 0;
      this.policy[w] = 0;
      this.prio[w] = 0;
      this.flags[w] = SEG_CUT;
      this.cpu[w] = -1;
      w++;
    }
    this.n = w;
    return dropped;
  }
}

/** One track's instant events. */
export class MarkStore {
  n = 0;
  t = new Float64Array(256);
  kind = new Uint8Array(256);
  arg = new Uint8Array(256);
  cpu = new Int16Array(256);

  push(t: number, kind: number, arg: number, cpu: number): void {
    if (this.n === this.t.length) {
      const cap = this.n * 2;
      this.t = grown(this.t, cap);
      this.kind = grown(this.kind, cap);
      this.arg = grown(this.arg, cap);
      this.cpu = grown(this.cpu, cap);
    }
    const i = this.n++;
    this.t[i] = t;
    this.kind[i] = kind;
    this.arg[i] = arg;
    this.cpu[i] = cpu;
  }

  /**
   * Keeps the markers inside `keep`, and those `carry` says must stay (the last vCPU state
   * change before a kept range, which says what state the vCPU enters it in). Returns how many
   * were dropped.
   */
  compact(keep: Ranges, carry: (i: number) => boolean): number {
    let w = 0;
    for (let i = 0; i < this.n; i++) {
      if (!within(keep, this.t[i]!) && !carry(i)) continue;
      this.t[w] = this.t[i]!;
      this.kind[w] = this.kind[i]!;
      this.arg[w] = this.arg[i]!;
      this.cpu[w] = this.cpu[i]!;
      w++;
    }
    const dropped = this.n - w;
    this.n = w;
    return dropped;
  }
}

/** Latency samples with the thread and the times that place them on the timeline. */
export class AnchorStore {
  n = 0;
  probe = new Uint16Array(256);
  entity = new Uint16Array(256);
  wake = new Float64Array(256);
  run = new Float64Array(256);

  push(probe: number, entity: number, wake: number, run: number): void {
    if (this.n === this.wake.length) {
      const cap = this.n * 2;
      this.probe = grown(this.probe, cap);
      this.entity = grown(this.entity, cap);
      this.wake = grown(this.wake, cap);
      this.run = grown(this.run, cap);
    }
    const i = this.n++;
    this.probe[i] = probe;
    this.entity[i] = entity;
    this.wake[i] = wake;
    this.run[i] = run;
  }

  compact(keep: Ranges): number {
    let w = 0;
    for (let i = 0; i < this.n; i++) {
      if (!overlaps(keep, this.wake[i]!, this.run[i]! + 1)) continue;
      this.probe[w] = this.probe[i]!;
      this.entity[w] = this.entity[i]!;
      this.wake[w] = this.wake[i]!;
      this.run[w] = this.run[i]!;
      w++;
    }
    const dropped = this.n - w;
    this.n = w;
    return dropped;
  }
}

import type { Dist } from "./scenario";

/**
 * A seeded generator stream (xoshiro128**, seeded through splitmix32).
 *
 * Every random source of a run draws from a stream of its own, named by a stable id (a
 * workload's thread, a vCPU's interrupt handlers, a CPU's noise): `Streams.get(id)`. A stream
 * depends only on the run's seed and its id, so the same source gives the same draws in every
 * mode and every ablation of a scenario, as far as the source's own draws go (common random
 * numbers): a difference between two modes at one seed is then the mechanism's, not a different
 * realisation of the noise.
 *
 * The state lives in an Int32Array so that its representation never changes during a run (a
 * field that starts as a small integer and later holds a large one makes V8 drop optimised code).
 */
export class Rng {
  private readonly s = new Int32Array(4);
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number, stream = "") {
    let x = (seed >>> 0) ^ fnv1a(stream);
    const next = () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return z ^ (z >>> 16);
    };
    // A second, independent hash of the name keeps two streams apart even when their first
    // hashes collide with the seed's bits.
    const h2 = fnv1a(`${stream}\u0000${seed >>> 0}`);
    this.s[0] = next();
    this.s[1] = next() ^ h2;
    this.s[2] = next();
    this.s[3] = next();
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
  }

  /** Uniform integer in [0, 2^32). */
  u32(): number {
    const s = this.s;
    const s1 = s[1]!;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s[2] = s[2]! ^ s[0]!;
    s[3] = s[3]! ^ s1;
    s[1] = s1 ^ s[2]!;
    s[0] = s[0]! ^ s[3]!;
    s[2] = s[2]! ^ t;
    s[3] = rotl(s[3]!, 11);
    return r;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  exp(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A draw from a scenario distribution, in integer nanoseconds (never negative). */
  ns(d: Dist): number {
    let us: number;
    if ("const_us" in d) us = d.const_us;
    else if ("uniform_us" in d) us = d.uniform_us[0] + (d.uniform_us[1] - d.uniform_us[0]) * this.float();
    else if ("exp_mean_us" in d) us = this.exp(d.exp_mean_us);
    else {
      us = d.lognormal_median_us * Math.exp(Math.log(d.lognormal_gsd) * this.normal());
      if (d.max_us !== undefined && us > d.max_us) us = d.max_us;
    }
    return Math.max(0, Math.round(us * 1000));
  }
}

/** The streams of one run: one per named random source, each created once. */
export class Streams {
  private readonly made = new Set<string>();

  constructor(readonly seed: number) {}

  /**
   * The stream of source `id`. Asking twice for one id is a bug (two sources would share
   * draws and lose their independence), so it throws.
   */
  get(id: string): Rng {
    if (this.made.has(id)) throw new Error(`random stream "${id}" requested twice`);
    this.made.add(id);
    return new Rng(this.seed, id);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** FNV-1a over the UTF-16 code units of `s` (a stable 32-bit name hash). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

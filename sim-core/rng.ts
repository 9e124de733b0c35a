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

  /**
   * A standard normal draw by the ziggurat method (Marsaglia and Tsang, 2000, with 128 layers),
   * taking the layer and the position in it from separate bits of one output as Doornik (2005)
   * recommends. Almost every draw (98.8 %) is one u32, a table lookup and a multiply: the cost
   * models draw about one normal per event, and the Box-Muller transform this replaced (a log, a
   * square root, a sine and a cosine for each pair) took a sixth of a seed run's CPU time.
   */
  normal(): number {
    const r = this.u32() | 0;
    const i = r & (ZIG_LAYERS - 1);
    // The upper 25 bits, signed and centred: u in (-1, 1), never 0, symmetric.
    const u = ((r >> 7) + 0.5) * 2 ** -24;
    if (Math.abs(u) < ZIG_INNER[i]!) return u * ZIG_X[i]!;
    return this.normalEdge(i, u);
  }

  /**
   * The rare rest of normal(), kept out of it so that the common path stays small enough for V8
   * to inline into the cost draws: the tail beyond R, or a wedge test, and a fresh draw when the
   * point is rejected.
   */
  private normalEdge(i: number, u: number): number {
    for (;;) {
      const x = u * ZIG_X[i]!;
      if (i === 0) {
        // Beyond R, the tail by Marsaglia's (1964) method: exponential proposals, accepted when
        // 2b >= a^2.
        let a: number;
        let b: number;
        do {
          a = -Math.log(1 - this.float()) / ZIG_R;
          b = -Math.log(1 - this.float());
        } while (b + b < a * a);
        return u < 0 ? -(ZIG_R + a) : ZIG_R + a;
      }
      // The wedge between the layer's inner rectangle and the curve: accept under exp(-x^2/2).
      const f0 = ZIG_F[i]!;
      if (f0 + this.float() * (ZIG_F[i + 1]! - f0) < Math.exp(-0.5 * x * x)) return x;
      const r = this.u32() | 0;
      i = r & (ZIG_LAYERS - 1);
      u = ((r >> 7) + 0.5) * 2 ** -24;
      if (Math.abs(u) < ZIG_INNER[i]!) return u * ZIG_X[i]!;
    }
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

/**
 * The ziggurat's 128 layers of equal area ZIG_V under exp(-x^2/2) (Marsaglia and Tsang, 2000,
 * "The Ziggurat Method for Generating Random Variables", J. Stat. Softw. 5(8): R and V for 128
 * layers). ZIG_X[i] is the right edge of layer i: ZIG_X[1] = R, each next edge is where the next
 * layer of area V ends, ZIG_X[128] = 0; layer 0 is the base strip below exp(-R^2/2) together with
 * the tail beyond R, given the width V / f(R) of a rectangle of the same area.
 */
const ZIG_LAYERS = 128;
export const ZIG_R = 3.442619855899;
export const ZIG_V = 9.91256303526217e-3;
export const ZIG_X = new Float64Array(ZIG_LAYERS + 1);
/** exp(-x^2/2) at each edge. */
const ZIG_F = new Float64Array(ZIG_LAYERS + 1);
/** ZIG_X[i + 1] / ZIG_X[i]: a |u| below it lies inside the curve whatever the height. */
const ZIG_INNER = new Float64Array(ZIG_LAYERS);
{
  const f = (x: number) => Math.exp(-0.5 * x * x);
  ZIG_X[0] = ZIG_V / f(ZIG_R);
  ZIG_X[1] = ZIG_R;
  for (let i = 2; i < ZIG_LAYERS; i++) ZIG_X[i] = Math.sqrt(-2 * Math.log(ZIG_V / ZIG_X[i - 1]! + f(ZIG_X[i - 1]!)));
  ZIG_X[ZIG_LAYERS] = 0;
  for (let i = 0; i <= ZIG_LAYERS; i++) ZIG_F[i] = f(ZIG_X[i]!);
  // Layer 0's "edge" ZIG_X[0] is a width, not a point of the curve: its wedge test is never used.
  for (let i = 0; i < ZIG_LAYERS; i++) ZIG_INNER[i] = ZIG_X[i + 1]! / ZIG_X[i]!;
}

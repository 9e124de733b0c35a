import type { Dist } from "./scenario";

/**
 * The scenario's seeded generator (xoshiro128**, seeded through splitmix32). Every random
 * draw of a run goes through one instance, so the same scenario and seed give the same run.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Uniform integer in [0, 2^32). */
  u32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
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
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A draw from a scenario distribution, in integer nanoseconds (never negative). */
  ns(d: Dist): number {
    let us: number;
    if ("const_us" in d) us = d.const_us;
    else if ("uniform_us" in d) us = d.uniform_us[0] + (d.uniform_us[1] - d.uniform_us[0]) * this.float();
    else if ("exp_mean_us" in d) us = this.exp(d.exp_mean_us);
    else us = d.lognormal_median_us * Math.exp(Math.log(d.lognormal_gsd) * this.normal());
    const v = Math.round(us * 1000);
    return Math.max(v, 0);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * The generator (sim-core/rng.ts) against its published parts, written here again in BigInt
 * arithmetic: FNV-1a 32 (checked against the FNV test vectors), MurmurHash3's fmix32 over a
 * golden-ratio Weyl sequence for the seeding, and xoshiro128** (Blackman and Vigna; checked
 * against its first outputs from the state {1, 2, 3, 4}, worked by hand). The draws on top of
 * it (uniform, exponential, Box-Muller, the scenario distributions) against their formulas.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng, Streams } from "../../sim-core/rng";

const M = 0xffffffffn;
const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M;

function fnv1a(s: string): bigint {
  let h = 0x811c9dc5n;
  for (let i = 0; i < s.length; i++) h = ((h ^ BigInt(s.charCodeAt(i))) * 0x01000193n) & M;
  return h;
}

/** xoshiro128** (the reference C code's next()), on a state of four unsigned words. */
function xoshiro(s: bigint[]): () => number {
  return () => {
    const r = (rotl((s[1] * 5n) & M, 7n) * 9n) & M;
    const t = (s[1] << 9n) & M;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
    return Number(r);
  };
}

/** The seeding rng.ts documents: fmix32 over x += 0x9e3779b9 from seed ^ fnv1a(name), word 1 mixed with a second name hash. */
function reference(seed: number, name: string): () => number {
  let x = BigInt(seed >>> 0) ^ fnv1a(name);
  const next = () => {
    x = (x + 0x9e3779b9n) & M;
    let z = x;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & M;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & M;
    return z ^ (z >> 16n);
  };
  const h2 = fnv1a(`${name}\u0000${seed >>> 0}`);
  const s0 = next();
  const s1 = next() ^ h2;
  return xoshiro([s0, s1, next(), next()]);
}

/** An Rng whose xoshiro state is set to `words` (the private state, set for known answers). */
function withState(words: number[]): Rng {
  const r = new Rng(1);
  (r as unknown as { s: Int32Array }).s.set(words);
  return r;
}

const U = 2 ** 32;

test("the reference parts: FNV-1a's test vectors, xoshiro128** from {1, 2, 3, 4} by hand", () => {
  assert.equal(fnv1a(""), 0x811c9dc5n);
  assert.equal(fnv1a("a"), 0xe40c292cn);
  assert.equal(fnv1a("foobar"), 0xbf9cf968n);
  const x = xoshiro([1n, 2n, 3n, 4n]);
  // rotl(2 * 5, 7) * 9 = 11520; the state becomes {7, 0, 1026, 12288}, then {12295, 1029, 1029, 25165824}.
  assert.deepEqual([x(), x(), x()], [11520, 0, 5927040]);
});

test("u32 is xoshiro128**: the hand-worked outputs from {1, 2, 3, 4}, then the reference", () => {
  const r = withState([1, 2, 3, 4]);
  const ref = xoshiro([1n, 2n, 3n, 4n]);
  assert.deepEqual([r.u32(), r.u32(), r.u32()], [11520, 0, 5927040]);
  for (let i = 0; i < 3; i++) ref();
  for (let i = 0; i < 200; i++) assert.equal(r.u32(), ref());
  // Words with the sign bit set (the state is an Int32Array): outputs stay unsigned.
  const w = [0x80000001, 0xdeadbeef, 0xffffffff, 0x7fffffff];
  const r2 = withState(w.map((v) => v | 0));
  const ref2 = xoshiro(w.map(BigInt));
  for (let i = 0; i < 200; i++) assert.equal(r2.u32(), ref2());
});

test("a stream's state is the documented seeding of (seed, name)", () => {
  for (const [seed, name] of [
    [1, ""],
    [1, "host/cyclictest#0"],
    [0, "vm0/vcpu0/irq"],
    [42, "cpu3/noise"],
    [0xfffffff0, "vm1/w2/bursty.7"],
    [-1, "négatif ✓"],
    [7, "host/w0/a.0"],
  ] as [number, string][]) {
    const r = new Rng(seed, name);
    const ref = reference(seed, name);
    for (let i = 0; i < 16; i++) assert.equal(r.u32(), ref(), `${seed}/${name} draw ${i}`);
  }
  // The default name is "".
  const a = new Rng(9);
  const ref = reference(9, "");
  for (let i = 0; i < 4; i++) assert.equal(a.u32(), ref());
});

test("Streams.get(id) is the stream of (seed, id), once per id", () => {
  const s = new Streams(5);
  assert.equal(s.seed, 5);
  const a = s.get("a");
  const b = s.get("b");
  const ra = reference(5, "a");
  const rb = reference(5, "b");
  for (let i = 0; i < 4; i++) {
    assert.equal(a.u32(), ra());
    assert.equal(b.u32(), rb());
  }
  assert.throws(() => s.get("b"), /^Error: random stream "b" requested twice$/);
});

test("float is u32 / 2^32 and exp(mean) is -ln(1 - float) * mean", () => {
  const r = withState([1, 2, 3, 4]);
  assert.equal(r.float(), 11520 / U);
  assert.equal(r.float(), 0);
  const e = withState([1, 2, 3, 4]);
  assert.equal(e.exp(250), -Math.log(1 - 11520 / U) * 250);
  assert.ok(e.exp(250) === 0); // float 0 -> -ln(1) = 0
  const g = withState([12295, 1029, 1029, 25165824]);
  assert.equal(g.exp(3), -Math.log(1 - 5927040 / U) * 3);
});

test("normal is Box-Muller: a zero u is drawn again, the sine half is kept for the next call", () => {
  // From {7, 0, 1026, 12288} the first output is 0: u is drawn again.
  const ref = xoshiro([7n, 0n, 1026n, 12288n]);
  assert.equal(ref(), 0);
  const u = ref() / U;
  const v = ref() / U;
  const after = ref();
  const r = withState([7, 0, 1026, 12288]);
  const rad = Math.sqrt(-2 * Math.log(u));
  assert.equal(r.normal(), rad * Math.cos(2 * Math.PI * v));
  assert.equal(r.normal(), rad * Math.sin(2 * Math.PI * v));
  // The spare used up, the next call draws again.
  assert.equal(r.u32(), after);
  // And in distribution: mean 0, variance 1 over 100 000 draws (standard errors 0.003 and 0.0045).
  const n = new Rng(3, "normal");
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < 100_000; i++) {
    const z = n.normal();
    s += z;
    s2 += z * z;
  }
  assert.ok(Math.abs(s / 1e5) < 0.015, `mean ${s / 1e5}`);
  assert.ok(Math.abs(s2 / 1e5 - 1) < 0.025, `variance ${s2 / 1e5}`);
});

test("ns(): each scenario distribution in integer ns, never negative", () => {
  const f1 = 11520 / U;
  assert.equal(withState([1, 2, 3, 4]).ns({ const_us: 1.5 }), 1500);
  assert.equal(withState([1, 2, 3, 4]).ns({ const_us: 0.0005 }), 1); // 0.5 ns rounds up
  assert.equal(withState([1, 2, 3, 4]).ns({ const_us: 0.0004 }), 0);
  assert.equal(withState([1, 2, 3, 4]).ns({ const_us: -3 }), 0);
  // uniform: lo + (hi - lo) * float; the draw from {12295, 1029, 1029, 25165824} is 5927040 / 2^32.
  const f3 = 5927040 / U;
  assert.equal(withState([12295, 1029, 1029, 25165824]).ns({ uniform_us: [10, 2000] }), Math.round((10 + 1990 * f3) * 1000));
  assert.equal(withState([12295, 1029, 1029, 25165824]).ns({ uniform_us: [10, 2000] }), 12746); // 10 + 1990 * 0.00138
  assert.equal(withState([1, 2, 3, 4]).ns({ exp_mean_us: 1e6 }), Math.round(-Math.log(1 - f1) * 1e9));
  assert.equal(withState([1, 2, 3, 4]).ns({ exp_mean_us: 1e6 }), 2682);
  // log-normal: median * gsd^Z, with Z the Box-Muller draw above; capped at max_us.
  const ref = xoshiro([7n, 0n, 1026n, 12288n]);
  ref();
  const u = ref() / U;
  const v = ref() / U;
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  assert.ok(z > 1, `z = ${z}`);
  const ln = { lognormal_median_us: 10, lognormal_gsd: 2 };
  assert.equal(withState([7, 0, 1026, 12288]).ns(ln), Math.round(10 * 2 ** z * 1000));
  assert.equal(withState([7, 0, 1026, 12288]).ns({ ...ln, max_us: 15 }), 15_000);
  assert.equal(withState([7, 0, 1026, 12288]).ns({ ...ln, max_us: 1e6 }), Math.round(10 * 2 ** z * 1000));
});

/**
 * The generator (sim-core/rng.ts) against its published parts, written here again in BigInt
 * arithmetic: FNV-1a 32 (checked against the FNV test vectors), MurmurHash3's fmix32 over a
 * golden-ratio Weyl sequence for the seeding, and xoshiro128** (Blackman and Vigna; checked
 * against its first outputs from the state {1, 2, 3, 4}, worked by hand). The draws on top of
 * it (uniform, exponential, the ziggurat's normal, the scenario distributions) against their
 * formulas, and the normal also against the normal law itself.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng, Streams, ZIG_R, ZIG_V, ZIG_X } from "../../sim-core/rng";

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
    const r = (rotl((s[1]! * 5n) & M, 7n) * 9n) & M;
    const t = (s[1]! << 9n) & M;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11n);
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

/** Φ, the standard normal CDF, through erf (Abramowitz and Stegun 7.1.26, |error| < 1.5e-7). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

const f = (x: number) => Math.exp(-0.5 * x * x);

test("the ziggurat's layers: R is the first edge, every layer has area V, the base strip and tail too", () => {
  assert.equal(ZIG_X.length, 129);
  assert.equal(ZIG_X[1], ZIG_R);
  assert.equal(ZIG_X[128], 0);
  for (let i = 1; i < 128; i++) {
    assert.ok(ZIG_X[i + 1]! < ZIG_X[i]!, `edges fall: ${i}`);
    const area = ZIG_X[i]! * (f(ZIG_X[i + 1]!) - f(ZIG_X[i]!));
    // The last layer closes on x = 0 only as well as R and V are given (to 12 digits).
    assert.ok(Math.abs(area / ZIG_V - 1) < 1e-6, `layer ${i}: area ${area}`);
  }
  // Layer 0: the rectangle under f(R) out to R, plus the tail beyond R, is V as well.
  const tail = Math.sqrt(2 * Math.PI) * (1 - phi(ZIG_R));
  assert.ok(Math.abs((ZIG_R * f(ZIG_R) + tail) / ZIG_V - 1) < 1e-3);
  assert.ok(Math.abs((ZIG_X[0]! * f(ZIG_R)) / ZIG_V - 1) < 1e-12);
});

test("normal inside a layer takes one output: layer from the low 7 bits, u from the upper 25", () => {
  // From {1, 2, 3, 4} the first output is 11520 = 90 * 128: layer 0, u = 90.5 / 2^24.
  const r = withState([1, 2, 3, 4]);
  assert.equal(r.normal(), (90.5 / 2 ** 24) * ZIG_X[0]!);
  const ref = xoshiro([1n, 2n, 3n, 4n]);
  ref();
  assert.equal(r.u32(), ref(), "one output used");
  // A stream whose first output falls inside another layer, and one whose is negative.
  let found = 0;
  for (let seed = 1; found < 2 && seed < 1000; seed++) {
    const out = reference(seed, "zig")() | 0;
    const i = out & 127;
    const u = ((out >> 7) + 0.5) / 2 ** 24;
    if (i === 0 || Math.abs(u) >= ZIG_X[i + 1]! / ZIG_X[i]!) continue;
    if (found === 1 && u > 0) continue;
    assert.equal(new Rng(seed, "zig").normal(), u * ZIG_X[i]!);
    found++;
  }
  assert.equal(found, 2);
});

test("normal in distribution: a chi-square over 0.1-wide bins, the tails and the moments", () => {
  const n = new Rng(3, "normal");
  const N = 1_000_000;
  const lo = -4;
  const bins = 80;
  const counts = new Array(bins + 2).fill(0);
  let s = 0;
  let s2 = 0;
  let beyond4 = 0;
  for (let k = 0; k < N; k++) {
    const z = n.normal();
    s += z;
    s2 += z * z;
    if (Math.abs(z) > 4) beyond4++;
    const b = z < lo ? 0 : z >= -lo ? bins + 1 : 1 + Math.floor((z - lo) * 10);
    counts[b]++;
  }
  let chi2 = 0;
  for (let b = 0; b < bins + 2; b++) {
    const a = b === 0 ? -Infinity : lo + (b - 1) / 10;
    const c = b === bins + 1 ? Infinity : lo + b / 10;
    const p = (c === Infinity ? 1 : phi(c)) - (a === -Infinity ? 0 : phi(a));
    chi2 += (counts[b] - N * p) ** 2 / (N * p);
  }
  // 81 degrees of freedom: the 99.9th percentile is about 124.
  assert.ok(chi2 < 124, `chi-square ${chi2.toFixed(1)}`);
  // |z| > 4: 63.3 expected (standard deviation 8); mean 0 and variance 1 (standard errors 0.001, 0.0014).
  assert.ok(beyond4 > 30 && beyond4 < 100, `beyond 4: ${beyond4}`);
  assert.ok(Math.abs(s / N) < 0.005, `mean ${s / N}`);
  assert.ok(Math.abs(s2 / N - 1) < 0.007, `variance ${s2 / N}`);
});

test("normal beyond R follows the normal tail, not the exponential proposal (Kolmogorov-Smirnov)", () => {
  // About 5,800 of 10 million draws land beyond |z| = R; their excess over R must have the
  // normal law's conditional tail P(z > R + t) / P(z > R).
  const n = new Rng(5, "tail");
  const excess: number[] = [];
  for (let k = 0; k < 10_000_000; k++) {
    const z = Math.abs(n.normal());
    if (z > ZIG_R) excess.push(z - ZIG_R);
  }
  excess.sort((a, b) => a - b);
  const m = excess.length;
  assert.ok(m > 5400 && m < 6200, `${m} tail draws`);
  const q = 1 - phi(ZIG_R);
  let d = 0;
  for (let k = 0; k < m; k++) {
    const cdf = 1 - (1 - phi(ZIG_R + excess[k]!)) / q;
    d = Math.max(d, Math.abs(cdf - k / m), Math.abs(cdf - (k + 1) / m));
  }
  // The 99.9 % critical value is 1.95 / sqrt(m), about 0.026; the exponential proposal alone is 0.04 off.
  assert.ok(d < 1.95 / Math.sqrt(m), `D = ${d.toFixed(4)}`);
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
  // log-normal: median * gsd^Z, with Z the stream's next normal draw; capped at max_us.
  const stream = () => new Rng(2, "lognormal");
  const z = stream().normal();
  assert.ok(z > 0.6, `z = ${z}`);
  const ln = { lognormal_median_us: 10, lognormal_gsd: 2 };
  assert.equal(stream().ns(ln), Math.round(10 * 2 ** z * 1000));
  assert.equal(stream().ns({ ...ln, max_us: 15 }), 15_000);
  assert.equal(stream().ns({ ...ln, max_us: 1e6 }), Math.round(10 * 2 ** z * 1000));
});

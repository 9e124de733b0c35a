/**
 * The CLI's JSON output in chunks (cli/args.ts `json`): byte for byte what it wrote before as one
 * string, for a real run with its timeline and for the values JSON.stringify treats specially;
 * and a result whose JSON is longer than the longest string V8 can make, which failed before
 * with "Invalid string length", written whole.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { json, jsonChunks } from "../../cli/args";
import { simulate, type Scenario } from "../../sim-core/index";

/** What the CLI wrote before: one JSON.stringify, its raw C1/separator/bidi characters escaped. */
function oneString(v: unknown): string {
  const text = JSON.stringify(v, null, 2).replace(
    /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `${text}\n`;
}

/** A sink that keeps the text, or only counts it, and acknowledges writes later (backpressure). */
function sink(opts: { keep: boolean; highWaterMark?: number }) {
  const parts: string[] = [];
  let chars = 0;
  let maxBuffered = 0;
  let head = "";
  let tail = "";
  const w = new Writable({
    decodeStrings: false,
    highWaterMark: opts.highWaterMark ?? 16 * 1024,
    write(chunk: string, _enc, cb) {
      if (opts.keep) parts.push(chunk);
      if (head.length < 200) head += chunk.slice(0, 200);
      tail = (tail + chunk).slice(-200);
      chars += chunk.length;
      setImmediate(cb);
    },
  });
  const rawWrite = w.write.bind(w);
  w.write = ((chunk: string) => {
    const ok = rawWrite(chunk);
    maxBuffered = Math.max(maxBuffered, w.writableLength);
    return ok;
  }) as typeof w.write;
  /** Writes `v` with the CLI's json() and waits until the sink has taken every chunk. */
  const write = async (v: unknown) => {
    await json(v, w);
    await new Promise<void>((r) => w.end(r));
  };
  return { w, write, text: () => parts.join(""), chars: () => chars, maxBuffered: () => maxBuffered, head: () => head, tail: () => tail };
}

const busy: Scenario = {
  name: "tiny busy \u2028 host\u009b",
  seed: 7,
  duration_s: 0.05,
  host: {
    cpus: 2,
    workloads: [
      { kind: "cyclictest", id: "host-cyclictest", interval_us: 500 },
      { kind: "stress", workers: 2, id: "stress-ng" },
    ],
  },
  vms: [{ name: "vm0", vcpus: 2, workloads: [{ kind: "cyclictest", id: "guest-cyclictest", interval_us: 500 }] }],
  timeline: { enabled: true },
};

test("a small run with its timeline: the chunks are JSON.stringify's text, byte for byte", async () => {
  const results = (["vanilla", "dynamic"] as const).map((mode) => simulate(busy, { mode }));
  assert.ok(results[0]!.timeline, "the run recorded a timeline (typed arrays)");
  const v = { scenario: busy.name, file: "tiny.pvsched.yaml", replications: 1, results };
  const s = sink({ keep: true });
  await s.write(v);
  assert.equal(s.text(), oneString(v));
  assert.ok(s.text().length > 100_000, `${s.text().length} characters: several chunks`);
});

test("the values JSON.stringify treats specially come out the same", () => {
  const v = {
    negZero: -0,
    nan: Number.NaN,
    inf: [Number.POSITIVE_INFINITY, -1e21, 1e-7, 5e-324],
    gone: undefined,
    fn: () => 1,
    holes: [undefined, () => 1, Symbol("s"), null],
    date: new Date(Date.UTC(2023, 11, 14, 2, 47, 27)),
    typed: { f: new Float64Array([1.5, -0, Number.NaN]), u: new Uint8Array(0), i: new Int16Array([-1, 300]) },
    empty: { o: {}, a: [] },
    text: 'quote " backslash \\ tab \t nl \n esc \u001b c1 \u0085 ls \u2028 rlo \u202e \u{1f600} lone \ud800',
    "key \u2029 with \u0007 controls": { nested: [[[]], [{}], [1, [2, [3]]]] },
    boxed: [Object(1), Object("s"), Object(false)],
    withToJson: { toJSON: () => ({ replaced: true }) },
  };
  assert.equal([...jsonChunks(v)].join(""), oneString(v));
  for (const x of [null, 0, "s", true, [], {}, [null]]) assert.equal([...jsonChunks(x)].join(""), oneString(x));
});

test("a slow sink is waited for: what is buffered stays near one chunk", async () => {
  const piece = "x".repeat(64 * 1024);
  const v = { results: Array.from({ length: 64 }, (_, i) => ({ i, piece })) };
  const s = sink({ keep: true, highWaterMark: 1024 });
  await s.write(v);
  assert.equal(s.text(), oneString(v));
  // 4 MiB in all; never more than a chunk or two waiting in the sink.
  assert.ok(s.maxBuffered() <= 3 * piece.length, `${s.maxBuffered()} characters buffered at most`);
});

test("a result whose JSON is longer than V8's longest string is written whole (was: Invalid string length)", async () => {
  // 600 entities named with one shared 1 MiB string: little memory here, 600 MiB of JSON.
  const name = "e".repeat(1024 * 1024);
  const entities = Array.from({ length: 600 }, () => ({ name, side: "host" }));
  const v = { scenario: "synthetic", results: [{ mode: "dynamic", timeline: { entities } }] };
  const s = sink({ keep: false });
  await s.write(v);
  // The expected length, from the pretty-printed shape of one entity.
  const entity = `{\n            "name": "${name}",\n            "side": "host"\n          }`;
  const open = `{\n  "scenario": "synthetic",\n  "results": [\n    {\n      "mode": "dynamic",\n      "timeline": {\n        "entities": [\n          `;
  const close = `\n        ]\n      }\n    }\n  ]\n}\n`;
  const expected = open.length + 600 * entity.length + 599 * ",\n          ".length + close.length;
  assert.equal(s.chars(), expected);
  assert.ok(s.head().startsWith(open));
  assert.ok(s.tail().endsWith(`"side": "host"\n          }${close}`));
  // Longer than any string V8 can hold (2^29 - 24 characters): JSON.stringify could not return it.
  assert.ok(expected > 2 ** 29, `${expected} characters`);
  assert.throws(() => "x".repeat(expected), RangeError);
});

// Time-bounded mutation fuzzer over scenario YAML and patch texts (issue 6).
//
//   npm run fuzz -- --time 60                 fuzz both targets for 60 s (default)
//   npm run fuzz -- --time 60 --seed 7        another deterministic sequence of inputs
//   npm run fuzz -- --target patch            only one target (scenario | patch | all)
//   npm run fuzz -- --seed 7 --only 1234      replay input number 1234 of seed 7
//   npm run fuzz -- --inputs 500              stop after 500 inputs instead of a time
//
// Inputs are mutations (byte and bit flips, line deletion/duplication/swap/repetition, splicing,
// CRLF toggling, huge numbers, deep nesting, unicode, syntax tokens, truncation) of the seed
// corpora test/fuzz/corpus/scenario/ and test/fuzz/corpus/patch/. Input i alternates targets
// (even: scenario, odd: patch, with --target all) and is a pure function of (--seed, i), so a run
// is deterministic given --seed; only how many inputs fit in --time depends on the machine.
//
// Scenario inputs go through the CLI's decoding and the loader and, when valid, a short bounded
// simulation of each mode with the simulator's invariants checked (test/property/invariants.ts).
// Patch inputs go through decoding, the parser and the mapper. Every input runs in a worker
// thread and must finish within --timeout ms (default 2000; scaled by the load average when the
// machine is oversubscribed, see below) and within --memory MB of heap, else it is a failure
// (hang / out of memory). A failure is an exception, a broken invariant, a hang or an OOM; its
// input is saved under .cache/fuzz/failures/ with a .txt saying what happened. Exit status: 0 no
// failures, 1 failures, 2 usage error.
import * as esbuild from "esbuild";
import { Worker } from "node:worker_threads";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CACHE = join(ROOT, ".cache", "fuzz");
const FAILURES = join(CACHE, "failures");
const LIB = join(CACHE, "lib.cjs");
/** Inputs saved per failure signature (the rest are counted). */
const KEEP_PER_SIGNATURE = 3;

/** @returns {never} */
function usage(msg) {
  process.stderr.write(
    `fuzz: ${msg}\nusage: npm run fuzz -- [--time S] [--seed N] [--target scenario|patch|all] [--timeout MS] [--memory MB] [--inputs N] [--only I]\n`,
  );
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    time: 60,
    seed: 1,
    target: "all",
    timeout: 2000,
    memory: 512,
    inputs: Infinity,
    only: /** @type {number | null} */ (null),
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    const num = (v, min) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < min) usage(`${a}: not a number >= ${min}: ${v}`);
      return n;
    };
    if (a === "--time") o.time = num(val(), 0);
    else if (a === "--seed") o.seed = Math.floor(num(val(), 0));
    else if (a === "--target") {
      o.target = val();
      if (!["scenario", "patch", "all"].includes(o.target)) usage(`--target: scenario, patch or all, not ${o.target}`);
    } else if (a === "--timeout") o.timeout = num(val(), 1);
    else if (a === "--memory") o.memory = num(val(), 16);
    else if (a === "--inputs") o.inputs = Math.floor(num(val(), 1));
    else if (a === "--only") o.only = Math.floor(num(val(), 0));
    else if (a === "--verbose" || a === "-v") o.verbose = true;
    else if (a === "--help" || a === "-h") {
      process.stdout.write(
        "usage: npm run fuzz -- [--time S] [--seed N] [--target scenario|patch|all] [--timeout MS] [--memory MB] [--inputs N] [--only I] [--verbose]\n",
      );
      process.exit(0);
    } else usage(`unknown argument ${a}`);
  }
  return o;
}

/** Bundles test/fuzz/lib.ts (and what it imports: loader, sim-core, patch parser) for plain Node. */
async function bundle() {
  mkdirSync(CACHE, { recursive: true });
  await esbuild.build({
    entryPoints: [join(ROOT, "test/fuzz/lib.ts")],
    outfile: LIB,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    logLevel: "warning",
  });
}

function readCorpus(dir) {
  return readdirSync(dir)
    .sort()
    .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(dir, f))) }));
}

// The worker: runs one target per message. Written inline so the fuzzer is one file.
const WORKER_SRC = `
const { parentPort, workerData } = require("node:worker_threads");
const lib = require(workerData.lib);
// A target must print nothing: in the CLI a library's warning is a second line beside the one-line
// error, in the extension host it is log noise. Anything printed fails the input.
let printed = [];
process.emitWarning = (w) => printed.push(\`process warning: \${(w && w.message) || w}\`);
for (const k of ["log", "info", "warn", "error", "debug"]) console[k] = (...a) => printed.push(\`console.\${k}: \${a.join(" ")}\`);
// Warm-up, untimed: loading the bundle and compiling the simulator's hot code is the worker's
// cost, not the first input's (a cold worker took 2.8 s on an input a warm one runs in 1.3 s).
for (const [kind, bytes] of workerData.warm) {
  try {
    lib.runTarget(kind, bytes);
  } catch {}
}
parentPort.postMessage({ ready: true });
parentPort.on("message", ({ id, kind, bytes }) => {
  const t0 = performance.now();
  printed = [];
  try {
    const info = lib.runTarget(kind, bytes);
    if (printed.length) throw new Error(\`printed to the console (\${printed[0].split(":")[0]})\\n\${printed[0].slice(0, 300)}\`);
    parentPort.postMessage({ id, ok: true, info, ms: performance.now() - t0 });
  } catch (e) {
    parentPort.postMessage({ id, ok: false, error: String((e && e.stack) || e).split("\\n").slice(0, 12).join("\\n"), ms: performance.now() - t0 });
  }
});
`;

class Runner {
  /** @param warm [kind, bytes] inputs each new worker runs, untimed, before its first input. */
  constructor(memoryMb, warm) {
    this.memoryMb = memoryMb;
    this.warm = warm;
    this.worker = null;
    this.restarts = 0;
  }
  /** A new worker, once it has run the warm-up inputs (a worker that dies there is a crash). */
  start() {
    const w = new Worker(WORKER_SRC, {
      eval: true,
      workerData: { lib: LIB, warm: this.warm },
      resourceLimits: { maxOldGenerationSizeMb: this.memoryMb, stackSizeMb: 4 },
    });
    w.unref();
    return new Promise((resolvePromise, reject) => {
      w.once("message", () => resolvePromise(w));
      w.once("error", reject);
    });
  }
  /** Runs one input; resolves { ok, info | error, ms } or { hang } / { crash }. */
  async run(id, kind, bytes, timeoutMs) {
    if (!this.worker) this.worker = await this.start();
    const w = /** @type {Worker} */ (this.worker);
    return new Promise((resolvePromise) => {
      let done = false;
      const finish = (r) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        w.off("message", onMsg);
        w.off("error", onErr);
        w.off("exit", onExit);
        resolvePromise(r);
      };
      const onMsg = (m) => m.id === id && finish(m);
      const onErr = (e) => {
        this.worker = null;
        this.restarts++;
        finish({ ok: false, crash: true, error: `worker died: ${e?.code ? e.code + ": " : ""}${e?.message}` });
      };
      const onExit = (code) => {
        this.worker = null;
        this.restarts++;
        finish({ ok: false, crash: true, error: `worker exited with code ${code}` });
      };
      const timer = setTimeout(() => {
        // A hang: the worker is stuck in this input. Kill it; the next input gets a new one.
        this.worker = null;
        this.restarts++;
        w.terminate();
        finish({ ok: false, hang: true, error: `no answer within ${timeoutMs.toFixed(0)} ms` });
      }, timeoutMs);
      w.on("message", onMsg);
      w.on("error", onErr);
      w.on("exit", onExit);
      w.postMessage({ id, kind, bytes });
    });
  }
  async stop() {
    if (this.worker) await this.worker.terminate();
  }
}

/**
 * The per-input time bound. The contract is --timeout ms of the input's own work; while the
 * machine is oversubscribed (load average above the core count: other jobs share the CPUs) the
 * wall-clock bound is scaled by load/cores so that waiting for a CPU is not reported as a hang.
 */
function timeBound(base) {
  return base * Math.max(1, (loadavg()[0] ?? 0) / cpus().length);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  await bundle();
  const require = createRequire(import.meta.url);
  const lib = require(LIB);
  const corpora = {
    scenario: readCorpus(join(ROOT, "test/fuzz/corpus/scenario")),
    patch: readCorpus(join(ROOT, "test/fuzz/corpus/patch")),
  };
  const kinds = o.target === "all" ? ["scenario", "patch"] : [o.target];
  const bytesOf = { scenario: corpora.scenario.map((c) => c.bytes), patch: corpora.patch.map((c) => c.bytes) };
  mkdirSync(FAILURES, { recursive: true });

  const stats = {};
  for (const k of kinds)
    stats[k] = {
      inputs: 0,
      bytes: 0,
      refused: 0,
      accepted: 0,
      events: 0,
      hunks: 0,
      failures: 0,
      hangs: 0,
      slowest: { ms: 0, i: -1 },
      ops: {},
    };
  /** signature -> { count, first input, saved files } */
  const signatures = new Map();
  // Warm-up inputs: a seed scenario (every mode simulated) and the first patch of the corpus.
  const warmScenario = corpora.scenario.find((c) => c.name.startsWith("seed-cyclictest-busy-500")) ?? corpora.scenario[0];
  const warmPatch = corpora.patch[0];
  if (!warmScenario || !warmPatch) usage("the seed corpora test/fuzz/corpus/{scenario,patch}/ are empty");
  const runner = new Runner(o.memory, [
    ["scenario", warmScenario.bytes],
    ["patch", warmPatch.bytes],
  ]);
  const t0 = performance.now();
  const deadline = t0 + o.time * 1000;
  process.stdout.write(
    `fuzz: seed ${o.seed}, ${o.only !== null ? `only input ${o.only}` : `${o.time} s`}, targets ${kinds.join("+")}, corpus ${corpora.scenario.length} scenarios + ${corpora.patch.length} patches, ` +
      `timeout ${o.timeout} ms/input (load ${(loadavg()[0] ?? 0).toFixed(1)} on ${cpus().length} CPUs), heap ${o.memory} MB\n`,
  );

  const first = o.only ?? 0;
  const last = o.only ?? Infinity;
  let n = 0;
  for (let i = first; i <= last && n < o.inputs; i++, n++) {
    if (o.only === null && performance.now() >= deadline) break;
    const kind = kinds[i % kinds.length];
    const rng = lib.inputRng(o.seed, i);
    const { bytes, ops, base } = lib.makeInput(rng, kind, bytesOf[kind]);
    const st = stats[kind];
    st.inputs++;
    st.bytes += bytes.length;
    for (const op of ops) st.ops[op] = (st.ops[op] ?? 0) + 1;
    const r = await runner.run(i, kind, bytes, timeBound(o.timeout));
    if (r.ms > st.slowest.ms) st.slowest = { ms: r.ms, i };
    if (r.ok) {
      if (r.info.outcome === "refused") st.refused++;
      else st.accepted++;
      st.events += r.info.events ?? 0;
      st.hunks += r.info.hunks ?? 0;
      if (o.verbose)
        process.stdout.write(`  #${i} ${kind} ${bytes.length} B [${ops.join(",")}] -> ${r.info.outcome} ${r.ms.toFixed(1)} ms\n`);
      continue;
    }
    st.failures++;
    if (r.hang) st.hangs++;
    const what = r.hang ? "hang" : r.crash ? "crash" : "error";
    const first = r.error.split("\n")[0];
    // Failures with the same signature are one bug: count them all, keep the first few inputs.
    const sig = `${kind} ${what}: ${first.replace(/\d+(\.\d+)?/g, "N").slice(0, 110)}`;
    const seen = signatures.get(sig) ?? { count: 0, first: i, files: [] };
    signatures.set(sig, seen);
    seen.count++;
    if (seen.files.length >= KEEP_PER_SIGNATURE) continue;
    const ext = kind === "scenario" ? "yaml" : "patch";
    const file = join(FAILURES, `${kind}-seed${o.seed}-${i}.${ext}`);
    writeFileSync(file, bytes);
    writeFileSync(
      `${file}.txt`,
      `${what}: input #${i} (seed ${o.seed}), from corpus ${corpora[kind][base].name} by ${ops.join(", ")}\nreplay: npm run fuzz -- --seed ${o.seed} --only ${i}\n\n${r.error}\n`,
    );
    seen.files.push(file);
    process.stdout.write(`FAIL #${i} ${kind} (${what}, ${bytes.length} B) ${first.slice(0, 200)}\n  input: ${file}\n`);
  }
  await runner.stop();

  const secs = (performance.now() - t0) / 1000;
  process.stdout.write(`\nfuzz summary (seed ${o.seed}, ${secs.toFixed(1)} s):\n`);
  for (const k of kinds) {
    const st = stats[k];
    const acc =
      k === "scenario" ? `${st.accepted} loaded and simulated (${st.events} events)` : `${st.accepted} parsed (${st.hunks} hunks mapped)`;
    process.stdout.write(
      `  ${k}: ${st.inputs} inputs (${(st.bytes / 1e6).toFixed(1)} MB), ${st.refused} refused with a message, ${acc}, ` +
        `${st.failures} failures (${st.hangs} hangs); slowest #${st.slowest.i} ${st.slowest.ms.toFixed(0)} ms\n`,
    );
    process.stdout.write(
      `    mutations: ${Object.entries(st.ops)
        .sort()
        .map(([op, c]) => `${op} ${c}`)
        .join(", ")}\n`,
    );
  }
  process.stdout.write(`  worker restarts: ${runner.restarts}\n`);
  const total = [...signatures.values()].reduce((a, x) => a + x.count, 0);
  if (total) {
    process.stdout.write(`${total} failure(s) with ${signatures.size} distinct signature(s); inputs saved under ${FAILURES}\n`);
    for (const [sig, x] of signatures) process.stdout.write(`  ${x.count}x ${sig}\n     first #${x.first}: ${x.files[0]}\n`);
    process.exitCode = 1;
  } else process.stdout.write("no failures\n");
}

main().catch((e) => {
  process.stderr.write(`fuzz: ${e?.stack ? e.stack : e}\n`);
  process.exit(1);
});

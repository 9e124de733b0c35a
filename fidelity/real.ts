/**
 * The real side of the fidelity check: runs cyclictest, the vCPU-like threads and the boost
 * agent on this machine's own CPUs, under stress-ng or idle, and collects their latency
 * distributions plus the machine's state (steal, load average, CPU busy share).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";

import type { Cell } from "./cells";
import { cyclictestSamples, parseCyclictestHistogram, parseVcpuSamples } from "./stats";

// The CLI runs from sources (tsx, CommonJS) or from the esbuild CJS bundle in dist/: in both,
// __dirname is defined; the cwd fallback covers anything else.
const HERE = typeof __dirname === "string" ? __dirname : process.cwd();

/** Where the C sources live, whether we run from sources (tsx) or from the esbuild bundle. */
export function sourceDir(): string {
  for (const d of [HERE, resolve(HERE, "../fidelity"), resolve(process.cwd(), "fidelity")]) {
    if (existsSync(join(d, "vcpu_like.c")) && existsSync(join(d, "boost_agent.c"))) return d;
  }
  throw new Error("fidelity: cannot find vcpu_like.c / boost_agent.c (looked next to the CLI and in ./fidelity)");
}

export interface Binaries {
  vcpuLike: string;
  boostAgent: string;
  dir: string;
}

/**
 * Compiles the C helpers with the system compiler into `.cache/fidelity/<hash of sources>/`
 * (reused while the sources are unchanged).
 */
export function buildBinaries(cacheRoot?: string): Binaries {
  const src = sourceDir();
  // The project's .cache (git-ignored), wherever the command is run from.
  cacheRoot ??= resolve(src, "..", ".cache");
  const files = ["pvshm.h", "vcpu_like.c", "boost_agent.c"];
  const h = createHash("sha256");
  for (const f of files) h.update(readFileSync(join(src, f)));
  const dir = join(cacheRoot, "fidelity", h.digest("hex").slice(0, 16));
  const vcpuLike = join(dir, "vcpu_like");
  const boostAgent = join(dir, "boost_agent");
  if (existsSync(vcpuLike) && existsSync(boostAgent)) return { vcpuLike, boostAgent, dir };
  mkdirSync(dir, { recursive: true });
  const cc = process.env.CC ?? "cc";
  for (const [out, file] of [
    [vcpuLike, "vcpu_like.c"],
    [boostAgent, "boost_agent.c"],
  ] as const) {
    const r = spawnSync(cc, ["-O2", "-pthread", "-Wall", "-o", out, join(src, file)], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`fidelity: ${cc} ${file} failed:\n${r.stderr || r.error}`);
  }
  return { vcpuLike, boostAgent, dir };
}

export interface Prereq {
  ok: boolean;
  problems: string[];
}

/** What the real side needs: Linux, root (RT policies), cyclictest, stress-ng, a C compiler. */
export function checkPrerequisites(): Prereq {
  const problems: string[] = [];
  if (process.platform !== "linux") problems.push(`needs Linux (this is ${process.platform})`);
  if (typeof process.getuid === "function" && process.getuid() !== 0)
    problems.push("needs root (SCHED_FIFO/RR and sched_setscheduler on other threads)");
  for (const [tool, pkg] of [
    ["cyclictest", "rt-tests"],
    ["stress-ng", "stress-ng"],
    [process.env.CC ?? "cc", "gcc"],
  ]) {
    const r = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" });
    if (r.status !== 0) problems.push(`missing ${tool} (apt-get install ${pkg})`);
  }
  if (problems.length === 0) {
    // Root is not always enough (containers without CAP_SYS_NICE, RT group scheduling with no
    // runtime): try the real thing.
    const r = spawnSync("chrt", ["-f", "1", "true"], { encoding: "utf8" });
    if (r.status !== 0)
      problems.push(`cannot run SCHED_FIFO threads here (chrt -f 1 true: ${(r.stderr || String(r.error ?? r.status)).trim()})`);
  }
  return { ok: problems.length === 0, problems };
}

/** CPU time counters of the `cpu` line of /proc/stat, in USER_HZ ticks. */
export interface CpuTimes {
  total: number;
  idle: number;
  steal: number;
}

export function readCpuTimes(text = readFileSync("/proc/stat", "utf8")): CpuTimes {
  const line = text.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) throw new Error("/proc/stat: no cpu line");
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already
  // counted in user, so the total stops at steal.
  const total = v.slice(0, 8).reduce((s, x) => s + x, 0);
  return { total, idle: v[3]! + (v[4] ?? 0), steal: v[7] ?? 0 };
}

export function readLoadAvg(): number[] {
  try {
    return readFileSync("/proc/loadavg", "utf8").trim().split(/\s+/).slice(0, 3).map(Number);
  } catch {
    return [];
  }
}

/** What one real cell measured. */
export interface RealCellResult {
  /** Probe id -> ascending latency samples (us). */
  samples: Record<string, Float64Array>;
  /** Per probe, notes such as histogram overflows. */
  notes: string[];
  env: RealEnv;
  /** vcpu_like's JSON summary (boost counters in dynamic mode). */
  vcpu?: Record<string, unknown>;
  /** Ascending run stretches of the vCPU-like threads (us). */
  stretch?: Float64Array;
}

export interface RealEnv {
  duration_s: number;
  /** 1/5/15-minute load averages just before the cell started. */
  loadavg_before: number[];
  /** Share of all CPU time that was steal during the cell (this machine is itself a VM). */
  steal_pct: number;
  /** Share of all CPU time that was not idle during the cell (ours and everybody else's). */
  busy_pct: number;
  /**
   * Share of all CPU time that was busy in the half second before the cell, with none of our
   * processes running: other users of the machine. "idle" cells are only idle if this is ~0.
   */
  background_busy_pct: number;
  started_at: string;
}

function waitExit(p: ChildProcess, what: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  p.stdout?.on("data", (d) => (stdout += d));
  p.stderr?.on("data", (d) => (stderr += d));
  return new Promise((res, rej) => {
    p.on("error", (e) => rej(new Error(`${what}: ${e.message}`)));
    p.on("close", (code) => res({ code, stdout, stderr }));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Children still running. If the command is interrupted, they are killed rather than left
 * behind (an orphaned stress-ng would load the machine forever).
 */
const live = new Set<ChildProcess>();
let handlersInstalled = false;

function track(p: ChildProcess): ChildProcess {
  live.add(p);
  p.on("close", () => live.delete(p));
  if (!handlersInstalled) {
    handlersInstalled = true;
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.once(sig, () => {
        // SIGTERM: stress-ng then stops its own workers; the boost agent dies with vcpu_like.
        for (const c of live) c.kill("SIGTERM");
        process.exit(128 + (sig === "SIGINT" ? 2 : sig === "SIGTERM" ? 15 : 1));
      });
    }
    process.once("exit", () => {
      for (const c of live) c.kill("SIGTERM");
    });
  }
  return p;
}

export interface RealRunOptions {
  bins: Binaries;
  durationS: number;
  /** cyclictest histogram range (-h), us. Samples above it count as overflows. */
  histMaxUs?: number;
}

/** Runs one cell for real. Background stress-ng is started first and killed afterwards. */
export async function runRealCell(cell: Cell, o: RealRunOptions): Promise<RealCellResult> {
  const work = mkdtempSync(join(tmpdir(), "pvsched-fidelity-"));
  const histMax = o.histMaxUs ?? 50000;
  let stress: ChildProcess | undefined;
  let stressDone: Promise<unknown> | undefined;
  try {
    const b0 = readCpuTimes();
    await sleep(500);
    const b1 = readCpuTimes();
    const bdt = b1.total - b0.total || 1;
    const background_busy_pct = (100 * (bdt - (b1.idle - b0.idle))) / bdt;
    if (cell.load === "busy") {
      // stress-ng's own parent only supervises; its --cpu workers are the hogs. They are
      // SCHED_OTHER nice 0, in our session (and autogroup), like the simulated stress workers.
      stress = track(spawn("stress-ng", ["--cpu", String(cell.stressWorkers), "--quiet"], { stdio: ["ignore", "ignore", "pipe"] }));
      stressDone = waitExit(stress, "stress-ng");
      await sleep(500);
      if (stress.exitCode !== null) throw new Error(`stress-ng exited early (code ${stress.exitCode})`);
    }
    const loadavg_before = readLoadAvg();
    const t0 = readCpuTimes();
    const startedAt = new Date().toISOString();
    const jobs: Promise<void>[] = [];
    const samples: Record<string, Float64Array> = {};
    const notes: string[] = [];
    let vcpu: Record<string, unknown> | undefined;
    let stretch: Float64Array | undefined;

    for (const ct of cell.cyclictest) {
      const hist = join(work, `${ct.id.replace(/[^A-Za-z0-9]/g, "_")}.hist`);
      const args = ["-q", "-D", String(o.durationS), "-i", String(ct.interval_us), "-h", String(histMax), `--histfile=${hist}`];
      if (ct.policy === "fifo") args.push("-p", String(ct.priority), `--policy=${ct.policy}`);
      const p = track(spawn("cyclictest", args, { stdio: ["ignore", "pipe", "pipe"] }));
      jobs.push(
        waitExit(p, "cyclictest").then((r) => {
          if (r.code !== 0) throw new Error(`cyclictest ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
          const h = parseCyclictestHistogram(readFileSync(hist, "utf8"));
          const s = cyclictestSamples(h);
          samples[ct.id] = s.sorted;
          if (s.overflowed) notes.push(`${ct.id}: ${s.overflowed} samples above ${histMax} us placed at the max`);
        }),
      );
    }
    if (cell.vcpu) {
      const v = cell.vcpu;
      const out = join(work, "vcpu.samples");
      const args = [
        "--mode",
        v.mode === "dynamic-noinject" ? "dynamic" : v.mode,
        ...(v.mode === "dynamic-noinject" ? ["--no-inject"] : []),
        "--threads",
        String(v.threads),
        "--period-us",
        String(v.period_us),
        "--run-us",
        String(v.run_us),
        "--duration-s",
        String(o.durationS),
        "--warmup-ms",
        String(cell.warmup_ms),
        "--policy",
        v.rt_policy,
        "--prio",
        String(v.rt_priority),
        "--throttle-us",
        String(v.throttle_us),
        "--agent",
        o.bins.boostAgent,
        "--out",
        out,
      ];
      const p = track(spawn(o.bins.vcpuLike, args, { stdio: ["ignore", "pipe", "pipe"] }));
      jobs.push(
        waitExit(p, "vcpu_like").then((r) => {
          if (r.code !== 0) throw new Error(`vcpu_like ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
          vcpu = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
          const s = parseVcpuSamples(readFileSync(out, "utf8"));
          samples[v.id] = s.latency;
          stretch = s.stretch;
        }),
      );
    }
    await Promise.all(jobs);
    const t1 = readCpuTimes();
    const dt = t1.total - t0.total || 1;
    return {
      samples,
      notes,
      vcpu,
      stretch,
      env: {
        duration_s: o.durationS,
        loadavg_before,
        steal_pct: (100 * (t1.steal - t0.steal)) / dt,
        busy_pct: (100 * (dt - (t1.idle - t0.idle))) / dt,
        background_busy_pct,
        started_at: startedAt,
      },
    };
  } finally {
    if (stress && stress.exitCode === null) {
      stress.kill("SIGTERM");
      await Promise.race([stressDone, sleep(3000)]);
      if (stress.exitCode === null) stress.kill("SIGKILL");
    }
    rmSync(work, { recursive: true, force: true });
  }
}

export function cpuCount(): number {
  return cpus().length;
}

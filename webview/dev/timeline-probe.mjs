// The timeline measurement, in one place for the dev-harness benchmark (timeline-bench.mjs) and
// the real-workbench e2e (e2e/tests-product.mjs, "tlperf"):
//   - the payload as VS Code delivers it (a message whose timeline columns are typed arrays),
//     written once as a manifest plus binary files (each typed array in pieces) under the panel's own
//     resource folder (dist/webview/bench/), which the panel's CSP lets it fetch (connect-src);
//   - in the panel's frame: its delivery, the Timeline tab's open time, and a frame-time probe
//     (requestAnimationFrame deltas and each draw's own duration) over synthetic wheel input;
//   - the renderer processes' RSS, from the browser's CDP session.
// The in-page functions are self-contained: playwright sends their source to the frame.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Pieces of a typed array's file: VS Code answers a webview's resource request through its service
 * worker with "408 Request Timeout" when one takes too long, which a 23 MB column on a loaded
 * machine did; pieces fetched one at a time each stay well within it.
 */
const PIECE_BYTES = 4 << 20;

/** Writes `payload` into `dir` (manifest.json and a0.bin, a1.bin, ...); returns the typed arrays' bytes. */
export function writeBinaryPayload(payload, dir) {
  mkdirSync(dir, { recursive: true });
  let nBin = 0;
  let bytes = 0;
  const manifest = JSON.stringify(payload, (_k, v) => {
    if (!ArrayBuffer.isView(v)) return v;
    const all = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    const pieces = [];
    for (let at = 0; at === 0 || at < all.length; at += PIECE_BYTES) {
      const name = `a${nBin++}.bin`;
      writeFileSync(join(dir, name), all.subarray(at, at + PIECE_BYTES));
      pieces.push(name);
    }
    bytes += v.byteLength;
    return { $bin: pieces, type: v.constructor.name, bytes: v.byteLength };
  });
  writeFileSync(join(dir, "manifest.json"), manifest);
  return bytes;
}

/** In the panel: fetches bench/ beside the bundle (body data-base) and posts it as a results message; ms taken. */
export async function deliverBinaryPayload() {
  const base = document.body.dataset.base ?? "";
  const a = performance.now();
  const m = await (await fetch(`${base}bench/manifest.json`)).json();
  const arrays = [];
  const walk = (o) => {
    if (!o || typeof o !== "object") return;
    for (const [k, v] of Object.entries(o)) {
      if (v && typeof v === "object" && Array.isArray(v.$bin)) arrays.push({ o, k, v });
      else walk(v);
    }
  };
  walk(m);
  // One piece at a time (see PIECE_BYTES).
  for (const { o, k, v } of arrays) {
    const buf = new Uint8Array(v.bytes);
    let at = 0;
    for (const name of v.$bin) {
      const r = await fetch(`${base}bench/${name}`);
      const b = new Uint8Array(await r.arrayBuffer());
      if (!r.ok) throw new Error(`${name}: HTTP ${r.status} ${r.headers.get("content-type")}, ${b.byteLength} bytes`);
      buf.set(b, at);
      at += b.byteLength;
    }
    if (at !== v.bytes) throw new Error(`${v.$bin[0]}...: ${at} bytes of ${v.bytes}`);
    o[k] = new globalThis[v.type](buf.buffer);
  }
  window.postMessage({ type: "results", payload: m }, "*");
  return performance.now() - a;
}

/** In the panel: clicks the Timeline tab and resolves with the ms to the end of its first draw. */
export function openTimelineTab() {
  return new Promise((done) => {
    const a = performance.now();
    /** @type {HTMLElement} */ (document.querySelector('vscode-tab-header[data-tab="timeline"]')).click();
    const poll = () => {
      const p = /** @type {HTMLElement | null} */ (document.querySelector(".tl-plot"));
      if (p && Number(p.dataset.draws) >= 1) done(performance.now() - a);
      else requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
  });
}

/** In the panel: JS heap in use (performance.memory; precise with --enable-precise-memory-info), MB. */
export function jsHeapMb() {
  const m = /** @type {any} */ (performance).memory;
  return m ? +(m.usedJSHeapSize / 2 ** 20).toFixed(1) : null;
}

/**
 * In the panel, Timeline tab open: one wheel event per frame (pan, zoom in 40-60 frames, pan, zoom
 * out) at a few depths; the view draws in its own requestAnimationFrame callback.
 */
export async function timelineFrameProbe() {
  const plot = /** @type {HTMLElement} */ (document.querySelector(".tl-plot"));
  const root = /** @type {any} */ (plot.closest(".timeline"));
  const probe = root.timelineProbe;
  const box = plot.getBoundingClientRect();
  const x = box.left + box.width * 0.55;
  const y = box.top + 60;
  const raf = () => new Promise((r) => requestAnimationFrame(r));
  const med = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
  const p95 = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length * 0.95)];
  const all = [];
  const phase = async (label, n, ev) => {
    const deltas = [];
    const draws = [];
    let last = await raf();
    for (let i = 0; i < n; i++) {
      plot.dispatchEvent(new WheelEvent("wheel", { ...ev(i), clientX: x, clientY: y, bubbles: true, cancelable: true }));
      const t = await raf();
      deltas.push(t - last);
      draws.push(probe.lastMs);
      last = t;
    }
    all.push(...deltas);
    return {
      label,
      frames: n,
      medianFrameMs: med(deltas),
      p95FrameMs: p95(deltas),
      medianDrawMs: med(draws),
      p95DrawMs: p95(draws),
      fps: 1000 / med(deltas),
    };
  };
  const out = [];
  out.push(await phase("pan, whole run (LOD)", 40, () => ({ deltaX: 30, deltaY: 0 })));
  out.push(await phase("zoom in, 90 s to ~10 ms", 60, () => ({ deltaY: -150 })));
  out.push(await phase("pan at ~10 ms (raw segments)", 40, (i) => ({ deltaX: i % 20 < 10 ? 40 : -40, deltaY: 0 })));
  out.push(await phase("zoom in to µs", 40, () => ({ deltaY: -150 })));
  out.push(await phase("zoom out to the whole run", 120, () => ({ deltaY: 150 })));
  out.push(await phase("pan at ~1 s (LOD level 0 / raw)", 40, (i) => ({ deltaX: i % 20 < 10 ? 60 : -60, deltaY: 0 })));
  return { phases: out, draws: probe.draws, openDrawMs: probe.openMs, medianFps: +(1000 / med(all)).toFixed(1) };
}

/** RSS of the browser's renderer processes (MB), from a browser CDP session and /proc. */
export async function rendererRssMb(browserSession) {
  const info = await browserSession.send("SystemInfo.getProcessInfo");
  let kb = 0;
  for (const p of info.processInfo.filter((x) => x.type === "renderer")) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p.id}/status`, "utf8"));
      if (m) kb += Number(m[1]);
    } catch {}
  }
  return Math.round(kb / 1024);
}

/**
 * Timeline tab: the two-level timeline of one run on a canvas (timeline-draw.ts). Host CPUs
 * show the thread, its policy (CFS, RR 8, FIFO 50) and boost (an outline and a hatch); under
 * them each vCPU shows its thread's host state in a band and the guest task below. Wheel or
 * +/− to zoom, drag or arrow keys to pan, Home to reset; hover for details, click (or [ and ])
 * to select a segment, Enter to zoom to it. The Export bar's "Perfetto trace" writes the visible window.
 */
import type { RunResult, Timeline } from "../../sim-core/results";
import { reviveTimeline, segAt, segEnd } from "../../sim-core/timeline-read";
import { traceEventsJson } from "../../trace/perfetto";
import { h, on, replace } from "../dom";
import { safeFileName } from "../../common/escape";
import { fmtNs } from "../lib/format";
import { modeTitle } from "../../common/modes";
import { describeAt, segmentText } from "../lib/timeline-hit";
import { clamp, pan, zoom, type Bounds, type Viewport } from "../lib/viewport";
import type { ChartHost } from "./dist";
import { LAYOUT, canvasHeight, drawTimeline, rowTops } from "./timeline-draw";
import { readPalette, type Palette } from "./timeline-palette";

/** What the panel needs from its host to export a trace. */
export interface TimelineHost extends ChartHost {
  exportText?(content: string, suggestedName: string): void;
  /** The view says how to export its visible window as a Perfetto trace (the panel's Export bar calls it). */
  setPerfettoExport?(f: (() => void) | null): void;
}

/** The element renderTimeline returns: it can be told to show a latency sample (the "Why late" tab's jump). */
export type TimelineElement = HTMLElement & {
  timelineProbe?: TimelineProbe;
  /** Shows [from, to] of `run` and the sample's causal chain; false if the run has no timeline here. */
  timelineJump?(run: RunResult, from: number, to: number, chain: readonly string[]): boolean;
};

/** Per draw, for the frame-time benchmark (webview/dev/timeline-bench.mjs): how many draws and the last one's cost. */
export interface TimelineProbe {
  draws: number;
  lastMs: number;
  openMs: number;
  /** Shows [from, to] (ns), for the benchmark and the screenshots. */
  setView(from: number, to: number): void;
}

/**
 * The Timeline tab. `record` (results made without their timelines, which the host can record)
 * is called at once when no run has one, and the tab says so until the recorded runs arrive.
 */
export function renderTimeline(runs: readonly RunResult[], host: TimelineHost, record?: () => void): HTMLElement {
  const withTl: { run: RunResult; tl: Timeline }[] = [];
  const problems: string[] = [];
  for (const r of runs) {
    if (!r.timeline) continue;
    try {
      withTl.push({ run: r, tl: reviveTimeline(r.timeline) });
    } catch (e) {
      problems.push(`${r.scenario} · ${r.mode}: ${(e as Error).message}`);
    }
  }
  const first = withTl[0];
  if (!first && record && !problems.length) {
    const again = h("vscode-button", { secondary: true, "data-testid": "record-timeline" }, "Record the timeline");
    on(again, "click", record);
    record();
    return h(
      "div",
      { class: "empty", role: "status", "data-testid": "timeline-pending" },
      h(
        "p",
        {},
        "These runs were made without their timeline, which is being recorded now: the same runs again with the recorder on (the same seeds, so the same numbers).",
      ),
      h("p", {}, "Cancelled, or nothing came? ", again),
    );
  }
  if (!first)
    return h(
      "p",
      { class: "empty" },
      problems.length
        ? `No timeline to show: ${problems.join("; ")}`
        : "These runs recorded no timeline (set timeline.enabled in the scenario to record one).",
    );
  const t0 = performance.now();
  const root = h("div", { class: "timeline" });
  const select = h("select", { "aria-label": "Run" }) as HTMLSelectElement;
  withTl.forEach((r, i) => {
    select.appendChild(h("option", { value: String(i) }, `${r.run.scenario} · ${modeTitle(r.run.mode)}`));
  });
  const btn = (label: string, title: string) => h("vscode-button", { secondary: true, title, "aria-label": title }, label);
  const zin = btn("+", "Zoom in (+)");
  const zout = btn("−", "Zoom out (−)");
  const left = btn("◀", "Pan earlier (←)");
  const right = btn("▶", "Pan later (→)");
  const reset = btn("Reset", "Show the whole run (Home)");
  const range = h("span", { class: "tl-range", "aria-live": "polite" });
  const sw = (cls: string, text: string) => [h("span", { class: `sw ${cls}` }), text];
  const legend = h(
    "span",
    { class: "tl-legend" },
    ...sw("fair", "fair (CFS) "),
    ...sw("rt", "RT (FIFO/RR) "),
    ...sw("boost", "boosted vCPU (hatched, outlined) "),
    ...sw("wait", "vCPU waiting (hatched) "),
    ...sw("cut", "not kept"),
  );
  const notice = h("p", { class: "tl-notice" });
  const why = h("div", { class: "tl-why", hidden: true, "aria-live": "polite", "data-testid": "timeline-why" });
  const canvas = h("canvas", { class: "tl-canvas" }) as HTMLCanvasElement;
  const tip = h("div", { class: "tl-tip", role: "tooltip", hidden: true });
  const plot = h(
    "div",
    {
      class: "tl-plot",
      tabindex: 0,
      role: "application",
      "aria-roledescription": "timeline",
      "aria-label":
        "Run timeline. Arrow keys pan, plus and minus zoom, Home shows the whole run, [ and ] select segments, Page Up and Down change rows.",
    },
    canvas,
    tip,
  );
  const details = h("div", { class: "tl-details", "aria-live": "polite", "data-testid": "timeline-selection" });
  const toolbar = h("div", { class: "tl-toolbar" }, h("label", {}, "Run ", select), zin, zout, left, right, reset, range);
  root.append(toolbar, h("div", { class: "tl-toolbar" }, legend), notice, why, plot, details);

  let cur = first;
  let tl = cur.tl;
  let bounds: Bounds = { min: tl.from_ns, max: tl.to_ns, minSpan: 1000 };
  let vp: Viewport = { from: tl.from_ns, to: tl.to_ns };
  let pending = 0;
  let pal: Palette | null = null;
  let selected: { track: number; index: number } | null = null;
  let selRow = 0;
  const probe: TimelineProbe = { draws: 0, lastMs: 0, openMs: 0, setView: (from, to) => setVp({ from, to }) };
  (root as HTMLElement & { timelineProbe?: TimelineProbe }).timelineProbe = probe;

  const plotWidth = () => Math.max(200, (plot.clientWidth || 800) - LAYOUT.left - LAYOUT.right);
  const draw = () => {
    pending = 0;
    const a = performance.now();
    const width = plotWidth();
    const height = canvasHeight(tl);
    const dpr = window.devicePixelRatio || 1;
    const cw = Math.round((LAYOUT.left + width + LAYOUT.right) * dpr);
    const ch = Math.round(height * dpr);
    if (canvas.width !== cw || canvas.height !== ch) {
      canvas.width = cw;
      canvas.height = ch;
      canvas.style.width = `${LAYOUT.left + width + LAYOUT.right}px`;
      canvas.style.height = `${height}px`;
    }
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    pal ??= readPalette(plot, ctx);
    const st = drawTimeline(ctx, tl, vp, width, height, pal, selected);
    range.textContent =
      `${fmtNs(vp.from)} – ${fmtNs(vp.to)} (span ${fmtNs(vp.to - vp.from)})` +
      (st.level >= 0
        ? ` · summary level ${st.level}`
        : ` · ${st.segments} segments${st.buckets ? ` and ${st.buckets} summary buckets (downsampled)` : ""}`) +
      (st.hiddenMarkers ? ` · ${st.hiddenMarkers} markers (zoom in to see them)` : "");
    probe.draws++;
    probe.lastMs = performance.now() - a;
    if (!probe.openMs) probe.openMs = performance.now() - t0;
    plot.dataset.draws = String(probe.draws);
  };
  const schedule = () => {
    if (!pending) pending = requestAnimationFrame(draw);
  };
  const setVp = (v: Viewport) => {
    vp = clamp(v, bounds);
    schedule();
  };
  const showNotice = () => {
    const b = tl.budget;
    const d = tl.downsampled;
    if (d) {
      const wins = d.windows.map((w) => `${w.probe} ${fmtNs(w.from_ns)} – ${fmtNs(w.to_ns)}`).join("; ");
      notice.textContent =
        `Downsampled to fit the panel: ${d.segments_before} segments → ${d.segments_after}; full resolution only around ` +
        `the worst samples (${wins || "none fitted"}), elsewhere its ${fmtNs(d.bucket_ns)} summary.`;
      return;
    }
    if (!b.cut_segments && !b.cut_markers) {
      notice.textContent = `Every segment of this run is kept (${tl.segments.start_ns.length} segments, ${tl.markers.t_ns.length} markers).`;
      return;
    }
    const wins = b.windows.filter((w) => w.complete).length;
    notice.textContent =
      `A budget of ${b.max_segments_per_track ?? "the hard limit of"} segments per track cut this timeline: ` +
      `${b.cut_segments} segments and ${b.cut_markers} markers not kept (cross-hatched); ` +
      `kept ${b.kept.length} time ranges, holding ${wins} of ${b.windows.length} windows around the worst samples.`;
  };
  const select1 = (track: number, index: number) => {
    selected = { track, index };
    selRow = track;
    replace(details, ...segmentText(tl, track, index).map((l) => h("div", {}, l)));
    schedule();
  };
  const choose = (i: number) => {
    cur = withTl[i] ?? first;
    tl = cur.tl;
    bounds = { min: tl.from_ns, max: Math.max(tl.to_ns, tl.from_ns + 1), minSpan: 1000 };
    vp = { from: bounds.min, to: bounds.max };
    selected = null;
    replace(details);
    why.hidden = true;
    showNotice();
    schedule();
  };
  const stepSel = (d: number) => {
    const track = selRow;
    const a = tl.segments.offset[track];
    const b = tl.segments.offset[track + 1];
    if (a === undefined || b === undefined || a === b) return; // no track (a timeline without any), or an empty one
    const base = selected && selected.track === track ? selected.index : segAt(tl, track, (vp.from + vp.to) / 2) - d;
    const i = Math.max(a, Math.min(b - 1, base + d));
    select1(track, i);
    const s = tl.segments.start_ns[i]!; // a <= i < b: one of the track's segments
    const e = segEnd(tl, track, i);
    if (e < vp.from || s > vp.to) setVp({ from: s - (vp.to - vp.from) / 2, to: s + (vp.to - vp.from) / 2 });
  };
  on(select, "change", () => choose(Number(select.value)));
  on(zin, "click", () => setVp(zoom(vp, 2, 0.5, bounds)));
  on(zout, "click", () => setVp(zoom(vp, 0.5, 0.5, bounds)));
  on(left, "click", () => setVp(pan(vp, -0.25, bounds)));
  on(right, "click", () => setVp(pan(vp, 0.25, bounds)));
  on(reset, "click", () => setVp({ from: bounds.min, to: bounds.max }));
  host.setPerfettoExport?.(() => {
    const name = safeFileName(`${cur.run.scenario}-${cur.run.mode}-perfetto`, "json");
    host.exportText?.(traceEventsJson(cur.run, tl, { from: vp.from, to: vp.to }), name);
  });
  on(plot, "keydown", (e: KeyboardEvent) => {
    const big = e.shiftKey ? 0.5 : 0.1;
    let handled = true;
    switch (e.key) {
      case "ArrowLeft":
        setVp(pan(vp, -big, bounds));
        break;
      case "ArrowRight":
        setVp(pan(vp, big, bounds));
        break;
      case "+":
      case "=":
      case "ArrowUp":
        setVp(zoom(vp, 1.5, 0.5, bounds));
        break;
      case "-":
      case "_":
      case "ArrowDown":
        setVp(zoom(vp, 1 / 1.5, 0.5, bounds));
        break;
      case "Home":
      case "0":
        setVp({ from: bounds.min, to: bounds.max });
        break;
      case "[":
        stepSel(-1);
        break;
      case "]":
        stepSel(1);
        break;
      case "PageUp":
        selRow = Math.max(0, selRow - 1);
        selected = null;
        stepSel(1);
        break;
      case "PageDown":
        selRow = Math.min(tl.tracks.length - 1, selRow + 1);
        selected = null;
        stepSel(1);
        break;
      case "Enter":
        if (selected) {
          const s = tl.segments.start_ns[selected.index]!; // select1 got a segment of the track
          const e2 = segEnd(tl, selected.track, selected.index);
          const pad = (e2 - s) * 0.5;
          setVp({ from: s - pad, to: e2 + pad });
        }
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  });
  const at = (clientX: number, clientY: number) => {
    const box = canvas.getBoundingClientRect();
    const x = clientX - box.left - LAYOUT.left;
    const y = clientY - box.top;
    const w = plotWidth();
    if (x < 0 || x > w) return null;
    const tops = rowTops(tl);
    const track = tops.findIndex((t) => y >= t && y < t + LAYOUT.row);
    if (track < 0) return null;
    const nsPerPx = (vp.to - vp.from) / w;
    return { track, t: vp.from + x * nsPerPx, nsPerPx, x, y };
  };
  on(
    plot,
    "wheel",
    (e: WheelEvent) => {
      e.preventDefault();
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) setVp(pan(vp, (e.deltaX || e.deltaY) / plotWidth(), bounds));
      else {
        const box = plot.getBoundingClientRect();
        setVp(zoom(vp, 1.0015 ** -e.deltaY, (e.clientX - box.left - LAYOUT.left) / plotWidth(), bounds));
      }
    },
    { passive: false },
  );
  let drag: { x: number; vp: Viewport; moved: boolean } | null = null;
  on(plot, "pointerdown", (e: PointerEvent) => {
    drag = { x: e.clientX, vp, moved: false };
    plot.setPointerCapture(e.pointerId);
    plot.classList.add("dragging");
  });
  on(plot, "pointermove", (e: PointerEvent) => {
    if (drag) {
      if (Math.abs(e.clientX - drag.x) > 2) drag.moved = true;
      setVp(pan(drag.vp, -(e.clientX - drag.x) / plotWidth(), bounds));
      tip.hidden = true;
      return;
    }
    const p = at(e.clientX, e.clientY);
    if (!p) {
      tip.hidden = true;
      return;
    }
    const d = describeAt(tl, p.track, p.t, p.nsPerPx);
    replace(tip, ...d.lines.map((l) => h("div", {}, l)));
    tip.hidden = false;
    tip.style.left = `${Math.max(0, Math.min(p.x + LAYOUT.left + 12, plot.clientWidth - tip.offsetWidth - 4))}px`;
    // Below the pointer on the upper rows, above it on the lower ones, so it stays in view.
    const below = p.y < canvas.clientHeight / 2;
    tip.style.top = `${below ? p.y + 14 : Math.max(0, p.y - tip.offsetHeight - 8)}px`;
  });
  on(plot, "pointerleave", () => {
    tip.hidden = true;
  });
  const end = (e: PointerEvent) => {
    if (drag && !drag.moved) {
      const p = at(e.clientX, e.clientY);
      if (p) {
        const i = segAt(tl, p.track, p.t);
        const end = tl.segments.offset[p.track + 1];
        if (end !== undefined && i < end) select1(p.track, i);
      }
    }
    drag = null;
    plot.classList.remove("dragging");
  };
  on(plot, "pointerup", end);
  on(plot, "pointercancel", () => {
    drag = null;
    plot.classList.remove("dragging");
  });
  if (typeof ResizeObserver !== "undefined") new ResizeObserver(schedule).observe(plot);
  // A theme change re-reads the colours (VS Code changes the body's class).
  if (typeof MutationObserver !== "undefined")
    new MutationObserver(() => {
      pal = null;
      schedule();
    }).observe(document.body, { attributes: true, attributeFilter: ["class"] });
  (root as TimelineElement).timelineJump = (run, from, to, chain) => {
    const i = withTl.findIndex((w) => w.run === run);
    if (i < 0) return false;
    select.value = String(i);
    choose(i);
    setVp({ from, to });
    replace(
      why,
      h("strong", {}, "Why this sample was late: "),
      h(
        "ol",
        {},
        chain.map((l) => h("li", {}, l)),
      ),
    );
    why.hidden = false;
    plot.focus();
    return true;
  };
  choose(0);
  return root;
}

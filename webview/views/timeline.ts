/**
 * Timeline tab: per-CPU run segments of one run, coloured by class (rt / fair / idle), with boosted
 * vCPU segments marked. Zoom with the wheel or buttons, pan by dragging or with the arrow keys.
 */
import type { RunResult, Timeline } from "../../sim-core/results";
import { h, on, replace, s } from "../dom";
import { fmtNs, fmtTimeTick } from "../lib/format";
import { linearTicks } from "../lib/scale";
import { clamp, pan, rasterize, zoom, type Bounds, type Viewport } from "../lib/viewport";
import type { ChartHost } from "./dist";

const ROW = 22;
const GAP = 4;
const LEFT = 64;
const TOP = 22;
const RIGHT = 8;

export function renderTimeline(runs: readonly RunResult[], host: ChartHost): HTMLElement {
  const withTl = runs.filter((r) => r.timeline && Array.isArray(r.timeline.cpus) && r.timeline.cpus.length);
  if (!withTl.length)
    return h("p", { class: "empty" }, "These runs recorded no timeline (set a timeline window in the scenario to record one).");
  const root = h("div", { class: "timeline" });
  const select = h("select", { "aria-label": "Run" }) as HTMLSelectElement;
  withTl.forEach((r, i) => {
    select.appendChild(h("option", { value: String(i) }, `${r.scenario} · ${r.mode}`));
  });
  const btn = (label: string, title: string) => h("vscode-button", { secondary: true, title, "aria-label": title }, label);
  const zin = btn("+", "Zoom in (+)");
  const zout = btn("−", "Zoom out (−)");
  const left = btn("◀", "Pan earlier (←)");
  const right = btn("▶", "Pan later (→)");
  const reset = btn("Reset", "Show the whole run (Home)");
  const range = h("span", { class: "tl-range", "aria-live": "polite" });
  const legend = h(
    "span",
    { class: "tl-legend" },
    h("span", { class: "sw rt" }),
    "rt ",
    h("span", { class: "sw fair" }),
    "fair ",
    h("span", { class: "sw idle" }),
    "idle ",
    h("span", { class: "sw boost" }),
    "boosted vCPU",
  );
  const plot = h("div", {
    class: "tl-plot",
    tabindex: 0,
    role: "application",
    "aria-roledescription": "timeline",
    "aria-label": "Per-CPU timeline. Arrow keys pan, plus and minus zoom, Home shows the whole run.",
  });
  root.append(h("div", { class: "tl-toolbar" }, h("label", {}, "Run ", select), zin, zout, left, right, reset, range, legend), plot);

  let tl: Timeline = withTl[0]!.timeline!;
  let run = withTl[0]!;
  let bounds: Bounds = { min: tl.from_ns, max: tl.to_ns, minSpan: 1000 };
  let vp: Viewport = { from: tl.from_ns, to: tl.to_ns };
  let svg: SVGSVGElement | null = null;
  let pending = 0;

  const plotWidth = () => Math.max(200, (plot.clientWidth || 800) - LEFT - RIGHT);
  const draw = () => {
    pending = 0;
    const width = plotWidth();
    const height = TOP + tl.cpus.length * (ROW + GAP) + 4;
    const el = s("svg", {
      xmlns: "http://www.w3.org/2000/svg",
      width: LEFT + width + RIGHT,
      height,
      viewBox: `0 0 ${LEFT + width + RIGHT} ${height}`,
      class: "tl-svg",
      role: "img",
      "aria-label": `Timeline of ${run.scenario} ${run.mode} from ${fmtNs(vp.from)} to ${fmtNs(vp.to)}`,
    }) as SVGSVGElement;
    el.appendChild(s("title", {}, `${run.scenario} · ${run.mode}: ${fmtNs(vp.from)} – ${fmtNs(vp.to)}`));
    const k = width / (vp.to - vp.from);
    const axis = s("g", { class: "axis" });
    const ticks = linearTicks(vp.from, vp.to, Math.max(2, Math.floor(width / 110)));
    const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : vp.to - vp.from;
    for (const t of ticks) {
      const x = LEFT + (t - vp.from) * k;
      axis.appendChild(s("line", { x1: x, x2: x, y1: TOP - 4, y2: height, class: "minor" }));
      axis.appendChild(s("text", { x, y: TOP - 8, "text-anchor": "middle" }, fmtTimeTick(t, step)));
    }
    el.appendChild(axis);
    tl.cpus.forEach((segs, cpu) => {
      const y = TOP + cpu * (ROW + GAP);
      const g = s("g", { class: "tl-row", "data-cpu": cpu });
      g.appendChild(s("text", { x: LEFT - 8, y: y + ROW / 2 + 4, "text-anchor": "end", class: "tl-label" }, `CPU ${cpu}`));
      g.appendChild(s("rect", { x: LEFT, y, width, height: ROW, class: "tl-bg" }));
      for (const r of rasterize(segs, vp, width, 1)) {
        const w = Math.max(r.x1 - r.x0, 0.5);
        // A merged rect is as opaque as its busy share, so a mostly idle stretch reads lighter.
        const rect = s("rect", {
          x: (LEFT + r.x0).toFixed(2),
          y,
          width: w.toFixed(2),
          height: ROW,
          class: `seg ${r.cls}${r.boosted ? " boosted" : ""}`,
          "fill-opacity": r.n > 1 && r.cls !== "idle" ? (0.35 + 0.65 * r.busy).toFixed(2) : null,
        });
        const what = r.n > 1 ? `${r.n} segments, ${Math.round(r.busy * 100)}% busy, mostly ${r.thread || "idle"}` : r.thread;
        rect.appendChild(
          s("title", {}, `CPU ${cpu}: ${what} (${r.cls}${r.boosted ? ", boosted" : ""}) ${fmtNs(r.start_ns)} – ${fmtNs(r.end_ns)}`),
        );
        g.appendChild(rect);
        // Name the thread inside segments wide enough to hold a few characters.
        if (r.n === 1 && w >= 48 && r.cls !== "idle") {
          const chars = Math.floor((w - 6) / 6);
          const name = r.thread.length > chars ? r.thread.slice(0, Math.max(1, chars - 1)) + "…" : r.thread;
          g.appendChild(s("text", { x: (LEFT + r.x0 + 3).toFixed(2), y: y + ROW / 2 + 4, class: "seg-label" }, name));
        }
        if (r.boosted) g.appendChild(s("rect", { x: (LEFT + r.x0).toFixed(2), y, width: w.toFixed(2), height: 4, class: "boost-mark" }));
      }
      el.appendChild(g);
    });
    replace(plot, el);
    svg = el;
    host.setCurrent(el, `timeline-${run.scenario}-${run.mode}`);
    range.textContent = `${fmtNs(vp.from)} – ${fmtNs(vp.to)} (span ${fmtNs(vp.to - vp.from)})${tl.merged ? `; ${tl.merged} segments merged by the recorder` : ""}`;
  };
  const schedule = () => {
    if (!pending) pending = requestAnimationFrame(draw);
  };
  const setVp = (v: Viewport) => {
    vp = clamp(v, bounds);
    schedule();
  };
  const choose = (i: number) => {
    run = withTl[i] ?? withTl[0]!;
    tl = run.timeline!;
    bounds = { min: tl.from_ns, max: Math.max(tl.to_ns, tl.from_ns + 1), minSpan: 1000 };
    vp = { from: bounds.min, to: bounds.max };
    schedule();
  };
  on(select, "change", () => choose(Number(select.value)));
  on(zin, "click", () => setVp(zoom(vp, 2, 0.5, bounds)));
  on(zout, "click", () => setVp(zoom(vp, 0.5, 0.5, bounds)));
  on(left, "click", () => setVp(pan(vp, -0.25, bounds)));
  on(right, "click", () => setVp(pan(vp, 0.25, bounds)));
  on(reset, "click", () => setVp({ from: bounds.min, to: bounds.max }));
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
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  });
  const anchorOf = (clientX: number) => {
    const box = plot.getBoundingClientRect();
    return (clientX - box.left - LEFT) / plotWidth();
  };
  on(
    plot,
    "wheel",
    (e: WheelEvent) => {
      e.preventDefault();
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        setVp(pan(vp, (e.deltaX || e.deltaY) / plotWidth(), bounds));
      } else {
        setVp(zoom(vp, Math.pow(1.0015, -e.deltaY), anchorOf(e.clientX), bounds));
      }
    },
    { passive: false },
  );
  let drag: { x: number; vp: Viewport } | null = null;
  on(plot, "pointerdown", (e: PointerEvent) => {
    drag = { x: e.clientX, vp };
    plot.setPointerCapture(e.pointerId);
    plot.classList.add("dragging");
  });
  on(plot, "pointermove", (e: PointerEvent) => {
    if (!drag) return;
    setVp(pan(drag.vp, -(e.clientX - drag.x) / plotWidth(), bounds));
  });
  const end = () => {
    drag = null;
    plot.classList.remove("dragging");
  };
  on(plot, "pointerup", end);
  on(plot, "pointercancel", end);
  on(plot, "focusin", () => svg && host.setCurrent(svg, `timeline-${run.scenario}-${run.mode}`));
  if (typeof ResizeObserver !== "undefined") new ResizeObserver(schedule).observe(plot);
  choose(0);
  return root;
}

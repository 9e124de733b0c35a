/** Line charts on log or linear axes, drawn as SVG with the theme's chart colours. */
import { on, s } from "../dom";
import { fmtTickUs } from "../lib/format";
import { decadeDomain, linearScale, linearTicks, logScale, logTicks, type Scale } from "../lib/scale";

export interface Series {
  name: string;
  /** A CSS colour, normally var(--vscode-charts-*). */
  color: string;
  points: { x: number; y: number }[];
  /** A band around the line (a confidence interval), drawn under it; points without one are skipped. */
  band?: { x: number; lo: number; hi: number }[];
  /** Mark each point (few points, as in a sweep). */
  markers?: boolean;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  xDomain: [number, number];
  yDomain: [number, number];
  xLog: boolean;
  yLog: boolean;
  yFormat?: (v: number) => string;
  /** Parts of the plot that act when clicked or chosen from the keyboard (a histogram's tail bins). */
  targets?: ChartTarget[];
  /** What the targets are, for screen readers. */
  targetsLabel?: string;
}

/** A box of the plot, in data coordinates, that does something when activated. */
export interface ChartTarget {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  color: string;
  label: string;
  activate: () => void;
}

const W = 560;
const H = 280;
const M = { l: 58, r: 14, t: 44, b: 42 };

export const SERIES_COLORS = [
  "var(--vscode-charts-blue)",
  "var(--vscode-charts-orange)",
  "var(--vscode-charts-green)",
  "var(--vscode-charts-purple)",
  "var(--vscode-charts-red)",
  "var(--vscode-charts-yellow)",
];

function ticksFor(sc: Scale, log: boolean): { major: number[]; minor: number[] } {
  const [a, b] = sc.domain;
  return log ? logTicks(a, b) : { major: linearTicks(a, b, 5), minor: [] };
}

export function lineChart(spec: ChartSpec): SVGSVGElement {
  const x = (spec.xLog ? logScale : linearScale)(spec.xLog ? decadeDomain(...spec.xDomain) : spec.xDomain, [M.l, W - M.r]);
  const y = (spec.yLog ? logScale : linearScale)(spec.yDomain, [H - M.b, M.t]);
  const yFmt = spec.yFormat ?? ((v: number) => (spec.yLog ? v.toExponential(0) : String(v)));
  const svg = s("svg", {
    xmlns: "http://www.w3.org/2000/svg",
    viewBox: `0 0 ${W} ${H}`,
    class: "chart",
    role: "img",
    "aria-label": `${spec.title}: ${spec.series.map((d) => d.name).join(", ")}`,
  }) as SVGSVGElement;
  svg.appendChild(s("title", {}, spec.title));
  const grid = s("g", { class: "grid" });
  const axes = s("g", { class: "axis" });
  const xt = ticksFor(x, spec.xLog);
  for (const v of xt.minor) grid.appendChild(s("line", { x1: x.map(v), x2: x.map(v), y1: M.t, y2: H - M.b, class: "minor" }));
  for (const v of xt.major) {
    const px = x.map(v);
    grid.appendChild(s("line", { x1: px, x2: px, y1: M.t, y2: H - M.b }));
    axes.appendChild(s("text", { x: px, y: H - M.b + 14, "text-anchor": "middle" }, spec.xLog ? fmtTickUs(v) : String(v)));
  }
  const yt = ticksFor(y, spec.yLog);
  for (const v of yt.major) {
    const py = y.map(v);
    grid.appendChild(s("line", { x1: M.l, x2: W - M.r, y1: py, y2: py }));
    axes.appendChild(s("text", { x: M.l - 6, y: py + 4, "text-anchor": "end" }, yFmt(v)));
  }
  axes.appendChild(s("line", { x1: M.l, x2: W - M.r, y1: H - M.b, y2: H - M.b, class: "base" }));
  axes.appendChild(s("line", { x1: M.l, x2: M.l, y1: M.t, y2: H - M.b, class: "base" }));
  axes.appendChild(s("text", { x: (M.l + W - M.r) / 2, y: H - 6, "text-anchor": "middle", class: "label" }, spec.xLabel));
  axes.appendChild(
    s(
      "text",
      { x: 12, y: (M.t + H - M.b) / 2, "text-anchor": "middle", class: "label", transform: `rotate(-90 12 ${(M.t + H - M.b) / 2})` },
      spec.yLabel,
    ),
  );
  axes.appendChild(s("text", { x: M.l, y: 16, class: "title" }, spec.title));
  svg.append(grid, axes);
  const legend = s("g", { class: "legend" });
  let lx = M.l;
  spec.series.forEach((d) => {
    const sw = s("rect", { x: lx, y: 26, width: 12, height: 4 });
    (sw as SVGElement).style.fill = d.color;
    const label = s("text", { x: lx + 16, y: 32 }, d.name);
    legend.append(sw, label);
    lx += 24 + Math.min(d.name.length, 24) * 6.5;
  });
  svg.appendChild(legend);
  for (const d of spec.series) {
    if (!d.band || d.band.length < 2) continue;
    const top = d.band.map((b, i) => `${i ? "L" : "M"}${x.map(b.x).toFixed(2)},${y.map(b.hi).toFixed(2)}`).join("");
    const bottom = [...d.band]
      .reverse()
      .map((b) => `L${x.map(b.x).toFixed(2)},${y.map(b.lo).toFixed(2)}`)
      .join("");
    const el = s("path", { d: `${top}${bottom}Z`, class: "band", "data-series": d.name });
    (el as SVGElement).style.fill = d.color;
    svg.appendChild(el);
  }
  for (const d of spec.series) {
    if (!d.points.length) continue;
    const path = d.points.map((p, i) => `${i ? "L" : "M"}${x.map(p.x).toFixed(2)},${y.map(p.y).toFixed(2)}`).join("");
    const el = s("path", { d: path, class: "series", "data-series": d.name });
    (el as SVGElement).style.stroke = d.color;
    el.appendChild(s("title", {}, d.name));
    svg.appendChild(el);
    if (d.markers)
      for (const p of d.points) {
        const m = s("circle", { cx: x.map(p.x).toFixed(2), cy: y.map(p.y).toFixed(2), r: 2.5, class: "marker" });
        (m as SVGElement).style.fill = d.color;
        m.appendChild(s("title", {}, `${d.name}: ${p.x} → ${yFmt(p.y)}`));
        svg.appendChild(m);
      }
  }
  if (spec.targets?.length) svg.appendChild(targetGroup(spec.targets, spec.targetsLabel ?? "Targets", x, y));
  return svg;
}

/**
 * The targets as buttons: one tab stop for the group (a roving tabindex), arrow keys move between
 * them, Enter or Space activates, as does a click.
 */
function targetGroup(targets: readonly ChartTarget[], label: string, x: Scale, y: Scale): SVGElement {
  const g = s("g", { class: "chart-targets", role: "group", "aria-label": label });
  const rects = targets.map((t, i) => {
    const x0 = x.map(t.x0);
    const x1 = x.map(t.x1);
    const y0 = y.map(t.y0);
    const y1 = y.map(t.y1);
    const r = s("rect", {
      x: Math.min(x0, x1).toFixed(2),
      y: Math.min(y0, y1).toFixed(2),
      width: Math.max(1, Math.abs(x1 - x0)).toFixed(2),
      height: Math.max(2, Math.abs(y1 - y0)).toFixed(2),
      class: "chart-target",
      role: "button",
      tabindex: i === 0 ? 0 : -1,
      "aria-label": t.label,
    }) as SVGElement;
    r.style.fill = t.color;
    r.style.stroke = t.color;
    r.appendChild(s("title", {}, t.label));
    on(r, "click", () => t.activate());
    return r;
  });
  g.append(...rects);
  on(g, "keydown", (e: KeyboardEvent) => {
    const k = e.key;
    const i = rects.indexOf(e.target as SVGElement);
    if (i < 0) return;
    let j = i;
    if (k === "ArrowRight" || k === "ArrowDown") j = Math.min(rects.length - 1, i + 1);
    else if (k === "ArrowLeft" || k === "ArrowUp") j = Math.max(0, i - 1);
    else if (k === "Home") j = 0;
    else if (k === "End") j = rects.length - 1;
    else if (k === "Enter" || k === " ") {
      e.preventDefault();
      targets[i]!.activate();
      return;
    } else return;
    e.preventDefault();
    rects[i]!.setAttribute("tabindex", "-1");
    rects[j]!.setAttribute("tabindex", "0");
    (rects[j] as SVGElement & { focus(): void }).focus();
  });
  return g;
}

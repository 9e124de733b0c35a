/**
 * The timeline's colours: VS Code's theme variables, resolved by the browser to canvas pixels
 * once per draw setup (the renderer writes pixels, not CSS colours), with a hatched variant of
 * each category for boosted time.
 */
import { LOD_BOOST, LOD_CUT, LOD_FAIR, LOD_HALT, LOD_IDLE, LOD_RT, LOD_WAIT } from "../../sim-core/timeline-codes";

/** Theme colours, read from VS Code's CSS variables. */
export interface Palette {
  fg: string;
  muted: string;
  bg: string;
  border: string;
  cat: string[];
  select: string;
  /** The category colours as canvas pixels (RGBA, little-endian), and their hatched variant. */
  px: Uint32Array;
  hatchPx: Uint32Array;
}

/** A CSS colour as a canvas pixel (the browser resolves it: names, hex, rgb(), with alpha). */
function pixel(g: CanvasRenderingContext2D, color: string): number {
  g.clearRect(0, 0, 1, 1);
  g.fillStyle = color;
  g.fillRect(0, 0, 1, 1);
  const d = g.getImageData(0, 0, 1, 1).data; // one pixel: four bytes, R G B A
  return ((d[3]! << 24) | (d[2]! << 16) | (d[1]! << 8) | d[0]!) >>> 0;
}

/** `a` with `t` of `b` mixed in, both pixels. */
function mix(a: number, b: number, t: number): number {
  let out = 0;
  for (let sh = 0; sh < 32; sh += 8) {
    const x = (a >>> sh) & 255;
    const y = (b >>> sh) & 255;
    out |= Math.round(x + (y - x) * t) << sh;
  }
  return out >>> 0;
}

export function readPalette(el: Element, ctx: CanvasRenderingContext2D): Palette {
  const cs = getComputedStyle(el);
  const v = (name: string, dflt: string) => cs.getPropertyValue(name).trim() || dflt;
  const fg = v("--vscode-foreground", "#ccc");
  const cat: string[] = [];
  cat[LOD_IDLE] = v("--vscode-editorWidget-background", "#202020");
  cat[LOD_FAIR] = v("--vscode-charts-blue", "#3794ff");
  cat[LOD_RT] = v("--vscode-charts-red", "#f14c4c");
  cat[LOD_BOOST] = v("--vscode-charts-orange", "#d18616");
  cat[LOD_WAIT] = v("--vscode-charts-yellow", "#cca700");
  cat[LOD_HALT] = v("--vscode-editorWidget-border", "#454545");
  cat[LOD_CUT] = v("--vscode-descriptionForeground", "#9d9d9d");
  const probe = document.createElement("canvas").getContext("2d", { willReadFrequently: true }) ?? ctx;
  const px = Uint32Array.from(cat.map((c) => pixel(probe, c)));
  const fgPx = pixel(probe, fg);
  return {
    fg,
    muted: v("--vscode-descriptionForeground", "#9d9d9d"),
    bg: v("--vscode-editor-background", "#1f1f1f"),
    border: v("--vscode-editorWidget-border", v("--vscode-panel-border", "#444")),
    cat,
    select: v("--vscode-focusBorder", "#0078d4"),
    px,
    hatchPx: px.map((c) => mix(c, fgPx, 0.5)),
  };
}

/** Viewport math for the timeline: zoom about a point, pan, clamp. */

export interface Viewport {
  from: number;
  to: number;
}

export interface Bounds {
  min: number;
  max: number;
  /** Narrowest span allowed (ns), so zooming stops at a meaningful resolution. */
  minSpan: number;
}

/** Keep the viewport inside the bounds, keeping its span when possible. */
export function clamp(vp: Viewport, b: Bounds): Viewport {
  const full = b.max - b.min;
  const span = Math.min(Math.max(vp.to - vp.from, Math.min(b.minSpan, full)), full);
  if (!(span > 0)) return { from: b.min, to: b.max };
  let from = vp.from;
  if (from < b.min) from = b.min;
  if (from + span > b.max) from = b.max - span;
  return { from, to: from + span };
}

/**
 * Zoom by `factor` (>1 zooms in) keeping the time under `anchor` (0..1 across the view) fixed,
 * as a wheel zoom under the mouse pointer does.
 */
export function zoom(vp: Viewport, factor: number, anchor: number, b: Bounds): Viewport {
  if (!(factor > 0) || !Number.isFinite(factor)) return clamp(vp, b);
  const a = Math.min(Math.max(anchor, 0), 1);
  const span = vp.to - vp.from;
  const t = vp.from + a * span;
  const newSpan = Math.min(Math.max(span / factor, b.minSpan), b.max - b.min);
  return clamp({ from: t - a * newSpan, to: t - a * newSpan + newSpan }, b);
}

/** Pan by a fraction of the current span (negative = earlier). */
export function pan(vp: Viewport, fraction: number, b: Bounds): Viewport {
  const d = (vp.to - vp.from) * fraction;
  return clamp({ from: vp.from + d, to: vp.to + d }, b);
}

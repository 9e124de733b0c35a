/**
 * Draws a Timeline on a 2D canvas: one row per host CPU, then one per vCPU (a thin band for the
 * vCPU thread's host state over the guest task on the vCPU), markers, and the time axis. Each
 * row costs at most a few operations per pixel column whatever the zoom: segments wider than a
 * pixel are drawn as rectangles, narrower ones (or, zoomed out, the LOD buckets) are summed per
 * pixel column and drawn as one stacked column of their categories.
 */
import type { Timeline } from "../../sim-core/results";
import {
  LOD_BOOST,
  LOD_CATEGORIES,
  LOD_CUT,
  LOD_FAIR,
  LOD_HALT,
  LOD_IDLE,
  LOD_RT,
  LOD_WAIT,
  MARK_BOOST,
  MARK_BOOST_REQ,
  MARK_EXIT,
  MARK_IRQ,
  MARK_KICK,
  MARK_REQ_SEEN,
  MARK_RT_THROTTLE,
  MARK_THROTTLE,
  MARK_UNBOOST,
  SEG_BOOSTED,
  SEG_CUT,
  SEG_DOWNSAMPLED,
  lodCategory,
} from "../../sim-core/timeline-codes";
import { lodLevelFor } from "../../sim-core/timeline-lod";
import { markAt, policyLabel, segAt } from "../../sim-core/timeline-read";
import { fmtTimeTick } from "../lib/format";
import { linearTicks } from "../lib/scale";
import type { Viewport } from "../lib/viewport";
import type { Palette } from "./timeline-palette";

export const LAYOUT = { left: 96, top: 24, right: 8, row: 22, gap: 3, band: 6, sep: 10 } as const;

/** Where each track's row is. vCPU rows follow the host CPUs after a gap. */
export function rowTops(tl: Timeline): number[] {
  const tops: number[] = [];
  let y = LAYOUT.top;
  tl.tracks.forEach((t, i) => {
    if (t.kind === "vcpu" && tl.tracks[i - 1]?.kind === "cpu") y += LAYOUT.sep;
    tops.push(y);
    y += LAYOUT.row + LAYOUT.gap;
  });
  return tops;
}

export function canvasHeight(tl: Timeline): number {
  const last = rowTops(tl).at(-1);
  return (last !== undefined ? last + LAYOUT.row : LAYOUT.top) + 6;
}

// Stacking order of a summed pixel column, bottom up (idle is the row's background).
const STACK = [LOD_RT, LOD_BOOST, LOD_FAIR, LOD_WAIT, LOD_HALT, LOD_CUT];

/** Per-pixel-column category sums for sub-pixel content. */
class Bins {
  readonly ns: Float64Array;
  constructor(readonly width: number) {
    this.ns = new Float64Array(width * LOD_CATEGORIES);
  }
  add(x0: number, x1: number, cat: number, nsPerPx: number): void {
    // Spread [x0, x1) over the columns it touches.
    let a = x0;
    while (a < x1) {
      const col = Math.floor(a);
      if (col >= this.width) return;
      const b = Math.min(x1, col + 1);
      if (col >= 0) this.ns[col * LOD_CATEGORIES + cat]! += (b - a) * nsPerPx; // col < width
      a = b;
    }
  }
}

// Column sums are reused frame to frame (every column added to is cleared when it is flushed).
const binCache: Bins[] = [];
function bins(k: number, width: number): Bins {
  let b = binCache[k];
  if (!b || b.width !== width) {
    b = new Bins(width);
    binCache[k] = b;
  }
  return b;
}

export interface DrawStats {
  segments: number;
  buckets: number;
  markers: number;
  hiddenMarkers: number;
  level: number;
}

/** Draws everything; returns what it cost. `width` is the plot width in CSS pixels. */
export function drawTimeline(
  ctx: CanvasRenderingContext2D,
  tl: Timeline,
  vp: Viewport,
  width: number,
  height: number,
  pal: Palette,
  selected: { track: number; index: number } | null,
): DrawStats {
  const { left, top, row, band } = LAYOUT;
  const span = vp.to - vp.from;
  const k = width / span;
  const nsPerPx = span / width;
  const stats: DrawStats = { segments: 0, buckets: 0, markers: 0, hiddenMarkers: 0, level: lodLevelFor(tl.lod, nsPerPx) };
  ctx.clearRect(0, 0, left + width + LAYOUT.right, height);
  const tops = rowTops(tl);
  // Pixels first: row backgrounds and every segment or summed column.
  const r = rasterFor(left + width + LAYOUT.right, height);
  r.begin(pal);
  const labels: Label[] = [];
  tl.tracks.forEach((_track, ti) => {
    const y = tops[ti]!; // rowTops: one row per track
    r.fillPx(pal.px[LOD_IDLE]!, left, y, width, row);
    if (stats.level >= 0) drawLod(r, tl, ti, vp, width, y, stats);
    else drawRaw(r, labels, tl, ti, vp, width, y, stats);
  });
  r.blit(ctx);
  // Then lines and text over them.
  ctx.font = "11px var(--vscode-font-family, sans-serif)";
  ctx.textBaseline = "middle";
  const ticks = linearTicks(vp.from, vp.to, Math.max(2, Math.floor(width / 110)));
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : span;
  ctx.fillStyle = pal.muted;
  ctx.strokeStyle = pal.border;
  ctx.lineWidth = 0.5;
  ctx.textAlign = "center";
  for (const t of ticks) {
    const x = left + (t - vp.from) * k;
    ctx.beginPath();
    ctx.moveTo(x, top - 4);
    ctx.lineTo(x, top);
    ctx.stroke();
    ctx.fillText(fmtTimeTick(t, step), x, top - 12);
  }
  ctx.lineWidth = 1;
  if (r.outlined) {
    ctx.strokeStyle = pal.fg;
    ctx.stroke(r.outline);
  }
  for (const l of labels) label(ctx, tl, l, pal);
  tl.tracks.forEach((track, ti) => {
    const y = tops[ti]!; // one row per track
    const vcpu = track.kind === "vcpu";
    ctx.textAlign = "right";
    ctx.fillStyle = pal.muted;
    ctx.fillText(vcpu ? track.name : `CPU ${track.cpu}`, left - 6, y + row / 2);
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, y, width, row);
    ctx.clip();
    drawMarkers(ctx, tl, ti, vp, width, y, pal, stats);
    ctx.restore();
    ctx.strokeStyle = pal.border;
    ctx.strokeRect(left + 0.5, y + 0.5, width - 1, row - 1);
    if (vcpu) {
      // The band on top says the vCPU thread's state; the rest of the row is the guest task.
      ctx.beginPath();
      ctx.moveTo(left, y + band + 0.5);
      ctx.lineTo(left + width, y + band + 0.5);
      ctx.stroke();
    }
  });
  if (selected && selected.track < tl.tracks.length) {
    const { track, index } = selected;
    // A track of tl (checked above), so offset[track + 1] and its row exist; index is one of its segments.
    const s = tl.segments.start_ns[index]!;
    const e = index + 1 < tl.segments.offset[track + 1]! ? tl.segments.start_ns[index + 1]! : tl.to_ns;
    const x0 = Math.max(left - 2, left + (s - vp.from) * k);
    const x1 = Math.min(left + width + 2, left + (e - vp.from) * k);
    if (x1 >= left && x0 <= left + width) {
      ctx.strokeStyle = pal.select;
      ctx.lineWidth = 2;
      ctx.strokeRect(x0 - 1, tops[track]! - 1, Math.max(2, x1 - x0) + 2, row + 2);
      ctx.lineWidth = 1;
    }
  }
  return stats;
}

/**
 * The frame's pixels for everything drawn by category (segments, summed columns, row
 * backgrounds): written straight into an ImageData and put on the canvas once, so a frame costs
 * a few array fills per row whatever the number of rectangles. Outlines, text and markers are
 * drawn over it with the canvas API.
 */
export class Raster {
  readonly canvas: HTMLCanvasElement;
  private readonly img: ImageData;
  private readonly u32: Uint32Array;
  pal: Palette | null = null;
  outline = new Path2D();
  outlined = false;

  constructor(
    readonly w: number,
    readonly h: number,
  ) {
    this.canvas = document.createElement("canvas");
    this.canvas.width = w;
    this.canvas.height = h;
    const g = this.canvas.getContext("2d");
    this.img = g ? g.createImageData(w, h) : new ImageData(w, h);
    this.u32 = new Uint32Array(this.img.data.buffer);
  }

  begin(pal: Palette): void {
    this.pal = pal;
    this.u32.fill(0);
    this.outline = new Path2D();
    this.outlined = false;
  }

  /** Fills [x, x+w) x [y, y+h) (CSS pixels) with a category: boost and waiting hatched, not-kept cross-hatched, halted as a line along the bottom. */
  rect(cat: number, x: number, y: number, w: number, h: number): void {
    const pal = this.pal;
    if (!pal || cat === LOD_IDLE) return;
    if (cat === LOD_HALT) {
      y += h - 2;
      h = 2;
    }
    const x0 = Math.max(0, Math.round(x));
    const x1 = Math.min(this.w, Math.max(x0 + 1, Math.round(x + w)));
    const y0 = Math.max(0, Math.round(y));
    const y1 = Math.min(this.h, Math.round(y + h));
    const c = pal.px[cat]!; // the palette has a pixel per LOD category
    const hatched = cat === LOD_BOOST || cat === LOD_WAIT;
    const hc = pal.hatchPx[cat]!;
    for (let yy = y0; yy < y1; yy++) {
      const row = yy * this.w;
      if (cat === LOD_CUT) {
        for (let xx = x0; xx < x1; xx++) if ((xx + yy) % 4 === 0 || (xx - yy + 4096) % 4 === 0) this.u32[row + xx] = c;
        continue;
      }
      this.u32.fill(c, row + x0, row + x1);
      if (hatched) for (let xx = x0 + ((4 - ((x0 + yy) % 4)) % 4); xx < x1; xx += 4) this.u32[row + xx] = hc;
    }
  }

  fillPx(color: number, x: number, y: number, w: number, h: number): void {
    for (let yy = Math.max(0, y); yy < Math.min(this.h, y + h); yy++)
      this.u32.fill(color, yy * this.w + Math.max(0, x), yy * this.w + Math.min(this.w, x + w));
  }

  outlineRect(x: number, y: number, w: number, h: number): void {
    this.outline.rect(x, y, w, h);
    this.outlined = true;
  }

  /** Puts the pixels on `ctx` (whose transform scales CSS pixels to the device's). */
  blit(ctx: CanvasRenderingContext2D): void {
    this.canvas.getContext("2d")?.putImageData(this.img, 0, 0);
    ctx.drawImage(this.canvas, 0, 0);
  }
}

let raster: Raster | null = null;
function rasterFor(w: number, h: number): Raster {
  if (!raster || raster.w !== w || raster.h !== h) raster = new Raster(w, h);
  return raster;
}

function flushBins(batch: Raster, bins: Bins, from: number, to: number, y: number, h: number, nsPerPx: number): void {
  for (let col = Math.max(0, from); col < Math.min(to, bins.width); col++) {
    const base = col * LOD_CATEGORIES;
    let yy = y + h;
    for (const c of STACK) {
      const ns = bins.ns[base + c]!; // col < bins.width, c < LOD_CATEGORIES
      if (ns <= 0) continue;
      const hh = Math.max(1, Math.round((h * ns) / nsPerPx));
      yy -= hh;
      batch.rect(c, LAYOUT.left + col, Math.max(y, yy), 1, hh);
    }
    for (let c = 0; c < LOD_CATEGORIES; c++) bins.ns[base + c] = 0;
  }
}

/** The row's layout: where a track's segments are drawn (a vCPU row keeps its top band for the thread's state). */
function rowBox(vcpu: boolean, y: number): { y: number; h: number } {
  return vcpu ? { y: y + LAYOUT.band + 1, h: LAYOUT.row - LAYOUT.band - 1 } : { y, h: LAYOUT.row };
}

/** A segment wide enough to be named. */
interface Label {
  ti: number;
  i: number;
  x: number;
  w: number;
  box: { y: number; h: number };
}

function drawRaw(batch: Raster, labels: Label[], tl: Timeline, ti: number, vp: Viewport, width: number, y: number, stats: DrawStats): void {
  const g = tl.segments;
  // ti is a track of tl (drawTimeline); its segments are offset[ti] .. offset[ti + 1] - 1.
  const track = tl.tracks[ti]!;
  const vcpu = track.kind === "vcpu";
  const span = vp.to - vp.from;
  const k = width / span;
  const nsPerPx = span / width;
  const box = rowBox(vcpu, y);
  const cols = bins(0, width);
  const stateBins = vcpu ? bins(1, width) : null;
  let binFrom = Number.POSITIVE_INFINITY;
  let binTo = -1;
  const end = g.offset[ti + 1]!;
  for (let i = segAt(tl, ti, vp.from); i < end; i++) {
    const s = g.start_ns[i]!;
    if (s >= vp.to) break;
    const e = i + 1 < end ? g.start_ns[i + 1]! : tl.to_ns;
    if (e <= vp.from) continue;
    const x0 = (Math.max(s, vp.from) - vp.from) * k;
    const x1 = (Math.min(e, vp.to) - vp.from) * k;
    const f = g.flags[i]!;
    // Counted as the summary buckets it is drawn from, not as a segment.
    if (!(f & SEG_DOWNSAMPLED)) stats.segments++;
    else {
      // Left out to fit the panel: its summary instead, as stacked columns over the whole row.
      if (binTo >= 0) {
        flushBins(batch, cols, binFrom, binTo + 1, box.y, box.h, nsPerPx);
        if (stateBins) flushBins(batch, stateBins, binFrom, binTo + 1, y, LAYOUT.band, nsPerPx);
      }
      // Inside the row's border, which is stroked over its edge pixels: a small share is one pixel high.
      const top = (vcpu ? y : box.y) + 1;
      const rowH = (vcpu ? LAYOUT.row : box.h) - 2;
      stats.buckets += addSummary(cols, tl, ti, Math.max(s, vp.from), Math.min(e, vp.to), vp.from, k, nsPerPx);
      flushBins(batch, cols, Math.floor(x0), Math.ceil(x1), top, rowH, nsPerPx);
      binFrom = Number.POSITIVE_INFINITY;
      binTo = -1;
      continue;
    }
    // A vCPU row: the guest task's category below, the thread's state in the band.
    const cat = vcpu ? guestCategory(g.entity[i]!, g.policy[i]!, f) : lodCategory(g.entity[i]!, g.policy[i]!, f);
    const stateCat = vcpu ? lodCategory(track.thread ?? 1, 1, f) : -1;
    if (x1 - x0 >= 1) {
      if (binTo >= 0) {
        flushBins(batch, cols, binFrom, binTo + 1, box.y, box.h, nsPerPx);
        if (stateBins) flushBins(batch, stateBins, binFrom, binTo + 1, y, LAYOUT.band, nsPerPx);
        binFrom = Number.POSITIVE_INFINITY;
        binTo = -1;
      }
      batch.rect(cat, LAYOUT.left + x0, box.y, x1 - x0, box.h);
      if (stateBins) batch.rect(stateCat, LAYOUT.left + x0, y, x1 - x0, LAYOUT.band);
      if (!vcpu && f & SEG_BOOSTED) batch.outlineRect(LAYOUT.left + x0 + 0.5, y + 0.5, Math.max(0, x1 - x0 - 1), LAYOUT.row - 1);
      if (x1 - x0 > 40) labels.push({ ti, i, x: LAYOUT.left + x0, w: x1 - x0, box });
    } else {
      cols.add(x0, x1, cat, nsPerPx);
      stateBins?.add(x0, x1, stateCat, nsPerPx);
      binFrom = Math.min(binFrom, Math.floor(x0));
      binTo = Math.max(binTo, Math.floor(x1));
    }
  }
  if (binTo >= 0) {
    flushBins(batch, cols, binFrom, binTo + 1, box.y, box.h, nsPerPx);
    if (stateBins) flushBins(batch, stateBins, binFrom, binTo + 1, y, LAYOUT.band, nsPerPx);
  }
}

/**
 * The finest summary level's buckets over [a, b) of track `ti`, added to the pixel columns: each
 * category's share of a bucket becomes that share of every column the bucket covers. Drawn where
 * raw segments are (a pixel narrower than a bucket), so at most a bucket per column.
 */
function addSummary(cols: Bins, tl: Timeline, ti: number, a: number, b: number, vpFrom: number, k: number, nsPerPx: number): number {
  const lv = tl.lod.levels[0];
  if (!lv) return 0;
  const w = lv.bucket_ns;
  const q0 = Math.max(0, Math.floor((a - tl.from_ns) / w));
  const q1 = Math.min(lv.buckets - 1, Math.floor((b - tl.from_ns) / w));
  for (let q = q0; q <= q1; q++) {
    const bs = Math.max(a, tl.from_ns + q * w);
    const be = Math.min(b, tl.from_ns + (q + 1) * w);
    if (!(be > bs)) continue;
    const base = (ti * lv.buckets + q) * LOD_CATEGORIES;
    for (let c = 0; c < LOD_CATEGORIES; c++) {
      const sh = lv.share[base + c];
      if (sh && c !== LOD_IDLE) cols.add((bs - vpFrom) * k, (be - vpFrom) * k, c, (nsPerPx * sh) / 255);
    }
  }
  return Math.max(0, q1 - q0 + 1);
}

/** The guest task's category on a vCPU row (the thread's state is drawn in the band). */
function guestCategory(entity: number, policy: number, flags: number): number {
  if (flags & SEG_CUT) return LOD_CUT;
  return lodCategory(entity, policy, 0);
}

function label(ctx: CanvasRenderingContext2D, tl: Timeline, l: Label, pal: Palette): void {
  const g = tl.segments; // l.i is a segment of track l.ti (drawRaw)
  ctx.textAlign = "left";
  if (g.flags[l.i]! & SEG_CUT) {
    ctx.fillStyle = pal.fg;
    ctx.fillText("not kept", l.x + 3, l.box.y + l.box.h / 2);
    return;
  }
  if (g.entity[l.i] === 0) return;
  const name = tl.entities[g.entity[l.i]!]?.name ?? "?";
  const pol = policyLabel(g.policy[l.i]!, g.prio[l.i]!, tl.tracks[l.ti]!.fair);
  let text = pol ? `${name} · ${pol}` : name;
  const chars = Math.floor((l.w - 6) / 6);
  if (text.length > chars) text = chars > 2 ? `${text.slice(0, chars - 1)}…` : "";
  if (!text) return;
  ctx.fillStyle = pal.bg;
  ctx.fillText(text, l.x + 3, l.box.y + l.box.h / 2);
}

function drawLod(batch: Raster, tl: Timeline, ti: number, vp: Viewport, width: number, y: number, stats: DrawStats): void {
  const lv = tl.lod.levels[stats.level];
  if (!lv) return; // stats.level is a level of tl.lod (lodLevelFor)
  const w = lv.bucket_ns;
  const span = vp.to - vp.from;
  const k = width / span;
  const nsPerPx = span / width;
  const cols = bins(0, width);
  const vcpu = tl.tracks[ti]!.kind === "vcpu"; // ti is a track of tl (drawTimeline)
  const box = rowBox(vcpu, y);
  const b0 = Math.max(0, Math.floor((vp.from - tl.from_ns) / w));
  const b1 = Math.min(lv.buckets - 1, Math.floor((vp.to - tl.from_ns) / w));
  for (let b = b0; b <= b1; b++) {
    stats.buckets++;
    const bs = tl.from_ns + b * w;
    const be = Math.min(bs + w, tl.to_ns);
    const x0 = (Math.max(bs, vp.from) - vp.from) * k;
    const x1 = (Math.min(be, vp.to) - vp.from) * k;
    if (!(x1 > x0)) continue;
    // A bucket is at most a pixel wide: its time goes to the column of its middle.
    const col = Math.min(width - 1, Math.floor((x0 + x1) / 2));
    const base = (ti * lv.buckets + b) * LOD_CATEGORIES;
    const dst = col * LOD_CATEGORIES;
    const ns = (x1 - x0) * nsPerPx;
    for (let c = 0; c < LOD_CATEGORIES; c++) {
      const sh = lv.share[base + c];
      if (sh) cols.ns[dst + c]! += (ns * sh) / 255; // 0 <= col < width
    }
  }
  // Stacked columns: on a vCPU row the whole row, as the LOD summarises the thread and the guest together.
  flushBins(batch, cols, 0, width, vcpu ? y : box.y, vcpu ? LAYOUT.row : box.h, nsPerPx);
}

const MARK_STYLE: Record<number, { dy: number; cat: number }> = {
  [MARK_EXIT]: { dy: 0, cat: LOD_HALT },
  [MARK_IRQ]: { dy: 1, cat: LOD_FAIR },
  [MARK_BOOST]: { dy: 2, cat: LOD_BOOST },
  [MARK_UNBOOST]: { dy: 2, cat: LOD_CUT },
  [MARK_THROTTLE]: { dy: 2, cat: LOD_RT },
  [MARK_BOOST_REQ]: { dy: 3, cat: LOD_WAIT },
  [MARK_REQ_SEEN]: { dy: 3, cat: LOD_WAIT },
  [MARK_KICK]: { dy: 1, cat: LOD_WAIT },
  [MARK_RT_THROTTLE]: { dy: 2, cat: LOD_RT },
};

/** Markers as ticks along the row's bottom; too many to tell apart at this zoom, they are counted, not drawn. */
function drawMarkers(
  ctx: CanvasRenderingContext2D,
  tl: Timeline,
  ti: number,
  vp: Viewport,
  width: number,
  y: number,
  pal: Palette,
  stats: DrawStats,
): void {
  const m = tl.markers;
  const a = markAt(tl, ti, vp.from);
  const b = markAt(tl, ti, vp.to);
  if (b - a > width * 3) {
    stats.hiddenMarkers += b - a;
    return;
  }
  const k = width / (vp.to - vp.from);
  for (let i = a; i < b; i++) {
    const kind = m.kind[i]!; // a <= i < b: one of the track's markers
    const st = MARK_STYLE[kind];
    if (!st) continue;
    stats.markers++;
    const x = LAYOUT.left + (m.t_ns[i]! - vp.from) * k;
    ctx.fillStyle = kind === MARK_EXIT ? pal.fg : pal.cat[st.cat]!; // st.cat is a LOD category: the palette has its colour
    const yy = y + LAYOUT.row - 4 - st.dy * 3;
    if (kind === MARK_BOOST || kind === MARK_UNBOOST || kind === MARK_THROTTLE) {
      // A triangle pointing up for a boost, down for an unboost or a throttle.
      const up = kind === MARK_BOOST;
      ctx.beginPath();
      ctx.moveTo(x - 3, up ? yy + 3 : yy);
      ctx.lineTo(x + 3, up ? yy + 3 : yy);
      ctx.lineTo(x, up ? yy - 2 : yy + 5);
      ctx.closePath();
      ctx.fill();
    } else ctx.fillRect(x - 0.5, yy, 1, 4);
  }
}

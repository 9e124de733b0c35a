/**
 * The timeline's level-of-detail pyramid. Level 0 cuts [from, to) into buckets of a power-of-two
 * width chosen so that a track has at most LOD_BASE_BUCKETS of them; each level above is LOD_FACTOR
 * times coarser, up to a single bucket. A renderer draws, at any zoom, either the raw segments
 * (when a pixel is narrower than a level-0 bucket) or the level whose buckets are just narrower
 * than a pixel, so the work per frame is bounded by the width, not by the run's length.
 */
import type { TimelineLod, TimelineLodLevel, TimelineSegments } from "./results";
import { LOD_CATEGORIES as CATEGORIES, LOD_IDLE, lodCategory } from "./timeline-codes";

// Read once: module exports are getters under some loaders, too slow for the loops below.
const LOD_CATEGORIES = CATEGORIES;
const IDLE = LOD_IDLE;

/** At most this many level-0 buckets per track (2^16: a 90 s run gets 2.1 ms buckets). */
export const LOD_BASE_BUCKETS = 65536;
export const LOD_FACTOR = 4;

/** ns of a bucket's `span` as a share in 1/255: anything that happened shows (at least 1), however short. */
function share(ns: number, span: number): number {
  return ns > 0 ? Math.max(1, Math.min(255, Math.round((255 * ns) / span))) : 0;
}

/**
 * Level 0's bucket width: a power of two (at least 1 µs) giving at most LOD_BASE_BUCKETS buckets,
 * and no more buckets than the busiest track has segments (finer buckets than segments would
 * only cost memory: the raw segments are drawn at that zoom anyway).
 */
export function lodBucketNs(from: number, to: number, maxSegments = LOD_BASE_BUCKETS): number {
  const span = Math.max(1, to - from);
  const cap = Math.min(LOD_BASE_BUCKETS, Math.max(64, maxSegments));
  let w = 1024;
  while (span / w > cap) w *= 2;
  return w;
}

/** Level 0 of one track: time per category, the longest-running entity (idle only if nothing else ran), segments seen. */
function level0(
  seg: TimelineSegments,
  track: number,
  from: number,
  to: number,
  w: number,
  nb: number,
  out: TimelineLodLevel,
  acc: Float64Array,
): void {
  const base = track * nb;
  acc.fill(0);
  // The open bucket's threads and their time: few per bucket, so two small arrays beat a Map.
  const ents: number[] = [];
  const ns: number[] = [];
  let cb = -1;
  const finish = () => {
    if (cb < 0) return;
    let best = 0;
    let bestNs = -1;
    for (let k = 0; k < ents.length; k++)
      if (ns[k]! > bestNs || (ns[k] === bestNs && ents[k]! < best)) {
        best = ents[k]!;
        bestNs = ns[k]!;
      }
    out.entity[base + cb] = best;
    ents.length = 0;
    ns.length = 0;
    cb = -1;
  };
  const a0 = seg.offset[track]!;
  const a1 = seg.offset[track + 1]!;
  for (let i = a0; i < a1; i++) {
    const s = Math.max(seg.start_ns[i]!, from);
    const e = Math.min(i + 1 < a1 ? seg.start_ns[i + 1]! : to, to);
    if (!(e > s)) continue;
    const cat = lodCategory(seg.entity[i]!, seg.policy[i]!, seg.flags[i]!);
    const en = cat === IDLE ? 0 : seg.entity[i]!;
    const b0 = Math.floor((s - from) / w);
    const b1 = Math.min(nb - 1, Math.floor((e - 1 - from) / w));
    for (let b = b0; b <= b1; b++) {
      const bs = from + b * w;
      const d = Math.min(e, bs + w) - Math.max(s, bs);
      out.count[base + b]!++;
      acc[b * LOD_CATEGORIES + cat]! += d;
      if (b > b0 && b < b1) {
        // Covered whole by this segment.
        out.entity[base + b] = en;
        continue;
      }
      if (b !== cb) {
        finish();
        cb = b;
      }
      if (en === 0) continue;
      const k = ents.indexOf(en);
      if (k >= 0) ns[k]! += d;
      else {
        ents.push(en);
        ns.push(d);
      }
    }
  }
  finish();
  for (let b = 0; b < nb; b++) {
    const span = Math.min(w, to - (from + b * w));
    for (let c = 0; c < LOD_CATEGORIES; c++) out.share[(base + b) * LOD_CATEGORIES + c] = share(acc[b * LOD_CATEGORIES + c]!, span);
  }
}

export function buildLod(seg: TimelineSegments, tracks: number, from: number, to: number): TimelineLod {
  let busiest = 0;
  for (let t = 0; t < tracks; t++) busiest = Math.max(busiest, seg.offset[t + 1]! - seg.offset[t]!);
  const w0 = lodBucketNs(from, to, busiest);
  const levels: TimelineLodLevel[] = [];
  let w = w0;
  let nb = Math.max(1, Math.ceil((to - from) / w));
  const first: TimelineLodLevel = {
    bucket_ns: w,
    buckets: nb,
    share: new Uint8Array(nb * tracks * LOD_CATEGORIES),
    entity: new Uint16Array(nb * tracks),
    count: new Uint32Array(nb * tracks),
  };
  const acc = new Float64Array(nb * LOD_CATEGORIES);
  for (let t = 0; t < tracks; t++) level0(seg, t, from, to, w, nb, first, acc);
  levels.push(first);
  let prev = first;
  while (nb > 1) {
    const pw = w;
    w *= LOD_FACTOR;
    const pnb = nb;
    nb = Math.ceil(nb / LOD_FACTOR);
    const lv: TimelineLodLevel = {
      bucket_ns: w,
      buckets: nb,
      share: new Uint8Array(nb * tracks * LOD_CATEGORIES),
      entity: new Uint16Array(nb * tracks),
      count: new Uint32Array(nb * tracks),
    };
    const sum = new Float64Array(LOD_CATEGORIES);
    for (let t = 0; t < tracks; t++)
      for (let b = 0; b < nb; b++) {
        sum.fill(0);
        let busiest = -1;
        let span = 0;
        for (let k = b * LOD_FACTOR; k < Math.min(pnb, (b + 1) * LOD_FACTOR); k++) {
          const ks = Math.min(pw, to - (from + k * pw));
          span += ks;
          let busy = 0;
          for (let c = 0; c < LOD_CATEGORIES; c++) {
            const ns = (prev.share[(t * pnb + k) * LOD_CATEGORIES + c]! * ks) / 255;
            sum[c]! += ns;
            if (c !== IDLE) busy += ns;
          }
          lv.count[t * nb + b]! += prev.count[t * pnb + k]!;
          // Above level 0 the entity is the one of the busiest child bucket.
          if (prev.entity[t * pnb + k] !== 0 && busy > busiest) {
            busiest = busy;
            lv.entity[t * nb + b] = prev.entity[t * pnb + k]!;
          }
        }
        for (let c = 0; c < LOD_CATEGORIES; c++) lv.share[(t * nb + b) * LOD_CATEGORIES + c] = share(sum[c]!, span);
      }
    levels.push(lv);
    prev = lv;
  }
  return { factor: LOD_FACTOR, categories: LOD_CATEGORIES, levels };
}

/** The coarsest level whose buckets are at most `nsPerPx` wide, or -1 when raw segments are finer than needed. */
export function lodLevelFor(lod: TimelineLod, nsPerPx: number): number {
  let pick = -1;
  for (let l = 0; l < lod.levels.length; l++) if (lod.levels[l]!.bucket_ns <= nsPerPx) pick = l;
  return pick;
}

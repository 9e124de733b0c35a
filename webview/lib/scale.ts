/** Log and linear scales and their ticks, for the SVG charts. */

export interface Scale {
  domain: [number, number];
  range: [number, number];
  map(v: number): number;
  invert(px: number): number;
}

/**
 * A base-10 log scale. Values at or below zero cannot sit on a log axis: they are clamped to the
 * lower end of the domain so a zero-latency bin still shows at the axis instead of vanishing.
 */
export function logScale(domain: [number, number], range: [number, number]): Scale {
  const d0 = Math.log10(Math.max(domain[0], Number.MIN_VALUE));
  const d1 = Math.log10(Math.max(domain[1], Number.MIN_VALUE));
  const span = d1 - d0 || 1;
  const [r0, r1] = range;
  return {
    domain,
    range,
    map(v: number) {
      const lv = v > 0 ? Math.log10(v) : d0;
      return r0 + ((Math.min(Math.max(lv, d0), d1) - d0) / span) * (r1 - r0);
    },
    invert(px: number) {
      return Math.pow(10, d0 + ((px - r0) / (r1 - r0 || 1)) * span);
    },
  };
}

export function linearScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return {
    domain,
    range,
    map: (v: number) => r0 + ((v - d0) / span) * (r1 - r0),
    invert: (px: number) => d0 + ((px - r0) / (r1 - r0 || 1)) * span,
  };
}

/** Widen [min, max] to whole decades (both > 0), at least one decade wide. */
export function decadeDomain(min: number, max: number): [number, number] {
  if (!(min > 0) || !Number.isFinite(min)) min = 1;
  if (!(max > 0) || !Number.isFinite(max) || max < min) max = min;
  const lo = Math.pow(10, Math.floor(Math.log10(min) + 1e-9));
  let hi = Math.pow(10, Math.ceil(Math.log10(max) - 1e-9));
  if (hi <= lo) hi = lo * 10;
  return [lo, hi];
}

export interface LogTicks {
  /** Labelled ticks: the decades, plus 2 and 5 when the domain spans fewer than two decades. */
  major: number[];
  /** Unlabelled 2..9 multiples inside the domain. */
  minor: number[];
}

/** Ticks of a log axis over [min, max] (min > 0). */
export function logTicks(min: number, max: number): LogTicks {
  const major: number[] = [];
  const minor: number[] = [];
  if (!(min > 0) || !(max >= min)) return { major, minor };
  const k0 = Math.floor(Math.log10(min) + 1e-9);
  const k1 = Math.ceil(Math.log10(max) - 1e-9);
  const fine = k1 - k0 < 2;
  const eps = 1e-9;
  for (let k = k0; k <= k1; k++) {
    const base = Math.pow(10, k);
    for (let m = 1; m <= 9; m++) {
      const v = roundSig(m * base);
      if (v < min * (1 - eps) || v > max * (1 + eps)) continue;
      if (m === 1 || (fine && (m === 2 || m === 5))) major.push(v);
      else minor.push(v);
    }
  }
  return { major, minor };
}

/** "Nice" linear ticks (1-2-5 steps), about `count` of them over [min, max]. */
export function linearTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min || count < 1) return [min];
  const raw = (max - min) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) out.push(roundSig(v));
  return out;
}

function roundSig(v: number): number {
  return v === 0 ? 0 : Number(v.toPrecision(12));
}

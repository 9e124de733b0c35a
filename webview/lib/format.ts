/** Number formatting for tables and axes. */

/** Microseconds: integers from 100 up, otherwise up to 2 significant decimals. */
export function fmtUs(v: number | undefined | null): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return "—";
  const a = Math.abs(v);
  if (a >= 100 || Number.isInteger(v)) return Math.round(v).toLocaleString("en-US");
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/**
 * A signed difference against the baseline in the column's unit, formatted like the values
 * (`fmt`), with a real minus sign: "+12.9", "\u22123.40", "\u00b10".
 */
export function fmtDelta(d: number | undefined | null, fmt: (v: number) => string = fmtUs): string {
  if (d === undefined || d === null || !Number.isFinite(d)) return "\u2014";
  const text = fmt(Math.abs(d));
  // A difference that rounds to zero reads as none, whatever its sign.
  if (/^[0.,]+$/.test(text)) return `\u00b1${text}`;
  return `${d > 0 ? "+" : "\u2212"}${text}`;
}

/** Nanoseconds as a human duration (ns, µs, ms, s). */
export function fmtNs(ns: number): string {
  if (!Number.isFinite(ns)) return "—";
  if (ns === 0) return "0";
  const a = Math.abs(ns);
  if (a >= 1e9) return trim(ns / 1e9) + " s";
  if (a >= 1e6) return trim(ns / 1e6) + " ms";
  if (a >= 1e3) return trim(ns / 1e3) + " µs";
  return Math.round(ns) + " ns";
}

function trim(v: number): string {
  const a = Math.abs(v);
  const s = a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/** Axis label for a log-scale tick in µs: 1, 10, 100, 1k, 10k, 100k, 1M. */
export function fmtTickUs(v: number): string {
  if (v >= 1e6) return trim(v / 1e6) + "M";
  if (v >= 1e3) return trim(v / 1e3) + "k";
  return trim(v);
}

/**
 * A time-axis tick label: in seconds from 1 s on (as ftrace prints times), else ms, µs or ns,
 * with just enough decimals to tell neighbouring ticks apart (a 0.5 ms step at 2.55 s gives
 * "2.5530 s", "2.5535 s"): never a seven-digit count of microseconds.
 */
export function fmtTimeTick(ns: number, stepNs: number): string {
  if (ns === 0) return "0";
  const step = Math.abs(stepNs) || Math.abs(ns) || 1;
  const big = Math.max(Math.abs(ns), step);
  const [unit, name] = big >= 1e9 ? [1e9, "s"] : big >= 1e6 ? [1e6, "ms"] : big >= 1e3 ? [1e3, "µs"] : [1, "ns"];
  const decimals = Math.min(9, Math.max(0, -Math.floor(Math.log10(step / unit) + 1e-9)));
  return `${(ns / unit).toFixed(decimals)} ${name}`;
}

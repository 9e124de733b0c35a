/** Plain-text tables for the terminal (the CLI's run/compare/ablate output and the seed report). */

/** Columns padded to their widest cell: the first `labels` (labels) left-aligned, the others (numbers) right-aligned. */
export function table(header: string[], rows: string[][], labels = 1): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i < labels ? c.padEnd(w[i]!) : c.padStart(w[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** A latency or count for a table: whole numbers from 100 up, one decimal below. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "n/a";
  return Math.abs(x) >= 100 || Number.isInteger(x) ? String(Math.round(x)) : x.toFixed(1);
}

/** An interval as "[lo, hi]", or "n/a" (a single replication has none). */
export function interval(ci: readonly [number, number] | null | undefined): string {
  return ci ? `[${num(ci[0])}, ${num(ci[1])}]` : "n/a";
}

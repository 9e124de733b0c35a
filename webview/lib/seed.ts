/** Seed-report helpers: the per-cell error measure and claim counts. */

/**
 * |log10(simulated / published)|: the number of decades between the two, the order-of-magnitude
 * measure the design asks for. Undefined when either is zero or negative (no order of magnitude),
 * except that 0 against 0 is an exact match.
 */
export function log10Error(simulated: number, published: number): number | undefined {
  if (!Number.isFinite(simulated) || !Number.isFinite(published)) return undefined;
  if (simulated === 0 && published === 0) return 0;
  if (simulated <= 0 || published <= 0) return undefined;
  return Math.abs(Math.log10(simulated / published));
}

export function claimCounts(claims: readonly { holds: boolean }[] | undefined): { held: number; total: number } {
  const list = claims ?? [];
  return { held: list.filter((c) => c.holds === true).length, total: list.length };
}

/**
 * Seed-report helpers for the panel. The per-cell error measure itself is report/seed-report.ts's
 * (`log10Error`), so the panel shows the same numbers as `pvsched-sim seed-report`.
 */

export function claimCounts(claims: readonly { holds: boolean }[] | undefined): { held: number; total: number } {
  const list = claims ?? [];
  return { held: list.filter((c) => c.holds === true).length, total: list.length };
}

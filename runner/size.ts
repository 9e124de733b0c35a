/**
 * How many simulation workers a pool has: one per available core (a run is one single-threaded,
 * CPU-bound loop, so more workers than cores only share the same cores), at least one, and at
 * most MAX_POOL_SIZE so that the workers' heap limits added up stay bounded (node.ts).
 */
export const MAX_POOL_SIZE = 8;

export function poolSize(cores: number, cap: number = MAX_POOL_SIZE): number {
  const n = Number.isFinite(cores) ? Math.floor(cores) : 1;
  return Math.max(1, Math.min(cap, n));
}

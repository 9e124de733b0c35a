/**
 * How many simulation workers to run at once: one per CPU, leaving one for the extension host and
 * the editor, at least one and at most four (a seed report is only a dozen runs).
 */
export function workerCount(cpus: number): number {
  const n = Number.isFinite(cpus) ? Math.floor(cpus) : 1;
  return Math.max(1, Math.min(4, n - 1));
}

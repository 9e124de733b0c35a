/**
 * The simulation runner: one pool of warm workers and one worker protocol, above sim-core and
 * below the CLI and the extension (see README.md). Transports live in their own files because
 * they import platform modules: node.ts (worker_threads) and web.ts (Web Workers).
 */
export {
  SimPool,
  CancelledError,
  RunError,
  DEFAULT_LIMITS,
  type BatchHandle,
  type BatchOptions,
  type BatchProgress,
  type CancelTiming,
  type PoolOptions,
  type WorkerFactory,
  type WorkerHandle,
} from "./pool";
export type { SimTask, RunLimits, FailureKind } from "./protocol";
export { BudgetError, checkBudget, estimateRun, DEFAULT_BUDGET, type Budget, type RunEstimate } from "./budget";
export { executeTask, LimitError } from "./execute";
export { replicate, replicationSeed, byReplication } from "./replications";
export { LatestResults } from "./latest";
export { RunQueue, type QueueSlot } from "./run-queue";
export { poolSize, MAX_POOL_SIZE } from "./size";
export { FIRST_ANSWER, interimCheckpointsNs, type InterimPlan } from "./interim";

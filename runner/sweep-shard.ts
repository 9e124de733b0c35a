/**
 * A sweep's shard files and their merge (runner/sweep.ts). A shard file is JSON: the sweep's
 * definition, which shard of how many it is, the sweep's run count, and its runs by index. Any
 * executor that can start N copies of a command (a Kubernetes Indexed Job, a CI matrix, a shell
 * loop) runs shard i of N; `sweep merge` checks that the files are the shards of one sweep and
 * that together they hold every run exactly once.
 */
import { SweepError, type SweepDefinition, type SweepRun } from "./sweep";

export const SHARD_FORMAT = "pvsched-sweep-shard/1";

export interface ShardFile {
  format: typeof SHARD_FORMAT;
  definition: SweepDefinition;
  shard: { index: number; count: number };
  /** Runs of the whole sweep. */
  total: number;
  runs: { index: number; run: SweepRun }[];
}

export function shardFile(
  definition: SweepDefinition,
  shard: { index: number; count: number },
  total: number,
  indices: readonly number[],
  runs: readonly SweepRun[],
): ShardFile {
  return { format: SHARD_FORMAT, definition, shard, total, runs: indices.map((index, i) => ({ index, run: runs[i]! })) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The definition and every run of a sweep, from its shard files (`name` is how messages call a
 * file). Throws SweepError when a file is not a shard, the files are of different sweeps, or a
 * run is missing or present twice.
 */
export function mergeShards(files: readonly { name: string; data: unknown }[]): { definition: SweepDefinition; runs: SweepRun[] } {
  if (files.length === 0) throw new SweepError("sweep merge: no shard files given");
  let first: { name: string; file: ShardFile; definition: string } | undefined;
  const runs: (SweepRun | undefined)[] = [];
  const from: string[] = [];
  for (const { name, data } of files) {
    if (
      !isObject(data) ||
      data.format !== SHARD_FORMAT ||
      !Array.isArray(data.runs) ||
      !isObject(data.shard) ||
      typeof data.total !== "number"
    )
      throw new SweepError(`${name}: not a sweep shard file (expected "format": "${SHARD_FORMAT}", from sweep --shard i/N)`);
    const file = data as unknown as ShardFile;
    const definition = JSON.stringify(file.definition);
    if (!first) {
      first = { name, file, definition };
      runs.length = file.total;
    } else if (definition !== first.definition || file.total !== first.file.total || file.shard.count !== first.file.shard.count)
      throw new SweepError(
        `${name}: a shard of another sweep than ${first.name} (scenario, parameters, replications or shard count differ)`,
      );
    for (const { index, run } of file.runs) {
      if (!Number.isInteger(index) || index < 0 || index >= file.total)
        throw new SweepError(`${name}: run index ${index} outside 0..${file.total - 1}`);
      if (runs[index] !== undefined) throw new SweepError(`${name}: run ${index} is also in ${from[index]} (a shard given twice?)`);
      runs[index] = run;
      from[index] = name;
    }
  }
  const count = first!.file.shard.count;
  const missing = new Set<number>();
  for (let k = 0; k < runs.length; k++) if (runs[k] === undefined) missing.add(k % count);
  if (missing.size)
    throw new SweepError(
      `sweep merge: runs missing; shards not given: ${[...missing]
        .sort((a, b) => a - b)
        .map((i) => `${i}/${count}`)
        .join(", ")}`,
    );
  return { definition: first!.file.definition, runs: runs as SweepRun[] };
}

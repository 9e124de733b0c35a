/** A hand-built timeline track for the level-of-detail tests (sim-core/timeline-lod.ts). */
import type { TimelineSegments } from "../../sim-core/results";

/** One track from [start, entity, policy, flags] rows. */
export function track(rows: [number, number, number, number][]): TimelineSegments {
  return {
    offset: Uint32Array.from([0, rows.length]),
    start_ns: Float64Array.from(rows.map((r) => r[0])),
    entity: Uint16Array.from(rows.map((r) => r[1])),
    policy: Uint8Array.from(rows.map((r) => r[2])),
    prio: new Uint8Array(rows.length),
    flags: Uint8Array.from(rows.map((r) => r[3])),
    cpu: new Int16Array(rows.length).fill(-1),
  };
}

/**
 * The codes in the Timeline's typed arrays (sim-core/results.ts), in one place for the recorder,
 * the renderer and the trace exporter.
 */
import type { ExitReason } from "./results";
import type { Policy } from "./scenario";

/** Segment flags. */
export const SEG_BOOSTED = 1;
/** Not kept: a budget cut this stretch of the track. */
export const SEG_CUT = 2;
/** vCPU track: the vCPU thread is runnable but not running (the guest's steal time). */
export const SEG_WAITING = 4;
/** vCPU track: the vCPU thread is blocked in kvm_vcpu_block (the guest halted). */
export const SEG_HALTED = 8;
/**
 * With SEG_CUT: a stretch left out when the timeline was downsampled for the panel (issue 14);
 * the level-of-detail summary still covers it (sim-core/timeline-downsample.ts).
 */
export const SEG_DOWNSAMPLED = 16;

/** Segment policy codes; 0 is idle (nothing runs). */
export const POLICY_CODES: readonly (Policy | "")[] = ["", "other", "batch", "idle", "fifo", "rr"];
export const POLICY_FIFO = 4;
export const POLICY_RR = 5;
export function policyCode(p: Policy): number {
  return POLICY_CODES.indexOf(p);
}

/** Marker kinds. */
export const MARK_EXIT = 1;
/** An interrupt for the guest (arg: IRQ_SOURCES index | IRQ_KICKED | IRQ_POSTED). */
export const MARK_IRQ = 2;
/** The vCPU thread boosted (arg: BOOST_SOURCES index). */
export const MARK_BOOST = 3;
export const MARK_UNBOOST = 4;
/** Patch 5's cap cut a boost. */
export const MARK_THROTTLE = 5;
/** The guest wrote a boost request (arg: BOOST_* of pvsched/state.ts: 1 unboost, 2 boost). */
export const MARK_BOOST_REQ = 6;
/** The host read a pending request at a VM exit (arg: the request). */
export const MARK_REQ_SEEN = 7;
/** The vCPU thread blocked in kvm_vcpu_block. */
export const MARK_HALT = 8;
/** KVM kicked the blocked vCPU thread awake. */
export const MARK_KICK = 9;
/** A host CPU's RT class was throttled (sched_rt_runtime_us). */
export const MARK_RT_THROTTLE = 10;
export const MARK_NAMES = ["", "exit", "irq", "boost", "unboost", "throttle", "boost_req", "req_seen", "halt", "kick", "rt_throttle"];

/** MARK_EXIT arg. */
export const EXIT_REASONS: readonly ExitReason[] = ["hlt", "timer", "external_interrupt", "ipi", "msr_unboost", "msr_other", "preemption"];
/** MARK_IRQ arg: the source in the low bits. */
export const IRQ_SOURCES = ["timer", "ipi", "device", "nmi"] as const;
export const IRQ_KICKED = 0x10;
export const IRQ_POSTED = 0x20;
/** MARK_BOOST arg. */
export const BOOST_SOURCES = ["inject", "exit", "block"] as const;
/** MARK_BOOST_REQ / MARK_REQ_SEEN arg (BOOST_* of pvsched/state.ts). */
export const REQUEST_NAMES = ["none", "unboost", "boost"] as const;

/** LOD categories: what a bucket's time was spent on (a partition of its time). */
export const LOD_IDLE = 0;
export const LOD_FAIR = 1;
export const LOD_RT = 2;
/** A boosted vCPU thread ran (host track), or the vCPU ran boosted (vCPU track). */
export const LOD_BOOST = 3;
export const LOD_WAIT = 4;
export const LOD_HALT = 5;
export const LOD_CUT = 6;
export const LOD_CATEGORIES = 7;
export const LOD_NAMES = ["idle", "fair", "rt", "boosted", "waiting", "halted", "not kept"];

/** The LOD category of a segment. */
export function lodCategory(entity: number, policy: number, flags: number): number {
  if (flags & SEG_CUT) return LOD_CUT;
  if (flags & SEG_HALTED) return LOD_HALT;
  if (flags & SEG_WAITING) return LOD_WAIT;
  if (flags & SEG_BOOSTED) return LOD_BOOST;
  if (entity === 0) return LOD_IDLE;
  return policy === POLICY_FIFO || policy === POLICY_RR ? LOD_RT : LOD_FAIR;
}

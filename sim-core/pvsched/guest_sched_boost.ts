/**
 * Patch 7, the guest scheduler's side (kernel/sched/core.c, kernel/entry/common.c):
 * - __schedule(): the next task is RT/DL: boost_req = BOOST (lazy); it is a fair task:
 *   pv_sched_unboost_vcpu() (lazy: preempt_count() is not 0 there); the idle task: nothing.
 * - enqueue_task() of an RT task on this CPU: boost_req = BOOST (lazy).
 * - exit_to_user_mode_prepare(): a task that is not RT returns to user mode:
 *   pv_sched_unboost_vcpu() with preempt_count() 0, the synchronous unboost.
 * - preempt_count_add/sub (through CONFIG_TRACE_PREEMPT_TOGGLE): schedinfo.preempt_disabled
 *   follows preempt_count() != 0, so it is set in the idle loop, in interrupts and in
 *   preempt-disabled sections. The host reads it at exits (patches 3 and 5).
 */
import type { Vcpu } from "../kvm/vcpu";
import type { Task } from "../sched/task";
import { type PvConfig, VCPU_REQ_BOOST } from "./state";
import { unboostVcpu } from "./sync_unboost";

function requestBoost(cfg: PvConfig, v: Vcpu): void {
  v.pv.boostReq = VCPU_REQ_BOOST;
  cfg.counters.guest_sched_boost++;
}

/** __schedule() picked `next` (null: the idle task). */
export function onSchedule(cfg: PvConfig, v: Vcpu, next: Task | null): void {
  if (!cfg.on.guest_sched_boost || !next) return;
  if (next.isRt) requestBoost(cfg, v);
  else {
    cfg.counters.guest_sched_boost++;
    unboostVcpu(cfg, v, false);
  }
}

/** enqueue_task() of `t` on this vCPU's own runqueue. */
export function onEnqueue(cfg: PvConfig, v: Vcpu, t: Task): void {
  if (cfg.on.guest_sched_boost && t.isRt) requestBoost(cfg, v);
}

/** exit_to_user_mode_prepare() for `t`. */
export function onUserReturn(cfg: PvConfig, v: Vcpu, t: Task): void {
  if (!cfg.on.guest_sched_boost || t.isRt) return;
  cfg.counters.guest_sched_boost++;
  unboostVcpu(cfg, v, true);
}

/** schedinfo.preempt_disabled as the guest last wrote it (false without patch 7). */
export function preemptDisabled(cfg: PvConfig, v: Vcpu): boolean {
  if (!cfg.on.guest_sched_boost) return false;
  const c = v.gcpu;
  return !c.curr || c.inIrq || c.curr.preemptDisabled;
}

/**
 * The series' protocol carried out by a plain host thread rather than a vCPU, as the fidelity
 * check's real threads do it on this machine (fidelity/vcpu_like.c and boost_agent.c): the agent
 * boosts the thread at its timer expiry (patch 4's injection boost), the thread boosts itself
 * when it starts work if nobody did (patch 3's request, taken at once), unboosts itself when done
 * (patch 3's synchronous unboost) and the agent cuts a boost held longer than the cap (patch 5).
 */
import type { Engine } from "../engine";
import type { Task } from "../sched/task";
import type { PvConfig } from "./state";

export interface PvThreadHooks {
  /** The thread's timer fired (interrupt context). */
  onTimer(t: Task): void;
  /** The thread starts its work: CPU time it spends on the protocol first. */
  onStart(t: Task): number;
  /** The work is done, before it sleeps: CPU time the unboost costs. */
  onDone(t: Task): number;
}

export function pvThreadHooks(cfg: PvConfig, eng: Engine, setschedulerNs: () => number): PvThreadHooks {
  const since = new Map<Task, number>();
  const boost = (t: Task) => {
    if (t.boosted || !t.cpu) return;
    // An RT policy leaves static_prio alone (__setscheduler_params() sets it for fair policies
    // only), so the thread keeps its nice for the unboost, as set_sched.ts's vCPU boost does.
    t.cpu.setPolicy(t, cfg.policy, cfg.priority, t.nice);
    t.boosted = true;
    const start = eng.now;
    since.set(t, start);
    if (cfg.on.preempt_throttle && cfg.maxPreemptDisabledNs > 0) {
      eng.at(start + cfg.maxPreemptDisabledNs, () => {
        if (t.boosted && since.get(t) === start) unboost(t);
      });
    }
  };
  const unboost = (t: Task) => {
    if (!t.boosted || !t.cpu) return;
    t.cpu.setPolicy(t, "other", 0, t.nice);
    t.boosted = false;
  };
  return {
    onTimer: (t) => {
      if (cfg.on.boost_on_inject) boost(t);
    },
    onStart: (t) => {
      if (t.boosted || !cfg.on.lazy_boost) return 0;
      boost(t);
      return setschedulerNs();
    },
    onDone: (t) => {
      if (!t.boosted) return 0;
      if (!cfg.on.sync_unboost) return 0;
      unboost(t);
      return setschedulerNs();
    },
  };
}

/**
 * The idle class (kernel/sched/idle.c): what a CPU runs when no other class has a task. On a
 * host CPU it waits for an interrupt; on a guest CPU, idle means executing HLT, which is a
 * VM exit (the CPU's `onIdle` hook).
 */
export const IDLE_LABEL = "idle";

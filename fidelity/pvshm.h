/*
 * Shared-memory layout between the vCPU-like threads (fidelity/vcpu_like.c) and the boost
 * agent (fidelity/boost_agent.c). It plays the part of the series' per-vCPU shared page: the
 * "guest" (a thread) writes its requests here, the "host" (the agent) reads them and changes
 * the thread's scheduling policy.
 *
 * Two parties change a thread's policy, as in the series: the thread itself at its "exits"
 * (lazy boost when it starts latency-sensitive work, synchronous unboost when it ends: in KVM
 * both run in the vCPU thread's own context), and the agent when it injects the timer
 * interrupt or throttles. A per-slot lock word serialises them: the thread spins on it (the
 * agent never holds it for long: it runs RT above the threads), the agent only try-locks it
 * and retries shortly, so a preempted SCHED_OTHER thread never stalls the agent.
 */
#ifndef PVSHM_H
#define PVSHM_H

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A clock in nanoseconds (CLOCK_MONOTONIC for deadlines, CLOCK_THREAD_CPUTIME_ID for work). */
static inline int64_t pv_clock_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Both programs stop on a failed system call with one line and exit status 2. */
static inline void pv_die(const char *prog, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(2);
}

#define PVSHM_MAGIC 0x70767368u /* "pvsh" */
#define PVSHM_MAX_THREADS 64

struct pv_slot {
	union {
		struct {
			_Atomic int32_t tid;        /* kernel thread id, 0 until registered */
			_Atomic int32_t lock;       /* serialises policy changes (thread: spin, agent: trylock) */
			_Atomic int32_t request;    /* guest asks for a boost (latency-sensitive work running) */
			_Atomic int32_t irq_pending;/* agent "injected" the timer interrupt; thread clears it at wake */
			_Atomic int32_t boosted;    /* the thread is RT right now (changed under lock) */
			_Atomic int32_t throttled;  /* boost was capped; no re-boost until the request is cleared */
			_Atomic int64_t timer_ns;   /* programmed timer deadline (CLOCK_MONOTONIC), 0 = none */
			_Atomic int64_t boost_since_ns;
			/* Counters (changed under lock). */
			_Atomic uint64_t boosts_inject;  /* boosted by the agent when the timer was injected */
			_Atomic uint64_t boosts_request; /* boosted by the thread itself at an "exit" (lazy boost) */
			_Atomic uint64_t unboosts;       /* synchronous unboost by the thread when its work ended */
			_Atomic uint64_t throttles;      /* boost cut by the preempt-disabled cap (agent) */
			_Atomic uint64_t boosted_ns;     /* total time spent boosted */
		};
		char pad[128];
	};
};

struct pv_shm {
	uint32_t magic;
	int32_t nthreads;
	_Atomic int32_t stop;
	_Atomic int32_t agent_ready;
	_Atomic uint64_t agent_wakeups;
	_Atomic uint64_t agent_timer_wakeups;
	/* Lateness of the agent's timer wakeups (now - armed expiry), summed and maximum, ns. */
	_Atomic uint64_t agent_timer_late_sum_ns;
	_Atomic uint64_t agent_timer_late_max_ns;
	_Atomic uint64_t agent_trylock_retries;
	char pad[64 - 4 * 4 - 5 * 8 + 64];
	struct pv_slot slot[PVSHM_MAX_THREADS];
};

_Static_assert(sizeof(struct pv_slot) == 128, "one slot per two cache lines");

#endif

/*
 * boost_agent: the "host" side of the series' protocol for the vCPU-like threads of
 * vcpu_like.c, as a separate real process.
 *
 * It runs SCHED_FIFO above the boosted threads, so that it is woken promptly, and sleeps in
 * epoll_wait on two file descriptors:
 *   - an eventfd the threads write to when they change their shared-memory state (their
 *     analogue of a VM exit: timer programming, a boost request, the unboost MSR write);
 *   - a timerfd armed at the earliest pending thread timer (the host hrtimer that emulates
 *     the guest's LAPIC timer) or throttle expiry.
 *
 * On every wakeup it walks the slots:
 *   - a thread timer that has expired is "injected": irq_pending is set and the thread is
 *     boosted before its own wakeup runs (boost on interrupt injection);
 *   - a boost held longer than --throttle-us is cut, and not re-granted until the thread
 *     clears its request (the series' cap on preempt-disabled boost time).
 * The lazy boost and the synchronous unboost are done by the threads themselves, in their own
 * context, as KVM does them in the vCPU thread at an exit. The slot lock (try-locked here)
 * keeps the two writers of a thread's policy from racing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "pvshm.h"

static int64_t now_mono(void) { return pv_clock_ns(CLOCK_MONOTONIC); }

static void die(const char *what) { pv_die("boost_agent", what); }

static int boost_policy = SCHED_RR;
static int boost_prio = 8;

static int set_policy(int tid, int boost)
{
	struct sched_param sp = { .sched_priority = boost ? boost_prio : 0 };
	if (sched_setscheduler(tid, boost ? boost_policy : SCHED_OTHER, &sp)) {
		if (errno == ESRCH)
			return -1; /* the thread has exited */
		die("sched_setscheduler");
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "shm", required_argument, 0, 's' },
		{ "efd", required_argument, 0, 'e' },
		{ "prio", required_argument, 0, 'p' },
		{ "policy", required_argument, 0, 'P' },
		{ "throttle-us", required_argument, 0, 'T' },
		{ "inject", required_argument, 0, 'i' },
		{ "agent-prio", required_argument, 0, 'A' },
		{ 0, 0, 0, 0 },
	};
	const char *path = NULL;
	int efd = -1, inject = 1, agent_prio = 50;
	int64_t throttle_ns = 3000000;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': path = optarg; break;
		case 'e': efd = atoi(optarg); break;
		case 'p': boost_prio = atoi(optarg); break;
		case 'P': boost_policy = strcmp(optarg, "fifo") ? SCHED_RR : SCHED_FIFO; break;
		case 'T': throttle_ns = (int64_t)(atof(optarg) * 1000); break;
		case 'i': inject = atoi(optarg); break;
		case 'A': agent_prio = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: boost_agent --shm PATH --efd FD [--prio 8] [--policy rr|fifo]"
					" [--throttle-us 3000] [--inject 0|1] [--agent-prio 50]\n");
			return 2;
		}
	}
	if (!path || efd < 0) {
		fprintf(stderr, "boost_agent: --shm and --efd are required\n");
		return 2;
	}
	/* Die with vcpu_like: an orphaned agent would wait forever. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL))
		die("prctl");
	int fd = open(path, O_RDWR);
	if (fd < 0)
		die("open shm");
	struct pv_shm *shm = mmap(NULL, sizeof *shm, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (shm == MAP_FAILED)
		die("mmap shm");
	close(fd);
	if (shm->magic != PVSHM_MAGIC || shm->nthreads < 1 || shm->nthreads > PVSHM_MAX_THREADS) {
		fprintf(stderr, "boost_agent: bad shared memory\n");
		return 2;
	}
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		fprintf(stderr, "boost_agent: mlockall failed (%s), continuing\n", strerror(errno));
	struct sched_param sp = { .sched_priority = agent_prio };
	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		die("sched_setscheduler (agent)");

	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (tfd < 0 || ep < 0)
		die("timerfd/epoll");
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = efd };
	if (epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev))
		die("epoll_ctl efd");
	ev.data.fd = tfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev))
		die("epoll_ctl tfd");

	const int n = shm->nthreads;
	int64_t armed = 0;
	atomic_store(&shm->agent_ready, 1);

	while (!atomic_load(&shm->stop)) {
		struct epoll_event evs[2];
		int ne = epoll_wait(ep, evs, 2, -1);
		if (ne < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		int64_t now = now_mono();
		uint64_t junk;
		for (int k = 0; k < ne; k++) {
			if (evs[k].data.fd == tfd) {
				if (read(tfd, &junk, sizeof junk) > 0 && armed) {
					uint64_t late = now > armed ? (uint64_t)(now - armed) : 0;
					atomic_fetch_add(&shm->agent_timer_wakeups, 1);
					atomic_fetch_add(&shm->agent_timer_late_sum_ns, late);
					if (late > atomic_load(&shm->agent_timer_late_max_ns))
						atomic_store(&shm->agent_timer_late_max_ns, late);
				}
			} else {
				while (read(efd, &junk, sizeof junk) > 0)
					;
			}
		}
		atomic_fetch_add(&shm->agent_wakeups, 1);

		int64_t next = INT64_MAX;
		for (int i = 0; i < n; i++) {
			struct pv_slot *s = &shm->slot[i];
			int tid = atomic_load(&s->tid);
			if (!tid)
				continue;
			int32_t z = 0;
			if (!atomic_compare_exchange_strong(&s->lock, &z, 1)) {
				/* The thread is changing its own state (maybe preempted meanwhile):
				 * never spin on it, look again shortly. */
				atomic_fetch_add(&shm->agent_trylock_retries, 1);
				if (now_mono() + 20000 < next)
					next = now_mono() + 20000;
				continue;
			}
			now = now_mono();
			int64_t t = atomic_load(&s->timer_ns);
			if (inject && t && now >= t) {
				/* Inject the timer interrupt and boost before the thread's own wakeup
				 * runs (boost on interrupt injection). */
				atomic_store(&s->timer_ns, 0);
				atomic_store(&s->irq_pending, 1);
				t = 0;
				if (!atomic_load(&s->boosted) && !atomic_load(&s->throttled) &&
				    set_policy(tid, 1) == 0) {
					atomic_store(&s->boost_since_ns, now);
					atomic_store(&s->boosted, 1);
					atomic_fetch_add(&s->boosts_inject, 1);
				}
			}
			int boosted = atomic_load(&s->boosted);
			int64_t since = atomic_load(&s->boost_since_ns);
			if (boosted && throttle_ns > 0 && now - since >= throttle_ns) {
				set_policy(tid, 0);
				atomic_store(&s->boosted, 0);
				atomic_store(&s->throttled, 1);
				atomic_fetch_add(&s->throttles, 1);
				atomic_fetch_add(&s->boosted_ns, (uint64_t)(now - since));
				boosted = 0;
			}
			atomic_store(&s->lock, 0);
			if (inject && t && t < next)
				next = t;
			if (boosted && throttle_ns > 0 && since + throttle_ns < next)
				next = since + throttle_ns;
		}
		struct itimerspec its = { 0 };
		if (next != INT64_MAX) {
			its.it_value.tv_sec = next / 1000000000LL;
			its.it_value.tv_nsec = next % 1000000000LL;
			armed = next;
		} else {
			armed = 0;
		}
		if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL))
			die("timerfd_settime");
	}
	/* Leave nobody boosted behind. */
	for (int i = 0; i < n; i++) {
		struct pv_slot *s = &shm->slot[i];
		if (atomic_load(&s->boosted) && atomic_load(&s->tid))
			set_policy(atomic_load(&s->tid), 0);
	}
	return 0;
}

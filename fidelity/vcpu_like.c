/*
 * vcpu_like: host threads that behave like vCPUs of an idle-ish guest with a periodic timer.
 *
 * Each thread loops: sleep until an absolute deadline (a vCPU halted, waiting for its timer
 * interrupt), measure how late it woke up (now - deadline: the host's wake-up latency),
 * run for a fixed amount of CPU time (guest work), then sleep until the next deadline.
 *
 * Modes (what the host does with the threads' scheduling policy):
 *   vanilla  SCHED_OTHER throughout.
 *   static   SCHED_RR/FIFO at a fixed priority for the whole run (what `chrt -r 8` does to
 *            every vCPU thread).
 *   dynamic  the series' protocol, carried out with a real agent process (boost_agent.c):
 *            - before sleeping, the thread publishes its timer deadline in shared memory and
 *              pokes the agent (a VM exit on timer programming: the host arms its hrtimer);
 *            - at the deadline the agent boosts the sleeping thread and marks the interrupt
 *              pending (boost on interrupt injection), so the wake-up itself runs as RT;
 *            - on wake the thread sets its boost request (latency-sensitive work running),
 *              so the boost is held while it works;
 *              if the injection did not boost it yet, it boosts itself (the lazy boost that
 *              KVM applies at the next exit, in the vCPU thread's own context);
 *            - when the work is done it clears the request and restores SCHED_OTHER itself
 *              before sleeping (the synchronous unboost: the MSR write exits and KVM
 *              unboosts in the vCPU thread before the guest runs on);
 *            - the agent cuts any boost held longer than the throttle (3 ms in the series).
 *
 * Output: one line per sample to --out: "<thread> <wake latency ns> <run stretch ns>", where
 * the run stretch is how much longer than --run-us the work took in wall time (time the thread
 * was preempted while working). A JSON summary goes to stdout.
 *
 * Build: cc -O2 -pthread -o vcpu_like vcpu_like.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "pvshm.h"

enum mode { M_VANILLA, M_STATIC, M_DYNAMIC };

static struct {
	int threads;
	int64_t period_ns;
	int64_t run_ns;
	double duration_s;
	int64_t warmup_ns;
	enum mode mode;
	int policy;
	int prio;
	int agent_prio;
	int64_t throttle_ns;
	int inject;
	int stagger;
	const char *out;
	const char *agent;
} cfg = {
	.threads = 2,
	.period_ns = 1000000,
	.run_ns = 200000,
	.duration_s = 5,
	.warmup_ns = 100000000,
	.mode = M_VANILLA,
	.policy = SCHED_RR,
	.prio = 8,          /* the series boosts to SCHED_RR priority 8; static mode uses the same */
	.agent_prio = 50,   /* above the boosted vCPUs, below cyclictest -p 80 runs */
	.throttle_ns = 3000000, /* pvsched_max_preempt_disabled_us = 3000 in the v1 series */
	.inject = 1,
	.stagger = 1,
	.out = "samples.txt",
	.agent = NULL,
};

struct sample { int64_t lat_ns; int64_t stretch_ns; };

struct thr {
	pthread_t pt;
	int idx;
	struct sample *s;
	size_t n, cap;
	uint64_t overruns;
};

static struct pv_shm *shm;
static int efd = -1;
static int64_t start_ns, end_ns;
static pthread_barrier_t barrier;

static int64_t now_mono(void) { return pv_clock_ns(CLOCK_MONOTONIC); }

static int64_t now_thread_cpu(void) { return pv_clock_ns(CLOCK_THREAD_CPUTIME_ID); }

static void die(const char *what) { pv_die("vcpu_like", what); }

/* The thread's analogue of a VM exit that the host has to look at. */
static void poke_agent(void)
{
	uint64_t one = 1;
	if (write(efd, &one, sizeof one) < 0 && errno != EAGAIN)
		die("eventfd write");
}

static void sleep_until(int64_t t)
{
	struct timespec ts = { .tv_sec = t / 1000000000LL, .tv_nsec = t % 1000000000LL };
	int r;
	while ((r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL)) == EINTR)
		;
	if (r) {
		errno = r;
		die("clock_nanosleep");
	}
}

/* Guest work: burn this much CPU time (not wall time), so preemption stretches it. */
static void run_for(int64_t cpu_ns)
{
	int64_t c0 = now_thread_cpu();
	while (now_thread_cpu() - c0 < cpu_ns)
		;
}

static void slot_lock(struct pv_slot *sl)
{
	int32_t z;
	for (;;) {
		z = 0;
		if (atomic_compare_exchange_weak(&sl->lock, &z, 1))
			return;
		__builtin_ia32_pause();
	}
}

static void slot_unlock(struct pv_slot *sl)
{
	atomic_store(&sl->lock, 0);
}

/* Cost of the policy changes the threads make on themselves (sim-core: setscheduler_ns).
 * Only boosts are timed: after an unboost the thread may be preempted at once by a hog
 * before the call returns, so its wall time is mostly waiting, not cost. */
static _Atomic uint64_t setsched_calls, setsched_ns;

static void set_self_policy(int boost)
{
	struct sched_param sp = { .sched_priority = boost ? cfg.prio : 0 };
	int64_t t0 = now_mono();
	if (sched_setscheduler(0, boost ? cfg.policy : SCHED_OTHER, &sp))
		die("sched_setscheduler (self)");
	if (boost) {
		atomic_fetch_add(&setsched_ns, (uint64_t)(now_mono() - t0));
		atomic_fetch_add(&setsched_calls, 1);
	}
}

static void *vcpu_thread(void *arg)
{
	struct thr *t = arg;
	struct pv_slot *sl = shm ? &shm->slot[t->idx] : NULL;

	if (cfg.mode == M_STATIC) {
		struct sched_param sp = { .sched_priority = cfg.prio };
		if (sched_setscheduler(0, cfg.policy, &sp))
			die("sched_setscheduler (static)");
	}
	if (sl)
		atomic_store(&sl->tid, (int32_t)syscall(SYS_gettid));
	pthread_barrier_wait(&barrier);

	int64_t next = start_ns + (cfg.stagger ? cfg.period_ns * t->idx / cfg.threads : 0);
	while (next < end_ns) {
		if (sl) {
			/* One exit: the work is over (synchronous unboost, in this thread's own
			 * context as KVM does on the unboost MSR write) and the next timer is
			 * programmed (the host arms an hrtimer: the agent's timerfd). */
			slot_lock(sl);
			atomic_store(&sl->request, 0);
			if (atomic_load(&sl->boosted)) {
				set_self_policy(0);
				atomic_store(&sl->boosted, 0);
				atomic_fetch_add(&sl->unboosts, 1);
				atomic_fetch_add(&sl->boosted_ns, (uint64_t)(now_mono() - atomic_load(&sl->boost_since_ns)));
			}
			atomic_store(&sl->throttled, 0);
			atomic_store(&sl->timer_ns, next);
			slot_unlock(sl);
			poke_agent();
		}
		sleep_until(next);
		int64_t woke = now_mono();
		if (sl) {
			/* Latency-sensitive work starts: the request is read at this "exit"; if the
			 * injection did not boost us already, boost now (lazy boost). */
			int poke = 0;
			slot_lock(sl);
			atomic_store(&sl->request, 1);
			/* The timer has fired and been delivered: nothing left for the agent to
			 * inject this period, even if its own timer is running late. */
			atomic_store(&sl->timer_ns, 0);
			atomic_store(&sl->irq_pending, 0);
			if (!atomic_load(&sl->boosted) && !atomic_load(&sl->throttled)) {
				set_self_policy(1);
				atomic_store(&sl->boost_since_ns, now_mono());
				atomic_store(&sl->boosted, 1);
				atomic_fetch_add(&sl->boosts_request, 1);
				poke = 1; /* the agent arms the throttle timer */
			}
			slot_unlock(sl);
			if (poke)
				poke_agent();
		}
		run_for(cfg.run_ns);
		int64_t done = now_mono();
		if (next >= start_ns + cfg.warmup_ns && t->n < t->cap) {
			t->s[t->n].lat_ns = woke - next;
			t->s[t->n].stretch_ns = (done - woke) - cfg.run_ns;
			t->n++;
		}
		next += cfg.period_ns;
		/* Like cyclictest: a deadline already in the past is skipped, not queued. */
		while (next <= done) {
			next += cfg.period_ns;
			t->overruns++;
		}
	}
	if (sl) {
		slot_lock(sl);
		atomic_store(&sl->request, 0);
		atomic_store(&sl->timer_ns, 0);
		if (atomic_load(&sl->boosted)) {
			set_self_policy(0);
			atomic_store(&sl->boosted, 0);
		}
		slot_unlock(sl);
		poke_agent();
	}
	return NULL;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vcpu_like [--threads N] [--period-us P] [--run-us R] [--duration-s D]\n"
		"                 [--warmup-ms W] [--mode vanilla|static|dynamic] [--policy rr|fifo]\n"
		"                 [--prio 8] [--agent PATH] [--agent-prio 50] [--throttle-us 3000]\n"
		"                 [--no-inject] [--no-stagger] [--out FILE]\n");
	exit(2);
}

static pid_t start_agent(const char *shm_path)
{
	char efd_s[16], prio_s[16], thr_s[32], pol_s[8], inj_s[4];
	snprintf(efd_s, sizeof efd_s, "%d", efd);
	snprintf(prio_s, sizeof prio_s, "%d", cfg.prio);
	snprintf(thr_s, sizeof thr_s, "%" PRId64, cfg.throttle_ns / 1000);
	snprintf(pol_s, sizeof pol_s, "%s", cfg.policy == SCHED_FIFO ? "fifo" : "rr");
	snprintf(inj_s, sizeof inj_s, "%d", cfg.inject);
	char agent_prio_s[16];
	snprintf(agent_prio_s, sizeof agent_prio_s, "%d", cfg.agent_prio);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execl(cfg.agent, cfg.agent, "--shm", shm_path, "--efd", efd_s, "--prio", prio_s,
		      "--policy", pol_s, "--throttle-us", thr_s, "--inject", inj_s,
		      "--agent-prio", agent_prio_s, (char *)NULL);
		fprintf(stderr, "vcpu_like: exec %s: %s\n", cfg.agent, strerror(errno));
		_exit(127);
	}
	return pid;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "threads", required_argument, 0, 't' },
		{ "period-us", required_argument, 0, 'p' },
		{ "run-us", required_argument, 0, 'r' },
		{ "duration-s", required_argument, 0, 'D' },
		{ "warmup-ms", required_argument, 0, 'w' },
		{ "mode", required_argument, 0, 'm' },
		{ "policy", required_argument, 0, 'P' },
		{ "prio", required_argument, 0, 'q' },
		{ "agent", required_argument, 0, 'a' },
		{ "agent-prio", required_argument, 0, 'A' },
		{ "throttle-us", required_argument, 0, 'T' },
		{ "no-inject", no_argument, 0, 'I' },
		{ "no-stagger", no_argument, 0, 'S' },
		{ "out", required_argument, 0, 'o' },
		{ 0, 0, 0, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': cfg.threads = atoi(optarg); break;
		case 'p': cfg.period_ns = (int64_t)(atof(optarg) * 1000); break;
		case 'r': cfg.run_ns = (int64_t)(atof(optarg) * 1000); break;
		case 'D': cfg.duration_s = atof(optarg); break;
		case 'w': cfg.warmup_ns = (int64_t)(atof(optarg) * 1000000); break;
		case 'm':
			if (!strcmp(optarg, "vanilla")) cfg.mode = M_VANILLA;
			else if (!strcmp(optarg, "static")) cfg.mode = M_STATIC;
			else if (!strcmp(optarg, "dynamic")) cfg.mode = M_DYNAMIC;
			else usage();
			break;
		case 'P':
			if (!strcmp(optarg, "rr")) cfg.policy = SCHED_RR;
			else if (!strcmp(optarg, "fifo")) cfg.policy = SCHED_FIFO;
			else usage();
			break;
		case 'q': cfg.prio = atoi(optarg); break;
		case 'a': cfg.agent = optarg; break;
		case 'A': cfg.agent_prio = atoi(optarg); break;
		case 'T': cfg.throttle_ns = (int64_t)(atof(optarg) * 1000); break;
		case 'I': cfg.inject = 0; break;
		case 'S': cfg.stagger = 0; break;
		case 'o': cfg.out = optarg; break;
		default: usage();
		}
	}
	if (cfg.threads < 1 || cfg.threads > PVSHM_MAX_THREADS || cfg.period_ns <= 0 ||
	    cfg.run_ns < 0 || cfg.run_ns >= cfg.period_ns || cfg.duration_s <= 0)
		usage();
	if (cfg.mode == M_DYNAMIC && !cfg.agent)
		usage();

	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		fprintf(stderr, "vcpu_like: mlockall failed (%s), continuing\n", strerror(errno));

	pid_t agent = 0;
	char shm_path[64] = "";
	if (cfg.mode == M_DYNAMIC) {
		snprintf(shm_path, sizeof shm_path, "/dev/shm/pvsched-fidelity-%d", (int)getpid());
		int fd = open(shm_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			die("open shm");
		if (ftruncate(fd, sizeof(struct pv_shm)))
			die("ftruncate shm");
		shm = mmap(NULL, sizeof(struct pv_shm), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (shm == MAP_FAILED)
			die("mmap shm");
		close(fd);
		memset(shm, 0, sizeof *shm);
		shm->magic = PVSHM_MAGIC;
		shm->nthreads = cfg.threads;
		efd = eventfd(0, EFD_NONBLOCK); /* inherited by the agent: no EFD_CLOEXEC */
		if (efd < 0)
			die("eventfd");
		agent = start_agent(shm_path);
		int64_t t0 = now_mono();
		while (!atomic_load(&shm->agent_ready)) {
			int st;
			if (waitpid(agent, &st, WNOHANG) == agent) {
				fprintf(stderr, "vcpu_like: boost agent exited early\n");
				unlink(shm_path);
				return 2;
			}
			if (now_mono() - t0 > 5000000000LL) {
				fprintf(stderr, "vcpu_like: boost agent not ready after 5 s\n");
				kill(agent, SIGKILL);
				unlink(shm_path);
				return 2;
			}
			usleep(1000);
		}
		/* Both sides have it mapped: nothing is left behind in /dev/shm if we are killed. */
		unlink(shm_path);
	}

	size_t cap = (size_t)(cfg.duration_s * 1e9 / cfg.period_ns) + 16;
	struct thr *th = calloc(cfg.threads, sizeof *th);
	pthread_barrier_init(&barrier, NULL, cfg.threads + 1);
	for (int i = 0; i < cfg.threads; i++) {
		th[i].idx = i;
		th[i].cap = cap;
		th[i].s = calloc(cap, sizeof(struct sample));
		if (!th[i].s)
			die("calloc");
		if (pthread_create(&th[i].pt, NULL, vcpu_thread, &th[i]))
			die("pthread_create");
	}
	/* Start one period from now so every thread is parked in its first sleep. */
	start_ns = now_mono() + cfg.period_ns + 5000000;
	end_ns = start_ns + (int64_t)(cfg.duration_s * 1e9);
	pthread_barrier_wait(&barrier);
	for (int i = 0; i < cfg.threads; i++)
		pthread_join(th[i].pt, NULL);

	if (agent) {
		atomic_store(&shm->stop, 1);
		poke_agent();
		int st;
		waitpid(agent, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "vcpu_like: boost agent failed (status %d)\n", st);
			return 2;
		}
	}

	FILE *f = fopen(cfg.out, "w");
	if (!f)
		die("open --out");
	size_t total = 0;
	uint64_t overruns = 0;
	for (int i = 0; i < cfg.threads; i++) {
		for (size_t k = 0; k < th[i].n; k++)
			fprintf(f, "%d %" PRId64 " %" PRId64 "\n", i, th[i].s[k].lat_ns, th[i].s[k].stretch_ns);
		total += th[i].n;
		overruns += th[i].overruns;
	}
	if (fclose(f))
		die("write --out");

	static const char *mode_names[] = { "vanilla", "static", "dynamic" };
	printf("{\"mode\":\"%s\",\"threads\":%d,\"period_us\":%.3f,\"run_us\":%.3f,"
	       "\"duration_s\":%.3f,\"samples\":%zu,\"overruns\":%" PRIu64,
	       mode_names[cfg.mode], cfg.threads, cfg.period_ns / 1e3, cfg.run_ns / 1e3,
	       cfg.duration_s, total, overruns);
	if (shm) {
		uint64_t bi = 0, br = 0, ub = 0, tr = 0, bns = 0;
		for (int i = 0; i < cfg.threads; i++) {
			bi += shm->slot[i].boosts_inject;
			br += shm->slot[i].boosts_request;
			ub += shm->slot[i].unboosts;
			tr += shm->slot[i].throttles;
			bns += shm->slot[i].boosted_ns;
		}
		uint64_t tw = shm->agent_timer_wakeups;
		printf(",\"agent\":{\"boosts_inject\":%" PRIu64 ",\"boosts_request\":%" PRIu64
		       ",\"unboosts\":%" PRIu64 ",\"throttles\":%" PRIu64 ",\"boosted_ns\":%" PRIu64
		       ",\"wakeups\":%" PRIu64 ",\"timer_wakeups\":%" PRIu64
		       ",\"timer_late_avg_ns\":%.1f,\"timer_late_max_ns\":%" PRIu64 ",\"trylock_retries\":%" PRIu64
		       ",\"self_boost_calls\":%" PRIu64 ",\"self_boost_avg_ns\":%.1f}",
		       bi, br, ub, tr, bns, (uint64_t)shm->agent_wakeups, tw,
		       tw ? (double)shm->agent_timer_late_sum_ns / tw : 0.0,
		       (uint64_t)shm->agent_timer_late_max_ns, (uint64_t)shm->agent_trylock_retries,
		       (uint64_t)setsched_calls, setsched_calls ? (double)setsched_ns / setsched_calls : 0.0);
	}
	printf("}\n");
	return 0;
}

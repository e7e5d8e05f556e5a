// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Ring core benchmark: two processes on a shared memfd ring with eventfds
 * standing in for event channels, against single-core memcpy, a UNIX
 * stream socketpair and TCP over loopback. Everything in one run, one
 * table, targets and ratios printed at the end.
 *
 * Sender = child, receiver = parent; the parent times from "go" to the
 * last byte. When at least two CPUs are allowed, the two processes are
 * pinned to different CPUs for every transport alike.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shm_ring.h"

#define CHUNK		(64u << 10)
#define MSG		64u
static unsigned int ring_order = 20;	/* 1 MiB per direction, the wire max */

enum kind { K_RING, K_UNIX, K_TCP };
static const char *const kind_name[] = { "tsmc ring", "UNIX stream", "TCP loopback" };

struct chan {
	enum kind kind;
	int fd[2];			/* sockets: parent end, child end */
	struct shm_ring shm[2];		/* ring 0: child->parent, 1: back */
	int efd[4];			/* r0 data, r0 space, r1 data, r1 space */
};

struct ep {				/* one endpoint */
	enum kind kind;
	int fd;
	struct shm_side tx, rx;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int cpus[2] = { -1, -1 };
static unsigned long rx_sleeps;		/* ring receiver sleeps, last run */

static void pin(int which)
{
	cpu_set_t set;

	if (cpus[which] < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpus[which], &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void find_cpus(void)
{
	cpu_set_t set;
	int i, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (i = 0; i < CPU_SETSIZE && n < 2; i++)
		if (CPU_ISSET(i, &set))
			cpus[n++] = i;
	if (n < 2)
		cpus[0] = cpus[1] = -1;
}

static void tcp_pair(int fd[2])
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int one = 1, l;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (void *)&a, &al))
		die("tcp listen");
	fd[1] = socket(AF_INET, SOCK_STREAM, 0);
	if (fd[1] < 0 || connect(fd[1], (void *)&a, sizeof(a)))
		die("tcp connect");
	fd[0] = accept(l, NULL, NULL);
	if (fd[0] < 0)
		die("tcp accept");
	close(l);
	setsockopt(fd[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void chan_open(struct chan *c, enum kind k)
{
	int i;

	memset(c, 0, sizeof(*c));
	c->kind = k;
	if (k == K_UNIX) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, c->fd))
			die("socketpair");
	} else if (k == K_TCP) {
		tcp_pair(c->fd);
	} else {
		for (i = 0; i < 2; i++)
			if (shm_ring_create(&c->shm[i], ring_order, 0))
				die("shm_ring_create");
		for (i = 0; i < 4; i++)
			if ((c->efd[i] = evt_create()) < 0)
				die("eventfd");
	}
}

static void chan_close(struct chan *c)
{
	int i;

	if (c->kind != K_RING) {
		close(c->fd[0]);
		close(c->fd[1]);
		return;
	}
	for (i = 0; i < 2; i++)
		shm_ring_destroy(&c->shm[i]);
	for (i = 0; i < 4; i++)
		close(c->efd[i]);
}

static void side_setup(struct shm_side *s, struct shm_ring *shm, bool prod,
		       int data_efd, int space_efd)
{
	memset(s, 0, sizeof(*s));
	if (tsmc_ring_init(&s->r, shm->idx, shm->data, shm->order, 0, prod))
		die("tsmc_ring_init");
	s->notify_efd = prod ? data_efd : space_efd;
	s->wait_efd = prod ? space_efd : data_efd;
	s->peerfd = -1;
	s->timeout_ms = 20000;
}

static void ep_open(struct ep *e, struct chan *c, bool child)
{
	e->kind = c->kind;
	if (c->kind != K_RING) {
		e->fd = c->fd[child];
		close(c->fd[!child]);
		return;
	}
	/* ring 0 carries child -> parent, ring 1 parent -> child */
	side_setup(&e->tx, &c->shm[!child], true, c->efd[2 * !child],
		   c->efd[2 * !child + 1]);
	side_setup(&e->rx, &c->shm[child], false, c->efd[2 * child],
		   c->efd[2 * child + 1]);
}

static void ep_send(struct ep *e, const void *buf, size_t len)
{
	const char *p = buf;

	if (e->kind == K_RING) {
		if (side_write_all(&e->tx, buf, len))
			die("ring write");
		return;
	}
	while (len) {
		ssize_t n = write(e->fd, p, len);

		if (n <= 0)
			die("write");
		p += n;
		len -= (size_t)n;
	}
}

static void ep_recv(struct ep *e, void *buf, size_t len)
{
	char *p = buf;

	if (e->kind == K_RING) {
		if (side_read_all(&e->rx, buf, len))
			die("ring read");
		return;
	}
	while (len) {
		ssize_t n = read(e->fd, p, len);

		if (n <= 0)
			die("read");
		p += n;
		len -= (size_t)n;
	}
}

enum test { T_STREAM, T_MSGS, T_PINGPONG };

/* Run one test over one transport; returns seconds for count units. */
static double run(enum kind k, enum test t, uint64_t count)
{
	static char buf[CHUNK];
	struct chan c;
	struct ep e;
	int go[2], st;
	double t0, t1;
	uint64_t i;
	pid_t pid;
	char g = 0;

	chan_open(&c, k);
	if (pipe(go))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		pin(1);
		ep_open(&e, &c, true);
		memset(buf, 0x11, sizeof(buf));
		if (read(go[0], &g, 1) != 1)
			_exit(2);
		for (i = 0; i < count; i++) {
			if (t == T_STREAM) {
				ep_send(&e, buf, CHUNK);
			} else if (t == T_MSGS) {
				ep_send(&e, buf, MSG);
			} else {
				ep_recv(&e, buf, MSG);
				ep_send(&e, buf, MSG);
			}
		}
		_exit(0);
	}
	pin(0);
	ep_open(&e, &c, false);
	if (write(go[1], &g, 1) != 1)
		die("go");
	t0 = now();
	for (i = 0; i < count; i++) {
		if (t == T_STREAM) {
			ep_recv(&e, buf, CHUNK);
		} else if (t == T_MSGS) {
			ep_recv(&e, buf, MSG);
		} else {
			ep_send(&e, buf, MSG);
			ep_recv(&e, buf, MSG);
		}
	}
	t1 = now();
	rx_sleeps = e.rx.sleeps;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st)) {
		fprintf(stderr, "%s: sender failed\n", kind_name[k]);
		exit(1);
	}
	close(go[0]);
	close(go[1]);
	if (k != K_RING)
		close(e.fd);
	chan_close(&c);
	return t1 - t0;
}

/* Single-core memcpy of the same 64 KiB chunks, through a ring-sized
 * source window as the consumer's copy-out sees it.
 */
static double run_memcpy(uint64_t count)
{
	size_t win = (size_t)1 << ring_order;
	char *src = malloc(win), *dst = malloc(CHUNK);
	volatile char sink;
	double t0, t1;
	uint64_t i;

	if (!src || !dst)
		die("malloc");
	memset(src, 0x22, win);
	memset(dst, 0, CHUNK);
	pin(0);
	t0 = now();
	for (i = 0; i < count; i++) {
		memcpy(dst, src + (i * CHUNK) % win, CHUNK);
		__asm__ volatile("" : : "r"(dst) : "memory");
	}
	t1 = now();
	sink = dst[CHUNK - 1];
	(void)sink;
	free(src);
	free(dst);
	return t1 - t0;
}

static uint64_t arg_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || !v) {
		fprintf(stderr, "bench_ring: bad %s '%s' (positive integer)\n",
			what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	/* -s scale: 1 = default sizes; more = longer, steadier figures */
	uint64_t scale = 1, chunks, ring_msgs, sock_msgs, rtts;
	double gb, s_mem, s_ring, s_unix, s_tcp, m_ring, m_unix, m_tcp;
	double r_ring, r_unix, r_tcp;
	unsigned long sl_stream, sl_msgs;
	const char *ring_only = NULL;
	int k, opt;

	while ((opt = getopt(argc, argv, "s:o:r:")) != -1) {
		if (opt == 's') {
			scale = arg_u64(optarg, "scale");
		} else if (opt == 'o') {
			ring_order = (unsigned int)arg_u64(optarg, "order");
			if (ring_order < TSMC_RING_ORDER_MIN ||
			    ring_order > TSMC_RING_ORDER_MAX) {
				fprintf(stderr, "bench_ring: order must be %d..%d\n",
					TSMC_RING_ORDER_MIN, TSMC_RING_ORDER_MAX);
				return 2;
			}
		} else if (opt == 'r') {
			ring_only = optarg;	/* for perf record and A/B runs */
			if (strcmp(optarg, "stream") && strcmp(optarg, "msgs") &&
			    strcmp(optarg, "both")) {
				fprintf(stderr, "bench_ring: -r stream|msgs|both\n");
				return 2;
			}
		} else {
			fprintf(stderr, "usage: bench_ring [-s scale] [-o ring order] [-r stream|msgs|both (ring rows only)]\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "bench_ring: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	chunks = 8192 * scale;			/* 512 MiB per stream run */
	ring_msgs = 4000000 * scale;
	sock_msgs = 400000 * scale;
	rtts = 10000 * scale;
	gb = chunks * (double)CHUNK / 1e9;
	signal(SIGPIPE, SIG_IGN);
	find_cpus();
	printf("tsmc ring benchmark: %s, ring %u KiB/direction, eventfd events\n",
	       cpus[0] >= 0 ? "sender and receiver pinned to 2 CPUs" :
	       "one CPU allowed, not pinned", (1u << ring_order) >> 10);

	if (ring_only) {
		if (strcmp(ring_only, "msgs"))
			printf("tsmc ring 64KiB stream: %.2f GB/s\n",
			       gb / run(K_RING, T_STREAM, chunks));
		if (strcmp(ring_only, "stream"))
			printf("tsmc ring 64B msgs: %.2f M/s\n", ring_msgs /
			       run(K_RING, T_MSGS, ring_msgs) / 1e6);
		return 0;
	}
	s_mem = gb / run_memcpy(chunks);
	s_ring = gb / run(K_RING, T_STREAM, chunks);
	sl_stream = rx_sleeps;
	s_unix = gb / run(K_UNIX, T_STREAM, chunks);
	s_tcp = gb / run(K_TCP, T_STREAM, chunks);
	m_ring = ring_msgs / run(K_RING, T_MSGS, ring_msgs) / 1e6;
	sl_msgs = rx_sleeps;
	m_unix = sock_msgs / run(K_UNIX, T_MSGS, sock_msgs) / 1e6;
	m_tcp = sock_msgs / run(K_TCP, T_MSGS, sock_msgs) / 1e6;
	r_ring = run(K_RING, T_PINGPONG, rtts) / rtts * 1e6;
	r_unix = run(K_UNIX, T_PINGPONG, rtts) / rtts * 1e6;
	r_tcp = run(K_TCP, T_PINGPONG, rtts) / rtts * 1e6;

	printf("\n%-14s %16s %16s %18s\n", "transport",
	       "64KiB stream GB/s", "64B msgs M/s", "64B ping-pong us");
	printf("%-14s %16.2f %16s %18s\n", "memcpy 1 core", s_mem, "-", "-");
	for (k = 0; k < 3; k++) {
		double s = k == 0 ? s_ring : k == 1 ? s_unix : s_tcp;
		double m = k == 0 ? m_ring : k == 1 ? m_unix : m_tcp;
		double r = k == 0 ? r_ring : k == 1 ? r_unix : r_tcp;

		printf("%-14s %16.2f %16.2f %18.2f\n", kind_name[k], s, m, r);
	}
	printf("ring receiver slept %lu times in %llu chunks, %lu times in "
	       "%llu messages\n", sl_stream, (unsigned long long)chunks,
	       sl_msgs, (unsigned long long)ring_msgs);
	printf("\ntargets (same run):\n");
	printf("  stream ring/memcpy = %.2f (target >= 0.50): %s\n",
	       s_ring / s_mem, s_ring / s_mem >= 0.5 ? "met" : "MISSED");
	printf("  stream ring/UNIX   = %.2f (target >= 1.50): %s\n",
	       s_ring / s_unix, s_ring / s_unix >= 1.5 ? "met" : "MISSED");
	printf("  64B msgs ring/TCP  = %.2f (target >= 3.00): %s\n",
	       m_ring / m_tcp, m_ring / m_tcp >= 3.0 ? "met" : "MISSED");
	printf("  ping-pong RTT ring/UNIX = %.2f, ring/TCP = %.2f (no target)\n",
	       r_ring / r_unix, r_ring / r_tcp);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Overhead of the tsmc sockops program on connection setup: rate of
 * connect + accept + close over loopback, without and with two tsmc-bpf
 * instances attached (client and server in different cgroups, same host
 * tag, so every connection takes the full path: option on SYN and SYN-ACK,
 * candidate on both sides, two ring buffer events). Rounds alternate
 * between the two; each round runs in a fresh network namespace so that
 * TIME_WAIT sockets of one round do not slow the next.
 * Usage: bench_connect LOADER [CONNS_PER_ROUND [ROUNDS]]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tsmc_bpf.h"

static const char *loader;
static char cg_root[256], cg_orig[1300], cg[2][600], pin[2][128];

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0) {
		n = write(fd, s, strlen(s));
		close(fd);
	}
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static int join_cgroup(const char *dir)
{
	char path[1400];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	return write_str(path, "0");
}

static int find_cgroups(void)
{
	char line[1024], dev[256], dir[256], type[64];
	FILE *f = fopen("/proc/self/mounts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %255s %63s", dev, dir, type) == 3 &&
		    strcmp(type, "cgroup2") == 0 && !cg_root[0])
			snprintf(cg_root, sizeof(cg_root), "%s", dir);
	fclose(f);
	f = fopen("/proc/self/cgroup", "r");
	if (!f)
		return -1;
	while (fgets(line, 512, f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(cg_orig, sizeof(cg_orig), "%s%s", cg_root,
				 line + 3);
		}
	fclose(f);
	return cg_root[0] && cg_orig[0] ? 0 : -1;
}

static int run_loader(int side, bool attach)
{
	char domid[16];
	pid_t pid;
	int st;

	snprintf(domid, sizeof(domid), "%d", side + 1);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		if (devnull >= 0)
			dup2(devnull, STDOUT_FILENO);
		if (attach)
			execl(loader, loader, "--cgroup", cg[side], "--pin-dir",
			      pin[side], "--domid", domid, "--host-tag",
			      "5453000000000b0b", "--doorbell", "ringbuf",
			      (char *)NULL);
		else
			execl(loader, loader, "--detach", "--pin-dir", pin[side],
			      (char *)NULL);
		_exit(127);
	}
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* A fresh netns with lo up: no TIME_WAIT left over from the last round. */
static int fresh_netns(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd, err;

	if (unshare(CLONE_NEWNET))
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	err = ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	err = err ? err : ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return err;
}

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Connections per second of wall time and of this process's CPU time. */
struct rate {
	double wall, cpu;
};

static int drain(struct ring_buffer *rb)
{
	return rb ? ring_buffer__consume(rb) : 0;
}

static int count_event(void *ctx, void *data, size_t len)
{
	(void)data;
	(void)len;
	(*(long *)ctx)++;
	return 0;
}

/*
 * One round: n connections, server in cg[server_side]; < 0 on error.
 * Loopback does all the work, both TCP ends included, in this process
 * (softirqs run on its syscalls' exit), so its CPU time is the cost of
 * the connections; the wall time also counts other tenants of the machine.
 */
static int round_rate(int n, int server_side, struct ring_buffer *rb[2],
		      struct rate *out)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int lfd, c, s, i, one = 1;
	double t0, t1, c0, c1;

	if (fresh_netns() || join_cgroup(cg[server_side]))
		return -1;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one,
				  sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 128) ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen) || join_cgroup(cg[0]))
		return -1;
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < n; i++) {
		c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)))
			return -1;
		s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (s < 0)
			return -1;
		close(c);
		close(s);
		if ((i & 1023) == 1023 && (drain(rb[0]) < 0 || drain(rb[1]) < 0))
			return -1;
	}
	t1 = now(CLOCK_MONOTONIC);
	c1 = now(CLOCK_PROCESS_CPUTIME_ID);
	close(lfd);
	join_cgroup(cg_orig);
	out->wall = n / (t1 - t0);
	out->cpu = n / (c1 - c0);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static __u64 stat_sum(int side, __u32 idx)
{
	int ncpu = libbpf_num_possible_cpus(), fd, j;
	__u64 vals[1024], sum = 0;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", pin[side], TSMC_PIN_STATS);
	fd = bpf_obj_get(path);
	if (fd < 0 || ncpu <= 0 || ncpu > 1024 ||
	    bpf_map_lookup_elem(fd, &idx, vals))
		sum = 0;
	else
		for (j = 0; j < ncpu; j++)
			sum += vals[j];
	if (fd >= 0)
		close(fd);
	return sum;
}

static int open_events(int side, long *count, struct ring_buffer **rb)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin[side], TSMC_PIN_EVENTS);
	fd = bpf_obj_get(path);
	*rb = fd < 0 ? NULL : ring_buffer__new(fd, count_event, count, NULL);
	return *rb ? 0 : -1;
}

/*
 * One scenario: `sides` instances attached (1: client and server in the
 * same cgroup, as loopback inside one guest; 2: two "domains"). Prints the
 * medians and the ratio; checks the program really ran on every
 * connection. Returns 0 on success.
 */
static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int scenario(const char *title, int sides, int n, int rounds)
{
	__u64 want_cand = sides == 2 ? 2ull * (__u64)n * (__u64)rounds : 0;
	__u64 want_syn = (__u64)n * (__u64)rounds, cand = 0, syn = 0;
	double off_w[64], on_w[64], off_c[64], on_c[64], rw[64], rc[64];
	long events = 0;
	int r, i;

	for (r = 0; r < rounds; r++) {
		struct ring_buffer *rb[2] = { NULL, NULL };
		struct rate off, on;
		int err;

		err = round_rate(n, sides - 1, rb, &off);
		for (i = 0; i < sides && !err; i++)
			err = run_loader(i, true) || open_events(i, &events,
								 &rb[i]);
		err = err ? err : round_rate(n, sides - 1, rb, &on);
		for (i = 0; i < sides; i++) {
			drain(rb[i]);
			cand += stat_sum(i, TSMC_ST_CANDIDATE);
			syn += stat_sum(i, TSMC_ST_OPT_SENT_SYN);
			ring_buffer__free(rb[i]);
			run_loader(i, false);
		}
		if (err) {
			fprintf(stderr, "Error: %s: round %d failed: %s\n", title,
				r, strerror(errno));
			return -1;
		}
		off_w[r] = off.wall;
		off_c[r] = off.cpu;
		on_w[r] = on.wall;
		on_c[r] = on.cpu;
		/* paired: the two halves of a round ran back to back */
		rw[r] = on.wall / off.wall;
		rc[r] = on.cpu / off.cpu;
	}
	if (cand != want_cand || (__u64)events != want_cand || syn != want_syn) {
		fprintf(stderr, "Error: %s: expected %llu options on SYN, %llu "
			"candidates and events; got %llu, %llu, %ld\n", title,
			(unsigned long long)want_syn,
			(unsigned long long)want_cand, (unsigned long long)syn,
			(unsigned long long)cand, events);
		return -1;
	}
	printf("%s (median of %d rounds x %d conns):\n", title, rounds, n);
	printf("  per wall second: without %.0f, with %.0f conn/s, "
	       "median paired ratio %.3f\n", median(off_w, rounds),
	       median(on_w, rounds), median(rw, rounds));
	printf("  per CPU second:  without %.0f, with %.0f conn/s, "
	       "median paired ratio %.3f (target >= 0.95)\n",
	       median(off_c, rounds), median(on_c, rounds), median(rc, rounds));
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 3000;
	int rounds = argc > 3 ? atoi(argv[3]) : 15;
	int i, err = 1;

	if (argc < 2 || n <= 0 || n > 25000 || rounds <= 0 || rounds > 64) {
		fprintf(stderr, "usage: bench_connect LOADER [CONNS 1..25000 "
			"[ROUNDS 1..64]]\n");
		return 2;
	}
	loader = argv[1];
	if (find_cgroups()) {
		fprintf(stderr, "Error: no cgroup v2 mounted\n");
		return 1;
	}
	for (i = 0; i < 2; i++) {
		snprintf(cg[i], sizeof(cg[i]), "%s/tsmc-bench-%d-%c", cg_root,
			 (int)getpid(), 'a' + i);
		snprintf(pin[i], sizeof(pin[i]), "/sys/fs/bpf/tsmc-bench-%d-%c",
			 (int)getpid(), 'a' + i);
		if (mkdir(cg[i], 0755)) {
			perror("mkdir cgroup");
			goto out;
		}
	}
	printf("connect+accept+close over loopback\n");
	if (scenario("one guest (option on SYN, no answer: own domid)", 1, n,
		     rounds) ||
	    scenario("two domains, same host tag (full path, 2 events/conn)",
		     2, n, rounds))
		goto out;
	err = 0;
out:
	join_cgroup(cg_orig);
	for (i = 0; i < 2; i++)
		rmdir(cg[i]);
	return err;
}

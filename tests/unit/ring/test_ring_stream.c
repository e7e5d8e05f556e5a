// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Ring core across two processes: a memfd mapping mapped separately by
 * each, eventfds as event channels, pidfds to notice a dead peer.
 * Streams random-sized writes and reads, checks every byte against the
 * generator and a checksum reported by the producer, and exercises EOF,
 * error, close and peer death. A lost wakeup shows up as a timeout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "shm_ring.h"

#define WAIT_MS		10000
#define FOREVER		UINT64_MAX

/* Byte i of the test stream: cheap, position-determined. */
static uint8_t stream_byte(uint64_t i)
{
	uint64_t z = (i >> 3) + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (uint8_t)(z >> ((i & 7) * 8));
}

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

#define FNV_INIT 0xcbf29ce484222325ULL

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

struct env {
	struct shm_ring shm;
	int data_efd;	/* producer -> consumer */
	int space_efd;	/* consumer -> producer */
	int report[2];	/* child -> parent: checksum, count */
	int hold[2];	/* parent -> child: "you may exit" (EOF on close) */
};

static int env_setup(struct env *e, unsigned int order, uint32_t start)
{
	if (shm_ring_create(&e->shm, order, start) < 0)
		return -1;
	e->data_efd = evt_create();
	e->space_efd = evt_create();
	if (e->data_efd < 0 || e->space_efd < 0 || pipe(e->report) < 0 ||
	    pipe(e->hold) < 0)
		return -1;
	return 0;
}

static void env_teardown(struct env *e)
{
	shm_ring_destroy(&e->shm);
	close(e->data_efd);
	close(e->space_efd);
	close(e->report[0]);
	close(e->report[1]);
	close(e->hold[0]);
	close(e->hold[1]);
}

/* Child: map the ring again and become one side. */
static void child_side(struct env *e, struct shm_side *s, bool producer,
		       uint32_t start)
{
	struct shm_ring mine = e->shm;

	shm_ring_unmap(&e->shm);	/* drop the inherited mapping */
	if (shm_ring_remap(&mine) < 0)
		_exit(90);
	memset(s, 0, sizeof(*s));
	if (tsmc_ring_init(&s->r, mine.idx, mine.data, mine.order, start,
			   producer))
		_exit(91);
	s->notify_efd = producer ? e->data_efd : e->space_efd;
	s->wait_efd = producer ? e->space_efd : e->data_efd;
	s->peerfd = peer_pidfd(getppid());
	s->timeout_ms = WAIT_MS;
	close(e->report[0]);
	close(e->hold[1]);
}

static void parent_side(struct env *e, struct shm_side *s, bool producer,
			uint32_t start, pid_t child)
{
	memset(s, 0, sizeof(*s));
	CHECK_EQ(tsmc_ring_init(&s->r, e->shm.idx, e->shm.data, e->shm.order,
				start, producer), 0);
	s->notify_efd = producer ? e->data_efd : e->space_efd;
	s->wait_efd = producer ? e->space_efd : e->data_efd;
	s->peerfd = peer_pidfd(child);
	CHECK(s->peerfd >= 0);
	s->timeout_ms = WAIT_MS;
	close(e->report[1]);
	e->report[1] = -1;
	close(e->hold[0]);
	e->hold[0] = -1;
}

/* Produce bytes [0, total) in random chunks (0 included). */
static int produce(struct shm_side *s, uint64_t total, size_t max_chunk,
		   uint64_t seed, uint64_t *sum)
{
	uint8_t *buf = malloc(max_chunk + 1);
	uint64_t pos = 0, rs = seed | 1;
	int err = 0;

	*sum = FNV_INIT;
	while (!err && pos < total) {
		size_t n = xs(&rs) % (max_chunk + 1), k;

		if (n > total - pos)
			n = total - pos;
		for (k = 0; k < n; k++)
			buf[k] = stream_byte(pos + k);
		err = side_write_all(s, buf, n);
		if (!err) {
			*sum = fnv(*sum, buf, n);
			pos += n;
		}
	}
	free(buf);
	return err;
}

/*
 * Consume and verify until EOF, error or limit bytes (0 = no limit).
 * Returns 0 at EOF/limit or the error. *got is the stream position on
 * entry (bytes already verified) and is advanced; limit counts from 0.
 */
static int consume(struct shm_side *s, uint64_t limit, size_t max_chunk,
		   uint64_t seed, uint64_t *got, uint64_t *sum, int *bad)
{
	uint8_t *buf = malloc(max_chunk + 1);
	uint64_t rs = seed | 1;
	int n = 0;

	*sum = FNV_INIT;
	*bad = 0;
	while (!limit || *got < limit) {
		size_t want = 1 + xs(&rs) % max_chunk, k;

		if (limit && want > limit - *got)
			want = limit - *got;
		n = side_read(s, buf, want);
		if (n <= 0)
			break;
		for (k = 0; k < (size_t)n; k++)
			if (buf[k] != stream_byte(*got + k))
				(*bad)++;
		*sum = fnv(*sum, buf, (size_t)n);
		*got += (uint64_t)n;
	}
	free(buf);
	return n < 0 ? n : 0;
}

static int reap(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* Full stream to EOF; checksum and count cross-checked with the child. */
static void run_stream(unsigned int order, uint32_t start, uint64_t total,
		       size_t wchunk, size_t rchunk)
{
	struct env e;
	struct shm_side s;
	uint64_t got = 0, sum, rep[2] = { 0, 0 };
	int bad, err;
	pid_t pid;

	CHECK_EQ(env_setup(&e, order, start), 0);
	pid = fork();
	if (pid == 0) {
		uint64_t csum;

		child_side(&e, &s, true, start);
		err = produce(&s, total, wchunk, 42, &csum);
		tsmc_ring_set_eof(&s.r);
		evt_notify(s.notify_efd);
		rep[0] = csum;
		rep[1] = s.sleeps;
		if (write(e.report[1], rep, sizeof(rep)) != sizeof(rep))
			_exit(92);
		_exit(err ? 1 : 0);
	}
	parent_side(&e, &s, false, start, pid);
	err = consume(&s, 0, rchunk, 7, &got, &sum, &bad);
	CHECK_EQ(err, 0);
	CHECK_EQ(bad, 0);
	CHECK_EQ(got, total);
	CHECK(tsmc_ring_eof(&s.r));
	CHECK_EQ(read(e.report[0], rep, sizeof(rep)), sizeof(rep));
	CHECK(rep[0] == sum);
	CHECK_EQ(reap(pid), 0);
	printf("     order %u start %#x: %llu bytes, consumer slept %lu, "
	       "producer slept %llu\n", order, start,
	       (unsigned long long)got, s.sleeps, (unsigned long long)rep[1]);
	close(s.peerfd);
	env_teardown(&e);
}

static void test_stream_page_ring(void)
{
	run_stream(12, 0, 8u << 20, 10000, 7000);
}

static void test_stream_tiny_ring_across_2_32(void)
{
	run_stream(4, 0xffffff00u, 256u << 10, 40, 40);
}

static void test_stream_huge_writes_across_2_32(void)
{
	/* writes and reads far larger than the 1 MiB ring */
	run_stream(20, 0xfff00000u, 48u << 20, 3u << 20, 5u << 20);
}

static void test_stream_zero_bytes_then_eof(void)
{
	run_stream(12, 0x12345678u, 0, 100, 100);
}

static void test_producer_error_midstream(void)
{
	struct env e;
	struct shm_side s;
	uint64_t got = 0, sum;
	struct pollfd pp;
	int bad, err;
	char c;
	pid_t pid;

	CHECK_EQ(env_setup(&e, 12, 0xfffff000u), 0);
	pid = fork();
	if (pid == 0) {
		child_side(&e, &s, true, 0xfffff000u);
		err = produce(&s, 100000, 3000, 5, &sum);
		tsmc_ring_set_error(&s.r);
		evt_notify(s.notify_efd);
		/* stay alive: the parent must see the flag, not our death */
		if (read(e.hold[0], &c, 1) < 0)
			_exit(93);
		_exit(err ? 1 : 0);
	}
	parent_side(&e, &s, false, 0xfffff000u, pid);
	err = consume(&s, 0, 5000, 3, &got, &sum, &bad);
	CHECK_EQ(err, -ECONNRESET);
	CHECK_EQ(bad, 0);
	CHECK(got <= 100000);
	pp.fd = s.peerfd;
	pp.events = POLLIN;
	CHECK_EQ(poll(&pp, 1, 0), 0);	/* producer still alive */
	close(e.hold[1]);
	e.hold[1] = -1;
	CHECK_EQ(reap(pid), 0);
	close(s.peerfd);
	env_teardown(&e);
}

static void test_producer_killed_midstream(void)
{
	struct env e;
	struct shm_side s;
	uint64_t got = 0, sum;
	int bad, err;
	pid_t pid;

	CHECK_EQ(env_setup(&e, 12, 0), 0);
	pid = fork();
	if (pid == 0) {
		child_side(&e, &s, true, 0);
		produce(&s, FOREVER, 3000, 9, &sum);
		_exit(1);
	}
	parent_side(&e, &s, false, 0, pid);
	err = consume(&s, 1u << 20, 5000, 3, &got, &sum, &bad);
	CHECK_EQ(err, 0);
	CHECK_EQ(got, 1u << 20);
	CHECK_EQ(kill(pid, SIGKILL), 0);
	/* keep reading: buffered bytes are fine, then the death is seen */
	err = consume(&s, 0, 5000, 3, &got, &sum, &bad);
	CHECK_EQ(err, -ECONNRESET);
	CHECK_EQ(bad, 0);
	CHECK_EQ(reap(pid), 128 + SIGKILL);
	close(s.peerfd);
	env_teardown(&e);
}

static void test_consumer_killed_midstream(void)
{
	struct env e;
	struct shm_side s;
	uint64_t got = 0, sum;
	int bad, err;
	pid_t pid;

	CHECK_EQ(env_setup(&e, 12, 0), 0);
	pid = fork();
	if (pid == 0) {
		child_side(&e, &s, false, 0);
		consume(&s, 65536, 1000, 1, &got, &sum, &bad);
		raise(SIGKILL);
		_exit(1);
	}
	parent_side(&e, &s, true, 0, pid);
	/* until the death is seen */
	err = produce(&s, FOREVER, 3000, 9, &sum);
	CHECK_EQ(err, -ECONNRESET);
	CHECK_EQ(reap(pid), 128 + SIGKILL);
	close(s.peerfd);
	env_teardown(&e);
}

static void test_consumer_close_gives_epipe(void)
{
	struct env e;
	struct shm_side s;
	uint64_t got = 0, sum;
	int bad, err;
	char c;
	pid_t pid;

	CHECK_EQ(env_setup(&e, 12, 0), 0);
	pid = fork();
	if (pid == 0) {
		child_side(&e, &s, false, 0);
		err = consume(&s, 65536, 1000, 1, &got, &sum, &bad);
		tsmc_ring_set_closed(&s.r);
		evt_notify(s.notify_efd);
		if (read(e.hold[0], &c, 1) < 0)
			_exit(93);
		_exit(err || bad ? 1 : 0);
	}
	parent_side(&e, &s, true, 0, pid);
	err = produce(&s, FOREVER, 3000, 9, &sum);
	CHECK_EQ(err, -EPIPE);
	close(e.hold[1]);
	e.hold[1] = -1;
	CHECK_EQ(reap(pid), 0);
	close(s.peerfd);
	env_teardown(&e);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	RUN(test_stream_page_ring);
	RUN(test_stream_tiny_ring_across_2_32);
	RUN(test_stream_huge_writes_across_2_32);
	RUN(test_stream_zero_bytes_then_eof);
	RUN(test_producer_error_midstream);
	RUN(test_producer_killed_midstream);
	RUN(test_consumer_killed_midstream);
	RUN(test_consumer_close_gives_epipe);
	return CHECK_SUMMARY();
}

// SPDX-License-Identifier: GPL-2.0 OR MIT
/* memfd mapping + eventfd + pidfd plumbing for the ring tests. */
#define _GNU_SOURCE
#include "shm_ring.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int shm_ring_create(struct shm_ring *s, unsigned int order, uint32_t start)
{
	memset(s, 0, sizeof(*s));
	s->memfd = memfd_create("tsmc-ring", MFD_CLOEXEC);
	if (s->memfd < 0)
		return -errno;
	s->order = order;
	s->len = SHM_RING_DATA_OFF + ((size_t)1 << order);
	if (ftruncate(s->memfd, (off_t)s->len) < 0) {
		int err = -errno;

		close(s->memfd);
		return err;
	}
	if (shm_ring_remap(s) < 0) {
		close(s->memfd);
		return -ENOMEM;
	}
	tsmc_ring_format(s->idx, start);
	return 0;
}

int shm_ring_remap(struct shm_ring *s)
{
	void *m = mmap(NULL, s->len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       s->memfd, 0);

	if (m == MAP_FAILED)
		return -errno;
	s->map = m;
	s->idx = m;
	s->data = (char *)m + SHM_RING_DATA_OFF;
	return 0;
}

void shm_ring_unmap(struct shm_ring *s)
{
	if (s->map)
		munmap(s->map, s->len);
	s->map = NULL;
}

void shm_ring_destroy(struct shm_ring *s)
{
	shm_ring_unmap(s);
	if (s->memfd >= 0)
		close(s->memfd);
	s->memfd = -1;
}

int evt_create(void)
{
	return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

void evt_notify(int efd)
{
	uint64_t one = 1;

	/* EAGAIN only when the counter is saturated: still a pending event. */
	if (write(efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		perror("eventfd write");
}

int evt_wait(int efd, int peerfd, int timeout_ms)
{
	struct pollfd p[2] = {
		{ .fd = efd, .events = POLLIN },
		{ .fd = peerfd, .events = POLLIN },
	};
	uint64_t v;
	int n;

	do {
		n = poll(p, peerfd >= 0 ? 2 : 1, timeout_ms);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	/*
	 * The peer notifies before it exits, so an event that was sent is
	 * seen here first: a dead peer's last bytes are not lost.
	 */
	if (p[0].revents & POLLIN) {
		if (read(efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			return -errno;
		return 1;
	}
	return 0;
}

int peer_pidfd(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int side_sleep(struct shm_side *s)
{
	int w = evt_wait(s->wait_efd, s->peerfd, s->timeout_ms);

	if (w == 0)
		tsmc_ring_set_peer_gone(&s->r);
	if (w >= 0)
		s->sleeps++;
	return w < 0 ? w : 0;
}

int side_write_all(struct shm_side *s, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		bool notify;
		int n = tsmc_ring_write(&s->r, p, len, &notify);

		if (n < 0)
			return n;
		if (notify)
			evt_notify(s->notify_efd);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		/* full: ask for room for the rest (clamped to size) */
		n = tsmc_ring_prod_arm(&s->r, len > UINT32_MAX ?
				       UINT32_MAX : (uint32_t)len);
		if (n < 0)
			return n;
		if (n == 0) {
			n = side_sleep(s);
			if (n < 0)
				return n;
		}
	}
	return 0;
}

int side_read(struct shm_side *s, void *buf, size_t len)
{
	for (;;) {
		bool notify;
		int n = tsmc_ring_read(&s->r, buf, len, &notify);

		if (notify)
			evt_notify(s->notify_efd);
		if (n != 0 || tsmc_ring_eof(&s->r) || !len)
			return n;
		n = tsmc_ring_cons_arm(&s->r);
		if (n < 0)
			return n;
		if (n == 0) {
			n = side_sleep(s);
			if (n < 0)
				return n;
		}
	}
}

int side_read_all(struct shm_side *s, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		int n = side_read(s, p, len);

		if (n < 0)
			return n;
		if (n == 0)
			return -ENODATA;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

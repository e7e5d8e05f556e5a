/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Userspace stand-in for what the module gets from Xen: a ring's shared
 * pages (a memfd mapping, possibly at another address in another process)
 * and an event channel (an eventfd). Used by the two-process tests and the
 * benchmark.
 */
#ifndef TSMC_TEST_SHM_RING_H
#define TSMC_TEST_SHM_RING_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <stdbool.h>

#include "tsmc_xen/ring.h"

/* Index block in page 0, data area from page 1 on, like a granted ring. */
#define SHM_RING_DATA_OFF	4096

struct shm_ring {
	int	memfd;
	size_t	len;
	void	*map;
	struct tsmc_ring_idx *idx;
	void	*data;
	unsigned int order;
};

/* Create, map and format a ring of 1 << order data bytes. */
int shm_ring_create(struct shm_ring *s, unsigned int order, uint32_t start);
/* Map the same memfd again (another address, as the peer would see it). */
int shm_ring_remap(struct shm_ring *s);
void shm_ring_unmap(struct shm_ring *s);
void shm_ring_destroy(struct shm_ring *s);

/* eventfd as event channel */
int evt_create(void);
void evt_notify(int efd);

/*
 * Sleep until efd fires (returns 1), the peer process behind peerfd
 * (a pidfd, or -1) dies without having notified (returns 0), or
 * timeout_ms passes (returns -ETIMEDOUT).
 */
int evt_wait(int efd, int peerfd, int timeout_ms);

/* pidfd_open(2); -1 with errno set when unsupported. */
int peer_pidfd(pid_t pid);

#endif

/*
 * Blocking stream helpers: one side of a ring plus its two events.
 * notify_efd wakes the peer, wait_efd is ours, peerfd is the peer's pidfd
 * (or -1). A wait that sees the peer die marks the ring peer-gone.
 */
struct shm_side {
	struct tsmc_ring r;
	int	notify_efd;
	int	wait_efd;
	int	peerfd;
	int	timeout_ms;
	unsigned long sleeps;	/* times we really slept */
};

/* Write all of buf; returns 0 or <0 (ring error, -ETIMEDOUT). */
int side_write_all(struct shm_side *s, const void *buf, size_t len);
/* Read at least 1 byte; returns bytes, 0 at EOF, or <0. */
int side_read(struct shm_side *s, void *buf, size_t len);
/* Read exactly len bytes; returns 0, -ENODATA on early EOF, or <0. */
int side_read_all(struct shm_side *s, void *buf, size_t len);

// SPDX-License-Identifier: GPL-2.0
/* Read what one tsmc-bpf instance recorded, through its pinned maps. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "harness.h"

static int open_pin(const struct testenv *e, int side, const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", e->pin[side], name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "  open %s: %s\n", path, strerror(errno));
	return fd;
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct observed *o = ctx;

	if (len < sizeof(struct tsmc_event))
		return -EINVAL;
	if (o->n_events < (int)(sizeof(o->events) / sizeof(o->events[0])))
		memcpy(&o->events[o->n_events], data, sizeof(o->events[0]));
	o->n_events++;
	return 0;
}

int observe(const struct testenv *e, int side, struct observed *o)
{
	int ncpu = libbpf_num_possible_cpus(), sfd, efd, j, err = -1;
	struct ring_buffer *rb = NULL;
	__u64 *vals = NULL;
	__u32 i;

	memset(o, 0, sizeof(*o));
	if (!e->attached[side])
		return 0;
	sfd = open_pin(e, side, TSMC_PIN_STATS);
	efd = open_pin(e, side, TSMC_PIN_EVENTS);
	if (sfd < 0 || efd < 0 || ncpu <= 0)
		goto out;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		goto out;
	for (i = 0; i < TSMC_ST_MAX; i++) {
		if (bpf_map_lookup_elem(sfd, &i, vals))
			goto out;
		for (j = 0; j < ncpu; j++)
			o->stats[i] += vals[j];
	}
	rb = ring_buffer__new(efd, on_event, o, NULL);
	if (!rb || ring_buffer__consume(rb) < 0)
		goto out;
	err = 0;
out:
	ring_buffer__free(rb);
	free(vals);
	if (sfd >= 0)
		close(sfd);
	if (efd >= 0)
		close(efd);
	return err;
}

int peer_of_socket(const struct testenv *e, int side, int sock_fd,
		   struct tsmc_peer *p)
{
	int fd, err;

	memset(p, 0, sizeof(*p));
	if (!e->attached[side])
		return 1;
	fd = open_pin(e, side, TSMC_PIN_PEERS);
	if (fd < 0)
		return -1;
	err = bpf_map_lookup_elem(fd, &sock_fd, p);
	if (err && errno == ENOENT)
		err = 1;
	else if (err)
		fprintf(stderr, "  peers lookup: %s\n", strerror(errno));
	close(fd);
	return err;
}

/* SPDX-License-Identifier: MIT */
/* The switched connections of /proc/net/tsmc_xen. */
#ifndef TSMC_SS_CONNS_H
#define TSMC_SS_CONNS_H

#include <stddef.h>
#include <stdint.h>

#include "tss.h"

struct conn {
	uint64_t peer;
	char *side;
	char *local;		/* "a.b.c.d:port" or "[v6]:port", as read */
	char *remote;
	uint64_t tx_bytes, rx_bytes;
	uint64_t tx_fill, rx_fill, ring;
	uint64_t wakes;
	int closed, peer_closed, dead;
};

struct conn_list {
	struct conn *v;
	size_t n, cap;
};

/*
 * Parse the whole file into out, keeping the lines of peer (or all with
 * TSS_ALL_PEERS). Every line is checked, kept or not. Returns TSS_*; out
 * must be freed with conns_free() either way.
 */
int conns_load(const char *path, long peer, struct conn_list *out);
void conns_free(struct conn_list *list);

/* "open", "closing", "closed" or "dead". */
const char *conn_state(const struct conn *c);

#endif

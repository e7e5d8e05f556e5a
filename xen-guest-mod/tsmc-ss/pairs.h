/* SPDX-License-Identifier: MIT */
/* Pair channels and doorbell counters from /sys/kernel/tsmc_xen. */
#ifndef TSMC_SS_PAIRS_H
#define TSMC_SS_PAIRS_H

#include <stddef.h>
#include <stdint.h>

#include "tss.h"

/* A reason a connection stayed on TCP: its key in the file, its name. */
struct fallback_kind {
	const char *key;
	const char *label;
};

enum { PAIR_NFB = 11, DOORBELL_NFB = 3 };
extern const struct fallback_kind pair_fallbacks[PAIR_NFB];
extern const struct fallback_kind doorbell_fallbacks[DOORBELL_NFB];

struct pair {
	uint64_t peer;
	char *state;
	uint64_t switched;
	uint64_t links;
	uint64_t ring_broken;	/* switched, then reset: peer broke a ring */
	uint64_t fb[PAIR_NFB];	/* indexed like pair_fallbacks */
};

struct pair_list {
	struct pair *v;
	size_t n, cap;
};

struct doorbell {
	uint64_t fb[DOORBELL_NFB];	/* indexed like doorbell_fallbacks */
};

/* DIR/pairs, same contract as conns_load(); free with pairs_free(). */
int pairs_load(const char *path, long peer, struct pair_list *out);
void pairs_free(struct pair_list *list);

/* DIR/doorbell: exactly one line. Returns TSS_*. */
int doorbell_load(const char *path, struct doorbell *out);

/* Sum of n counters, saturating rather than wrapping. */
uint64_t fallback_total(const uint64_t *fb, size_t n);

#endif

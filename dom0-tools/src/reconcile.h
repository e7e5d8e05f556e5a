/* SPDX-License-Identifier: MIT */
/*
 * One reconcile pass: make xenstore match (running domains, policy, host
 * tag). Idempotent, so a restarted daemon converges on the same tree
 * without losing or duplicating anything. Each change is one transaction.
 */
#ifndef TSMC_RECONCILE_H
#define TSMC_RECONCILE_H

#include <stdbool.h>
#include <stdio.h>

#include "policy.h"
#include "xsi.h"

struct reconcile_stats {
	unsigned int enabled;		/* domains auto-enabled */
	unsigned int retagged;		/* host-tag rewritten (after rotate) */
	unsigned int provisioned;	/* pair dirs created */
	unsigned int removed;		/* pair dirs removed */
	unsigned int stale_links;	/* peer pointers without a pair removed */
	unsigned int errors;		/* changes that failed (retried next pass) */
};

/* full: also re-check every guest's host tag and every peer pointer (first
 * pass, periodic pass, after a tag change); event-driven passes skip that
 * to save round trips. log may be NULL. Returns 0, or <0 if xenstore could
 * not be read at all. */
int reconcile(struct xsi *x, const struct policy *p, const char *host_tag,
	      bool full, struct reconcile_stats *st, FILE *log);

#endif

/* SPDX-License-Identifier: MIT */
/* Pair directories under /local/domain/0/tsmc/pairs/<lo>-<hi>. */
#ifndef TSMC_PAIRS_H
#define TSMC_PAIRS_H

#include "domains.h"
#include "xsi.h"

struct pair {
	unsigned int lo, hi;
	char uuid_lo[37], uuid_hi[37];
	char state_lo[4], state_hi[4];	/* as written by the guests, "" if odd */
};

/* Inside tx: create the pair dir, both sides and both peer pointers. */
int pair_provision_tx(struct xsi *x, xsi_tx tx, const struct domain *a,
		      const struct domain *b);
/* Inside tx: remove the pair dir and both pointers (missing parts are fine). */
int pair_remove_tx(struct xsi *x, xsi_tx tx, unsigned int lo, unsigned int hi);
/* Existing pair dirs (with both sides' states if states is true). Names that are not "<lo>-<hi>" with lo<hi are
 * reported through *bad (dom0's area: only a bug or an operator makes them). */
int pairs_list(struct xsi *x, xsi_tx tx, bool states, struct pair **out,
	       unsigned int *n, char ***bad, unsigned int *nbad);
bool pair_name_parse(const char *s, unsigned int *lo, unsigned int *hi);

#endif

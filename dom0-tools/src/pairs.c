// SPDX-License-Identifier: MIT
/* Pair directories: provision, remove, list. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pairs.h"
#include "xs_paths.h"
#include "xsi_util.h"

bool pair_name_parse(const char *s, unsigned int *lo, unsigned int *hi)
{
	char a[8], b[8];
	const char *dash = strchr(s, '-');
	size_t la;

	if (!dash || (la = (size_t)(dash - s)) >= sizeof(a) ||
	    strlen(dash + 1) >= sizeof(b))
		return false;
	memcpy(a, s, la);
	a[la] = '\0';
	strcpy(b, dash + 1);
	return parse_domid(a, lo) && parse_domid(b, hi) && *lo > 0 && *lo < *hi;
}

/* Side dir of `side` with its pre-created leaves: guests only ever write
 * nodes that exist, so every node stays owned by dom0. */
static int side_tx(struct xsi *x, xsi_tx tx, unsigned int lo, unsigned int hi,
		   unsigned int side)
{
	const struct xsi_perm p[] = {
		{ 0, XSI_NONE }, { side, XSI_BOTH }, { side == lo ? hi : lo, XSI_READ },
	};
	char path[TSMC_XS_PATH_MAX];
	int rc;

	/* Leaves are new nodes in a new dir: they inherit p (xenstored gives
	 * a node its parent's list; dom0 keeps the parent's owner). */
	if ((rc = XS_PATH(path, TSMC_XS_PAIR_SIDE_DIR, lo, hi, side)) ||
	    (rc = xsi_mkdir_perms(x, tx, path, p, 3)) ||
	    (rc = XS_PATH(path, TSMC_XS_PAIR_SIDE_STATE, lo, hi, side)) ||
	    (rc = xsi_write_str(x, tx, path, TSMC_XS_PAIR_SIDE_STATE_INITIALISING)) ||
	    (rc = XS_PATH(path, TSMC_XS_PAIR_SIDE_VERSION, lo, hi, side)) ||
	    (rc = xsi_write_str(x, tx, path, "0")))
		return rc;
	if (side != lo)
		return 0;
	/* The lower domid is the server: it publishes the control ring. */
	if ((rc = XS_PATH(path, TSMC_XS_PAIR_CTL_RING_ORDER, lo, hi, lo)) ||
	    (rc = xsi_write_str(x, tx, path, "")) ||
	    (rc = XS_PATH(path, TSMC_XS_PAIR_CTL_REFS, lo, hi, lo)) ||
	    (rc = xsi_write_str(x, tx, path, "")) ||
	    (rc = XS_PATH(path, TSMC_XS_PAIR_EVTCHN, lo, hi, lo)))
		return rc;
	return xsi_write_str(x, tx, path, "");
}

int pair_provision_tx(struct xsi *x, xsi_tx tx, const struct domain *a,
		      const struct domain *b)
{
	const struct domain *lo = a->domid < b->domid ? a : b;
	const struct domain *hi = lo == a ? b : a;
	const struct xsi_perm dom0[] = { { 0, XSI_NONE } };
	const struct xsi_perm both[] = {
		{ 0, XSI_NONE }, { lo->domid, XSI_READ }, { hi->domid, XSI_READ },
	};
	const struct xsi_perm plo[] = { { 0, XSI_NONE }, { lo->domid, XSI_READ } };
	const struct xsi_perm phi[] = { { 0, XSI_NONE }, { hi->domid, XSI_READ } };
	char dir[TSMC_XS_PATH_MAX], path[TSMC_XS_PATH_MAX];
	int rc;

	if (lo->domid == hi->domid || lo->domid == 0)
		return -EINVAL;
	rc = xsi_exists(x, tx, TSMC_XS_PAIRS_DIR);
	if (rc < 0)
		return rc;
	if (rc == 0 &&
	    ((rc = xsi_mkdir_perms(x, tx, TSMC_XS_DOM0_ROOT, dom0, 1)) ||
	     (rc = xsi_mkdir_perms(x, tx, TSMC_XS_PAIRS_DIR, dom0, 1))))
		return rc;
	if ((rc = XS_PATH(dir, TSMC_XS_PAIR_DIR, lo->domid, hi->domid)))
		return rc;
	/* Start from nothing so a half-written leftover cannot survive; then
	 * every node below is new and inherits its directory's perms. */
	if ((rc = xsi_rm_if_present(x, tx, dir)) ||
	    (rc = xsi_mkdir_perms(x, tx, dir, both, 3)) ||
	    (rc = XS_PATH(path, TSMC_XS_PAIR_UUID_LO, lo->domid, hi->domid)) ||
	    (rc = xsi_write_str(x, tx, path, lo->uuid)) ||
	    (rc = XS_PATH(path, TSMC_XS_PAIR_UUID_HI, lo->domid, hi->domid)) ||
	    (rc = xsi_write_str(x, tx, path, hi->uuid)) ||
	    (rc = side_tx(x, tx, lo->domid, hi->domid, lo->domid)) ||
	    (rc = side_tx(x, tx, lo->domid, hi->domid, hi->domid)) ||
	    /* Pointers last: a guest woken by its peers/ watch finds a full
	     * dir. A stale pointer may exist, so set perms explicitly. */
	    (rc = XS_PATH(path, TSMC_XS_PEER, lo->domid, hi->domid)) ||
	    (rc = xsi_put(x, tx, path, dir, plo, 2)) ||
	    (rc = XS_PATH(path, TSMC_XS_PEER, hi->domid, lo->domid)))
		return rc;
	return xsi_put(x, tx, path, dir, phi, 2);
}

int pair_remove_tx(struct xsi *x, xsi_tx tx, unsigned int lo, unsigned int hi)
{
	char path[TSMC_XS_PATH_MAX];
	int rc;

	if ((rc = XS_PATH(path, TSMC_XS_PEER, lo, hi)) ||
	    (rc = xsi_rm_if_present(x, tx, path)) ||
	    (rc = XS_PATH(path, TSMC_XS_PEER, hi, lo)) ||
	    (rc = xsi_rm_if_present(x, tx, path)) ||
	    (rc = XS_PATH(path, TSMC_XS_PAIR_DIR, lo, hi)))
		return rc;
	return xsi_rm_if_present(x, tx, path);
}

static void read_small(struct xsi *x, xsi_tx tx, char *buf, size_t size,
		       const char *fmt, unsigned int a, unsigned int b, unsigned int c)
{
	char path[TSMC_XS_PATH_MAX];

	int rc;

	snprintf(path, sizeof(path), fmt, a, b, c);
	rc = xsi_read_bounded(x, tx, path, buf, size);
	/* Guests write the states: too long is shown as "?", absent as "". */
	if (rc)
		snprintf(buf, size, "%s", rc == -EOVERFLOW ? "?" : "");
}

int pairs_list(struct xsi *x, xsi_tx tx, bool states, struct pair **out,
	       unsigned int *n, char ***bad, unsigned int *nbad)
{
	char **names;
	unsigned int num, i, k = 0, nb = 0;
	struct pair *v;
	char **b;
	int rc = x->ops->list(x, tx, TSMC_XS_PAIRS_DIR, &names, &num);

	if (rc == -ENOENT) {
		names = NULL;
		num = 0;
	} else if (rc) {
		return rc;
	}
	v = calloc(num ? num : 1, sizeof(*v));
	b = calloc(num ? num : 1, sizeof(*b));
	if (!v || !b) {
		free(v);
		free(b);
		xsi_free_list(names, num);
		return -ENOMEM;
	}
	for (i = 0; i < num; i++) {
		struct pair *p = &v[k];

		if (!pair_name_parse(names[i], &p->lo, &p->hi)) {
			b[nb++] = names[i];
			names[i] = NULL;
			continue;
		}
		read_small(x, tx, p->uuid_lo, sizeof(p->uuid_lo),
			   TSMC_XS_PAIR_UUID_LO, p->lo, p->hi, 0);
		read_small(x, tx, p->uuid_hi, sizeof(p->uuid_hi),
			   TSMC_XS_PAIR_UUID_HI, p->lo, p->hi, 0);
		if (states) {
			read_small(x, tx, p->state_lo, sizeof(p->state_lo),
				   TSMC_XS_PAIR_SIDE_STATE, p->lo, p->hi, p->lo);
			read_small(x, tx, p->state_hi, sizeof(p->state_hi),
				   TSMC_XS_PAIR_SIDE_STATE, p->lo, p->hi, p->hi);
		}
		k++;
	}
	xsi_free_list(names, num);
	*out = v;
	*n = k;
	*bad = b;
	*nbad = nb;
	return 0;
}

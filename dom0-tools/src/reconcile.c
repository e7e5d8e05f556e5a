// SPDX-License-Identifier: MIT
/* The daemon's one reconcile pass. Reads happen outside transactions; each
 * change re-checks its preconditions inside its own transaction. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domains.h"
#include "guest.h"
#include "pairs.h"
#include "reconcile.h"
#include "xs_paths.h"
#include "xsi_util.h"

struct pair_arg {
	struct domain a, b;
};

/* Provision only if both are still enabled when the transaction runs. */
static int provision_fn(struct xsi *x, xsi_tx tx, void *arg)
{
	struct pair_arg *pa = arg;

	if (domain_enable_state(x, tx, pa->a.domid) != EN_ON ||
	    domain_enable_state(x, tx, pa->b.domid) != EN_ON)
		return -ESTALE;
	return pair_provision_tx(x, tx, &pa->a, &pa->b);
}

static int remove_fn(struct xsi *x, xsi_tx tx, void *arg)
{
	struct pair *p = arg;

	return pair_remove_tx(x, tx, p->lo, p->hi);
}

struct enable_arg {
	unsigned int domid;
	const char *tag;
	struct guest_settings s;
	bool only_if_new;
};

static int enable_fn(struct xsi *x, xsi_tx tx, void *arg)
{
	struct enable_arg *ea = arg;

	/* Never override an operator's explicit disable. */
	if (ea->only_if_new && domain_enable_state(x, tx, ea->domid) != EN_NONE)
		return -ESTALE;
	if (!ea->only_if_new && domain_enable_state(x, tx, ea->domid) != EN_ON)
		return -ESTALE;
	return guest_enable_tx(x, tx, ea->domid, ea->tag, &ea->s);
}

struct link_arg {
	unsigned int domid, peer;
};

static int unlink_fn(struct xsi *x, xsi_tx tx, void *arg)
{
	struct link_arg *la = arg;
	char path[TSMC_XS_PATH_MAX];

	snprintf(path, sizeof(path), TSMC_XS_PEER, la->domid, la->peer);
	return xsi_rm_if_present(x, tx, path);
}

static struct domain *find(struct domain *v, unsigned int n, unsigned int id)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (v[i].domid == id)
			return &v[i];
	return NULL;
}

static void note(FILE *log, int rc, unsigned int *ok, unsigned int *errors,
		 const char *what, unsigned int a, unsigned int b)
{
	char who[32];

	/* b == 0: a single domain, else the pair a-b. */
	if (b)
		snprintf(who, sizeof(who), "pair %u-%u", a, b);
	else
		snprintf(who, sizeof(who), "domain %u", a);
	if (rc == 0) {
		(*ok)++;
		if (log)
			fprintf(log, "tsmc-xenctl: %s %s\n", what, who);
	} else if (rc != -ESTALE) {
		(*errors)++;
		if (log)
			fprintf(log, "tsmc-xenctl: %s %s failed: %s\n", what, who,
				strerror(-rc));
	}
}

static bool pair_wanted(const struct policy *p, struct domain *v, unsigned int n,
			const struct pair *pr)
{
	struct domain *lo = find(v, n, pr->lo), *hi = find(v, n, pr->hi);
	struct dom_ident il, ih;

	if (!lo || !hi || lo->enabled != EN_ON || hi->enabled != EN_ON)
		return false;
	/* A domid reused by a new domain must not inherit the old pair. */
	if (strcmp(lo->uuid, pr->uuid_lo) || strcmp(hi->uuid, pr->uuid_hi))
		return false;
	il = domain_ident(lo);
	ih = domain_ident(hi);
	return policy_pair_allowed(p, &il, &ih);
}

static void fix_links(struct xsi *x, struct domain *v, unsigned int n,
		      struct reconcile_stats *st, FILE *log)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		char path[TSMC_XS_PATH_MAX], **names;
		unsigned int num;

		if (v[i].enabled != EN_ON)
			continue;
		snprintf(path, sizeof(path), TSMC_XS_PEERS_DIR, v[i].domid);
		if (x->ops->list(x, 0, path, &names, &num))
			continue;
		for (j = 0; j < num; j++) {
			struct link_arg la = { v[i].domid, 0 };
			unsigned int lo, hi;
			char pdir[TSMC_XS_PATH_MAX];
			int rc;

			if (parse_domid(names[j], &la.peer) && la.peer != la.domid) {
				lo = la.domid < la.peer ? la.domid : la.peer;
				hi = la.domid ^ la.peer ^ lo;
				snprintf(pdir, sizeof(pdir), TSMC_XS_PAIR_DIR, lo, hi);
				if (xsi_exists(x, 0, pdir) == 1)
					continue;
			} else {
				continue;	/* only dom0 writes here; leave odd names */
			}
			rc = xsi_transact(x, unlink_fn, &la);
			note(log, rc, &st->stale_links, &st->errors,
			     "removed stale peer link of", la.domid, la.peer);
		}
		xsi_free_list(names, num);
	}
}

int reconcile(struct xsi *x, const struct policy *p, const char *host_tag,
	      bool full, struct reconcile_stats *st, FILE *log)
{
	struct domain *v;
	struct pair *pairs;
	char **bad;
	unsigned int n, np, nbad, i, j;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = domains_list(x, 0, &v, &n)))
		return rc;

	/* 1. New domains the policy wants enabled; re-tag after a rotate. */
	for (i = 0; i < n; i++) {
		struct dom_ident id = domain_ident(&v[i]);
		struct enable_arg ea = { v[i].domid, host_tag, GUEST_SETTINGS_DEFAULT, true };

		if (v[i].enabled == EN_NONE && policy_auto_enable(p, &id)) {
			rc = xsi_transact(x, enable_fn, &ea);
			note(log, rc, &st->enabled, &st->errors, "enabled", v[i].domid, 0);
			if (rc == 0)
				v[i].enabled = EN_ON;
		} else if (full && v[i].enabled == EN_ON &&
			   !guest_tag_is(x, 0, v[i].domid, host_tag)) {
			ea.only_if_new = false;
			guest_settings_read(x, 0, v[i].domid, &ea.s);
			rc = xsi_transact(x, enable_fn, &ea);
			note(log, rc, &st->retagged, &st->errors, "re-tagged", v[i].domid, 0);
		}
	}

	/* 2. Remove pairs that are no longer wanted. */
	if ((rc = pairs_list(x, 0, false, &pairs, &np, &bad, &nbad))) {
		free(v);
		return rc;
	}
	for (i = 0; i < nbad; i++) {
		char path[TSMC_XS_PATH_MAX + 64];

		snprintf(path, sizeof(path), "%s/%s", TSMC_XS_PAIRS_DIR, bad[i]);
		if (log)
			fprintf(log, "tsmc-xenctl: ignoring unexpected node %s\n", path);
	}
	xsi_free_list(bad, nbad);
	for (i = 0; i < np; i++) {
		if (pair_wanted(p, v, n, &pairs[i]))
			continue;
		rc = xsi_transact(x, remove_fn, &pairs[i]);
		note(log, rc, &st->removed, &st->errors, "removed",
		     pairs[i].lo, pairs[i].hi);
		if (rc == 0)
			pairs[i].lo = pairs[i].hi = 0;	/* gone */
	}

	/* 3. Provision every allowed pair of enabled domains that lacks one. */
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			struct dom_ident a = domain_ident(&v[i]), b = domain_ident(&v[j]);
			struct pair_arg pa = { v[i], v[j] };
			unsigned int k;
			bool have = false;

			if (v[i].enabled != EN_ON || v[j].enabled != EN_ON ||
			    !policy_pair_allowed(p, &a, &b))
				continue;
			for (k = 0; k < np; k++)
				if (pairs[k].lo == v[i].domid && pairs[k].hi == v[j].domid)
					have = true;
			if (have)
				continue;
			rc = xsi_transact(x, provision_fn, &pa);
			note(log, rc, &st->provisioned, &st->errors, "provisioned",
			     v[i].domid, v[j].domid);
		}
	}
	free(pairs);

	/* 4. Pointers to pair dirs that no longer exist (e.g. after a crash
	 *    of a previous tool version) are removed. */
	if (full)
		fix_links(x, v, n, st, log);
	free(v);
	return 0;
}

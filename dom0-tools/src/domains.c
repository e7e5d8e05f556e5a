// SPDX-License-Identifier: MIT
/* Running domains as xenstore shows them, and DOM argument resolution. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domains.h"
#include "xs_paths.h"
#include "xsi_util.h"

bool parse_domid(const char *s, unsigned int *domid)
{
	unsigned long v;
	char *end;

	/* Decimal, no sign, no leading zero: exactly what xenstore keys hold. */
	if (!isdigit((unsigned char)s[0]) || (s[0] == '0' && s[1]))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v >= DOMID_LIMIT)
		return false;
	*domid = (unsigned int)v;
	return true;
}

enum enable_state domain_enable_state(struct xsi *x, xsi_tx tx, unsigned int domid)
{
	char path[TSMC_XS_PATH_MAX], v[4];

	if (XS_PATH(path, TSMC_XS_ENABLED, domid) ||
	    xsi_read_bounded(x, tx, path, v, sizeof(v)))
		return EN_NONE;
	/* Only dom0 writes this node, but treat anything odd as "off". */
	return strcmp(v, "1") == 0 ? EN_ON : EN_OFF;
}

int domain_read(struct xsi *x, xsi_tx tx, unsigned int domid, struct domain *d)
{
	char path[64], vm[128];
	const char *slash;
	int rc;

	memset(d, 0, sizeof(*d));
	d->domid = domid;
	if (!x->ops->domain_alive(x, domid))
		return -ENOENT;
	/* The toolstack always writes name: one read answers "does the home
	 * exist" too (round trips are what a daemon pass costs). */
	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	rc = xsi_read_bounded(x, tx, path, d->name, sizeof(d->name));
	if (rc == -ENOENT) {
		snprintf(path, sizeof(path), "/local/domain/%u", domid);
		rc = xsi_exists(x, tx, path);
		if (rc <= 0)
			return rc ? rc : -ENOENT;
	}
	if (rc)
		d->name[0] = '\0';
	/* The toolstack writes vm = "/vm/<uuid>". */
	snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
	if (xsi_read_bounded(x, tx, path, vm, sizeof(vm)) == 0 &&
	    (slash = strrchr(vm, '/')) && uuid_valid(slash + 1)) {
		size_t i;

		for (i = 0; slash[1 + i]; i++)
			d->uuid[i] = (char)tolower((unsigned char)slash[1 + i]);
	}
	d->enabled = domain_enable_state(x, tx, domid);
	return 0;
}

static int cmp_domid(const void *a, const void *b)
{
	const struct domain *x = a, *y = b;

	return (x->domid > y->domid) - (x->domid < y->domid);
}

int domains_list(struct xsi *x, xsi_tx tx, struct domain **out, unsigned int *n)
{
	char **names;
	unsigned int num, i, k = 0;
	struct domain *v;
	int rc = x->ops->list(x, tx, "/local/domain", &names, &num);

	if (rc)
		return rc;
	v = calloc(num ? num : 1, sizeof(*v));
	if (!v) {
		xsi_free_list(names, num);
		return -ENOMEM;
	}
	for (i = 0; i < num; i++) {
		unsigned int id;

		if (!parse_domid(names[i], &id) || id == 0)
			continue;
		if (domain_read(x, tx, id, &v[k]) == 0)
			k++;
	}
	xsi_free_list(names, num);
	qsort(v, k, sizeof(*v), cmp_domid);
	*out = v;
	*n = k;
	return 0;
}

int domain_resolve(struct xsi *x, const char *spec, struct domain *d)
{
	struct domain *all;
	unsigned int n, i, id, hits = 0;
	int rc;

	if (parse_domid(spec, &id)) {
		if (id == 0)
			return -EINVAL;
		return domain_read(x, 0, id, d);
	}
	rc = domains_list(x, 0, &all, &n);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		if ((uuid_valid(spec) && strcasecmp(all[i].uuid, spec) == 0) ||
		    strcmp(all[i].name, spec) == 0) {
			if (hits++ == 0)
				*d = all[i];
		}
	}
	free(all);
	if (hits > 1)
		return -ENOTUNIQ;
	return hits ? 0 : -ENOENT;
}

/* SPDX-License-Identifier: MIT */
/* Running domains as xenstore shows them, and DOM argument resolution. */
#ifndef TSMC_DOMAINS_H
#define TSMC_DOMAINS_H

#include "policy.h"
#include "xsi.h"

/* DOMID_FIRST_RESERVED: ids at or above it are never guests. */
#define DOMID_LIMIT 0x7FF0U

enum enable_state { EN_NONE = -1, EN_OFF = 0, EN_ON = 1 };

struct domain {
	unsigned int domid;
	char name[POLICY_NAME_MAX + 1];	/* "" if unknown or invalid */
	char uuid[37];			/* "" if unknown */
	enum enable_state enabled;
};

/* Fill a PATH_MAX-sized buffer from a TSMC_XS_* template; -ENAMETOOLONG. */
#define XS_PATH(buf, ...) \
	(snprintf((buf), sizeof(buf), __VA_ARGS__) >= (int)sizeof(buf) ? \
	 -ENAMETOOLONG : 0)

static inline struct dom_ident domain_ident(const struct domain *d)
{
	struct dom_ident i = {
		.name = d->name[0] ? d->name : NULL,
		.uuid = d->uuid[0] ? d->uuid : NULL,
	};
	return i;
}

/* Guests (domid >= 1) that xenstored still knows; sorted by domid. */
int domains_list(struct xsi *x, xsi_tx tx, struct domain **out, unsigned int *n);
/* -ENOENT if the domain is gone. */
int domain_read(struct xsi *x, xsi_tx tx, unsigned int domid, struct domain *d);
/* spec = domid, name or UUID. -ENOENT unknown, -EINVAL dom0/bad,
 * -ENOTUNIQ if a name matches several domains. */
int domain_resolve(struct xsi *x, const char *spec, struct domain *d);
enum enable_state domain_enable_state(struct xsi *x, xsi_tx tx, unsigned int domid);
bool parse_domid(const char *s, unsigned int *domid);

#endif

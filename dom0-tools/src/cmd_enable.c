// SPDX-License-Identifier: MIT
/* tsmc-xenctl enable DOM [--max-conns N] [--ring-order N] | disable DOM */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "domains.h"
#include "guest.h"
#include "hosttag.h"
#include "xenctl.h"
#include "xs_paths.h"
#include "xsi_util.h"

static bool parse_uint_range(const char *s, unsigned int lo, unsigned int hi,
			     unsigned int *out)
{
	unsigned long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = (unsigned int)v;
	return true;
}

/* Resolve DOM and print a clear error for every way it can fail. */
static int resolve(struct xenctl *c, const char *spec, struct domain *d)
{
	int rc = domain_resolve(c->xs, spec, d);

	switch (rc) {
	case 0:
		return 0;
	case -ENOENT:
		p_err(c, "no such domain: '%s' (give a name, domid or UUID)", spec);
		break;
	case -ENOTUNIQ:
		p_err(c, "domain name '%s' is not unique; use the domid or UUID", spec);
		break;
	case -EINVAL:
		p_err(c, "'%s' is dom0; only guests can be enabled", spec);
		break;
	default:
		p_err(c, "cannot look up domain '%s': %s", spec, strerror(-rc));
	}
	return rc;
}

struct en_arg {
	unsigned int domid;
	const char *tag;
	struct guest_settings s;
	bool enable;
};

static int en_fn(struct xsi *x, xsi_tx tx, void *arg)
{
	struct en_arg *a = arg;
	int rc = a->enable ? guest_enable_tx(x, tx, a->domid, a->tag, &a->s)
			   : guest_disable_tx(x, tx, a->domid);

	return rc ? rc : xenctl_bump_gen(x, tx);
}

static void done(struct xenctl *c, const struct domain *d, bool enabled)
{
	if (c->json) {
		jsonw_start_object(c->jw);
		jsonw_uint_field(c->jw, "domid", d->domid);
		jsonw_string_field(c->jw, "name", d->name);
		jsonw_bool_field(c->jw, "enabled", enabled);
		jsonw_end_object(c->jw);
	} else {
		p_info(c, "domain %u (%s) %s", d->domid, d->name[0] ? d->name : "?",
		       enabled ? "enabled" : "disabled");
	}
}

int cmd_enable(struct xenctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "max-conns", required_argument, NULL, 'm' },
		{ "ring-order", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct en_arg a = { .s = GUEST_SETTINGS_DEFAULT, .enable = true };
	char tag[HOST_TAG_HEX + 1];
	struct domain d;
	int opt, rc;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'm' && parse_uint_range(optarg, TSMC_XS_MAX_CONNS_MIN,
						   TSMC_XS_MAX_CONNS_MAX, &a.s.max_conns))
			continue;
		if (opt == 'o' && parse_uint_range(optarg, TSMC_XS_RING_ORDER_MIN,
						   TSMC_XS_RING_ORDER_MAX, &a.s.ring_order))
			continue;
		if (opt == 'm')
			p_err(c, "--max-conns must be %u..%u", TSMC_XS_MAX_CONNS_MIN,
			      TSMC_XS_MAX_CONNS_MAX);
		else if (opt == 'o')
			p_err(c, "--ring-order must be %u..%u", TSMC_XS_RING_ORDER_MIN,
			      TSMC_XS_RING_ORDER_MAX);
		else
			p_err(c, "enable: unknown or incomplete option '%s'", argv[optind - 1]);
		return usage_of(c, "enable");
	}
	if (argc - optind != 1) {
		p_err(c, "enable: expected exactly one DOM");
		return usage_of(c, "enable");
	}
	rc = hosttag_load(c->state_dir, tag);
	if (rc) {
		p_err(c, rc == -ENOENT ? "no host identity in %s: run 'tsmc-xenctl init' first"
				       : "host identity in %s is corrupt: run 'tsmc-xenctl init --rotate'",
		      c->state_dir);
		return EXIT_FAILURE;
	}
	if (!xenctl_xs(c) || resolve(c, argv[optind], &d))
		return EXIT_FAILURE;
	a.domid = d.domid;
	a.tag = tag;
	rc = xsi_transact(c->xs, en_fn, &a);
	if (rc) {
		p_err(c, "enabling domain %u failed, nothing changed: %s", d.domid,
		      strerror(-rc));
		return EXIT_FAILURE;
	}
	done(c, &d, true);
	return EXIT_SUCCESS;
}

int cmd_disable(struct xenctl *c, int argc, char **argv)
{
	struct en_arg a = { .enable = false };
	struct domain d;
	int rc;

	if (argc != 2 || argv[1][0] == '-') {
		p_err(c, "disable: expected exactly one DOM");
		return usage_of(c, "disable");
	}
	if (!xenctl_xs(c) || resolve(c, argv[1], &d))
		return EXIT_FAILURE;
	a.domid = d.domid;
	rc = xsi_transact(c->xs, en_fn, &a);
	if (rc) {
		p_err(c, "disabling domain %u failed, nothing changed: %s", d.domid,
		      strerror(-rc));
		return EXIT_FAILURE;
	}
	done(c, &d, false);
	return EXIT_SUCCESS;
}

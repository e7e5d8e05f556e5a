// SPDX-License-Identifier: MIT
/* tsmc-xenctl init [--rotate] */
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

/* Re-tag every enabled guest in one transaction. */
static int retag_fn(struct xsi *x, xsi_tx tx, void *arg)
{
	const char *tag = arg;
	struct domain *v;
	unsigned int n, i;
	int rc = domains_list(x, tx, &v, &n);

	if (rc)
		return rc;
	for (i = 0; i < n && !rc; i++) {
		char path[TSMC_XS_PATH_MAX];
		const struct xsi_perm p[] = { { 0, XSI_NONE }, { v[i].domid, XSI_READ } };

		if (v[i].enabled != EN_ON)
			continue;
		snprintf(path, sizeof(path), TSMC_XS_HOST_TAG, v[i].domid);
		rc = xsi_put(x, tx, path, tag, p, 2);
	}
	free(v);
	return rc ? rc : xenctl_bump_gen(x, tx);
}

static void report(struct xenctl *c, const char *tag, bool created, bool rotated)
{
	if (c->json) {
		jsonw_start_object(c->jw);
		jsonw_string_field(c->jw, "host_tag", tag);
		jsonw_bool_field(c->jw, "created", created);
		jsonw_bool_field(c->jw, "rotated", rotated);
		jsonw_end_object(c->jw);
	} else {
		p_info(c, "host tag %s (%s)", tag,
		       rotated ? "rotated" : created ? "created" : "already initialised");
	}
}

int cmd_init(struct xenctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rotate", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	char tag[HOST_TAG_HEX + 1];
	bool rotate = false;
	int opt, rc;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (opt != 'r') {
			p_err(c, "init: unknown option '%s'", argv[optind - 1]);
			return usage_of(c, "init");
		}
		rotate = true;
	}
	if (optind != argc) {
		p_err(c, "init: unexpected argument '%s'", argv[optind]);
		return usage_of(c, "init");
	}
	rc = hosttag_load(c->state_dir, tag);
	if (!rotate) {
		if (rc == 0) {
			report(c, tag, false, false);
			return EXIT_SUCCESS;
		}
		if (rc != -ENOENT) {
			p_err(c, "%s/host-tag is unreadable or corrupt (%s); "
			      "use 'init --rotate' to replace it", c->state_dir,
			      strerror(-rc));
			return EXIT_FAILURE;
		}
		rc = hosttag_create(c->state_dir, tag);
		if (rc) {
			p_err(c, "cannot create %s/host-tag: %s", c->state_dir, strerror(-rc));
			return EXIT_FAILURE;
		}
		report(c, tag, true, false);
		return EXIT_SUCCESS;
	}
	/* Rotating re-tags running guests: check xenstored first, so a failure
	 * leaves both the file and xenstore as they were. */
	if (!xenctl_xs(c))
		return EXIT_FAILURE;
	rc = hosttag_create(c->state_dir, tag);
	if (rc) {
		p_err(c, "cannot write %s/host-tag: %s", c->state_dir, strerror(-rc));
		return EXIT_FAILURE;
	}
	rc = xsi_transact(c->xs, retag_fn, tag);
	if (rc) {
		p_err(c, "host tag rotated in %s but guests not updated (%s); "
		      "a running daemon will update them, or run 'init --rotate' again",
		      c->state_dir, strerror(-rc));
		return EXIT_FAILURE;
	}
	report(c, tag, true, true);
	return EXIT_SUCCESS;
}

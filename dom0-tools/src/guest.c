// SPDX-License-Identifier: MIT
/* A guest's tsmc area: enable/disable and the module's report. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domains.h"
#include "guest.h"
#include "pairs.h"
#include "xsi_util.h"

int guest_enable_tx(struct xsi *x, xsi_tx tx, unsigned int domid,
		    const char *host_tag, const struct guest_settings *s)
{
	/* Only this guest may read, nobody but dom0 may write. */
	const struct xsi_perm p[] = { { 0, XSI_NONE }, { domid, XSI_READ } };
	char path[TSMC_XS_PATH_MAX];
	int rc;

	if ((rc = XS_PATH(path, TSMC_XS_GUEST_DIR, domid)) ||
	    (rc = xsi_mkdir_perms(x, tx, path, p, 2)) ||
	    (rc = XS_PATH(path, TSMC_XS_HOST_TAG, domid)) ||
	    (rc = xsi_put(x, tx, path, host_tag, p, 2)) ||
	    (rc = XS_PATH(path, TSMC_XS_SETTINGS_DIR, domid)) ||
	    (rc = xsi_mkdir_perms(x, tx, path, p, 2)) ||
	    (rc = XS_PATH(path, TSMC_XS_MAX_CONNS, domid)) ||
	    (rc = xsi_putf(x, tx, path, p, 2, "%u", s->max_conns)) ||
	    (rc = XS_PATH(path, TSMC_XS_RING_ORDER, domid)) ||
	    (rc = xsi_putf(x, tx, path, p, 2, "%u", s->ring_order)) ||
	    (rc = XS_PATH(path, TSMC_XS_PEERS_DIR, domid)) ||
	    (rc = xsi_mkdir_perms(x, tx, path, p, 2)) ||
	    /* enabled last: a guest watching it sees a complete area. */
	    (rc = XS_PATH(path, TSMC_XS_ENABLED, domid)))
		return rc;
	return xsi_put(x, tx, path, "1", p, 2);
}

static int remove_pairs_of(struct xsi *x, xsi_tx tx, unsigned int domid)
{
	struct pair *v;
	char **bad;
	unsigned int n, nbad, i;
	int rc = pairs_list(x, tx, false, &v, &n, &bad, &nbad);

	if (rc)
		return rc;
	for (i = 0; i < n && !rc; i++)
		if (v[i].lo == domid || v[i].hi == domid)
			rc = pair_remove_tx(x, tx, v[i].lo, v[i].hi);
	free(v);
	xsi_free_list(bad, nbad);
	return rc;
}

int guest_disable_tx(struct xsi *x, xsi_tx tx, unsigned int domid)
{
	const struct xsi_perm p[] = { { 0, XSI_NONE }, { domid, XSI_READ } };
	char path[TSMC_XS_PATH_MAX];
	int rc;

	if ((rc = remove_pairs_of(x, tx, domid)) ||
	    (rc = XS_PATH(path, TSMC_XS_GUEST_DIR, domid)) ||
	    (rc = xsi_mkdir_perms(x, tx, path, p, 2)) ||
	    (rc = XS_PATH(path, TSMC_XS_ENABLED, domid)) ||
	    (rc = xsi_put(x, tx, path, "0", p, 2)) ||
	    (rc = XS_PATH(path, TSMC_XS_HOST_TAG, domid)) ||
	    (rc = xsi_rm_if_present(x, tx, path)) ||
	    (rc = XS_PATH(path, TSMC_XS_SETTINGS_DIR, domid)) ||
	    (rc = xsi_rm_if_present(x, tx, path)) ||
	    (rc = XS_PATH(path, TSMC_XS_PEERS_DIR, domid)))
		return rc;
	return xsi_rm_if_present(x, tx, path);
}

static unsigned int read_uint(struct xsi *x, xsi_tx tx, const char *path,
			      unsigned int lo, unsigned int hi, unsigned int dflt)
{
	char v[16], *end;
	unsigned long u;

	if (xsi_read_bounded(x, tx, path, v, sizeof(v)) || !isdigit((unsigned char)v[0]))
		return dflt;
	u = strtoul(v, &end, 10);
	return (*end || u < lo || u > hi) ? dflt : (unsigned int)u;
}

void guest_settings_read(struct xsi *x, xsi_tx tx, unsigned int domid,
			 struct guest_settings *s)
{
	char path[TSMC_XS_PATH_MAX];

	snprintf(path, sizeof(path), TSMC_XS_MAX_CONNS, domid);
	s->max_conns = read_uint(x, tx, path, TSMC_XS_MAX_CONNS_MIN,
				 TSMC_XS_MAX_CONNS_MAX, TSMC_XS_MAX_CONNS_DEFAULT);
	snprintf(path, sizeof(path), TSMC_XS_RING_ORDER, domid);
	s->ring_order = read_uint(x, tx, path, TSMC_XS_RING_ORDER_MIN,
				  TSMC_XS_RING_ORDER_MAX, TSMC_XS_RING_ORDER_DEFAULT);
}

bool guest_tag_is(struct xsi *x, xsi_tx tx, unsigned int domid, const char *tag)
{
	char path[TSMC_XS_PATH_MAX], v[TSMC_XS_HOST_TAG_HEXLEN + 1];

	snprintf(path, sizeof(path), TSMC_XS_HOST_TAG, domid);
	return xsi_read_bounded(x, tx, path, v, sizeof(v)) == 0 &&
	       strcmp(v, tag) == 0;
}

/* ---- the guest's own report: every byte is untrusted ---- */

static bool printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

static bool one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return true;
	return false;
}

/* Read a guest value into buf; "" and garbage=true if it is not valid. */
static void report_field(struct xsi *x, xsi_tx tx, const char *tmpl,
			 unsigned int domid, char *buf, size_t size,
			 const char *const *set, struct guest_report *r)
{
	char path[TSMC_XS_PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), tmpl, domid);
	rc = xsi_read_bounded(x, tx, path, buf, size);
	if (rc == -ENOENT) {
		buf[0] = '\0';
		return;
	}
	if (rc || !printable(buf) || (set && !one_of(buf, set))) {
		buf[0] = '\0';
		r->garbage = true;
	}
}

static long report_uint(struct xsi *x, xsi_tx tx, const char *tmpl,
			unsigned int domid, struct guest_report *r)
{
	char v[12], *end;
	long u;

	report_field(x, tx, tmpl, domid, v, sizeof(v), NULL, r);
	if (!v[0])
		return -1;
	if (!isdigit((unsigned char)v[0])) {
		r->garbage = true;
		return -1;
	}
	u = strtol(v, &end, 10);
	if (*end || u < 0 || u > 0x7fffffffL) {
		r->garbage = true;
		return -1;
	}
	return u;
}

void guest_report_read(struct xsi *x, xsi_tx tx, unsigned int domid,
		       struct guest_report *r)
{
	static const char *const states[] = {
		TSMC_XS_REPORT_STATE_LOADED, TSMC_XS_REPORT_STATE_READY,
		TSMC_XS_REPORT_STATE_DISABLED, TSMC_XS_REPORT_STATE_ERROR,
		TSMC_XS_REPORT_STATE_UNLOADING, NULL,
	};
	static const char *const bells[] = {
		TSMC_XS_REPORT_DOORBELL_KFUNC, TSMC_XS_REPORT_DOORBELL_CONG,
		TSMC_XS_REPORT_DOORBELL_NONE, NULL,
	};
	char path[TSMC_XS_PATH_MAX];

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), TSMC_XS_REPORT_DIR, domid);
	r->present = xsi_exists(x, tx, path) == 1;
	r->wire_version = r->conns = -1;
	if (!r->present)
		return;
	report_field(x, tx, TSMC_XS_REPORT_VERSION, domid, r->version,
		     sizeof(r->version), NULL, r);
	report_field(x, tx, TSMC_XS_REPORT_STATE, domid, r->state,
		     sizeof(r->state), states, r);
	report_field(x, tx, TSMC_XS_REPORT_DOORBELL, domid, r->doorbell,
		     sizeof(r->doorbell), bells, r);
	r->wire_version = report_uint(x, tx, TSMC_XS_REPORT_WIRE_VERSION, domid, r);
	r->conns = report_uint(x, tx, TSMC_XS_REPORT_CONNS, domid, r);
}

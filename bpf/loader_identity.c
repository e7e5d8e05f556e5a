// SPDX-License-Identifier: GPL-2.0
/*
 * Own domid and host tag: from the command line, or in a guest from
 * xenstore (key "domid" relative to our home, and the host tag that dom0's
 * tsmc-xenctl writes, see xenstore-schema/).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>
#include <tsmc_xen/doorbell.h>
#include <tsmc_xen/wire.h>
#include <tsmc_xen/xs_paths.h>
#include "loader.h"

int parse_domid(const char *s, __u16 *domid)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v >= TSMC_DOMID_FIRST_RESERVED) {
		fprintf(stderr, "Error: bad domid '%s': want a decimal number "
			"below %u\n", s, TSMC_DOMID_FIRST_RESERVED);
		return -1;
	}
	*domid = (__u16)v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int parse_host_tag(const char *s, __u8 tag[8])
{
	int i, hi, lo;

	if (strlen(s) != 2 * TSMC_HOST_TAG_LEN)
		goto bad;
	for (i = 0; i < TSMC_HOST_TAG_LEN; i++) {
		hi = hexval(s[2 * i]);
		lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			goto bad;
		tag[i] = (__u8)(hi << 4 | lo);
	}
	return 0;
bad:
	fprintf(stderr, "Error: bad host tag '%s': want %d lowercase hex "
		"characters\n", s, 2 * TSMC_HOST_TAG_LEN);
	return -1;
}

int identity_from_xenstore(__u16 *domid, __u8 tag[8])
{
	char path[TSMC_XS_PATH_MAX];
	struct xs_handle *h;
	unsigned int len;
	char *v = NULL;
	int err = -1;

	h = xs_open(XS_OPEN_READONLY);
	if (!h) {
		fprintf(stderr, "Error: cannot open xenstore (%s): not a Xen "
			"guest or no xenbus; pass --domid and --host-tag\n",
			strerror(errno));
		return -1;
	}
	v = xs_read(h, XBT_NULL, "domid", &len);
	if (!v) {
		fprintf(stderr, "Error: xenstore key 'domid' unreadable: %s\n",
			strerror(errno));
		goto out;
	}
	if (parse_domid(v, domid))
		goto out;
	free(v);
	snprintf(path, sizeof(path), TSMC_XS_HOST_TAG, (unsigned int)*domid);
	v = xs_read(h, XBT_NULL, path, &len);
	if (!v) {
		fprintf(stderr, "Error: dom0 has not enabled tsmc for this domain "
			"(%s: %s); run tsmc-xenctl on dom0\n", path,
			strerror(errno));
		goto out;
	}
	err = parse_host_tag(v, tag);
out:
	free(v);
	xs_close(h);
	return err;
}

/* SPDX-License-Identifier: MIT */
/* A guest's tsmc area: enable/disable (dom0-written) and the module's
 * report (guest-written, untrusted). */
#ifndef TSMC_GUEST_H
#define TSMC_GUEST_H

#include <stdbool.h>

#include "xs_paths.h"
#include "xsi.h"

struct guest_settings {
	unsigned int max_conns;
	unsigned int ring_order;
};

#define GUEST_SETTINGS_DEFAULT \
	{ TSMC_XS_MAX_CONNS_DEFAULT, TSMC_XS_RING_ORDER_DEFAULT }

/* Inside tx: write tsmc/{enabled=1,host-tag,settings,peers}, perms n0 r<domid>. */
int guest_enable_tx(struct xsi *x, xsi_tx tx, unsigned int domid,
		    const char *host_tag, const struct guest_settings *s);
/* Inside tx: enabled=0, drop tag/settings/peers and every pair of domid. */
int guest_disable_tx(struct xsi *x, xsi_tx tx, unsigned int domid);
/* Current settings of an enabled guest (defaults for anything unreadable). */
void guest_settings_read(struct xsi *x, xsi_tx tx, unsigned int domid,
			 struct guest_settings *s);
/* Is the written host-tag equal to tag? */
bool guest_tag_is(struct xsi *x, xsi_tx tx, unsigned int domid, const char *tag);

/* What the guest module reports. Every field is validated; a field that
 * is missing or malformed is left empty / -1 and 'garbage' is set. */
struct guest_report {
	bool present;
	bool garbage;
	char version[TSMC_XS_REPORT_VERSION_MAXLEN + 1];
	long wire_version;
	char state[16];
	char doorbell[8];
	long conns;
};

void guest_report_read(struct xsi *x, xsi_tx tx, unsigned int domid,
		       struct guest_report *r);

#endif

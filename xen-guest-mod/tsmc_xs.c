// SPDX-License-Identifier: GPL-2.0
/*
 * Xenstore glue: who we are, what we report to dom0, and which peers dom0
 * provisioned for us. Paths come from the generated xs_paths.h only.
 * Values under tsmc/ are written by dom0, but are still checked before use.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <xen/xenbus.h>

#include "tsmc_xen.h"

static char peers_path[TSMC_XS_PATH_MAX];
static struct xenbus_watch peers_watch;
static bool peers_watching;
static struct work_struct scan_work;

int tsmc_xs_read_self(domid_t *self)
{
	unsigned int id;
	int n;

	/* The relative key "domid" is our own (no exported variable). */
	n = xenbus_scanf(XBT_NIL, "domid", "", "%u", &id);
	if (n != 1)
		return n < 0 ? n : -EINVAL;
	if (id == 0 || id >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	*self = id;
	return 0;
}

/*
 * dom0's host tag for this host: exactly TSMC_XS_HOST_TAG_HEXLEN hex
 * digits. Absent or malformed means "no tag": nothing will pair.
 */
static_assert(TSMC_XS_HOST_TAG_HEXLEN == 2 * TSMC_HOST_TAG_LEN);

int tsmc_xs_read_host_tag(u8 tag[TSMC_HOST_TAG_LEN])
{
	char *s;
	int err = -EINVAL;

	s = xenbus_read(XBT_NIL, TSMC_XS_HOST_TAG_REL, "", NULL);
	if (IS_ERR(s))
		return PTR_ERR(s);
	if (strlen(s) == TSMC_XS_HOST_TAG_HEXLEN &&
	    !hex2bin(tag, s, TSMC_HOST_TAG_LEN))
		err = 0;
	kfree(s);
	return err;
}

/* version, wire version and state in one transaction, retried on EAGAIN. */
int tsmc_xs_report(const char *state)
{
	struct xenbus_transaction xbt;
	int err;

again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		return err;
	err = xenbus_write(xbt, TSMC_XS_REPORT_VERSION_REL, "",
			   TSMC_MODULE_VERSION);
	if (!err)
		err = xenbus_printf(xbt, TSMC_XS_REPORT_WIRE_VERSION_REL, "",
				    "%u", TSMC_WIRE_VERSION);
	if (!err)
		err = xenbus_write(xbt, TSMC_XS_REPORT_STATE_REL, "", state);
	if (err) {
		xenbus_transaction_end(xbt, 1);
		return err;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	return err;
}

void tsmc_xs_report_remove(void)
{
	xenbus_rm(XBT_NIL, TSMC_XS_REPORT_DIR_REL, "");
}

/* "7" -> 7; anything but a plain decimal domid other than ours fails. */
static int tsmc_parse_domid(const char *s, domid_t *out)
{
	unsigned int v;

	if (kstrtouint(s, 10, &v) || v >= DOMID_FIRST_RESERVED ||
	    v == tsmc_self)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * Make the pair list match tsmc/peers: add new peers, drop vanished ones.
 * A vanished entry is how dom0 says the peer died or policy changed.
 */
static void tsmc_scan_peers(struct work_struct *work)
{
	struct tsmc_pair *p, *tmp;
	unsigned long *seen;
	unsigned int i, n = 0;
	char **dir;
	domid_t peer;

	seen = bitmap_zalloc(DOMID_FIRST_RESERVED, GFP_KERNEL);
	if (!seen)
		return;
	dir = xenbus_directory(XBT_NIL, TSMC_XS_PEERS_DIR_REL, "", &n);
	if (IS_ERR(dir)) {
		n = 0;
		dir = NULL;
	}
	for (i = 0; i < n; i++) {
		if (tsmc_parse_domid(dir[i], &peer)) {
			pr_warn_ratelimited("ignoring peer entry '%.16s'\n",
					    dir[i]);
			continue;
		}
		__set_bit(peer, seen);
		if (!tsmc_pair_find(peer))
			tsmc_pair_add(peer);
	}
	kfree(dir);

	mutex_lock(&tsmc_lock);
	list_for_each_entry_safe(p, tmp, &tsmc_pairs, node) {
		if (test_bit(p->peer, seen))
			continue;
		tsmc_pair_unlink(p);
		mutex_unlock(&tsmc_lock);
		tsmc_pair_remove(p);
		mutex_lock(&tsmc_lock);
	}
	mutex_unlock(&tsmc_lock);
	bitmap_free(seen);
}

/* xenwatch thread: never block it, hand the scan to our workqueue. */
static void tsmc_peers_changed(struct xenbus_watch *w, const char *path,
			       const char *token)
{
	queue_work(tsmc_wq, &scan_work);
}

int tsmc_xs_start(void)
{
	int err;

	INIT_WORK(&scan_work, tsmc_scan_peers);
	snprintf(peers_path, sizeof(peers_path), TSMC_XS_PEERS_DIR, tsmc_self);
	peers_watch.node = peers_path;
	peers_watch.callback = tsmc_peers_changed;
	err = register_xenbus_watch(&peers_watch);
	if (err)
		return err;
	peers_watching = true;
	/* Registering fires once; scan anyway in case it raced the init. */
	queue_work(tsmc_wq, &scan_work);
	return 0;
}

void tsmc_xs_stop(void)
{
	if (peers_watching)
		unregister_xenbus_watch(&peers_watch);
	peers_watching = false;
	flush_work(&scan_work);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * tsmc-xen: Transparent Shared Memory Communications for Xen guests.
 *
 * Module entry points: learn who we are, tell dom0 we are here, and follow
 * the pair directories dom0 provisions for us (tsmc_xs.c, tsmc_pair.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include "tsmc_xen.h"

struct workqueue_struct *tsmc_wq;
domid_t tsmc_self;
/*
 * Guards changes to tsmc_pairs; held across a sysfs ping so no pair is
 * freed under it. Doorbells only read the list, under RCU.
 */
DEFINE_MUTEX(tsmc_lock);
LIST_HEAD(tsmc_pairs);

u8 tsmc_host_tag[TSMC_HOST_TAG_LEN];
bool tsmc_host_tag_ok;
bool tsmc_fault_inject;
module_param_named(fault_inject, tsmc_fault_inject, bool, 0444);
MODULE_PARM_DESC(fault_inject,
		 "Test only: allow /sys/kernel/tsmc_xen/fault to corrupt our side of a control ring");

/* Checked once at load; see tsmc_params_check(). */
unsigned int tsmc_ring_order = TSMC_CONN_ORDER_DEFAULT;
module_param_named(ring_order, tsmc_ring_order, uint, 0444);
MODULE_PARM_DESC(ring_order,
		 "log2 bytes of each connection ring's data area, 12..20 (default 16: 64 KiB, 17 pool slots per direction)");
unsigned int tsmc_pool_slots = TSMC_POOL_MAX_SLOTS;
module_param_named(pool_slots, tsmc_pool_slots, uint, 0444);
MODULE_PARM_DESC(pool_slots,
		 "Pool slots of each peer this guest maps at most, a multiple of 24 up to 768 (the peer's connection limit)");

static int tsmc_params_check(void)
{
	if (tsmc_ring_order < TSMC_RING_ORDER_MIN ||
	    tsmc_ring_order > TSMC_RING_ORDER_MAX) {
		pr_err("ring_order=%u is outside %u..%u\n", tsmc_ring_order,
		       TSMC_RING_ORDER_MIN, TSMC_RING_ORDER_MAX);
		return -EINVAL;
	}
	if (!tsmc_pool_slots || tsmc_pool_slots > TSMC_POOL_MAX_SLOTS ||
	    tsmc_pool_slots % TSMC_POOL_REFS_PER_MSG) {
		pr_err("pool_slots=%u is not a multiple of %u up to %u\n",
		       tsmc_pool_slots, TSMC_POOL_REFS_PER_MSG,
		       TSMC_POOL_MAX_SLOTS);
		return -EINVAL;
	}
	return 0;
}

/*
 * "ready" when dom0 enabled us and gave a valid host tag, "disabled" when
 * it said no, else "loaded". The tag is read once: dom0 rotates it only
 * with the guests' modules reloaded (docs/xenctl.md).
 */
static const char *tsmc_initial_state(void)
{
	unsigned int en;

	if (xenbus_scanf(XBT_NIL, TSMC_XS_ENABLED_REL, "", "%u", &en) != 1)
		return TSMC_XS_REPORT_STATE_LOADED;
	tsmc_host_tag_ok = en == 1 && !tsmc_xs_read_host_tag(tsmc_host_tag);
	if (en == 1 && !tsmc_host_tag_ok) {
		pr_warn("enabled, but dom0's host tag is missing or malformed\n");
		return TSMC_XS_REPORT_STATE_LOADED;
	}
	return en == 1 ? TSMC_XS_REPORT_STATE_READY :
			 TSMC_XS_REPORT_STATE_DISABLED;
}

static int __init tsmc_init(void)
{
	int err;

	/* Grants and event channels need a Xen guest with xenstore. */
	if (!xen_domain() || xen_initial_domain())
		return -ENODEV;
	err = tsmc_params_check();
	if (err)
		return err;

	err = tsmc_xs_read_self(&tsmc_self);
	if (err) {
		pr_err("cannot read own domid from xenstore (%d)\n", err);
		return err;
	}
	tsmc_wq = alloc_workqueue("tsmc_xen", WQ_UNBOUND, 0);
	if (!tsmc_wq)
		return -ENOMEM;
	/* Before any pair exists: an early doorbell finds none. */
	err = tsmc_doorbell_init();
	if (err)
		goto err_wq;
	err = tsmc_sysfs_init();
	if (err)
		goto err_doorbell;
	err = tsmc_procfs_init();
	if (err)
		goto err_sysfs;
	err = tsmc_xs_report(tsmc_initial_state());
	if (err)
		pr_warn("cannot report to dom0 (%d)\n", err);
	err = tsmc_xs_start();
	if (err)
		goto err_report;

	pr_info("version %s (wire %u) loaded in domain %u\n",
		TSMC_MODULE_VERSION, TSMC_WIRE_VERSION, tsmc_self);
	return 0;

err_report:
	tsmc_procfs_exit();
	tsmc_xs_report_remove();
err_sysfs:
	tsmc_sysfs_exit();
err_doorbell:
	tsmc_doorbell_exit();
err_wq:
	destroy_workqueue(tsmc_wq);
	return err;
}

/*
 * No doorbell is running: a socket inside our cc init() and a loaded
 * program that calls the kfunc both hold a module reference.
 */
static void __exit tsmc_exit(void)
{
	tsmc_doorbell_exit();
	tsmc_xs_report(TSMC_XS_REPORT_STATE_UNLOADING);
	tsmc_xs_stop();
	tsmc_pair_remove_all();
	rcu_barrier();		/* links freed by call_rcu */
	tsmc_procfs_exit();
	tsmc_sysfs_exit();
	destroy_workqueue(tsmc_wq);
	tsmc_xs_report_remove();
	pr_info("unloaded (%d grants left to the deferred list)\n",
		atomic_read(&tsmc_grants_deferred));
}

module_init(tsmc_init);
module_exit(tsmc_exit);

MODULE_DESCRIPTION("Transparent Shared Memory Communications for Xen");
MODULE_AUTHOR("tsmc-xen developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(TSMC_MODULE_VERSION);

// SPDX-License-Identifier: GPL-2.0
/*
 * tsmc-xen: Transparent Shared Memory Communications for Xen guests.
 *
 * Module entry points. The pair channel, grant pool and socket switch are
 * added in their own files; this file only decides whether the module may
 * run here at all.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <xen/xen.h>

#include "tsmc_xen/wire.h"

#define TSMC_MODULE_VERSION "0.1.0"

static int __init tsmc_init(void)
{
	/* Grants and event channels need a Xen guest, PV or PVH. */
	if (!xen_domain())
		return -ENODEV;

	pr_info("version %s (wire %u) loaded\n", TSMC_MODULE_VERSION,
		TSMC_WIRE_VERSION);
	return 0;
}

static void __exit tsmc_exit(void)
{
	pr_info("unloaded\n");
}

module_init(tsmc_init);
module_exit(tsmc_exit);

MODULE_DESCRIPTION("Transparent Shared Memory Communications for Xen");
MODULE_AUTHOR("tsmc-xen developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(TSMC_MODULE_VERSION);

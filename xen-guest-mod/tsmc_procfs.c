// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/tsmc_xen: one line per switched connection of this network
 * namespace, read by the guest tool tsmc-ss. A seq_file rather than a
 * sysfs attribute: sysfs stops at one page, 45 connections per pair do
 * not fit in it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "tsmc_xen.h"

static int tsmc_conns_seq_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	struct tsmc_pair *p;
	struct tsmc_link *l;

	mutex_lock(&tsmc_lock);		/* pairs stay */
	list_for_each_entry(p, &tsmc_pairs, node) {
		rcu_read_lock();	/* links stay */
		list_for_each_entry_rcu(l, &p->links, node)
			if (net_eq(read_pnet(&l->net), net))
				tsmc_link_show(seq, p, l);
		rcu_read_unlock();
	}
	mutex_unlock(&tsmc_lock);
	return 0;
}

static int __net_init tsmc_procfs_net_init(struct net *net)
{
	if (!proc_create_net_single("tsmc_xen", 0444, net->proc_net,
				    tsmc_conns_seq_show, NULL))
		return -ENOMEM;
	return 0;
}

static void __net_exit tsmc_procfs_net_exit(struct net *net)
{
	remove_proc_entry("tsmc_xen", net->proc_net);
}

static struct pernet_operations tsmc_procfs_net_ops = {
	.init = tsmc_procfs_net_init,
	.exit = tsmc_procfs_net_exit,
};

int tsmc_procfs_init(void)
{
	return register_pernet_subsys(&tsmc_procfs_net_ops);
}

void tsmc_procfs_exit(void)
{
	unregister_pernet_subsys(&tsmc_procfs_net_ops);
}

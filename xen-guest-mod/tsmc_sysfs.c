// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/tsmc_xen: guest-side state without debugfs.
 *   self             our domid
 *   host_tag         dom0's host tag (16 hex digits) or "none"
 *   pairs            one line per pair channel
 *   grants_deferred  grants handed to the kernel's deferred-end list
 *   ping             write "PEER COUNT" to run round trips; read the result
 *   fault            write "PEER type|index|pool" (needs fault_inject=1)
 *   pool_hold        write "PEER N": hold N more pool slots, N = 0 gives
 *                    them back (needs fault_inject=1)
 *   doorbell         doorbells registered and their counters
 *   candidates       the last 16 doorbell calls (tsmc_doorbell.c)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "tsmc_xen.h"

static struct kobject *tsmc_kobj;
static DEFINE_MUTEX(ping_result_lock);
static struct tsmc_ping_result last_ping;
static unsigned int last_ping_peer;
static int last_ping_err = -ENODATA;

static ssize_t self_show(struct kobject *k, struct kobj_attribute *a,
			 char *buf)
{
	return sysfs_emit(buf, "%u\n", tsmc_self);
}

static ssize_t host_tag_show(struct kobject *k, struct kobj_attribute *a,
			     char *buf)
{
	if (!tsmc_host_tag_ok)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%*phN\n", TSMC_HOST_TAG_LEN, tsmc_host_tag);
}

static ssize_t pairs_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	struct tsmc_pair *p;
	int len = 0;

	mutex_lock(&tsmc_lock);
	list_for_each_entry(p, &tsmc_pairs, node) {
		len += sysfs_emit_at(buf, len,
				     "peer=%u role=%s state=%s version=%u error=%d events=%llu pings=%llu pongs=%llu pool_own=%u pool_free=%u pool_peer=%u pool_grows=%lu doorbells=%lld up_ms=%u ",
				     p->peer, p->server ? "grant" : "map",
				     tsmc_pair_state_name(READ_ONCE(p->state)),
				     p->version, p->error, p->events,
				     p->pings, p->pongs,
				     READ_ONCE(p->pool.own_slots),
				     tsmc_pool_free_slots(p),
				     READ_ONCE(p->pool.peer_slots),
				     READ_ONCE(p->pool.grows),
				     atomic64_read(&p->doorbells),
				     READ_ONCE(p->up_ms));
		len += tsmc_conn_stats_show(p, buf, len);
	}
	mutex_unlock(&tsmc_lock);
	return len;
}

static ssize_t grants_deferred_show(struct kobject *k,
				    struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&tsmc_grants_deferred));
}

static ssize_t ping_show(struct kobject *k, struct kobj_attribute *a,
			 char *buf)
{
	struct tsmc_ping_result r;
	int len;

	mutex_lock(&ping_result_lock);
	r = last_ping;
	len = sysfs_emit(buf,
			 "peer=%u err=%d sent=%u ok=%u bad=%u avg_ns=%llu min_ns=%llu max_ns=%llu\n",
			 last_ping_peer, last_ping_err, r.sent, r.ok, r.bad,
			 r.ok ? div_u64(r.total_ns, r.ok) : 0, r.min_ns,
			 r.max_ns);
	mutex_unlock(&ping_result_lock);
	return len;
}

/* The pair list lock is held throughout, so the pair cannot be freed. */
static ssize_t ping_store(struct kobject *k, struct kobj_attribute *a,
			  const char *buf, size_t count)
{
	struct tsmc_ping_result r;
	unsigned int peer, n;
	struct tsmc_pair *p;
	int err = -ENOENT;

	if (sscanf(buf, "%u %u", &peer, &n) != 2 || !n || n > 1000000)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	mutex_lock(&tsmc_lock);
	list_for_each_entry(p, &tsmc_pairs, node) {
		if (p->peer == peer) {
			err = tsmc_ctl_ping(p, n, &r);
			break;
		}
	}
	mutex_unlock(&tsmc_lock);

	mutex_lock(&ping_result_lock);
	last_ping = r;
	last_ping_peer = peer;
	last_ping_err = err;
	mutex_unlock(&ping_result_lock);
	return err ? err : count;
}

static ssize_t fault_store(struct kobject *k, struct kobj_attribute *a,
			   const char *buf, size_t count)
{
	char kind[16];
	unsigned int peer;
	struct tsmc_pair *p;
	int err = -ENOENT;

	if (sscanf(buf, "%u %15s", &peer, kind) != 2)
		return -EINVAL;
	mutex_lock(&tsmc_lock);
	list_for_each_entry(p, &tsmc_pairs, node) {
		if (p->peer == peer) {
			err = tsmc_ctl_inject(p, kind);
			break;
		}
	}
	mutex_unlock(&tsmc_lock);
	return err ? err : count;
}

static ssize_t pool_hold_store(struct kobject *k, struct kobj_attribute *a,
			       const char *buf, size_t count)
{
	unsigned int peer, n;
	struct tsmc_pair *p;
	int err = -ENOENT;

	if (!tsmc_fault_inject)
		return -EPERM;
	if (sscanf(buf, "%u %u", &peer, &n) != 2 || n > TSMC_POOL_MAX_SLOTS)
		return -EINVAL;
	mutex_lock(&tsmc_lock);
	list_for_each_entry(p, &tsmc_pairs, node) {
		if (p->peer == peer) {
			mutex_lock(&p->lock);	/* not during teardown */
			err = tsmc_pool_test_hold(p, n);
			mutex_unlock(&p->lock);
			break;
		}
	}
	mutex_unlock(&tsmc_lock);
	return err ? err : count;
}

static ssize_t doorbell_show(struct kobject *k, struct kobj_attribute *a,
			     char *buf)
{
	return tsmc_doorbell_show(buf);
}

static ssize_t candidates_show(struct kobject *k, struct kobj_attribute *a,
			       char *buf)
{
	return tsmc_doorbell_candidates_show(buf);
}

static struct kobj_attribute self_attr = __ATTR_RO(self);
static struct kobj_attribute host_tag_attr = __ATTR_RO(host_tag);
static struct kobj_attribute pairs_attr = __ATTR_RO(pairs);

static struct kobj_attribute grants_deferred_attr =
	__ATTR_RO(grants_deferred);
static struct kobj_attribute ping_attr = __ATTR_RW(ping);
static struct kobj_attribute fault_attr = __ATTR_WO(fault);
static struct kobj_attribute pool_hold_attr = __ATTR_WO(pool_hold);
static struct kobj_attribute doorbell_attr = __ATTR_RO(doorbell);
static struct kobj_attribute candidates_attr = __ATTR_RO(candidates);

static struct attribute *tsmc_attrs[] = {
	&self_attr.attr,
	&host_tag_attr.attr,
	&pairs_attr.attr,
	&grants_deferred_attr.attr,
	&ping_attr.attr,
	&fault_attr.attr,
	&pool_hold_attr.attr,
	&doorbell_attr.attr,
	&candidates_attr.attr,
	NULL,
};

static const struct attribute_group tsmc_group = {
	.attrs = tsmc_attrs,
};

int tsmc_sysfs_init(void)
{
	int err;

	tsmc_kobj = kobject_create_and_add("tsmc_xen", kernel_kobj);
	if (!tsmc_kobj)
		return -ENOMEM;
	err = sysfs_create_group(tsmc_kobj, &tsmc_group);
	if (err) {
		kobject_put(tsmc_kobj);
		tsmc_kobj = NULL;
	}
	return err;
}

void tsmc_sysfs_exit(void)
{
	if (!tsmc_kobj)
		return;
	sysfs_remove_group(tsmc_kobj, &tsmc_group);
	kobject_put(tsmc_kobj);
	tsmc_kobj = NULL;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Pair channel lifecycle: one control ring + event channel per peer domain
 * that dom0 provisioned for us. The lower domid (server) grants the pages
 * and allocates the port; the higher one (client) maps and binds. Each side
 * announces progress in its own state node, which the other side watches.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <xen/events.h>
#include <xen/xenbus.h>

#include "tsmc_xen.h"

static const char * const state_names[] = {
	[TSMC_PAIR_INIT]	= "init",
	[TSMC_PAIR_WAITING]	= "waiting",
	[TSMC_PAIR_PUBLISHED]	= "published",
	[TSMC_PAIR_HELLO]	= "hello",
	[TSMC_PAIR_CONNECTED]	= "connected",
	[TSMC_PAIR_BROKEN]	= "broken",
	[TSMC_PAIR_CLOSED]	= "closed",
};

const char *tsmc_pair_state_name(enum tsmc_pair_state s)
{
	return s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

struct tsmc_pair *tsmc_pair_find(domid_t peer)
{
	struct tsmc_pair *p, *found = NULL;

	mutex_lock(&tsmc_lock);
	list_for_each_entry(p, &tsmc_pairs, node) {
		if (p->peer == peer) {
			found = p;
			break;
		}
	}
	mutex_unlock(&tsmc_lock);
	return found;
}

/* Stop using the ring at once; resources go at reset or removal. */
void tsmc_pair_break(struct tsmc_pair *p, int err, const char *why)
{
	unsigned long flags;

	spin_lock_irqsave(&p->tx_lock, flags);
	if (p->state != TSMC_PAIR_BROKEN) {
		pr_err("pair with domain %u broken: %s (%d); staying on TCP\n",
		       p->peer, why, err);
		p->state = TSMC_PAIR_BROKEN;
		p->error = err;
	}
	spin_unlock_irqrestore(&p->tx_lock, flags);
	wake_up_all(&p->ping_wq);
}

/* One state change seen by the tx path: from @from only, under tx_lock. */
bool tsmc_pair_advance(struct tsmc_pair *p, enum tsmc_pair_state from,
		       enum tsmc_pair_state to)
{
	unsigned long flags;
	bool done;

	spin_lock_irqsave(&p->tx_lock, flags);
	done = p->state == from;
	if (done)
		p->state = to;
	spin_unlock_irqrestore(&p->tx_lock, flags);
	return done;
}

/*
 * Under tx_lock. Connected once our HELLO went out and the peer's came
 * in, in either order; true when this call completed the pair. Our own
 * HELLO is marked in the same critical section that commits it, so a
 * peer message that follows the peer's HELLO never finds us half-way.
 */
bool tsmc_pair_hello_locked(struct tsmc_pair *p, bool sent, u16 version)
{
	if (sent) {
		p->hello_sent = true;
	} else {
		p->peer_hello = true;
		p->version = version;
	}
	if (p->hello_sent && p->peer_hello && p->state == TSMC_PAIR_HELLO) {
		p->state = TSMC_PAIR_CONNECTED;
		if (!p->up_ms)	/* sysfs reads it without tx_lock */
			WRITE_ONCE(p->up_ms,
				   max_t(s64, 1, ktime_ms_delta(ktime_get(),
								p->born)));
		return true;
	}
	return false;
}

/* After tsmc_pair_hello_locked() returned true, outside tx_lock. */
void tsmc_pair_connected(struct tsmc_pair *p)
{
	pr_info("pair with domain %u connected (wire v%u)\n", p->peer,
		p->version);
	tsmc_links_open(p);
	tsmc_pool_start(p);
}

static void tsmc_pair_set_state(struct tsmc_pair *p, enum tsmc_pair_state s)
{
	unsigned long flags;

	spin_lock_irqsave(&p->tx_lock, flags);
	p->state = s;
	spin_unlock_irqrestore(&p->tx_lock, flags);
}

static int tsmc_pair_write_state(struct tsmc_pair *p, const char *state)
{
	return xenbus_write(XBT_NIL, p->my_dir, TSMC_XS_PAIR_SIDE_STATE_LEAF,
			    state);
}

static irqreturn_t tsmc_pair_interrupt(int irq, void *dev_id)
{
	struct tsmc_pair *p = dev_id;

	/* The port stays masked until rx_work calls xen_irq_lateeoi(). */
	p->events++;
	tsmc_links_wake(p);
	queue_work(tsmc_wq, &p->rx_work);
	return IRQ_HANDLED;
}

/* Point both ring ends at the shared pages; format them if we own them. */
static int tsmc_pair_attach_rings(struct tsmc_pair *p)
{
	u8 *idx = page_address(p->pages[0]);
	struct tsmc_ring_idx *s2c = (void *)(idx + TSMC_CTL_IDX_S2C);
	struct tsmc_ring_idx *c2s = (void *)(idx + TSMC_CTL_IDX_C2S);
	void *d_s2c = page_address(p->pages[TSMC_CTL_PAGE_S2C]);
	void *d_c2s = page_address(p->pages[TSMC_CTL_PAGE_C2S]);
	int err;

	if (p->server) {
		tsmc_ring_format(s2c, 0);
		tsmc_ring_format(c2s, 0);
		err = tsmc_ring_init(&p->tx, s2c, d_s2c, TSMC_CTL_ORDER, 0,
				     true);
		if (!err)
			err = tsmc_ring_init(&p->rx, c2s, d_c2s,
					     TSMC_CTL_ORDER, 0, false);
	} else {
		err = tsmc_ring_init(&p->tx, c2s, d_c2s, TSMC_CTL_ORDER, 0,
				     true);
		if (!err)
			err = tsmc_ring_init(&p->rx, s2c, d_s2c,
					     TSMC_CTL_ORDER, 0, false);
	}
	p->tx_seq = 0;
	p->rx_seq = 0;
	return err;
}

static int tsmc_pair_bind_irq(struct tsmc_pair *p)
{
	unsigned long flags;
	int irq;

	p->dying = false;
	p->eoi_pending = false;
	irq = bind_evtchn_to_irqhandler_lateeoi(p->port, tsmc_pair_interrupt,
						0, "tsmc-pair", p);
	if (irq < 0) {
		tsmc_evtchn_close(p->port);
		p->port = 0;
		return irq;
	}
	/*
	 * Xen marks a newly bound interdomain port pending, so rx_work may
	 * already have run without knowing the irq: give its EOI now, or
	 * the port stays masked for good.
	 */
	spin_lock_irqsave(&p->evt_lock, flags);
	p->irq = irq;
	if (p->eoi_pending) {
		p->eoi_pending = false;
		xen_irq_lateeoi(irq, 0);
	}
	spin_unlock_irqrestore(&p->evt_lock, flags);
	return 0;
}

/*
 * Teardown, phase 1: stop the event channel and drop every mapping of the
 * peer's pages (its pool, and the control ring if we are the client).
 */
static void tsmc_pair_unmap_peer(struct tsmc_pair *p)
{
	unsigned long flags;

	spin_lock_irqsave(&p->tx_lock, flags);
	if (p->state != TSMC_PAIR_BROKEN)
		p->state = TSMC_PAIR_CLOSED;
	p->hello_sent = false;
	p->peer_hello = false;
	spin_unlock_irqrestore(&p->tx_lock, flags);
	wake_up_all(&p->ping_wq);

	spin_lock_irqsave(&p->evt_lock, flags);
	p->dying = true;
	spin_unlock_irqrestore(&p->evt_lock, flags);
	if (p->irq > 0)
		unbind_from_irqhandler(p->irq, p);	/* closes the port */
	else if (p->port)
		tsmc_evtchn_close(p->port);
	p->irq = 0;
	p->port = 0;
	cancel_work_sync(&p->rx_work);
	cancel_delayed_work_sync(&p->alive_work);
	tsmc_links_kill(p);	/* before the rings' pages go */
	tsmc_pool_unmap_peer(p);
	if (p->mapped)
		tsmc_unmap_pages(p->pages, p->handles, TSMC_CTL_NR_PAGES);
	p->mapped = false;
	memset(&p->tx, 0, sizeof(p->tx));
	memset(&p->rx, 0, sizeof(p->rx));
}

/*
 * Phase 2: end our grants. A peer that still maps one leaves it to the
 * kernel's deferred list, so it is best done after the peer unmapped.
 */
static void tsmc_pair_end_grants(struct tsmc_pair *p)
{
	tsmc_pool_end_grants(p);
	if (p->pages[0])
		tsmc_ungrant_pages(p->pages, p->refs, TSMC_CTL_NR_PAGES);
}

/* Undo everything shared with the peer. Accepts half-built state. */
static void tsmc_pair_unshare(struct tsmc_pair *p)
{
	tsmc_pair_unmap_peer(p);
	tsmc_pair_end_grants(p);
}

/* Server: grant the control ring, allocate the port, publish both. */
static int tsmc_pair_publish(struct tsmc_pair *p)
{
	struct xenbus_transaction xbt;
	int err;

	err = tsmc_grant_pages(p->peer, p->pages, p->refs, TSMC_CTL_NR_PAGES);
	if (err)
		return err;
	err = tsmc_pair_attach_rings(p);
	if (!err)
		err = tsmc_evtchn_alloc_unbound(p->peer, &p->port);
	if (!err)
		err = tsmc_pair_bind_irq(p);
	if (err)
		goto fail;
again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		goto fail;
	err = xenbus_printf(xbt, p->my_dir, TSMC_XS_PAIR_CTL_RING_ORDER_LEAF,
			    "%u", TSMC_CTL_ORDER);
	if (!err)
		err = xenbus_printf(xbt, p->my_dir, TSMC_XS_PAIR_CTL_REFS_LEAF,
				    "%u %u %u", p->refs[0], p->refs[1],
				    p->refs[2]);
	if (!err)
		err = xenbus_printf(xbt, p->my_dir, TSMC_XS_PAIR_EVTCHN_LEAF,
				    "%u", p->port);
	if (!err)
		err = xenbus_printf(xbt, p->my_dir,
				    TSMC_XS_PAIR_SIDE_VERSION_LEAF, "%u",
				    TSMC_WIRE_VERSION);
	if (!err)
		err = xenbus_write(xbt, p->my_dir, TSMC_XS_PAIR_SIDE_STATE_LEAF,
				   TSMC_XS_PAIR_SIDE_STATE_INITIALISED);
	if (err) {
		xenbus_transaction_end(xbt, 1);
		goto fail;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	if (err)
		goto fail;
	tsmc_pair_set_state(p, TSMC_PAIR_PUBLISHED);
	return 0;
fail:
	tsmc_pair_unshare(p);
	return err;
}

/* Client: read the server's refs and port, checking each value. */
static int tsmc_pair_read_server(struct tsmc_pair *p, grant_ref_t *refs,
				 evtchn_port_t *port)
{
	char dir[TSMC_XS_PATH_MAX];
	unsigned int order, r[TSMC_CTL_NR_PAGES], v;
	char tail;
	char *s;
	int n;

	snprintf(dir, sizeof(dir), TSMC_XS_PAIR_SIDE_DIR, p->lo, p->hi,
		 p->peer);
	if (xenbus_scanf(XBT_NIL, dir, TSMC_XS_PAIR_CTL_RING_ORDER_LEAF, "%u",
			 &order) != 1 || order != TSMC_CTL_ORDER)
		return -EPROTO;
	if (xenbus_scanf(XBT_NIL, dir, TSMC_XS_PAIR_EVTCHN_LEAF, "%u",
			 &v) != 1 || !v)
		return -EPROTO;
	*port = v;
	s = xenbus_read(XBT_NIL, dir, TSMC_XS_PAIR_CTL_REFS_LEAF, NULL);
	if (IS_ERR(s))
		return PTR_ERR(s);
	/* Exactly three refs: a fourth item or trailing junk is refused. */
	n = sscanf(s, "%u %u %u %c", &r[0], &r[1], &r[2], &tail);
	kfree(s);
	if (n != TSMC_CTL_NR_PAGES)
		return -EPROTO;
	for (n = 0; n < TSMC_CTL_NR_PAGES; n++)
		refs[n] = r[n];
	return 0;
}

static int tsmc_pair_connect_client(struct tsmc_pair *p)
{
	evtchn_port_t remote;
	int err;

	err = tsmc_pair_read_server(p, p->refs, &remote);
	if (err) {
		pr_err("domain %u published a bad control ring (%d)\n",
		       p->peer, err);
		return err;
	}
	err = tsmc_map_pages(p->peer, p->refs, p->pages, p->handles,
			     TSMC_CTL_NR_PAGES);
	if (err)
		return err;
	p->mapped = true;
	err = tsmc_pair_attach_rings(p);
	if (!err)
		err = tsmc_evtchn_bind(p->peer, remote, &p->port);
	if (!err)
		err = tsmc_pair_bind_irq(p);
	if (!err) {
		tsmc_pair_advance(p, TSMC_PAIR_WAITING, TSMC_PAIR_HELLO);
		queue_delayed_work(tsmc_wq, &p->alive_work, TSMC_ALIVE_PERIOD);
		err = tsmc_pair_write_state(p,
					    TSMC_XS_PAIR_SIDE_STATE_CONNECTED);
	}
	if (err) {
		tsmc_pair_unshare(p);
		return err;
	}
	return tsmc_ctl_send_hello(p);
}

/* Back to the starting point of our role after the peer went away. */
static void tsmc_pair_restart(struct tsmc_pair *p)
{
	int err;

	tsmc_pair_unshare(p);
	tsmc_pair_set_state(p, TSMC_PAIR_INIT);
	p->error = 0;
	p->peer_gone = false;
	if (p->server) {
		err = tsmc_pair_publish(p);
		if (err)
			pr_err("publishing the channel to domain %u failed (%d)\n",
			       p->peer, err);
	} else {
		tsmc_pair_set_state(p, TSMC_PAIR_WAITING);
		tsmc_pair_write_state(p, TSMC_XS_PAIR_SIDE_STATE_INITWAIT);
	}
}

/* React to the peer's state node (xs_work, process context). */
static void tsmc_pair_peer_changed(struct work_struct *work)
{
	struct tsmc_pair *p = container_of(work, struct tsmc_pair, xs_work);
	unsigned int peer_state = 0;
	bool up;

	if (xenbus_scanf(XBT_NIL, p->peer_state_path, "", "%u",
			 &peer_state) != 1)
		peer_state = 0;	/* absent or garbage: peer not there */

	mutex_lock(&p->lock);
	up = p->state == TSMC_PAIR_HELLO || p->state == TSMC_PAIR_CONNECTED ||
	     p->state == TSMC_PAIR_BROKEN;
	if (up && (peer_state != TSMC_SIDE_CONNECTED || p->peer_gone)) {
		pr_info("domain %u left the pair channel\n", p->peer);
		tsmc_pair_restart(p);
	}
	if (!p->server && p->state == TSMC_PAIR_WAITING &&
	    peer_state == TSMC_SIDE_INITIALISED) {
		if (tsmc_pair_connect_client(p))
			tsmc_pair_set_state(p, TSMC_PAIR_WAITING);
	} else if (p->server && p->state == TSMC_PAIR_PUBLISHED &&
		   peer_state == TSMC_SIDE_CONNECTED) {
		tsmc_pair_advance(p, TSMC_PAIR_PUBLISHED, TSMC_PAIR_HELLO);
		queue_delayed_work(tsmc_wq, &p->alive_work, TSMC_ALIVE_PERIOD);
		if (tsmc_pair_write_state(p,
					  TSMC_XS_PAIR_SIDE_STATE_CONNECTED) ||
		    tsmc_ctl_send_hello(p))
			tsmc_pair_break(p, -EIO, "cannot announce the channel");
	}
	mutex_unlock(&p->lock);
}

/* The peer's port is closed (death, or gone without a word): restart. */
static void tsmc_pair_peer_gone(struct tsmc_pair *p)
{
	WRITE_ONCE(p->peer_gone, true);
	queue_work(tsmc_wq, &p->xs_work);
}

/*
 * Peer death sends no event and a domU gets no @releaseDomain: besides
 * dom0 removing the pair directory, poll our port's binding while up.
 */
static void tsmc_pair_alive(struct work_struct *work)
{
	struct tsmc_pair *p = container_of(to_delayed_work(work),
					   struct tsmc_pair, alive_work);
	enum tsmc_pair_state st = READ_ONCE(p->state);

	if (st != TSMC_PAIR_HELLO && st != TSMC_PAIR_CONNECTED)
		return;
	if (tsmc_evtchn_peer_bound(p->port)) {
		queue_delayed_work(tsmc_wq, &p->alive_work, TSMC_ALIVE_PERIOD);
		return;
	}
	/* Its pages stay valid while we map them: no need to break first. */
	pr_info("domain %u closed its end of the event channel\n", p->peer);
	tsmc_pair_peer_gone(p);
}

static void tsmc_pair_watch_cb(struct xenbus_watch *w, const char *path,
			       const char *token)
{
	struct tsmc_pair *p = container_of(w, struct tsmc_pair, peer_watch);

	queue_work(tsmc_wq, &p->xs_work);
}

/* dom0's pointer to the pair directory must be exactly the one we expect. */
static bool tsmc_pair_provisioned(struct tsmc_pair *p)
{
	char want[TSMC_XS_PATH_MAX], rel[TSMC_XS_PATH_MAX];
	bool ok;
	char *s;

	snprintf(want, sizeof(want), TSMC_XS_PAIR_DIR, p->lo, p->hi);
	snprintf(rel, sizeof(rel), TSMC_XS_PEER_REL, p->peer);
	s = xenbus_read(XBT_NIL, rel, "", NULL);
	if (IS_ERR(s))
		return false;
	ok = !strcmp(s, want);
	if (!ok)
		pr_warn("peer %u: unexpected pair directory '%.60s'\n",
			p->peer, s);
	kfree(s);
	return ok;
}

int tsmc_pair_add(domid_t peer)
{
	struct tsmc_pair *p;
	int err;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->peer = peer;
	p->born = ktime_get();
	p->server = tsmc_self < peer;
	p->lo = min(tsmc_self, peer);
	p->hi = max(tsmc_self, peer);
	mutex_init(&p->lock);
	mutex_init(&p->ping_lock);
	spin_lock_init(&p->tx_lock);
	spin_lock_init(&p->evt_lock);
	init_waitqueue_head(&p->ping_wq);
	INIT_WORK(&p->xs_work, tsmc_pair_peer_changed);
	INIT_WORK(&p->rx_work, tsmc_ctl_rx_work);
	INIT_DELAYED_WORK(&p->alive_work, tsmc_pair_alive);
	tsmc_pool_init(p);
	tsmc_conn_init(p);
	tsmc_links_init(p);
	for (err = 0; err < TSMC_CTL_NR_PAGES; err++)
		p->handles[err] = INVALID_GRANT_HANDLE;
	snprintf(p->my_dir, sizeof(p->my_dir), TSMC_XS_PAIR_SIDE_DIR, p->lo,
		 p->hi, tsmc_self);
	snprintf(p->peer_state_path, sizeof(p->peer_state_path),
		 TSMC_XS_PAIR_SIDE_STATE, p->lo, p->hi, peer);

	if (!tsmc_pair_provisioned(p)) {
		kfree(p);
		return -ENOENT;
	}

	mutex_lock(&p->lock);
	tsmc_pair_restart(p);
	mutex_unlock(&p->lock);

	p->peer_watch.node = p->peer_state_path;
	p->peer_watch.callback = tsmc_pair_watch_cb;
	err = register_xenbus_watch(&p->peer_watch);
	if (err) {
		pr_err("cannot watch %s (%d)\n", p->peer_state_path, err);
		mutex_lock(&p->lock);
		tsmc_pair_unshare(p);
		mutex_unlock(&p->lock);
		kfree(p);
		return err;
	}
	p->watching = true;

	mutex_lock(&tsmc_lock);
	list_add_tail_rcu(&p->node, &tsmc_pairs);
	mutex_unlock(&tsmc_lock);
	pr_info("pair with domain %u: %s side\n", peer,
		p->server ? "granting" : "mapping");
	return 0;
}

/* Is the peer's side still CONNECTED (i.e. may it still map our pages)? */
static bool tsmc_pair_peer_connected(struct tsmc_pair *p)
{
	unsigned int st;

	return xenbus_scanf(XBT_NIL, p->peer_state_path, "", "%u", &st) == 1 &&
	       st == TSMC_SIDE_CONNECTED;
}

/*
 * Under tsmc_lock. Doorbells walk tsmc_pairs under RCU only (they run in
 * softirq and cannot take a mutex), so membership changes are RCU list
 * operations and tsmc_pair_remove() waits for a grace period before it
 * touches the pair. RCU rather than a spinlock: doorbells on many CPUs
 * never serialise on each other, and removal sleeps anyway.
 */
void tsmc_pair_unlink(struct tsmc_pair *p)
{
	lockdep_assert_held(&tsmc_lock);
	list_del_rcu(&p->node);
}

/*
 * Caller has unlinked @p (tsmc_pair_unlink). Leaving in order, so that
 * neither side ends a grant the other still maps: BYE, drop our
 * mappings, say CLOSING; the peer then drops its mappings and changes its
 * state node, and only then do we end our grants (bounded wait: a dead or
 * stuck peer leaves them to the kernel's deferred list).
 */
void tsmc_pair_remove(struct tsmc_pair *p)
{
	unsigned int i;
	bool wait;

	synchronize_rcu();	/* no doorbell still sees @p */
	if (p->watching)
		unregister_xenbus_watch(&p->peer_watch);
	cancel_work_sync(&p->xs_work);

	mutex_lock(&p->ping_lock);	/* no ping in flight */
	mutex_lock(&p->lock);
	wait = p->state == TSMC_PAIR_CONNECTED || p->state == TSMC_PAIR_HELLO ||
	       p->state == TSMC_PAIR_BROKEN;
	if (p->state == TSMC_PAIR_CONNECTED)
		tsmc_ctl_send(p, TSMC_CTL_BYE, NULL, 0);
	tsmc_pair_unmap_peer(p);
	/* The directory may already be gone with the peer: best effort. */
	tsmc_pair_write_state(p, TSMC_XS_PAIR_SIDE_STATE_CLOSING);
	for (i = 0; wait && i < TSMC_LEAVE_WAIT_MS / 20; i++) {
		if (!tsmc_pair_peer_connected(p))
			break;
		msleep(20);
	}
	tsmc_pair_end_grants(p);
	tsmc_pair_write_state(p, TSMC_XS_PAIR_SIDE_STATE_CLOSED);
	mutex_unlock(&p->lock);
	mutex_unlock(&p->ping_lock);
	tsmc_conn_flush(p);
	pr_info("pair with domain %u removed\n", p->peer);
	kfree(p);
}

void tsmc_pair_remove_all(void)
{
	struct tsmc_pair *p;

	mutex_lock(&tsmc_lock);
	while (!list_empty(&tsmc_pairs)) {
		p = list_first_entry(&tsmc_pairs, struct tsmc_pair, node);
		tsmc_pair_unlink(p);
		mutex_unlock(&tsmc_lock);
		tsmc_pair_remove(p);
		mutex_lock(&tsmc_lock);
	}
	mutex_unlock(&tsmc_lock);
}

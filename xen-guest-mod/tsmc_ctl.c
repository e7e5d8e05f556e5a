// SPDX-License-Identifier: GPL-2.0
/*
 * Pair-channel control messages: fixed 128-byte records (wire.h) on the
 * control ring. Each record is copied out of shared memory once, then
 * checked; anything unexpected marks the pair broken.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <xen/events.h>

#include "tsmc_xen.h"

/* Records per rx_work run before yielding the worker. */
#define TSMC_CTL_BUDGET		64
#define TSMC_PING_TIMEOUT	(2 * HZ)

int tsmc_ctl_send(struct tsmc_pair *p, u16 type, const void *body,
		  size_t len)
{
	struct tsmc_ring_span sp[2];
	struct tsmc_ctl_msg msg = {};
	unsigned long flags;
	bool connected = false;
	int n, notify;

	if (len > sizeof(msg.dummy))
		return -EINVAL;
	msg.hdr.type = cpu_to_le16(type);
	if (len)
		memcpy(msg.dummy, body, len);

	spin_lock_irqsave(&p->tx_lock, flags);
	/* Before version agreement only HELLO may go out. */
	if (p->state != TSMC_PAIR_CONNECTED &&
	    !(p->state == TSMC_PAIR_HELLO && type == TSMC_CTL_HELLO)) {
		spin_unlock_irqrestore(&p->tx_lock, flags);
		return -ENOTCONN;
	}
	n = tsmc_ring_reserve(&p->tx, sp, sizeof(msg));
	if (n >= 0 && n < (int)sizeof(msg)) {
		spin_unlock_irqrestore(&p->tx_lock, flags);
		return -EAGAIN;		/* peer is slow to read: caller retries */
	}
	if (n < 0) {
		spin_unlock_irqrestore(&p->tx_lock, flags);
		tsmc_pair_break(p, n, "control ring refused a write");
		return n;
	}
	msg.hdr.seq = cpu_to_le32(p->tx_seq++);
	tsmc_ring_spans_in(sp, &msg, sizeof(msg));
	notify = tsmc_ring_commit(&p->tx, sizeof(msg));
	if (notify > 0)
		notify_remote_via_irq(p->irq);
	if (notify >= 0 && type == TSMC_CTL_HELLO)
		connected = tsmc_pair_hello_locked(p, true, 0);
	spin_unlock_irqrestore(&p->tx_lock, flags);
	if (connected)
		tsmc_pair_connected(p);
	return notify < 0 ? notify : 0;
}

int tsmc_ctl_send_hello(struct tsmc_pair *p)
{
	struct tsmc_ctl_hello h = {
		.ver_min = cpu_to_le16(TSMC_WIRE_VERSION),
		.ver_max = cpu_to_le16(TSMC_WIRE_VERSION),
		.domid = cpu_to_le16(tsmc_self),
		.ring_order_max = cpu_to_le32(TSMC_RING_ORDER_MAX),
		.slots_max = cpu_to_le32(tsmc_pool_slots),
	};

	return tsmc_ctl_send(p, TSMC_CTL_HELLO, &h, sizeof(h));
}

static int tsmc_ctl_hello(struct tsmc_pair *p, const struct tsmc_ctl_hello *h)
{
	u16 lo = le16_to_cpu(h->ver_min), hi = le16_to_cpu(h->ver_max);
	u16 ver = min_t(u16, hi, TSMC_WIRE_VERSION);
	unsigned long flags;
	bool connected;

	if (le16_to_cpu(h->domid) != p->peer)
		return -EPROTO;
	if (lo > hi || ver < lo || ver < TSMC_WIRE_VERSION)
		return -EPROTONOSUPPORT;
	if (p->peer_hello)
		return -EPROTO;		/* one HELLO per channel */
	/* Any value is fine: we grant min(this, our own limit). */
	p->peer_slots_max = le32_to_cpu(h->slots_max);
	spin_lock_irqsave(&p->tx_lock, flags);
	connected = tsmc_pair_hello_locked(p, false, ver);
	spin_unlock_irqrestore(&p->tx_lock, flags);
	if (connected)
		tsmc_pair_connected(p);
	return 0;
}

static void tsmc_ctl_pong(struct tsmc_pair *p, const struct tsmc_ctl_ping *pg)
{
	p->pongs++;
	if (!p->ping_cookie || le64_to_cpu(pg->cookie) != p->ping_cookie)
		return;
	p->ping_payload_ok = !memcmp(pg->payload, p->ping_payload,
				     sizeof(p->ping_payload));
	/* Result fields /then/ done flag; the waiter reads in reverse. */
	smp_store_release(&p->ping_done, true);
	wake_up(&p->ping_wq);
}

/* Act on one record; a negative return breaks the pair. */
static int tsmc_ctl_handle(struct tsmc_pair *p, const struct tsmc_ctl_msg *m)
{
	u16 type = le16_to_cpu(m->hdr.type);
	int err;

	if (le32_to_cpu(m->hdr.seq) != p->rx_seq)
		return -EPROTO;
	p->rx_seq++;
	if (type != TSMC_CTL_HELLO && p->state != TSMC_PAIR_CONNECTED)
		return -EPROTO;	/* nothing before version agreement */

	switch (type) {
	case TSMC_CTL_HELLO:
		return tsmc_ctl_hello(p, &m->hello);
	case TSMC_CTL_PING:
		p->pings++;
		err = tsmc_ctl_send(p, TSMC_CTL_PONG, &m->ping,
				    sizeof(m->ping));
		/* A full ring drops the reply: the pinger times out. */
		return err == -EAGAIN ? 0 : err;
	case TSMC_CTL_PONG:
		tsmc_ctl_pong(p, &m->ping);
		return 0;
	case TSMC_CTL_POOL_ADD:
		return tsmc_pool_peer_add(p, &m->pool_add);
	case TSMC_CTL_OFFER:
	case TSMC_CTL_ACCEPT:
	case TSMC_CTL_REJECT:
	case TSMC_CTL_CLOSE:
		return tsmc_conn_rx(p, m);
	case TSMC_CTL_BYE:
		/*
		 * Its state node says CLOSING once it has dropped our pages;
		 * xs_work tears down then, so neither side ends a grant the
		 * other still maps.
		 */
		return 0;
	default:
		return -EPROTO;
	}
}

/* Drain the control ring; ends each event with its late EOI. */
void tsmc_ctl_rx_work(struct work_struct *work)
{
	struct tsmc_pair *p = container_of(work, struct tsmc_pair, rx_work);
	struct tsmc_ring_span sp[2];
	struct tsmc_ctl_msg msg;
	unsigned int done = 0;
	unsigned long flags;
	bool more = false;
	int n, err = 0;

	for (;;) {
		enum tsmc_pair_state st = READ_ONCE(p->state);

		if (st == TSMC_PAIR_BROKEN || st == TSMC_PAIR_CLOSED)
			break;
		if (done == TSMC_CTL_BUDGET) {
			more = true;
			break;
		}
		n = tsmc_ring_peek(&p->rx, sp);
		if (n == 0) {
			n = tsmc_ring_cons_arm(&p->rx);
			if (n == 0)
				break;		/* empty and armed */
			if (n > 0)
				continue;	/* arrived while arming */
		}
		if (n < 0) {
			tsmc_pair_break(p, n, "control ring index invalid");
			break;
		}
		/* Records are committed whole: a torn one is a bad peer. */
		if (n < (int)sizeof(msg)) {
			tsmc_pair_break(p, -EPROTO, "partial control record");
			break;
		}
		/* The peek may hold several records: take exactly one. */
		tsmc_ring_spans_out(&msg, sp, sizeof(msg));
		n = tsmc_ring_consume(&p->rx, sizeof(msg));
		if (n > 0 && p->irq > 0)
			notify_remote_via_irq(p->irq);
		err = tsmc_ctl_handle(p, &msg);
		if (err) {
			tsmc_pair_break(p, err, "bad control message");
			break;
		}
		done++;
	}

	spin_lock_irqsave(&p->evt_lock, flags);
	if (!p->dying) {
		if (more)
			queue_work(tsmc_wq, &p->rx_work);
		else if (p->irq > 0)
			/* Events for switched connections are not spurious. */
			xen_irq_lateeoi(p->irq, done || READ_ONCE(p->nlinks) ?
					0 : XEN_EOI_FLAG_SPURIOUS);
		else
			p->eoi_pending = true;	/* bind_irq gives it */
	}
	spin_unlock_irqrestore(&p->evt_lock, flags);
}

static bool tsmc_ping_answered(struct tsmc_pair *p)
{
	/* done flag /then/ results: pairs with the release in tsmc_ctl_pong */
	return smp_load_acquire(&p->ping_done);
}

static bool tsmc_ping_settled(struct tsmc_pair *p)
{
	enum tsmc_pair_state st = READ_ONCE(p->state);

	return tsmc_ping_answered(p) || st == TSMC_PAIR_BROKEN ||
	       st == TSMC_PAIR_CLOSED;
}

/* @count PING/PONG round trips with a random payload checked each time. */
int tsmc_ctl_ping(struct tsmc_pair *p, unsigned int count,
		  struct tsmc_ping_result *res)
{
	struct tsmc_ctl_ping pg;
	unsigned int i;
	long left;
	u64 t0, dt;
	int err = 0;

	memset(res, 0, sizeof(*res));
	res->min_ns = U64_MAX;
	mutex_lock(&p->ping_lock);
	for (i = 0; i < count && !err; i++) {
		get_random_bytes(&pg, sizeof(pg));
		pg.cookie |= cpu_to_le64(1);	/* 0 means "none awaited" */
		memcpy(p->ping_payload, pg.payload, sizeof(pg.payload));
		p->ping_done = false;
		p->ping_cookie = le64_to_cpu(pg.cookie);
		t0 = ktime_get_ns();
		do {
			err = tsmc_ctl_send(p, TSMC_CTL_PING, &pg, sizeof(pg));
			if (err == -EAGAIN)
				cond_resched();
		} while (err == -EAGAIN);
		if (err)
			break;
		res->sent++;
		left = wait_event_interruptible_timeout(p->ping_wq,
							tsmc_ping_settled(p),
							TSMC_PING_TIMEOUT);
		if (left < 0) {
			err = left;
		} else if (!tsmc_ping_answered(p)) {
			err = p->state == TSMC_PAIR_CONNECTED ? -ETIMEDOUT :
								 -ENOTCONN;
		} else {
			dt = ktime_get_ns() - t0;
			res->total_ns += dt;
			res->min_ns = min(res->min_ns, dt);
			res->max_ns = max(res->max_ns, dt);
			if (p->ping_payload_ok)
				res->ok++;
			else
				res->bad++;
		}
	}
	p->ping_cookie = 0;
	mutex_unlock(&p->ping_lock);
	if (!res->ok)
		res->min_ns = 0;
	return err;
}

/*
 * Test hook (module parameter fault_inject=1): act as a hostile peer on
 * our own producer side, so the peer's checks can be proven in the lab.
 */
int tsmc_ctl_inject(struct tsmc_pair *p, const char *kind)
{
	struct tsmc_ctl_msg msg;
	unsigned long flags;

	if (!tsmc_fault_inject)
		return -EPERM;
	if (sysfs_streq(kind, "type")) {
		memset(&msg, 0xa5, sizeof(msg));
		return tsmc_ctl_send(p, 0xdead, msg.dummy, sizeof(msg.dummy));
	}
	if (sysfs_streq(kind, "pool")) {
		/* A chunk out of order: slot numbers the peer never saw. */
		struct tsmc_ctl_pool_add add = {
			.first_slot = cpu_to_le32(TSMC_POOL_MAX_SLOTS),
			.nr_refs = cpu_to_le16(TSMC_POOL_REFS_PER_MSG),
		};

		return tsmc_ctl_send(p, TSMC_CTL_POOL_ADD, &add, sizeof(add));
	}
	/* OFFERs that match no connection: the peer must REJECT them. */
	if (sysfs_streq(kind, "offer"))
		return tsmc_conn_inject_offer(p, false);
	if (sysfs_streq(kind, "offer-bad"))
		return tsmc_conn_inject_offer(p, true);
	if (sysfs_streq(kind, "lie-isn")) {
		tsmc_conn_inject_lie(p, TSMC_LIE_ISN);
		return 0;
	}
	if (sysfs_streq(kind, "lie-ring")) {
		tsmc_conn_inject_lie(p, TSMC_LIE_RING);
		return 0;
	}
	/* A peer scribbling over every connection ring it shares with us. */
	if (sysfs_streq(kind, "scribble"))
		return tsmc_links_scribble(p);
	if (sysfs_streq(kind, "index")) {
		spin_lock_irqsave(&p->tx_lock, flags);
		if (p->tx.idx)
			WRITE_ONCE(p->tx.idx->p.prod,
				   cpu_to_le32(p->tx.local + 3 * p->tx.size));
		if (p->irq > 0)
			notify_remote_via_irq(p->irq);
		spin_unlock_irqrestore(&p->tx_lock, flags);
		return 0;
	}
	return -EINVAL;
}

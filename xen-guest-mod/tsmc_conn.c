// SPDX-License-Identifier: GPL-2.0
/*
 * Per-connection agreement on the pair channel (design decision 4). The
 * active side's doorbell sends OFFER {conn_id, 4-tuple, both ISNs}. The
 * passive side ACCEPTs only if its own doorbell saw a socket with the
 * mirrored 4-tuple and the same two ISNs, i.e. a socket that really is in
 * that handshake; anything else gets REJECT and the connection stays on
 * TCP. Xen already proved which domain sent the OFFER (the channel is
 * bound to it), so a forged TCP option costs at most one REJECT.
 *
 * The OFFER usually beats the handshake's last ACK (event channel versus
 * netfront), so an unmatched OFFER is held for TSMC_OFFER_HOLD before
 * REJECT(NO_SOCKET). Every entry has a deadline; conn_work expires them.
 *
 * Rings: the OFFER names the active side's sending ring (a run of its
 * pool, tsmc_cring.c), the ACCEPT the passive side's, whose TCP cut is
 * already published in it. A run that is not a fresh ring in slots the
 * peer granted is refused (BAD_MSG); no run free is POOL_EXHAUSTED.
 *
 * Then both sides switch the socket (tsmc_proto.c) and keep the pair of
 * rings in a link (tsmc_link.c) until both have closed. The passive side
 * switches before it ACCEPTs; the active side when the ACCEPT comes, or,
 * if it can not any more (socket closed), it CLOSEs and the passive side
 * never leaves TCP. Each run carries its connection's tag, so a run given
 * up after a timeout and reused is never read as this connection's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/random.h>
#include <linux/slab.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "tsmc_xen.h"

/* Unmatched OFFER: about one handshake round trip, generous under TCG. */
#define TSMC_OFFER_HOLD		HZ
/* Our OFFER without an answer, or a passive socket without an OFFER. */
#define TSMC_CONN_WAIT		(3 * HZ)
/* Entries per pair in flight at once; more fall back to TCP. */
#define TSMC_CONN_MAX		256

enum tsmc_conn_kind {
	TSMC_CONN_OFFERED,	/* active: OFFER sent, waiting for a verdict */
	TSMC_CONN_WAITING,	/* passive: doorbell seen, no OFFER yet */
	TSMC_CONN_HELD,		/* passive: OFFER seen, no doorbell yet */
};

struct tsmc_conn {
	struct list_head	node;		/* p->conns, under conn_lock */
	struct sock		*sk;		/* held; NULL when HELD */
	struct tsmc_ctl_tuple	tuple;		/* local view: saddr is ours */
	u32			isn;		/* our ISN */
	u32			peer_isn;
	u32			conn_id;	/* OFFERED: ours, else peer's */
	enum tsmc_conn_kind	kind;
	unsigned long		deadline;	/* jiffies */
	struct tsmc_cring	tx;		/* OFFERED: our ring */
	u32			peer_slot;	/* HELD: the OFFER's ring */
	u8			peer_order;
};

void tsmc_conn_init(struct tsmc_pair *p)
{
	spin_lock_init(&p->conn_lock);
	INIT_LIST_HEAD(&p->conns);
	INIT_DELAYED_WORK(&p->conn_work, tsmc_conn_expire);
}

/* Socket references are dropped outside conn_lock; runs go back. */
static void tsmc_conn_free_list(struct tsmc_pair *p, struct list_head *list)
{
	struct tsmc_conn *c, *tmp;

	list_for_each_entry_safe(c, tmp, list, node) {
		list_del(&c->node);
		tsmc_cring_put(p, &c->tx);
		if (c->sk)
			sock_put(c->sk);
		kfree(c);
	}
}

static void tsmc_conn_unlink(struct tsmc_pair *p, struct tsmc_conn *c,
			     struct list_head *dead)
{
	list_move(&c->node, dead);
	p->nconns--;
}

/*
 * Under conn_lock: run conn_work @delay from now at the latest. An earlier
 * pending run stays; a later one is pulled in, so a held OFFER's 1 s does
 * not wait behind a passive socket's 3 s (and its peer's OFFER timeout).
 */
static void tsmc_conn_arm(struct tsmc_pair *p, unsigned long delay)
{
	unsigned long due = jiffies + delay;

	if (delayed_work_pending(&p->conn_work) &&
	    !time_before(due, p->conn_due))
		return;
	p->conn_due = due;
	mod_delayed_work(tsmc_wq, &p->conn_work, delay);
}

/* Does @theirs (sender's view) name the same connection as @mine? */
static bool tsmc_tuple_mirrors(const struct tsmc_ctl_tuple *mine,
			       const struct tsmc_ctl_tuple *theirs)
{
	return mine->family == theirs->family &&
	       !memcmp(mine->saddr, theirs->daddr, sizeof(mine->saddr)) &&
	       !memcmp(mine->daddr, theirs->saddr, sizeof(mine->daddr)) &&
	       mine->sport == theirs->dport && mine->dport == theirs->sport;
}

static bool tsmc_conn_matches(const struct tsmc_conn *c,
			      const struct tsmc_ctl_tuple *t, u32 isn_sender,
			      u32 isn_receiver)
{
	return tsmc_tuple_mirrors(&c->tuple, t) && c->isn == isn_receiver &&
	       c->peer_isn == isn_sender;
}

/* REJECT or CLOSE; ACCEPT goes through tsmc_conn_agree(). */
static void tsmc_conn_verdict(struct tsmc_pair *p, u16 type, u32 conn_id,
			      u32 reason)
{
	struct tsmc_ctl_verdict v = {
		.conn_id = cpu_to_le32(conn_id),
		.reason = cpu_to_le32(reason),
	};

	/* A full control ring loses the verdict: the peer times out. */
	if (tsmc_ctl_send(p, type, &v, sizeof(v)))
		p->cstats.send_failed++;
	else if (type == TSMC_CTL_REJECT)
		p->cstats.rejects_out++;
}

/*
 * Passive side, under conn_lock with @c->sk locked (owned, or by the
 * doorbell's softirq): @c matched the peer's OFFER @id naming ring
 * @slot/@order. Check that ring, take ours, switch the socket, ACCEPT.
 * Otherwise REJECT: the connection stays on TCP. The caller drops @c.
 */
static void tsmc_conn_agree(struct tsmc_pair *p, struct tsmc_conn *c, u32 id,
			    u32 slot, u8 order)
{
	struct tsmc_ctl_verdict v = { .conn_id = cpu_to_le32(id) };
	u32 reason = TSMC_R_REFUSED;
	struct tsmc_link *l;
	int err;

	l = tsmc_link_new(p, c->sk, id, false, GFP_ATOMIC);
	if (!l) {
		p->cstats.nomem++;
		goto reject;
	}
	l->peer_isn = c->peer_isn;
	err = tsmc_cring_peer(p, &l->rx, slot, order, GFP_ATOMIC);
	if (!err && !tsmc_cring_fresh(&l->rx, TSMC_RING_TAG(id, true)))
		err = -EINVAL;
	if (err) {
		if (err == -EINVAL) {
			p->cstats.bad_ring++;
			reason = TSMC_R_BAD_MSG;
		} else {
			p->cstats.nomem++;
		}
		goto reject;
	}
	err = tsmc_cring_own(p, &l->tx, GFP_ATOMIC);
	if (err) {
		if (err == -ENOSPC) {
			p->cstats.pool_exhausted++;
			reason = TSMC_R_POOL_EXHAUSTED;
		} else {
			p->cstats.nomem++;
		}
		goto reject;
	}
	tsmc_cring_set_tag(&l->tx, TSMC_RING_TAG(id, false));
	if (tsmc_link_add(p, l)) {
		p->cstats.switch_refused++;
		reason = TSMC_R_SHUTDOWN;
		goto reject;
	}
	if (tsmc_proto_switch(l, c->sk)) {
		p->cstats.switch_refused++;
		tsmc_link_abort(l);
		tsmc_conn_verdict(p, TSMC_CTL_REJECT, id, TSMC_R_REFUSED);
		return;
	}
	v.slot = cpu_to_le32(l->tx.slot);
	v.ring_order = l->tx.order;
	if (tsmc_ctl_send(p, TSMC_CTL_ACCEPT, &v, sizeof(v))) {
		/* The peer will time out: nothing may reach our ring. */
		p->cstats.send_failed++;
		tsmc_proto_unswitch(c->sk);
		tsmc_link_abort(l);
		return;
	}
	p->cstats.accepts_out++;
	p->cstats.switched++;
	return;
reject:
	if (l)
		tsmc_link_free(l);
	tsmc_conn_verdict(p, TSMC_CTL_REJECT, id, reason);
}

static struct tsmc_conn *tsmc_conn_new(struct sock *sk,
				       const struct tsmc_ctl_tuple *t,
				       u32 isn, u32 peer_isn)
{
	struct tsmc_conn *c = kzalloc(sizeof(*c), GFP_ATOMIC);

	if (!c)
		return NULL;
	if (sk) {
		sock_hold(sk);
		c->sk = sk;
	}
	c->tuple = *t;
	c->isn = isn;
	c->peer_isn = peer_isn;
	return c;
}

/* A held OFFER that names @c's connection (the OFFER is in sender view). */
static struct tsmc_conn *tsmc_conn_find_held(struct tsmc_pair *p,
					     const struct tsmc_conn *c)
{
	struct tsmc_conn *h;

	list_for_each_entry(h, &p->conns, node)
		if (h->kind == TSMC_CONN_HELD &&
		    tsmc_conn_matches(c, &h->tuple, h->isn, h->peer_isn))
			return h;
	return NULL;
}

/*
 * From the doorbell: atomic context, socket locked, pair connected (under
 * RCU). Returns 0 if the connection is now being negotiated.
 */
int tsmc_conn_doorbell(struct tsmc_pair *p, struct sock *sk,
		       const struct tsmc_ctl_tuple *t, u32 isn, u32 peer_isn,
		       bool active)
{
	struct tsmc_ctl_offer o = {};
	struct tsmc_conn *c, *held = NULL;
	LIST_HEAD(dead);
	int err = 0;

	c = tsmc_conn_new(sk, t, isn, peer_isn);
	if (!c) {
		p->cstats.nomem++;
		return -ENOMEM;
	}
	err = active ? tsmc_cring_own(p, &c->tx, GFP_ATOMIC) : 0;
	spin_lock_bh(&p->conn_lock);
	if (err) {
		if (err == -ENOSPC)
			p->cstats.pool_exhausted++;
		else
			p->cstats.nomem++;
		list_add(&c->node, &dead);
		goto out;
	}
	held = active ? NULL : tsmc_conn_find_held(p, c);
	if (held) {
		/* The OFFER came first: agree now (the socket is locked). */
		tsmc_conn_unlink(p, held, &dead);
		tsmc_conn_agree(p, c, held->conn_id, held->peer_slot,
				held->peer_order);
		list_add(&c->node, &dead);
		goto out;
	}
	if (p->nconns >= TSMC_CONN_MAX) {
		p->cstats.busy++;
		list_add(&c->node, &dead);
		err = -EBUSY;
		goto out;
	}
	c->kind = active ? TSMC_CONN_OFFERED : TSMC_CONN_WAITING;
	c->deadline = jiffies + TSMC_CONN_WAIT;
	if (active) {
		c->conn_id = ++p->next_conn_id;
		tsmc_cring_set_tag(&c->tx, TSMC_RING_TAG(c->conn_id, true));
		o.conn_id = cpu_to_le32(c->conn_id);
		o.tuple = *t;
		o.isn_local = cpu_to_le32(isn);
		o.isn_remote = cpu_to_le32(peer_isn);
		o.slot = cpu_to_le32(c->tx.slot);
		o.ring_order = c->tx.order;
		/* Test hooks: a peer that lies about the handshake it is
		 * in, or names slots it never granted.
		 */
		if (p->lie_next_offer == TSMC_LIE_ISN)
			o.isn_remote = cpu_to_le32(peer_isn + 1);
		else if (p->lie_next_offer == TSMC_LIE_RING)
			o.slot = cpu_to_le32(U32_MAX - 1);
		p->lie_next_offer = TSMC_LIE_NONE;
		err = tsmc_ctl_send(p, TSMC_CTL_OFFER, &o, sizeof(o));
		if (err) {
			p->cstats.send_failed++;
			list_add(&c->node, &dead);
			goto out;
		}
		p->cstats.offers_out++;
	}
	list_add_tail(&c->node, &p->conns);
	p->nconns++;
	tsmc_conn_arm(p, TSMC_CONN_WAIT);
out:
	spin_unlock_bh(&p->conn_lock);
	tsmc_conn_free_list(p, &dead);
	return err;
}

/*
 * The OFFER @o matched the passive socket of @w: switching needs the
 * socket lock, taken outside conn_lock; @w may have expired meanwhile.
 */
static void tsmc_conn_offer_waiting(struct tsmc_pair *p, struct tsmc_conn *w,
				    const struct tsmc_ctl_offer *o)
{
	u32 id = le32_to_cpu(o->conn_id);
	struct sock *sk = w->sk;
	struct tsmc_conn *c;
	LIST_HEAD(dead);

	sock_hold(sk);
	lock_sock(sk);
	spin_lock_bh(&p->conn_lock);
	list_for_each_entry(c, &p->conns, node) {
		if (c == w && c->kind == TSMC_CONN_WAITING && c->sk == sk) {
			tsmc_conn_unlink(p, c, &dead);
			tsmc_conn_agree(p, c, id, le32_to_cpu(o->slot),
					o->ring_order);
			break;
		}
	}
	if (list_empty(&dead))
		tsmc_conn_verdict(p, TSMC_CTL_REJECT, id, TSMC_R_NO_SOCKET);
	spin_unlock_bh(&p->conn_lock);
	release_sock(sk);
	sock_put(sk);
	tsmc_conn_free_list(p, &dead);
}

/* OFFER from the peer (rx_work). A malformed one is refused, not fatal. */
static void tsmc_conn_offer(struct tsmc_pair *p,
			    const struct tsmc_ctl_offer *o)
{
	u32 id = le32_to_cpu(o->conn_id);
	u32 isn_s = le32_to_cpu(o->isn_local), isn_r = le32_to_cpu(o->isn_remote);
	struct tsmc_conn *c, *h;
	LIST_HEAD(dead);

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	spin_lock_bh(&p->conn_lock);
	p->cstats.offers_in++;
	if (o->tuple.family != TSMC_AF_INET &&
	    o->tuple.family != TSMC_AF_INET6) {
		tsmc_conn_verdict(p, TSMC_CTL_REJECT, id, TSMC_R_BAD_MSG);
		goto out;
	}
	list_for_each_entry(c, &p->conns, node) {
		if (c->kind == TSMC_CONN_WAITING &&
		    tsmc_conn_matches(c, &o->tuple, isn_s, isn_r)) {
			spin_unlock_bh(&p->conn_lock);
			kfree(h);
			tsmc_conn_offer_waiting(p, c, o);
			return;
		}
	}
	if (!h || p->nconns >= TSMC_CONN_MAX) {
		tsmc_conn_verdict(p, TSMC_CTL_REJECT, id, TSMC_R_NO_SOCKET);
		goto out;
	}
	/* Held in the sender's view; matched with the roles swapped. */
	h->kind = TSMC_CONN_HELD;
	h->tuple = o->tuple;
	h->isn = isn_s;
	h->peer_isn = isn_r;
	h->conn_id = id;
	h->peer_slot = le32_to_cpu(o->slot);
	h->peer_order = o->ring_order;
	h->deadline = jiffies + TSMC_OFFER_HOLD;
	list_add_tail(&h->node, &p->conns);
	p->nconns++;
	h = NULL;
	tsmc_conn_arm(p, TSMC_OFFER_HOLD);
out:
	spin_unlock_bh(&p->conn_lock);
	kfree(h);
	tsmc_conn_free_list(p, &dead);
}

/* A CLOSE for connection @id: we are the active side, the peer's ring
 * or socket is no use to us (or we have none): it must not wait for us.
 */
static void tsmc_conn_close_active(struct tsmc_pair *p, u32 id)
{
	struct tsmc_ctl_verdict v = {
		.conn_id = cpu_to_le32(id),
		.flags = TSMC_CLOSE_F_ACTIVE,
	};

	if (tsmc_ctl_send(p, TSMC_CTL_CLOSE, &v, sizeof(v)))
		tsmc_count(p, &p->cstats.send_failed);
}

/*
 * Active side (rx_work), ACCEPT of @c, which is off the list: the passive
 * side has switched. Check its ring, switch our socket and publish our
 * cut; if that can not be done, CLOSE so the passive side stays on TCP.
 */
static void tsmc_conn_accepted(struct tsmc_pair *p, struct tsmc_conn *c,
			       const struct tsmc_ctl_verdict *v)
{
	struct tsmc_link *l;
	int err;

	l = tsmc_link_new(p, c->sk, c->conn_id, true, GFP_KERNEL);
	if (!l) {
		tsmc_count(p, &p->cstats.nomem);
		goto close;
	}
	l->peer_isn = c->peer_isn;
	l->tx = c->tx;			/* the run moves to the link */
	memset(&c->tx, 0, sizeof(c->tx));
	if (tsmc_cring_peer(p, &l->rx, le32_to_cpu(v->slot), v->ring_order,
			    GFP_KERNEL) ||
	    !tsmc_cring_fresh(&l->rx, TSMC_RING_TAG(c->conn_id, false))) {
		tsmc_count(p, &p->cstats.bad_ring);
		tsmc_link_free(l);
		goto close;
	}
	if (tsmc_link_add(p, l)) {
		tsmc_count(p, &p->cstats.switch_refused);
		tsmc_link_free(l);
		goto close;
	}
	lock_sock(c->sk);
	err = tsmc_proto_switch(l, c->sk);
	release_sock(c->sk);
	if (err) {
		tsmc_count(p, &p->cstats.switch_refused);
		tsmc_link_abort(l);
		goto close;
	}
	tsmc_count(p, &p->cstats.switched);
	tsmc_link_notify(l);		/* our cut is out */
	return;
close:
	tsmc_conn_close_active(p, c->conn_id);
}

/* ACCEPT or REJECT for one of our OFFERs; a late one is only counted. */
static void tsmc_conn_answer(struct tsmc_pair *p, u16 type,
			     const struct tsmc_ctl_verdict *v)
{
	u32 id = le32_to_cpu(v->conn_id);
	struct tsmc_conn *c, *found = NULL;
	LIST_HEAD(dead);

	spin_lock_bh(&p->conn_lock);
	if (type == TSMC_CTL_ACCEPT)
		p->cstats.accepts_in++;
	else
		p->cstats.rejects_in++;
	list_for_each_entry(c, &p->conns, node) {
		if (c->kind == TSMC_CONN_OFFERED && c->conn_id == id) {
			found = c;
			tsmc_conn_unlink(p, c, &dead);
			break;
		}
	}
	if (!found)
		p->cstats.stray++;
	spin_unlock_bh(&p->conn_lock);
	if (found && type == TSMC_CTL_ACCEPT)
		tsmc_conn_accepted(p, found, v);
	else if (type == TSMC_CTL_ACCEPT)
		/* Our OFFER timed out and its run may be reused already. */
		tsmc_conn_close_active(p, id);
	tsmc_conn_free_list(p, &dead);
}

int tsmc_conn_rx(struct tsmc_pair *p, const struct tsmc_ctl_msg *m)
{
	u16 type = le16_to_cpu(m->hdr.type);

	switch (type) {
	case TSMC_CTL_OFFER:
		tsmc_conn_offer(p, &m->offer);
		return 0;
	case TSMC_CTL_ACCEPT:
	case TSMC_CTL_REJECT:
		tsmc_conn_answer(p, type, &m->verdict);
		return 0;
	case TSMC_CTL_CLOSE:
		tsmc_link_peer_closed(p, le32_to_cpu(m->verdict.conn_id),
				      m->verdict.flags & TSMC_CLOSE_F_ACTIVE);
		return 0;
	default:
		return -EPROTO;
	}
}

void tsmc_conn_expire(struct work_struct *work)
{
	struct tsmc_pair *p = container_of(to_delayed_work(work),
					   struct tsmc_pair, conn_work);
	struct tsmc_conn *c, *tmp;
	LIST_HEAD(dead);

	spin_lock_bh(&p->conn_lock);
	list_for_each_entry_safe(c, tmp, &p->conns, node) {
		if (time_before(jiffies, c->deadline))
			continue;
		if (c->kind == TSMC_CONN_HELD)
			tsmc_conn_verdict(p, TSMC_CTL_REJECT, c->conn_id,
					  TSMC_R_NO_SOCKET);
		else if (c->kind == TSMC_CONN_OFFERED)
			p->cstats.offer_timeouts++;
		else
			p->cstats.wait_timeouts++;
		tsmc_conn_unlink(p, c, &dead);
	}
	if (p->nconns)
		tsmc_conn_arm(p, HZ / 4);
	spin_unlock_bh(&p->conn_lock);
	tsmc_conn_free_list(p, &dead);
}

/* Pair teardown: no doorbell (RCU) and no rx_work can run any more. */
void tsmc_conn_flush(struct tsmc_pair *p)
{
	LIST_HEAD(dead);

	cancel_delayed_work_sync(&p->conn_work);
	spin_lock_bh(&p->conn_lock);
	list_splice_init(&p->conns, &dead);
	p->nconns = 0;
	spin_unlock_bh(&p->conn_lock);
	tsmc_conn_free_list(p, &dead);
}

/* Test hook: the next real OFFER carries a wrong ISN for the peer. */
void tsmc_conn_inject_lie(struct tsmc_pair *p, enum tsmc_lie lie)
{
	spin_lock_bh(&p->conn_lock);
	p->lie_next_offer = lie;
	spin_unlock_bh(&p->conn_lock);
}

/* Test hook: an OFFER that names no connection the peer has seen. */
int tsmc_conn_inject_offer(struct tsmc_pair *p, bool malformed)
{
	struct tsmc_ctl_offer o = {
		.conn_id = cpu_to_le32(U32_MAX),
		.isn_local = cpu_to_le32(get_random_u32()),
		.isn_remote = cpu_to_le32(get_random_u32()),
	};

	o.tuple.family = malformed ? 0x5a : TSMC_AF_INET;
	return tsmc_ctl_send(p, TSMC_CTL_OFFER, &o, sizeof(o));
}

/* The OFFER/ACCEPT part of a "pairs" line (read without the lock). */
int tsmc_conn_stats_show(struct tsmc_pair *p, char *buf, int at)
{
	const struct tsmc_conn_stats *st = &p->cstats;

	return sysfs_emit_at(buf, at,
			     "conns=%u offers_out=%llu offers_in=%llu accepts_out=%llu accepts_in=%llu rejects_out=%llu rejects_in=%llu offer_timeouts=%llu wait_timeouts=%llu stray=%llu send_failed=%llu busy=%llu nomem=%llu pool_exhausted=%llu bad_ring=%llu cuts_ok=%llu cuts_bad=%llu closes_in=%llu switched=%llu switch_refused=%llu ring_broken=%llu links=%u\n",
			     READ_ONCE(p->nconns), st->offers_out,
			     st->offers_in, st->accepts_out, st->accepts_in,
			     st->rejects_out, st->rejects_in,
			     st->offer_timeouts, st->wait_timeouts, st->stray,
			     st->send_failed, st->busy, st->nomem,
			     st->pool_exhausted, st->bad_ring, st->cuts_ok,
			     st->cuts_bad, st->closes_in, st->switched,
			     st->switch_refused, st->ring_broken,
			     READ_ONCE(p->nlinks));
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Switched connections on a pair (design decisions 5 and 8). A link is
 * born when OFFER/ACCEPT agreed and the socket was switched; it lives on
 * the pair's list until our socket is closed *and* the peer sent CLOSE,
 * because the peer may still read our sending ring after we closed (as
 * TCP delivers queued bytes after close()), and we may still read its.
 *
 * One event channel serves every link of a pair: an event wakes the
 * sockets of all links, which re-check their rings (the ring core's
 * notification suppression keeps events rare on busy streams).
 *
 * Pair teardown (peer death, unload) kills every link under its socket
 * lock before the pages go: readers and writers see -ECONNRESET.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/seq_file.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <xen/events.h>

#include "tsmc_xen.h"

void tsmc_links_init(struct tsmc_pair *p)
{
	spin_lock_init(&p->link_lock);
	INIT_LIST_HEAD(&p->links);
}

/* The channel is (again) up: new links may come. */
void tsmc_links_open(struct tsmc_pair *p)
{
	unsigned long flags;

	spin_lock_irqsave(&p->link_lock, flags);
	p->links_dead = false;
	spin_unlock_irqrestore(&p->link_lock, flags);
}

/* The connection's namespace and 4-tuple, for /proc/net/tsmc_xen. */
static void tsmc_link_name(struct tsmc_link *l, const struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);

	write_pnet(&l->net, sock_net(sk));
	l->lport = inet->inet_sport;
	l->rport = inet->inet_dport;
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		l->laddr = sk->sk_v6_rcv_saddr;
		l->raddr = sk->sk_v6_daddr;
		return;
	}
#endif
	ipv6_addr_set_v4mapped(inet->inet_saddr, &l->laddr);
	ipv6_addr_set_v4mapped(inet->inet_daddr, &l->raddr);
}

/* A link for @sk (held), rings not yet attached. */
struct tsmc_link *tsmc_link_new(struct tsmc_pair *p, struct sock *sk,
				u32 conn_id, bool active, gfp_t gfp)
{
	struct tsmc_link *l = kzalloc(sizeof(*l), gfp);

	if (!l)
		return NULL;
	l->pair = p;
	refcount_set(&l->ref, 1);
	sock_hold(sk);
	l->sk = sk;
	l->conn_id = conn_id;
	l->active = active;
	tsmc_link_name(l, sk);
	return l;
}

/* Never listed, or unlisted and past an RCU grace period. */
void tsmc_link_free(struct tsmc_link *l)
{
	tsmc_cring_put(l->pair, &l->tx);
	tsmc_cring_put(l->pair, &l->rx);
	if (l->sk)
		sock_put(l->sk);
	kfree(l);
}

static void tsmc_link_free_rcu(struct rcu_head *head)
{
	struct tsmc_link *l = container_of(head, struct tsmc_link, rcu);

	bool held = l->switched;

	tsmc_link_free(l);
	/* A switched socket held the module (tsmc_proto_switch). */
	if (held)
		module_put(THIS_MODULE);
}

static void tsmc_link_put(struct tsmc_link *l)
{
	if (refcount_dec_and_test(&l->ref))
		call_rcu(&l->rcu, tsmc_link_free_rcu);
}

/* List a switched link; -ESHUTDOWN once the pair is going down. */
int tsmc_link_add(struct tsmc_pair *p, struct tsmc_link *l)
{
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&p->link_lock, flags);
	if (p->links_dead) {
		err = -ESHUTDOWN;
	} else {
		list_add_tail_rcu(&l->node, &p->links);
		p->nlinks++;
	}
	spin_unlock_irqrestore(&p->link_lock, flags);
	return err;
}

/* A listed link whose socket did not switch after all (or was undone). */
void tsmc_link_abort(struct tsmc_link *l)
{
	struct tsmc_pair *p = l->pair;
	unsigned long flags;

	spin_lock_irqsave(&p->link_lock, flags);
	list_del_rcu(&l->node);
	p->nlinks--;
	spin_unlock_irqrestore(&p->link_lock, flags);
	tsmc_link_put(l);
}

/* Under link_lock: both ends are done with each other's rings. */
static bool tsmc_link_unlist_locked(struct tsmc_pair *p, struct tsmc_link *l)
{
	if (!l->sk_closed || !(l->peer_closed || l->dead))
		return false;
	list_del_rcu(&l->node);
	p->nlinks--;
	return true;
}

/* Tell the peer its ring has news for us (data, room, flags). */
void tsmc_link_notify(struct tsmc_link *l)
{
	int irq = READ_ONCE(l->pair->irq);

	if (irq > 0)
		notify_remote_via_irq(irq);
}

/* Wake whoever sleeps on @sk for the poll bits @key. */
static void tsmc_sk_wake_key(struct sock *sk, __poll_t key)
{
	struct socket_wq *wq;

	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, key);
	rcu_read_unlock();
}

/* Wake whoever sleeps on @sk: readers and writers re-check the rings. */
static void tsmc_sk_wake(struct sock *sk)
{
	tsmc_sk_wake_key(sk, EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLWRNORM);
}

/*
 * What changed in @l's rings since the last interrupt, as poll bits: bytes,
 * EOF, error or cut from the peer wake readers; room given back or the
 * peer's READING wake writers. One interrupt serves every link of the
 * pair, and an edge-triggered epoll reports every wake-up whose key
 * matches: waking each socket with every bit on each interrupt gave ET
 * readers events with no new data (tcp_semantics epoll case, 6.1 lab).
 * The rings stay mapped while the link is listed (the event channel
 * stops before teardown).
 */
static __poll_t tsmc_link_changes(struct tsmc_link *l)
{
	u32 prod = tsmc_idx_load(&l->rx.ring.idx->p.prod);
	u32 pflags = tsmc_idx_load(&l->rx.ring.idx->p.pflags);
	u32 cons = tsmc_idx_load(&l->tx.ring.idx->c.cons);
	u32 cflags = tsmc_idx_load(&l->tx.ring.idx->c.cflags);
	__poll_t key = 0;

	if (prod != l->seen_prod)
		key |= EPOLLIN | EPOLLRDNORM;
	if (pflags != l->seen_pflags)
		key |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
	if (cons != l->seen_cons || cflags != l->seen_cflags)
		key |= EPOLLOUT | EPOLLWRNORM;
	l->seen_prod = prod;
	l->seen_pflags = pflags;
	l->seen_cons = cons;
	l->seen_cflags = cflags;
	return key;
}

/* From the pair's event channel interrupt. */
void tsmc_links_wake(struct tsmc_pair *p)
{
	struct tsmc_link *l;
	struct sock *sk;
	__poll_t key;

	rcu_read_lock();
	list_for_each_entry_rcu(l, &p->links, node) {
		sk = READ_ONCE(l->sk);
		if (!sk || READ_ONCE(l->sk_closed))
			continue;
		key = tsmc_link_changes(l);
		if (key) {
			atomic64_inc(&l->wakes);
			tsmc_sk_wake_key(sk, key);
		}
	}
	rcu_read_unlock();
}

static void tsmc_link_send_close(struct tsmc_link *l)
{
	struct tsmc_ctl_verdict v = {
		.conn_id = cpu_to_le32(l->conn_id),
		.flags = l->active ? TSMC_CLOSE_F_ACTIVE : 0,
	};

	/* Lost (ring full, pair down): the peer frees at pair teardown. */
	if (tsmc_ctl_send(l->pair, TSMC_CTL_CLOSE, &v, sizeof(v)))
		tsmc_count(l->pair, &l->pair->cstats.send_failed);
}

/* Our socket was closed (tsmc_proto.c, socket lock dropped). */
void tsmc_link_sk_closed(struct tsmc_link *l)
{
	struct tsmc_pair *p = l->pair;
	unsigned long flags;
	bool gone, dead;

	spin_lock_irqsave(&p->link_lock, flags);
	l->sk_closed = true;
	dead = l->dead;
	gone = tsmc_link_unlist_locked(p, l);
	spin_unlock_irqrestore(&p->link_lock, flags);
	if (!dead)
		tsmc_link_send_close(l);
	if (gone)
		tsmc_link_put(l);
}

/* CLOSE from the peer (rx_work): it reads our ring no more. */
void tsmc_link_peer_closed(struct tsmc_pair *p, u32 conn_id, bool peer_active)
{
	struct tsmc_link *l, *found = NULL;
	unsigned long flags;
	struct sock *sk = NULL;
	bool gone = false;

	spin_lock_irqsave(&p->link_lock, flags);
	list_for_each_entry(l, &p->links, node) {
		if (l->conn_id == conn_id && l->active != peer_active &&
		    !l->peer_closed) {
			found = l;
			l->peer_closed = true;
			gone = tsmc_link_unlist_locked(p, l);
			if (!gone && l->sk) {
				sk = l->sk;
				sock_hold(sk);
			}
			break;
		}
	}
	spin_unlock_irqrestore(&p->link_lock, flags);
	if (!found) {
		tsmc_count(p, &p->cstats.stray);
		return;
	}
	tsmc_count(p, &p->cstats.closes_in);
	if (sk) {
		tsmc_sk_wake(sk);	/* a writer must see EPIPE now */
		sock_put(sk);
	}
	if (gone)
		tsmc_link_put(l);
}

/*
 * Pair teardown, before the peer's pages are unmapped and ours ungranted:
 * no new link, and every live one is failed under its socket lock, so no
 * copy into or out of a ring page is running or can start.
 */
void tsmc_links_kill(struct tsmc_pair *p)
{
	struct tsmc_link *l, *tmp;
	unsigned long flags;
	bool gone;

	spin_lock_irqsave(&p->link_lock, flags);
	p->links_dead = true;
	spin_unlock_irqrestore(&p->link_lock, flags);

	/*
	 * The event channel and rx_work are stopped: only close() still
	 * changes links. Each open one is failed under its socket lock.
	 */
	for (;;) {
		struct tsmc_link *found = NULL;

		spin_lock_irqsave(&p->link_lock, flags);
		list_for_each_entry(l, &p->links, node) {
			if (!l->dead) {
				l->dead = true;
				found = l;
				refcount_inc(&l->ref);
				break;
			}
		}
		spin_unlock_irqrestore(&p->link_lock, flags);
		if (!found)
			break;
		/* l->sk stays valid: the link holds it until freed. */
		lock_sock(found->sk);
		tsmc_ring_set_peer_gone(&found->tx.ring);
		tsmc_ring_set_peer_gone(&found->rx.ring);
		release_sock(found->sk);
		tsmc_sk_wake(found->sk);
		tsmc_link_put(found);
	}

	/* Closed sockets' links go now; open ones at their close(). */
	spin_lock_irqsave(&p->link_lock, flags);
	list_for_each_entry_safe(l, tmp, &p->links, node) {
		gone = tsmc_link_unlist_locked(p, l);
		if (gone)
			tsmc_link_put(l);
	}
	spin_unlock_irqrestore(&p->link_lock, flags);
}

/*
 * Fault "scribble": write indexes no honest peer writes into every ring we
 * share on @p (our cons in the peer's ring: ahead of its prod; our prod:
 * beyond its cons + size), then send an event. The peer's sockets must
 * reset, not hang. Our next honest index store overwrites the lie, so the
 * lab stops our applications first.
 */
int tsmc_links_scribble(struct tsmc_pair *p)
{
	struct tsmc_link *l;
	int n = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(l, &p->links, node) {
		if (!l->rx.ring.idx || !l->tx.ring.idx)
			continue;
		tsmc_idx_store(&l->rx.ring.idx->c.cons,
			       READ_ONCE(l->rx.ring.local) + 2 * l->rx.ring.size);
		tsmc_idx_store(&l->tx.ring.idx->p.prod,
			       READ_ONCE(l->tx.ring.local) + 3 * l->tx.ring.size);
		n++;
	}
	rcu_read_unlock();
	if (!n)
		return -ENOENT;
	if (READ_ONCE(p->irq) > 0)
		notify_remote_via_irq(p->irq);
	return 0;
}

/* Ring fill as the indexes say now (unvalidated: for people). */
static u32 tsmc_cring_fill(const struct tsmc_cring *cr)
{
	if (!cr->ring.idx)
		return 0;
	return tsmc_idx_load(&cr->ring.idx->p.prod) -
	       tsmc_idx_load(&cr->ring.idx->c.cons);
}

static void tsmc_addr_show(struct seq_file *seq, const char *key,
			   const struct in6_addr *a, __be16 port)
{
	if (ipv6_addr_v4mapped(a))
		seq_printf(seq, " %s=%pI4:%u", key, &a->s6_addr32[3],
			   ntohs(port));
	else
		seq_printf(seq, " %s=[%pI6c]:%u", key, a, ntohs(port));
}

/* One line of /proc/net/tsmc_xen (format in docs/module.md). */
void tsmc_link_show(struct seq_file *seq, struct tsmc_pair *p,
		    struct tsmc_link *l)
{
	seq_printf(seq, "peer=%u id=%u side=%s", p->peer, l->conn_id,
		   l->active ? "active" : "passive");
	tsmc_addr_show(seq, "local", &l->laddr, l->lport);
	tsmc_addr_show(seq, "remote", &l->raddr, l->rport);
	seq_printf(seq,
		   " tx_bytes=%llu rx_bytes=%llu tx_fill=%u rx_fill=%u ring=%u my_cut=%d peer_cut=%d wakes=%lld closed=%d peer_closed=%d dead=%d\n",
		   READ_ONCE(l->tx_bytes), READ_ONCE(l->rx_bytes),
		   tsmc_cring_fill(&l->tx), tsmc_cring_fill(&l->rx),
		   l->tx.ring.size, READ_ONCE(l->my_cut_set),
		   READ_ONCE(l->peer_cut_known), atomic64_read(&l->wakes),
		   READ_ONCE(l->sk_closed), READ_ONCE(l->peer_closed),
		   READ_ONCE(l->dead));
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The switch (design decisions 5 and 6): a connected TCP socket gets
 * kTLS-style per-family copies of its struct proto and proto_ops, so the
 * application keeps its socket while its bytes move through the rings.
 *
 * Stream order by the cut. Each side publishes its TCP write_seq in its
 * ring (the cut) before its first ring byte; the reader delivers TCP bytes
 * up to the peer's cut, then ring bytes. A side sends by TCP until the
 * peer says (READING, in our ring) that its application reads through the
 * ring: so a peer that could not switch (socket closed meanwhile), or
 * whose reader is still blocked in TCP's recvmsg from before the switch,
 * never misses a byte. The TCP socket stays open and idle underneath:
 * ports, ss, FIN, RST and keepalive keep their meaning.
 *
 * Everything here runs under the socket lock (lock_sock) except the
 * readiness checks (poll, sock_is_readable), which only read.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/uio.h>
#include <asm/ioctls.h>
#include <net/inet_common.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "tsmc_xen.h"

enum { TSMC_V4, TSMC_V6, TSMC_NFAM };

/* Built once per family from the first socket's (checked) TCP ones. */
static DEFINE_SPINLOCK(tsmc_proto_lock);
static struct proto tsmc_prot[TSMC_NFAM];
/*
 * Our proto_ops: a byte copy of the socket's with three entries patched
 * (every other proto_ops is const, and checkpatch insists on it).
 */
static u8 tsmc_ops_mem[TSMC_NFAM][sizeof(inet_stream_ops)] __aligned(8);
static struct proto *tsmc_base_prot[TSMC_NFAM];
static const struct proto_ops *tsmc_base_ops[TSMC_NFAM];

static __poll_t tsmc_prot_poll(struct file *file, struct socket *sock,
			       poll_table *wait);

static const struct proto_ops *tsmc_ops(int fam)
{
	return (const struct proto_ops *)tsmc_ops_mem[fam];
}

static void tsmc_build_ops(int fam, const struct proto_ops *base)
{
	__poll_t (*const poll)(struct file *, struct socket *, poll_table *) =
		tsmc_prot_poll;
	const size_t poll_off = offsetof(const struct proto_ops, poll);
	const size_t splice_off = offsetof(const struct proto_ops, splice_read);
	const size_t rsock_off = offsetof(const struct proto_ops, read_sock);
	u8 *m = tsmc_ops_mem[fam];

	memcpy(m, base, sizeof(tsmc_ops_mem[fam]));
	memcpy(m + poll_off, &poll, sizeof(poll));
	/* Splice reads fall back to read_iter, i.e. our recvmsg. */
	memset(m + splice_off, 0, sizeof(base->splice_read));
	/* In-kernel readers (strparser, tls) would bypass the ring. */
	memset(m + rsock_off, 0, sizeof(base->read_sock));
#ifdef TSMC_HAVE_SENDPAGE
	{
		const size_t sp_off = offsetof(const struct proto_ops, sendpage);
		ssize_t (*const sp)(struct socket *, struct page *, int, size_t,
				    int) = sock_no_sendpage;

		/* Through kernel_sendmsg(), i.e. our sendmsg. */
		memcpy(m + sp_off, &sp, sizeof(sp));
	}
#endif
}

static struct tsmc_link *tsmc_link_of(const struct sock *sk)
{
	return rcu_dereference_raw(inet_csk(sk)->icsk_ulp_data);
}

/* ------------------------------------------------------------------ */
/* Ring pages <-> iov_iter                                            */
/* ------------------------------------------------------------------ */

/*
 * Copy up to @len bytes between @it and the data pages under @sp (data
 * byte k is in pages[1 + k / PAGE_SIZE]). Returns bytes copied; short
 * only on a fault in @it.
 */
static size_t tsmc_copy_spans(struct tsmc_cring *cr,
			      const struct tsmc_ring_span sp[2], u32 len,
			      struct iov_iter *it, bool to_ring)
{
	size_t done = 0, c;
	u32 off, left, po, n;
	int i;

	BUILD_BUG_ON(PAGE_SHIFT != TSMC_RING_SLOT_SHIFT);
	for (i = 0; i < 2 && done < len; i++) {
		off = sp[i].off;
		left = min_t(u32, sp[i].len, len - done);
		while (left) {
			struct page *pg = cr->pages[1 + (off >> PAGE_SHIFT)];

			po = off & ~PAGE_MASK;
			n = min_t(u32, left, PAGE_SIZE - po);
			/*
			 * Copies, never page references: on 6.1 an ITER_PIPE
			 * (splice to a pipe) takes copy_page_to_iter()'s page
			 * by reference, and a ring page is reused (and may be
			 * the peer's, mapped) once consumed.
			 */
			c = to_ring ?
			    copy_from_iter(page_address(pg) + po, n, it) :
			    copy_to_iter(page_address(pg) + po, n, it);
			done += c;
			if (c < n)
				return done;
			off += n;
			left -= n;
		}
	}
	return done;
}

/* ------------------------------------------------------------------ */
/* State both directions read                                         */
/* ------------------------------------------------------------------ */

/*
 * Bytes moved per commit or consume: a quarter ring, so the other side
 * can refill or drain the rest while we copy (the two guests run on
 * different CPUs), instead of taking turns over the whole ring.
 */
static u32 tsmc_chunk(const struct tsmc_cring *cr)
{
	return max_t(u32, cr->ring.size / 4, PAGE_SIZE);
}

/* Learn the peer's cut once it is published; false until then. */
static bool tsmc_peer_cut(struct tsmc_link *l)
{
	struct tsmc_pair *p = l->pair;
	u32 cut;

	if (l->peer_cut_known)
		return true;
	/*
	 * The tag before and after: a run its owner gave up (OFFER timed
	 * out) and reused for another connection is not this peer's ring.
	 */
	if (!tsmc_cring_tag_ok(&l->rx, TSMC_RING_TAG(l->conn_id, !l->active)) ||
	    tsmc_ring_get_cut(&l->rx.ring, &cut))
		return false;
	smp_rmb();	/* cut /then/ tag again */
	if (!tsmc_cring_tag_ok(&l->rx, TSMC_RING_TAG(l->conn_id, !l->active)))
		return false;
	l->peer_cut = cut;
	l->peer_cut_known = true;
	/* Counted for the lab: a cut far from the stream is a bug or a lie. */
	if (cut - l->peer_isn - 1 < (1U << 30))
		tsmc_count(p, &p->cstats.cuts_ok);
	else
		tsmc_count(p, &p->cstats.cuts_bad);
	return true;
}

/*
 * TCP bytes still to read before the peer's cut: 0 means read the ring,
 * -1 that the cut is not known yet (all TCP bytes come first).
 */
static s64 tsmc_tcp_left(struct sock *sk, struct tsmc_link *l)
{
	u32 copied = tcp_sk(sk)->copied_seq;

	if (!tsmc_peer_cut(l))
		return -1;
	return before(copied, l->peer_cut) ? l->peer_cut - copied : 0;
}

/*
 * May we write to our ring? Once the peer reads through it: then our cut
 * goes out first, and everything after it goes by the ring. Not while
 * another writer sleeps in tcp_sendmsg (sk_write_pending, socket lock
 * released): it appends to TCP when it wakes, after a cut we set now, and
 * the peer would never read those bytes. Never after our FIN went by TCP
 * (SEND_SHUTDOWN): a cut past the FIN sends the peer, once it read the
 * FIN, to wait on our ring for an EOF that never comes; TCP's sendmsg
 * gives this call its EPIPE.
 */
static bool tsmc_tx_on_ring(struct sock *sk, struct tsmc_link *l)
{
	if (l->my_cut_set)
		return true;
	if (l->dead || READ_ONCE(l->peer_closed) || sk->sk_write_pending ||
	    (sk->sk_shutdown & SEND_SHUTDOWN) ||
	    !tsmc_ring_peer_reading(&l->tx.ring))
		return false;
	l->my_cut = tcp_sk(sk)->write_seq;
	tsmc_ring_set_cut(&l->tx.ring, l->my_cut);
	l->my_cut_set = true;
	tsmc_link_notify(l);
	return true;
}

/* Lockless: bytes the peer produced that we have not consumed. */
static u32 tsmc_rx_avail(const struct tsmc_link *l)
{
	return tsmc_idx_load(&l->rx.ring.idx->p.prod) -
	       READ_ONCE(l->rx.ring.local);
}

static bool tsmc_rx_flags(const struct tsmc_link *l)
{
	return tsmc_idx_load(&l->rx.ring.idx->p.pflags) &
	       (TSMC_RING_F_EOF | TSMC_RING_F_ERROR);
}

/* Lockless: room in our ring (a hint; reserve re-validates). */
static u32 tsmc_tx_room(const struct tsmc_link *l)
{
	u32 used = READ_ONCE(l->tx.ring.local) -
		   tsmc_idx_load(&l->tx.ring.idx->c.cons);

	/*
	 * A cons no valid ring can have (ahead of our prod) counts as room:
	 * the sleeper wakes and reserve() finds the lie.
	 */
	if (used > l->tx.ring.size)
		return l->tx.ring.size;
	return l->tx.ring.size - used;
}

/* Lazily point an accepted socket's ops at ours (poll, splice). */
static void tsmc_fix_ops(struct sock *sk, struct tsmc_link *l)
{
	struct socket *sock = sk->sk_socket;
	const struct proto_ops *base;

	if (!sock || READ_ONCE(sock->ops) == tsmc_ops(l->family))
		return;
	base = READ_ONCE(tsmc_base_ops[l->family]);
	if (!base) {
		spin_lock_bh(&tsmc_proto_lock);
		if (!tsmc_base_ops[l->family] && sock->ops->poll == tcp_poll) {
			tsmc_build_ops(l->family, sock->ops);
			/* The copy /then/ the pointer that says it is done. */
			smp_store_release(&tsmc_base_ops[l->family], sock->ops);
		}
		spin_unlock_bh(&tsmc_proto_lock);
		base = tsmc_base_ops[l->family];
	}
	if (sock->ops != base)
		return;
	write_lock_bh(&sk->sk_callback_lock);
	WRITE_ONCE(sock->ops, tsmc_ops(l->family));
	write_unlock_bh(&sk->sk_callback_lock);
}

/* ------------------------------------------------------------------ */
/* Sending                                                            */
/* ------------------------------------------------------------------ */

/* 0 if a blocking call may sleep now, else what it returns instead. */
static int tsmc_may_sleep(long timeo)
{
	if (!timeo)
		return -EAGAIN;
	if (signal_pending(current))
		return sock_intr_errno(timeo);
	return 0;
}

static bool tsmc_tx_wake_cond(struct sock *sk, struct tsmc_link *l)
{
	return tsmc_tx_room(l) || sk->sk_err || l->dead ||
	       (sk->sk_shutdown & SEND_SHUTDOWN) ||
	       tsmc_ring_error(&l->tx.ring);
}

/*
 * A ring call failed: the errno for the application. A peer that broke the
 * ring's rules (-EPROTO: an index or flag no honest peer writes) gets the
 * connection reset both ways, once, and the pair counts it; an application
 * sees ECONNRESET, as for a TCP RST.
 */
static int tsmc_ring_errno(struct tsmc_link *l, int err)
{
	struct tsmc_pair *p = l->pair;

	if (err == -EPIPE)
		return -EPIPE;
	if (err == -EPROTO && !l->broken) {
		l->broken = true;
		tsmc_count(p, &p->cstats.ring_broken);
		pr_warn_ratelimited("peer %u broke the ring of connection %u: reset\n",
				    p->peer, l->conn_id);
		if (l->my_cut_set) {
			tsmc_ring_set_error(&l->tx.ring);
			tsmc_link_notify(l);
		}
	}
	return -ECONNRESET;
}

/* Under the socket lock; returns bytes queued or an error. */
static int tsmc_send_ring(struct sock *sk, struct tsmc_link *l,
			  struct msghdr *msg, size_t size)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	long timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	struct tsmc_ring_span sp[2];
	size_t copied = 0, c;
	int n, err = 0;

	while (copied < size) {
		if (sk->sk_err) {
			err = sock_error(sk);
			break;
		}
		if (l->dead) {
			err = -ECONNRESET;
			break;
		}
		if (sk->sk_shutdown & SEND_SHUTDOWN) {
			err = -EPIPE;
			break;
		}
		n = tsmc_ring_reserve(&l->tx.ring, sp,
				      min_t(size_t, size - copied,
					    tsmc_chunk(&l->tx)));
		if (n < 0) {
			err = tsmc_ring_errno(l, n);
			break;
		}
		if (n > 0) {
			c = tsmc_copy_spans(&l->tx, sp, n, &msg->msg_iter, true);
			if (c) {
				n = tsmc_ring_commit(&l->tx.ring, c);
				if (n < 0) {
					err = tsmc_ring_errno(l, n);
					break;
				}
				if (n)
					tsmc_link_notify(l);
				copied += c;
				l->tx_bytes += c;
			}
			if (!c) {
				err = -EFAULT;
				break;
			}
			continue;
		}
		/*
		 * Full: ask the reader for an event once a quarter of the
		 * ring (or what is left to send) is free, then sleep, or
		 * return EAGAIN and let poll() wait for that event.
		 */
		n = tsmc_ring_prod_arm(&l->tx.ring,
				       min_t(size_t, size - copied,
					     l->tx.ring.size / 4));
		if (n)
			continue;	/* room (or an error) came meanwhile */
		err = tsmc_may_sleep(timeo);
		if (err)
			break;
		if (sk->sk_socket)
			set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		add_wait_queue(sk_sleep(sk), &wait);
		sk_wait_event(sk, &timeo, tsmc_tx_wake_cond(sk, l), &wait);
		remove_wait_queue(sk_sleep(sk), &wait);
	}
	/* A full ring asks for an event once a quarter is free, for poll(). */
	if (!l->dead && !tsmc_tx_room(l))
		tsmc_ring_prod_arm(&l->tx.ring, l->tx.ring.size / 4);
	return copied ? copied : err;
}

static int tsmc_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	struct tsmc_link *l = tsmc_link_of(sk);
	int ret;

	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;
	lock_sock(sk);
	tsmc_fix_ops(sk, l);
	if (tsmc_tx_on_ring(sk, l))
		ret = tsmc_send_ring(sk, l, msg, size);
	else
		ret = tcp_sendmsg_locked(sk, msg, size);
	release_sock(sk);
	if (ret == -EPIPE && !(msg->msg_flags & MSG_NOSIGNAL))
		send_sig(SIGPIPE, current, 0);
	return ret;
}

#ifdef TSMC_HAVE_SENDPAGE
static int tsmc_sendpage(struct sock *sk, struct page *page, int offset,
			 size_t size, int flags)
{
	struct bio_vec bv = {
		.bv_page = page, .bv_offset = offset, .bv_len = size,
	};
	struct msghdr msg = { .msg_flags = flags | MSG_NOSIGNAL };

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bv, 1, size);
	return tsmc_sendmsg(sk, &msg, size);
}
#endif

/* ------------------------------------------------------------------ */
/* Receiving                                                          */
/* ------------------------------------------------------------------ */

static bool tsmc_rx_wake_cond(struct sock *sk, struct tsmc_link *l)
{
	s64 left = tsmc_tcp_left(sk, l);

	if (l->dead || sk->sk_err || (sk->sk_shutdown & RCV_SHUTDOWN))
		return true;
	if (left)
		return tcp_inq(sk) > 0;
	return tsmc_rx_avail(l) || tsmc_rx_flags(l);
}

/* Ring bytes into @msg: >0 read, 0 nothing yet, -ENODATA at EOF. */
static int tsmc_recv_ring(struct tsmc_link *l, struct msghdr *msg,
			  size_t len, int flags)
{
	struct tsmc_ring_span sp[2];
	size_t c;
	int n;

	n = tsmc_ring_peek_min(&l->rx.ring, sp,
			       min_t(size_t, len, tsmc_chunk(&l->rx)));
	if (n < 0)
		return tsmc_ring_errno(l, n);
	if (!n)
		return tsmc_ring_eof(&l->rx.ring) ? -ENODATA : 0;
	c = tsmc_copy_spans(&l->rx, sp,
			    min_t(size_t, min_t(size_t, n, len), tsmc_chunk(&l->rx)),
			    &msg->msg_iter, false);
	if (!c)
		return -EFAULT;
	if (!(flags & MSG_PEEK)) {
		n = tsmc_ring_consume(&l->rx.ring, c);
		if (n < 0)
			return tsmc_ring_errno(l, n);
		if (n)
			tsmc_link_notify(l);
		l->rx_bytes += c;
	}
	return c;
}

static int tsmc_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
			int flags, int *addr_len)
{
	struct tsmc_link *l = tsmc_link_of(sk);
	const struct proto *base = tsmc_base_prot[l->family];
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	int copied = 0, target, err = 0, n;
	long timeo;
	s64 left;

	if (flags & (MSG_ERRQUEUE | MSG_OOB))
		return base->recvmsg(sk, msg, len, flags, addr_len);
	lock_sock(sk);
	tsmc_fix_ops(sk, l);
	if (!l->reading && !l->dead &&
	    tsmc_cring_tag_ok(&l->rx, TSMC_RING_TAG(l->conn_id, !l->active))) {
		/* From now on the peer may send by the ring. */
		tsmc_ring_set_reading(&l->rx.ring);
		l->reading = true;
	}
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	while (copied < len) {
		left = tsmc_tcp_left(sk, l);
		if (left && (tcp_inq(sk) > 0 || sk->sk_err ||
			     (sk->sk_shutdown & RCV_SHUTDOWN))) {
			/* Bytes the peer sent by TCP before its cut. */
			size_t lim = len - copied;

			if (left > 0 && lim > left)
				lim = left;
			release_sock(sk);
			n = base->recvmsg(sk, msg, lim,
					  (flags | MSG_DONTWAIT) & ~MSG_WAITALL,
					  addr_len);
			lock_sock(sk);
			if (n > 0) {
				copied += n;
				if (flags & MSG_PEEK)
					break;
				continue;
			}
			if (!n && !tsmc_tcp_left(sk, l))
				continue;	/* cut reached: the ring next */
			if (n != -EAGAIN) {
				err = n;	/* EOF (0) or a TCP error */
				break;
			}
		} else if (!left) {
			n = tsmc_recv_ring(l, msg, len - copied, flags);
			if (n > 0) {
				copied += n;
				if (flags & MSG_PEEK)
					break;
				continue;
			}
			if (n == -ENODATA)
				break;
			if (n < 0) {
				err = n;
				break;
			}
		}
		/*
		 * The ring is empty: ask the writer for an event on its next
		 * byte before we return or sleep, so a poll() that follows
		 * is woken by it too.
		 */
		if (!left && tsmc_ring_cons_arm(&l->rx.ring) && copied < target)
			continue;	/* data, EOF or error came meanwhile */
		if (copied >= target)
			break;
		if (l->dead) {
			err = -ECONNRESET;
			break;
		}
		err = tsmc_may_sleep(timeo);
		if (err)
			break;
		add_wait_queue(sk_sleep(sk), &wait);
		sk_wait_event(sk, &timeo, tsmc_rx_wake_cond(sk, l), &wait);
		remove_wait_queue(sk_sleep(sk), &wait);
	}
	/*
	 * However we leave, a drained ring asks for an event on the next
	 * byte: a poll() that follows must be woken by it.
	 */
	if (!l->dead && !tsmc_tcp_left(sk, l) && !tsmc_rx_avail(l))
		tsmc_ring_cons_arm(&l->rx.ring);
	release_sock(sk);
	return copied ? copied : err;
}

/*
 * Lockless: the peer's ring flags once we read from its ring (past its
 * cut), else 0 (TCP bytes come first and tcp_poll() reports those).
 */
static u32 tsmc_rx_ring_pflags(struct sock *sk, struct tsmc_link *l)
{
	u32 pflags = tsmc_idx_load(&l->rx.ring.idx->p.pflags);

	if (!(pflags & TSMC_RING_F_CUT) ||
	    !tsmc_cring_tag_ok(&l->rx, TSMC_RING_TAG(l->conn_id, !l->active)) ||
	    before(READ_ONCE(tcp_sk(sk)->copied_seq),
		   tsmc_idx_load(&l->rx.ring.idx->p.tcp_cut)))
		return 0;
	return pflags;
}

/* Lockless, for tcp_poll() via sk_is_readable(). */
static bool tsmc_sock_is_readable(struct sock *sk)
{
	struct tsmc_link *l = tsmc_link_of(sk);
	u32 pflags;

	if (!l)
		return false;
	if (READ_ONCE(l->dead))
		return true;
	pflags = tsmc_rx_ring_pflags(sk, l);
	if (!(pflags & TSMC_RING_F_CUT))
		return false;	/* TCP bytes first: tcp_poll sees those */
	return (pflags & (TSMC_RING_F_EOF | TSMC_RING_F_ERROR)) ||
	       tsmc_rx_avail(l) >= max_t(u32, READ_ONCE(sk->sk_rcvlowat), 1);
}

static __poll_t tsmc_prot_poll(struct file *file, struct socket *sock,
			       poll_table *wait)
{
	struct sock *sk = sock->sk;
	__poll_t mask = tcp_poll(file, sock, wait);
	struct tsmc_link *l = tsmc_link_of(sk);

	if (!l || READ_ONCE(l->dead))
		return mask;
	/* TCP is idle and always writable; the ring may not be. */
	if (READ_ONCE(l->my_cut_set) && !tsmc_tx_room(l)) {
		mask &= ~(EPOLLOUT | EPOLLWRNORM);
		set_bit(SOCK_NOSPACE, &sock->flags);
	}
	/*
	 * The peer's EOF in its ring is its SHUT_WR: report it as TCP does
	 * a FIN, without waiting for that FIN (it may come later).
	 */
	if (tsmc_rx_ring_pflags(sk, l) & TSMC_RING_F_EOF)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	return mask;
}

/* ------------------------------------------------------------------ */
/* Queue sizes                                                        */
/* ------------------------------------------------------------------ */

static int tsmc_queue_len(struct sock *sk, int cmd, int *answ)
{
	struct tsmc_link *l = tsmc_link_of(sk);
	const struct tcp_sock *tp = tcp_sk(sk);
	s64 left;

	switch (cmd) {
	case SIOCINQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		left = tsmc_tcp_left(sk, l);
		*answ = left ? min_t(s64, tcp_inq(sk), left < 0 ? INT_MAX : left) : 0;
		if (left >= 0 && tcp_inq(sk) >= left)
			*answ += tsmc_rx_avail(l);
		release_sock(sk);
		return 0;
	case SIOCOUTQ:
	case SIOCOUTQNSD:
		lock_sock(sk);
		*answ = cmd == SIOCOUTQ ?
			READ_ONCE(tp->write_seq) - tp->snd_una :
			READ_ONCE(tp->write_seq) - READ_ONCE(tp->snd_nxt);
		if (l->my_cut_set && !l->dead)
			*answ += l->tx.ring.size - tsmc_tx_room(l);
		release_sock(sk);
		return 0;
	default:
		return -ENOIOCTLCMD;
	}
}

#ifdef TSMC_IOCTL_KARG
static int tsmc_ioctl(struct sock *sk, int cmd, int *karg)
{
	int err = tsmc_queue_len(sk, cmd, karg);

	if (err != -ENOIOCTLCMD)
		return err;
	return tsmc_base_prot[tsmc_link_of(sk)->family]->ioctl(sk, cmd, karg);
}
#else
static int tsmc_ioctl(struct sock *sk, int cmd, unsigned long arg)
{
	int answ, err = tsmc_queue_len(sk, cmd, &answ);

	if (!err)
		return put_user(answ, (int __user *)arg);
	if (err != -ENOIOCTLCMD)
		return err;
	return tsmc_base_prot[tsmc_link_of(sk)->family]->ioctl(sk, cmd, arg);
}
#endif

/* ------------------------------------------------------------------ */
/* Shutdown, close and everything that ends the socket                */
/* ------------------------------------------------------------------ */

/* inet_shutdown() holds the socket lock. */
static void tsmc_shutdown(struct sock *sk, int how)
{
	struct tsmc_link *l = tsmc_link_of(sk);

	if ((how & SEND_SHUTDOWN) && l->my_cut_set && !l->dead) {
		tsmc_ring_set_eof(&l->tx.ring);
		tsmc_link_notify(l);
	}
	tsmc_base_prot[l->family]->shutdown(sk, how);
}

/* Give @sk its TCP proto and ops back. */
static void tsmc_restore(struct sock *sk, struct tsmc_link *l)
{
	struct socket *sock = sk->sk_socket;

	write_lock_bh(&sk->sk_callback_lock);
	rcu_assign_pointer(inet_csk(sk)->icsk_ulp_data, NULL);
	WRITE_ONCE(sk->sk_prot, tsmc_base_prot[l->family]);
	if (sock && sock->ops == tsmc_ops(l->family))
		WRITE_ONCE(sock->ops, tsmc_base_ops[l->family]);
	write_unlock_bh(&sk->sk_callback_lock);
}

/*
 * The socket leaves the rings: EOF, or a reset (@reset, ring bytes left
 * unread, SO_LINGER {1, 0}: where TCP sends RST), stop reading the peer's
 * ring, give the socket its TCP ops back. Socket locked by the caller.
 */
static struct tsmc_link *tsmc_detach(struct sock *sk, bool reset)
{
	struct tsmc_link *l = tsmc_link_of(sk);
	bool unread, abort;

	if (!l)
		return NULL;
	unread = !l->dead && (!l->peer_cut_known || !tsmc_tcp_left(sk, l)) &&
		 tsmc_rx_avail(l);
	/* SO_LINGER {1, 0} aborts: the peer must see a reset, not EOF. */
	abort = reset || unread || l->broken ||
		(sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime);
	if (!l->dead) {
		if (l->my_cut_set) {
			if (abort)
				tsmc_ring_set_error(&l->tx.ring);
			else
				tsmc_ring_set_eof(&l->tx.ring);
		}
		tsmc_ring_set_closed(&l->rx.ring);
		tsmc_link_notify(l);
	}
	if (unread || l->broken) {
		sock_set_flag(sk, SOCK_LINGER);
		WRITE_ONCE(sk->sk_lingertime, 0);
	}
	tsmc_restore(sk, l);
	return l;
}

/* Undo tsmc_proto_switch() before anything used the rings. */
void tsmc_proto_unswitch(struct sock *sk)
{
	tsmc_restore(sk, tsmc_link_of(sk));
}

static void tsmc_close(struct sock *sk, long timeout)
{
	const struct proto *base;
	struct tsmc_link *l;

	lock_sock(sk);
	l = tsmc_detach(sk, false);
	release_sock(sk);
	base = tsmc_base_prot[l->family];
	tsmc_link_sk_closed(l);
	base->close(sk, timeout);
}

/* connect(AF_UNSPEC), a listener dropping an unaccepted child. */
static int tsmc_disconnect(struct sock *sk, int flags)
{
	struct tsmc_link *l = tsmc_detach(sk, true);

	tsmc_link_sk_closed(l);
	return tsmc_base_prot[l->family]->disconnect(sk, flags);
}

/* Any other way the socket ends (it was never closed nor disconnected). */
static void tsmc_destroy(struct sock *sk)
{
	struct tsmc_link *l = tsmc_detach(sk, true);

	tsmc_link_sk_closed(l);
	tsmc_base_prot[l->family]->destroy(sk);
}

/* ------------------------------------------------------------------ */
/* The switch                                                         */
/* ------------------------------------------------------------------ */

static bool tsmc_build_prot(int fam, struct proto *base)
{
	/* Pairs with the release below: the copy is complete once seen. */
	struct proto *have = smp_load_acquire(&tsmc_base_prot[fam]);

	if (have)
		return have == base;
	/* Only plain TCP: these are the functions we wrap. */
	if (base->recvmsg != tcp_prot.recvmsg ||
	    base->sendmsg != tcp_prot.sendmsg || base->close != tcp_prot.close)
		return false;
	spin_lock_bh(&tsmc_proto_lock);
	if (!tsmc_base_prot[fam]) {
		struct proto *pr = &tsmc_prot[fam];

		*pr = *base;
		pr->sendmsg = tsmc_sendmsg;
		pr->recvmsg = tsmc_recvmsg;
		pr->sock_is_readable = tsmc_sock_is_readable;
		pr->ioctl = tsmc_ioctl;
		pr->shutdown = tsmc_shutdown;
		pr->close = tsmc_close;
		pr->disconnect = tsmc_disconnect;
		pr->destroy = tsmc_destroy;
#ifdef TSMC_HAVE_SENDPAGE
		pr->sendpage = tsmc_sendpage;
#endif
		/* The copy /then/ the pointer that says it is done. */
		smp_store_release(&tsmc_base_prot[fam], base);
	}
	spin_unlock_bh(&tsmc_proto_lock);
	return tsmc_base_prot[fam] == base;
}

/*
 * Move @sk onto @l's rings. The caller holds the socket lock (owned, or
 * the softirq's spinlock in a doorbell) and @l's rings are attached.
 * Sockets another kernel user already claimed stay on TCP.
 */
int tsmc_proto_switch(struct tsmc_link *l, struct sock *sk)
{
	int fam = sk->sk_family == AF_INET6 ? TSMC_V6 : TSMC_V4;

	/* A passive doorbell runs just before SYN_RECV becomes ESTABLISHED. */
	if (!((1 << sk->sk_state) &
	      (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT | TCPF_SYN_RECV)) ||
	    sock_flag(sk, SOCK_DEAD) || inet_csk(sk)->icsk_ulp_ops ||
	    rcu_access_pointer(inet_csk(sk)->icsk_ulp_data) ||
	    rcu_access_pointer(sk->sk_user_data) ||
	    !tsmc_build_prot(fam, sk->sk_prot))
		return -EBUSY;
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;
	l->switched = true;
	l->family = fam;
	rcu_assign_pointer(inet_csk(sk)->icsk_ulp_data, l);
	write_lock_bh(&sk->sk_callback_lock);
	WRITE_ONCE(sk->sk_prot, &tsmc_prot[fam]);
	write_unlock_bh(&sk->sk_callback_lock);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * tsmc ring core: one unidirectional byte ring between two mutually
 * untrusting parties, layout in wire.h section 3. Written once, compiled
 * unchanged by the kernel module and by userspace; ring_env.h supplies the
 * barriers and single-access loads/stores.
 *
 * Producer:  tsmc_ring_reserve() -> copy into spans -> tsmc_ring_commit()
 * Consumer:  tsmc_ring_peek()    -> copy from spans -> tsmc_ring_consume()
 * The _lazy/_min variants skip re-reading the peer's index while the
 * room/bytes already known suffice (fewer cache misses per message).
 * commit/consume return 1 when the peer asked to be woken ("notify").
 * Before sleeping: tsmc_ring_cons_arm() / tsmc_ring_prod_arm(); they
 * re-check after arming and return 1 when the caller must not sleep.
 *
 * Trust: every peer-written word is read once into a local and validated.
 * The peer's index may only move forward, and by no more than the ring
 * allows (prod: at most size ahead of our cons; cons: never past our prod).
 * Any violation sets the sticky error -EPROTO; every later call returns it.
 * No function here loops, so a hostile peer can not make one spin.
 *
 * Errors (sticky in r->err, first one wins):
 *   -EPROTO      peer broke the protocol (bad index or flags)
 *   -ECONNRESET  producer set TSMC_RING_F_ERROR, or the environment
 *                declared the peer gone (tsmc_ring_set_peer_gone())
 *   -EPIPE       producer: consumer set TSMC_RING_F_CLOSED
 * Local misuse (commit/consume more than handed out, writing after EOF)
 * returns -EINVAL / -EPIPE without breaking the ring.
 */
#ifndef _TSMC_XEN_RING_H
#define _TSMC_XEN_RING_H

#include "tsmc_xen/ring_env.h"
#include "tsmc_xen/wire.h"

/* The algorithm works for any power of two; wire.h bounds what is offered. */
#define TSMC_RING_CORE_ORDER_MAX	TSMC_RING_ORDER_MAX

#define TSMC_RING_PFLAGS_KNOWN \
	(TSMC_RING_F_EOF | TSMC_RING_F_ERROR | TSMC_RING_F_CUT)
#define TSMC_RING_CFLAGS_KNOWN	(TSMC_RING_F_CLOSED | TSMC_RING_F_READING)

/* peek_min: "always read the producer's index". */
#define TSMC_RING_ALL		((__u32)~0U)

/*
 * A contiguous piece of the data area; a wrapped range is two spans. @off
 * is the same place as an offset into the data area, for data areas that
 * are not virtually contiguous (the Xen module's grant pages).
 */
struct tsmc_ring_span {
	__u8	*p;
	__u32	off;
	__u32	len;
};

/* Private to one side; nothing here is ever re-read from shared memory. */
struct tsmc_ring {
	struct tsmc_ring_idx *idx;	/* shared, peer-writable */
	__u8	*data;			/* shared data area, size bytes */
	__u32	size;			/* 1 << order, fixed at init */
	__u32	local;			/* our index (prod or cons) */
	__u32	peer;			/* last validated peer index */
	__u32	pending;		/* handed out by reserve/peek */
	__u32	final_prod;		/* consumer: prod when EOF was seen */
	__u32	lflags;			/* flags we publish */
	bool	producer;
	bool	eof;			/* consumer: EOF seen, final_prod valid */
	int	err;			/* sticky error, 0 while healthy */
};

/*
 * Lay out a fresh index block before it is shared. The consumer starts
 * armed (data_event = start + 1) so the first commit notifies.
 */
static inline void tsmc_ring_format(struct tsmc_ring_idx *idx, __u32 start)
{
	memset(idx, 0, sizeof(*idx));
	tsmc_idx_store(&idx->p.prod, start);
	tsmc_idx_store(&idx->space.event, start);
	tsmc_idx_store(&idx->c.cons, start);
	tsmc_idx_store(&idx->data.event, start + 1);
}

/*
 * Attach one side. @start is agreed out of band (0 in the product), never
 * read from the shared block, so a peer can not pick our starting point.
 */
static inline int tsmc_ring_init(struct tsmc_ring *r, struct tsmc_ring_idx *idx,
				 void *data, unsigned int order, __u32 start,
				 bool producer)
{
	if (!idx || !data || order > TSMC_RING_CORE_ORDER_MAX)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->idx = idx;
	r->data = data;
	r->size = 1U << order;
	r->local = start;
	r->peer = start;
	r->producer = producer;
	return 0;
}

static inline int tsmc_ring__fail(struct tsmc_ring *r, int err)
{
	if (!r->err)
		r->err = err;
	return r->err;
}

/* The environment saw the peer die (pidfd, xenstore watch): a reset. */
static inline void tsmc_ring_set_peer_gone(struct tsmc_ring *r)
{
	tsmc_ring__fail(r, -ECONNRESET);
}

static inline int tsmc_ring_error(const struct tsmc_ring *r)
{
	return r->err;
}

static inline void tsmc_ring__spans(const struct tsmc_ring *r, __u32 n,
				    struct tsmc_ring_span sp[2])
{
	__u32 off = r->local & (r->size - 1);
	__u32 first = n < r->size - off ? n : r->size - off;

	sp[0].p = r->data + off;
	sp[0].off = off;
	sp[0].len = first;
	sp[1].p = r->data;
	sp[1].off = 0;
	sp[1].len = n - first;
}

/* Empty but valid spans, so no caller ever sees a stale pointer. */
static inline void tsmc_ring__spans_clear(struct tsmc_ring *r,
					  struct tsmc_ring_span sp[2])
{
	sp[0].p = r->data;
	sp[0].off = 0;
	sp[0].len = 0;
	sp[1].p = r->data;
	sp[1].off = 0;
	sp[1].len = 0;
	r->pending = 0;
}

/* ------------------------------------------------------------------ */
/* Consumer                                                           */
/* ------------------------------------------------------------------ */

/* Read pflags and prod once each, validate, return bytes readable. */
static inline int tsmc_ring__cons_refresh(struct tsmc_ring *r)
{
	__u32 pflags, prod;

	if (r->err)
		return r->err;
	pflags = tsmc_idx_load(&r->idx->p.pflags);
	/*
	 * pflags /then/ prod: if EOF is set, the prod read next is the final
	 * one. Pairs with the wmb in tsmc_ring_set_eof().
	 */
	tsmc_rmb();
	/*
	 * Acquire: prod /then/ the caller's data reads. Pairs with the
	 * release store of prod in tsmc_ring_commit().
	 */
	prod = tsmc_idx_load_acquire(&r->idx->p.prod);

	if (pflags & ~TSMC_RING_PFLAGS_KNOWN)
		return tsmc_ring__fail(r, -EPROTO);
	if (pflags & TSMC_RING_F_ERROR)
		return tsmc_ring__fail(r, -ECONNRESET);
	/* Valid prod lies in [last prod seen, cons + size]. */
	if (prod - r->peer > r->local + r->size - r->peer)
		return tsmc_ring__fail(r, -EPROTO);
	/* After EOF the producer may not add bytes. */
	if (r->eof && prod != r->final_prod)
		return tsmc_ring__fail(r, -EPROTO);
	if ((pflags & TSMC_RING_F_EOF) && !r->eof) {
		r->eof = true;
		r->final_prod = prod;
	}
	r->peer = prod;
	return (int)(prod - r->local);
}

/*
 * Bytes readable, in up to two spans. 0 with tsmc_ring_eof() true means
 * end of stream; 0 otherwise means empty. Reads prod from shared memory
 * only when fewer than @want bytes are known to be there already, so a
 * reader taking small pieces does not pull the producer's line over every
 * time; pass TSMC_RING_ALL to always look (flags included).
 */
static inline int tsmc_ring_peek_min(struct tsmc_ring *r,
				     struct tsmc_ring_span sp[2], __u32 want)
{
	__u32 known = r->peer - r->local;
	int n;

	tsmc_ring__spans_clear(r, sp);
	if (r->err)
		return r->err;
	if (known && known >= want)
		n = (int)known;
	else
		n = tsmc_ring__cons_refresh(r);
	if (n <= 0)
		return n;
	tsmc_ring__spans(r, n, sp);
	r->pending = n;
	return n;
}

/* Everything readable now: always reads prod and pflags. */
static inline int tsmc_ring_peek(struct tsmc_ring *r,
				 struct tsmc_ring_span sp[2])
{
	return tsmc_ring_peek_min(r, sp, TSMC_RING_ALL);
}

/* True once the producer's EOF was seen and every byte was consumed. */
static inline bool tsmc_ring_eof(const struct tsmc_ring *r)
{
	return r->eof && r->local == r->final_prod;
}

/* Give back @len bytes of the last peek. Returns 1 if the peer must be
 * notified, 0 if not, <0 on error.
 */
static inline int tsmc_ring_consume(struct tsmc_ring *r, __u32 len)
{
	__u32 old = r->local;
	__u32 ev;

	if (r->err)
		return r->err;
	if (len > r->pending)
		return -EINVAL;
	if (!len)
		return 0;
	r->local += len;
	r->pending -= len;
	/*
	 * Release: data reads /then/ cons, so the producer can not overwrite
	 * bytes still being copied out. Pairs with the acquire load of cons
	 * in tsmc_ring__prod_refresh().
	 */
	tsmc_idx_store_release(&r->idx->c.cons, r->local);
	/*
	 * cons /then/ space_event: either a producer arming now sees our new
	 * cons, or we see its space_event. Pairs with the mb in
	 * tsmc_ring_prod_arm().
	 */
	tsmc_mb();
	ev = tsmc_idx_load(&r->idx->space.event);
	/* Same test as Xen's RING_PUSH_..._AND_CHECK_NOTIFY: ev in (old, new]. */
	return r->local - ev < r->local - old;
}

/*
 * About to sleep for data: ask for an event on the next byte, then look
 * again. Returns 1 if data, EOF or an error is already there (do not
 * sleep), 0 if the caller may sleep until notified, <0 on error.
 */
static inline int tsmc_ring_cons_arm(struct tsmc_ring *r)
{
	int n;

	if (r->err)
		return r->err;
	if (r->eof)
		return 1;
	tsmc_idx_store(&r->idx->data.event, r->local + 1);
	/*
	 * data_event /then/ prod: either the producer sees our request or we
	 * see its bytes. Pairs with the mb in tsmc_ring_commit().
	 */
	tsmc_mb();
	n = tsmc_ring__cons_refresh(r);
	if (n < 0)
		return n;
	return n > 0 || r->eof;
}

/* Consumer will read no more: the producer's next reserve gets -EPIPE. */
static inline void tsmc_ring_set_closed(struct tsmc_ring *r)
{
	r->lflags |= TSMC_RING_F_CLOSED;
	tsmc_idx_store(&r->idx->c.cflags, r->lflags);
}

/* Consumer: our reader uses the ring from now on. */
static inline void tsmc_ring_set_reading(struct tsmc_ring *r)
{
	r->lflags |= TSMC_RING_F_READING;
	tsmc_idx_store(&r->idx->c.cflags, r->lflags);
}

/* Producer: has the consumer said it reads the ring? (a hint, unchecked) */
static inline bool tsmc_ring_peer_reading(const struct tsmc_ring *r)
{
	return tsmc_idx_load(&r->idx->c.cflags) & TSMC_RING_F_READING;
}

/* The producer's TCP cut; -EAGAIN until published. */
static inline int tsmc_ring_get_cut(struct tsmc_ring *r, __u32 *seq)
{
	__u32 pflags, cut;

	if (r->err)
		return r->err;
	pflags = tsmc_idx_load(&r->idx->p.pflags);
	/* pflags /then/ tcp_cut. Pairs with the wmb in tsmc_ring_set_cut(). */
	tsmc_rmb();
	cut = tsmc_idx_load(&r->idx->p.tcp_cut);
	if (pflags & ~TSMC_RING_PFLAGS_KNOWN)
		return tsmc_ring__fail(r, -EPROTO);
	if (!(pflags & TSMC_RING_F_CUT))
		return -EAGAIN;
	*seq = cut;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Producer                                                           */
/* ------------------------------------------------------------------ */

/* Read cflags and cons once each, validate, return bytes writable. */
static inline int tsmc_ring__prod_refresh(struct tsmc_ring *r)
{
	__u32 cflags, cons;

	if (r->err)
		return r->err;
	cflags = tsmc_idx_load(&r->idx->c.cflags);
	/*
	 * Acquire: cons /then/ our data writes into the freed room. Pairs
	 * with the release store of cons in tsmc_ring_consume().
	 */
	cons = tsmc_idx_load_acquire(&r->idx->c.cons);

	if (cflags & ~TSMC_RING_CFLAGS_KNOWN)
		return tsmc_ring__fail(r, -EPROTO);
	if (cflags & TSMC_RING_F_CLOSED)
		return tsmc_ring__fail(r, -EPIPE);
	/* Valid cons lies in [last cons seen, our prod]. */
	if (cons - r->peer > r->local - r->peer)
		return tsmc_ring__fail(r, -EPROTO);
	r->peer = cons;
	return (int)(r->size - (r->local - cons));
}

/*
 * Up to @max bytes of room, in up to two spans; 0 means full. With @lazy,
 * cons is read from shared memory only when the room already known is
 * less than @max (a CLOSED consumer is then noticed at the next read);
 * without, cons and cflags are always read.
 */
static inline int tsmc_ring__reserve(struct tsmc_ring *r,
				     struct tsmc_ring_span sp[2], __u32 max,
				     bool lazy)
{
	__u32 known = r->size - (r->local - r->peer);
	int n;

	tsmc_ring__spans_clear(r, sp);
	if (r->lflags & (TSMC_RING_F_EOF | TSMC_RING_F_ERROR))
		return r->err ? r->err : -EPIPE;
	if (r->err)
		return r->err;
	if (lazy && known && known >= max)
		n = (int)known;
	else
		n = tsmc_ring__prod_refresh(r);
	if (n <= 0)
		return n;
	if ((__u32)n > max)
		n = (int)max;
	tsmc_ring__spans(r, n, sp);
	r->pending = n;
	return n;
}

static inline int tsmc_ring_reserve(struct tsmc_ring *r,
				    struct tsmc_ring_span sp[2], __u32 max)
{
	return tsmc_ring__reserve(r, sp, max, false);
}

static inline int tsmc_ring_reserve_lazy(struct tsmc_ring *r,
					 struct tsmc_ring_span sp[2], __u32 max)
{
	return tsmc_ring__reserve(r, sp, max, true);
}

/*
 * Publish @len bytes of the last reserve. Returns 1 if the consumer must
 * be notified, 0 if not, <0 on error.
 */
static inline int tsmc_ring_commit(struct tsmc_ring *r, __u32 len)
{
	__u32 old = r->local;
	__u32 ev;

	if (r->err)
		return r->err;
	if (len > r->pending)
		return -EINVAL;
	if (!len)
		return 0;
	r->local += len;
	r->pending -= len;
	/*
	 * Release: data writes /then/ prod. Pairs with the acquire load of
	 * prod in tsmc_ring__cons_refresh().
	 */
	tsmc_idx_store_release(&r->idx->p.prod, r->local);
	/*
	 * prod /then/ data_event: either a consumer arming now sees our bytes
	 * or we see its request. Pairs with the mb in tsmc_ring_cons_arm().
	 */
	tsmc_mb();
	ev = tsmc_idx_load(&r->idx->data.event);
	return r->local - ev < r->local - old;
}

/*
 * About to sleep for room: ask for an event once @want bytes are free
 * (clamped to [1, size]), then look again. Returns 1 if the room is
 * already there (do not sleep), 0 if the caller may sleep, <0 on error.
 */
static inline int tsmc_ring_prod_arm(struct tsmc_ring *r, __u32 want)
{
	int n;

	if (r->err)
		return r->err;
	if (!want)
		want = 1;
	if (want > r->size)
		want = r->size;
	tsmc_idx_store(&r->idx->space.event, r->local - r->size + want);
	/*
	 * space_event /then/ cons: either the consumer sees our request or we
	 * see its progress. Pairs with the mb in tsmc_ring_consume().
	 */
	tsmc_mb();
	n = tsmc_ring__prod_refresh(r);
	if (n < 0)
		return n;
	return (__u32)n >= want;
}

/*
 * Last byte committed. The caller always notifies afterwards: the
 * consumer may be asleep on an empty ring.
 */
static inline void tsmc_ring_set_eof(struct tsmc_ring *r)
{
	/*
	 * Every prod store /then/ EOF. Pairs with the rmb between pflags and
	 * prod in tsmc_ring__cons_refresh().
	 */
	tsmc_wmb();
	r->lflags |= TSMC_RING_F_EOF;
	tsmc_idx_store(&r->idx->p.pflags, r->lflags);
}

/* Abort the stream (reset). The caller always notifies afterwards. */
static inline void tsmc_ring_set_error(struct tsmc_ring *r)
{
	r->lflags |= TSMC_RING_F_ERROR;
	tsmc_idx_store(&r->idx->p.pflags, r->lflags);
}

/* Publish the sender's TCP write_seq at the switch. */
static inline void tsmc_ring_set_cut(struct tsmc_ring *r, __u32 seq)
{
	tsmc_idx_store(&r->idx->p.tcp_cut, seq);
	/* tcp_cut /then/ CUT flag. Pairs with the rmb in tsmc_ring_get_cut(). */
	tsmc_wmb();
	r->lflags |= TSMC_RING_F_CUT;
	tsmc_idx_store(&r->idx->p.pflags, r->lflags);
}

/* ------------------------------------------------------------------ */
/* Copying helpers                                                    */
/* ------------------------------------------------------------------ */

/*
 * Copy @len bytes into/out of the front of a reserve's or a peek's spans
 * (@len <= their total). A peek may offer more bytes than the caller takes,
 * so each span is clamped to what is left of @len: copying a whole first
 * span into a one-record buffer is an overflow the peer controls.
 */
static inline void tsmc_ring_spans_in(const struct tsmc_ring_span sp[2],
				      const void *src, __u32 len)
{
	__u32 n0 = len < sp[0].len ? len : sp[0].len;
	__u32 n1 = len - n0 < sp[1].len ? len - n0 : sp[1].len;

	memcpy(sp[0].p, src, n0);
	memcpy(sp[1].p, (const __u8 *)src + n0, n1);
}

static inline void tsmc_ring_spans_out(void *dst,
				       const struct tsmc_ring_span sp[2],
				       __u32 len)
{
	__u32 n0 = len < sp[0].len ? len : sp[0].len;
	__u32 n1 = len - n0 < sp[1].len ? len - n0 : sp[1].len;

	memcpy(dst, sp[0].p, n0);
	memcpy((__u8 *)dst + n0, sp[1].p, n1);
}

/*
 * Copy up to @len bytes in. Returns bytes written (0: full) or <0;
 * *notify says whether the consumer must be notified.
 */
static inline int tsmc_ring_write(struct tsmc_ring *r, const void *buf,
				  size_t len, bool *notify)
{
	struct tsmc_ring_span sp[2];
	__u32 max = len < r->size ? (__u32)len : r->size;
	int n, ret;

	*notify = false;
	n = tsmc_ring_reserve_lazy(r, sp, max);
	if (n <= 0)
		return n;
	tsmc_ring_spans_in(sp, buf, (__u32)n);
	ret = tsmc_ring_commit(r, n);
	if (ret < 0)
		return ret;
	*notify = ret;
	return n;
}

/*
 * Copy up to @len bytes out. Returns bytes read (0: empty or EOF, see
 * tsmc_ring_eof()) or <0; *notify says whether the producer must be
 * notified.
 */
static inline int tsmc_ring_read(struct tsmc_ring *r, void *buf, size_t len,
				 bool *notify)
{
	struct tsmc_ring_span sp[2];
	__u32 n0;
	int n, ret;

	*notify = false;
	n = tsmc_ring_peek_min(r, sp, len < r->size ? (__u32)len : r->size);
	if (n <= 0)
		return n;
	n0 = len < (size_t)n ? (__u32)len : (__u32)n;
	tsmc_ring_spans_out(buf, sp, n0);
	ret = tsmc_ring_consume(r, n0);
	if (ret < 0)
		return ret;
	*notify = ret;
	return (int)n0;
}

#endif /* _TSMC_XEN_RING_H */

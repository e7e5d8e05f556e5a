// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Ring core, both sides in one process: edges, wraparound past 2^32,
 * notify/suppress decisions, flags, misuse and hostile index values.
 * The data area is malloc'ed at its exact size so ASan catches any access
 * outside it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tsmc_xen/ring.h"

struct pair {
	struct tsmc_ring_idx *idx;
	uint8_t *data;
	struct tsmc_ring p, c;
};

static void pair_init(struct pair *x, unsigned int order, uint32_t start)
{
	x->idx = malloc(sizeof(*x->idx));
	x->data = malloc((size_t)1 << order);
	if (!x->idx || !x->data)
		abort();
	tsmc_ring_format(x->idx, start);
	CHECK_EQ(tsmc_ring_init(&x->p, x->idx, x->data, order, start, true), 0);
	CHECK_EQ(tsmc_ring_init(&x->c, x->idx, x->data, order, start, false),
		 0);
}

static void pair_free(struct pair *x)
{
	free(x->idx);
	free(x->data);
}

/* Peer-side scribbles on shared words, as a hostile domain would. */
static void poke(__le32 *w, uint32_t v)
{
	*w = tsmc__le32(v);
}

static void test_init_rejects_bad_args(void)
{
	struct tsmc_ring r;
	struct tsmc_ring_idx idx;
	uint8_t d[16];

	CHECK_EQ(tsmc_ring_init(&r, &idx, d, TSMC_RING_CORE_ORDER_MAX + 1, 0,
				true), -EINVAL);
	CHECK_EQ(tsmc_ring_init(&r, NULL, d, 4, 0, true), -EINVAL);
	CHECK_EQ(tsmc_ring_init(&r, &idx, NULL, 4, 0, true), -EINVAL);
	CHECK_EQ(tsmc_ring_init(&r, &idx, d, 4, 0, true), 0);
	CHECK_EQ(r.size, 16);
}

static void test_empty_and_full_edges(void)
{
	struct pair x;
	struct tsmc_ring_span sp[2];
	uint8_t buf[32], out[32];
	bool nt;
	int i;

	pair_init(&x, 4, 0);
	for (i = 0; i < 32; i++)
		buf[i] = (uint8_t)(i + 1);
	CHECK_EQ(tsmc_ring_peek(&x.c, sp), 0);
	CHECK(!tsmc_ring_eof(&x.c));
	CHECK_EQ(tsmc_ring_reserve(&x.p, sp, 100), 16);
	CHECK_EQ(tsmc_ring_write(&x.p, buf, 32, &nt), 16);
	CHECK_EQ(tsmc_ring_reserve(&x.p, sp, 100), 0);	/* full */
	CHECK_EQ(tsmc_ring_write(&x.p, buf, 1, &nt), 0);
	CHECK_EQ(tsmc_ring_peek(&x.c, sp), 16);
	CHECK_EQ(tsmc_ring_read(&x.c, out, 15, &nt), 15);
	CHECK(memcmp(out, buf, 15) == 0);
	CHECK_EQ(tsmc_ring_reserve(&x.p, sp, 100), 15);
	CHECK_EQ(tsmc_ring_read(&x.c, out, 32, &nt), 1);
	CHECK_EQ(out[0], 16);
	CHECK_EQ(tsmc_ring_read(&x.c, out, 32, &nt), 0);	/* empty */
	CHECK_EQ(tsmc_ring_reserve(&x.p, sp, 100), 16);
	pair_free(&x);
}

static void test_spans_split_at_wrap(void)
{
	struct pair x;
	struct tsmc_ring_span sp[2];
	uint8_t buf[16], out[16];
	bool nt;
	int i;

	pair_init(&x, 4, 10);	/* offset 10 of 16 */
	for (i = 0; i < 16; i++)
		buf[i] = (uint8_t)(0xa0 + i);
	CHECK_EQ(tsmc_ring_reserve(&x.p, sp, 10), 10);
	CHECK(sp[0].p == x.data + 10);
	CHECK_EQ(sp[0].off, 10);
	CHECK_EQ(sp[0].len, 6);
	CHECK(sp[1].p == x.data);
	CHECK_EQ(sp[1].off, 0);
	CHECK_EQ(sp[1].len, 4);
	CHECK_EQ(tsmc_ring_write(&x.p, buf, 10, &nt), 10);
	CHECK_EQ(x.data[10], 0xa0);
	CHECK_EQ(x.data[15], 0xa5);
	CHECK_EQ(x.data[0], 0xa6);
	CHECK_EQ(x.data[3], 0xa9);
	CHECK_EQ(tsmc_ring_peek(&x.c, sp), 10);
	CHECK_EQ(sp[0].off, 10);
	CHECK_EQ(sp[0].len, 6);
	CHECK_EQ(sp[1].len, 4);
	CHECK_EQ(tsmc_ring_read(&x.c, out, 16, &nt), 10);
	CHECK(memcmp(out, buf, 10) == 0);
	pair_free(&x);
}

static uint64_t rng_state;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

/* Interleave random writes and reads across the 2^32 index wrap. */
static void run_wrap(uint32_t start, unsigned int order)
{
	struct pair x;
	uint8_t in[300], out[300];
	uint64_t wpos = 0, rpos = 0;
	int i, k, n;
	bool nt;

	pair_init(&x, order, start);
	rng_state = 0x9e3779b97f4a7c15ULL ^ start;
	for (i = 0; i < 20000; i++) {
		uint32_t len = rng() % 300;

		for (k = 0; k < (int)len; k++)
			in[k] = (uint8_t)((wpos + k) * 131 + 7);
		n = tsmc_ring_write(&x.p, in, len, &nt);
		CHECK(n >= 0 && (uint32_t)n <= len);
		if (n < 0)
			break;
		wpos += n;
		n = tsmc_ring_read(&x.c, out, rng() % 300, &nt);
		CHECK(n >= 0);
		if (n < 0)
			break;
		for (k = 0; k < n; k++) {
			if (out[k] != (uint8_t)((rpos + k) * 131 + 7)) {
				CHECK(!"byte mismatch");
				break;
			}
		}
		rpos += n;
	}
	CHECK(wpos > 0x200);	/* really crossed 2^32 from start */
	CHECK_EQ((uint32_t)(tsmc__le32(x.idx->p.prod)), (uint32_t)(start + wpos));
	CHECK_EQ((uint32_t)(tsmc__le32(x.idx->c.cons)), (uint32_t)(start + rpos));
	CHECK_EQ(tsmc_ring_error(&x.p), 0);
	CHECK_EQ(tsmc_ring_error(&x.c), 0);
	pair_free(&x);
}

static void test_wraparound_past_2_32(void)
{
	run_wrap(0xffffff00u, 4);
	run_wrap(0xfffffff0u, 8);
	run_wrap(0x7fffff00u, 6);	/* sign boundary */
	run_wrap(0xffffffffu, 12);
}

static void test_zero_length(void)
{
	struct pair x;
	struct tsmc_ring_span sp[2];
	uint8_t b[1] = { 0 };
	bool nt = true;

	pair_init(&x, 6, 0);
	CHECK_EQ(tsmc_ring_write(&x.p, b, 0, &nt), 0);
	CHECK(!nt);
	CHECK_EQ(tsmc_ring_reserve(&x.p, sp, 0), 0);
	CHECK_EQ(sp[0].len + sp[1].len, 0);
	CHECK_EQ(tsmc_ring_commit(&x.p, 0), 0);
	CHECK_EQ(tsmc__le32(x.idx->p.prod), 0);
	CHECK_EQ(tsmc_ring_write(&x.p, "abc", 3, &nt), 3);
	CHECK_EQ(tsmc_ring_read(&x.c, b, 0, &nt), 0);
	CHECK(!nt);
	CHECK_EQ(tsmc_ring_consume(&x.c, 0), 0);
	CHECK_EQ(tsmc__le32(x.idx->c.cons), 0);
	CHECK_EQ(tsmc_ring_peek(&x.c, sp), 3);
	pair_free(&x);
}

static void test_huge_lengths_are_clamped(void)
{
	struct pair x;
	struct tsmc_ring_span sp[2];
	uint8_t *buf = malloc(64);
	bool nt;

	pair_init(&x, 6, 5);
	memset(buf, 0x5a, 64);
	/* len claims far more than buf holds: only size bytes may be read */
	CHECK_EQ(tsmc_ring_write(&x.p, buf, SIZE_MAX, &nt), 64);
	CHECK_EQ(tsmc_ring_reserve(&x.p, sp, UINT32_MAX), 0);
	CHECK_EQ(tsmc_ring_read(&x.c, buf, 64, &nt), 64);
	CHECK_EQ(tsmc_ring_reserve(&x.p, sp, UINT32_MAX), 64);
	CHECK_EQ(sp[0].len + sp[1].len, 64);
	free(buf);
	pair_free(&x);
}

static void test_local_misuse_is_einval(void)
{
	struct pair x;
	struct tsmc_ring_span sp[2];

	pair_init(&x, 4, 0);
	CHECK_EQ(tsmc_ring_commit(&x.p, 1), -EINVAL);	/* nothing reserved */
	CHECK_EQ(tsmc_ring_reserve(&x.p, sp, 4), 4);
	CHECK_EQ(tsmc_ring_commit(&x.p, 5), -EINVAL);
	CHECK_EQ(tsmc_ring_commit(&x.p, 2), 1);
	CHECK_EQ(tsmc_ring_commit(&x.p, 3), -EINVAL);	/* 2 left */
	CHECK_EQ(tsmc_ring_commit(&x.p, 2), 0);
	CHECK_EQ(tsmc_ring_consume(&x.c, 1), -EINVAL);	/* nothing peeked */
	CHECK_EQ(tsmc_ring_peek(&x.c, sp), 4);
	CHECK_EQ(tsmc_ring_consume(&x.c, 5), -EINVAL);
	CHECK_EQ(tsmc_ring_consume(&x.c, 4), 0);
	CHECK_EQ(tsmc_ring_error(&x.p), 0);		/* not sticky */
	CHECK_EQ(tsmc_ring_error(&x.c), 0);
	pair_free(&x);
}

static void test_notify_only_when_asked(void)
{
	struct pair x;
	struct tsmc_ring_span sp[2];
	uint8_t b[16] = { 0 };
	bool nt;

	pair_init(&x, 4, 0xfffffffe);
	/* consumer starts armed: the first byte notifies, the next do not */
	CHECK_EQ(tsmc_ring_write(&x.p, b, 1, &nt), 1);
	CHECK(nt);
	CHECK_EQ(tsmc_ring_write(&x.p, b, 1, &nt), 1);
	CHECK(!nt);
	/* arming with data present: do not sleep */
	CHECK_EQ(tsmc_ring_cons_arm(&x.c), 1);
	CHECK_EQ(tsmc_ring_read(&x.c, b, 16, &nt), 2);
	CHECK(!nt);			/* producer never asked */
	CHECK_EQ(tsmc_ring_cons_arm(&x.c), 0);	/* empty: may sleep */
	CHECK_EQ(tsmc_ring_write(&x.p, b, 3, &nt), 3);
	CHECK(nt);			/* crosses data_event */
	CHECK_EQ(tsmc_ring_write(&x.p, b, 3, &nt), 3);
	CHECK(!nt);

	/* fill, then the producer asks for 4 bytes of room */
	CHECK_EQ(tsmc_ring_write(&x.p, b, 16, &nt), 10);
	CHECK_EQ(tsmc_ring_prod_arm(&x.p, 4), 0);
	CHECK_EQ(tsmc_ring_peek(&x.c, sp), 16);
	CHECK_EQ(tsmc_ring_consume(&x.c, 3), 0);	/* 3 free: not yet */
	CHECK_EQ(tsmc_ring_prod_arm(&x.p, 4), 0);	/* re-check: still 3 */
	CHECK_EQ(tsmc_ring_consume(&x.c, 1), 1);	/* 4 free: wake */
	CHECK_EQ(tsmc_ring_consume(&x.c, 1), 0);	/* once */
	CHECK_EQ(tsmc_ring_prod_arm(&x.p, 4), 1);	/* room is there */
	CHECK_EQ(tsmc_ring_prod_arm(&x.p, 1000), 0);	/* clamped to size */
	CHECK_EQ(tsmc_ring_consume(&x.c, 11), 1);	/* empty = size free */
	pair_free(&x);
}

static void test_eof_propagates_after_data(void)
{
	struct pair x;
	struct tsmc_ring_span sp[2];
	uint8_t b[8];
	bool nt;

	pair_init(&x, 4, 0);
	CHECK_EQ(tsmc_ring_write(&x.p, "hello", 5, &nt), 5);
	tsmc_ring_set_eof(&x.p);
	CHECK_EQ(tsmc_ring_write(&x.p, "x", 1, &nt), -EPIPE);
	CHECK_EQ(tsmc_ring_peek(&x.c, sp), 5);
	CHECK(!tsmc_ring_eof(&x.c));		/* bytes still unread */
	CHECK_EQ(tsmc_ring_cons_arm(&x.c), 1);
	CHECK_EQ(tsmc_ring_read(&x.c, b, 8, &nt), 5);
	CHECK(memcmp(b, "hello", 5) == 0);
	CHECK_EQ(tsmc_ring_read(&x.c, b, 8, &nt), 0);
	CHECK(tsmc_ring_eof(&x.c));
	CHECK_EQ(tsmc_ring_cons_arm(&x.c), 1);	/* never sleep at EOF */
	CHECK_EQ(tsmc_ring_error(&x.c), 0);
	pair_free(&x);
}

static void test_error_propagates_and_sticks(void)
{
	struct pair x;
	struct tsmc_ring_span sp[2];
	uint8_t b[8];
	bool nt;

	pair_init(&x, 4, 0);
	CHECK_EQ(tsmc_ring_write(&x.p, "abc", 3, &nt), 3);
	tsmc_ring_set_error(&x.p);
	CHECK_EQ(tsmc_ring_read(&x.c, b, 8, &nt), -ECONNRESET);
	CHECK_EQ(tsmc_ring_peek(&x.c, sp), -ECONNRESET);
	CHECK_EQ(tsmc_ring_consume(&x.c, 0), -ECONNRESET);
	CHECK_EQ(tsmc_ring_cons_arm(&x.c), -ECONNRESET);
	CHECK_EQ(tsmc_ring_write(&x.p, "x", 1, &nt), -EPIPE);
	pair_free(&x);
}

static void test_closed_gives_producer_epipe(void)
{
	struct pair x;
	bool nt;

	struct tsmc_ring_span sp[2];

	pair_init(&x, 4, 0);
	CHECK_EQ(tsmc_ring_write(&x.p, "abc", 3, &nt), 3);
	tsmc_ring_set_closed(&x.c);
	CHECK_EQ(tsmc_ring_reserve(&x.p, sp, 1), -EPIPE);
	CHECK_EQ(tsmc_ring_write(&x.p, "x", 1, &nt), -EPIPE);
	CHECK_EQ(tsmc_ring_prod_arm(&x.p, 1), -EPIPE);
	CHECK_EQ(tsmc_ring_error(&x.p), -EPIPE);
	pair_free(&x);
}

/* READING is a known consumer flag: the producer sees it and goes on. */
static void test_reading_is_seen_not_an_error(void)
{
	struct tsmc_ring_span sp[2];
	struct pair x;
	bool nt;

	pair_init(&x, 4, 0);
	CHECK(!tsmc_ring_peer_reading(&x.p));
	tsmc_ring_set_reading(&x.c);
	CHECK(tsmc_ring_peer_reading(&x.p));
	CHECK_EQ(tsmc_ring_write(&x.p, "abc", 3, &nt), 3);
	CHECK_EQ(tsmc_ring_error(&x.p), 0);
	tsmc_ring_set_closed(&x.c);
	CHECK(tsmc_ring_peer_reading(&x.p));
	CHECK_EQ(tsmc_ring_reserve(&x.p, sp, 1), -EPIPE);
	pair_free(&x);
}

static void test_cut_published_once_set(void)
{
	struct pair x;
	uint32_t seq = 0;

	pair_init(&x, 4, 0);
	CHECK_EQ(tsmc_ring_get_cut(&x.c, &seq), -EAGAIN);
	tsmc_ring_set_cut(&x.p, 0xdeadbeef);
	CHECK_EQ(tsmc_ring_get_cut(&x.c, &seq), 0);
	CHECK_EQ(seq, 0xdeadbeef);
	pair_free(&x);
}

static void test_peer_gone_is_reset_everywhere(void)
{
	struct pair x;
	struct tsmc_ring_span sp[2];
	bool nt;

	pair_init(&x, 4, 0);
	CHECK_EQ(tsmc_ring_write(&x.p, "abc", 3, &nt), 3);
	tsmc_ring_set_peer_gone(&x.c);
	tsmc_ring_set_peer_gone(&x.p);
	CHECK_EQ(tsmc_ring_peek(&x.c, sp), -ECONNRESET);
	CHECK_EQ(tsmc_ring_cons_arm(&x.c), -ECONNRESET);
	CHECK_EQ(tsmc_ring_reserve(&x.p, sp, 1), -ECONNRESET);
	CHECK_EQ(tsmc_ring_prod_arm(&x.p, 1), -ECONNRESET);
	CHECK_EQ(tsmc_ring_commit(&x.p, 0), -ECONNRESET);
	pair_free(&x);
}

/*
 * Oracle for prod as seen by a consumer at cons with last prod seen lp:
 * computed in 64 bits from distances, independent of the ring's formula.
 */
static bool prod_ok(uint32_t cons, uint32_t lp, uint32_t prod, uint32_t size)
{
	uint64_t ahead = (uint32_t)(prod - cons);	/* as the honest peer */
	uint64_t seen = (uint32_t)(lp - cons);

	return ahead <= size && ahead >= seen;
}

static void test_hostile_prod_values(void)
{
	static const uint32_t starts[] = { 0, 5, 0x7ffffff8u, 0xfffffff8u };
	static const int64_t deltas[] = {
		-(1LL << 31), -65536, -17, -16, -2, -1, 0, 1, 2, 3, 15, 16, 17,
		18, 31, 32, 1000, 0x7fffffffLL, 0x80000000LL, 0xffffffffLL,
	};
	unsigned int si, di, ok_seen = 0, bad_seen = 0;

	for (si = 0; si < sizeof(starts) / sizeof(starts[0]); si++) {
		for (di = 0; di < sizeof(deltas) / sizeof(deltas[0]); di++) {
			uint32_t s = starts[si];
			uint32_t prod = (uint32_t)(s + 3 + deltas[di]);
			struct tsmc_ring_span sp[2];
			struct pair x;
			bool nt, ok;
			int n;

			/* honest: prod = s + 5, consumer at s + 2 */
			pair_init(&x, 4, s);
			CHECK_EQ(tsmc_ring_write(&x.p, "12345", 5, &nt), 5);
			CHECK_EQ(tsmc_ring_peek(&x.c, sp), 5);
			CHECK_EQ(tsmc_ring_consume(&x.c, 2), 0);
			ok = prod_ok(s + 2, s + 5, prod, 16);
			poke(&x.idx->p.prod, prod);
			n = tsmc_ring_peek(&x.c, sp);
			if (ok) {
				ok_seen++;
				CHECK_EQ(n, (uint32_t)(prod - (s + 2)));
				CHECK(sp[0].len + sp[1].len == (uint32_t)n);
			} else {
				bad_seen++;
				CHECK_EQ(n, -EPROTO);
				CHECK_EQ(sp[0].len + sp[1].len, 0);
				/* sticky: even a now-valid prod is refused */
				poke(&x.idx->p.prod, s + 5);
				CHECK_EQ(tsmc_ring_peek(&x.c, sp), -EPROTO);
				CHECK_EQ(tsmc_ring_cons_arm(&x.c), -EPROTO);
				CHECK_EQ(tsmc_ring_consume(&x.c, 0), -EPROTO);
			}
			pair_free(&x);
		}
	}
	CHECK(ok_seen > 0 && bad_seen > 0);
}

static bool cons_ok(uint32_t prod, uint32_t lc, uint32_t cons)
{
	uint64_t behind = (uint32_t)(prod - cons);

	return behind <= (uint32_t)(prod - lc);
}

static void test_hostile_cons_values(void)
{
	static const uint32_t starts[] = { 0, 0x7ffffffcu, 0xfffffffcu };
	static const int64_t deltas[] = {
		-(1LL << 31), -17, -16, -1, 0, 1, 2, 3, 4, 5, 6, 16, 17,
		0x80000000LL, 0xffffffffLL,
	};
	unsigned int si, di, ok_seen = 0, bad_seen = 0;

	for (si = 0; si < sizeof(starts) / sizeof(starts[0]); si++) {
		for (di = 0; di < sizeof(deltas) / sizeof(deltas[0]); di++) {
			uint32_t s = starts[si];
			uint32_t cons = (uint32_t)(s + 2 + deltas[di]);
			struct tsmc_ring_span sp[2];
			struct pair x;
			bool nt, ok;
			int n;

			/* prod = s + 6, producer last saw cons = s + 2 */
			pair_init(&x, 4, s);
			CHECK_EQ(tsmc_ring_write(&x.p, "123456", 6, &nt), 6);
			CHECK_EQ(tsmc_ring_read(&x.c, sp, 2, &nt), 2);
			CHECK_EQ(tsmc_ring_reserve(&x.p, sp, 0), 0);
			ok = cons_ok(s + 6, s + 2, cons);
			poke(&x.idx->c.cons, cons);
			n = tsmc_ring_reserve(&x.p, sp, 100);
			if (ok) {
				ok_seen++;
				CHECK_EQ(n, 16 - (uint32_t)(s + 6 - cons));
			} else {
				bad_seen++;
				CHECK_EQ(n, -EPROTO);
				CHECK_EQ(tsmc_ring_prod_arm(&x.p, 1), -EPROTO);
				CHECK_EQ(tsmc_ring_commit(&x.p, 0), -EPROTO);
			}
			pair_free(&x);
		}
	}
	CHECK(ok_seen > 0 && bad_seen > 0);
}

static void test_hostile_flags_and_events(void)
{
	struct tsmc_ring_span sp[2];
	struct pair x;
	uint32_t seq;
	bool nt;
	int i;

	pair_init(&x, 4, 0);
	poke(&x.idx->p.pflags, 0x80);
	CHECK_EQ(tsmc_ring_peek(&x.c, sp), -EPROTO);
	pair_free(&x);

	pair_init(&x, 4, 0);
	poke(&x.idx->p.pflags, 0x10 | TSMC_RING_F_CUT);
	CHECK_EQ(tsmc_ring_get_cut(&x.c, &seq), -EPROTO);
	pair_free(&x);

	pair_init(&x, 4, 0);
	poke(&x.idx->c.cflags, 0x4);	/* no such consumer flag */
	CHECK_EQ(tsmc_ring_reserve(&x.p, sp, 1), -EPROTO);
	pair_free(&x);

	/* bytes added after EOF: refused even though in range */
	pair_init(&x, 4, 0);
	CHECK_EQ(tsmc_ring_write(&x.p, "ab", 2, &nt), 2);
	tsmc_ring_set_eof(&x.p);
	CHECK_EQ(tsmc_ring_peek(&x.c, sp), 2);
	poke(&x.idx->p.prod, 3);
	CHECK_EQ(tsmc_ring_peek(&x.c, sp), -EPROTO);
	pair_free(&x);

	/* EOF flag withdrawn: EOF stays seen, no error */
	pair_init(&x, 4, 0);
	tsmc_ring_set_eof(&x.p);
	CHECK_EQ(tsmc_ring_peek(&x.c, sp), 0);
	poke(&x.idx->p.pflags, 0);
	CHECK_EQ(tsmc_ring_peek(&x.c, sp), 0);
	CHECK(tsmc_ring_eof(&x.c));
	pair_free(&x);

	/* event words are only hints: any value yields 0 or 1, never harm */
	pair_init(&x, 4, 0);
	for (i = 0; i < 64; i++) {
		int r;

		poke(&x.idx->data.event, (uint32_t)i * 0x9e3779b9u);
		poke(&x.idx->space.event, (uint32_t)i * 0x7f4a7c15u);
		r = tsmc_ring_write(&x.p, "abcdefgh", 8, &nt);
		CHECK_EQ(r, 8);
		r = tsmc_ring_read(&x.c, sp, 0, &nt);
		CHECK_EQ(r, 0);
		CHECK_EQ(tsmc_ring_peek(&x.c, sp), 8);
		r = tsmc_ring_consume(&x.c, 8);
		CHECK(r == 0 || r == 1);
	}
	CHECK_EQ(tsmc_ring_error(&x.c), 0);
	CHECK_EQ(tsmc_ring_error(&x.p), 0);
	pair_free(&x);
}

/* Lazy variants use what is already validated and touch nothing shared. */
static void test_lazy_uses_known_room_and_bytes(void)
{
	struct tsmc_ring_span sp[2];
	struct pair x;
	bool nt;

	pair_init(&x, 4, 0);
	CHECK_EQ(tsmc_ring_write(&x.p, "abcdef", 6, &nt), 6);	/* knows 16 */
	CHECK_EQ(tsmc_ring_peek(&x.c, sp), 6);
	poke(&x.idx->c.cons, 0x40000000);			/* garbage */
	poke(&x.idx->p.prod, 0x40000000);
	CHECK_EQ(tsmc_ring_reserve_lazy(&x.p, sp, 10), 10);	/* 10 known */
	CHECK_EQ(tsmc_ring_peek_min(&x.c, sp, 6), 6);		/* 6 known */
	CHECK_EQ(tsmc_ring_consume(&x.c, 6), 0);	/* stores cons = 6 */
	poke(&x.idx->c.cons, 0x40000000);
	CHECK_EQ(tsmc_ring_peek_min(&x.c, sp, 1), -EPROTO);	/* must look */
	CHECK_EQ(tsmc_ring_reserve_lazy(&x.p, sp, 11), -EPROTO);	/* too */
	pair_free(&x);
}

/*
 * A peek offers every record that is there; copying one record out must
 * take exactly that many bytes (ASan: the destination is malloc'ed at the
 * record's size), also when the record straddles the wrap.
 */
static void test_span_copy_takes_one_record(void)
{
	enum { REC = 128 };
	struct tsmc_ring_span sp[2];
	uint8_t rec[REC], *dst;
	struct pair x;
	bool notify;
	int i, n;

	/* Four records end 64 bytes past the wrap: the last one straddles it. */
	pair_init(&x, 12, 4096 - 64 - 3 * REC);
	dst = malloc(REC);
	if (!dst)
		abort();
	for (i = 0; i < 4; i++) {
		memset(rec, 'a' + i, sizeof(rec));
		CHECK_EQ(tsmc_ring_write(&x.p, rec, sizeof(rec), &notify), REC);
	}
	for (i = 0; i < 4; i++) {
		n = tsmc_ring_peek(&x.c, sp);
		CHECK_EQ(n, (4 - i) * REC);
		CHECK(sp[0].len > REC || i >= 2);
		tsmc_ring_spans_out(dst, sp, REC);
		memset(rec, 'a' + i, sizeof(rec));
		CHECK(memcmp(dst, rec, REC) == 0);
		CHECK(tsmc_ring_consume(&x.c, REC) >= 0);
	}
	free(dst);
	pair_free(&x);
}

int main(void)
{
	RUN(test_init_rejects_bad_args);
	RUN(test_empty_and_full_edges);
	RUN(test_spans_split_at_wrap);
	RUN(test_wraparound_past_2_32);
	RUN(test_zero_length);
	RUN(test_huge_lengths_are_clamped);
	RUN(test_span_copy_takes_one_record);
	RUN(test_local_misuse_is_einval);
	RUN(test_notify_only_when_asked);
	RUN(test_eof_propagates_after_data);
	RUN(test_error_propagates_and_sticks);
	RUN(test_closed_gives_producer_epipe);
	RUN(test_reading_is_seen_not_an_error);
	RUN(test_cut_published_once_set);
	RUN(test_peer_gone_is_reset_everywhere);
	RUN(test_hostile_prod_values);
	RUN(test_hostile_cons_values);
	RUN(test_hostile_flags_and_events);
	RUN(test_lazy_uses_known_room_and_bytes);
	return CHECK_SUMMARY();
}

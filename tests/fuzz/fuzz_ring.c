// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: the fuzzer is a hostile peer that owns every byte of
 * the shared index block and data area, and may rewrite any index word
 * before any single shared access of ours (the TSMC_RING_FUZZ hook in
 * ring_env.h), i.e. in the middle of an operation.
 *
 * Our side (producer or consumer) runs operations chosen by the input.
 * Checked after each: spans stay inside the data area (which is malloc'ed
 * at its exact size, so ASan also catches any stray access); counts never
 * exceed the ring; our index moves only by what we committed/consumed;
 * errors are sticky; and, for reads of a stable shared block, the result
 * matches an independent 64-bit oracle, so a bad index must be reported
 * as -EPROTO. No operation may loop: libFuzzer's -timeout catches that.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsmc_xen/ring.h"

static const uint8_t *in;
static size_t in_len, in_pos;
static struct tsmc_ring_idx *g_idx;
static bool hooks_on;

static uint8_t take8(void)
{
	return in_pos < in_len ? in[in_pos++] : 0;
}

static uint32_t take32(void)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v = v << 8 | take8();
	return v;
}

static void put_word(unsigned int w, uint32_t v)
{
	memcpy((uint8_t *)g_idx + 4 * (w % 64), &v, 4);
}

static uint32_t raw(const __le32 *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return tsmc__le32(v);
}

/* The peer, running concurrently: maybe rewrite one word right now. */
void tsmc_fuzz_peer_step(void)
{
	uint8_t b;

	if (!hooks_on || in_pos >= in_len)
		return;
	b = take8();
	if (b & 3)
		return;
	put_word(b >> 2, take32());
}

#define FAIL_IF(c) do { if (c) { __builtin_trap(); } } while (0)

static void check_spans(const struct tsmc_ring *r,
			const struct tsmc_ring_span sp[2], int n)
{
	int k;

	if (n < 0) {
		FAIL_IF(sp[0].len || sp[1].len);
		return;
	}
	FAIL_IF((uint32_t)n > r->size);
	FAIL_IF(sp[0].len + sp[1].len != (uint32_t)n);
	for (k = 0; k < 2; k++) {
		if (!sp[k].len)
			continue;
		FAIL_IF(sp[k].p < r->data);
		FAIL_IF(sp[k].p + sp[k].len > r->data + r->size);
	}
}

/* Independent oracle for a consumer peek of a block nobody changes. */
static int expect_peek(const struct tsmc_ring *r)
{
	uint32_t pflags = raw(&g_idx->p.pflags), prod = raw(&g_idx->p.prod);
	uint64_t ahead = (uint32_t)(prod - r->local);
	uint64_t seen = (uint32_t)(r->peer - r->local);

	if (r->err)
		return r->err;
	if (pflags & ~(TSMC_RING_F_EOF | TSMC_RING_F_ERROR | TSMC_RING_F_CUT))
		return -EPROTO;
	if (pflags & TSMC_RING_F_ERROR)
		return -ECONNRESET;
	if (ahead > r->size || ahead < seen)
		return -EPROTO;
	if (r->eof && prod != r->final_prod)
		return -EPROTO;
	return (int)ahead;
}

/* Independent oracle for a producer reserve of a stable block. */
static int expect_reserve(const struct tsmc_ring *r, uint32_t max)
{
	uint32_t cflags = raw(&g_idx->c.cflags), cons = raw(&g_idx->c.cons);
	uint64_t used = (uint32_t)(r->local - cons);
	uint64_t was = (uint32_t)(r->local - r->peer);

	if (r->lflags & (TSMC_RING_F_EOF | TSMC_RING_F_ERROR))
		return r->err ? r->err : -EPIPE;
	if (r->err)
		return r->err;
	if (cflags & ~(TSMC_RING_F_CLOSED | TSMC_RING_F_READING))
		return -EPROTO;
	if (cflags & TSMC_RING_F_CLOSED)
		return -EPIPE;
	if (used > was)
		return -EPROTO;
	return (int)(r->size - used < max ? r->size - used : max);
}

static void run_consumer(struct tsmc_ring *r, uint32_t start)
{
	uint32_t peer_prod = start, seq, expect_local = start;
	struct tsmc_ring_span sp[2];
	uint8_t buf[512];
	bool nt;
	int ops, ret, err0, exp;

	for (ops = 0; ops < 2000 && in_pos < in_len; ops++) {
		uint8_t op = take8();
		uint32_t a = 0;

		err0 = r->err;
		hooks_on = op & 0x80;
		switch (op & 0x0f) {
		case 0:		/* peek, mid-operation interference allowed */
			ret = tsmc_ring_peek(r, sp);
			check_spans(r, sp, ret);
			break;
		case 1:		/* peek of a stable block, checked by oracle */
			hooks_on = false;
			exp = expect_peek(r);
			ret = tsmc_ring_peek(r, sp);
			check_spans(r, sp, ret);
			FAIL_IF(ret != exp);
			break;
		case 2:
			a = take8() & 1 ? r->pending : take32() % 600;
			ret = tsmc_ring_consume(r, a);
			if (ret >= 0)
				expect_local += a;
			FAIL_IF(ret > 1);
			break;
		case 3:
			a = take32() % sizeof(buf);
			ret = tsmc_ring_read(r, buf, a, &nt);
			FAIL_IF(ret > (int)a);
			if (ret > 0)
				expect_local += ret;
			break;
		case 4:
			ret = tsmc_ring_cons_arm(r);
			FAIL_IF(ret > 1);
			break;
		case 5:
			tsmc_ring_set_closed(r);
			ret = r->err;
			break;
		case 6:
			ret = tsmc_ring_get_cut(r, &seq);
			break;
		case 7:		/* honest producer: fill some bytes, publish */
			a = take8() % (r->size + 1);
			if (a > r->size - (peer_prod - r->local))
				a = r->size - (peer_prod - r->local);
			while (a--)
				r->data[peer_prod++ & (r->size - 1)] = take8();
			put_word(0, tsmc__le32(peer_prod));	/* p.prod */
			ret = r->err;
			break;
		case 8:		/* honest flags */
			put_word(1, tsmc__le32(take8() & 7));	/* p.pflags */
			ret = r->err;
			break;
		case 9:		/* scribble on the data area */
			r->data[take32() & (r->size - 1)] = take8();
			ret = r->err;
			break;
		case 10: {	/* lazy peek: cached bytes or a fresh look */
			uint32_t known = r->peer - r->local;

			a = take32();
			ret = tsmc_ring_peek_min(r, sp, a);
			check_spans(r, sp, ret);
			if (!err0 && known && known >= a)
				FAIL_IF(ret != (int)known);
			break;
		}
		default:	/* scribble on any index word */
			put_word(take8(), take32());
			ret = r->err;
			break;
		}
		hooks_on = false;
		/* sticky error, and nothing but it once broken */
		if (err0)
			FAIL_IF(r->err != err0 || (ret < 0 && ret != err0 &&
						   ret != -EAGAIN));
		FAIL_IF(r->local != expect_local);
		FAIL_IF(!r->err && (uint32_t)(r->peer - r->local) > r->size);
		FAIL_IF(r->pending > r->size);
	}
}

static void run_producer(struct tsmc_ring *r, uint32_t start)
{
	uint32_t peer_cons = start, expect_local = start;
	struct tsmc_ring_span sp[2];
	uint8_t buf[512];
	bool nt;
	int ops, ret, err0, exp;

	memset(buf, 0xab, sizeof(buf));
	for (ops = 0; ops < 2000 && in_pos < in_len; ops++) {
		uint8_t op = take8();
		uint32_t a = 0;

		err0 = r->err;
		hooks_on = op & 0x80;
		switch (op & 0x0f) {
		case 0:
			a = take32();
			ret = tsmc_ring_reserve(r, sp, a);
			check_spans(r, sp, ret);
			FAIL_IF(ret > 0 && (uint32_t)ret > a);
			break;
		case 1:
			hooks_on = false;
			a = take32();
			exp = expect_reserve(r, a);
			ret = tsmc_ring_reserve(r, sp, a);
			check_spans(r, sp, ret);
			FAIL_IF(ret != exp);
			if (ret > 0)	/* the spans are ours: write them */
				memset(sp[0].p, 0x5a, sp[0].len),
				memset(sp[1].p, 0x5a, sp[1].len);
			break;
		case 2:
			a = take8() & 1 ? r->pending : take32() % 600;
			ret = tsmc_ring_commit(r, a);
			if (ret >= 0)
				expect_local += a;
			FAIL_IF(ret > 1);
			break;
		case 3:
			a = take32() % sizeof(buf);
			ret = tsmc_ring_write(r, buf, a, &nt);
			FAIL_IF(ret > (int)a);
			if (ret > 0)
				expect_local += ret;
			break;
		case 4:
			ret = tsmc_ring_prod_arm(r, take32());
			FAIL_IF(ret > 1);
			break;
		case 5:
			tsmc_ring_set_eof(r);
			ret = r->err;
			break;
		case 6:
			tsmc_ring_set_error(r);
			ret = r->err;
			break;
		case 7:
			tsmc_ring_set_cut(r, take32());
			ret = r->err;
			break;
		case 8:		/* honest consumer: free some bytes */
			a = take8() % (r->size + 1);
			if (a > r->local - peer_cons)
				a = r->local - peer_cons;
			peer_cons += a;
			put_word(16, tsmc__le32(peer_cons));	/* c.cons */
			ret = r->err;
			break;
		case 10: {	/* lazy reserve: cached room or a fresh look */
			uint32_t known = r->size - (r->local - r->peer);

			a = take32();
			ret = tsmc_ring_reserve_lazy(r, sp, a);
			check_spans(r, sp, ret);
			if (!err0 && !(r->lflags & 3) && known && known >= a)
				FAIL_IF(ret != (int)a);
			FAIL_IF(ret > 0 && (uint32_t)ret > a);
			break;
		}
		case 9:
			/* c.cflags: CLOSED and READING */
			put_word(17, tsmc__le32(take8() & 3));
			ret = r->err;
			break;
		default:
			put_word(take8(), take32());
			ret = r->err;
			break;
		}
		hooks_on = false;
		if (err0)
			FAIL_IF(r->err != err0 || (ret < 0 && ret != err0 &&
						   ret != -EPIPE));
		FAIL_IF(r->local != expect_local);
		FAIL_IF(!r->err && (uint32_t)(r->local - r->peer) > r->size);
		FAIL_IF(r->pending > r->size);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsmc_ring r;
	unsigned int order;
	uint32_t start;
	uint8_t *area;
	bool producer;

	in = data;
	in_len = size;
	in_pos = 0;
	hooks_on = false;
	order = take8() % 13;		/* 1 byte .. 4 KiB */
	producer = take8() & 1;
	start = take32();
	g_idx = malloc(sizeof(*g_idx));
	area = malloc((size_t)1 << order);
	if (!g_idx || !area)
		abort();
	tsmc_ring_format(g_idx, start);
	memset(area, 0, (size_t)1 << order);
	if (tsmc_ring_init(&r, g_idx, area, order, start, producer))
		__builtin_trap();
	if (producer)
		run_producer(&r, start);
	else
		run_consumer(&r, start);
	free(area);
	free(g_idx);
	return 0;
}

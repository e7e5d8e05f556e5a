// SPDX-License-Identifier: MIT
/*
 * Parsing /sys/kernel/tsmc_xen/pairs (pairs_show() and
 * tsmc_conn_stats_show() in the module) and .../doorbell
 * (tsmc_doorbell_show()).
 */
#include "pairs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvfile.h"

const struct fallback_kind pair_fallbacks[PAIR_NFB] = {
	{ "rejects_in", "rejected by peer" },
	{ "rejects_out", "rejected by us" },
	{ "pool_exhausted", "pool exhausted" },
	{ "offer_timeouts", "offer timeout" },
	{ "wait_timeouts", "wait timeout" },
	{ "busy", "busy" },
	{ "nomem", "no memory" },
	{ "bad_ring", "bad ring" },
	{ "switch_refused", "switch refused" },
	{ "send_failed", "send failed" },
	{ "stray", "stray" },
};

const struct fallback_kind doorbell_fallbacks[DOORBELL_NFB] = {
	{ "no_pair", "no pair channel" },
	{ "not_connected", "pair not connected" },
	{ "bad_magic", "bad option magic" },
};

struct load_ctx {
	struct pair_list *list;
	long peer;
};

struct doorbell_ctx {
	struct doorbell *out;
	size_t lines;
};

static int parse_fallbacks(const struct kv_line *l,
			   const struct fallback_kind *kinds, size_t n,
			   uint64_t *fb)
{
	for (size_t i = 0; i < n; i++) {
		int rc = kv_u64(l, kinds[i].key, UINT64_MAX, &fb[i]);

		if (rc)
			return rc;
	}
	return TSS_OK;
}

static int list_push(struct pair_list *list, const struct pair *p)
{
	struct pair *v = tss_grow(list->v, list->n, &list->cap, sizeof(*v));

	if (!v)
		return TSS_FAIL;
	list->v = v;
	list->v[list->n++] = *p;
	return TSS_OK;
}

/* Everything but the state string, which needs a copy. */
static int parse_pair(const struct kv_line *l, struct pair *p,
		      const char **state)
{
	int rc = kv_u64(l, "peer", TSS_DOMID_MAX, &p->peer);

	if (!rc)
		rc = kv_str(l, "state", state);
	if (!rc)
		rc = kv_u64(l, "switched", UINT64_MAX, &p->switched);
	if (!rc)
		rc = kv_u64(l, "links", UINT64_MAX, &p->links);
	if (!rc)
		rc = kv_u64(l, "ring_broken", UINT64_MAX, &p->ring_broken);
	if (!rc)
		rc = parse_fallbacks(l, pair_fallbacks, PAIR_NFB, p->fb);
	return rc;
}

static int pair_line(void *arg, const struct kv_line *l)
{
	struct load_ctx *ctx = arg;
	struct pair p = { 0 };
	const char *state;
	int rc = parse_pair(l, &p, &state);

	if (rc)
		return rc;
	if (ctx->peer != TSS_ALL_PEERS && p.peer != (uint64_t)ctx->peer)
		return TSS_OK;
	p.state = strdup(state);
	if (!p.state) {
		fprintf(stderr, "tsmc-ss: out of memory\n");
		return TSS_FAIL;
	}
	rc = list_push(ctx->list, &p);
	if (rc)
		free(p.state);
	return rc;
}

int pairs_load(const char *path, long peer, struct pair_list *out)
{
	struct load_ctx ctx = { .list = out, .peer = peer };

	*out = (struct pair_list){ 0 };
	return kv_file_read(path, pair_line, &ctx);
}

void pairs_free(struct pair_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->v[i].state);
	free(list->v);
	*list = (struct pair_list){ 0 };
}

static int doorbell_line(void *arg, const struct kv_line *l)
{
	struct doorbell_ctx *ctx = arg;

	/* A second line would mean the format changed under us. */
	if (++ctx->lines > 1) {
		fprintf(stderr, "tsmc-ss: %s:%zu: more than one line\n",
			l->file, l->lineno);
		return TSS_BAD;
	}
	return parse_fallbacks(l, doorbell_fallbacks, DOORBELL_NFB,
			       ctx->out->fb);
}

int doorbell_load(const char *path, struct doorbell *out)
{
	struct doorbell_ctx ctx = { .out = out };
	int rc;

	*out = (struct doorbell){ 0 };
	rc = kv_file_read(path, doorbell_line, &ctx);
	if (rc == TSS_OK && !ctx.lines) {
		fprintf(stderr, "tsmc-ss: %s: empty\n", path);
		rc = TSS_BAD;
	}
	return rc;
}

uint64_t fallback_total(const uint64_t *fb, size_t n)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum = fb[i] > UINT64_MAX - sum ? UINT64_MAX : sum + fb[i];
	return sum;
}

// SPDX-License-Identifier: MIT
/* Parsing /proc/net/tsmc_xen (written by tsmc_link_show() in the module). */
#include "conns.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvfile.h"

struct load_ctx {
	struct conn_list *list;
	long peer;
};

static int port_ok(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n >= 1 && n <= 5 && !s[n] && atol(s) <= 65535;
}

/* "a.b.c.d:port" or "[v6]:port", the two forms the module prints. */
static int addr_ok(const char *s)
{
	char host[INET6_ADDRSTRLEN];
	unsigned char bin[sizeof(struct in6_addr)];
	const char *h = s, *colon;
	int af = AF_INET;
	size_t hlen;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return 0;
		af = AF_INET6;
		h = s + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return 0;
		hlen = (size_t)(colon - s);
	}
	if (hlen >= sizeof(host))
		return 0;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	return inet_pton(af, host, bin) == 1 && port_ok(colon + 1);
}

static int get_addr(const struct kv_line *l, const char *key,
		    const char **out)
{
	int rc = kv_str(l, key, out);

	if (rc == TSS_OK && !addr_ok(*out))
		rc = kv_bad(l, key, "bad address", *out);
	return rc;
}

/* Numbers and flags, straight into c. */
static int parse_counts(const struct kv_line *l, struct conn *c)
{
	int rc = kv_u64(l, "tx_bytes", UINT64_MAX, &c->tx_bytes);

	if (!rc)
		rc = kv_u64(l, "rx_bytes", UINT64_MAX, &c->rx_bytes);
	if (!rc)
		rc = kv_u64(l, "tx_fill", UINT64_MAX, &c->tx_fill);
	if (!rc)
		rc = kv_u64(l, "rx_fill", UINT64_MAX, &c->rx_fill);
	if (!rc)
		rc = kv_u64(l, "ring", UINT64_MAX, &c->ring);
	if (!rc)
		rc = kv_u64(l, "wakes", UINT64_MAX, &c->wakes);
	if (!rc)
		rc = kv_bool(l, "closed", &c->closed);
	if (!rc)
		rc = kv_bool(l, "peer_closed", &c->peer_closed);
	if (!rc)
		rc = kv_bool(l, "dead", &c->dead);
	return rc;
}

/* Strings are copied: they point into the reused getline buffer. */
static int parse_strings(const struct kv_line *l, struct conn *c)
{
	const char *side, *local, *remote;
	int rc = kv_str(l, "side", &side);

	if (!rc)
		rc = get_addr(l, "local", &local);
	if (!rc)
		rc = get_addr(l, "remote", &remote);
	if (rc)
		return rc;
	c->side = strdup(side);
	c->local = strdup(local);
	c->remote = strdup(remote);
	if (!c->side || !c->local || !c->remote) {
		fprintf(stderr, "tsmc-ss: out of memory\n");
		return TSS_FAIL;
	}
	return TSS_OK;
}

static void conn_clear(struct conn *c)
{
	free(c->side);
	free(c->local);
	free(c->remote);
}

static int list_push(struct conn_list *list, const struct conn *c)
{
	struct conn *v = tss_grow(list->v, list->n, &list->cap, sizeof(*v));

	if (!v)
		return TSS_FAIL;
	list->v = v;
	list->v[list->n++] = *c;
	return TSS_OK;
}

static int conn_line(void *arg, const struct kv_line *l)
{
	struct load_ctx *ctx = arg;
	struct conn c = { 0 };
	int rc = kv_u64(l, "peer", TSS_DOMID_MAX, &c.peer);

	if (!rc)
		rc = parse_strings(l, &c);
	if (!rc)
		rc = parse_counts(l, &c);
	/* Filtered only after the checks: bad input is never hidden. */
	if (!rc && (ctx->peer == TSS_ALL_PEERS ||
		    c.peer == (uint64_t)ctx->peer)) {
		rc = list_push(ctx->list, &c);
		if (!rc)
			return TSS_OK;	/* the list owns the strings now */
	}
	conn_clear(&c);
	return rc;
}

int conns_load(const char *path, long peer, struct conn_list *out)
{
	struct load_ctx ctx = { .list = out, .peer = peer };

	*out = (struct conn_list){ 0 };
	return kv_file_read(path, conn_line, &ctx);
}

void conns_free(struct conn_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		conn_clear(&list->v[i]);
	free(list->v);
	*list = (struct conn_list){ 0 };
}

const char *conn_state(const struct conn *c)
{
	if (c->dead)
		return "dead";
	if (c->closed && c->peer_closed)
		return "closed";
	if (c->closed || c->peer_closed)
		return "closing";
	return "open";
}

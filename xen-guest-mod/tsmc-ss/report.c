// SPDX-License-Identifier: MIT
/* Rendering: one row per connection, one block per pair. */
#include "report.h"

#include <inttypes.h>
#include <string.h>

#include "table.h"
#include "tss.h"

static const struct table_col conn_cols[] = {
	{ "Peer", 1 },     { "Side", 0 },     { "Local", 0 },
	{ "Remote", 0 },   { "Tx-Bytes", 1 }, { "Rx-Bytes", 1 },
	{ "Tx-Fill", 1 },  { "Rx-Fill", 1 },  { "Events", 1 },
	{ "State", 0 },
};
#define CONN_NCOLS (sizeof(conn_cols) / sizeof(conn_cols[0]))

/* Decimal u64: 20 digits; "fill/ring": 41 characters. */
#define NUM_LEN 24
#define FILL_LEN 48

static int add_conn(struct table *t, const struct conn *c)
{
	char peer[NUM_LEN], tx[NUM_LEN], rx[NUM_LEN], wakes[NUM_LEN];
	char txf[FILL_LEN], rxf[FILL_LEN];
	const char *cells[CONN_NCOLS] = {
		peer, c->side, c->local, c->remote, tx, rx, txf, rxf, wakes,
		conn_state(c),
	};

	snprintf(peer, sizeof(peer), "%" PRIu64, c->peer);
	snprintf(tx, sizeof(tx), "%" PRIu64, c->tx_bytes);
	snprintf(rx, sizeof(rx), "%" PRIu64, c->rx_bytes);
	/* Both rings of a connection have the size the module reports. */
	snprintf(txf, sizeof(txf), "%" PRIu64 "/%" PRIu64, c->tx_fill,
		 c->ring);
	snprintf(rxf, sizeof(rxf), "%" PRIu64 "/%" PRIu64, c->rx_fill,
		 c->ring);
	snprintf(wakes, sizeof(wakes), "%" PRIu64, c->wakes);
	return table_add(t, cells);
}

int report_conns(FILE *out, const struct conn_list *list, int header)
{
	struct table t;
	int rc = TSS_OK;

	table_init(&t, conn_cols, CONN_NCOLS);
	for (size_t i = 0; rc == TSS_OK && i < list->n; i++)
		rc = add_conn(&t, &list->v[i]);
	if (rc == TSS_OK)
		rc = table_print(&t, out, header);
	table_free(&t);
	return rc;
}

/* One label column for every block, so all counts line up. */
static size_t label_width(void)
{
	size_t w = 0;

	for (size_t i = 0; i < PAIR_NFB; i++)
		if (strlen(pair_fallbacks[i].label) > w)
			w = strlen(pair_fallbacks[i].label);
	for (size_t i = 0; i < DOORBELL_NFB; i++)
		if (strlen(doorbell_fallbacks[i].label) > w)
			w = strlen(doorbell_fallbacks[i].label);
	return w;
}

static void print_counters(FILE *out, const struct fallback_kind *kinds,
			   const uint64_t *fb, size_t n)
{
	int w = (int)label_width();	/* a few dozen: fits an int */

	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-*s  %" PRIu64 "\n", w, kinds[i].label, fb[i]);
}

static void print_pair(FILE *out, const struct pair *p)
{
	fprintf(out,
		"Pair %" PRIu64 ": state %s, switched %" PRIu64
		", links %" PRIu64 ", ring resets %" PRIu64
		", fallbacks %" PRIu64 "\n",
		p->peer, p->state, p->switched, p->links, p->ring_broken,
		fallback_total(p->fb, PAIR_NFB));
	print_counters(out, pair_fallbacks, p->fb, PAIR_NFB);
}

int report_summary(FILE *out, const struct pair_list *pairs,
		   const struct doorbell *db)
{
	if (!pairs->n)
		fputs("No pair channels\n\n", out);
	for (size_t i = 0; i < pairs->n; i++) {
		print_pair(out, &pairs->v[i]);
		putc('\n', out);
	}
	/* Doorbell refusals have no pair yet: counted for all peers. */
	fprintf(out, "Doorbell (all peers): fallbacks %" PRIu64 "\n",
		fallback_total(db->fb, DOORBELL_NFB));
	print_counters(out, doorbell_fallbacks, db->fb, DOORBELL_NFB);
	return TSS_OK;
}

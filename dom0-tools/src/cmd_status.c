// SPDX-License-Identifier: MIT
/* tsmc-xenctl status [DOM] */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domains.h"
#include "grant_budget.h"
#include "guest.h"
#include "pairs.h"
#include "xenctl.h"
#include "xs_paths.h"
#include "xsi_util.h"

static const char *en_str(enum enable_state e)
{
	return e == EN_ON ? "yes" : e == EN_OFF ? "disabled" : "no";
}

static const char *xb_state(const char *s)
{
	static const char *const names[] = {
		"unknown", "initialising", "initwait", "initialised",
		"connected", "closing", "closed",
	};

	if (s[0] >= '1' && s[0] <= '6' && !s[1])
		return names[s[0] - '0'];
	return s[0] ? "invalid" : "missing";
}

struct dom_status {
	struct domain d;
	struct guest_settings s;
	struct guest_report r;
	struct grant_info gi;
	int grant_rc;
	unsigned int npairs, need;
	bool warn;
};

static void collect(struct xenctl *c, const struct domain *d, const struct pair *pairs,
		    unsigned int np, struct dom_status *st)
{
	unsigned int k;

	memset(st, 0, sizeof(*st));
	st->d = *d;
	guest_settings_read(c->xs, 0, d->domid, &st->s);
	guest_report_read(c->xs, 0, d->domid, &st->r);
	for (k = 0; k < np; k++)
		if (pairs[k].lo == d->domid || pairs[k].hi == d->domid)
			st->npairs++;
	st->grant_rc = c->grant_query(c->priv, d->domid, &st->gi);
	if (d->enabled == EN_ON) {
		st->need = grant_frames_needed(st->s.max_conns, st->s.ring_order, st->npairs);
		/* Frames in use already include vif/vbd; tsmc comes on top. */
		st->warn = st->grant_rc == 0 &&
			   st->need + st->gi.nr_frames > st->gi.max_frames;
	}
}

static void print_json(struct xenctl *c, const struct dom_status *st,
		       const struct pair *pairs, unsigned int np)
{
	json_writer_t *w = c->jw;
	unsigned int k;

	jsonw_start_object(w);
	jsonw_uint_field(w, "domid", st->d.domid);
	jsonw_string_field(w, "name", st->d.name);
	jsonw_string_field(w, "uuid", st->d.uuid);
	jsonw_string_field(w, "enabled", en_str(st->d.enabled));
	if (st->d.enabled == EN_ON) {
		jsonw_uint_field(w, "max_conns", st->s.max_conns);
		jsonw_uint_field(w, "ring_order", st->s.ring_order);
	}
	jsonw_name(w, "module");
	jsonw_start_object(w);
	jsonw_bool_field(w, "present", st->r.present);
	jsonw_bool_field(w, "invalid_report", st->r.garbage);
	jsonw_string_field(w, "version", st->r.version);
	jsonw_int_field(w, "wire_version", st->r.wire_version);
	jsonw_string_field(w, "state", st->r.state);
	jsonw_string_field(w, "doorbell", st->r.doorbell);
	jsonw_int_field(w, "conns", st->r.conns);
	jsonw_end_object(w);
	jsonw_name(w, "pairs");
	jsonw_start_array(w);
	for (k = 0; k < np; k++) {
		const struct pair *p = &pairs[k];
		bool me_lo = p->lo == st->d.domid;

		if (!me_lo && p->hi != st->d.domid)
			continue;
		jsonw_start_object(w);
		jsonw_uint_field(w, "peer", me_lo ? p->hi : p->lo);
		jsonw_string_field(w, "role", me_lo ? "server" : "client");
		jsonw_string_field(w, "state", xb_state(me_lo ? p->state_lo : p->state_hi));
		jsonw_string_field(w, "peer_state", xb_state(me_lo ? p->state_hi : p->state_lo));
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_name(w, "grant_frames");
	jsonw_start_object(w);
	if (st->grant_rc == 0) {
		jsonw_uint_field(w, "in_use", st->gi.nr_frames);
		jsonw_uint_field(w, "max", st->gi.max_frames);
	} else {
		jsonw_string_field(w, "error", strerror(-st->grant_rc));
	}
	if (st->d.enabled == EN_ON)
		jsonw_uint_field(w, "tsmc_estimate", st->need);
	jsonw_bool_field(w, "too_small", st->warn);
	jsonw_end_object(w);
	jsonw_end_object(w);
}

static void print_text(struct xenctl *c, const struct dom_status *st,
		       const struct pair *pairs, unsigned int np)
{
	FILE *o = c->out;
	unsigned int k;

	fprintf(o, "domain %u %s%s%s\n", st->d.domid, st->d.name[0] ? st->d.name : "?",
		st->d.uuid[0] ? " " : "", st->d.uuid);
	fprintf(o, "  enabled:  %s", en_str(st->d.enabled));
	if (st->d.enabled == EN_ON)
		fprintf(o, " (max-conns %u, ring-order %u)", st->s.max_conns, st->s.ring_order);
	fputc('\n', o);
	if (!st->r.present)
		fprintf(o, "  module:   not reported\n");
	else
		fprintf(o, "  module:   version %s, wire %ld, state %s, doorbell %s, conns %ld%s\n",
			st->r.version[0] ? st->r.version : "?", st->r.wire_version,
			st->r.state[0] ? st->r.state : "?",
			st->r.doorbell[0] ? st->r.doorbell : "?", st->r.conns,
			st->r.garbage ? " (report has invalid fields)" : "");
	for (k = 0; k < np; k++) {
		const struct pair *p = &pairs[k];
		bool me_lo = p->lo == st->d.domid;

		if (!me_lo && p->hi != st->d.domid)
			continue;
		fprintf(o, "  pair:     peer %u, %s, %s / peer %s\n", me_lo ? p->hi : p->lo,
			me_lo ? "server" : "client",
			xb_state(me_lo ? p->state_lo : p->state_hi),
			xb_state(me_lo ? p->state_hi : p->state_lo));
	}
	if (st->grant_rc == 0)
		fprintf(o, "  grants:   %u of %u frames in use", st->gi.nr_frames,
			st->gi.max_frames);
	else
		fprintf(o, "  grants:   unknown (%s)", strerror(-st->grant_rc));
	if (st->d.enabled == EN_ON)
		fprintf(o, "; tsmc may need %u more", st->need);
	fputc('\n', o);
	if (st->warn)
		fprintf(o, "  WARNING:  max_grant_frames %u too small for max-conns %u at "
			   "ring-order %u: raise max_grant_frames in the domain config "
			   "or lower max-conns\n",
			st->gi.max_frames, st->s.max_conns, st->s.ring_order);
}

int cmd_status(struct xenctl *c, int argc, char **argv)
{
	struct domain *v = NULL, one;
	struct pair *pairs = NULL;
	char **bad = NULL;
	unsigned int n = 0, np = 0, nbad = 0, i;
	int rc;

	if (argc > 2) {
		p_err(c, "status: expected at most one DOM");
		return usage_of(c, "status");
	}
	if (!xenctl_xs(c))
		return EXIT_FAILURE;
	if (argc == 2) {
		rc = domain_resolve(c->xs, argv[1], &one);
		if (rc) {
			p_err(c, "no such guest domain: '%s'", argv[1]);
			return EXIT_FAILURE;
		}
		v = &one;
		n = 1;
	} else if ((rc = domains_list(c->xs, 0, &v, &n))) {
		p_err(c, "cannot list domains: %s", strerror(-rc));
		return EXIT_FAILURE;
	}
	if ((rc = pairs_list(c->xs, 0, true, &pairs, &np, &bad, &nbad))) {
		p_err(c, "cannot list pairs: %s", strerror(-rc));
		if (v != &one)
			free(v);
		return EXIT_FAILURE;
	}
	if (c->json)
		jsonw_start_array(c->jw);
	for (i = 0; i < n; i++) {
		struct dom_status st;

		collect(c, &v[i], pairs, np, &st);
		if (c->json)
			print_json(c, &st, pairs, np);
		else
			print_text(c, &st, pairs, np);
	}
	if (c->json)
		jsonw_end_array(c->jw);
	else if (n == 0)
		fprintf(c->out, "no guest domains\n");
	free(pairs);
	xsi_free_list(bad, nbad);
	if (v != &one)
		free(v);
	return EXIT_SUCCESS;
}

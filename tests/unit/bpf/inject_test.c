// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed and forged options from the network: hand-made SYNs (see
 * inject.c) to a listener in B with the program attached. Only the valid
 * control option may make a candidate; every connection must still carry
 * its payload.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <tsmc_xen/wire.h>
#include "harness.h"

#define INJ_TAG		"5453000000000001"
#define INJ_DOM_B	12
#define INJ_DOM_PEER	7

struct variant {
	const char *name;
	__u8 opt[24];		/* tsmc option bytes as sent */
	size_t len;
	bool synack_opt;	/* B should answer with its option */
};

#define OPT_HDR(len_, exid_hi, exid_lo, ver)	\
	253, len_, exid_hi, exid_lo, ver, 0

static const struct variant variants[] = {
	{ "valid_control", { OPT_HDR(16, 0x54, 0x53, 0x10), 0, INJ_DOM_PEER,
	  0x54, 0x53, 0, 0, 0, 0, 0, 1 }, 16, true },
	{ "bad_len_18", { OPT_HDR(18, 0x54, 0x53, 0x10), 0, INJ_DOM_PEER,
	  0x54, 0x53, 0, 0, 0, 0, 0, 1, 0, 0 }, 18, false },
	{ "truncated_10", { OPT_HDR(10, 0x54, 0x53, 0x10), 0, INJ_DOM_PEER,
	  0x54, 0x53 }, 10, false },
	{ "len_past_header", { OPT_HDR(36, 0x54, 0x53, 0x10), 0, INJ_DOM_PEER,
	  0x54, 0x53, 0, 0, 0, 0, 0, 1 }, 16, false },
	{ "wrong_exid", { OPT_HDR(16, 0x54, 0x54, 0x10), 0, INJ_DOM_PEER,
	  0x54, 0x53, 0, 0, 0, 0, 0, 1 }, 16, false },
	{ "forged_tag", { OPT_HDR(16, 0x54, 0x53, 0x10), 0, INJ_DOM_PEER,
	  0x54, 0x53, 0, 0, 0, 0, 0, 9 }, 16, false },
	{ "bad_version", { OPT_HDR(16, 0x54, 0x53, 0x20), 0, INJ_DOM_PEER,
	  0x54, 0x53, 0, 0, 0, 0, 0, 1 }, 16, false },
	{ "reserved_domid", { OPT_HDR(16, 0x54, 0x53, 0x10), 0x7f, 0xf2,
	  0x54, 0x53, 0, 0, 0, 0, 0, 1 }, 16, false },
	{ "own_domid", { OPT_HDR(16, 0x54, 0x53, 0x10), 0, INJ_DOM_B,
	  0x54, 0x53, 0, 0, 0, 0, 0, 1 }, 16, false },
};

#define N_VARIANTS (sizeof(variants) / sizeof(variants[0]))

/* what B's counters must say once all variants went through */
static const struct { int stat; __u64 val; } expect_stats[] = {
	{ TSMC_ST_CANDIDATE, 1 },	/* valid_control */
	{ TSMC_ST_MALFORMED, 5 },	/* bad_len, truncated, version, domids */
	{ TSMC_ST_NO_OPT, 2 },		/* len_past_header, wrong_exid */
	{ TSMC_ST_TAG_MISMATCH, 1 },	/* forged_tag */
	{ TSMC_ST_OPT_SENT_SYNACK, 1 },
};

static int errs;

static const char *stat_label(int stat)
{
	switch (stat) {
	case TSMC_ST_CANDIDATE: return "stat candidate";
	case TSMC_ST_MALFORMED: return "stat malformed";
	case TSMC_ST_NO_OPT: return "stat no_opt";
	case TSMC_ST_TAG_MISMATCH: return "stat tag_mismatch";
	default: return "stat opt_sent_synack";
	}
}

static void mismatch(const char *variant, const char *what,
		     unsigned long long want, unsigned long long got)
{
	fprintf(stderr, "    mismatch: %s: %s: expected %llu, got %llu\n",
		variant, what, want, got);
	errs++;
}

static int listen_b(struct testenv *e)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	if (env_enter(e, SIDE_B))
		return -1;
	env_addr(e, SIDE_B, &ss, &len, SERVER_PORT);
	fd = socket(e->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				   sizeof(one)) ||
			bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16))) {
		close(fd);
		fd = -1;
	}
	env_leave(e);
	return fd;
}

static void one_variant(struct testenv *e, int lfd, size_t i)
{
	const struct variant *v = &variants[i];
	__u8 opts[40] = { 2, 4, 0x05, 0xb4 };	/* MSS 1460 first */
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	struct inject_result r;
	char want[32], got[32] = { 0 };
	int sfd = -1;

	memcpy(opts + 4, v->opt, v->len);
	snprintf(want, sizeof(want), "hello-%zu", i);
	if (inject_connect(e, (__u16)(41000 + i), opts, 4 + v->len, want, &r)) {
		mismatch(v->name, "injected handshake completed", 1, 0);
		return;
	}
	if (r.synack_opt != v->synack_opt)
		mismatch(v->name, "option on SYN-ACK", v->synack_opt,
			 r.synack_opt);
	if (poll(&p, 1, 3000) == 1)
		sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	p.fd = sfd;
	if (sfd < 0 || poll(&p, 1, 3000) != 1 ||
	    recv(sfd, got, sizeof(got) - 1, 0) <= 0 || strcmp(want, got))
		mismatch(v->name, "payload delivered", 1, 0);
	if (sfd >= 0)
		close(sfd);
}

int run_inject_case(int family)
{
	struct observed o;
	struct testenv e;
	size_t i;
	int lfd = -1;

	errs = 0;
	if (env_setup(&e, "inject", family) ||
	    env_attach(&e, SIDE_B, INJ_DOM_B, INJ_TAG, NULL)) {
		errs++;
		goto out;
	}
	lfd = listen_b(&e);
	if (lfd < 0) {
		errs++;
		goto out;
	}
	for (i = 0; i < N_VARIANTS; i++)
		one_variant(&e, lfd, i);
	if (observe(&e, SIDE_B, &o)) {
		errs++;
		goto out;
	}
	for (i = 0; i < sizeof(expect_stats) / sizeof(expect_stats[0]); i++)
		if (o.stats[expect_stats[i].stat] != expect_stats[i].val)
			mismatch("B", stat_label(expect_stats[i].stat),
				 expect_stats[i].val,
				 o.stats[expect_stats[i].stat]);
	if (o.n_events != 1 || o.events[0].peer_domid != INJ_DOM_PEER)
		mismatch("B", "ring buffer events from domid 7", 1,
			 (unsigned long long)o.n_events);
out:
	if (lfd >= 0)
		close(lfd);
	env_teardown(&e);
	return errs;
}

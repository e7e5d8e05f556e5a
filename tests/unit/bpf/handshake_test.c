// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the tsmc handshake: each case builds its own pair of
 * network namespaces and cgroups, attaches tsmc-bpf instances with the
 * real loader, runs one TCP connection (or injected ones), and compares
 * what it expected with what the wire, the sk storage, the ring buffer and
 * the counters show. Runs every case over IPv4 and IPv6.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <tsmc_xen/wire.h>
#include "harness.h"

#define TAG_X	"5453000000000001"
#define TAG_Y	"5453000000000002"
#define DOM_A	11
#define DOM_B	12
#define ANY	(-1L)	/* stat expectation: at least one */

struct side_cfg {
	bool on;
	const char *tag;
	const char *args[5];	/* extra tsmc-bpf arguments */
};

struct stat_expect {
	int side, stat;
	long val;
};

struct tcase {
	const char *name;
	struct side_cfg a, b;
	bool syncookies;	/* tcp_syncookies=2 in B */
	bool md5;		/* TCP-MD5 on both ends: SYN option space full */
	/* expected */
	bool syn_opt, synack_opt, synack_resend, ack_opt;
	bool cand_a, cand_b;
	struct stat_expect st[6];
};

static int failures;		/* within the current case */

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "    mismatch: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	failures++;
}

static void expect_bool(const char *what, bool want, bool got)
{
	if (want != got)
		fail("%s: expected %s, got %s", what, want ? "yes" : "no",
		     got ? "yes" : "no");
}

static void expect_u(const char *what, unsigned long long want,
		     unsigned long long got)
{
	if (want != got)
		fail("%s: expected %llu, got %llu", what, want, got);
}

static void addr_bytes(const struct sockaddr_storage *ss, __u8 out[16],
		       __u16 *port)
{
	memset(out, 0, 16);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;

		memcpy(out, &s->sin_addr, 4);
		*port = ntohs(s->sin_port);
	} else {
		const struct sockaddr_in6 *s = (const void *)ss;

		memcpy(out, &s->sin6_addr, 16);
		*port = ntohs(s->sin6_port);
	}
}

/* The event must name the socket's own 4-tuple and the peer's domid. */
static void check_event(const char *who, const struct tsmc_event *ev, int fd,
			unsigned int peer_domid, bool active, int family)
{
	struct sockaddr_storage l, r;
	socklen_t ll = sizeof(l), rl = sizeof(r);
	__u8 la[16], ra[16];
	__u16 lp, rp;
	char what[64];

	getsockname(fd, (struct sockaddr *)&l, &ll);
	getpeername(fd, (struct sockaddr *)&r, &rl);
	addr_bytes(&l, la, &lp);
	addr_bytes(&r, ra, &rp);
	snprintf(what, sizeof(what), "%s event peer domid", who);
	expect_u(what, peer_domid, ev->peer_domid);
	snprintf(what, sizeof(what), "%s event family", who);
	expect_u(what, (unsigned int)family, ev->family);
	snprintf(what, sizeof(what), "%s event local port", who);
	expect_u(what, lp, ev->local_port);
	snprintf(what, sizeof(what), "%s event remote port", who);
	expect_u(what, rp, ev->remote_port);
	snprintf(what, sizeof(what), "%s event local address", who);
	expect_bool(what, true, memcmp(la, ev->local_ip, 16) == 0);
	snprintf(what, sizeof(what), "%s event remote address", who);
	expect_bool(what, true, memcmp(ra, ev->remote_ip, 16) == 0);
	snprintf(what, sizeof(what), "%s event active flag", who);
	expect_bool(what, active, ev->flags & TSMC_PEER_F_ACTIVE);
}

static void check_peer(const char *who, const struct testenv *e, int side,
		       int fd, bool cand, unsigned int peer_domid)
{
	struct tsmc_peer p;
	char what[64];
	int r = peer_of_socket(e, side, fd, &p);

	if (r < 0) {
		fail("%s sk storage lookup failed", who);
		return;
	}
	snprintf(what, sizeof(what), "%s sk storage says candidate", who);
	expect_bool(what, cand, r == 0 && (p.flags & TSMC_PEER_F_CANDIDATE));
	if (cand && r == 0) {
		snprintf(what, sizeof(what), "%s sk storage peer domid", who);
		expect_u(what, peer_domid, p.peer_domid);
	}
}

static const char *const stat_name[TSMC_ST_MAX] = {
	"opt_sent_syn", "opt_sent_synack", "opt_sent_ack", "no_space",
	"excluded", "no_opt", "malformed", "tag_mismatch", "candidate",
	"doorbell_err", "nomem",
};

static void check_stats(const struct tcase *t, const struct observed *o)
{
	const struct stat_expect *s;
	char what[64];

	for (s = t->st; s < t->st + 6 && s->stat; s++) {
		__u64 got = o[s->side].stats[s->stat];

		snprintf(what, sizeof(what), "%c stat %s", 'A' + s->side,
			 stat_name[s->stat]);
		if (s->val == ANY)
			expect_bool(what, true, got >= 1);
		else
			expect_u(what, (unsigned long long)s->val, got);
	}
}

static int attach_side(struct testenv *e, int side, const struct side_cfg *c)
{
	const char *args[8] = { 0 };
	int i, n = 0;

	if (!c->on)
		return 0;
	for (i = 0; i < 5 && c->args[i]; i++) {
		/* "PREFIX" stands for the test subnet of this family */
		if (strcmp(c->args[i], "PREFIX") == 0)
			args[n++] = e->family == AF_INET ? "10.77.0.0/24" :
							   "fd77::/64";
		else
			args[n++] = c->args[i];
	}
	return env_attach(e, side, side ? DOM_B : DOM_A, c->tag, args);
}

static void run_case(const struct tcase *t, int family)
{
	struct observed o[2];
	struct capture cap = { .fd = -1 };
	struct testenv e;
	int lfd = -1, cfd = -1, sfd = -1;

	if (env_setup(&e, t->name, family) || attach_side(&e, SIDE_A, &t->a) ||
	    attach_side(&e, SIDE_B, &t->b) ||
	    (t->syncookies &&
	     env_sysctl(&e, SIDE_B, "/proc/sys/net/ipv4/tcp_syncookies", "2"))) {
		fail("setup failed");
		goto out;
	}
	lfd = listen_in_b(&e, t->md5);
	if (lfd < 0 || connect_from_a(&e, t->md5, lfd, &cap, &cfd, &sfd)) {
		fail("TCP connection did not work");
		goto out;
	}
	if (observe(&e, SIDE_A, &o[SIDE_A]) || observe(&e, SIDE_B, &o[SIDE_B])) {
		fail("reading pinned maps failed");
		goto out;
	}
	expect_bool("SYN captured", true, cap.syn.seen);
	expect_bool("SYN-ACK captured", true, cap.synack.seen);
	expect_bool("option on SYN", t->syn_opt, cap.syn.has_opt);
	expect_bool("option on SYN-ACK", t->synack_opt, cap.synack.has_opt);
	if (t->synack_opt && cap.synack.has_opt)
		expect_bool("RESEND flag on SYN-ACK", t->synack_resend,
			    cap.synack.ver_flags & TSMC_OPT_F_RESEND);
	if (t->syn_opt && cap.syn.has_opt)
		expect_u("domid in SYN option", DOM_A, cap.syn.domid);
	expect_bool("option repeated on third ACK", t->ack_opt,
		    cap.ack.has_opt && (cap.ack.ver_flags & TSMC_OPT_F_ACK));
	check_peer("A", &e, SIDE_A, cfd, t->cand_a, DOM_B);
	check_peer("B", &e, SIDE_B, sfd, t->cand_b, DOM_A);
	expect_u("A ring buffer events", t->cand_a, o[SIDE_A].n_events);
	expect_u("B ring buffer events", t->cand_b, o[SIDE_B].n_events);
	if (t->cand_a && o[SIDE_A].n_events == 1)
		check_event("A", &o[SIDE_A].events[0], cfd, DOM_B, true, family);
	if (t->cand_b && o[SIDE_B].n_events == 1)
		check_event("B", &o[SIDE_B].events[0], sfd, DOM_A, false, family);
	if (t->cand_a && t->cand_b && o[0].n_events == 1 && o[1].n_events == 1) {
		const struct tsmc_event *a = &o[0].events[0], *b = &o[1].events[0];

		expect_u("A ISN = SYN seq", cap.syn.seq, a->local_isn);
		expect_u("B ISN = SYN-ACK seq", cap.synack.seq, b->local_isn);
		expect_u("B's view of A's ISN", a->local_isn, b->remote_isn);
		expect_u("A's view of B's ISN", b->local_isn, a->remote_isn);
	}
	check_stats(t, o);
out:
	if (cfd >= 0)
		close(cfd);
	if (sfd >= 0)
		close(sfd);
	if (lfd >= 0)
		close(lfd);
	capture_close(&cap);
	env_teardown(&e);
}

#define ON(tag_, ...)	{ .on = true, .tag = tag_, .args = { __VA_ARGS__ } }
#define OFF		{ .on = false }
#define A		SIDE_A
#define B		SIDE_B

static const struct tcase cases[] = {
	{ .name = "same_tag", .a = ON(TAG_X), .b = ON(TAG_X),
	  .syn_opt = true, .synack_opt = true, .cand_a = true, .cand_b = true,
	  .st = { { A, TSMC_ST_OPT_SENT_SYN, 1 }, { A, TSMC_ST_CANDIDATE, 1 },
		  { B, TSMC_ST_OPT_SENT_SYNACK, 1 }, { B, TSMC_ST_CANDIDATE, 1 },
		  { A, TSMC_ST_DOORBELL_ERR, 0 }, { B, TSMC_ST_DOORBELL_ERR, 0 } } },
	{ .name = "different_tag", .a = ON(TAG_X), .b = ON(TAG_Y),
	  .syn_opt = true,
	  .st = { { B, TSMC_ST_TAG_MISMATCH, 1 }, { A, TSMC_ST_NO_OPT, 1 },
		  { B, TSMC_ST_OPT_SENT_SYNACK, 0 }, { A, TSMC_ST_CANDIDATE, 0 },
		  { B, TSMC_ST_CANDIDATE, 0 } } },
	{ .name = "server_without_program", .a = ON(TAG_X), .b = OFF,
	  .syn_opt = true,
	  .st = { { A, TSMC_ST_NO_OPT, 1 }, { A, TSMC_ST_CANDIDATE, 0 } } },
	{ .name = "client_without_program", .a = OFF, .b = ON(TAG_X),
	  .st = { { B, TSMC_ST_NO_OPT, 1 }, { B, TSMC_ST_CANDIDATE, 0 },
		  { B, TSMC_ST_OPT_SENT_SYNACK, 0 } } },
	{ .name = "syncookies", .a = ON(TAG_X), .b = ON(TAG_X),
	  .syncookies = true, .syn_opt = true, .synack_opt = true,
	  .synack_resend = true, .ack_opt = true, .cand_a = true,
	  .cand_b = true,
	  .st = { { A, TSMC_ST_OPT_SENT_ACK, ANY }, { A, TSMC_ST_CANDIDATE, 1 },
		  { B, TSMC_ST_CANDIDATE, 1 }, { B, TSMC_ST_MALFORMED, 0 } } },
	{ .name = "syn_option_space_full", .a = ON(TAG_X), .b = ON(TAG_X),
	  .md5 = true,
	  .st = { { A, TSMC_ST_NO_SPACE, ANY }, { A, TSMC_ST_OPT_SENT_SYN, 0 },
		  { B, TSMC_ST_NO_OPT, 1 }, { B, TSMC_ST_CANDIDATE, 0 } } },
	{ .name = "excluded_port_client", .a = ON(TAG_X, "--exclude-port", "5000"),
	  .b = ON(TAG_X),
	  .st = { { A, TSMC_ST_EXCLUDED, 1 }, { A, TSMC_ST_OPT_SENT_SYN, 0 },
		  { B, TSMC_ST_NO_OPT, 1 } } },
	{ .name = "excluded_port_server", .a = ON(TAG_X),
	  .b = ON(TAG_X, "--exclude-port", "5000"), .syn_opt = true,
	  .st = { { B, TSMC_ST_EXCLUDED, 1 }, { B, TSMC_ST_OPT_SENT_SYNACK, 0 },
		  { A, TSMC_ST_NO_OPT, 1 } } },
	{ .name = "excluded_prefix", .a = ON(TAG_X, "--exclude-prefix", "PREFIX"),
	  .b = ON(TAG_X),
	  .st = { { A, TSMC_ST_EXCLUDED, 1 }, { A, TSMC_ST_OPT_SENT_SYN, 0 } } },
	{ .name = "globally_disabled", .a = ON(TAG_X, "--disable"),
	  .b = ON(TAG_X),
	  .st = { { A, TSMC_ST_OPT_SENT_SYN, 0 }, { A, TSMC_ST_EXCLUDED, 0 },
		  { B, TSMC_ST_NO_OPT, 1 } } },
};

int run_inject_case(int family);	/* inject_test.c */
int run_cc_case(int family);		/* cc_doorbell_test.c */

/* cases that build their own world */
static const struct {
	const char *name;
	int (*run)(int family);
} special[] = {
	{ "malformed_options", run_inject_case },
	{ "cc_doorbell", run_cc_case },
};

#define N_CASES		(sizeof(cases) / sizeof(cases[0]))
#define N_SPECIAL	(sizeof(special) / sizeof(special[0]))

int main(int argc, char **argv)
{
	static const int families[] = { AF_INET, AF_INET6 };
	int passed = 0, failed = 0;
	size_t i, f;

	if (geteuid() != 0) {
		fprintf(stderr, "handshake_test: needs root (netns, cgroups, BPF)\n");
		printf("0 passed, 1 failed\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < N_CASES + N_SPECIAL; i++) {
		const char *name = i < N_CASES ? cases[i].name :
				   special[i - N_CASES].name;

		if (argc > 1 && strcmp(argv[1], name) != 0)
			continue;
		for (f = 0; f < 2; f++) {
			failures = 0;
			if (i < N_CASES)
				run_case(&cases[i], families[f]);
			else
				failures += special[i - N_CASES].run(families[f]);
			printf("%s - %s/%s\n", failures ? "FAIL" : "ok", name,
			       families[f] == AF_INET ? "ipv4" : "ipv6");
			if (failures)
				failed++;
			else
				passed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

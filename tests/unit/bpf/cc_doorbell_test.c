// SPDX-License-Identifier: GPL-2.0
/*
 * Doorbell 2 (doorbell.h) without the module: register a BPF
 * tcp_congestion_ops named TSMC_DOORBELL_CC (cc_doorbell.bpf.c), let
 * tsmc-bpf probe for it, connect, and check what its init() saw: called
 * once per side, synchronously, with the encoded peer domid and flags in
 * sk_priority; afterwards the socket's cc and priority are the old ones.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <tsmc_xen/doorbell.h>
#include "harness.h"
#include "cc_doorbell.h"
#include "cc_doorbell.skel.h"

#define CC_TAG		"5453000000000007"
#define CC_DOM_A	21
#define CC_DOM_B	22

static int errs;

static void want_u(const char *what, unsigned long long want,
		   unsigned long long got)
{
	if (want != got) {
		fprintf(stderr, "    mismatch: %s: expected %llu, got %llu\n",
			what, want, got);
		errs++;
	}
}

static int pinned_doorbell(const struct testenv *e, int side)
{
	struct tsmc_bpf_config c;
	char path[256];
	__u32 key = 0;
	int fd, mode = -1;

	snprintf(path, sizeof(path), "%s/%s", e->pin[side], TSMC_PIN_CONFIG);
	fd = bpf_obj_get(path);
	if (fd >= 0 && !bpf_map_lookup_elem(fd, &key, &c))
		mode = c.doorbell;
	if (fd >= 0)
		close(fd);
	return mode;
}

/* What init() saw for the socket with this local port. */
static const struct seen *seen_for(const struct cc_doorbell *skel, __u16 port)
{
	__u32 i, n = skel->bss->n_seen;

	for (i = 0; i < n && i < sizeof(skel->bss->seen) /
				 sizeof(skel->bss->seen[0]); i++)
		if (skel->bss->seen[i].local_port == port)
			return &skel->bss->seen[i];
	return NULL;
}

static void check_socket_restored(const char *who, int fd)
{
	char cc[16] = { 0 };
	socklen_t len = sizeof(cc);
	int prio = -1;
	socklen_t plen = sizeof(prio);

	getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, &len);
	if (strcmp(cc, TSMC_DOORBELL_CC) == 0) {
		fprintf(stderr, "    mismatch: %s still on cc %s\n", who, cc);
		errs++;
	}
	getsockopt(fd, SOL_SOCKET, SO_PRIORITY, &prio, &plen);
	want_u(who[0] == 'A' ? "A priority restored" : "B priority restored",
	       0, (unsigned int)prio);
}

static __u16 local_port(int fd)
{
	struct sockaddr_in6 s;
	socklen_t len = sizeof(s);

	getsockname(fd, (struct sockaddr *)&s, &len);
	return ntohs(s.sin6_port);	/* same offset as sin_port */
}

int run_cc_case(int family)
{
	static const char *const cc_mode[] = { "--doorbell", "cc", NULL };
	struct cc_doorbell *skel = NULL;
	struct bpf_link *reg = NULL;
	struct capture cap = { .fd = -1 };
	const struct seen *sa, *sb;
	struct observed o[2];
	struct testenv e;
	int lfd = -1, cfd = -1, sfd = -1;

	errs = 0;
	memset(&e, 0, sizeof(e));
	skel = cc_doorbell__open_and_load();
	reg = skel ? bpf_map__attach_struct_ops(skel->maps.tsmc_doorbell) : NULL;
	if (!reg) {
		fprintf(stderr, "  cannot register BPF cc %s: %s\n",
			TSMC_DOORBELL_CC, strerror(errno));
		errs++;
		goto out;
	}
	/* A probes by itself; B is told explicitly */
	if (env_setup(&e, "cc", family) ||
	    env_attach(&e, SIDE_A, CC_DOM_A, CC_TAG, NULL) ||
	    env_attach(&e, SIDE_B, CC_DOM_B, CC_TAG, cc_mode)) {
		errs++;
		goto out;
	}
	want_u("A doorbell probed", TSMC_DB_CC, (unsigned int)pinned_doorbell(&e, SIDE_A));
	want_u("B doorbell", TSMC_DB_CC, (unsigned int)pinned_doorbell(&e, SIDE_B));
	lfd = listen_in_b(&e, false);
	if (lfd < 0 || connect_from_a(&e, false, lfd, &cap, &cfd, &sfd)) {
		fprintf(stderr, "  TCP connection did not work\n");
		errs++;
		goto out;
	}
	want_u("cc init calls", 2, skel->bss->n_seen);
	sa = seen_for(skel, local_port(cfd));
	sb = seen_for(skel, local_port(sfd));
	if (!sa || !sb) {
		fprintf(stderr, "    mismatch: init() not called for %s\n",
			!sa ? "A" : "B");
		errs++;
	}
	if (sa) {
		want_u("A init priority", TSMC_DOORBELL_PRIO(CC_DOM_B,
			TSMC_DOORBELL_F_ACTIVE), sa->priority);
		want_u("A init state (ESTABLISHED)", 1, sa->state);
	}
	if (sb) {
		want_u("B init priority", TSMC_DOORBELL_PRIO(CC_DOM_A, 0),
		       sb->priority);
		want_u("B init state (SYN_RECV)", 3, sb->state);
	}
	check_socket_restored("A", cfd);
	check_socket_restored("B", sfd);
	if (observe(&e, SIDE_A, &o[0]) || observe(&e, SIDE_B, &o[1])) {
		errs++;
		goto out;
	}
	want_u("A doorbell errors", 0, o[0].stats[TSMC_ST_DOORBELL_ERR]);
	want_u("B doorbell errors", 0, o[1].stats[TSMC_ST_DOORBELL_ERR]);
	want_u("A ring buffer events", 0, (unsigned int)o[0].n_events);
	want_u("B ring buffer events", 0, (unsigned int)o[1].n_events);
out:
	if (cfd >= 0)
		close(cfd);
	if (sfd >= 0)
		close(sfd);
	if (lfd >= 0)
		close(lfd);
	capture_close(&cap);
	if (e.cg_parent[0])
		env_teardown(&e);
	bpf_link__destroy(reg);
	cc_doorbell__destroy(skel);
	return errs;
}

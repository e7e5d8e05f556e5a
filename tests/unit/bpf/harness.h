/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host test harness for the tsmc sockops program: two network namespaces
 * joined by a veth pair, two cgroups with one tsmc-bpf instance each (the
 * two "domains"), packet capture and raw SYN injection in namespace A.
 */
#ifndef TSMC_TEST_HARNESS_H
#define TSMC_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <netinet/in.h>
#include "tsmc_bpf.h"

#define SIDE_A	0	/* client, connects */
#define SIDE_B	1	/* server, listens */

#define SERVER_PORT	5000
#define MAC_A		"02:00:00:77:00:0a"
#define MAC_B		"02:00:00:77:00:0b"
#define FAKE_V4		"10.77.0.3"	/* injected SYNs, not on any netns */
#define FAKE_V6		"fd77::3"

struct testenv {
	char ns[2][32];		/* netns names */
	char cg[2][640];	/* cgroup dirs */
	char pin[2][128];	/* tsmc-bpf pin dirs */
	bool attached[2];
	char cg_parent[576];
	char cg_orig[1100];	/* where this process came from */
	int family;		/* AF_INET or AF_INET6 */
};

/* testenv.c */
int env_setup(struct testenv *e, const char *tag, int family);
void env_teardown(struct testenv *e);
int env_attach(struct testenv *e, int side, unsigned int domid,
	       const char *host_tag, const char *const *extra);
int env_enter(struct testenv *e, int side);	/* netns + cgroup */
int env_leave(struct testenv *e);
int env_sysctl(struct testenv *e, int side, const char *path, const char *val);
void env_addr(const struct testenv *e, int side, struct sockaddr_storage *ss,
	      socklen_t *len, __u16 port);
int run_cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* conn.c: a listener in B, a connection from A carrying data both ways */
int listen_in_b(struct testenv *e, bool md5);
struct capture;
int connect_from_a(struct testenv *e, bool md5, int lfd,
		   struct capture *cap, int *cfd, int *sfd);

/* observe.c: what an instance recorded */
struct observed {
	__u64 stats[TSMC_ST_MAX];
	int n_events;
	struct tsmc_event events[8];
};
int observe(const struct testenv *e, int side, struct observed *o);
int peer_of_socket(const struct testenv *e, int side, int sock_fd,
		   struct tsmc_peer *p);	/* 0 found, 1 none, -1 error */

/* capture.c: tsmc options seen on the wire in netns A */
struct wire_opt {
	bool seen;		/* such a packet was captured */
	bool has_opt;		/* it carried a kind 253 / ExID 0x5453 option */
	__u8 ver_flags;
	__u16 domid;
	__u32 seq;
};
struct capture {
	int fd;
	__u16 client_port;
	struct wire_opt syn, synack, ack;	/* ack: first non-SYN from A */
};
int capture_open(struct capture *c, const char *ifname);
void capture_drain(struct capture *c);
void capture_record(struct capture *c, const __u8 *pkt, size_t len);
void capture_close(struct capture *c);

/* inject.c: hand-made SYN with arbitrary option bytes, from a fake IP */
struct inject_result {
	bool synack;		/* a SYN-ACK came back */
	bool synack_opt;	/* it carried a tsmc option */
};
int inject_connect(const struct testenv *e, __u16 sport, const __u8 *opt,
		   size_t opt_len, const char *payload,
		   struct inject_result *r);

#endif /* TSMC_TEST_HARNESS_H */

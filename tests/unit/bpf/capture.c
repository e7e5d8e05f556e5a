// SPDX-License-Identifier: GPL-2.0
/*
 * Watch the handshake on the wire, independently of the BPF program:
 * an AF_PACKET socket on veth va in netns A sees A's SYN and ACK going
 * out and B's SYN-ACK coming in.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <tsmc_xen/wire.h>
#include "harness.h"

int capture_open(struct capture *c, const char *ifname)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
	};

	memset(c, 0, sizeof(*c));
	c->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       htons(ETH_P_ALL));
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (c->fd < 0 || !sll.sll_ifindex ||
	    bind(c->fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "  capture on %s: %s\n", ifname, strerror(errno));
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

/* Find our option among the TCP options; bounds-checked like the kernel. */
static void scan_opts(const __u8 *op, const __u8 *end, struct wire_opt *w)
{
	while (op < end) {
		if (op[0] == 0)
			return;
		if (op[0] == 1) {
			op++;
			continue;
		}
		if (end - op < 2 || op[1] < 2 || op[1] > end - op)
			return;
		if (op[0] == TSMC_TCPOPT_EXP && op[1] == TSMC_TCP_OPT_LEN &&
		    ((op[2] << 8) | op[3]) == TSMC_TCPOPT_EXID) {
			w->has_opt = true;
			w->ver_flags = op[4];
			w->domid = (__u16)((op[6] << 8) | op[7]);
		}
		op += op[1];
	}
}

void capture_record(struct capture *c, const __u8 *pkt, size_t len)
{
	const struct tcphdr *th;
	struct wire_opt *w = NULL;
	size_t l3, doff;
	__u16 sport, dport;

	if (len >= sizeof(struct iphdr) && (pkt[0] >> 4) == 4) {
		l3 = (size_t)(pkt[0] & 0xf) * 4;
		if (pkt[9] != IPPROTO_TCP)
			return;
	} else if (len >= sizeof(struct ip6_hdr) && (pkt[0] >> 4) == 6) {
		l3 = sizeof(struct ip6_hdr);
		if (pkt[6] != IPPROTO_TCP)
			return;
	} else {
		return;
	}
	if (len < l3 + sizeof(*th))
		return;
	th = (const struct tcphdr *)(pkt + l3);
	doff = (size_t)th->doff * 4;
	if (doff < sizeof(*th) || len < l3 + doff)
		return;
	sport = ntohs(th->source);
	dport = ntohs(th->dest);
	if (th->syn && !th->ack && sport == c->client_port)
		w = &c->syn;
	else if (th->syn && th->ack && dport == c->client_port)
		w = &c->synack;
	else if (!th->syn && sport == c->client_port && !c->ack.seen)
		w = &c->ack;
	if (!w)
		return;
	memset(w, 0, sizeof(*w));
	w->seen = true;
	w->seq = ntohl(th->seq);
	scan_opts((const __u8 *)th + sizeof(*th), (const __u8 *)th + doff, w);
}

void capture_drain(struct capture *c)
{
	__u8 buf[2048];
	ssize_t n;

	while ((n = recv(c->fd, buf, sizeof(buf), 0)) > 0)
		capture_record(c, buf, (size_t)n);
}

void capture_close(struct capture *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

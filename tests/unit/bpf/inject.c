// SPDX-License-Identifier: GPL-2.0
/*
 * Bytes from the network: a hand-built SYN carrying arbitrary option bytes,
 * sent from netns A through an AF_PACKET socket with a source address no
 * namespace owns (B has a static neighbour entry for it), so A's kernel
 * never answers B's SYN-ACK with a RST. The handshake is completed by hand
 * and the ACK carries a payload that the test expects B's socket to read.
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
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <tsmc_xen/wire.h>
#include "harness.h"

struct flow {
	int family;
	__u8 src[16], dst[16];
	__u16 sport, dport;
};

static __u32 sum16(const void *data, size_t len, __u32 sum)
{
	const __u8 *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (__u32)(p[0] << 8 | p[1]);
	if (len)
		sum += (__u32)(p[0] << 8);
	return sum;
}

static __u16 fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* IP header + TCP header (+opts) + payload into pkt; returns its length. */
static size_t build(const struct flow *f, __u8 *pkt, __u8 flags, __u32 seq,
		    __u32 ack, const __u8 *opt, size_t opt_len,
		    const char *payload)
{
	size_t plen = payload ? strlen(payload) : 0;
	size_t olen = (opt_len + 3) & ~(size_t)3;
	size_t tlen = sizeof(struct tcphdr) + olen + plen;
	size_t l3 = f->family == AF_INET ? sizeof(struct iphdr) :
					   sizeof(struct ip6_hdr);
	struct tcphdr *th = (struct tcphdr *)(pkt + l3);
	__u8 *o = (__u8 *)(th + 1);
	__u32 sum;

	memset(pkt, 0, l3 + tlen);
	th->source = htons(f->sport);
	th->dest = htons(f->dport);
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = (__u16)((sizeof(*th) + olen) / 4);
	((__u8 *)th)[13] = flags;
	th->window = htons(64000);
	if (opt_len)
		memcpy(o, opt, opt_len);
	memset(o + opt_len, 1, olen - opt_len);	/* NOP padding */
	if (plen)
		memcpy(o + olen, payload, plen);
	if (f->family == AF_INET) {
		struct iphdr *ip = (struct iphdr *)pkt;

		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons((__u16)(l3 + tlen));
		ip->ttl = 64;
		ip->protocol = IPPROTO_TCP;
		memcpy(&ip->saddr, f->src, 4);
		memcpy(&ip->daddr, f->dst, 4);
		ip->check = htons(fold(sum16(ip, sizeof(*ip), 0)));
		sum = sum16(f->src, 4, 0);
		sum = sum16(f->dst, 4, sum);
	} else {
		struct ip6_hdr *ip6 = (struct ip6_hdr *)pkt;

		ip6->ip6_flow = htonl(6u << 28);
		ip6->ip6_plen = htons((__u16)tlen);
		ip6->ip6_nxt = IPPROTO_TCP;
		ip6->ip6_hlim = 64;
		memcpy(&ip6->ip6_src, f->src, 16);
		memcpy(&ip6->ip6_dst, f->dst, 16);
		sum = sum16(f->src, 16, 0);
		sum = sum16(f->dst, 16, sum);
	}
	sum += IPPROTO_TCP + (__u32)tlen;
	th->check = htons(fold(sum16(th, tlen, sum)));
	return l3 + tlen;
}

static int send_pkt(int fd, int ifindex, int family, const __u8 *pkt,
		    size_t len)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = ifindex,
		.sll_halen = 6,
		.sll_addr = { 0x02, 0x00, 0x00, 0x77, 0x00, 0x0b },	/* MAC_B */
	};

	sll.sll_protocol = htons(family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	return sendto(fd, pkt, len, 0, (struct sockaddr *)&sll, sizeof(sll)) ==
	       (ssize_t)len ? 0 : -1;
}

/* Wait up to 3 s for B's SYN-ACK to our flow; return its seq. */
static int wait_synack(int fd, const struct flow *f, __u32 *seq,
		       struct inject_result *r)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct capture scan = { .fd = -1, .client_port = f->sport };
	__u8 buf[2048];
	ssize_t n;

	while (poll(&pfd, 1, 3000) > 0) {
		size_t l3;
		const struct tcphdr *th;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			continue;
		l3 = (buf[0] >> 4) == 4 ? (size_t)(buf[0] & 0xf) * 4 :
					  sizeof(struct ip6_hdr);
		if ((size_t)n < l3 + sizeof(*th))
			continue;
		th = (const struct tcphdr *)(buf + l3);
		if (!th->syn || !th->ack || ntohs(th->dest) != f->sport)
			continue;
		capture_record(&scan, buf, (size_t)n);
		r->synack = true;
		r->synack_opt = scan.synack.has_opt;
		*seq = ntohl(th->seq);
		return 0;
	}
	return -1;
}

int inject_connect(const struct testenv *e, __u16 sport, const __u8 *opt,
		   size_t opt_len, const char *payload,
		   struct inject_result *r)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct flow f = { .family = e->family, .sport = sport,
			  .dport = SERVER_PORT };
	__u8 pkt[256];
	__u32 isn = 0x10000000u + sport, peer_isn;
	size_t len;
	int fd, err = -1;

	memset(r, 0, sizeof(*r));
	if (f.family == AF_INET) {
		inet_pton(AF_INET, FAKE_V4, f.src);
		inet_pton(AF_INET, "10.77.0.2", f.dst);
	} else {
		inet_pton(AF_INET6, FAKE_V6, f.src);
		inet_pton(AF_INET6, "fd77::2", f.dst);
	}
	if (env_enter((struct testenv *)e, SIDE_A))
		return -1;
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC,
		    htons(f.family == AF_INET ? ETH_P_IP : ETH_P_IPV6));
	sll.sll_protocol = htons(f.family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	sll.sll_ifindex = (int)if_nametoindex("va");
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "  inject socket: %s\n", strerror(errno));
		goto out;
	}
	len = build(&f, pkt, 0x02 /* SYN */, isn, 0, opt, opt_len, NULL);
	if (send_pkt(fd, sll.sll_ifindex, f.family, pkt, len) ||
	    wait_synack(fd, &f, &peer_isn, r)) {
		fprintf(stderr, "  inject: no SYN-ACK for port %u\n", sport);
		goto out;
	}
	len = build(&f, pkt, 0x18 /* PSH|ACK */, isn + 1, peer_isn + 1, NULL, 0,
		    payload);
	err = send_pkt(fd, sll.sll_ifindex, f.family, pkt, len);
out:
	if (fd >= 0)
		close(fd);
	env_leave((struct testenv *)e);
	return err;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * tsmc sockops program: adds struct tsmc_tcp_opt to SYN and SYN-ACK, and
 * when both ends carried it with the same host tag rings the doorbell of
 * tsmc_xen.ko (or emits a ring buffer event when built for host tests).
 *
 * Built against the Debian 12 (6.1) UAPI headers, not vmlinux.h: it only
 * touches the stable bpf_sock_ops context and helpers present in 6.1, so
 * the same object passes the 6.1 and later verifiers.
 * Everything read from a packet is only "maybe co-resident"; the module
 * authenticates the peer on the Xen pair channel.
 */
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <tsmc_xen/wire.h>
#include <tsmc_xen/doorbell.h>
#include "tsmc_bpf.h"

#define AF_INET		2
#define AF_INET6	10
#define SOL_SOCKET	1
#define SOL_TCP		6
#define SO_PRIORITY	12
#define ENOENT		2
#define ENOSPC		28
#define ENOMSG		42

#define TCPHDR_SYN	0x02
#define TCPHDR_ACK	0x10

#define HDR_CB_FLAGS	(BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG | \
			 BPF_SOCK_OPS_PARSE_ALL_HDR_OPT_CB_FLAG)

/*
 * Set by the loader before load; frozen, so the verifier prunes the rest.
 * (volatile: libbpf rodata idiom, keeps clang from folding the default.)
 */
const volatile __u32 doorbell_mode = TSMC_DB_RINGBUF;

#ifdef TSMC_DOORBELL_KFUNC_BUILD
/*
 * A complete struct, not a forward declaration: libbpf matches the
 * extern's prototype against the module's BTF kind by kind, and a FWD is
 * not compatible with the kernel's STRUCT. Only the name matters here.
 */
struct bpf_sock_ops_kern {
	void *sk;
};
extern int tsmc_xen_doorbell(struct bpf_sock_ops_kern *skops,
			     __u32 peer_domid, __u32 flags) __ksym;
/*
 * The verifier refuses a plain cast of the ctx to the kernel type ("must
 * point to scalar, or struct with scalar"); the cast kfunc (>= 6.2) gives
 * a trusted pointer to the real struct bpf_sock_ops_kern.
 */
extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
#endif

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tsmc_bpf_config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u16);
	__type(value, __u8);
} excl_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 256);
	__type(key, struct tsmc_prefix_key);
	__type(value, __u8);
} excl_prefixes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TSMC_ST_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct tsmc_peer);
} peers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* Verdicts of parse_peer_opt(); the TSMC_ST_* index to count. */
#define PARSE_NO_SAVED_SYN	(-1)

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += 1;
}

static __always_inline const struct tsmc_bpf_config *get_config(void)
{
	const struct tsmc_bpf_config *c;
	__u32 key = 0;

	c = bpf_map_lookup_elem(&config, &key);
	if (!c || !c->enabled)
		return NULL;
	return c;
}

/*
 * Policy: the service port (remote port when we connect, local port when
 * we accept) and the peer address prefix.
 */
static __always_inline bool excluded(struct bpf_sock_ops *skops, bool active)
{
	struct tsmc_prefix_key key = {};
	__u16 port;

	port = active ? (__u16)bpf_ntohl(skops->remote_port) :
			(__u16)skops->local_port;
	if (bpf_map_lookup_elem(&excl_ports, &port))
		return true;

	key.prefixlen = 128;
	if (skops->family == AF_INET) {
		__u32 ip4 = skops->remote_ip4;

		key.addr[10] = 0xff;
		key.addr[11] = 0xff;
		__builtin_memcpy(&key.addr[12], &ip4, 4);
	} else if (skops->family == AF_INET6) {
		__u32 w[4];

		w[0] = skops->remote_ip6[0];
		w[1] = skops->remote_ip6[1];
		w[2] = skops->remote_ip6[2];
		w[3] = skops->remote_ip6[3];
		__builtin_memcpy(key.addr, w, 16);
	} else {
		return true;
	}
	return !!bpf_map_lookup_elem(&excl_prefixes, &key);
}

static __always_inline void build_opt(struct tsmc_tcp_opt *o,
				      const struct tsmc_bpf_config *c,
				      __u8 flags)
{
	o->kind = TSMC_TCPOPT_EXP;
	o->len = TSMC_TCP_OPT_LEN;
	o->exid = bpf_htons(TSMC_TCPOPT_EXID);
	o->ver_flags = (TSMC_OPT_VERSION << TSMC_OPT_VER_SHIFT) |
		       (flags & TSMC_OPT_FLAG_MASK);
	o->rsvd = 0;
	o->domid = bpf_htons(c->domid);
	__builtin_memcpy(o->host_tag, c->host_tag, TSMC_HOST_TAG_LEN);
}

/*
 * Find our option in the SYN (BPF_LOAD_HDR_OPT_TCP_SYN) or the current
 * packet and judge it. Returns a TSMC_ST_* verdict, or PARSE_NO_SAVED_SYN
 * when the SYN is not available (passive side answered from a cookie).
 */
static __always_inline int parse_peer_opt(struct bpf_sock_ops *skops,
					  __u64 load_flags,
					  const struct tsmc_bpf_config *c,
					  __u16 *domid, __u8 *oflags)
{
	struct tsmc_tcp_opt o = {};
	__u8 diff = 0;
	__u16 d;
	int ret, i;

	/* search key: kind + len 4 + ExID, as bpf_load_hdr_opt() wants */
	o.kind = TSMC_TCPOPT_EXP;
	o.len = 4;
	o.exid = bpf_htons(TSMC_TCPOPT_EXID);
	ret = bpf_load_hdr_opt(skops, &o, sizeof(o), load_flags);
	if (ret == -ENOENT)
		return PARSE_NO_SAVED_SYN;
	if (ret == -ENOSPC)	/* longer than ours */
		return TSMC_ST_MALFORMED;
	if (ret < 0)
		return TSMC_ST_NO_OPT;
	if (ret != TSMC_TCP_OPT_LEN)
		return TSMC_ST_MALFORMED;
	if ((o.ver_flags >> TSMC_OPT_VER_SHIFT) != TSMC_OPT_VERSION)
		return TSMC_ST_MALFORMED;
	d = bpf_ntohs(o.domid);
	/* a co-resident peer never has our domid or a reserved one */
	if (d >= TSMC_DOMID_FIRST_RESERVED || d == c->domid)
		return TSMC_ST_MALFORMED;
	for (i = 0; i < TSMC_HOST_TAG_LEN; i++)
		diff |= o.host_tag[i] ^ c->host_tag[i];
	if (diff)
		return TSMC_ST_TAG_MISMATCH;
	*domid = d;
	*oflags = o.ver_flags & TSMC_OPT_FLAG_MASK;
	return TSMC_ST_CANDIDATE;
}

static __always_inline void set_cb_flags(struct bpf_sock_ops *skops,
					 __u32 set, __u32 clear)
{
	__u32 flags = skops->bpf_sock_ops_cb_flags;

	bpf_sock_ops_cb_flags_set(skops, (flags | set) & ~clear);
}

static __always_inline int ring_event(struct bpf_sock_ops *skops,
				      const struct tsmc_peer *p)
{
	struct tsmc_event *ev;

	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev)
		return -1;
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->flags = p->flags;
	ev->peer_domid = p->peer_domid;
	ev->family = skops->family;
	if (skops->family == AF_INET) {
		__u32 l = skops->local_ip4, r = skops->remote_ip4;

		__builtin_memcpy(ev->local_ip, &l, 4);
		__builtin_memcpy(ev->remote_ip, &r, 4);
	} else {
		__u32 w[4];

		w[0] = skops->local_ip6[0];
		w[1] = skops->local_ip6[1];
		w[2] = skops->local_ip6[2];
		w[3] = skops->local_ip6[3];
		__builtin_memcpy(ev->local_ip, w, 16);
		w[0] = skops->remote_ip6[0];
		w[1] = skops->remote_ip6[1];
		w[2] = skops->remote_ip6[2];
		w[3] = skops->remote_ip6[3];
		__builtin_memcpy(ev->remote_ip, w, 16);
	}
	ev->local_port = (__u16)skops->local_port;
	ev->remote_port = (__u16)bpf_ntohl(skops->remote_port);
	/* at both ESTABLISHED callbacks nothing beyond the SYNs is acked */
	ev->local_isn = skops->snd_una - 1;
	ev->remote_isn = skops->rcv_nxt - 1;
	bpf_ringbuf_submit(ev, 0);
	return 0;
}

/* doorbell.h, doorbell 2: select the module's cc, then put ours back. */
static __always_inline int ring_cc(struct bpf_sock_ops *skops,
				   __u16 domid, __u32 dbflags)
{
	char cc[] = TSMC_DOORBELL_CC;
	char old_cc[16] = {};
	int old_prio = 0, prio, err;

	if (bpf_getsockopt(skops, SOL_TCP, TCP_CONGESTION, old_cc,
			   sizeof(old_cc)))
		return -1;
	if (bpf_getsockopt(skops, SOL_SOCKET, SO_PRIORITY, &old_prio,
			   sizeof(old_prio)))
		return -1;
	prio = TSMC_DOORBELL_PRIO((__u32)domid, dbflags);
	if (bpf_setsockopt(skops, SOL_SOCKET, SO_PRIORITY, &prio, sizeof(prio)))
		return -1;
	err = bpf_setsockopt(skops, SOL_TCP, TCP_CONGESTION, cc, sizeof(cc));
	bpf_setsockopt(skops, SOL_SOCKET, SO_PRIORITY, &old_prio,
		       sizeof(old_prio));
	if (err)
		return err;
	return bpf_setsockopt(skops, SOL_TCP, TCP_CONGESTION, old_cc,
			      sizeof(old_cc));
}

static __always_inline void ring_doorbell(struct bpf_sock_ops *skops,
					  struct tsmc_peer *p)
{
	__u32 dbflags = 0;
	int err;

	if (p->flags & TSMC_PEER_F_ACTIVE)
		dbflags |= TSMC_DOORBELL_F_ACTIVE;
	if (p->flags & TSMC_PEER_F_COOKIE)
		dbflags |= TSMC_DOORBELL_F_COOKIE;

	if (doorbell_mode == TSMC_DB_CC)
		err = ring_cc(skops, p->peer_domid, dbflags);
#ifdef TSMC_DOORBELL_KFUNC_BUILD
	else if (doorbell_mode == TSMC_DB_KFUNC)
		err = tsmc_xen_doorbell(bpf_cast_to_kern_ctx(skops),
					p->peer_domid, dbflags);
#endif
	else
		err = ring_event(skops, p);

	if (err)
		stat_inc(TSMC_ST_DOORBELL_ERR);
	else
		p->flags |= TSMC_PEER_F_RUNG;
}

static __always_inline struct tsmc_peer *peer_of(struct bpf_sock_ops *skops,
						 bool create)
{
	struct bpf_sock *sk = skops->sk;

	if (!sk)
		return NULL;
	return bpf_sk_storage_get(&peers, sk, NULL,
				  create ? BPF_SK_STORAGE_GET_F_CREATE : 0);
}

/*
 * Listeners get TCP_SAVE_SYN so that PASSIVE_ESTABLISHED can read the SYN's
 * option, and the header callbacks so that SYN-ACKs can carry ours.
 * Listeners opened before the program was attached get neither.
 */
static __always_inline void handle_listen(struct bpf_sock_ops *skops)
{
	__u16 port = (__u16)skops->local_port;
	int one = 1, cur = 0;

	if (!get_config() || bpf_map_lookup_elem(&excl_ports, &port))
		return;
	/* keep an application's TCP_SAVE_SYN=2; we only need the headers */
	if (bpf_getsockopt(skops, SOL_TCP, TCP_SAVE_SYN, &cur, sizeof(cur)) ||
	    !cur)
		bpf_setsockopt(skops, SOL_TCP, TCP_SAVE_SYN, &one, sizeof(one));
	set_cb_flags(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG, 0);
}

/*
 * Active side: policy is decided once, here. No per-socket state until the
 * peer has answered: most connections never become candidates, and sk
 * storage costs an allocation per socket.
 */
static __always_inline void handle_connect(struct bpf_sock_ops *skops)
{
	if (!get_config())
		return;
	if (excluded(skops, true)) {
		stat_inc(TSMC_ST_EXCLUDED);
		return;
	}
	set_cb_flags(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG, 0);
}

/*
 * SYN-ACK: answer only a valid option with our host tag (skops->sk is
 * the request sock here: no storage, so decide from the SYN each time).
 */
static __always_inline bool synack_wants_opt(struct bpf_sock_ops *skops,
					     const struct tsmc_bpf_config *c)
{
	__u16 domid;
	__u8 oflags;

	if (excluded(skops, false))
		return false;
	return parse_peer_opt(skops, BPF_LOAD_HDR_OPT_TCP_SYN, c, &domid,
			      &oflags) == TSMC_ST_CANDIDATE;
}

/*
 * Active side: a SYN gets the option (header callbacks are only on when
 * handle_connect() allowed it); later packets only while a syncookie
 * repeat is pending.
 */
static __always_inline bool active_wants_opt(struct bpf_sock_ops *skops,
					     bool syn)
{
	struct tsmc_peer *p;

	if (syn)
		return true;
	p = peer_of(skops, false);
	return p && (p->flags & TSMC_PEER_F_RESEND);
}

static __always_inline void handle_opt_len(struct bpf_sock_ops *skops)
{
	__u8 tcp_flags = skops->skb_tcp_flags;
	const struct tsmc_bpf_config *c = get_config();
	bool want;

	if (!c)
		return;
	if ((tcp_flags & (TCPHDR_SYN | TCPHDR_ACK)) ==
	    (TCPHDR_SYN | TCPHDR_ACK))
		want = synack_wants_opt(skops, c);
	else	/* also CURRENT_MSS (no skb): count a pending repeat in */
		want = active_wants_opt(skops, tcp_flags & TCPHDR_SYN);
	if (want && bpf_reserve_hdr_opt(skops, TSMC_TCP_OPT_LEN, 0))
		stat_inc(TSMC_ST_NO_SPACE);
}

static __always_inline void handle_write_opt(struct bpf_sock_ops *skops)
{
	__u8 tcp_flags = skops->skb_tcp_flags;
	const struct tsmc_bpf_config *c = get_config();
	struct tsmc_tcp_opt o;
	__u32 st;

	if (!c)
		return;
	if ((tcp_flags & (TCPHDR_SYN | TCPHDR_ACK)) ==
	    (TCPHDR_SYN | TCPHDR_ACK)) {
		if (!synack_wants_opt(skops, c))
			return;
		/* a cookie SYN-ACK keeps no state: ask for a repeat */
		build_opt(&o, c, skops->args[0] ==
			  BPF_WRITE_HDR_TCP_SYNACK_COOKIE ?
			  TSMC_OPT_F_RESEND : 0);
		st = TSMC_ST_OPT_SENT_SYNACK;
	} else {
		/* space may have been reserved by another program only */
		if (!active_wants_opt(skops, tcp_flags & TCPHDR_SYN))
			return;
		if (tcp_flags & TCPHDR_SYN) {
			build_opt(&o, c, 0);
			st = TSMC_ST_OPT_SENT_SYN;
		} else {
			build_opt(&o, c, TSMC_OPT_F_ACK);
			st = TSMC_ST_OPT_SENT_ACK;
		}
	}
	if (bpf_store_hdr_opt(skops, &o, sizeof(o), 0)) {
		stat_inc(TSMC_ST_NO_SPACE);
		return;
	}
	stat_inc(st);
}

static __always_inline void handle_active_estab(struct bpf_sock_ops *skops)
{
	const struct tsmc_bpf_config *c;
	struct tsmc_peer *p;
	__u8 oflags = 0;
	__u16 domid = 0;
	int v;

	/* only connections that handle_connect() let through */
	if (!(skops->bpf_sock_ops_cb_flags & BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG))
		return;
	c = get_config();
	if (!c) {
		set_cb_flags(skops, 0, HDR_CB_FLAGS);
		return;
	}
	/* skops->skb is the SYN-ACK */
	v = parse_peer_opt(skops, 0, c, &domid, &oflags);
	if (v != TSMC_ST_CANDIDATE) {
		stat_inc(v < 0 ? TSMC_ST_NO_OPT : v);
		set_cb_flags(skops, 0, HDR_CB_FLAGS);
		return;
	}
	stat_inc(TSMC_ST_CANDIDATE);
	p = peer_of(skops, true);
	if (!p) {
		stat_inc(TSMC_ST_NOMEM);
		set_cb_flags(skops, 0, HDR_CB_FLAGS);
		return;
	}
	p->flags = TSMC_PEER_F_ACTIVE | TSMC_PEER_F_SENT | TSMC_PEER_F_CANDIDATE;
	p->peer_domid = domid;
	if (oflags & TSMC_OPT_F_RESEND) {
		/* repeat on every packet until the peer has answered */
		p->flags |= TSMC_PEER_F_RESEND;
		set_cb_flags(skops, BPF_SOCK_OPS_PARSE_ALL_HDR_OPT_CB_FLAG, 0);
	} else {
		set_cb_flags(skops, 0, HDR_CB_FLAGS);
	}
	ring_doorbell(skops, p);
}

/*
 * Active side, repeat pending: a non-SYN packet from the peer means it
 * has our ACK (it keeps no state before), so stop repeating.
 */
static __always_inline void handle_parse(struct bpf_sock_ops *skops)
{
	struct tsmc_peer *p;

	if (skops->skb_tcp_flags & TCPHDR_SYN)
		return;
	p = peer_of(skops, false);
	if (p)
		p->flags &= ~TSMC_PEER_F_RESEND;
	set_cb_flags(skops, 0, HDR_CB_FLAGS);
}

static __always_inline void handle_passive_estab(struct bpf_sock_ops *skops)
{
	const struct tsmc_bpf_config *c;
	struct tsmc_peer *p;
	__u32 pflags = TSMC_PEER_F_SENT | TSMC_PEER_F_CANDIDATE;
	__u8 oflags = 0;
	__u16 domid = 0;
	int v;

	/* inherited from the listener; the SYN-ACK is out */
	set_cb_flags(skops, 0, HDR_CB_FLAGS);
	c = get_config();
	if (!c)
		return;
	if (excluded(skops, false)) {
		stat_inc(TSMC_ST_EXCLUDED);
		return;
	}
	v = parse_peer_opt(skops, BPF_LOAD_HDR_OPT_TCP_SYN, c, &domid, &oflags);
	if (v == PARSE_NO_SAVED_SYN) {
		/* syncookie: skops->skb is the ACK, which must be a repeat */
		v = parse_peer_opt(skops, 0, c, &domid, &oflags);
		if (v == TSMC_ST_CANDIDATE && !(oflags & TSMC_OPT_F_ACK))
			v = TSMC_ST_MALFORMED;
		pflags |= TSMC_PEER_F_COOKIE;
	}
	if (v != TSMC_ST_CANDIDATE) {
		stat_inc(v < 0 ? TSMC_ST_NO_OPT : v);
		return;
	}
	stat_inc(TSMC_ST_CANDIDATE);
	p = peer_of(skops, true);
	if (!p) {
		stat_inc(TSMC_ST_NOMEM);
		return;
	}
	p->flags = pflags;
	p->peer_domid = domid;
	ring_doorbell(skops, p);
}

SEC("sockops")
int tsmc_sockops(struct bpf_sock_ops *skops)
{
	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_LISTEN_CB:
		handle_listen(skops);
		break;
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		handle_connect(skops);
		break;
	case BPF_SOCK_OPS_HDR_OPT_LEN_CB:
		handle_opt_len(skops);
		break;
	case BPF_SOCK_OPS_WRITE_HDR_OPT_CB:
		handle_write_opt(skops);
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		handle_active_estab(skops);
		break;
	case BPF_SOCK_OPS_PARSE_HDR_OPT_CB:
		handle_parse(skops);
		break;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		handle_passive_estab(skops);
		break;
	}
	return 1;
}

char _license[] SEC("license") = "GPL";

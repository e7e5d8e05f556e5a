/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * tsmc-xen wire format: the one definition of every byte that leaves a
 * guest, shared unchanged by the kernel module, the BPF program, dom0 tools
 * and the userspace tests.
 *
 *  1. The TCP experimental option carried on SYN / SYN-ACK (network byte
 *     order, as every TCP option).
 *  2. Pair-channel control messages (little-endian, fixed 128-byte records
 *     carried on a tsmc ring).
 *  3. The ring layout: one unidirectional byte ring = a shared index block
 *     plus a power-of-two data area (little-endian indexes).
 *
 * Shared memory is written by an untrusted peer: every field here is only a
 * claim. Readers copy a field out of shared memory exactly once, then
 * validate the copy (XSA-155).
 */
#ifndef _UAPI_TSMC_XEN_WIRE_H
#define _UAPI_TSMC_XEN_WIRE_H

/* BPF programs built against vmlinux.h already have the __u* types. */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TSMC_WIRE_VERSION	1

/* ------------------------------------------------------------------ */
/* 1. TCP option (RFC 6994 shared experimental option, kind 253)      */
/* ------------------------------------------------------------------ */

#define TSMC_TCPOPT_EXP		253
/*
 * ExID "TS". Unregistered: RFC 6994 ExIDs are first-come first-served at
 * IANA; this value is not in the registry as of writing.
 */
#define TSMC_TCPOPT_EXID	0x5453
#define TSMC_OPT_VERSION	1

/* ver_flags: high nibble = version, low nibble = flags */
#define TSMC_OPT_VER_SHIFT	4
#define TSMC_OPT_FLAG_MASK	0x0f
/* Passive side answered from a syncookie: active side, repeat on ACK. */
#define TSMC_OPT_F_RESEND	0x01
/* This option is the repeat carried on the third ACK. */
#define TSMC_OPT_F_ACK		0x02

#define TSMC_HOST_TAG_LEN	8

/*
 * 16 bytes: a Linux SYN with MSS, SACK_PERM, timestamps and window scale
 * leaves exactly 20 option bytes, so this fits with 4 to spare.
 * Nothing here is secret or authenticating: it only says "maybe
 * co-resident". Grant refs and ports never ride in the option.
 */
struct tsmc_tcp_opt {
	__u8	kind;		/* TSMC_TCPOPT_EXP */
	__u8	len;		/* sizeof(struct tsmc_tcp_opt) */
	__be16	exid;		/* TSMC_TCPOPT_EXID */
	__u8	ver_flags;	/* version << 4 | TSMC_OPT_F_* */
	__u8	rsvd;		/* sent 0, ignored */
	__be16	domid;		/* sender's Xen domid */
	__u8	host_tag[TSMC_HOST_TAG_LEN]; /* written by dom0, per host */
} __attribute__((packed));

#define TSMC_TCP_OPT_LEN	16

/* ------------------------------------------------------------------ */
/* 2. Pair-channel control messages                                   */
/* ------------------------------------------------------------------ */

/*
 * Every control message is one fixed-size record on the pair channel's
 * control ring (little-endian), so a reader never trusts a peer length to
 * find the next message.
 */
#define TSMC_CTL_MSG_SIZE	128

enum tsmc_ctl_type {
	TSMC_CTL_HELLO		= 1,	/* version negotiation, first message */
	TSMC_CTL_POOL_ADD	= 2,	/* grant refs of new pool slots */
	TSMC_CTL_OFFER		= 3,	/* switch this connection to a ring */
	TSMC_CTL_ACCEPT		= 4,	/* offer taken: commit */
	TSMC_CTL_REJECT		= 5,	/* offer refused: stay on TCP */
	TSMC_CTL_CLOSE		= 6,	/* connection torn down */
	TSMC_CTL_PING		= 7,	/* liveness / latency test */
	TSMC_CTL_PONG		= 8,
	TSMC_CTL_BYE		= 9,	/* channel going down (unload) */
};

/* Reasons carried by REJECT and CLOSE; also the module's fallback counters. */
enum tsmc_reason {
	TSMC_R_NONE		= 0,
	TSMC_R_NO_SOCKET	= 1,	/* 4-tuple/ISNs match no handshake */
	TSMC_R_POOL_EXHAUSTED	= 2,
	TSMC_R_BAD_MSG		= 3,
	TSMC_R_REFUSED		= 4,	/* ULP, psock, sk_user_data, policy */
	TSMC_R_SHUTDOWN		= 5,
	TSMC_R_PEER_RESET	= 6,
};

#define TSMC_AF_INET		4
#define TSMC_AF_INET6		6

struct tsmc_ctl_hdr {
	__le16	type;		/* enum tsmc_ctl_type */
	__le16	rsvd;
	__le32	seq;		/* sender's message counter */
};

struct tsmc_ctl_hello {
	__le16	ver_min;
	__le16	ver_max;
	__le16	domid;		/* sender's domid, checked against Xen's */
	__le16	rsvd;
	__le64	features;
	__le32	ring_order_max;	/* largest data area order accepted */
	__le32	slots_max;	/* pool slots the sender will map */
};

/* A 4-tuple as seen from the message sender. Ports in host order. */
struct tsmc_ctl_tuple {
	__u8	family;		/* TSMC_AF_INET or TSMC_AF_INET6 */
	__u8	rsvd[3];
	__u8	saddr[16];	/* IPv4 in the first 4 bytes */
	__u8	daddr[16];
	__le16	sport;
	__le16	dport;
};

#define TSMC_POOL_REFS_PER_MSG	24

struct tsmc_ctl_pool_add {
	__le32	first_slot;
	__le16	nr_refs;	/* <= TSMC_POOL_REFS_PER_MSG */
	__le16	rsvd;
	__le32	ref[TSMC_POOL_REFS_PER_MSG]; /* grant refs, slot order */
};

/*
 * A connection ring (one direction, written by the side that grants it)
 * is a run of TSMC_RING_RUN_SLOTS(order) consecutive slots of the
 * writer's pool: the first holds struct tsmc_ring_idx, the others the
 * data area in order. The reader validates the run against the slots it
 * mapped and never needs the pages to be virtually contiguous.
 */
#define TSMC_RING_SLOT_SHIFT	12	/* pool slots are 4 KiB Xen pages */
#define TSMC_RING_RUN_SLOTS(order) (1U + (1U << ((order) - TSMC_RING_SLOT_SHIFT)))

struct tsmc_ctl_offer {
	__le32	conn_id;	/* sender-chosen, echoed in ACCEPT/REJECT */
	__le32	slot;		/* first slot of the sender's ring run */
	struct tsmc_ctl_tuple tuple;
	__le32	isn_local;	/* sender's ISN */
	__le32	isn_remote;	/* receiver's ISN */
	__u8	ring_order;	/* data area = 1 << ring_order bytes */
	__u8	rsvd[3];
};

struct tsmc_ctl_verdict {	/* ACCEPT, REJECT, CLOSE */
	__le32	conn_id;
	__le32	reason;		/* enum tsmc_reason */
	__le32	slot;		/* ACCEPT: first slot of the sender's ring run */
	__u8	ring_order;	/* ACCEPT: as in OFFER */
	__u8	flags;		/* CLOSE: TSMC_CLOSE_F_* */
	__u8	rsvd[2];
};

/* CLOSE: the sender was the active side, conn_id is its own OFFER's. */
#define TSMC_CLOSE_F_ACTIVE	0x1

struct tsmc_ctl_ping {
	__le64	cookie;
	__u8	payload[32];
};

struct tsmc_ctl_msg {
	struct tsmc_ctl_hdr hdr;
	union {
		struct tsmc_ctl_hello	hello;
		struct tsmc_ctl_pool_add pool_add;
		struct tsmc_ctl_offer	offer;
		struct tsmc_ctl_verdict	verdict;
		struct tsmc_ctl_ping	ping;
		__u8 dummy[TSMC_CTL_MSG_SIZE - sizeof(struct tsmc_ctl_hdr)];
	};
};

/* ------------------------------------------------------------------ */
/* 3. Ring layout                                                     */
/* ------------------------------------------------------------------ */

/*
 * One unidirectional byte ring. Indexes are free-running 32-bit byte
 * counts, masked with (size - 1) where size = 1 << data order is known
 * locally (never re-read from shared memory after setup). Both sides start
 * at an index agreed out of band (0), never read from this block.
 *
 * Each cache line has exactly one writer, and the event words sit on
 * lines of their own: they are written only when a side is about to
 * sleep, so the peer's per-commit/per-consume read of them stays a cache
 * hit instead of missing on a line that moves with every index update.
 *   producer line:        prod, pflags, tcp_cut   (producer writes)
 *   consumer line:        cons, cflags            (consumer writes)
 *   producer event line:  space_event             (producer writes)
 *   consumer event line:  data_event              (consumer writes)
 *
 * Notification suppression uses event indexes as in Xen's io/ring.h:
 *   the consumer, about to sleep, writes data_event = cons + 1, issues a
 *   full barrier and reads prod again; the producer, after publishing prod
 *   (old -> new), issues a full barrier and notifies only if data_event is
 *   in (old, new]. Symmetrically the producer, about to wait for @want
 *   bytes of room, writes space_event = prod - size + want (the cons value
 *   that frees them) and reads cons again; the consumer notifies only if
 *   its cons update crossed it. A fresh block has data_event = start + 1
 *   (the first byte notifies) and space_event = start (no request).
 *
 * READING says the consumer's application reads through the ring now,
 * so the producer may start using it (a socket switch must not strand a
 * reader still blocked in TCP).
 *
 * Flags only ever gain bits. EOF is set after the last prod update; the
 * consumer reads pflags before prod, so prod read after seeing EOF is
 * final. ERROR means reset: unread bytes are dropped. CUT says tcp_cut
 * holds the sender's TCP write_seq at the switch (written before CUT).
 */
#define TSMC_RING_F_EOF		0x1	/* pflags: producer wrote its last byte */
#define TSMC_RING_F_ERROR	0x2	/* pflags: producer aborted (reset) */
#define TSMC_RING_F_CUT		0x4	/* pflags: tcp_cut is valid */
#define TSMC_RING_F_CLOSED	0x1	/* cflags: consumer reads no more */
#define TSMC_RING_F_READING	0x2	/* cflags: consumer reads the ring now */

#define TSMC_CACHELINE		64

struct tsmc_ring_prod_line {
	__le32	prod;		/* bytes ever produced */
	__le32	pflags;		/* TSMC_RING_F_EOF | _ERROR | _CUT */
	__le32	tcp_cut;	/* sender's TCP write_seq at the switch */
	__le32	owner_tag;	/* connection rings: TSMC_RING_TAG() */
	__u8	pad[TSMC_CACHELINE - 16];
};

/*
 * A connection ring's owner writes the tag after formatting; the reader
 * checks it before it trusts the cut, so a run that its owner gave up and
 * reused (an OFFER that timed out) is never read as this connection's.
 */
#define TSMC_RING_TAG(conn_id, active)	(((conn_id) << 1) | !!(active))

struct tsmc_ring_cons_line {
	__le32	cons;		/* bytes ever consumed */
	__le32	cflags;		/* TSMC_RING_F_CLOSED | _READING */
	__u8	pad[TSMC_CACHELINE - 8];
};

struct tsmc_ring_event_line {
	__le32	event;		/* wake me when the peer's index passes this */
	__u8	pad[TSMC_CACHELINE - 4];
};

struct tsmc_ring_idx {
	struct tsmc_ring_prod_line p;
	struct tsmc_ring_cons_line c;
	struct tsmc_ring_event_line space;	/* producer's space_event */
	struct tsmc_ring_event_line data;	/* consumer's data_event */
};

#define TSMC_RING_IDX_SIZE	256
/* Data area limits: one page up to 1 MiB per direction. */
#define TSMC_RING_ORDER_MIN	12
#define TSMC_RING_ORDER_MAX	20

/*
 * Compile-time layout checks. The kernel and userspace builds check them;
 * a BPF build (vmlinux.h, no libc headers) has no static_assert and skips.
 */
#if defined(__KERNEL__)
#include <linux/build_bug.h>
#elif !defined(__VMLINUX_H__) && !defined(__bpf__)
#include <assert.h>
#endif
#ifdef static_assert
static_assert(sizeof(struct tsmc_tcp_opt) == TSMC_TCP_OPT_LEN,
	      "TCP option must be 16 bytes");
static_assert(sizeof(struct tsmc_ctl_msg) == TSMC_CTL_MSG_SIZE,
	      "control message must be 128 bytes");
static_assert(sizeof(struct tsmc_ring_prod_line) == TSMC_CACHELINE,
	      "producer line must be one cache line");
static_assert(sizeof(struct tsmc_ring_cons_line) == TSMC_CACHELINE,
	      "consumer line must be one cache line");
static_assert(sizeof(struct tsmc_ring_event_line) == TSMC_CACHELINE,
	      "event line must be one cache line");
static_assert(sizeof(struct tsmc_ring_idx) == TSMC_RING_IDX_SIZE,
	      "ring index block must be 256 bytes");
static_assert(__builtin_offsetof(struct tsmc_ring_idx, c) ==
	      TSMC_CACHELINE, "consumer line must start a cache line");
static_assert(__builtin_offsetof(struct tsmc_ring_idx, space) ==
	      2 * TSMC_CACHELINE, "space event line offset");
static_assert(__builtin_offsetof(struct tsmc_ring_idx, data) ==
	      3 * TSMC_CACHELINE, "data event line offset");
static_assert(__builtin_offsetof(struct tsmc_ctl_offer, tuple) == 8,
	      "offer tuple offset");
static_assert(sizeof(struct tsmc_ctl_offer) <=
	      TSMC_CTL_MSG_SIZE - sizeof(struct tsmc_ctl_hdr),
	      "offer fits a record");
static_assert(sizeof(struct tsmc_ctl_pool_add) <=
	      TSMC_CTL_MSG_SIZE - sizeof(struct tsmc_ctl_hdr),
	      "pool_add fits a record");
#endif /* static_assert */

#endif /* _UAPI_TSMC_XEN_WIRE_H */

/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Maps shared by tsmc_sockops.bpf.c, the tsmc-bpf loader and the tests:
 * their names, key and value layouts. The TCP option itself lives in
 * tsmc_xen/wire.h, the module contract in tsmc_xen/doorbell.h.
 */
#ifndef TSMC_BPF_H
#define TSMC_BPF_H

/* Pinned object names under the pin directory (default /sys/fs/bpf/tsmc). */
#define TSMC_PIN_DIR_DEFAULT	"/sys/fs/bpf/tsmc"
#define TSMC_PIN_LINK		"link"
#define TSMC_PIN_CONFIG		"config"
#define TSMC_PIN_EXCL_PORTS	"excl_ports"
#define TSMC_PIN_EXCL_PREFIXES	"excl_prefixes"
#define TSMC_PIN_STATS		"stats"
#define TSMC_PIN_PEERS		"peers"
#define TSMC_PIN_EVENTS		"events"

/* Program name as the kernel shows it (bpftool prog, cgroup query). */
#define TSMC_PROG_NAME		"tsmc_sockops"

/* config map: one entry at key 0, written by the loader at any time. */
struct tsmc_bpf_config {
	__u32	enabled;	/* 0: no option written, nothing parsed */
	__u16	domid;		/* own Xen domid */
	__u16	doorbell;	/* enum tsmc_doorbell_mode, for status only */
	__u8	host_tag[8];	/* own host tag, TSMC_HOST_TAG_LEN bytes */
};

/*
 * excl_prefixes map (LPM trie): peer address prefixes that never get the
 * option. IPv4 is stored v4-mapped (::ffff:a.b.c.d, prefixlen + 96).
 */
struct tsmc_prefix_key {
	__u32	prefixlen;
	__u8	addr[16];
};

/*
 * excl_ports map (hash, key __u16 host order, value __u8 ignored): the
 * service port of a connection, i.e. the remote port on the active side
 * and the local port on the passive side.
 */

/* Doorbell the program was loaded with (rodata doorbell_mode). */
enum tsmc_doorbell_mode {
	TSMC_DB_RINGBUF	= 0,	/* event on the events ring buffer */
	TSMC_DB_CC	= 1,	/* congestion control TSMC_DOORBELL_CC */
	TSMC_DB_KFUNC	= 2,	/* kfunc TSMC_DOORBELL_KFUNC */
};

/*
 * peers map (sk storage): what the program learnt about one socket. Only
 * candidates get an entry: storage costs an allocation per socket.
 */
#define TSMC_PEER_F_ACTIVE	0x01	/* we sent the SYN */
#define TSMC_PEER_F_SENT	0x02	/* we sent the option and it was answered */
#define TSMC_PEER_F_RESEND	0x04	/* active: repeat option on ACK */
#define TSMC_PEER_F_CANDIDATE	0x08	/* peer option valid, same host tag */
#define TSMC_PEER_F_COOKIE	0x10	/* passive: option came on the ACK */
#define TSMC_PEER_F_RUNG	0x20	/* doorbell called without error */

struct tsmc_peer {
	__u32	flags;		/* TSMC_PEER_F_* */
	__u16	peer_domid;	/* valid with TSMC_PEER_F_CANDIDATE */
	__u16	rsvd;
};

/* events ring buffer record: one per candidate in TSMC_DB_RINGBUF mode. */
struct tsmc_event {
	__u32	flags;		/* TSMC_PEER_F_* at doorbell time */
	__u16	peer_domid;
	__u16	family;		/* AF_INET or AF_INET6 */
	__u8	local_ip[16];	/* IPv4 in the first 4 bytes */
	__u8	remote_ip[16];
	__u16	local_port;	/* host order */
	__u16	remote_port;	/* host order */
	__u32	local_isn;
	__u32	remote_isn;
};

/* stats map (per-CPU array) indexes */
enum tsmc_stat {
	TSMC_ST_OPT_SENT_SYN,		/* option written on a SYN */
	TSMC_ST_OPT_SENT_SYNACK,	/* option written on a SYN-ACK */
	TSMC_ST_OPT_SENT_ACK,		/* syncookie repeat written on an ACK */
	TSMC_ST_NO_SPACE,		/* option did not fit */
	TSMC_ST_EXCLUDED,		/* policy said no */
	TSMC_ST_NO_OPT,			/* peer sent no tsmc option */
	TSMC_ST_MALFORMED,		/* option found but invalid */
	TSMC_ST_TAG_MISMATCH,		/* valid option, other host */
	TSMC_ST_CANDIDATE,		/* valid option, same host */
	TSMC_ST_DOORBELL_ERR,		/* doorbell refused or unavailable */
	TSMC_ST_NOMEM,			/* sk storage or ring buffer full */
	TSMC_ST_MAX,
};

#endif /* TSMC_BPF_H */

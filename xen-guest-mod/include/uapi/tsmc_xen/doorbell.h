/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * tsmc-xen doorbell: how the sockops program (bpf/) tells tsmc_xen.ko
 * that a TCP connection has a co-resident peer.
 *
 * The program calls the doorbell exactly once per candidate socket, from
 * BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB (active side, sk_state is
 * TCP_ESTABLISHED) or BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB (passive side,
 * sk_state is still TCP_SYN_RECV), with the socket locked, in softirq or
 * in the socket owner's context. At that point both ends carried a valid
 * struct tsmc_tcp_opt with the same host tag; nothing more is proven. The
 * module authenticates the peer on the Xen pair channel (OFFER/ACCEPT).
 *
 * The module reads the 4-tuple from the socket and the ISNs as
 * tcp_sk(sk)->snd_una - 1 (own ISN) and tcp_sk(sk)->rcv_nxt - 1 (peer ISN):
 * at both callbacks no payload has been acked or queued yet.
 *
 * Two doorbells exist; the loader picks one at load time by probing:
 *
 * 1. kfunc (kernels that let sockops call a module kfunc): the module
 *    registers TSMC_DOORBELL_KFUNC for BPF_PROG_TYPE_SOCK_OPS (or for every
 *    program type, BTF_KFUNC_HOOK_COMMON) with this prototype:
 *
 *	int tsmc_xen_doorbell(struct bpf_sock_ops_kern *skops,
 *			      __u32 peer_domid, __u32 flags);
 *
 *    The program passes bpf_cast_to_kern_ctx(ctx) (a plain C cast of the
 *    ctx is refused by the verifier). skops->sk is the full socket. flags
 *    is a mask of TSMC_DOORBELL_F_*.
 *    Return 0 if taken, a negative errno otherwise (the program only counts
 *    failures; the connection stays on TCP either way).
 *
 * 2. congestion control (kernels where sockops cannot call kfuncs, 6.1):
 *    the module registers a tcp_congestion_ops named TSMC_DOORBELL_CC.
 *    The program does, with the socket lock held throughout:
 *
 *	old_cc   = getsockopt(TCP_CONGESTION)
 *	old_prio = getsockopt(SO_PRIORITY)
 *	setsockopt(SO_PRIORITY, TSMC_DOORBELL_PRIO(peer_domid, flags))
 *	setsockopt(TCP_CONGESTION, TSMC_DOORBELL_CC)  -> module's init(sk)
 *	setsockopt(SO_PRIORITY, old_prio)
 *	setsockopt(TCP_CONGESTION, old_cc)            -> module's release(sk)
 *
 *    bpf_setsockopt(TCP_CONGESTION) on a socket that is neither CLOSE nor
 *    LISTEN calls init() synchronously, so init() reads sk->sk_priority
 *    and finds the encoded value; it must check TSMC_DOORBELL_PRIO_MAGIC
 *    and ignore the call if it does not match (someone with CAP_NET_ADMIN
 *    selected the cc by hand). init() must not sleep, must not call
 *    tcp_set_congestion_control() and must not keep per-socket state in
 *    icsk_ca_priv: the program puts the old cc back right away (the
 *    program, not the module, restores it). The ops must still be a valid
 *    cc (ssthresh, undo_cwnd, cong_avoid: tcp_reno_*), since the kernel
 *    checks them at registration.
 *    SO_PRIORITY rather than SO_MARK carries the value because changing
 *    sk_mark resets the cached route (sk_dst_reset) while sk_priority has
 *    no side effect until a packet is queued, and none is queued between
 *    the two setsockopt calls.
 */
#ifndef _UAPI_TSMC_XEN_DOORBELL_H
#define _UAPI_TSMC_XEN_DOORBELL_H

/* Module that owns both doorbells, as named in /sys/kernel/btf/. */
#define TSMC_DOORBELL_MODULE		"tsmc_xen"

/* kfunc doorbell: function name in the module's BTF. */
#define TSMC_DOORBELL_KFUNC		"tsmc_xen_doorbell"

/* cc doorbell: tcp_congestion_ops.name (< TCP_CA_NAME_MAX = 16). */
#define TSMC_DOORBELL_CC		"tsmc_doorbell"

/* flags for both doorbells */
#define TSMC_DOORBELL_F_ACTIVE		0x1	/* this end sent the SYN */
#define TSMC_DOORBELL_F_COOKIE		0x2	/* passive: option came on ACK */

/*
 * sk_priority while the cc doorbell's init() runs:
 *   bits 31..20 magic, bits 19..16 TSMC_DOORBELL_F_*, bits 15..0 domid.
 */
#define TSMC_DOORBELL_PRIO_MAGIC	0x75300000u
#define TSMC_DOORBELL_PRIO_MAGIC_MASK	0xfff00000u
#define TSMC_DOORBELL_PRIO_FLAGS_SHIFT	16
#define TSMC_DOORBELL_PRIO_FLAGS_MASK	0x000f0000u
#define TSMC_DOORBELL_PRIO_DOMID_MASK	0x0000ffffu

#define TSMC_DOORBELL_PRIO(domid, flags)				\
	(TSMC_DOORBELL_PRIO_MAGIC |					\
	 (((flags) << TSMC_DOORBELL_PRIO_FLAGS_SHIFT) &			\
	  TSMC_DOORBELL_PRIO_FLAGS_MASK) |				\
	 ((domid) & TSMC_DOORBELL_PRIO_DOMID_MASK))

/*
 * Xen's DOMID_FIRST_RESERVED: an option naming a domid at or above this
 * is malformed and never reaches a doorbell.
 */
#define TSMC_DOMID_FIRST_RESERVED	0x7ff0

#endif /* _UAPI_TSMC_XEN_DOORBELL_H */

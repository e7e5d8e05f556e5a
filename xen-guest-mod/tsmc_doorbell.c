// SPDX-License-Identifier: GPL-2.0
/*
 * Doorbells: the sockops program (bpf/) hands us a TCP connection whose
 * peer carried our host tag. The contract is uapi tsmc_xen/doorbell.h.
 * Two ways in, one handler (tsmc_doorbell_ring):
 *   cc     a tcp_congestion_ops whose init() is the doorbell (every kernel)
 *   kfunc  tsmc_xen_doorbell(), called by the program (6.2 and later)
 * Both run with the socket locked, in softirq or in the socket owner's
 * context, so nothing here sleeps: the pair is found under RCU instead of
 * tsmc_lock (see tsmc_pair_remove()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/filter.h>
#include <linux/module.h>
#include <linux/rculist.h>
#include <linux/spinlock.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "tsmc_xen.h"
#include "tsmc_xen/doorbell.h"

enum tsmc_db_via {
	TSMC_DB_VIA_CC,
	TSMC_DB_VIA_KFUNC,
	TSMC_DB_NR_VIA,
};

enum tsmc_db_result {
	TSMC_DB_TAKEN,
	TSMC_DB_NO_PAIR,
	TSMC_DB_NOT_CONNECTED,
	TSMC_DB_NR_RESULTS,
};

static const char * const tsmc_db_result_names[] = {
	[TSMC_DB_TAKEN]		= "taken",
	[TSMC_DB_NO_PAIR]	= "no_pair",
	[TSMC_DB_NOT_CONNECTED]	= "not_connected",
};

static const char * const tsmc_db_via_names[] = {
	[TSMC_DB_VIA_CC]	= "cc",
	[TSMC_DB_VIA_KFUNC]	= "kfunc",
};

/* via[] counts every call; each ends in rejected or in one result[]. */
static struct {
	atomic64_t	via[TSMC_DB_NR_VIA];
	atomic64_t	bad_magic;	/* cc init() without our magic */
	atomic64_t	rejected;
	atomic64_t	result[TSMC_DB_NR_RESULTS];
} tsmc_db_stats;

static bool tsmc_db_kfunc_ok;	/* set once in init */

/* History of the last TSMC_DB_HIST calls that reached the pair lookup. */
#define TSMC_DB_HIST	16

struct tsmc_db_rec {
	struct in6_addr	laddr;		/* IPv4: s6_addr32[0] */
	struct in6_addr	raddr;
	u32		isn;
	u32		peer_isn;
	__be16		lport;
	__be16		rport;
	u16		peer;
	u8		via;
	u8		active;
	u8		family;		/* 4 or 6 */
	u8		result;
};

static DEFINE_SPINLOCK(tsmc_db_lock);	/* history; taken in softirq */
static struct tsmc_db_rec tsmc_db_hist[TSMC_DB_HIST];
static u64 tsmc_db_count;		/* records ever written */

static void tsmc_db_record(const struct tsmc_db_rec *rec)
{
	unsigned long flags;

	spin_lock_irqsave(&tsmc_db_lock, flags);
	tsmc_db_hist[tsmc_db_count % TSMC_DB_HIST] = *rec;
	tsmc_db_count++;
	spin_unlock_irqrestore(&tsmc_db_lock, flags);
}

/*
 * A TCP socket at one of the two ESTABLISHED callbacks: the active side
 * is ESTABLISHED, the passive one still SYN_RECV. The state test also
 * rules out request and timewait socks. At that point nothing has been
 * acked or queued yet, so the ISNs are one below snd_una and rcv_nxt.
 */
static bool tsmc_db_read_sock(struct sock *sk, struct tsmc_db_rec *rec)
{
	const struct inet_sock *inet;
	const struct tcp_sock *tp;

	if (!sk || sk->sk_type != SOCK_STREAM ||
	    sk->sk_protocol != IPPROTO_TCP ||
	    !((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_SYN_RECV)))
		return false;
	inet = inet_sk(sk);
	switch (sk->sk_family) {
	case AF_INET:
		rec->family = 4;
		rec->laddr.s6_addr32[0] = inet->inet_saddr;
		rec->raddr.s6_addr32[0] = inet->inet_daddr;
		break;
#if IS_ENABLED(CONFIG_IPV6)
	case AF_INET6:
		/* A dual-stack socket talking IPv4: the peer sees IPv4. */
		if (ipv6_addr_v4mapped(&sk->sk_v6_daddr)) {
			rec->family = 4;
			rec->laddr.s6_addr32[0] = inet->inet_saddr;
			rec->raddr.s6_addr32[0] = inet->inet_daddr;
			break;
		}
		rec->family = 6;
		rec->laddr = sk->sk_v6_rcv_saddr;
		rec->raddr = sk->sk_v6_daddr;
		break;
#endif
	default:
		return false;
	}
	rec->lport = inet->inet_sport;
	rec->rport = inet->inet_dport;
	tp = tcp_sk(sk);
	rec->isn = tp->snd_una - 1;
	rec->peer_isn = tp->rcv_nxt - 1;
	return true;
}

/* Hand the connection to the OFFER/ACCEPT exchange (tsmc_conn.c). */
static void tsmc_db_offer(struct tsmc_pair *p, struct sock *sk,
			  const struct tsmc_db_rec *rec)
{
	struct tsmc_ctl_tuple t = {
		.family = rec->family == 4 ? TSMC_AF_INET : TSMC_AF_INET6,
		.sport = cpu_to_le16(ntohs(rec->lport)),
		.dport = cpu_to_le16(ntohs(rec->rport)),
	};

	/* IPv4 sits in the first 4 bytes, the rest is zero (rec is). */
	memcpy(t.saddr, &rec->laddr, sizeof(t.saddr));
	memcpy(t.daddr, &rec->raddr, sizeof(t.daddr));
	tsmc_conn_doorbell(p, sk, &t, rec->isn, rec->peer_isn, rec->active);
}

/*
 * RCU keeps the pair alive for this lookup: tsmc_pair_remove() waits for
 * a grace period after unlinking it, before any teardown.
 */
static enum tsmc_db_result tsmc_db_find_pair(domid_t peer, struct sock *sk,
					     const struct tsmc_db_rec *rec)
{
	enum tsmc_db_result res = TSMC_DB_NO_PAIR;
	struct tsmc_pair *p;

	rcu_read_lock();
	list_for_each_entry_rcu(p, &tsmc_pairs, node) {
		if (p->peer != peer)
			continue;
		if (READ_ONCE(p->state) != TSMC_PAIR_CONNECTED) {
			res = TSMC_DB_NOT_CONNECTED;
			break;
		}
		/* Still inside the RCU section: @p cannot go away. */
		tsmc_db_offer(p, sk, rec);
		atomic64_inc(&p->doorbells);
		res = TSMC_DB_TAKEN;
		break;
	}
	rcu_read_unlock();
	return res;
}

/*
 * Common doorbell. Atomic context, socket locked: no sleeping, no
 * tsmc_lock. Returns 0 when a connected pair took the connection.
 */
static int tsmc_doorbell_ring(struct sock *sk, u32 domid, u32 flags,
			      enum tsmc_db_via via)
{
	static const int errs[] = {
		[TSMC_DB_TAKEN]		= 0,
		[TSMC_DB_NO_PAIR]	= -ENOENT,
		[TSMC_DB_NOT_CONNECTED]	= -ENOTCONN,
	};
	struct tsmc_db_rec rec = {};
	enum tsmc_db_result res;

	atomic64_inc(&tsmc_db_stats.via[via]);
	if (domid >= TSMC_DOMID_FIRST_RESERVED || domid == tsmc_self ||
	    !tsmc_db_read_sock(sk, &rec)) {
		atomic64_inc(&tsmc_db_stats.rejected);
		return -EINVAL;
	}
	rec.peer = domid;
	rec.via = via;
	rec.active = !!(flags & TSMC_DOORBELL_F_ACTIVE);
	res = tsmc_db_find_pair(domid, sk, &rec);
	atomic64_inc(&tsmc_db_stats.result[res]);
	rec.result = res;
	tsmc_db_record(&rec);
	return errs[res];
}

/*
 * cc doorbell: the program put TSMC_DOORBELL_PRIO() in sk_priority just
 * before selecting us, and puts the old cc back right after (we cannot:
 * tcp_set_congestion_control() is not exported). So init() keeps nothing
 * in icsk_ca_priv, and the ops are plain Reno for the odd socket that
 * stays on us. Not TCP_CONG_NON_RESTRICTED: only CAP_NET_ADMIN (and BPF)
 * may select it.
 */
static void tsmc_db_cc_init(struct sock *sk)
{
	u32 prio = READ_ONCE(sk->sk_priority);

	if ((prio & TSMC_DOORBELL_PRIO_MAGIC_MASK) !=
	    TSMC_DOORBELL_PRIO_MAGIC) {
		atomic64_inc(&tsmc_db_stats.bad_magic);
		return;
	}
	tsmc_doorbell_ring(sk, prio & TSMC_DOORBELL_PRIO_DOMID_MASK,
			   (prio & TSMC_DOORBELL_PRIO_FLAGS_MASK) >>
			   TSMC_DOORBELL_PRIO_FLAGS_SHIFT, TSMC_DB_VIA_CC);
}

static struct tcp_congestion_ops tsmc_db_cc __read_mostly = {
	.init		= tsmc_db_cc_init,
	.ssthresh	= tcp_reno_ssthresh,
	.undo_cwnd	= tcp_reno_undo_cwnd,
	.cong_avoid	= tcp_reno_cong_avoid,
	.owner		= THIS_MODULE,
	.name		= TSMC_DOORBELL_CC,
};

/*
 * kfunc doorbell. 6.1 has no kfunc hook a sockops program can use
 * (BTF_KFUNC_HOOK_COMMON came in 6.2), so it is compiled out there:
 * Kbuild defines TSMC_DB_KFUNC from 6.2 on.
 */
#ifdef TSMC_DB_KFUNC

/*
 * Helpers newer than 6.2: __bpf_kfunc (6.3), __bpf_kfunc_start_defs
 * (6.7), BTF_KFUNCS_START (6.9; from then on registration refuses a set
 * without its flag). All are macros, so test for them rather than for a
 * version. The prototype is in tsmc_xen.h: the fallbacks need no pragma.
 */
#ifndef __bpf_kfunc
#define __bpf_kfunc noinline	/* global and declared: never dropped */
#endif
#ifndef __bpf_kfunc_start_defs
#define __bpf_kfunc_start_defs()
#define __bpf_kfunc_end_defs()
#endif
#ifndef BTF_KFUNCS_START
#define BTF_KFUNCS_START(name) BTF_SET8_START(name)
#define BTF_KFUNCS_END(name) BTF_SET8_END(name)
#endif

/*
 * 6.15 maps BPF_PROG_TYPE_SOCK_OPS to a kfunc hook (the cgroup one);
 * before that only BPF_PROG_TYPE_UNSPEC (every program type) reaches
 * sockops, and registering for SOCK_OPS would fail. Kbuild defines
 * TSMC_DB_KFUNC_SOCK_OPS from 6.15 on.
 */
#ifdef TSMC_DB_KFUNC_SOCK_OPS
#define TSMC_DB_KFUNC_PROG_TYPE	BPF_PROG_TYPE_SOCK_OPS
#else
#define TSMC_DB_KFUNC_PROG_TYPE	BPF_PROG_TYPE_UNSPEC
#endif

__bpf_kfunc_start_defs();

/* skops is the program's ctx; its sk is only a struct sock if full. */
__bpf_kfunc int tsmc_xen_doorbell(struct bpf_sock_ops_kern *skops,
				  u32 peer_domid, u32 flags)
{
	return tsmc_doorbell_ring(skops->is_fullsock ? skops->sk : NULL,
				  peer_domid, flags, TSMC_DB_VIA_KFUNC);
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(tsmc_db_kfunc_ids)
BTF_ID_FLAGS(func, tsmc_xen_doorbell, KF_TRUSTED_ARGS)
BTF_KFUNCS_END(tsmc_db_kfunc_ids)

static const struct btf_kfunc_id_set tsmc_db_kfunc_set = {
	.owner	= THIS_MODULE,
	.set	= &tsmc_db_kfunc_ids,
};

/*
 * Without module BTF (built where pahole was missing) registration still
 * returns 0 (MODULE_ALLOW_BTF_MISMATCH) and the kfunc does not exist:
 * do not claim it. Only the size is read: the section itself is freed
 * before init runs.
 */
static bool tsmc_db_have_btf(void)
{
#ifdef CONFIG_DEBUG_INFO_BTF_MODULES
	return THIS_MODULE->btf_data_size;
#else
	return false;
#endif
}

static void tsmc_db_kfunc_register(void)
{
	int err;

	if (!tsmc_db_have_btf()) {
		pr_warn("module has no BTF: kfunc doorbell unavailable, cc doorbell only\n");
		return;
	}
	err = register_btf_kfunc_id_set(TSMC_DB_KFUNC_PROG_TYPE,
					&tsmc_db_kfunc_set);
	if (err) {
		pr_warn("cannot register the kfunc doorbell (%d), cc doorbell only\n",
			err);
		return;
	}
	tsmc_db_kfunc_ok = true;
}

#else /* !TSMC_DB_KFUNC: before 6.2 */

static void tsmc_db_kfunc_register(void)
{
}

#endif

/* No kfunc unregister exists: a program using it holds the module. */
int tsmc_doorbell_init(void)
{
	int err;

	BUILD_BUG_ON(sizeof(TSMC_DOORBELL_CC) > TCP_CA_NAME_MAX);
	err = tcp_register_congestion_control(&tsmc_db_cc);
	if (err) {
		pr_err("cannot register congestion control %s (%d)\n",
		       TSMC_DOORBELL_CC, err);
		return err;
	}
	tsmc_db_kfunc_register();
	return 0;
}

void tsmc_doorbell_exit(void)
{
	tcp_unregister_congestion_control(&tsmc_db_cc);
}

int tsmc_doorbell_show(char *buf)
{
	return sysfs_emit(buf,
			  "registered=cc%s via_cc=%lld via_kfunc=%lld bad_magic=%lld rejected=%lld no_pair=%lld not_connected=%lld taken=%lld\n",
			  tsmc_db_kfunc_ok ? ",kfunc" : "",
			  atomic64_read(&tsmc_db_stats.via[TSMC_DB_VIA_CC]),
			  atomic64_read(&tsmc_db_stats.via[TSMC_DB_VIA_KFUNC]),
			  atomic64_read(&tsmc_db_stats.bad_magic),
			  atomic64_read(&tsmc_db_stats.rejected),
			  atomic64_read(&tsmc_db_stats.result[TSMC_DB_NO_PAIR]),
			  atomic64_read(&tsmc_db_stats.result[TSMC_DB_NOT_CONNECTED]),
			  atomic64_read(&tsmc_db_stats.result[TSMC_DB_TAKEN]));
}

static int tsmc_db_emit_addr(char *buf, int len, const struct tsmc_db_rec *r,
			     const struct in6_addr *a, __be16 port)
{
	if (r->family == 4)
		return sysfs_emit_at(buf, len, "%pI4:%u", &a->s6_addr32[0],
				     ntohs(port));
	return sysfs_emit_at(buf, len, "[%pI6c]:%u", a, ntohs(port));
}

/* Oldest first; formatted under the lock (no sleeping in vsnprintf). */
int tsmc_doorbell_candidates_show(char *buf)
{
	const struct tsmc_db_rec *r;
	unsigned long flags;
	u64 i, first;
	int len = 0;

	spin_lock_irqsave(&tsmc_db_lock, flags);
	first = tsmc_db_count > TSMC_DB_HIST ? tsmc_db_count - TSMC_DB_HIST :
					       0;
	for (i = first; i < tsmc_db_count; i++) {
		r = &tsmc_db_hist[i % TSMC_DB_HIST];
		len += sysfs_emit_at(buf, len,
				     "peer=%u via=%s side=%s family=%u local=",
				     r->peer, tsmc_db_via_names[r->via],
				     r->active ? "active" : "passive",
				     r->family);
		len += tsmc_db_emit_addr(buf, len, r, &r->laddr, r->lport);
		len += sysfs_emit_at(buf, len, " remote=");
		len += tsmc_db_emit_addr(buf, len, r, &r->raddr, r->rport);
		len += sysfs_emit_at(buf, len,
				     " isn=%u peer_isn=%u result=%s\n",
				     r->isn, r->peer_isn,
				     tsmc_db_result_names[r->result]);
	}
	spin_unlock_irqrestore(&tsmc_db_lock, flags);
	return len;
}

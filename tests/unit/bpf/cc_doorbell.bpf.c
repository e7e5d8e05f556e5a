// SPDX-License-Identifier: GPL-2.0
/*
 * Stand-in for tsmc_xen.ko's congestion-control doorbell (doorbell.h,
 * doorbell 2): a BPF struct_ops tcp_congestion_ops with the module's name
 * whose init() records what the module would see. Reno-like otherwise;
 * the program puts the previous cc back right after init.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "cc_doorbell.h"

struct seen seen[MAX_SEEN];
__u32 n_seen;

SEC("struct_ops/tsmc_db_init")
void BPF_PROG(tsmc_db_init, struct sock *sk)
{
	__u32 i = __sync_fetch_and_add(&n_seen, 1);

	if (i >= MAX_SEEN)
		return;
	seen[i].priority = sk->sk_priority;
	seen[i].state = sk->__sk_common.skc_state;
	seen[i].local_port = sk->__sk_common.skc_num;
	seen[i].remote_port = __builtin_bswap16(sk->__sk_common.skc_dport);
}

SEC("struct_ops/tsmc_db_ssthresh")
__u32 BPF_PROG(tsmc_db_ssthresh, struct sock *sk)
{
	const struct tcp_sock *tp = (struct tcp_sock *)sk;

	return tp->snd_cwnd > 4 ? tp->snd_cwnd >> 1 : 2;
}

SEC("struct_ops/tsmc_db_cong_avoid")
void BPF_PROG(tsmc_db_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
}

SEC("struct_ops/tsmc_db_undo_cwnd")
__u32 BPF_PROG(tsmc_db_undo_cwnd, struct sock *sk)
{
	return ((struct tcp_sock *)sk)->snd_cwnd;
}

SEC(".struct_ops")
struct tcp_congestion_ops tsmc_doorbell = {
	.init		= (void *)tsmc_db_init,
	.ssthresh	= (void *)tsmc_db_ssthresh,
	.cong_avoid	= (void *)tsmc_db_cong_avoid,
	.undo_cwnd	= (void *)tsmc_db_undo_cwnd,
	.name		= "tsmc_doorbell",
};

char _license[] SEC("license") = "GPL";

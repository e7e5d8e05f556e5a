/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by cc_doorbell.bpf.c and cc_doorbell_test.c: one init() record. */
#ifndef TSMC_CC_DOORBELL_H
#define TSMC_CC_DOORBELL_H

#define MAX_SEEN 8

struct seen {
	__u32 priority;		/* sk_priority during init */
	__u32 state;		/* sk_state during init */
	__u16 local_port;	/* host order */
	__u16 remote_port;	/* host order */
};

#endif /* TSMC_CC_DOORBELL_H */

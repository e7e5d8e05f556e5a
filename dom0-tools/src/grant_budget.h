/* SPDX-License-Identifier: MIT */
/* Grant-table budget estimate for a guest's tsmc settings. */
#ifndef TSMC_GRANT_BUDGET_H
#define TSMC_GRANT_BUDGET_H

/* v1 grant entries are 8 bytes: 512 per 4 KiB frame. */
#define GRANT_ENTRIES_PER_FRAME 512U
/* Control ring of one pair: index page + 2 data areas of up to order 16. */
#define GRANT_ENTRIES_PER_PAIR (1U + 2U * 16U)

/* Frames tsmc may need at most: every connection has two directions of
 * (1 << (ring_order - 12)) data pages plus one index page. */
unsigned int grant_frames_needed(unsigned int max_conns, unsigned int ring_order,
				 unsigned int pairs);

#endif

// SPDX-License-Identifier: MIT
/* Grant-table budget estimate (status warns when it cannot fit). */
#include "grant_budget.h"

unsigned int grant_frames_needed(unsigned int max_conns, unsigned int ring_order,
				 unsigned int pairs)
{
	unsigned long long pages = 1ULL << (ring_order - 12);
	unsigned long long entries = (unsigned long long)max_conns * (2 * pages + 1) +
				     (unsigned long long)pairs * GRANT_ENTRIES_PER_PAIR;

	return (unsigned int)((entries + GRANT_ENTRIES_PER_FRAME - 1) /
			      GRANT_ENTRIES_PER_FRAME);
}
